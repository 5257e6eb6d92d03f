"""SHACL shapes as SPARQL text: shapes-graph terms written as SPARQL, the compiled check (one SELECT per
(shape, constraint)), and the error that sends a shape to pySHACL instead."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from jasic_kg.validation.compiled import NotCompilable  # noqa: F401  (defined without rdflib: the run raises it)


# --- term helpers -------------------------------------------------------------------------------------------

XSD_STRING = XSD.string
RDF_LANGSTRING = RDF.langString
# Datatypes Oxigraph can cast to: an ill-typed literal (which pySHACL rejects via rdflib's ill_typed) fails the
# cast. Other datatypes are checked in Python with rdflib's own well-formedness test.
_CASTABLE = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.dateTime, XSD.time}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def _n3(term) -> str:
    """A shapes-graph term as SPARQL text (bnodes cannot be referred to from a query)."""
    if isinstance(term, URIRef):
        s = str(term)
        if any(c in s for c in '<>"{}|^`\\ \n'):
            raise NotCompilable(f"IRI not expressible in SPARQL: {s!r}")
        return f"<{s}>"
    if isinstance(term, Literal):
        return str(_to_ox(term))
    raise NotCompilable(f"a blank node as a constraint parameter ({term})")


def _to_ox(t):
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(_bnode_id(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"not an RDF term: {t!r}")


def _bnode_id(b: BNode) -> str:
    s = str(b)
    return s if s.replace("_", "").replace("-", "").isalnum() and s[:1].isalpha() else "b" + s.encode().hex()


def _from_ox(t, restore: dict | None = None):
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        if restore is not None and ("b", t.value) in restore:
            return restore[("b", t.value)]
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if restore is not None:
            orig = restore.get(("l", str(t)))
            if orig is not None:
                return orig
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == str(XSD_STRING):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(dt))
    raise TypeError(f"unexpected term {t!r}")


@dataclass
class _Check:
    """One reportable constraint: `pattern` binds `focus` (and `value`, `keys`) once per validation result."""

    shape: object
    component: URIRef
    pattern: str
    focus: str
    value: str | None
    keys: tuple = ()
    path_var: str | None = None
    path: object = None
    # a datatype IRI: only the values that rdflib finds ill-typed for it are results (exotic datatypes; see
    # ill_typed), else None
    post: str | None = None



def _rdflib_validates(dt) -> bool:
    """Whether rdflib can find a literal of datatype dt ill-typed (probed with lexical forms no type accepts)."""
    return any(getattr(Literal(lex, datatype=dt), "ill_typed", None) for lex in ("-1 x", "x\u0000y", "?", ""))


def _is_stringish_term(lit: Literal) -> bool:
    return isinstance(lit.value, str) or (lit.datatype in (None, XSD_STRING) or bool(lit.language))
