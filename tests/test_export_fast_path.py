"""The export's shortcuts give exactly what the general libraries give.

The direct JSON-LD compactor (export/jsonld_direct.py) writes the compacted document from the quads without
PyLD; PyLD's own compaction (compact_with_pyld) is the reference. Both are compared byte for byte on the shipped
graph, the benchmark's synthetic graph, generated graphs (awkward literals, blank nodes, RDF lists, rdf:type with
a literal, properties whose N-Quads order differs from their IRI order) and generated contexts, and the direct
documents read back as the graph they came from. What the direct compactor does not handle goes to PyLD. The
general path's expanded form is compared with pyoxigraph's writer, and the canonical order (one string per quad)
with the order of its definition (four terms per quad).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import (
    BaseDirection,
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
    serialize,
)

from jasic_kg.export.context import load_context
from jasic_kg.export.exporters import export
from jasic_kg.export.jsonld import _direct_compactor, _dump, _expanded_nodes, compact_jsonld, compact_with_pyld
from jasic_kg.export.jsonld_direct import DirectCompactor, Unsupported
from jasic_kg.export.rdf import canonical_quads
from jasic_kg.io import resources
from jasic_kg.store import LocalStore

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def benchmark_graph(tmp_path_factory):
    data, _, _ = generate.write("10k", tmp_path_factory.mktemp("bench"))
    return data


def _writer_nodes(quads):
    return orjson.loads(serialize([q.triple for q in quads], format=RdfFormat.JSON_LD))


def _read_back(doc) -> list[Quad]:
    """The graph a compacted document denotes, read by pyoxigraph's JSON-LD parser, in canonical form."""
    return canonical_quads(parse(orjson.dumps(doc), RdfFormat.JSON_LD))


def _read_back_with_pyld(doc) -> list[Quad]:
    """The same, read by PyLD (expansion, then RDF)."""
    from pyld import jsonld

    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    return canonical_quads(parse(nquads.encode("utf-8"), RdfFormat.N_QUADS))


def test_direct_jsonld_is_pyld_compaction_on_the_shipped_graph():
    quads = canonical_quads(LocalStore([], shipped=resources.graph_files(), cache=False).quads())
    ctx = load_context()
    assert _direct_compactor(ctx) is not None  # the shipped context is one the direct compactor handles
    direct = DirectCompactor(ctx).document(quads)
    assert compact_jsonld(quads) == direct
    assert _dump(direct) == _dump(compact_with_pyld(quads, ctx))
    assert _dump(direct) == (json.dumps(direct, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    person = next(n for n in direct["@graph"] if n["@id"] == "jid:he-pengchao")
    assert person["label"] == "He Pengchao" and person["@type"] == ["schema:Person", "Person"]
    assert _read_back(direct) == quads


@pytest.mark.slow
def test_direct_jsonld_is_pyld_compaction_on_the_benchmark_graph(benchmark_graph):
    store = LocalStore([benchmark_graph], shipped=resources.graph_files(), cache=False)
    quads = canonical_quads(store.quads())
    assert orjson.dumps(_expanded_nodes(quads)) == orjson.dumps(_writer_nodes(quads))
    direct = DirectCompactor(load_context()).document(quads)
    assert _dump(direct) == _dump(compact_with_pyld(quads, load_context()))
    assert _read_back(direct) == quads


IRIS = st.sampled_from([
    "https://w3id.org/jasic-kg/id/a", "https://w3id.org/jasic-kg/id/b", "https://w3id.org/jasic-kg/ontology#Event",
    "https://w3id.org/jasic-kg/ontology#affected", "https://w3id.org/jasic-kg/ontology#earliestDate",
    "https://w3id.org/jasic-kg/ontology#quote", "https://w3id.org/jasic-kg/ontology#isDerived",
    "http://www.w3.org/ns/oa#start", "http://www.w3.org/2000/01/rdf-schema#label",
    RDF + "type", RDF + "first", RDF + "rest", RDF + "nil", "http://www.w3.org/2004/02/skos/core#broader",
    "https://schema.org/name", "https://example.org/not-a-prefix/x", "https://w3id.org/jasic-kg/ontology#",
    # N-Quads order ("<...p>" after "<...p#q>") differs from IRI order (".../p" before ".../p#q")
    "https://example.org/p", "https://example.org/p#q", XSD + "date"])
DATATYPES = st.sampled_from([None, XSD + "date", XSD + "integer", XSD + "boolean", XSD + "decimal",
                             "https://w3id.org/jasic-kg/ontology#Event", "https://example.org/dt"])
TEXT = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8),
    st.sampled_from(["true", "false", "1", "0", "-0", "007", "12", "-5", "9007199254740993", " 5", "tRUE",
                     '"quoted"', "back\\slash", "line\nbreak", "\x00", "jid:a", "_:x", "@value", "他们"]))


@st.composite
def objects(draw):
    kind = draw(st.sampled_from(["iri", "blank", "literal", "lang"]))
    if kind == "iri":
        return NamedNode(draw(IRIS))
    if kind == "blank":
        return BlankNode(draw(st.sampled_from(["x", "y", "xy"])))
    if kind == "lang":
        return Literal(draw(TEXT), language=draw(st.sampled_from(["en", "zh-Hans", "EN", "en-GB"])))
    dt = draw(DATATYPES)
    return Literal(draw(TEXT)) if dt is None else Literal(draw(TEXT), datatype=NamedNode(dt))


@st.composite
def graphs(draw):
    subjects = st.one_of(IRIS.map(NamedNode), st.sampled_from(["x", "y", "xy"]).map(BlankNode))
    triples = draw(st.lists(st.tuples(subjects, IRIS.map(NamedNode), objects()), max_size=25))
    if draw(st.booleans()):  # an RDF list of two items
        head, tail = BlankNode("l1"), BlankNode("l2")
        triples += [(NamedNode("https://w3id.org/jasic-kg/id/a"), NamedNode("https://example.org/p"), head),
                    (head, NamedNode(RDF + "first"), draw(objects())), (head, NamedNode(RDF + "rest"), tail),
                    (tail, NamedNode(RDF + "first"), draw(objects())), (tail, NamedNode(RDF + "rest"),
                                                                         NamedNode(RDF + "nil"))]
    return triples


def _quads(triples) -> list[Quad]:
    store = Store()
    store.extend(Quad(s, p, o) for s, p, o in triples)
    return canonical_quads(store)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(graphs())
def test_direct_jsonld_is_pyld_compaction_on_generated_graphs(triples):
    quads = _quads(triples)
    assert orjson.dumps(_expanded_nodes(quads)) == orjson.dumps(_writer_nodes(quads))
    direct = DirectCompactor(load_context()).document(quads)
    assert _dump(direct) == _dump(compact_with_pyld(quads, load_context()))
    assert _read_back(direct) == quads
    assert _read_back_with_pyld(direct) == quads


# Contexts of the kind the direct compactor takes: prefixes (two nested, so CURIEs compete), and terms with an
# @id and at most a @type or a @language, several for one IRI.
PREFIXES = {"ex": "https://example.org/", "exa": "https://example.org/a/", "v": "https://example.org/v#",
            "xsd": XSD, "rdf": RDF}
CONTEXT_IRIS = ["ex:a/b", "ex:p", "exa:b", "v:name", "v:n", "v:flag", "v:when", "v:", "https://example.org/a/c",
                "rdf:type"]
TERM_TYPES = st.sampled_from([None, "@id", "xsd:integer", "xsd:boolean", "xsd:date", XSD + "integer", "v:dt"])
GRAPH_IRIS = st.sampled_from(["https://example.org/a/b", "https://example.org/p", "https://example.org/v#name",
                              "https://example.org/v#n", "https://example.org/v#flag", "https://example.org/v#when",
                              "https://example.org/v#", "https://example.org/a/c", "https://example.org/a/",
                              "https://example.org/v#dt", "https://other.org/x", RDF + "type", XSD + "integer",
                              XSD + "date", XSD + "boolean"])


@st.composite
def contexts(draw):
    ctx = dict(PREFIXES)
    for name in draw(st.lists(st.sampled_from(["a", "b", "name", "n", "flag", "when", "t", "label", "kind"]),
                              unique=True, max_size=8)):
        iri = draw(st.sampled_from(CONTEXT_IRIS))
        shape = draw(st.sampled_from(["simple", "type", "language"]))
        if shape == "simple":
            ctx[name] = iri
        elif shape == "type":
            kind = draw(TERM_TYPES)
            ctx[name] = {"@id": iri} if kind is None else {"@id": iri, "@type": kind}
        else:
            ctx[name] = {"@id": iri, "@language": draw(st.sampled_from(["en", "EN", "zh-hans"]))}
    return ctx


@st.composite
def context_graphs(draw):
    def obj():
        kind = draw(st.sampled_from(["iri", "blank", "literal", "lang"]))
        if kind == "iri":
            return NamedNode(draw(GRAPH_IRIS))
        if kind == "blank":
            return BlankNode("b")
        if kind == "lang":
            return Literal(draw(TEXT), language=draw(st.sampled_from(["en", "zh-hans", "fr"])))
        dt = draw(st.sampled_from([XSD + "string", XSD + "integer", XSD + "boolean", XSD + "date",
                                   "https://example.org/v#dt", "https://example.org/a/b"]))
        return Literal(draw(TEXT), datatype=NamedNode(dt))
    subjects = st.one_of(GRAPH_IRIS.map(NamedNode), st.just(BlankNode("b")))
    return [(draw(subjects), NamedNode(draw(GRAPH_IRIS)), obj()) for _ in range(draw(st.integers(0, 20)))]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(contexts(), context_graphs())
def test_direct_jsonld_is_pyld_compaction_with_generated_contexts(ctx, triples):
    quads = _quads(triples)
    direct = DirectCompactor(ctx).document(quads)
    assert _dump(direct) == _dump(compact_with_pyld(quads, ctx))
    assert _read_back(direct) == _read_back_with_pyld(direct) == quads


UNSUPPORTED_CONTEXTS = [
    {"@vocab": "https://example.org/"}, {"@base": "https://example.org/"}, {"@language": "en"},
    {"@version": 1.1, "ex": "https://example.org/"},
    {"ex": "https://example.org/", "items": {"@id": "ex:items", "@container": "@set"}},
    {"ex": "https://example.org/", "parent": {"@reverse": "ex:child"}},
    {"ex": "https://example.org/", "id": "@id"},
    {"ex": "https://example.org/", "ex:special": {"@id": "https://example.org/special"}},
    {"ex": "https://example.org/", "scoped": {"@id": "ex:s", "@context": {"x": "ex:x"}}},
    {"ex": "https://example.org/", "gone": None},
    {"ex": "https://example.org/", "both": {"@id": "ex:b", "@type": "@id", "@language": "en"}},
    {"ex": "https://example.org/", "vocab": {"@id": "ex:v", "@type": "@vocab"}},
    {"ex": "https://example.org/", "relative": "ex"},
    {"ex": {"@id": "https://example.org/"}, "a": "ex:a"},  # an expanded definition is no prefix
]


@pytest.mark.parametrize("ctx", UNSUPPORTED_CONTEXTS, ids=range(len(UNSUPPORTED_CONTEXTS)))
def test_contexts_the_direct_compactor_does_not_handle_go_to_pyld(ctx, monkeypatch):
    with pytest.raises(Unsupported):
        DirectCompactor(ctx)
    quads = _quads([(NamedNode("https://example.org/a"), NamedNode("https://example.org/items"),
                     Literal("x", language="en"))])
    monkeypatch.setattr("jasic_kg.export.context.load_context", lambda: ctx)
    assert compact_jsonld(quads) == compact_with_pyld(quads, ctx)
    assert _direct_compactor(ctx) is None


def test_graphs_the_direct_compactor_does_not_handle_go_to_pyld():
    s, p = NamedNode("https://w3id.org/jasic-kg/id/a"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    named = [Quad(s, p, Literal("x"), NamedNode("https://w3id.org/jasic-kg/id/g"))]
    directional = [Quad(s, p, Literal("x", language="ar", direction=BaseDirection.RTL), DefaultGraph())]
    for quads in (named, directional):
        with pytest.raises(Unsupported):
            DirectCompactor(load_context()).document(quads)
        assert compact_jsonld(quads) == compact_with_pyld(quads, load_context())
    assert compact_jsonld(directional)["@graph"] == [
        {"@id": "jid:a", "rdfs:label": {"@language": "ar", "@direction": "rtl", "@value": "x"}}]


GRAPH_NAMES = st.sampled_from([DefaultGraph(), NamedNode("https://example.org/g"), NamedNode("https://example.org/g2"),
                               BlankNode("g")])
TERMS = st.one_of(st.sampled_from(["https://example.org/a", "https://example.org/a#b", "https://example.org/ab",
                                   "https://example.org/a/"]).map(NamedNode),
                  st.sampled_from(["b", "b1", "b10", "bb"]).map(BlankNode))


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(st.lists(st.tuples(TERMS, TERMS.filter(lambda t: isinstance(t, NamedNode)), st.one_of(TERMS, objects()),
                          GRAPH_NAMES), max_size=30))
def test_canonical_order_is_by_graph_subject_predicate_object(rows):
    quads = canonical_quads([Quad(*row) for row in rows])
    assert quads == sorted(quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate),
                                                 str(q.object)))


def test_cached_store_reads_the_same_quads_as_it_holds(benchmark_graph, tmp_path):
    cached = LocalStore([benchmark_graph, benchmark_graph], shipped=resources.graph_files(), cache=True,
                        cache_dir=tmp_path)
    memory = LocalStore([benchmark_graph], shipped=resources.graph_files(), cache=False)
    parsed = list(cached.quads())
    assert len(parsed) == cached.count() == memory.count()  # the file given twice: no duplicates
    for fmt in ("nt", "jsonld", "turtle"):
        assert export(cached, fmt) == export(memory, fmt)
