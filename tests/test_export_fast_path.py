"""The fast export path gives exactly what the plain libraries give.

The JSON-LD export builds pyoxigraph's expanded form itself, compacts flat nodes with memoised pyld decisions
and writes with orjson; whole-graph reads of a cached store parse the source files again. Each shortcut is
compared here with the library path it replaces, byte for byte, on the shipped graph, the benchmark's own
synthetic graph and generated graphs with every kind of term the shortcuts special-case.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, serialize

from jasic_kg.io import resources
from jasic_kg.export.context import load_context
from jasic_kg.export.jsonld import _dump, _expanded_nodes, _processor, compact_jsonld
from jasic_kg.export.rdf import canonical_quads
from jasic_kg.export.exporters import export
from jasic_kg.store import LocalStore

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def benchmark_graph(tmp_path_factory):
    data, _, _ = generate.write("10k", tmp_path_factory.mktemp("bench"))
    return data


def _graphs(benchmark_graph):
    return {"shipped": LocalStore([], shipped=resources.graph_files(), cache=False),
            "shipped + benchmark 10k": LocalStore([benchmark_graph], shipped=resources.graph_files(), cache=False)}


def _writer_nodes(quads):
    return orjson.loads(serialize([q.triple for q in quads], format=RdfFormat.JSON_LD))


def _pyld_document(quads):
    return compact_jsonld(quads, fast=False)


@pytest.mark.slow
@pytest.mark.parametrize("graph", ["shipped", "shipped + benchmark 10k"])
def test_fast_jsonld_equals_pyld_and_pyoxigraphs_writer(benchmark_graph, graph):
    quads = canonical_quads(_graphs(benchmark_graph)[graph].quads())
    assert orjson.dumps(_expanded_nodes(quads)) == orjson.dumps(_writer_nodes(quads))
    fast = compact_jsonld(quads)
    assert _dump(fast) == _dump(_pyld_document(quads))
    assert _dump(fast) == (json.dumps(fast, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


IRIS = st.sampled_from([
    "https://w3id.org/jasic-kg/id/a", "https://w3id.org/jasic-kg/id/b", "https://w3id.org/jasic-kg/ontology#Event",
    "https://w3id.org/jasic-kg/ontology#affected", "https://w3id.org/jasic-kg/ontology#earliestDate",
    "https://w3id.org/jasic-kg/ontology#quote", "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "http://www.w3.org/2004/02/skos/core#broader",
    "https://schema.org/name", "https://example.org/not-a-prefix/x", "https://w3id.org/jasic-kg/ontology#",
    "http://www.w3.org/2001/XMLSchema#date"])
DATATYPES = st.sampled_from([None, "http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#integer",
                             "http://www.w3.org/2001/XMLSchema#boolean", "https://example.org/dt"])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)


@st.composite
def objects(draw):
    kind = draw(st.sampled_from(["iri", "blank", "literal", "lang"]))
    if kind == "iri":
        return NamedNode(draw(IRIS))
    if kind == "blank":
        return BlankNode(draw(st.sampled_from(["x", "y"])))
    if kind == "lang":
        return Literal(draw(TEXT), language=draw(st.sampled_from(["en", "zh-Hans", "EN"])))
    dt = draw(DATATYPES)
    return Literal(draw(TEXT)) if dt is None else Literal(draw(TEXT), datatype=NamedNode(dt))


@st.composite
def graphs(draw):
    subjects = st.one_of(IRIS.map(NamedNode), st.sampled_from(["x", "y"]).map(BlankNode))
    return draw(st.lists(st.tuples(subjects, IRIS.map(NamedNode), objects()), max_size=25))


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(graphs())
def test_fast_jsonld_equals_pyld_on_generated_graphs(triples):
    store = Store()
    store.extend(Quad(s, p, o) for s, p, o in triples)
    quads = canonical_quads(store)
    assert orjson.dumps(_expanded_nodes(quads)) == orjson.dumps(_writer_nodes(quads))
    assert _dump(compact_jsonld(quads)) == _dump(_pyld_document(quads))


def test_fast_processor_defers_what_it_does_not_cover():
    # a context with a container, a scoped context and a term with ":" goes through pyld's general algorithm
    ctx = {**load_context(), "labels": {"@id": "rdfs:label", "@container": "@set"},
           "jid:special": {"@id": "https://w3id.org/jasic-kg/id/special"}}
    doc = [{"@id": "https://w3id.org/jasic-kg/id/a", "http://www.w3.org/2000/01/rdf-schema#label": [{"@value": "x"}]},
           {"@id": "https://w3id.org/jasic-kg/id/b", "https://w3id.org/jasic-kg/ontology#affected":
            [{"@id": "https://w3id.org/jasic-kg/id/special"}], "@reverse": {}}]
    options = {"skipExpansion": True}
    assert _processor(True).compact(doc, {"@context": ctx}, options) == \
        _processor(False).compact(doc, {"@context": ctx}, options)


def test_cached_store_reads_the_same_quads_as_it_holds(benchmark_graph, tmp_path):
    cached = LocalStore([benchmark_graph, benchmark_graph], shipped=resources.graph_files(), cache=True,
                        cache_dir=tmp_path)
    memory = LocalStore([benchmark_graph], shipped=resources.graph_files(), cache=False)
    parsed = list(cached.quads())
    assert len(parsed) == cached.count() == memory.count()  # the file given twice: no duplicates
    for fmt in ("nt", "jsonld", "turtle"):
        assert export(cached, fmt) == export(memory, fmt)
