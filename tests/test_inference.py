"""`query --inference rdfs` and `query --sparql`: a schema.org-only user finds events, names, dates and places."""

from __future__ import annotations

import json

from click.testing import CliRunner

from jasic_kg.cli import cli
from jasic_kg.inference import rdfs_closure
from jasic_kg.store import LocalStore

SCHEMA_EVENTS = """PREFIX schema: <https://schema.org/>
SELECT ?name ?start ?placeName WHERE {
  ?e a schema:Event ; schema:name ?name ; schema:startDate ?start ; schema:location ?p .
  ?p schema:name ?placeName
  FILTER(?start = "2018-05-01"^^<http://www.w3.org/2001/XMLSchema#date>)
} ORDER BY ?name"""


def _rows(output: str) -> list[dict]:
    doc = json.loads(output)
    return [{k: v["value"] for k, v in b.items()} for b in doc["results"]["bindings"]]


def test_schema_org_view_needs_rdfs_inference(shipped):
    runner = CliRunner()
    plain = runner.invoke(cli, ["query", "--sparql", SCHEMA_EVENTS, "--format", "json"])
    assert plain.exit_code == 0, plain.output
    assert _rows(plain.output) == []  # schema:name / schema:startDate / schema:location are only entailed
    inferred = runner.invoke(cli, ["query", "--inference", "rdfs", "--sparql", SCHEMA_EVENTS, "--format", "json"])
    assert inferred.exit_code == 0, inferred.output
    assert _rows(inferred.output) == [
        {"name": "ACFTU officials suggest unionisation (May 2018)", "start": "2018-05-01",
         "placeName": "ACFTU Pingshan district branch office"},
        {"name": "Jasic struggle (2018 unionisation drive)", "start": "2018-05-01",
         "placeName": "Shenzhen Jasic Technology factory"},
        {"name": "Jasic workers' complaints at the ACFTU Pingshan branch (May 2018)", "start": "2018-05-01",
         "placeName": "ACFTU Pingshan district branch office"},
    ]


def test_inference_on_an_input_big_enough_for_the_cache_leaves_the_cache_alone(shipped, tmp_path, monkeypatch):
    from jasic_kg import store as store_module

    monkeypatch.setenv("JASIC_KG_CACHE", "1")
    monkeypatch.setattr(store_module, "CACHE_MIN_BYTES", 1)  # every input "big": the cache is in play
    mine = tmp_path / "mine.ttl"
    mine.write_text("<https://w3id.org/jasic-kg/id/x> a <https://w3id.org/jasic-kg/ontology#Person> .\n")
    count = ("SELECT (COUNT(*) AS ?n) WHERE { <https://w3id.org/jasic-kg/id/x> a ?c }")
    runner = CliRunner()
    before = runner.invoke(cli, ["query", "--sparql", count, "--data", str(mine), "--format", "json"])
    inferred = runner.invoke(cli, ["query", "--inference", "rdfs", "--sparql", count, "--data", str(mine),
                                   "--format", "json"])
    after = runner.invoke(cli, ["query", "--sparql", count, "--data", str(mine), "--format", "json"])
    assert inferred.exit_code == 0, inferred.output
    assert _rows(before.output) == _rows(after.output) == [{"n": "1"}]  # the cached store did not grow
    assert int(_rows(inferred.output)[0]["n"]) > 1  # jkg:Person's superclasses, schema:Person among them


def test_rdfs_closure_rules(tmp_path):
    path = tmp_path / "g.ttl"
    path.write_text("""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix : <http://example.org/> .
:B rdfs:subClassOf :A . :C rdfs:subClassOf :B .
:q rdfs:subPropertyOf :p . :r rdfs:subPropertyOf :q .
:p rdfs:domain :D ; rdfs:range :R .
:x a :C ; :r :y ; :r "literal" .
""", encoding="utf-8")
    store = LocalStore([path])
    added = rdfs_closure(store.oxigraph)
    rows = store.select("""PREFIX : <http://example.org/>
        SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p != <http://www.w3.org/2000/01/rdf-schema#subClassOf>
          && ?p != <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>
          && ?p != <http://www.w3.org/2000/01/rdf-schema#domain> && ?p != <http://www.w3.org/2000/01/rdf-schema#range>) }""")
    triples = {tuple(r[k].value.replace("http://example.org/", ":") for k in ("s", "p", "o")) for r in rows}
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert triples == {
        (":x", rdf_type, ":C"), (":x", rdf_type, ":B"), (":x", rdf_type, ":A"), (":x", rdf_type, ":D"),
        (":x", ":r", ":y"), (":x", ":q", ":y"), (":x", ":p", ":y"),
        (":x", ":r", "literal"), (":x", ":q", "literal"), (":x", ":p", "literal"),
        (":y", rdf_type, ":R"),  # a range types IRI objects, never literals
    }
    assert added == 8


def test_query_needs_exactly_one_query(shipped):
    runner = CliRunner()
    neither = runner.invoke(cli, ["query"])
    assert neither.exit_code == 2
    assert "give a saved query NAME, a FILE, SPARQL text or --sparql TEXT (exactly one)" in neither.output
    both = runner.invoke(cli, ["query", "timeline", "--sparql", "ASK {}"])
    assert both.exit_code == 2
