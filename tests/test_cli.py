"""Every command, output format and documented exit code, on the small fixture graph."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jasic_kg.cli import cli

PETITION_QUOTE = ("Within a couple of weeks, about 80 coworkers—roughly 10 percent of the workforce—signed the "
                  "petition.")


# --- query ------------------------------------------------------------------------------------------------

def test_query_table_default(run, small):
    r = run("query", "events-in-year")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["?event", "?label", "?stated", "?earliest"]
    assert lines[2].split("  ")[0] == "jid:petition-signing-2018"
    assert "In June" in lines[2] and "2018-06-01" in lines[2]
    assert lines[3].startswith("jid:detention-2018-07-27") and "2018-07-27" in lines[3]
    assert lines[-1] == "(2 rows)"


def test_query_param_changes_result(run, small):
    r = run("query", "events-in-year", "--param", "year=2019", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["results"]["bindings"] == []


def test_query_csv(run, small):
    r = run("query", "claims-by-voice", "-p", "voice=jid:he-pengchao", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows == [["claim", "quote"], ["https://w3id.org/jasic-kg/id/claim-confession",
                                         "In a confession video, He Pengchao said he had been a member."]]


def test_query_tsv(run, small):
    r = run("query", "entity-by-label", "-p", "label=Shenzhen", "--format", "tsv")
    assert r.stdout.splitlines() == ["?entity", "<https://w3id.org/jasic-kg/id/shenzhen>"]


def test_query_json_and_iri_param(run, small):
    r = run("query", "claims-by-voice", "-p", "voice=https://w3id.org/jasic-kg/id/yueran-zhang", "--format", "json")
    doc = json.loads(r.stdout)
    assert doc["head"]["vars"] == ["claim", "quote"]
    assert doc["results"]["bindings"][0]["quote"] == {"type": "literal", "value": PETITION_QUOTE}


def test_query_xml(run, small):
    r = run("query", "entity-by-label", "-p", "label=Shenzhen", "--format", "xml")
    assert "<uri>https://w3id.org/jasic-kg/id/shenzhen</uri>" in r.stdout
    assert 'xmlns="http://www.w3.org/2005/sparql-results#"' in r.stdout


def test_query_ask(run, small):
    r = run("query", "ASK { jid:he-pengchao a jkg:Person }")
    assert r.stdout == "true\n"
    r = run("query", "ASK { jid:he-pengchao a jkg:Event }", "--format", "json")
    assert json.loads(r.stdout) == {"head": {}, "boolean": False}


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_query_construct_formats(run, small, fmt):
    import rdflib

    r = run("query", "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a jkg:Person ; rdfs:label ?l }", "--format", fmt)
    assert r.exit_code == 0, r.stderr
    g = rdflib.Graph().parse(data=r.stdout, format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    labels = {str(o) for o in g.objects()}
    assert labels == {"Yueran Zhang", "He Pengchao"}


def test_query_file_and_stdin(run, small, tmp_path):
    f = tmp_path / "q.rq"
    f.write_text("SELECT ?l WHERE { jid:shenzhen rdfs:label ?l }")
    assert run("query", str(f), "--format", "csv").stdout.splitlines() == ["l", "Shenzhen"]
    r = run("query", "-", "--format", "csv", input="SELECT ?l WHERE { jid:article rdfs:label ?l }")
    assert r.stdout.splitlines() == ["l", "Leninists in a Chinese Factory"]


def test_query_output_file(run, small, tmp_path):
    out = tmp_path / "out.csv"
    r = run("query", "entity-by-label", "-p", "label=Shenzhen", "--format", "csv", "--output", str(out))
    assert r.exit_code == 0 and r.stdout == ""
    assert out.read_text().splitlines() == ["entity", "https://w3id.org/jasic-kg/id/shenzhen"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left behind


def test_query_with_user_data(run, small, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text('<https://w3id.org/jasic-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "Extra"@en .\n')
    r = run("query", "entity-by-label", "-p", "label=Extra", "--data", str(extra), "--format", "csv")
    assert r.stdout.splitlines() == ["entity", "https://w3id.org/jasic-kg/id/x"]


@pytest.mark.parametrize("args, message", [
    (["query", "events-in-year", "-p", "year=abc"], "parameter year (xsd:integer): not a valid xsd:integer: 'abc'"),
    (["query", "events-in-year", "-p", "yr=1"], "unknown parameter yr for query events-in-year (parameters: year)"),
    (["query", "events-in-year", "-p", "nonsense"], "--param must be name=value, got 'nonsense'"),
    (["query", "claims-by-voice", "-p", "voice=not an iri"], "parameter voice (iri): not an absolute IRI or a known CURIE"),
    (["query", "SELECT ?x WHERE {"], "invalid SPARQL: error at 1:18"),
    (["query", "no-such-query"], "'no-such-query' is neither SPARQL, a .rq file nor a saved query"),
    (["query", "events-in-year", "--data", "/nonexistent.ttl"], "/nonexistent.ttl: no such file"),
    (["query", "entity-by-label", "--format", "turtle"], "--format turtle is for graphs"),
])
def test_query_input_errors_exit_2(run, small, args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert r.stderr.startswith("jasic-kg: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_query_missing_required_param(run, small, tmp_path):
    f = tmp_path / "p.rq"
    f.write_text("SELECT ?x WHERE { ?x rdfs:label ?_name_en }")
    r = run("query", str(f))
    assert r.exit_code == 2
    assert "missing required parameter name for query p (--param name=VALUE, type @en)" in r.stderr


def test_query_syntax_error_in_data_has_location(run, small, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix a: <http://x/> .\n a:b a:c "x .')
    r = run("query", "events-in-year", "--data", str(bad))
    assert r.exit_code == 2
    assert r.stderr.strip() == f"jasic-kg: error: {bad}:2:10: Unexpected end of file"


def test_query_unreachable_endpoint_exit_3(run, small):
    r = run("query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--endpoint", "http://127.0.0.1:9/sparql")
    assert r.exit_code == 3
    assert r.stderr.startswith("jasic-kg: error: http://127.0.0.1:9/sparql: ")


def test_endpoint_and_data_exclusive(run, small, tmp_path):
    r = run("query", "events-in-year", "--endpoint", "http://127.0.0.1:9/sparql", "--data", "x.ttl")
    assert r.exit_code == 2 and "--data and --endpoint cannot be combined" in r.stderr


def test_internal_error_exit_4_one_line(run, small, monkeypatch):
    import jasic_kg.queries

    def boom(*a, **k):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(jasic_kg.queries, "run_saved_query", boom)
    r = run("query", "events-in-year")
    assert r.exit_code == 4
    assert r.stderr == ("jasic-kg: internal error: ZeroDivisionError: bug (rerun with --debug for the traceback)\n")
    with pytest.raises(ZeroDivisionError):
        run("--debug", "query", "events-in-year")


def test_click_usage_error_exit_2(run, small):
    r = run("query", "events-in-year", "--format", "pdf")
    assert r.exit_code == 2 and "Invalid value for '--format'" in r.stderr


# --- queries ----------------------------------------------------------------------------------------------

def test_queries_list(run, small):
    r = run("queries", "list")
    assert r.stdout.splitlines() == [
        "claims-by-voice  Claims asserted by one voice, with their quotes  [voice=iri]",
        "entity-by-label  Entities with an English label  [label=@en]",
        "events-in-year   Events whose earliest date falls in a given year, in date order  [year=xsd:integer]",
    ]
    doc = json.loads(run("queries", "list", "--format", "json").stdout)
    assert doc[2] == {"name": "events-in-year",
                      "summary": "Events whose earliest date falls in a given year, in date order",
                      "tags": ["timeline", "events"],
                      "params": [{"name": "year", "type": "xsd:integer", "required": True}]}


def test_queries_show(run, small):
    r = run("queries", "show", "events-in-year")
    assert r.stdout.splitlines()[:5] == [
        "name: events-in-year",
        "summary: Events whose earliest date falls in a given year, in date order",
        "description: The timeline of one year, with the date as the article states it.",
        "tags: timeline, events",
        "param: year (xsd:integer, required, default 2018) ?_year_integer",
    ]
    assert "FILTER (YEAR(?earliest) = ?_year_integer)" in r.stdout


def test_queries_test_passes(run, small):
    r = run("queries", "test")
    assert r.exit_code == 0
    assert r.stdout.splitlines() == ["ok    claims-by-voice  (1 rows)", "ok    entity-by-label  (1 rows)",
                                     "ok    events-in-year  (2 rows)", "3 passed, 0 failed"]


def test_queries_test_reports_diff_exit_1(run, small, tmp_path, monkeypatch):
    import shutil

    tree = tmp_path / "small"
    shutil.copytree(small, tree)
    srj = tree / "queries" / "expected" / "events-in-year.srj"
    doc = json.loads(srj.read_text())
    doc["results"]["bindings"].reverse()  # same rows, wrong order: the query has ORDER BY
    srj.write_text(json.dumps(doc))
    (tree / "queries" / "expected" / "entity-by-label.srj").unlink()
    monkeypatch.setenv("JASIC_KG_RESOURCES", str(tree))
    r = run("queries", "test")
    assert r.exit_code == 1
    out = r.stdout.splitlines()
    assert "FAIL  entity-by-label" in out
    assert "      no expected results: entity-by-label.srj is missing" in out
    assert "FAIL  events-in-year" in out
    assert any(line.startswith("      order differs (query has ORDER BY) at row 1: expected "
                               "?event=jid:detention-2018-07-27") for line in out)
    assert out[-1] == "1 passed, 2 failed"


# --- validate ---------------------------------------------------------------------------------------------

BAD = """@prefix jkg:  <https://w3id.org/jasic-kg/ontology#> .
@prefix jid:  <https://w3id.org/jasic-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
jid:claim-bad a jkg:Claim ; rdfs:label "A bad claim"@en ; jkg:assertedBy jid:shenzhen .
"""


def test_validate_conforms_exit_0(run, small):
    r = run("validate")
    assert r.exit_code == 0
    assert r.stdout.startswith("jasic-kg validate: conforms: 0 findings; 4 files, 140 triples")


def test_validate_findings_text_exit_1(run, small, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD)
    r = run("validate", "--data", str(bad))
    assert r.exit_code == 1
    text = r.stdout
    assert "jsh:ClaimShape › jkg:quote  [1]" in text
    assert "  jid:claim-bad (A bad claim)\n    Violation: A claim needs at least one verbatim quote  (path jkg:quote, sh:minCount)" in text
    assert ("    Violation: A claim needs a voice (jkg:assertedBy an agent)  (path jkg:assertedBy, "
            "value jid:shenzhen, sh:class)") in text
    assert "Violation: needs at least 1 value(s)  (path jkg:evidenceType, sh:minCount)" in text
    assert "https://" not in text.split("\n", 1)[1]  # CURIEs, not IRIs, for people


@pytest.mark.parametrize("fmt", ["json", "turtle", "junit"])
def test_validate_formats(run, small, tmp_path, fmt):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD)
    r = run("validate", "--data", str(bad), "--format", fmt)
    assert r.exit_code == 1
    if fmt == "json":
        doc = json.loads(r.stdout)
        assert doc["conforms"] is False
        quote = [f for f in doc["findings"] if f["path"] == "jkg:quote"]
        assert quote == [{"stage": "shacl", "severity": "Violation", "source": "jsh:ClaimShape › jkg:quote",
                          "focus": "jid:claim-bad", "focus_label": "A bad claim", "path": "jkg:quote",
                          "value": None, "message": "A claim needs at least one verbatim quote",
                          "component": "sh:MinCountConstraintComponent", "file": None, "line": None,
                          "column": None}]
    elif fmt == "turtle":
        import rdflib

        g = rdflib.Graph().parse(data=r.stdout, format="turtle")
        SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
        assert (None, SH.conforms, rdflib.Literal(False)) in g
        focus = set(g.objects(None, SH.focusNode))
        assert focus == {rdflib.URIRef("https://w3id.org/jasic-kg/id/claim-bad")}
        assert len(set(g.subjects(rdflib.RDF.type, SH.ValidationResult))) == 3
    else:
        import xml.etree.ElementTree as ET

        root = ET.fromstring(r.stdout)
        claim = root.find(".//testcase[@name='jsh:ClaimShape']")
        assert claim.find("failure").get("message") == "3 finding(s)"
        assert root.find(".//testcase[@name='jsh:EventShape']").find("failure") is None
        assert root.get("failures") == "1"


def test_validate_syntax_error_exit_2(run, small, tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://x/a> <http://x/b> <rel> .\n")
    r = run("validate", "--data", str(bad))
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == f"jasic-kg: error: {bad}:1:27: No scheme found in an absolute IRI\n"


def test_validate_missing_data_exit_2(run, small):
    r = run("validate", "--data", "/nonexistent.ttl")
    assert r.exit_code == 2 and r.stderr == "jasic-kg: error: /nonexistent.ttl: no such file\n"


def test_validate_output_file(run, small, tmp_path):
    out = tmp_path / "report.json"
    r = run("validate", "--format", "json", "--output", str(out))
    assert r.exit_code == 0 and json.loads(out.read_text())["conforms"] is True


def test_validate_native_engine(run, small, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD)
    a = json.loads(run("validate", "--data", str(bad), "--format", "json").stdout)["findings"]
    b = json.loads(run("validate", "--data", str(bad), "--format", "json", "--engine", "native").stdout)["findings"]
    key = lambda f: (f["source"], f["focus"], f["path"] or "", f["value"] or "")  # noqa: E731
    assert sorted(map(key, a)) == sorted(map(key, b))


# --- export -----------------------------------------------------------------------------------------------

def test_export_turtle_default(run, small):
    r = run("export")
    assert r.exit_code == 0
    assert "jid:he-pengchao a jkg:Person ;" in r.stdout
    assert "@prefix sem:" not in r.stdout  # only the prefixes used


def test_export_csv_tables(run, small, tmp_path):
    r = run("export", "--format", "csv", "--table", "events")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["id"], x["date_stated"], x["earliest_date"]) for x in rows] == [
        ("jid:petition-signing-2018", "In June", "2018-06-01"), ("jid:detention-2018-07-27", "July 27", "2018-07-27")]
    r = run("export", "--format", "csv", "--output", str(tmp_path / "csv") + "/")
    assert r.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == [
        "claims.csv", "events.csv", "organisations.csv", "people.csv", "places.csv"]
    claims = list(csv.DictReader((tmp_path / "csv" / "claims.csv").open()))
    assert claims[0]["id"] == "jid:claim-confession"
    assert claims[0]["asserted_by"] == "jid:he-pengchao" and claims[0]["reported_by"] == "jid:yueran-zhang"
    assert claims[1]["quote"] == PETITION_QUOTE and claims[1]["evidence_type"] == "jv:author-narrative"
    orgs = list(csv.DictReader((tmp_path / "csv" / "organisations.csv").open()))
    assert orgs == [{"id": "jid:solidarity-group", "label": "Jasic Workers Solidarity Group",
                     "type": "jkg:InformalGroup", "other_names": "佳士工人声援团"}]


def test_export_csv_needs_table_or_dir(run, small):
    r = run("export", "--format", "csv")
    assert r.exit_code == 2 and "give --table NAME or --output DIR" in r.stderr


def test_export_frame_per_entity_files(run, small, tmp_path):
    out = tmp_path / "people"
    out.mkdir()
    r = run("export", "--format", "jsonld", "--frame", "person", "--output", str(out))
    assert r.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["he-pengchao.jsonld", "yueran-zhang.jsonld"]
    doc = json.loads((out / "he-pengchao.jsonld").read_text())
    assert doc["@id"] == "jid:he-pengchao" and doc["label"] == "He Pengchao"


def test_export_frame_needs_jsonld(run, small):
    r = run("export", "--frame", "event")
    assert r.exit_code == 2 and r.stderr == "jasic-kg: error: --frame needs --format jsonld\n"


# --- describe ---------------------------------------------------------------------------------------------

def test_describe_text_shows_the_source(run, small):
    r = run("describe", "He Pengchao")
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "jid:he-pengchao — He Pengchao"
    assert "  type: jkg:Person (person)" in lines
    assert '      quote: "In a confession video, He Pengchao said he had been a member."' in lines
    assert "      voice: jid:he-pengchao (He Pengchao)" in lines
    assert "      reported by: jid:yueran-zhang (Yueran Zhang)" in lines
    assert "      evidence: jv:confession-video (confession video)" in lines
    assert "      cites: jid:confession-transcript (Transcript of He Pengchao's confession video)" in lines


def test_describe_json_and_turtle(run, small):
    doc = json.loads(run("describe", "jid:petition-signing-2018", "--format", "json").stdout)
    assert doc["label"] == "Petition signing"
    assert doc["claims"][0]["quotes"] == [{"value": PETITION_QUOTE}]
    assert doc["claims"][0]["asserted_by"] == [{"id": "jid:yueran-zhang", "iri": "https://w3id.org/jasic-kg/id/yueran-zhang",
                                                "label": "Yueran Zhang"}]
    assert {"subject": {"id": "jid:detention-2018-07-27", "iri": "https://w3id.org/jasic-kg/id/detention-2018-07-27",
                        "label": "Detention of the workers"},
            "property": {"id": "jkg:follows", "iri": "https://w3id.org/jasic-kg/ontology#follows",
                         "label": "follows"}} in doc["incoming"]
    import rdflib

    g = rdflib.Graph().parse(data=run("describe", "jid:petition-signing-2018", "--format", "turtle").stdout,
                             format="turtle")
    ev = rdflib.URIRef("https://w3id.org/jasic-kg/id/petition-signing-2018")
    assert (ev, rdflib.RDFS.label, rdflib.Literal("Petition signing", lang="en")) in g


@pytest.mark.parametrize("spec, message", [
    ("nobody", "no entity labelled 'nobody'"),
    ("jid:nobody", "no entity jid:nobody in the graph"),
])
def test_describe_unknown_exit_2(run, small, spec, message):
    r = run("describe", spec)
    assert r.exit_code == 2 and message in r.stderr


def test_describe_ambiguous_label_lists_candidates(run, small, tmp_path):
    extra = tmp_path / "dup.ttl"
    extra.write_text('<https://w3id.org/jasic-kg/id/shenzhen-2> <http://www.w3.org/2000/01/rdf-schema#label> "Shenzhen"@en .\n')
    r = run("describe", "shenzhen", "--data", str(extra))
    assert r.exit_code == 2
    assert r.stderr == "jasic-kg: error: the label 'shenzhen' is ambiguous: jid:shenzhen, jid:shenzhen-2\n"


# --- stats ------------------------------------------------------------------------------------------------

def test_stats_text_json_turtle(run, small):
    text = run("stats").stdout.splitlines()
    assert text[0] == "triples            140"
    assert text[3] == "claims             2 (2 with a quote, 1 with evidence; 1 with both = 50.0%)"
    assert "  http://www.wikidata.org/  1" in text
    doc = json.loads(run("stats", "--format", "json").stdout)
    assert {"class": "https://w3id.org/jasic-kg/ontology#Event", "entities": 2} in doc["classes"]
    assert doc["claims"]["evidence_share"] == 0.5
    import rdflib

    g = rdflib.Graph().parse(data=run("stats", "--format", "turtle").stdout, format="turtle")
    VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
    ds = rdflib.URIRef("https://w3id.org/jasic-kg/void#dataset")
    assert g.value(ds, VOID.triples).toPython() == 140
    parts = {g.value(p, VOID["class"]): g.value(p, VOID.entities).toPython() for p in g.objects(ds, VOID.classPartition)}
    assert parts[rdflib.URIRef("https://w3id.org/jasic-kg/ontology#Person")] == 2


# --- evidence ---------------------------------------------------------------------------------------------

def test_evidence_anchor_and_verify(run, small, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("Intro. " + PETITION_QUOTE + " Then: In a confession video, He Pengchao said he had been "
                    "a member. End.", encoding="utf-8")
    anchors = tmp_path / "anchors.ttl"
    r = run("evidence", "anchor", "--source", str(text), "--output", str(anchors))
    assert r.exit_code == 0, r.stderr
    assert anchors.read_text().startswith("# GENERATED by `jasic-kg evidence anchor`")
    r = run("evidence", "verify", "--source", str(text), "--data", str(anchors))
    assert r.exit_code == 0
    assert r.stdout.splitlines()[-1] == "2 quotes, 2 anchors: 0 missing, 0 moved, 0 ambiguous, 0 unanchored, 0 orphan"
    changed = tmp_path / "changed.txt"
    changed.write_text("Intro. " + PETITION_QUOTE, encoding="utf-8")
    r = run("evidence", "verify", "--source", str(changed), "--data", str(anchors))
    assert r.exit_code == 1
    assert r.stdout.startswith("missing: jid:claim-confession: not in the text:")


def test_evidence_anchor_refuses_partial_output(run, small, tmp_path):
    text = tmp_path / "article.txt"
    text.write_text("Only: " + PETITION_QUOTE, encoding="utf-8")
    out = tmp_path / "anchors.ttl"
    r = run("evidence", "anchor", "--source", str(text), "--output", str(out))
    assert r.exit_code == 1
    assert not out.exists()
    assert "1 quote(s) could not be anchored; nothing written" in r.stderr


# --- the CLI as a whole -----------------------------------------------------------------------------------

def _commands(group, prefix=()):
    import click

    for name in group.list_commands(None):  # the lazily loaded commands too
        cmd = group.get_command(None, name)
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


ALL_COMMANDS = [" ".join(path) for path, _ in _commands(cli)]


def test_command_list_is_known():
    assert ALL_COMMANDS == ["cache", "cache clear", "cache list", "describe", "evidence", "evidence anchor",
                            "evidence coverage", "evidence verify", "export",
                            "link", "link check", "link export", "link fetch", "link suggest", "network", "push",
                            "queries", "queries list", "queries show", "queries test", "query", "search", "serve",
                            "site", "stats", "timeline", "validate"]


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_has_help(run, command):
    r = run(*command.split(), "--help")
    assert r.exit_code == 0
    assert r.stdout.startswith(f"Usage: cli {command}") or r.stdout.startswith(f"Usage: {command}") \
        or f" {command.split()[-1]} " in r.stdout.splitlines()[0] + " "
    docline = r.stdout.split("\n\n")[1].strip()
    assert len(docline) > 20  # a real sentence, not a stub


@pytest.mark.parametrize("command", ALL_COMMANDS)
def test_every_command_is_in_readme(command):
    readme = Path(__file__).parent.parent / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    assert f"jasic-kg {command}" in text, f"README.md does not mention `jasic-kg {command}`"


def test_version_and_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "jasic_kg", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and re.fullmatch(r"jasic-kg, version \d+\.\d+\.\d+\n", out.stdout)


def test_subprocess_error_is_one_line(small, tmp_path):
    import os

    env = dict(os.environ, JASIC_KG_RESOURCES=str(small))
    out = subprocess.run([sys.executable, "-m", "jasic_kg", "query", "SELECT ?x WHERE {"], capture_output=True,
                         text=True, env=env)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.startswith("jasic-kg: error: invalid SPARQL: error at 1:18:")
    assert out.stderr.count("\n") == 1


def test_export_csv_events_keep_latest_start_of_movements_known_only_to_be_under_way(run, shipped):
    r = run("export", "--format", "csv", "--table", "events")
    assert r.exit_code == 0
    rows = {x["id"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    prd = rows["jid:prd-labour-movement"]
    assert (prd["date_stated"], prd["earliest_date"], prd["latest_date"], prd["latest_start_date"]) == (
        "in the late 2000s (gaining momentum)", "", "", "2009-12-31")
    assert rows["jid:russian-labour-movement"]["latest_start_date"] == "1902-12-31"
