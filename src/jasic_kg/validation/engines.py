"""The SHACL engines behind `validate --engine`: the native SPARQL-compiled engine (shacl_native) and pySHACL,
the reference. Both return ValidationFindings in pyoxigraph terms; ENGINES is the registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyoxigraph import NamedNode, Store

from jasic_kg.errors import InputError
from jasic_kg.terms import PREFIXES, show
from jasic_kg.validation.report import SEVERITIES, ValidationFinding


def _to_rdflib_graph(store: Store):
    import rdflib

    from jasic_kg.terms import to_rdflib

    g = rdflib.Graph()
    for q in store:
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _sev(term) -> str:
    """The severity's local name (an rdflib term or an IRI string)."""
    name = str(term).rsplit("#", 1)[-1] if term is not None else "Violation"
    return name if name in SEVERITIES else "Violation"


def rdfs_entailed(graph):
    """The graph with its RDFS entailments (owlrl), keeping every literal exactly as stated.

    owlrl's closure is generalised RDF and rewrites literals through their values: it adds triples about literals
    ("..." a xsd:string), writes "true"^^xsd:boolean back as "1"^^xsd:integer beside the original and mixes up
    "x"@en with "x", which made every boolean and single-valued shape fail. In RDFS a literal object is only
    entailed by rdfs7 (subproperty), unchanged, so a literal-valued entailment is kept only when the subject
    states that very literal (lexical form, datatype, language) with the property or one of its subproperties."""
    import owlrl
    import rdflib

    def key(literal):
        return str(literal), literal.datatype, literal.language

    closed = rdflib.Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(closed)
    stated = {}  # (subject, literal) -> the properties that state it
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal):
            stated.setdefault((s, key(o)), set()).add(p)
    sub_property = rdflib.RDFS.subPropertyOf
    out = rdflib.Graph()
    for triple in graph:
        out.add(triple)
    for s, p, o in closed:
        if isinstance(s, rdflib.Literal):
            continue
        if isinstance(o, rdflib.Literal) and not any(
                q == p or (q, sub_property, p) in closed for q in stated.get((s, key(o)), ())):
            continue
        out.add((s, p, o))
    return out


def run_pyshacl(data: Store, shapes: Store, inference: str = "none") -> list[ValidationFinding]:
    """pySHACL, the reference engine (the one adapter: shacl_native.run_pyshacl, which the native engine also
    uses for the shapes it cannot compile)."""
    from jasic_kg.validation import shacl_native

    graph = _to_rdflib_graph(data)
    if inference == "rdfs":
        graph = rdfs_entailed(graph)
    return [_finding(f) for f in shacl_native.run_pyshacl(graph, _to_rdflib_graph(shapes))]


def _finding(f) -> ValidationFinding:
    """A shacl_native.Finding (rdflib terms, as both engines give them) as a ValidationFinding (pyoxigraph terms)."""
    from jasic_kg.terms import from_rdflib

    return ValidationFinding("shacl", _sev(f.severity), f.message or "", focus=from_rdflib(f.focus_node),
                             path=from_rdflib(f.result_path), value=from_rdflib(f.value),
                             shape=from_rdflib(f.source_shape), component=from_rdflib(f.constraint_component))


def run_native(data: Store, shapes: Store, inference: str = "none", fallback: list | None = None,
               shape_quads: list | None = None, shape_paths: Sequence = ()) -> list[ValidationFinding]:
    """The SPARQL-compiled engine (compiled.py; compiled by shacl_compiler, cached by shapes_cache), in pyoxigraph
    terms throughout.
    `shape_quads`: the shapes' quads as parsed (validate.read_shapes) from the files `shape_paths`, which lets the
    compiled shapes come from the cache; without them the shapes are compiled here. The shapes it hands to pySHACL are appended to
    `fallback` as (shape, reason)."""
    if inference != "none":
        raise InputError("--inference rdfs needs --engine pyshacl (the native engine validates the graph as stated)")
    from jasic_kg.validation import compiled, shapes_cache

    if shape_quads is None:
        shapes_compiled = shapes_cache.compile_quads(list(shapes), use_cache=False)
    else:
        shapes_compiled = shapes_cache.compile_quads(shape_quads, paths=shape_paths)
    result = compiled.run(data, shapes_compiled)
    findings = [ValidationFinding("shacl", _sev(c.severity.value if c.severity is not None else None), c.message,
                                  focus=focus, path=path if path is not None else c.path, value=value,
                                  shape=c.shape, component=NamedNode(c.component))
                for c, focus, value, path in result.rows]
    if result.fallback:
        from jasic_kg.terms import to_rdflib
        from jasic_kg.validation import shacl_native

        if fallback is not None:
            fallback.extend((show(shape, PREFIXES), reason) for shape, reason in result.fallback)
        findings += [_finding(f) for f in shacl_native.run_pyshacl(
            _to_rdflib_graph(data), _to_rdflib_graph(shapes), only_shapes={to_rdflib(s) for s, _ in result.fallback})]
    findings.sort(key=_sort_key)
    return findings


# The order shacl_native gives its findings in (the rdflib terms' type names and strings), kept for pyoxigraph terms.
_RDFLIB_KIND = {"NamedNode": "URIRef", "BlankNode": "BNode", "Literal": "Literal"}


def _sort_key(f: ValidationFinding) -> tuple:
    return tuple("" if t is None else f"{_RDFLIB_KIND[type(t).__name__]}:{t.value}"
                 for t in (f.focus, f.path, f.component, f.shape, f.value))


# name -> engine(data, shapes, inference) -> findings. --engine choices come from here.
ENGINES: dict[str, Callable[[Store, Store, str], list[ValidationFinding]]] = {
    "pyshacl": run_pyshacl,
    "native": run_native,
}
