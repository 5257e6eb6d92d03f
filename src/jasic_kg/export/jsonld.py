"""JSON-LD: compacted with the shipped context (context.py derives it from the ontology), and framed, one document
per entity. pyld never fetches anything: its document loader serves only the shipped context.

Two compactors give the same documents: the direct one (jsonld_direct) writes a whole graph in one pass for the
contexts and graphs it handles (the shipped context, the default graph), without importing pyld; pyld compacts
everything else (and frames), and is the reference the tests compare the direct one with."""

from __future__ import annotations

import contextlib

import orjson
from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)

from jasic_kg.errors import InputError
from jasic_kg.export.jsonld_direct import NATIVE_TYPES, DirectCompactor, Unsupported, native
from jasic_kg.export.rdf import canonical_quads
from jasic_kg.terms import JKG

CONTEXT_URL = "https://w3id.org/jasic-kg/context.jsonld"

# --- JSON-LD ----------------------------------------------------------------------------------------------

def _pyld():
    """pyld's jsonld module, imported without its network document loaders. On import pyld builds a default
    loader from `requests` (or aiohttp) when it can; jasic-kg always passes its own loader (_document_loader), so
    that one would never be used, and importing requests costs a third of a cold `export --format jsonld`. With
    both hidden during the import, pyld's default is its dummy loader, which fetches nothing either."""
    import sys

    if "pyld.jsonld" in sys.modules:
        return sys.modules["pyld.jsonld"]
    hidden = [name for name in ("requests", "aiohttp") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # `import requests` raises ImportError
    try:
        from pyld import jsonld
    finally:
        for name in hidden:
            del sys.modules[name]
    return jsonld


def _document_loader(url, options=None):
    """pyld's loader: the shipped context by its URL, nothing else, never the network."""
    jsonld = _pyld()

    if url == CONTEXT_URL:
        from jasic_kg.export.context import load_context

        return {"contextUrl": None, "documentUrl": url, "document": {"@context": load_context()}}
    raise jsonld.JsonLdError(f"refusing to fetch {url}: jasic-kg never loads remote JSON-LD documents",
                             "jsonld.LoadDocumentError", code="loading document failed")


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DEFAULT_GRAPH = DefaultGraph()
_XSD_STRING = NamedNode("http://www.w3.org/2001/XMLSchema#string")
_LANG_STRING = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")


def _expanded_nodes(quads: list[Quad]) -> list | None:
    """What pyoxigraph's JSON-LD writer gives for sorted quads of the default graph, built directly (writing the
    text and parsing it back was a third of an export's time). None for what this does not cover (named graphs,
    quoted triples, directional language strings): the writer does those. The tests compare both."""
    nodes: list[dict] = []
    node: dict | None = None
    current = None
    for q in quads:
        subject, obj = q.subject, q.object
        if q.graph_name != _DEFAULT_GRAPH or isinstance(subject, Triple) or isinstance(obj, Triple):
            return None
        if subject != current:
            current = subject
            node = {"@id": subject.value if isinstance(subject, NamedNode) else "_:" + subject.value}
            nodes.append(node)
        if isinstance(obj, NamedNode):
            value = {"@id": obj.value}
        elif isinstance(obj, BlankNode):
            value = {"@id": "_:" + obj.value}
        elif obj.language:
            if getattr(obj, "direction", None):
                return None
            value = {"@language": obj.language, "@value": obj.value}
        elif obj.datatype == _XSD_STRING:
            value = {"@value": obj.value}
        else:
            value = {"@type": obj.datatype.value, "@value": obj.value}
        values = node.get(q.predicate.value)
        if values is None:
            node[q.predicate.value] = [value]
        else:
            values.append(value)
    return nodes


def expanded_jsonld(quads: list[Quad]) -> list:
    """Expanded JSON-LD from pyoxigraph's writer, with rdf:type IRIs moved to @type as the JSON-LD
    "Serialize RDF as JSON-LD" algorithm does (useRdfType false; https://www.w3.org/TR/json-ld11-api/#serialize-rdf-as-json-ld-algorithm).
    pyoxigraph keeps rdf:type as a property; pyld's own from_rdf does it right but takes seconds on this graph."""
    nodes = _expanded_nodes(quads)
    if nodes is None:
        nodes = orjson.loads(serialize([q.triple for q in quads], format=RdfFormat.JSON_LD))
    for node in nodes:
        values = node.get(_RDF_TYPE)
        if values and all("@id" in v for v in values):
            del node[_RDF_TYPE]
            node["@type"] = [v["@id"] for v in values]
    return nodes


def _native_item(item, coerced):
    """The JSON value for one compacted value, or None to keep it."""
    kind = type(item)
    if kind is str:
        return native(item, coerced) if coerced else None
    if kind is dict and coerced is None and len(item) == 2:
        datatype = item.get("@type")  # a list for a node object of several types
        if type(datatype) is str and datatype in NATIVE_TYPES and type(item.get("@value")) is str:
            return native(item["@value"], datatype)
    return None


def native_values(node, ctx: dict):
    """Booleans and integers as JSON true/false and numbers (in place), where that reads back as the same
    literal: a string under a term coerced to xsd:boolean/xsd:integer, or a {"@value", "@type"} object of
    those types under a key without coercion (JSON-LD turns a JSON number or boolean into that datatype).
    The direct compactor does the same while it writes each value."""
    # key -> its coercion: a native type, "" for any other coercion; keys not listed are not coerced
    coercion = {key: (d["@type"] if d["@type"] in NATIVE_TYPES else "") for key, d in ctx.items()
                if isinstance(d, dict) and "@type" in d}
    _native_walk(node, coercion)
    return node


def _native_walk(node, coercion: dict) -> None:
    if type(node) is list:
        for item in node:
            _native_walk(item, coercion)
        return
    if type(node) is not dict:
        return
    for key, value in node.items():
        if key == "@context":
            continue
        coerced = coercion.get(key)
        if type(value) is list:
            for i, item in enumerate(value):
                new = _native_item(item, coerced)
                if new is not None:
                    value[i] = new
                elif type(item) is dict:
                    _native_walk(item, coercion)
        else:
            new = _native_item(value, coerced)
            if new is not None:
                node[key] = new
            elif type(value) is dict:
                _native_walk(value, coercion)


def _direct_compactor(ctx: dict) -> DirectCompactor | None:
    """The direct compactor for `ctx`, kept between calls (the site compacts a page at a time), or None when
    `ctx` has something it does not handle."""
    key = orjson.dumps(ctx)
    if key not in _COMPACTORS:
        if len(_COMPACTORS) >= 4:  # a process uses the shipped context, seldom another
            _COMPACTORS.clear()
        try:
            _COMPACTORS[key] = DirectCompactor(ctx)
        except Unsupported:
            _COMPACTORS[key] = None
    return _COMPACTORS[key]


_COMPACTORS: dict[bytes, DirectCompactor | None] = {}


def compact_jsonld(quads: list[Quad], *, direct: bool = True) -> dict:
    """The quads (sorted, as rdf.canonical_quads gives them) compacted with the shipped context, as
    {"@context", "@graph"}, with canonical booleans and integers as JSON values. `direct=False`: pyld's
    compaction, whatever the graph (the reference)."""
    from jasic_kg.export.context import load_context

    ctx = load_context()
    compactor = _direct_compactor(ctx) if direct else None
    if compactor is not None:
        try:
            return compactor.document(quads)
        except Unsupported:
            pass  # named graphs, directional strings, an IRI read as a CURIE: pyld decides
    return compact_with_pyld(quads, ctx)


def compact_with_pyld(quads: list[Quad], ctx: dict) -> dict:
    """What compact_jsonld gives, by pyld's general compaction of the expanded quads with context `ctx`."""
    # skipExpansion: the expanded form is built from the quads; expanding it again costs a second.
    jsonld = _pyld()
    with _iri_errors(jsonld):
        doc = jsonld.JsonLdProcessor().compact(expanded_jsonld(quads), {"@context": ctx},
                                               {"documentLoader": _document_loader, "skipExpansion": True})
    if "@graph" not in doc:  # a single node compacts without @graph; keep one shape for consumers
        body = {k: v for k, v in doc.items() if k != "@context"}
        doc = {"@context": doc["@context"], "@graph": [body] if body else []}
    return native_values(doc, ctx)


@contextlib.contextmanager
def _iri_errors(jsonld):
    """pyld refuses an IRI whose scheme is a prefix of the context (`jkg:x` would read back as a compact IRI):
    the user's data, not a bug, so a one-line InputError (exit 2) instead of pyld's error."""
    try:
        yield
    except jsonld.JsonLdError as e:
        if e.code != "IRI confused with prefix":
            raise
        details = e.details or {}
        raise InputError(f"JSON-LD cannot hold the IRI <{details.get('iri')}>: with the shipped context it would read "
                         f"as a compact IRI of the prefix {details.get('term')!r}; export as turtle, trig, nt or nq"
                         ) from None


def _dump(doc) -> bytes:
    # orjson writes the same bytes as json.dumps(indent=2, ensure_ascii=False), 40x faster (the tests compare)
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


FRAME_CLASSES = {
    "event": [JKG + "Event"],
    "person": [JKG + "Person"],
    "organisation": [JKG + "Organisation", JKG + "InformalGroup"],
}


_ENTITY_PAGE = """
CONSTRUCT { ?e ?p ?o . ?o a ?ot ; rdfs:label ?ol . ?c ?cp ?co . ?co rdfs:label ?col }
WHERE {
  { ?e ?p ?o OPTIONAL { ?o a ?ot } OPTIONAL { ?o rdfs:label ?ol } }
  UNION
  { ?c jkg:claimAbout ?e ; ?cp ?co OPTIONAL { ?co rdfs:label ?col } }
}"""


def framed_jsonld(store, kind: str) -> dict[str, dict]:
    """One framed JSON-LD document per entity of `kind` (subclasses included), keyed by slug.

    A document holds what an entity page needs: the entity's own statements, the label and type of each node it
    points to, and the claims about it ("claims", a reverse jkg:claimAbout) with their quotes, voices and sources,
    framed (JSON-LD 1.1 Framing, https://www.w3.org/TR/json-ld11-framing/) with the entity at the root.
    """
    jsonld = _pyld()

    from jasic_kg.export.context import load_context

    ctx = {**load_context(), "claims": {"@reverse": "jkg:claimAbout"}}
    classes = " ".join(f"<{c}>" for c in FRAME_CLASSES[kind])
    rows = store.select(f"""SELECT DISTINCT ?e WHERE {{ VALUES ?c {{ {classes} }}
        ?e a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c . FILTER (isIRI(?e)) }} ORDER BY ?e""")
    docs = {}
    for row in rows:
        iri = row["e"]
        quads = canonical_quads(store.construct(_ENTITY_PAGE, {"e": iri}))
        nquads = serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8")
        # pyld's from_rdf turns rdf:type into @type, which framing needs to leave classes unembedded.
        expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
        with _iri_errors(jsonld):
            framed = jsonld.frame(expanded, {"@context": ctx, "@id": iri.value, "@embed": "@once", "claims": {}},
                                  {"documentLoader": _document_loader})
        slug = iri.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        docs[slug] = native_values(framed, ctx)
    return docs
