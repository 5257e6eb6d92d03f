"""Blank-node canonicalisation (RDFC-1.0, https://www.w3.org/TR/rdf-canon/) with bounded work.

RDFC-1.0 labels most blank nodes from their own quads ("first degree"). Only blank nodes that look alike at
first degree need the Hash N-Degree Quads algorithm, which recurses along paths of blank nodes and tries every
permutation of alike neighbours: exponential on a small clique, cubic and as deep as the graph on a chain.
pyoxigraph's implementation has no bound (as reported, a 3 KB clique of 12 blank nodes took 15 GB; a chain of
200,000 blank nodes overflowed the stack), and runs in native code that neither a timeout nor Ctrl-C can stop.

So: when every blank node is told apart at first degree, or the blank nodes linked by quads form groups of at
most SMALL_COMPONENT (the n-degree work is then a constant per blank node), pyoxigraph canonicalises. Otherwise this module runs the same algorithm in Python, counting its Hash N-Degree Quads calls (section
4.8) and permutations against MAX_DEEP_STEPS and its recursion against MAX_DEPTH, as the spec's security
considerations on "poison" graphs advise. It checks a deadline on each step and stops on Ctrl-C. Past the
bound, `canonical_labels` raises CanonicalizationLimit and the caller falls back to `fallback_labels`:
deterministic for the same input, but not canonical.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from itertools import permutations

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, DefaultGraph, Quad, Triple

from jasic_kg.errors import InputError

# Measured: a chain of 199 blank nodes reaches 100,000 steps in 2.0 s, a clique of 12 in 0.9 s; the shipped graph
# needs 144 steps, the benchmark graphs none (no blank nodes).
MAX_DEEP_STEPS = 100_000
MAX_DEPTH = 200  # recursion depth of Hash N-Degree Quads (a chain of blank nodes recurses along its length)


_A, _Z = BlankNode("a"), BlankNode("z")


class CanonicalizationLimit(Exception):
    """The graph's blank nodes need more work than the bound allows to be labelled canonically."""


def canonicalize(quads: Sequence[Quad], *, deadline: float | None = None, timeout: float | None = None,
                 max_steps: int = MAX_DEEP_STEPS) -> tuple[list[Quad], bool]:
    """(the quads with their blank nodes relabelled, whether the labels are canonical).

    `deadline` (time.monotonic()) bounds the work: past it, InputError naming `timeout`."""
    quads = list(dict.fromkeys(quads))
    state = None if _small_components(quads) else _State(quads)
    if state is None or not state.shared:  # pyoxigraph's own code, where its work is bounded
        ds = Dataset(quads)
        ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        return list(ds), True
    try:
        labels = state.canonical_labels(deadline, timeout, max_steps)
        canonical = True
    except CanonicalizationLimit:
        labels = state.fallback_labels()
        canonical = False
    replacement = {node: BlankNode(label) for node, label in labels.items()}
    return [_relabel(q, replacement) for q in quads], canonical


SMALL_COMPONENT = 4  # blank nodes linked by quads: in groups this small, Hash N-Degree Quads is cheap


def _small_components(quads: Sequence[Quad]) -> bool:
    """Whether the blank nodes linked to each other by quads form groups of at most SMALL_COMPONENT (and no
    quoted triples). Hash N-Degree Quads only explores a blank node's group: its permutations and recursion are
    then bounded by a constant per blank node, so pyoxigraph's unbounded implementation is safe to run (the
    shipped graph's Web Annotation selectors come in pairs; Python's run of the same algorithm took twice as
    long)."""
    group: dict[BlankNode, list[BlankNode]] = {}
    for q in quads:
        subject, obj, graph = q.subject, q.object, q.graph_name
        if type(obj) is Triple or type(subject) is Triple:
            return False
        nodes = [t for t in (subject, obj, graph) if type(t) is BlankNode]
        if len(nodes) < 2:
            continue
        merged = group.get(nodes[0]) or [nodes[0]]
        for node in nodes[1:]:
            other = group.get(node) or [node]
            if other is not merged:
                merged.extend(n for n in other if n not in merged)
        if len(merged) > SMALL_COMPONENT:
            return False
        for node in merged:
            group[node] = merged
    return True


def _blank_nodes(term) -> Iterable[BlankNode]:
    # loops, not recursion: triple terms nest (in their object only) up to the input's nesting limit
    while isinstance(term, Triple):
        if isinstance(term.subject, BlankNode):
            yield term.subject
        term = term.object
    if isinstance(term, BlankNode):
        yield term


def _replace(term, mapping):
    if isinstance(term, BlankNode):
        return mapping(term)
    if not isinstance(term, Triple):
        return term
    chain = []
    while isinstance(term, Triple):
        chain.append(term)
        term = term.object
    inner = mapping(term) if isinstance(term, BlankNode) else term
    for t in reversed(chain):
        subject = mapping(t.subject) if isinstance(t.subject, BlankNode) else t.subject
        inner = Triple(subject, t.predicate, inner)
    return inner


def _relabel(q: Quad, replacement: dict[BlankNode, BlankNode]) -> Quad:
    subject, obj, graph = q.subject, q.object, q.graph_name
    if type(obj) is Triple or type(subject) is Triple:
        return Quad(_replace(subject, replacement.__getitem__), q.predicate, _replace(obj, replacement.__getitem__),
                    _replace(graph, replacement.__getitem__))
    return Quad(replacement[subject] if type(subject) is BlankNode else subject, q.predicate,
                replacement[obj] if type(obj) is BlankNode else obj,
                replacement[graph] if type(graph) is BlankNode else graph)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    """RDFC-1.0's identifier issuer (section 4.5)."""

    __slots__ = ("prefix", "issued", "order")

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.issued: dict[BlankNode, str] = {}
        self.order: list[BlankNode] = []

    def issue(self, node: BlankNode) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{len(self.order)}"
            self.order.append(node)
        return label

    def copy(self) -> _Issuer:
        other = _Issuer(self.prefix)
        other.issued = dict(self.issued)
        other.order = list(self.order)
        return other


class _State:
    """The canonicalisation state of RDFC-1.0 section 4.4.3, as pyoxigraph (oxrdf) implements it: the same
    serialisation of quads (pyoxigraph's own N-Quads text) and the same positions for quoted triples."""

    def __init__(self, quads: list[Quad]):
        self.quads_of: dict[BlankNode, list[Quad]] = defaultdict(list)
        # Cheap first: per blank node, its quads as term tuples with itself as _:a and other blank nodes as _:z:
        # equal for two blank nodes exactly when their first-degree texts are. All unique (most graphs): all
        # first-degree hashes unique, so pyoxigraph labels them, and nothing is serialised or hashed here.
        marked: dict[BlankNode, list] = defaultdict(list)
        for q in quads:
            subject, predicate, obj, graph = q.subject, q.predicate, q.object, q.graph_name
            if isinstance(obj, Triple):
                nodes = dict.fromkeys([*_blank_nodes(subject), *_blank_nodes(obj), *_blank_nodes(graph)])
                for node in nodes:
                    self.quads_of[node].append(q)
                    marked[node].append(self._marked(q, node))
                continue
            # the common case, inline: a subject, object or graph name that is a blank node
            s_blank, o_blank, g_blank = (type(subject) is BlankNode, type(obj) is BlankNode,
                                         type(graph) is BlankNode)
            nodes = [subject] if s_blank else []
            if o_blank and obj not in nodes:
                nodes.append(obj)
            if g_blank and graph not in nodes:
                nodes.append(graph)
            for node in nodes:
                self.quads_of[node].append(q)
                marked[node].append(((_A if subject == node else _Z) if s_blank else subject, predicate,
                                     (_A if obj == node else _Z) if o_blank else obj,
                                     (_A if graph == node else _Z) if g_blank else graph))
        seen, self.shared = set(), False
        for parts in marked.values():
            key = parts[0] if len(parts) == 1 else frozenset(Counter(parts).items())
            if key in seen:
                self.shared = True
                break
            seen.add(key)
        self.first_degree: dict[BlankNode, str] = {}
        self.by_hash: dict[str, list[BlankNode]] = {}
        if self.shared:
            by_hash: dict[str, list[BlankNode]] = defaultdict(list)
            for node in self.quads_of:
                by_hash[self._hash_first_degree(node)].append(node)
            self.by_hash = dict(sorted(by_hash.items()))

    @staticmethod
    def _marked(q: Quad, node: BlankNode) -> tuple:
        def mark(term):
            if isinstance(term, BlankNode):
                return _A if term == node else _Z
            if isinstance(term, Triple):
                return _replace(term, lambda b: _A if b == node else _Z)
            return term
        return mark(q.subject), q.predicate, mark(q.object), mark(q.graph_name)

    def _hash_first_degree(self, node: BlankNode) -> str:
        known = self.first_degree.get(node)
        if known is not None:
            return known

        def text(term) -> str:  # pyoxigraph's N-Quads form, with the blank nodes marked as RDFC-1.0 says
            if isinstance(term, BlankNode):
                return "_:a" if term == node else "_:z"
            if isinstance(term, Triple):
                return f"<<( {_replace(term, lambda b: _A if b == node else _Z)} )>>"
            return str(term)

        lines = []
        for q in self.quads_of[node]:
            graph = q.graph_name
            end = " .\n" if isinstance(graph, DefaultGraph) else f" {text(graph)} .\n"
            lines.append(f"{text(q.subject)} {q.predicate} {text(q.object)}{end}")
        lines.sort()
        digest = self.first_degree[node] = _sha256("".join(lines))
        return digest

    # RDFC-1.0 section 4.4.3 ------------------------------------------------------------------------------

    def canonical_labels(self, deadline, timeout, max_steps) -> dict[BlankNode, str]:
        self.canonical = _Issuer("c14n")
        self.steps = 0
        self.max_steps = max_steps
        self.deadline, self.timeout = deadline, timeout
        shared = []
        for digest, nodes in self.by_hash.items():
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            results = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                issuer = _Issuer("b")
                issuer.issue(node)
                results.append(self._hash_n_degree(node, issuer, 1))
            for _, issuer in sorted(results, key=lambda r: r[0]):
                for existing in issuer.order:
                    self.canonical.issue(existing)
        return self.canonical.issued

    def _step(self, depth: int) -> None:
        self.steps += 1
        if self.steps > self.max_steps or depth > MAX_DEPTH:
            raise CanonicalizationLimit()
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise InputError(f"the export did not finish within {self.timeout:g} s (raise the limit with --timeout)")

    def _hash_related(self, related: BlankNode, q: Quad, issuer: _Issuer, position: str) -> str:
        text = position if position == "g" else f"{position}<{q.predicate.value}>"
        label = self.canonical.issued.get(related) or issuer.issued.get(related)
        text += f"_:{label}" if label is not None else self._hash_first_degree(related)
        return _sha256(text)

    def _hash_n_degree(self, node: BlankNode, issuer: _Issuer, depth: int) -> tuple[str, _Issuer]:
        """RDFC-1.0 section 4.8, with every call and permutation counted against the bound."""
        self._step(depth)
        issuer = issuer.copy()
        related_by_hash: dict[str, dict[BlankNode, None]] = defaultdict(dict)

        def relate(component, q: Quad, position: str) -> None:
            if isinstance(component, BlankNode) and component != node:
                related_by_hash[self._hash_related(component, q, issuer, position)][component] = None

        for q in self.quads_of[node]:
            relate(q.subject, q, "s")
            relate(q.object, q, "o")
            if isinstance(q.object, Triple):  # RDF 1.2 triple terms, the positions oxrdf uses
                relate(q.object.subject, q, "os")
                relate(q.object.object, q, "oo")
            relate(q.graph_name, q, "g")
        data = []
        for related_hash, nodes in sorted(related_by_hash.items()):
            data.append(related_hash)
            chosen_path, chosen_issuer = "", None
            for permutation in permutations(nodes):
                self._step(depth)
                issuer_copy = issuer.copy()
                path, recursion, skip = "", [], False
                for related in permutation:
                    label = self.canonical.issued.get(related)
                    if label is None:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        label = issuer_copy.issue(related)
                    path += "_:" + label
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, result_issuer = self._hash_n_degree(related, issuer_copy, depth + 1)
                    path += f"_:{issuer_copy.issue(related)}<{result_hash}>"
                    issuer_copy = result_issuer
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, issuer_copy
            data.append(chosen_path)
            issuer = chosen_issuer
        return _sha256("".join(data)), issuer

    # past the bound ----------------------------------------------------------------------------------------

    def fallback_labels(self, rounds: int = 8) -> dict[BlankNode, str]:
        """Labels in the order of a few rounds of colour refinement (each blank node's colour is refined by
        its neighbours' colours), ties broken by first appearance in the input. Deterministic for the same
        input and linear in its size, but two graphs that differ only in blank-node labels may be told apart."""
        nodes = list(self.quads_of)
        index = {node: i for i, node in enumerate(nodes)}
        # per node: (predicate, the blank nodes of the quad as indexes, itself as -1), computed once
        around = [[(q.predicate.value, tuple(-1 if b == node else index[b]
                                             for t in (q.subject, q.object, q.graph_name) for b in _blank_nodes(t)))
                   for q in self.quads_of[node]] for node in nodes]
        colour = _ranks([self.first_degree[node] for node in nodes])
        for _ in range(rounds):
            refined = _ranks([(colour[i], tuple(sorted((p, tuple(-1 if b < 0 else colour[b] for b in bs))
                                                       for p, bs in edges)))
                              for i, edges in enumerate(around)])
            if max(refined, default=0) == max(colour, default=0):
                break  # no class split: stable
            colour = refined
        ranked = sorted(range(len(nodes)), key=lambda i: (colour[i], i))
        return {nodes[i]: f"b{n}" for n, i in enumerate(ranked)}  # not c14n: these labels are not canonical


def _ranks(keys: list) -> list[int]:
    """Each key's rank among the distinct keys: the same keys give the same ranks in every run."""
    order = {key: rank for rank, key in enumerate(sorted(set(keys)))}
    return [order[key] for key in keys]


__all__ = ["canonicalize", "CanonicalizationLimit", "MAX_DEEP_STEPS", "MAX_DEPTH"]
