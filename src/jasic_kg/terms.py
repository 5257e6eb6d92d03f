"""Namespaces, CURIEs and RDF terms: turning user text into terms and terms into text for people.

Terms are pyoxigraph terms (NamedNode, BlankNode, Literal) throughout the toolkit; rdflib is imported only by
the modules that need it (pyshacl), through `to_rdflib` / `from_rdflib`.
"""

from __future__ import annotations

import re

from pyoxigraph import BlankNode, Literal, NamedNode

JKG = "https://w3id.org/jasic-kg/ontology#"
JID = "https://w3id.org/jasic-kg/id/"
JV = "https://w3id.org/jasic-kg/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"

# The article the graph is built from (its published address).
ARTICLE_URL = "https://madeinchinajournal.com/2020/06/25/leninists-in-a-chinese-factory"

# The project prefixes, as the ontology declares them (docs/model.md). CURIEs in --param, describe and every
# report use these; exports declare only the ones they use.
PREFIXES: dict[str, str] = {
    "jkg": JKG,
    "jid": JID,
    "jv": JV,
    "jsh": "https://w3id.org/jasic-kg/shapes#",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": OA,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "void": "http://rdfs.org/ns/void#",
    "sh": SH,
}
# The namespaces the project mints IRIs in; anything else is an external link (stats).
PROJECT_NAMESPACES = ("https://w3id.org/jasic-kg/",)

XSD_STRING = NamedNode(XSD + "string")
RDF_LANG_STRING = NamedNode(RDF + "langString")

# A conservative PN_LOCAL: what we are willing to print as prefix:local without escaping.
_LOCAL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$|^$")
_CURIE = re.compile(r"^([A-Za-z][A-Za-z0-9_.\-]*)?:(\S*)$")


_CURIES: dict[str, str | None] = {}  # curie(iri) with the project's prefixes: reports ask for the same IRIs often


def curie(iri: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    """Shortest prefix:local for an IRI, or None if no prefix fits."""
    if prefixes is PREFIXES:
        if iri not in _CURIES:
            if len(_CURIES) > 1_000_000:
                _CURIES.clear()
            _CURIES[iri] = _curie(iri, prefixes)
        return _CURIES[iri]
    return _curie(iri, prefixes)


def _curie(iri: str, prefixes: dict[str, str]) -> str | None:
    best = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]):
            if best is None or len(ns) > len(prefixes[best]):
                best = prefix
    return None if best is None else f"{best}:{iri[len(prefixes[best]):]}"


def expand_curie(text: str, prefixes: dict[str, str] = PREFIXES) -> str | None:
    m = _CURIE.match(text)
    if m and m.group(1) in prefixes:
        return prefixes[m.group(1)] + m.group(2)
    return None


_OPAQUE_SCHEMES = {"urn", "mailto", "tag", "doi", "isbn", "geo", "data"}


def to_iri(text: str) -> NamedNode:
    """An IRI from `<iri>`, an absolute IRI or a CURIE with a project prefix; ValueError otherwise."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    expanded = expand_curie(text)
    if expanded is not None:
        return NamedNode(expanded)
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", text)
    # "foo:bar" is a valid IRI, but far more often a CURIE with a mistyped prefix: accept a scheme without
    # "//" only when it is one that is used that way.
    if not m or (not text[m.end():].startswith("//") and m.group(1).lower() not in _OPAQUE_SCHEMES):
        raise ValueError(f"not an absolute IRI or a known CURIE: {text!r} (prefixes: {', '.join(PREFIXES)})")
    return NamedNode(text)  # pyoxigraph validates the IRI (RFC 3987) and raises ValueError


def looks_like_iri(text: str) -> bool:
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return True
    if expand_curie(text) is not None:
        return True
    return bool(re.match(r"^(https?|urn|file|mailto|tag):\S+$", text))


def show(term, prefixes: dict[str, str] = PREFIXES) -> str:
    """A term as a person reads it: CURIE or <IRI>, bare literal value, _:id."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return curie(term.value, prefixes) or f"<{term.value}>"
    if isinstance(term, Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return str(term)


def to_turtle(term, prefixes: dict[str, str] = PREFIXES) -> str:
    """A term in Turtle syntax, with CURIEs (pyoxigraph's str() already escapes literals correctly)."""
    if isinstance(term, NamedNode):
        return curie(term.value, prefixes) or str(term)
    if isinstance(term, Literal) and term.language is None and term.datatype != XSD_STRING:
        dt = curie(term.datatype.value, prefixes)
        if dt:
            return str(Literal(term.value)) + "^^" + dt
    return str(term)


def term_to_json(term) -> dict | None:
    """SPARQL 1.1 Query Results JSON term (https://www.w3.org/TR/sparql11-results-json/#select-encode-terms)."""
    if term is None:
        return None
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _bnode_label(label: str) -> str:
    """A valid blank node label for a server's own (Virtuoso: "nodeID://b10000"), the same for the same label."""
    if re.fullmatch(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?", label):
        return label
    return "x" + "".join(c if c.isascii() and (c.isalnum() or c == "_") else f"-{ord(c):x}-" for c in label)


def term_from_json(obj: dict):
    kind = obj["type"]
    if kind == "uri":
        return NamedNode(obj["value"])
    if kind == "bnode":
        return BlankNode(_bnode_label(obj["value"]))
    if "xml:lang" in obj:
        return Literal(obj["value"], language=obj["xml:lang"])
    if "datatype" in obj:
        value = obj["value"]
        if obj["datatype"] == XSD + "boolean":
            # Virtuoso writes booleans as "1"/"0" in JSON results (in N-Triples as true/false): the same values,
            # given in the canonical form every other store, and the local one, use
            value = _BOOLEAN_CANONICAL.get(value, value)
        return Literal(value, datatype=NamedNode(obj["datatype"]))
    return Literal(obj["value"])


_BOOLEAN_CANONICAL = {"1": "true", "0": "false"}


# --- rdflib bridge (only pyshacl needs rdflib; import it lazily) -------------------------------------------

def to_rdflib(term):
    import rdflib

    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype == XSD_STRING:  # rdflib keeps "x" and "x"^^xsd:string apart; RDF 1.1 does not
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def from_rdflib(term):
    import rdflib

    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return BlankNode(str(term))
    if term.language:
        return Literal(str(term), language=term.language)
    return Literal(str(term), datatype=NamedNode(str(term.datatype or XSD + "string")))
