"""Deterministic RDF: blank nodes with canonical labels (RDFC-1.0, https://www.w3.org/TR/rdf-canon/), quads
sorted, only the prefixes the output uses declared. Every RDF export and every serialised query result goes
through here."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    serialize,
)

from jasic_kg.export.canon import MAX_DEEP_STEPS, MAX_DEPTH, canonicalize
from jasic_kg.terms import PREFIXES, curie



# --- determinism ------------------------------------------------------------------------------------------

def canonical_quads(quads: Iterable[Quad | Triple], *, timeout: float | None = None) -> list[Quad]:
    """Quads with canonical blank-node labels, sorted: the same graph always serializes the same way.

    RDFC-1.0 labels a blank node from the quads that mention blank nodes only, so only those go through the
    canonicalizer (most of a big graph has none: copying it into a Dataset was most of an export's time).
    The canonicalizer's work is bounded (export/canon.py): past the bound the labels are deterministic but not
    canonical, and a warning says so; past `timeout` seconds, InputError."""
    plain, with_blank = [], []
    named = False
    for q in quads:
        if not isinstance(q, Quad):
            q = Quad(q.subject, q.predicate, q.object, DefaultGraph())
        graph = q.graph_name
        if type(graph) is not DefaultGraph:
            named = True
        # a quoted triple may hide a blank node: it goes to the canonicalizer too
        blank = isinstance(q.subject, (BlankNode, Triple)) or isinstance(q.object, (BlankNode, Triple)) or \
            isinstance(graph, BlankNode)
        (with_blank if blank else plain).append(q)
    if with_blank:
        deadline = None if timeout is None else time.monotonic() + timeout
        labelled, canonical = canonicalize(with_blank, deadline=deadline, timeout=timeout)
        if not canonical:
            sys.stderr.write(f"jasic-kg: warning: blank-node labels are NOT canonical: the graph's blank nodes "
                             f"need more than {MAX_DEEP_STEPS} steps (or recursion deeper than {MAX_DEPTH}) to "
                             "label canonically (RDFC-1.0); the output is deterministic for this input only\n")
        plain.extend(labelled)
    # The order is (graph, subject, predicate, object) as N-Quads terms. Within one graph that is the order of
    # the quad's own N-Quads text (str(q)): a term never continues another, except a blank-node label (or a
    # language tag) a longer one, and the space that follows it sorts before any character that could continue
    # it. One string per quad instead of four: a third of the time at a million quads.
    if named:
        return sorted(plain, key=_graph_then_text)
    return sorted(plain, key=str)


def _graph_then_text(q: Quad) -> tuple[str, str]:
    return str(q.graph_name), str(q)


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
