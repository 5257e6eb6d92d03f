"""The shipped saved queries (queries/*.rq): grlc headers, explicit prefixes, a deterministic order, SPARQL that
parses, parameters that work, one query per public competency question, and `jasic-kg queries test` passing
against queries/expected/*.srj."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pyoxigraph import Store

from jasic_kg.queries import load_query_file
from jasic_kg.sparql import code_text
from jasic_kg.store import LocalStore
from jasic_kg.terms import show

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
EXPECTED = QUERIES / "expected"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
NAMES = [p.stem for p in QUERY_FILES]

CQ_IDS = ["01", "02", "03", "04", "05", "11", "12", "13", "14", "21", "22", "23", "24",
          "31", "32", "33", "34", "41", "42", "43", "44", "51", "52", "53", "54"]
CQ_KIND = {"0": "lookup", "1": "join", "2": "temporal", "3": "aggregation", "4": "provenance", "5": "argument"}
RESEARCHER = ["timeline", "people-and-roles", "detentions", "evidence-for", "claims-by-voice", "quantities",
              "absences", "shortcomings", "assessments", "sources"]


@pytest.fixture(scope="module")
def kg():
    files = sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "data").rglob("*.ttl"))
    return LocalStore(files, cache=False)


def _rows(kg, name, **params):
    query = load_query_file(QUERIES / f"{name}.rq")
    result = kg.query(query.text, query.bindings(params))
    return [{v: show(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def test_every_competency_question_has_one_saved_query():
    for cq in CQ_IDS:
        files = list(QUERIES.glob(f"cq{cq}-*.rq"))
        assert len(files) == 1, f"CQ{cq}: {files}"
    assert len([n for n in NAMES if n.startswith("cq")]) == len(CQ_IDS)


def test_researcher_queries_exist():
    assert set(RESEARCHER) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_prefixes_order_and_syntax(name):
    path = QUERIES / f"{name}.rq"
    query = load_query_file(path)
    assert query.summary, "no #+ summary"
    assert query.meta.get("description"), "no #+ description"
    assert query.tags, "no #+ tags"
    assert query.ordered, "no ORDER BY (results must be deterministic)"
    code = code_text(query.text)
    # Explicit PREFIX declarations for every prefix the query uses (it must run on any SPARQL endpoint).
    declared = set(re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?:", code, re.IGNORECASE))
    body = re.sub(r"PREFIX\s+[\w-]*:\s*<[^>]*>", "", code, flags=re.IGNORECASE)
    body = re.sub(r'"[^"]*"|<[^>]*>', "", body)
    used = set(re.findall(r"(?<![\w?$:/#])([A-Za-z][\w-]*):[A-Za-z_]", body))
    assert used <= declared, f"prefixes used but not declared: {sorted(used - declared)}"
    # Parses and runs on an empty store without any predefined prefix; every parameter is a grlc variable.
    Store().query(query.text)
    if name.startswith("cq"):
        number = name[2:4]
        assert query.summary.startswith(f"CQ{number} · ")
        assert "competency-question" in query.tags
        assert CQ_KIND[number[0]] in query.tags
        # No hard-coded answers: no VALUES block listing project entities.
        for block in re.findall(r"VALUES\s*\??\w*\s*\{([^}]*)\}", code, re.IGNORECASE):
            assert "jid:" not in block, f"VALUES lists entities: {block.strip()}"


@pytest.mark.parametrize("name", NAMES)
def test_expected_results_are_sparql_json(name):
    srj = EXPECTED / f"{name}.srj"
    assert srj.is_file(), f"missing {srj.name}"
    doc = json.loads(srj.read_text(encoding="utf-8"))
    assert doc["head"]["vars"] and doc["results"]["bindings"], f"{srj.name} is empty"


def test_no_expected_results_without_a_query():
    assert {p.stem for p in EXPECTED.glob("*.srj")} == set(NAMES)


def test_queries_test_passes(shipped, run):
    result = run("queries", "test")
    assert result.exit_code == 0, result.stdout
    assert "FAIL" not in result.stdout
    assert f"{len(NAMES)} passed, 0 failed" in result.stdout


def test_queries_list_shows_parameters(shipped, run):
    result = run("queries", "list")
    assert result.exit_code == 0
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert set(lines) == set(NAMES)
    assert "from=xsd:date?" in lines["timeline"] and "to=xsd:date?" in lines["timeline"]
    assert "entity=iri" in lines["evidence-for"]


# --- parameters of the researcher queries ------------------------------------------------------------------

def test_timeline_range_parameters(kg):
    everything = _rows(kg, "timeline")
    august = _rows(kg, "timeline", **{"from": "2018-08-01", "to": "2018-08-31"})
    events = [r["event"] for r in august]
    assert "jid:raid-2018-08-24" in events and "jid:daily-solidarity-actions" in events
    assert "jid:detention-2018-07-27" not in events and "jid:detention-2018-11" not in events
    assert len(august) < len(everything)
    # Ordered by earliest bound, then narrative position.
    dated = [r for r in everything if "earliest" in r]
    assert [r["earliest"] for r in dated] == sorted(r["earliest"] for r in dated)


def test_evidence_for_parameter(kg):
    rows = _rows(kg, "evidence-for", entity="jid:detention-2018-07-27")
    quotes = {r["quote"]: r for r in rows}
    main = quotes["As a result, on 27 July a total of 30 individuals, including both Jasic worker activists and "
                  "their supporters, were detained."]
    assert main["voice"] == "Yueran Zhang" and main["evidenceType"] == "author's narrative"
    assert int(main["end"]) - int(main["start"]) == len(main["quote"])
    he = _rows(kg, "evidence-for")  # default: He Pengchao
    assert {r["claim"] for r in he} >= {"jid:claim-he-pengchao-description", "jid:claim-author-verified-confession"}
    assert all("start" in r and "end" in r for r in he)


def test_assessments_theme_parameter(kg):
    rows = _rows(kg, "assessments", theme="structure")
    assert {r["theme"] for r in rows} == {"structure"}
    assert "jid:shortcoming-top-down-decision-making" in {r["assessment"] for r in rows}


def test_sources_follow_the_reference_list(kg):
    rows = _rows(kg, "sources")
    assert [r["work"] for r in rows] == ["jid:confession-transcript", "jid:korean-workers", "jid:what-is-to-be-done",
                                         "jid:orwell-in-the-chinese-classroom", "jid:reignite-interview",
                                         "jid:zhang-2018"]
    assert rows[0]["citedAs"] == "(Jasic Worker Support Group 2019)"


def test_derived_and_inferred_lists_what_the_article_does_not_state_in_so_many_words(kg):
    rows = _rows(kg, "derived-and-inferred")
    by_node = {(r["kind"], r["node"]): r for r in rows}
    assert {r["kind"] for r in rows} == {"derived date bounds", "derived figure", "inferred"}
    # a relative date: bounds counted from the event it is relative to, and no EDTF value anywhere in the row
    following = by_node[("derived date bounds", "jid:daily-solidarity-actions")]
    assert (following["stated"], following["earliest"], following["latest"]) == (
        "In the following month", "2018-07-27", "2018-08-31")
    # a figure the project counted, and a place named only by an adjective
    assert by_node[("derived figure", "jid:quantity-unique-features")]["value"] == "4"
    korea = by_node[("inferred", "jid:korea")]
    assert "inferred from the adjective 'Korean'" in korea["basis"]
    # the op-ed the text mentions is not identified with the reference-list entry Zhang 2018
    assert ("inferred", "jid:op-ed-2018") not in by_node
    op_ed = by_node[("derived date bounds", "jid:op-ed-2018")]
    assert (op_ed["earliest"], op_ed["latest"]) == ("2018-08-24", "2018-12-31")
    # every row has a basis a reader can judge
    assert all(r.get("basis") for r in rows)
