"""JSON-LD: expanded, compacted with the shipped context (context.py derives it from the ontology) and framed, one
document per entity. pyld never fetches anything: its document loader serves only the shipped context."""

from __future__ import annotations

import re

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

from jasic_kg.terms import JKG

CONTEXT_URL = "https://w3id.org/jasic-kg/context.jsonld"
from jasic_kg.export.rdf import canonical_quads

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


def _processor(fast: bool = True):
    """pyld's JSON-LD processor, made fast for what jasic-kg compacts; `fast=False` is pyld as it is (the
    reference the tests compare with).

    pyld spends its time choosing a term or CURIE for every IRI and every value, although the choice depends
    on a few features of the value only, and walking its general compaction algorithm for each node. Two changes,
    each proven by the tests to give byte-identical documents on the shipped graph, the benchmark graph and
    generated graphs:

    - IRI compaction is memoised on what pyld's own term selection reads from the value (value object: its
      keys, @type, @language, @direction; node reference: whether its @id compacts to a term of that IRI);
    - a flat node object of the kind pyoxigraph writes (@id, @type, and properties whose values are value
      objects or node references) is compacted by a short loop that makes the same calls, in the same order, as
      pyld's general algorithm, when the context has nothing that loop leaves out (scoped contexts, containers,
      @nest, reverse terms). Anything else goes through pyld's algorithm unchanged.
    """
    jsonld = _pyld()

    if not fast:
        return jsonld.JsonLdProcessor()

    class FastProcessor(jsonld.JsonLdProcessor):
        def __init__(self):
            super().__init__()
            self._iris = {}
            self._refs = {}
            self._flat_contexts = {}
            self._term_index = {}
            self._plans = {}  # (property, @type, @language, @direction, size) -> (term, shape)
            self._ref_plans = {}  # property, or (property, referenced IRI) -> how its references compact

        def _value_signature(self, active_ctx, value):
            if value is None:
                return ()
            if not isinstance(value, dict):
                return None
            if "@value" in value:
                if any(k not in _VALUE_KEYS for k in value):
                    return None
                return ("v", tuple(sorted(value)), value.get("@type"), value.get("@language"),
                        value.get("@direction"))
            if len(value) == 1 and isinstance(value.get("@id"), str):
                term = self._compact_iri(active_ctx, value["@id"], None, vocab=True)
                mapping = active_ctx["mappings"].get(term)
                return ("id", bool(term is not None and mapping and mapping["@id"] == value["@id"]))
            return None

        def _compact_iri(self, active_ctx, iri, value=None, vocab=False, base=None, reverse=False):
            signature = self._value_signature(active_ctx, value)
            if signature is None:
                return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
            key = (id(active_ctx), iri, vocab, base, reverse, signature)
            hit = self._iris.get(key)
            if hit is None or hit[0] is not active_ctx:  # the context is kept alive, so its id is not reused
                compacted = self._curie(active_ctx, iri, vocab) if value is None and not reverse else None
                if compacted is None:
                    compacted = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
                hit = self._iris[key] = (active_ctx, compacted)
            return hit[1]

        def _term_index_of(self, active_ctx):
            """(prefix terms, inverse context), or None when a term contains ":". Without such terms, pyld's
            test "the CURIE is usable" reduces to "the term is a prefix" (a CURIE can never be a term then)."""
            index = self._term_index.get(id(active_ctx))
            if index is None or index[0] is not active_ctx:
                mappings = active_ctx["mappings"]
                if any(":" in term for term in mappings):
                    value = None
                else:
                    prefixes = [(term, d["@id"]) for term, d in mappings.items()
                                if d is not None and d.get("@id") and d.get("_prefix")]
                    value = (prefixes, self._get_inverse_context(active_ctx))
                index = self._term_index[id(active_ctx)] = (active_ctx, value)
            return index[1]

        def _curie(self, active_ctx, iri, vocab):
            """pyld's CURIE step for an IRI that no term matches, with the terms indexed by IRI instead of
            scanned (the scan over every term, once per node IRI, was most of the time). None: not this case,
            or no CURIE (pyld decides then)."""
            if not isinstance(iri, str) or iri.startswith("@"):
                return None
            index = self._term_index_of(active_ctx)
            if index is None:
                return None
            prefixes, inverse = index
            if vocab and (iri in inverse or "@vocab" in active_ctx):
                return None  # term selection or @vocab may apply: pyld's own path
            candidate = None
            for term, prefix_iri in prefixes:
                if iri.startswith(prefix_iri) and iri != prefix_iri:
                    curie = term + ":" + iri[len(prefix_iri):]
                    if candidate is None or (len(curie), curie) < (len(candidate), candidate):
                        candidate = curie
            return candidate

        def _compact_value(self, active_ctx, active_property, value, options):
            if "@value" in value or len(value) != 1:
                return super()._compact_value(active_ctx, active_property, value, options)
            key = (id(active_ctx), active_property, value["@id"], options.get("base"))
            hit = self._refs.get(key)
            if hit is None or hit[0] is not active_ctx:
                hit = self._refs[key] = (active_ctx, super()._compact_value(active_ctx, active_property, value,
                                                                            options))
            return hit[1]

        def _flat_context(self, active_ctx) -> bool:
            ok = self._flat_contexts.get(id(active_ctx))
            if ok is None or ok[0] is not active_ctx:
                plain = "previousContext" not in active_ctx and all(
                    d is None or not (d.get("reverse") or any(k in d for k in ("@context", "@container", "@nest")))
                    for d in active_ctx["mappings"].values())
                ok = self._flat_contexts[id(active_ctx)] = (active_ctx, plain)
            return ok[1]

        def _compact(self, active_ctx, active_property, element, options):
            if (active_property is None and isinstance(element, dict) and not options.get("link")
                    and options.get("compactArrays") and self._flat_context(active_ctx)):
                try:
                    return self._compact_flat_node(active_ctx, element, options)
                except _NotFlat:
                    pass
            return super()._compact(active_ctx, active_property, element, options)

        def _compact_flat_node(self, active_ctx, element, options):
            """What pyld's _compact does for a flat node object, with its decisions memoised: the term for a
            property and the shape of a compacted value depend on the property and the value's @type,
            @language and @direction only (for a node reference: on the referenced IRI)."""
            node_id = element.get("@id")
            if not isinstance(node_id, str) or len(element) == 1 or "@value" in element:
                raise _NotFlat
            plans, refs = self._plans, self._ref_plans
            inverse = self._get_inverse_context(active_ctx)
            simple = self._term_index_of(active_ctx) is not None and "@vocab" not in active_ctx
            base = options.get("base", "")
            rval = {}
            for prop, values in sorted(element.items()):  # pyld's order
                if prop == "@id":
                    rval[self._compact_iri(active_ctx, "@id")] = self._compact_iri(
                        active_ctx, values, vocab=False, base=options.get("base", ""))
                    continue
                if prop == "@type":
                    if not (isinstance(values, list) and values and all(isinstance(t, str) for t in values)):
                        raise _NotFlat
                    types = [self._compact_iri(active_ctx, t, vocab=True) for t in values]
                    rval[self._compact_iri(active_ctx, "@type")] = types[0] if len(types) == 1 else types
                    continue
                if prop[:1] == "@" or not isinstance(values, list) or not values:
                    raise _NotFlat
                for item in values:
                    if not isinstance(item, dict):
                        raise _NotFlat
                    literal = item.get("@value")
                    if literal is not None:
                        if not isinstance(literal, str) or any(k not in _VALUE_KEYS for k in item):
                            raise _NotFlat
                        sig = (prop, item.get("@type"), item.get("@language"), item.get("@direction"), len(item))
                        plan = plans.get(sig)
                        if plan is None:
                            plan = plans[sig] = self._value_plan(active_ctx, prop, item, options)
                        term, shape = plan
                        compacted = literal if shape is None else {k: (literal if v is _VALUE else v)
                                                                   for k, v in shape}
                    else:
                        ref = item.get("@id")
                        if len(item) != 1 or not isinstance(ref, str):
                            raise _NotFlat
                        if ref in inverse or not simple:
                            # the reference itself may be a term: pyld's selection, memoised per pair
                            plan = refs.get((prop, ref))
                            if plan is None:
                                term = self._compact_iri(active_ctx, prop, item, vocab=True, reverse=False)
                                plan = refs[(prop, ref)] = (term, self._compact_value(active_ctx, term, item,
                                                                                      options))
                            term, compacted = plan
                        else:
                            # Not a term's IRI (and no term has a ":" or the context a @vocab): pyld's choice of
                            # term and form is the same for every such reference of `prop`.
                            plan = refs.get(prop)
                            if plan is None:
                                plan = refs[prop] = self._reference_plan(active_ctx, prop, item)
                            term, vocab_ref, wrap = plan
                            compacted = self._compact_iri(active_ctx, ref, vocab=vocab_ref, base=base)
                            if wrap is not None:
                                compacted = {wrap: compacted}
                    if term in rval:  # pyld's add_value (propertyIsArray false, duplicates allowed)
                        existing = rval[term]
                        if isinstance(existing, list):
                            existing.append(compacted)
                        else:
                            rval[term] = [existing, compacted]
                    else:
                        rval[term] = compacted
            return rval

        def _reference_plan(self, active_ctx, prop, item):
            """pyld's _compact_value for a node reference, as a plan: the term, whether the IRI compacts with
            vocab (a term coerced to @vocab), and the key it is wrapped in when the term is not coerced."""
            term = self._compact_iri(active_ctx, prop, item, vocab=True, reverse=False)
            coerced = jsonld.JsonLdProcessor.get_context_value(active_ctx, term, "@type")
            wrap = None if coerced in ("@id", "@vocab") else self._compact_iri(active_ctx, "@id")
            return term, coerced == "@vocab", wrap

        def _value_plan(self, active_ctx, prop, item, options):
            """The term and the compacted shape of every value object like `item` under `prop`, found by
            compacting it once with a stand-in @value (pyld's result depends on the value only through its
            @type, @language, @direction and its being a string)."""
            term = self._compact_iri(active_ctx, prop, item, vocab=True, reverse=False)
            probe = dict(item, **{"@value": _PROBE})
            compacted = super()._compact_value(active_ctx, term, probe, options)
            if compacted == _PROBE:
                return term, None
            if not isinstance(compacted, dict) or list(compacted.values()).count(_PROBE) != 1:
                raise _NotFlat
            return term, tuple((k, _VALUE if v == _PROBE else v) for k, v in compacted.items())

    return FastProcessor()


_VALUE_KEYS = frozenset(("@value", "@type", "@language", "@direction"))
_PROBE = "\x00jasic-kg compaction probe\x00"  # a string no literal of a graph is (NUL ends the probe)
_VALUE = object()  # where the literal goes in a value shape


class _NotFlat(Exception):
    """The node is not of the flat kind the fast loop handles: pyld's general algorithm takes it."""


_XSD = "http://www.w3.org/2001/XMLSchema#"
_NATIVE_TYPES = {"xsd:boolean", _XSD + "boolean", "xsd:integer", _XSD + "integer"}
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,14}")  # and within JSON's exact integers (2^53)


def _native(text: str, datatype: str):
    """The JSON value of a canonical xsd:boolean or xsd:integer lexical form, else None (a non-canonical form
    such as "1" or "007" would come back as a different literal: it keeps its string form)."""
    if datatype.endswith("boolean"):
        return {"true": True, "false": False}.get(text)
    return int(text) if _CANONICAL_INTEGER.fullmatch(text) else None


def native_values(node, ctx: dict):
    """Booleans and integers as JSON true/false and numbers (in place), where that reads back as the same
    literal: a string under a term coerced to xsd:boolean/xsd:integer, or a {"@value", "@type"} object of
    those types under a key without coercion (JSON-LD turns a JSON number or boolean into that datatype)."""
    # key -> its coercion: a native type, "" for any other coercion; keys not listed are not coerced
    coercion = {key: (d["@type"] if d["@type"] in _NATIVE_TYPES else "") for key, d in ctx.items()
                if isinstance(d, dict) and "@type" in d}
    _native_walk(node, coercion)
    return node


def _native_item(item, coerced):
    """The JSON value for one compacted value, or None to keep it (a million-triple document has a few million
    values: this is kept to type checks and dict lookups)."""
    kind = type(item)
    if kind is str:
        return _native(item, coerced) if coerced else None
    if kind is dict and coerced is None and len(item) == 2:
        datatype = item.get("@type")
        if datatype in _NATIVE_TYPES and type(item.get("@value")) is str:
            return _native(item["@value"], datatype)
    return None


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


def compact_jsonld(quads: list[Quad], *, fast: bool = True) -> dict:
    from jasic_kg.export.context import load_context

    ctx = load_context()
    # skipExpansion: pyoxigraph's output is already expanded JSON-LD; expanding it again costs a second.
    doc = _processor(fast).compact(expanded_jsonld(quads), {"@context": ctx},
                               {"documentLoader": _document_loader, "skipExpansion": True})
    if "@graph" not in doc:  # a single node compacts without @graph; keep one shape for consumers
        body = {k: v for k, v in doc.items() if k != "@context"}
        doc = {"@context": doc["@context"], "@graph": [body] if body else []}
    return native_values(doc, ctx)


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
        framed = jsonld.frame(expanded, {"@context": ctx, "@id": iri.value, "@embed": "@once", "claims": {}},
                              {"documentLoader": _document_loader})
        slug = iri.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        docs[slug] = native_values(framed, ctx)
    return docs
