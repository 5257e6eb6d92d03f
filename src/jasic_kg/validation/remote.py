"""`validate --endpoint`: the shipped shapes and checks run as SPARQL against a graph on a SPARQL endpoint.

The shapes (ontology/shapes/*.ttl) and the check queries (ontology/checks/*.rq) are read locally; the data is the
endpoint's default graph, or the named graph given (the SPARQL protocol's default-graph-uri). Nothing is downloaded
in bulk: the native engine's compiled SELECTs, the check queries and the meta-checks' ASKs run on the server, and
the Python-written checks (order-cycle, duplicate-label, definition-unquoted-term) fetch only the triples of the
properties they read.

`RemoteGraph` gives the engines the part of pyoxigraph's Store API they use (query, quads_for_pattern, len, iter)
over an EndpointStore, so the findings come from the same code as local ones and equal them on the same graph.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pyoxigraph import BlankNode, DefaultGraph, Quad

from jasic_kg.io import resources
from jasic_kg.io.rdfio import DEFAULT_MAX_BYTES
from jasic_kg.store import EndpointStore


class _Variable:
    def __init__(self, name: str):
        self.value = name


class _Row(dict):
    """A solution: row["x"] is the term bound to ?x, or None (as pyoxigraph's QuerySolution)."""

    def __missing__(self, key):
        return None


class _Solutions(list):
    def __init__(self, variables, rows):
        super().__init__(rows)
        self.variables = [_Variable(v) for v in variables]


class RemoteGraph:
    """The subset of pyoxigraph.Store the validators use, answered by a SPARQL endpoint."""

    def __init__(self, endpoint: EndpointStore):
        self.endpoint = endpoint

    def query(self, sparql: str, prefixes=None, **_ignored):
        # the endpoint store declares the project prefixes itself (the `prefixes` the local callers pass)
        result = self.endpoint.query(sparql)
        if result.kind == "ask":
            return bool(result.boolean)
        if result.kind == "graph":
            return result.triples
        return _Solutions(result.variables,
                          [_Row((v, t) for v, t in zip(result.variables, row) if t is not None) for row in result.rows])

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None) -> Iterator[Quad]:
        # A blank node of a result cannot be named in a later query (its label is the server's, and SPARQL reads
        # _:x in a query as a variable): nothing is found for it, as for any unknown node.
        if any(isinstance(t, BlankNode) for t in (subject, predicate, object)):
            return iter(())
        bound = {name: term for name, term in (("s", subject), ("p", predicate), ("o", object)) if term is not None}
        rows = self.endpoint.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", bound)
        return iter([Quad(r["s"], r["p"], r["o"], DefaultGraph()) for r in rows])

    def __iter__(self) -> Iterator[Quad]:
        return iter(self.endpoint.quads())

    def __len__(self) -> int:
        return self.endpoint.count()


def validate_endpoint(endpoint: str, *, graph: str | None = None, timeout: float = 60.0,
                      max_bytes: int = DEFAULT_MAX_BYTES, progress: Callable[[str], None] | None = None):
    """Validate the endpoint's graph (`graph`: a named graph, else the default graph) with the shipped shapes and
    checks, by the native engine. Returns a ValidationReport as `validate` does."""
    from jasic_kg.validation import validate as local
    from jasic_kg.validation.checks import BUILTIN_CHECKS
    from jasic_kg.validation.report import ValidationReport

    step = progress or (lambda note: None)
    remote = RemoteGraph(EndpointStore(endpoint, timeout=timeout, max_bytes=max_bytes, default_graph=graph))
    shape_paths, checks = resources.shape_files(), resources.check_files()
    where = f"{endpoint} (graph <{graph}>)" if graph else f"{endpoint} (default graph)"
    report = ValidationReport(
        files=[str(p) for p in shape_paths], engine=f"native, as SPARQL at {where}", inference="none",
        checks=[p.stem for p in checks] + [f"{name}-violation" for name in BUILTIN_CHECKS])
    shapes, shape_files_of, shape_quads = local.read_shapes(shape_paths, report.findings, step)
    if report.findings:
        return report
    step(f"counting the triples at {endpoint}")
    report.triples = len(remote)
    report.data, report.shapes_graph = remote, shapes
    report.shapes = local.shape_count(shapes)
    report.findings += local.validate_store(remote, shapes, check_files=checks, shape_files_of=shape_files_of,
                                            fallback=report.fallback_shapes, progress=step, shape_quads=shape_quads,
                                            shape_paths=shape_paths)
    return report


__all__ = ["RemoteGraph", "validate_endpoint"]
