"""Compacted JSON-LD written directly from sorted quads, for contexts of the kind context.py generates.

Why a second compactor beside PyLD: PyLD's compaction is general (any context, any expanded document) and
spends most of a whole-graph export choosing a term for every value by the IRI compaction algorithm of JSON-LD 1.1
(https://www.w3.org/TR/json-ld11-api/#iri-compaction). With a context made of prefixes and terms that have an
@id and at most one @type or @language (no @vocab, @base, default language, containers, scoped contexts, reverse
terms, aliases), and a graph in the default graph without directional language strings, that choice depends
on the property, the kind of value and its datatype or language only. So it is made here once per such
combination, by PyLD's rules, and the document is written in one pass over the quads: no expanded document, no
PyLD (not even imported). Whatever is outside that (`Unsupported`) goes through PyLD (jsonld.compact_jsonld),
and the tests compare both paths byte for byte.

The result is PyLD's compaction of pyoxigraph's expanded JSON-LD of the quads (rdf:type as @type when every
value is a node), with canonical booleans and integers as JSON values (jsonld.native_values).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
NATIVE_TYPES = frozenset(("xsd:boolean", _XSD + "boolean", "xsd:integer", _XSD + "integer"))
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,14}")  # and within JSON's exact integers (2^53)
_PREFIX_IRI = re.compile(r".*[:/?#\[\]@]$")  # ends with a gen-delim: a simple term's "prefix flag" (PyLD's test)
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+\-.]*:\S*")  # PyLD's test, without the blank-node form
_HEAD = re.compile(r".*[:/?#\[\]@]")  # an IRI up to its last gen-delim
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")

# How a literal's compacted value is built (a plan's shape)
_PLAIN, _TYPED, _TAGGED = 0, 1, 2


class Unsupported(Exception):
    """The context or the graph has something this compactor does not handle: PyLD compacts it."""


def native(text: str, datatype: str):
    """The JSON value of a canonical xsd:boolean or xsd:integer lexical form, else None (a non-canonical form
    such as "1" or "007" would come back as a different literal: it keeps its string form)."""
    if datatype.endswith("boolean"):
        return {"true": True, "false": False}.get(text)
    return int(text) if _CANONICAL_INTEGER.fullmatch(text) else None


class _Term(NamedTuple):
    iri: str
    type: str | None  # an expanded datatype IRI, or "@id"
    language: str | None  # lowercased, as PyLD keeps it


def _definitions(ctx) -> dict[str, _Term]:
    """The term definitions of `ctx` as PyLD would create them, or Unsupported."""
    if not isinstance(ctx, dict) or not ctx:
        raise Unsupported("not a non-empty context object")
    for term in ctx:
        if not term or term[0] == "@" or term == "_" or ":" in term or "/" in term:
            raise Unsupported(f"term {term!r}")

    def expand(value, through_prefix: bool = True) -> str:
        """PyLD's expansion of an IRI in a term definition, for the forms accepted here."""
        if not isinstance(value, str) or ":" not in value or value[0] == "@":
            raise Unsupported(f"IRI {value!r}")
        prefix, suffix = value.split(":", 1)
        if prefix != "_" and suffix.startswith("//") and _ABSOLUTE_IRI.fullmatch(value):
            return value  # absolute, whatever the context says about its scheme
        if prefix in ctx and through_prefix and isinstance(ctx[prefix], str):
            base = expand(ctx[prefix], through_prefix=False)
            if _PREFIX_IRI.match(base):
                return base + suffix
        elif prefix not in ctx and prefix != "_" and _ABSOLUTE_IRI.fullmatch(value):
            return value
        raise Unsupported(f"IRI {value!r}")

    terms = {}
    for term, value in ctx.items():
        if isinstance(value, str):
            terms[term] = _Term(expand(value), None, None)
            continue
        if not isinstance(value, dict) or "@id" not in value or not set(value) <= {"@id", "@type", "@language"} \
                or len(value) == 3:
            raise Unsupported(f"term definition of {term!r}")
        kind, language = value.get("@type"), value.get("@language")
        if kind is not None and kind != "@id":
            kind = expand(kind)
        if "@language" in value and not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
            raise Unsupported(f"language of {term!r}")
        terms[term] = _Term(expand(value["@id"]), kind, language.lower() if language else None)
    return terms


class DirectCompactor:
    """Compacts sorted quads with one context. Its choices (term and shape per property and kind of value) are
    kept between documents; the IRI compactions of one document are not (they grow with the graph)."""

    def __init__(self, ctx: dict):
        self.ctx = ctx
        self.terms = _definitions(ctx)
        # PyLD's prefix flag: a simple (string) term whose IRI ends with a gen-delim character
        self.prefixes = [(term, d.iri) for term, d in self.terms.items()
                         if isinstance(ctx[term], str) and _PREFIX_IRI.match(d.iri)]
        # the inverse context (PyLD's _get_inverse_context, no containers): IRI -> kind -> preference -> term
        self.inverse: dict[str, dict[str, dict[str, str]]] = {}
        for term, d in sorted(self.terms.items(), key=lambda kv: (len(kv[0]), kv[0])):
            entry = self.inverse.setdefault(d.iri, {"@language": {}, "@type": {}})
            if d.type is not None:
                entry["@type"].setdefault(d.type, term)
            elif d.language is not None:
                entry["@language"].setdefault(d.language, term)
            else:
                entry["@language"].setdefault("@none", term)
                entry["@type"].setdefault("@none", term)
        # keys whose values jsonld.native_values would read as coerced: a native type, "" for another coercion
        self.coercion = {term: (value["@type"] if value["@type"] in NATIVE_TYPES else "")
                         for term, value in ctx.items() if isinstance(value, dict) and "@type" in value}
        self.literal_plans: dict[str, dict[str, tuple]] = {}  # property -> datatype or "@" + language -> plan
        self.reference_plans: dict[str, tuple[str, bool]] = {}  # property -> (term, wrapped in {"@id": ...})
        self._prefixes_of: dict[str, list] = {}  # an IRI's head -> the prefixes that start it
        # Quads come sorted by "<property>", PyLD sorts a node's properties by the IRI: the orders differ only
        # for IRIs such as ".../a" and ".../a#b" ('>' sorts after '#'). Nodes are sorted again only once two
        # properties seen so far disagree.
        self._properties: set[str] = set()
        self._reorder = False

    # IRI compaction (PyLD's _compact_iri for the contexts accepted) -----------------------------------------

    def _curie(self, iri: str) -> str:
        """The shortest, then least, CURIE of `iri`, else `iri` itself (never mistaken for a CURIE)."""
        # A prefix IRI ends with a gen-delim, so it starts `iri` exactly when it starts `iri` up to its last
        # gen-delim: the prefixes are looked up once per such head (a namespace), not once per IRI.
        head = _HEAD.match(iri)
        head = head.group() if head else ""
        prefixes = self._prefixes_of.get(head)
        if prefixes is None:
            if len(self._prefixes_of) > 10_000:  # the compactor outlives a document: keep this bounded
                self._prefixes_of.clear()
            prefixes = self._prefixes_of[head] = [(t, p) for t, p in self.prefixes if head.startswith(p)]
        candidate = None
        for term, prefix in prefixes:
            if iri != prefix:
                curie = term + ":" + iri[len(prefix):]
                if candidate is None or (len(curie), curie) < (len(candidate), candidate):
                    candidate = curie
        if candidate is not None:
            return candidate
        if any(iri.startswith(term + ":") for term, _ in self.prefixes):
            raise Unsupported(f"IRI {iri!r} reads as a CURIE")  # PyLD's "IRI confused with prefix" error
        return iri

    def _select(self, iri: str, kind: str, preferred: str) -> str:
        """The term for property (or type) `iri` and a value of `kind` ("@type" or "@language") and
        `preferred` type or language, else its CURIE or itself."""
        entry = self.inverse.get(iri)
        if entry is not None:
            choices = entry[kind]
            for preference in (preferred, "@none"):
                term = choices.get(preference)
                if term is not None:
                    return term
        return self._curie(iri)

    def _vocab(self, iri: str) -> str:
        """An IRI in a vocabulary position with no value (a @type): PyLD prefers a term coerced to @id."""
        return self._select(iri, "@type", "@id")

    # plans ------------------------------------------------------------------------------------------------

    def _literal_plan(self, prop: str, datatype: str, language: str | None) -> tuple:
        """(term, shape, datatype or language for the shape, native datatype or None) for every literal of
        `datatype` or `language` under `prop` (PyLD's _compact_value, then native_values)."""
        if language is not None:
            term = self._select(prop, "@language", language)
            definition = self.terms.get(term)
            if definition is not None and definition.type is None and definition.language == language:
                return term, _PLAIN, None, None
            return term, _TAGGED, language, None
        if datatype == _XSD_STRING:
            return self._select(prop, "@language", "@null"), _PLAIN, None, None
        term = self._select(prop, "@type", datatype)
        definition = self.terms.get(term)
        if definition is not None and definition.type == datatype:
            return term, _PLAIN, None, self.coercion.get(term) or None
        compacted = self._vocab(datatype)
        native_type = compacted if term not in self.coercion and compacted in NATIVE_TYPES else None
        return term, _TYPED, compacted, native_type

    def _reference_plan(self, prop: str) -> tuple[str, bool]:
        term = self._select(prop, "@type", "@id")
        definition = self.terms.get(term)
        return term, not (definition is not None and definition.type == "@id")

    # the document -----------------------------------------------------------------------------------------

    def document(self, quads) -> dict:
        """{"@context": the context, "@graph": one node object per subject} of `quads`, sorted as
        rdf.canonical_quads sorts them (a subject's quads together, a property's values in order)."""
        graph = []
        references: dict[str, str] = {}  # IRI -> its compacted form (vocab false), for this document
        vocab: dict[str, str] = {}  # type IRI -> its compacted form, for this document
        current = node_id = None
        types: list = []  # rdf:type values: (property, term, compacted value, type IRI or None for a literal)
        values: list = []  # other values: (property IRI, term, compacted value), in quad order
        literal_plans, reference_plans = self.literal_plans, self.reference_plans
        default_graph = DefaultGraph()
        for q in quads:
            subject = q.subject
            if subject != current:
                if current is not None:
                    graph.append(self._node(node_id, types, values, vocab))
                current = subject
                kind = type(subject)
                if kind is NamedNode:
                    node_id = references.get(subject.value) or self._reference(references, subject.value)
                elif kind is BlankNode:
                    node_id = "_:" + subject.value
                else:
                    raise Unsupported("a triple term as subject")
                types, values = [], []
            if q.graph_name != default_graph:
                raise Unsupported("a named graph")
            prop = q.predicate.value
            obj = q.object
            kind = type(obj)
            if kind is Literal:
                language = obj.language
                if language is not None:
                    if obj.direction is not None:
                        raise Unsupported("a directional language string")
                    key = "@" + language
                else:
                    key = obj.datatype.value
                plans = literal_plans.get(prop)
                if plans is None:
                    plans = literal_plans[prop] = {}
                    self._new_property(prop)
                plan = plans.get(key)
                if plan is None:
                    plan = plans[key] = self._literal_plan(prop, key if language is None else None, language)
                term, shape, extra, native_type = plan
                text = obj.value
                if shape == _PLAIN:
                    value = text
                elif shape == _TYPED:
                    value = {"@type": extra, "@value": text}
                else:
                    value = {"@language": extra, "@value": text}
                if native_type is not None:
                    converted = native(text, native_type)
                    if converted is not None:
                        value = converted
                if prop == _RDF_TYPE:
                    types.append((prop, term, value, None))
                else:
                    values.append((prop, term, value))
                continue
            if kind is NamedNode:
                iri = obj.value
                compacted = references.get(iri) or self._reference(references, iri)
            elif kind is BlankNode:
                iri = compacted = "_:" + obj.value
            else:
                raise Unsupported("a triple term")
            plan = reference_plans.get(prop)
            if plan is None:
                plan = reference_plans[prop] = self._reference_plan(prop)
                self._new_property(prop)
            term, wrapped = plan
            if prop == _RDF_TYPE:
                types.append((prop, term, {"@id": compacted} if wrapped else compacted, iri))
            else:
                values.append((prop, term, {"@id": compacted} if wrapped else compacted))
        if current is not None:
            graph.append(self._node(node_id, types, values, vocab))
        return {"@context": self.ctx, "@graph": graph}

    def _new_property(self, prop: str) -> None:
        if prop not in self._properties:
            self._reorder = self._reorder or any((prop < other) != (f"<{prop}>" < f"<{other}>")
                                                 for other in self._properties)
            self._properties.add(prop)

    def _reference(self, references: dict, iri: str) -> str:
        compacted = references[iri] = self._curie(iri)
        return compacted

    def _node(self, node_id: str, types: list, values: list, vocab: dict) -> dict:
        node = {"@id": node_id}
        if types:
            if all(t[3] is not None for t in types):  # every value a node: @type, as the JSON-LD writer does
                compacted = [vocab.get(t[3]) or vocab.setdefault(t[3], self._vocab(t[3])) for t in types]
                node["@type"] = compacted[0] if len(compacted) == 1 else compacted
            else:  # rdf:type stays a property, in its place among the others
                values = sorted(values + [t[:3] for t in types], key=_property)
        if self._reorder and len(values) > 1:
            previous = values[0][0]
            for v in values:
                if v[0] < previous:  # not in PyLD's order (by expanded property IRI): sort, stably
                    values.sort(key=_property)
                    break
                previous = v[0]
        for _, term, value in values:
            existing = node.get(term)
            if existing is None:
                node[term] = value
            elif type(existing) is list:
                existing.append(value)
            else:
                node[term] = [existing, value]
        return node


def _property(value: tuple) -> str:
    return value[0]
