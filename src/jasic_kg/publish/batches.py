"""Batches for `push`: N-Triples of about BATCH_TRIPLES triples, a blank-node structure never split."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pyoxigraph import BlankNode, RdfFormat, Triple, serialize

from jasic_kg.errors import InputError

BATCH_TRIPLES = 50_000  # per Graph Store request
# per SPARQL Update request: Virtuoso 7.2 compiles an INSERT to SQL and refuses more than 10,000 lines of it
# (measured: 1,000 triples pass, 2,000 fail with SP031)
UPDATE_BATCH_TRIPLES = 1_000


def batches(triples: Sequence[Triple], size: int = BATCH_TRIPLES) -> list[list[Triple]]:
    """`triples` in batches of about `size`, the triples linked by blank nodes always in the same batch (a batch
    grows past `size` only for a bigger blank-node structure)."""
    if size < 1:
        raise InputError("the batch size must be at least 1")
    parent: dict = {}

    def root(b):
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]  # path halving
            b = parent[b]
        return b

    plain, linked = [], []
    for t in triples:
        nodes = [x for x in (t.subject, t.object) if isinstance(x, BlankNode)]
        if not nodes:
            plain.append(t)
            continue
        linked.append((t, nodes[0]))
        if len(nodes) == 2:
            a, b = root(nodes[0]), root(nodes[1])
            if a != b:
                parent[a] = b
    groups: dict = {}
    for t, node in linked:
        groups.setdefault(root(node), []).append(t)
    out, current = [], []
    for group in [*groups.values(), *([t] for t in plain)]:
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current or not out:
        out.append(current)
    return out


def ntriples(triples: Iterable[Triple]) -> bytes:
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""
