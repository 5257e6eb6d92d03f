"""Links to external authorities: the SSSOM mapping sets parse and validate with the sssom library, data/generated/links.ttl
is what the generator makes of them, every mapped entity is in the graph under the label the row gives, and the
two saved queries (links, unlinked) return the reviewed links and the statuses."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jasic_kg.links import links_turtle, read_mapping_set
from jasic_kg.queries import load_query_file
from jasic_kg.store import LocalStore
from jasic_kg.terms import show

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
LINKS = DATA / "links.sssom.tsv"
CANDIDATES = DATA / "links-candidates.sssom.tsv"

# the reviewed links: (subject, predicate, object) as written in data/links.sssom.tsv
EXPECTED_LINKS = {
    ("jid:vladimir-lenin", "skos:exactMatch", "wd:Q1394"),
    ("jid:peking-university", "skos:exactMatch", "wd:Q16952"),
    ("jid:what-is-to-be-done", "skos:exactMatch", "wd:Q946877"),
    ("jid:korean-workers", "skos:closeMatch", "isbn:9780801486968"),
    ("jid:korean-workers", "skos:closeMatch", "isbn:0801438357"),
    ("jid:made-in-china-journal", "skos:closeMatch", "issn:2206-9119"),
}


@pytest.mark.parametrize("path, rows", [(LINKS, 6), (CANDIDATES, 32)])
def test_mapping_sets_parse_and_validate_with_sssom(path, rows):
    from sssom import parsers as sssom_parsers  # in the test extra: this test runs, never skips
    from sssom.validators import validate

    msdf = sssom_parsers.parse_sssom_table(str(path))
    assert len(msdf.df) == rows
    assert msdf.metadata["mapping_set_id"] == f"https://w3id.org/jasic-kg/mappings/{path.name.removesuffix('.sssom.tsv')}"
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    validate(msdf, fail_on_error=True)  # raises on a schema violation


def test_reviewed_links_have_source_confidence_and_justification():
    _, rows = read_mapping_set(LINKS)
    assert {(r["subject_id"], r["predicate_id"], r["object_id"]) for r in rows} == EXPECTED_LINKS
    for r in rows:
        assert r["see_also"].startswith(("http://", "https://")), r
        assert 0 < float(r["confidence"]) <= 1, r
        assert r["mapping_justification"] == "semapv:ManualMappingCuration"
        assert r["comment"], r
        # no owl:sameAs: no identity here is certain enough
        assert r["predicate_id"] in {"skos:exactMatch", "skos:closeMatch"}


def _isbn_ok(isbn: str) -> bool:
    digits = isbn.replace("-", "")
    if len(digits) == 10:
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
        return total % 11 == 0
    return sum((1 if i % 2 == 0 else 3) * int(c) for i, c in enumerate(digits)) % 10 == 0


def test_isbns_have_valid_check_digits():
    _, rows = read_mapping_set(LINKS)
    isbns = [r["object_id"].removeprefix("isbn:") for r in rows if r["object_id"].startswith("isbn:")]
    assert isbns == ["9780801486968", "0801438357"]
    assert all(_isbn_ok(i) for i in isbns)


def test_candidates_are_never_links():
    _, links = read_mapping_set(LINKS)
    _, candidates = read_mapping_set(CANDIDATES)
    linked = {r["subject_id"] for r in links}
    assert not linked & {r["subject_id"] for r in candidates}
    found = [r for r in candidates if r["object_id"] != "sssom:NoTermFound"]
    assert [(r["subject_id"], r["object_id"]) for r in found] == [("jid:china", "wd:Q148")]
    for r in candidates:
        if r["object_id"] == "sssom:NoTermFound":
            assert r["mapping_cardinality"] == "1:0" and r["comment"], r


def _triples(turtle: str) -> set:
    store = ox.Store()
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    return {(q.subject, q.predicate, q.object) for q in store}


def test_links_ttl_is_generated_from_the_tsv_files():
    shipped = (DATA / "generated" / "links.ttl").read_text(encoding="utf-8")
    assert shipped.splitlines()[0].startswith(
        "# Generated from data/links.sssom.tsv and data/links-candidates.sssom.tsv by `python -m jasic_kg.generate`")
    assert _triples(shipped) == _triples(links_turtle(DATA)), "stale: run python -m jasic_kg.generate"


@pytest.fixture(scope="module")
def kg():
    files = sorted((REPO / "ontology").glob("*.ttl")) + sorted(DATA.rglob("*.ttl"))
    return LocalStore(files, cache=False)


def test_every_mapped_entity_is_in_the_graph_with_the_rows_label(kg):
    for path in (LINKS, CANDIDATES):
        _, rows = read_mapping_set(path)
        for r in rows:
            iri = "https://w3id.org/jasic-kg/id/" + r["subject_id"].removeprefix("jid:")
            result = kg.query(f"SELECT ?l WHERE {{ <{iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}")
            assert [row[0].value for row in result.rows] == [r["subject_label"]], r["subject_id"]


def _rows(kg, name):
    query = load_query_file(REPO / "queries" / f"{name}.rq")
    result = kg.query(query.text, query.bindings({}))
    return [{v: show(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def test_links_query_lists_each_link_with_where_it_was_seen(kg):
    rows = _rows(kg, "links")
    got = {(r["entity"], r["externalId"]) for r in rows}
    assert got == {
        ("jid:vladimir-lenin", "<http://www.wikidata.org/entity/Q1394>"),
        ("jid:peking-university", "<http://www.wikidata.org/entity/Q16952>"),
        ("jid:what-is-to-be-done", "<http://www.wikidata.org/entity/Q946877>"),
        ("jid:korean-workers", "<urn:isbn:9780801486968>"),
        ("jid:korean-workers", "<urn:isbn:0801438357>"),
        ("jid:made-in-china-journal", "<urn:issn:2206-9119>"),
    }
    lenin = next(r for r in rows if r["entity"] == "jid:vladimir-lenin")
    assert lenin["seenAt"] == ("<https://github.com/SpocWiki/_Standards/blob/HEAD/bio/People/Leaders/"
                               "Modern_Leaders/Lenin%2CVladimir.md>")


def test_unlinked_query_gives_each_entity_its_status(kg):
    rows = _rows(kg, "unlinked")
    status = {r["entity"]: r["status"] for r in rows}
    assert status["jid:china"] == 'candidate'
    assert next(r for r in rows if r["entity"] == "jid:china")["candidate"] == "<http://www.wikidata.org/entity/Q148>"
    for entity in ("jid:shenzhen", "jid:acftu", "jid:bo-xilai", "jid:he-pengchao", "jid:hagen-koo",
                   "jid:jasic-technology", "jid:article", "jid:jasic-struggle-2018"):
        assert status[entity] == 'no link found', entity
    # linked entities are not listed, and every listed entity was reviewed
    assert not {"jid:vladimir-lenin", "jid:peking-university", "jid:made-in-china-journal"} & set(status)
    assert set(status.values()) == {'candidate', 'no link found'}
    assert len(rows) == 32
