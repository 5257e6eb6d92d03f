"""Deterministic RDF: blank nodes with canonical labels (RDFC-1.0, https://www.w3.org/TR/rdf-canon/), quads
sorted, only the prefixes the output uses declared. Every RDF export and every serialised query result goes
through here."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)

from jasic_kg.terms import PREFIXES, curie



# --- determinism ------------------------------------------------------------------------------------------

def canonical_quads(quads: Iterable[Quad | Triple]) -> list[Quad]:
    """Quads with canonical blank-node labels, sorted: the same graph always serializes the same way.

    RDFC-1.0 labels a blank node from the quads that mention blank nodes only, so only those go through the
    canonicalizer (most of a big graph has none: copying it into a Dataset was most of an export's time)."""
    plain, with_blank = [], []
    for q in quads:
        if not isinstance(q, Quad):
            q = Quad(q.subject, q.predicate, q.object, DefaultGraph())
        # a quoted triple may hide a blank node: it goes to the canonicalizer too
        blank = isinstance(q.subject, (BlankNode, Triple)) or isinstance(q.object, (BlankNode, Triple)) or \
            isinstance(q.graph_name, BlankNode)
        (with_blank if blank else plain).append(q)
    if with_blank:
        ds = Dataset(with_blank)
        ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        plain.extend(ds)
    return sorted(plain, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def used_prefixes(quads: Iterable[Quad]) -> dict[str, str]:
    """The prefixes of PREFIXES that some IRI of the quads (or a literal's datatype) is written with."""
    iris = set()  # distinct IRIs first: a million quads mention a few hundred thousand
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            if isinstance(term, NamedNode):
                iris.add(term.value)
            elif isinstance(term, Literal):
                iris.add(term.datatype.value)
    used = {c.split(":", 1)[0] for c in map(curie, iris) if c}
    return {p: ns for p, ns in PREFIXES.items() if p in used}


def _rdf(fmt: RdfFormat, quads_form: bool):
    def write(quads: list[Quad]) -> bytes:
        items = quads if quads_form else [q.triple for q in quads]
        prefixes = used_prefixes(quads) if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
        out = serialize(items, format=fmt, prefixes=prefixes)
        if prefixes and fmt != RdfFormat.RDF_XML:
            # Drop a declared prefix the serializer chose not to use (e.g. a local name it must escape).
            text = out.decode("utf-8")
            unused = [p for p in prefixes if f"{p}:" not in text.split("\n", len(prefixes))[-1]]
            if unused:
                out = serialize(items, format=fmt, prefixes={p: v for p, v in prefixes.items() if p not in unused})
        return out

    return write
