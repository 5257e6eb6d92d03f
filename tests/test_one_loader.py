"""One graph loader: validate, the store (query, stats, export) and the native SHACL engine read a file's named
graphs the same way (merged into the default graph), so they count the same triples."""

from __future__ import annotations

import json

from click.testing import CliRunner

from jasic_kg.cli import cli
from jasic_kg.store import LocalStore
from jasic_kg.validation import shacl_native

TRIG = """@prefix jid: <https://w3id.org/jasic-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/g> { jid:he-pengchao rdfs:comment "from a named graph"@en . }
jid:he-pengchao rdfs:comment "from the default graph"@en .
"""
COMMENTS = 'SELECT ?c WHERE { <https://w3id.org/jasic-kg/id/he-pengchao> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }'


def test_validate_query_and_stats_see_the_same_triples_of_a_trig_file(small, tmp_path):
    mine = tmp_path / "mine.trig"
    mine.write_text(TRIG, encoding="utf-8")
    runner = CliRunner()
    base = json.loads(runner.invoke(cli, ["stats", "--format", "json"]).output)["triples"]

    validated = runner.invoke(cli, ["validate", "--data", str(mine), "--format", "json"])
    stats = runner.invoke(cli, ["stats", "--data", str(mine), "--format", "json"])
    count = runner.invoke(cli, ["query", "--data", str(mine), "--format", "json",
                                "--sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"])
    comments = runner.invoke(cli, ["query", "--data", str(mine), "--format", "json", "--sparql", COMMENTS])

    assert stats.exit_code == 0 and count.exit_code == 0, (stats.output, count.output)
    assert json.loads(stats.output)["triples"] == base + 2
    assert int(json.loads(count.output)["results"]["bindings"][0]["n"]["value"]) == base + 2
    assert json.loads(validated.stdout)["triples"] == base + 2
    assert sorted(b["c"]["value"] for b in json.loads(comments.output)["results"]["bindings"]) == [
        "from a named graph", "from the default graph"]


def test_store_and_native_engine_load_a_trig_file_alike(tmp_path):
    mine = tmp_path / "mine.trig"
    mine.write_text(TRIG, encoding="utf-8")
    held = {str(q) for q in LocalStore([mine], cache=False).quads()}
    engine = {str(q) for q in shacl_native._Data(mine).store}
    assert held == engine and len(held) == 2
    assert all(" <https://example.org/g>" not in q for q in held)  # no quad left in a named graph
