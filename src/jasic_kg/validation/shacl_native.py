"""A SHACL Core engine that compiles shapes to SPARQL and runs them on a pyoxigraph Store.

pySHACL walks the data graph node by node in Python; on a 1M-triple graph that takes about a minute. Here each
(shape, constraint) pair becomes one SPARQL SELECT whose rows are the validation results, evaluated by Oxigraph's
query engine (https://www.w3.org/TR/shacl/#core-components). Results are meant to be *identical* to pySHACL's
(same focus node, result path, value, source shape, constraint component and multiplicity);
tests/test_shacl_native.py checks that on every SHACL fixture of the project and on the benchmark data.

Parts: shacl_sparql (shapes-graph terms as SPARQL text, the compiled check), shacl_compiler (targets, paths,
nested shapes; compile_shapes), shacl_components (the registry: one compile function per constraint component,
with its section of the spec), compiled (the compiled shapes as data and their run on a store, without rdflib),
shapes_cache (the compiled shapes of `validate` in the cache folder), this module (the library's entry: results in
rdflib terms, the pySHACL adapter).

Supported: targets (targetNode, targetClass with rdfs:subClassOf*, implicit class targets, targetSubjectsOf,
targetObjectsOf), property paths (predicate, inverse, sequence, alternative, zeroOrMore, oneOrMore, zeroOrOne),
every SHACL Core constraint component (shacl_components.COMPONENTS), sh:message, sh:severity, sh:deactivated.

Anything else (SHACL-SPARQL constraints, custom components, recursive shapes, blank-node parameters, qualified
cardinalities above 3...) is not skipped: every top-level shape that uses it is validated by pySHACL instead
(`Report.fallback_shapes` names them), and so is a shape whose compiled query Oxigraph refuses.

Known, documented differences that come from the store rather than the engine: Oxigraph stores literals in
canonical form ("01"^^xsd:integer is "1", language tags lower-cased, "1"^^xsd:boolean is "true"), so a
non-canonical literal is reported in canonical form when the data comes from a file; when the data is an rdflib
Graph the original terms are restored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef

from jasic_kg.validation import compiled
from jasic_kg.validation.shacl_compiler import compile_shapes
from jasic_kg.validation.shacl_sparql import SH, NotCompilable, _bnode_id, _from_ox, _to_ox

__all__ = ["Finding", "Report", "run_shacl", "validate", "run_pyshacl", "NotCompilable"]


# --- results ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One validation result, with the fields of a SHACL validation result (rdflib terms, as pySHACL gives)."""

    focus_node: object
    result_path: object | None
    value: object | None
    source_shape: object
    constraint_component: URIRef
    severity: URIRef
    message: str | None = None

    def key(self) -> tuple:
        """The identity used to compare engines: (focus, path, component, shape, value)."""
        return (self.focus_node, self.result_path, self.constraint_component, self.source_shape, self.value)


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    fallback_shapes: list = field(default_factory=list)  # top-level shapes validated by pySHACL, with reasons
    queries: int = 0

    @property
    def conforms(self) -> bool:
        return not self.findings


# --- the engine ---------------------------------------------------------------------------------------------

def _load_shapes(shapes) -> rdflib.Graph:
    if isinstance(shapes, rdflib.Graph):
        return shapes
    g = rdflib.Graph()
    for p in ([shapes] if isinstance(shapes, (str, os.PathLike)) else shapes):
        g.parse(str(p))
    return g


class _Data:
    """The data graph as a pyoxigraph Store, plus what is needed to give results in rdflib terms."""

    def __init__(self, data):
        self.rdflib_graph = None
        self.restore = None
        self.paths: list[Path] = []
        if isinstance(data, ox.Store):
            self.store = data
        elif hasattr(data, "oxigraph") and isinstance(getattr(data, "oxigraph"), ox.Store):
            self.store = data.oxigraph  # jasic_kg.store.LocalStore
        elif hasattr(data, "quads_for_pattern") and hasattr(data, "query") and not isinstance(data, rdflib.Graph):
            self.store = data  # a store-like view of a SPARQL endpoint (validation/remote.py): the queries run there
        elif isinstance(data, rdflib.Graph):
            self.rdflib_graph = data
            self.store = ox.Store()
            self.restore = {}
            quads = []
            dg = ox.DefaultGraph()
            for s, p, o in data:
                quads.append(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), dg))
                for t in (s, o):
                    if isinstance(t, BNode):
                        self.restore[("b", _bnode_id(t))] = t
                    elif isinstance(t, Literal):
                        self.restore.setdefault(("l", str(_canon(_to_ox(t)))), t)
            self.store.extend(quads)
        else:
            paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
            self.paths = [Path(p) for p in paths]
            self.store = ox.Store()
            from jasic_kg.io.rdfio import load_graph, parser_input, rdf_format

            for p in self.paths:  # the toolkit's one loader: named graphs merged, as validate and the store do
                fmt = rdf_format(p)
                load_graph(self.store, p, fmt, parser_input(p, fmt), bulk=True)

    def graph(self) -> rdflib.Graph:
        """An rdflib view (only for shapes that pySHACL has to validate)."""
        if self.rdflib_graph is None:
            g = rdflib.Graph()
            if self.paths:
                for p in self.paths:
                    g.parse(str(p))
            else:
                for q in self.store:
                    g.add((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)))
            self.rdflib_graph = g
        return self.rdflib_graph


def _canon(t):
    """The literal as Oxigraph stores it (canonical lexical form)."""
    s = ox.Store()
    s.add(ox.Quad(ox.NamedNode("urn:x"), ox.NamedNode("urn:x"), t, ox.DefaultGraph()))
    return next(iter(s)).object


def validate(data, shapes) -> Report:
    """Validate `data` (paths, a pyoxigraph Store, a jasic_kg LocalStore or an rdflib Graph) against `shapes`
    (paths or an rdflib Graph). Returns a Report with every finding, sorted."""
    sg = _load_shapes(shapes)
    d = _Data(data)
    result = compiled.run(d.store, compile_shapes(sg))
    report = Report(queries=result.queries)
    for c, focus, value, path in result.rows:
        rp = path if path is not None else c.path
        report.findings.append(Finding(_from_ox(focus, d.restore), _from_rdf(rp, d.restore),
                                       _from_ox(value, d.restore), c.shape, URIRef(c.component), c.severity,
                                       c.message))
    if result.fallback:
        report.fallback_shapes = result.fallback
        report.findings.extend(run_pyshacl(d.graph(), sg, only_shapes={s for s, _ in result.fallback}))
    report.findings.sort(key=_sort_key)
    return report


def _from_rdf(t, restore):
    if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return _from_ox(t, restore)
    return t


def _sort_key(f: Finding):
    return tuple("" if x is None else f"{type(x).__name__}:{x}" for x in f.key())


def run_shacl(data, shapes) -> list[Finding]:
    """The engine hook for jasic_kg.validation.validate: findings of `data` against `shapes`, as pySHACL would give."""
    return validate(data, shapes).findings


# --- pySHACL, used for fallback and as the reference in tests ----------------------------------------------------

def run_pyshacl(data_graph: rdflib.Graph, shapes_graph: rdflib.Graph, only_shapes: set | None = None) -> list[Finding]:
    """pySHACL's own evaluation (the same `Shape.validate` calls as `pyshacl.validate`), with the result terms as
    they are in the data and shapes graphs (pyshacl's report graph would copy blank nodes under new ids)."""
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    dg = DataGraph.from_rdflib(data_graph)
    v = Validator(dg, shacl_graph=shapes_graph, options={"inference": "none"})
    executor = v.make_executor()
    out = []
    for s in v.shacl_graph.shapes:
        if only_shapes is not None and s.node not in only_shapes:
            continue
        _, reports = s.validate(executor, dg)
        for _desc, r_node, triples in reports:
            f = {}
            msgs = []
            for _s, p, o in triples:
                if _s != r_node:
                    continue  # sh:detail results nested under this one (sh:node) are not results of their own
                o = o[1] if isinstance(o, tuple) else o
                if p == SH.resultMessage:
                    msgs.append(str(o))
                else:
                    f[p] = o
            out.append(Finding(f.get(SH.focusNode), f.get(SH.resultPath), f.get(SH.value), f.get(SH.sourceShape),
                               f.get(SH.sourceConstraintComponent), f.get(SH.resultSeverity),
                               "; ".join(msgs) or None))
    out.sort(key=_sort_key)
    return out
