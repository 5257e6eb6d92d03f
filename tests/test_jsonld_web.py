"""JSON-LD as a web developer reads it: native booleans and numbers, labels as strings, a JSON-LD 1.0 context,
and the same graph back from jsonld.js (npm `jsonld`, installed here from the npm registry) and from PyLD."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from jasic_kg.export.jsonld import CONTEXT_URL
from jasic_kg.export.exporters import export
from jasic_kg.io.resources import CONTEXT_FILE

JS = Path(__file__).parent / "js"


def _canonical(quads) -> list[str]:
    """The graph with RDFC-1.0 blank-node labels: equal lists are isomorphic graphs (rdflib's isomorphism test
    takes a minute on the shipped graph)."""
    from jasic_kg.export.rdf import canonical_quads

    return [str(q) for q in canonical_quads(quads)]


def _same_graph(nquads: str, store) -> bool:
    from pyoxigraph import RdfFormat, parse

    return _canonical(parse(nquads.encode("utf-8"), format=RdfFormat.N_QUADS)) == _canonical(store.quads())


@pytest.fixture(scope="module")
def shipped_store():
    import os

    from jasic_kg.store import open_store

    old = os.environ.pop("JASIC_KG_RESOURCES", None)
    try:
        yield open_store(cache=False)
    finally:
        if old is not None:
            os.environ["JASIC_KG_RESOURCES"] = old


@pytest.fixture(scope="module")
def shipped_doc(shipped_store):
    return json.loads(export(shipped_store, "jsonld"))


@pytest.fixture(scope="module")
def jsonld_js():
    """node with jsonld.js from the npm registry (installed once into tests/js/node_modules)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm are not installed: the jsonld.js check needs them")
    if not (JS / "node_modules" / "jsonld").is_dir():
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(JS)], check=True,
                       capture_output=True, timeout=300)

    def to_rdf(doc: dict, mode: str = "json-ld-1.1", contexts: dict | None = None) -> str:
        r = subprocess.run([node, str(JS / "to_rdf.js"), mode, json.dumps(contexts or {})],
                           input=json.dumps(doc), capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    return to_rdf


def _node(doc, curie):
    return next(n for n in doc["@graph"] if n["@id"] == curie)


def test_booleans_and_numbers_are_native_json(shipped_doc):
    quantity = _node(shipped_doc, "jid:quantity-petition-signers")
    assert quantity["isApproximate"] is True and quantity["isDerived"] is False
    assert quantity["jkg:value"] == 80  # (the term "value" is coerced to xsd:decimal; this one is an integer)
    anchors = [n for n in shipped_doc["@graph"] if "oa:start" in n]
    assert anchors and all(isinstance(n["oa:start"], int) and isinstance(n["oa:end"], int) for n in anchors)


def test_labels_are_strings(shipped_doc):
    person = _node(shipped_doc, "jid:he-pengchao")
    assert person["label"] == "He Pengchao"
    yueran = _node(shipped_doc, "jid:yueran-zhang")
    assert sorted(yueran["altLabel"]) == ["Zhang Yueran", "Zhang, Yueran"]


def test_the_context_is_json_ld_1_0():
    ctx = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    assert "@version" not in ctx


def test_non_canonical_values_keep_their_string_form():
    from jasic_kg.export.jsonld import native_values

    ctx = {"flag": {"@id": "jkg:flag", "@type": "xsd:boolean"}, "n": {"@id": "jkg:n", "@type": "xsd:integer"}}
    doc = {"@graph": [{"flag": ["1", "true"], "n": ["007", "12"],
                       "jkg:x": {"@value": "-0", "@type": "xsd:integer"}, "jkg:y": {"@value": "5", "@type": "xsd:integer"}}]}
    assert native_values(doc, ctx)["@graph"][0] == {"flag": ["1", True], "n": ["007", 12],
                                                    "jkg:x": {"@value": "-0", "@type": "xsd:integer"},
                                                    "jkg:y": 5}


def test_pyld_reads_back_the_same_graph(shipped_store, shipped_doc):
    from pyld import jsonld

    nquads = jsonld.to_rdf(shipped_doc, {"format": "application/n-quads", "processingMode": "json-ld-1.0"})
    assert _same_graph(nquads, shipped_store)


def test_jsonld_js_reads_back_the_same_graph(jsonld_js, shipped_store, shipped_doc):
    nquads = jsonld_js(shipped_doc)
    assert _same_graph(nquads, shipped_store)
    # a JSON-LD 1.0 reader accepts the document and its context
    assert jsonld_js(shipped_doc, "json-ld-1.0") == nquads


def test_jsonld_js_resolves_the_context_iri_to_the_shipped_file(jsonld_js, shipped_store, shipped_doc):
    by_iri = dict(shipped_doc, **{"@context": CONTEXT_URL})
    nquads = jsonld_js(by_iri, contexts={CONTEXT_URL: str(CONTEXT_FILE)})
    assert _same_graph(nquads, shipped_store)


def test_the_context_iri_is_accepted_as_input_without_network(run, small, tmp_path):
    note = tmp_path / "note.jsonld"
    note.write_text(json.dumps({"@context": CONTEXT_URL, "@id": "jid:my-note", "label": "my note",
                                "isDerived": False, "value": 3}), encoding="utf-8")
    r = run("query", "--data", str(note), "--format", "csv", "--sparql",
            "SELECT ?p ?o WHERE { jid:my-note ?p ?o } ORDER BY ?p")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1:] == ["http://www.w3.org/2000/01/rdf-schema#label,my note",
                                         "https://w3id.org/jasic-kg/ontology#isDerived,false",
                                         "https://w3id.org/jasic-kg/ontology#value,3"]
    r = run("query", "--data", str(note), "--format", "json", "--sparql",
            "SELECT ?o WHERE { jid:my-note rdfs:label ?o }")
    assert json.loads(r.stdout)["results"]["bindings"][0]["o"] == {"type": "literal", "value": "my note",
                                                                    "xml:lang": "en"}
