"""Validation in three stages, reported for people (or CI).

(a) syntax: every input file parsed strictly by pyoxigraph (FILE:LINE:COLUMN); a syntax error stops the run
    (exit 2) because validating a partial graph would report nonsense. The unchanged shipped graph is read from
    its cache entry instead (the N-Quads dump of the same strict parse, the one `query` reads).
(b) SHACL: data graph = ontology + vocabulary + data + the user's --data files; shapes = ontology/shapes/*.ttl.
    The engine is pluggable (ENGINES): the native SPARQL-compiled engine (shacl_native.py; default, several times
    faster, results proven identical to pySHACL's by tests/test_shacl_native.py) or pyshacl (the reference).
    Inference defaults to "none": SHACL's sh:targetClass and sh:class already follow rdfs:subClassOf in the data
    graph (https://www.w3.org/TR/shacl/#dfn-shacl-instance), and the ontology is in the data graph, so subclass
    instances are validated without inference; RDFS inference would also *add* rdf:type triples from
    rdfs:domain/range and so hide a missing type. "--inference rdfs" is there for users who want it.
(c) checks: each ontology/checks/*-violation.rq; every row it returns is a finding (ODK/ROBOT convention).
Plus meta-checks for the ways SHACL passes silently: a shape whose targets match no node, a jkg: class used in
the data that no shape covers, and IRIs in shapes files that look like a mistyped sh: namespace or term.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from jasic_kg.errors import InputError
from jasic_kg.io import resources
from jasic_kg.io.rdfio import DEFAULT_MAX_BYTES, check_file, load_graph, parser_input, rdf_format, read_quads
from jasic_kg.terms import RDF, SH
from jasic_kg.validation.checks import BUILTIN_CHECKS, check_findings, meta_findings
from jasic_kg.validation.engines import ENGINES, run_native
from jasic_kg.validation.report import ValidationFinding, ValidationReport

# --- the run ----------------------------------------------------------------------------------------------

def validate(data: Iterable[str | Path] = (), *, engine: str = "native", inference: str = "none",
             max_bytes: int = DEFAULT_MAX_BYTES, graph_files: list[Path] | None = None,
             shape_files: list[Path] | None = None, check_files: list[Path] | None = None,
             allow_contexts: Sequence[str] = (), progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Validate the shipped graph plus `data` files. Returns a report; the caller decides the exit code.
    `allow_contexts`: http(s) prefixes under which remote JSON-LD contexts of `data` files may be fetched.
    `progress`: called with a short note as each stage starts (the CLI shows them on a terminal)."""
    step = progress or (lambda note: None)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")
    if inference not in ("none", "rdfs"):
        raise InputError(f"unknown inference {inference!r} (none, rdfs)")
    user = [check_file(p, max_bytes) for p in data]  # a missing --data file is a usage error, not a finding
    graph = (resources.graph_files() if graph_files is None else list(graph_files)) + user
    shape_paths = resources.shape_files() if shape_files is None else list(shape_files)
    checks = resources.check_files() if check_files is None else list(check_files)
    report = ValidationReport(files=[str(p) for p in graph + shape_paths], engine=engine, inference=inference,
                              checks=[p.stem for p in checks] + [f"{name}-violation" for name in BUILTIN_CHECKS])

    # (a) syntax
    shipped = resources.graph_files() if graph_files is None else []
    data_store = _shipped_graph_cached(shipped, step)
    if data_store is None:
        data_store, unread = Store(), graph
    else:
        unread = user
    for path in unread:
        step(f"reading {Path(path).name}")
        try:
            # --max-bytes is the user's limit on their own files; the shipped ones keep the default
            checked = check_file(path, max_bytes if path in user else DEFAULT_MAX_BYTES)
            fmt = rdf_format(checked)
            # the store's loader: named graphs merged, as `query` and `stats` see them
            load_graph(data_store, checked, fmt, parser_input(checked, fmt, allow_contexts))
        except InputError as e:
            report.findings.append(syntax_finding(e))
    shapes_store, shape_files_of, shape_quads = read_shapes(shape_paths, report.findings, step, allow_contexts)
    report.triples = len(data_store)
    report.data, report.shapes_graph = data_store, shapes_store
    report.shapes = shape_count(shapes_store)
    if report.findings:
        return report  # a partial graph would give misleading SHACL results

    # (b) SHACL, (c) checks, meta
    report.findings += validate_store(data_store, shapes_store, engine=engine, inference=inference,
                                      check_files=checks, shape_files_of=shape_files_of,
                                      fallback=report.fallback_shapes, progress=step, shape_quads=shape_quads,
                                      shape_paths=shape_paths)
    return report


def _shipped_graph_cached(shipped: list[Path], step: Callable[[str], None]) -> Store | None:
    """The shipped graph from its cache entry, the one `query` and `stats` read (jasic_kg.loading: the validated
    N-Quads dump of the strictly parsed files, found by their stat signatures; 12 ms against 18 for the parse and
    the content checks); None when the cache is off or cannot be used, or a shipped file does not parse: then each
    file is read here, and a syntax error is reported with its place."""
    from jasic_kg.cache import CacheUnavailable, cache_enabled
    from jasic_kg.loading import Source, open_cached

    if not shipped or not cache_enabled():
        return None
    step(f"reading {', '.join(Path(p).name for p in shipped)}")
    try:
        return open_cached(None, [Source(Path(p), rdf_format(p), DEFAULT_MAX_BYTES, ()) for p in shipped])
    except (CacheUnavailable, InputError):
        return None


def syntax_finding(e: InputError) -> ValidationFinding:
    return ValidationFinding("syntax", "Violation", e.message, file=e.path, line=e.line, column=e.column)


def read_shapes(paths: Iterable[Path], findings: list, step: Callable[[str], None],
                allow_contexts: Sequence[str] = ()) -> tuple[Store, dict, list[Quad]]:
    """The shapes files in one store (named graphs merged), the file each IRI first appears in (for reports) and
    the quads in the order they were read (the key of the compiled shapes in the cache); a file that does not
    parse adds a syntax finding to `findings`."""
    shapes, shape_files_of, read = Store(), {}, []
    for path in paths:
        step(f"reading {Path(path).name}")
        try:
            quads = read_quads(path, DEFAULT_MAX_BYTES, allow_contexts=allow_contexts)
        except InputError as e:
            findings.append(syntax_finding(e))
            continue
        if rdf_format(path).supports_datasets:  # named graphs merged; a triples format has only the default graph
            quads = [Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads]
        shapes.extend(quads)
        read += quads
        for q in quads:
            for term in (q.subject, q.predicate, q.object):
                if isinstance(term, NamedNode):
                    shape_files_of.setdefault(term.value, str(path))
    return shapes, shape_files_of, read


def shape_count(shapes: Store) -> int:
    """Node and property shapes: typed as such, or the object of an sh:property."""
    return len({q.subject for q in shapes.quads_for_pattern(None, NamedNode(RDF + "type"), None)
                if q.object.value in (SH + "NodeShape", SH + "PropertyShape")}
               | {q.object for q in shapes.quads_for_pattern(None, NamedNode(SH + "property"), None)})


def validate_store(data: Store, shapes: Store, *, engine: str = "native", inference: str = "none",
                   check_files: Iterable[Path] | None = None, shape_files_of: dict | None = None,
                   fallback: list | None = None, progress: Callable[[str], None] | None = None,
                   shape_quads: list[Quad] | None = None,
                   shape_paths: Sequence[Path] = ()) -> list[ValidationFinding]:
    """Stages (b) and (c) on a graph already loaded: SHACL `shapes` on `data`, the SPARQL checks (default: the
    shipped ontology/checks), the built-in checks and the meta-checks. `data` is any store with pyoxigraph's
    query interface; `fallback` collects the shapes the native engine handed to pySHACL, as (shape, reason);
    `shape_quads` (from read_shapes, of the files `shape_paths`) lets the native engine take the compiled shapes
    from the cache."""
    step = progress or (lambda note: None)
    checks = resources.check_files() if check_files is None else list(check_files)
    findings: list[ValidationFinding] = []
    if len(shapes):
        step(f"SHACL ({engine}) on {len(data)} triples")
        if engine == "native":
            findings += run_native(data, shapes, inference, fallback=fallback, shape_quads=shape_quads,
                                   shape_paths=shape_paths)
        else:
            findings += ENGINES[engine](data, shapes, inference)
    step(f"{len(checks)} check quer{'y' if len(checks) == 1 else 'ies'}")
    findings += check_findings(data, checks)
    for name, builtin in BUILTIN_CHECKS.items():
        step(f"check {name}")
        findings += builtin(data)
    step("meta checks")
    findings += meta_findings(data, shapes, shape_files_of or {})
    return findings


validate_graph = validate  # the public API name (jasic_kg.validation.validate is the module)
