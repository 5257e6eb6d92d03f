"""Compiled shapes: the SPARQL that the native SHACL engine builds from a shapes graph, kept as plain data, and the
run of it on a store.

Compiling needs rdflib (shacl_compiler reads the shapes graph with it) and takes longer than running the result on
the shipped graph, so `validate` keeps the compiled shapes in the project's cache (jasic_kg.cache), keyed by the
parsed shapes, the toolkit's version and the compiler's own source: a run whose shapes are unchanged imports
neither rdflib nor pySHACL. Running (`run`) is the same code whether the compiled shapes come from the cache or were
compiled a moment ago, so the two cannot give different results.

What depends on the data is left to the run: the subclasses of a target class (a query on the data, as the
compiler used to make) fill a placeholder in the target pattern, and a shape that Oxigraph refuses, or whose
classes have a blank-node subclass, goes to pySHACL as before.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode

from jasic_kg._version import __version__

RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
SH = "http://www.w3.org/ns/shacl#"
# The subclasses of the class numbered N go here in a target pattern (filled by the run, from the data).
_SUBCLASSES = "urn:jasic-kg:subclasses-of:{}"
CACHE_FORMAT = "jasic-kg compiled shapes v1"
_CACHE_FILE = "compiled.json"
_COMPILER_SOURCES = ("compiled.py", "shacl_sparql.py", "shacl_compiler.py", "shacl_components.py")


class NotCompilable(Exception):
    """A shape uses something this engine does not compile; the caller falls back to pySHACL."""


# what sends a shape to pySHACL, when compiling it or when Oxigraph runs its queries
_ERRORS = (NotCompilable, SyntaxError, OSError, ValueError)


@dataclass
class CompiledCheck:
    """One reportable constraint: `pattern` binds `focus` (and `value`, `keys`) once per validation result.
    Shapes-graph terms (shape, path, severity) are whatever terms the shapes graph was given in."""

    component: str  # IRI of the sh:sourceConstraintComponent
    shape: object
    pattern: str
    focus: str
    value: str | None
    keys: tuple
    path_var: str | None
    path: object
    post: str | None  # a datatype IRI: only values rdflib finds ill-typed for it are results (ill_typed)
    severity: object
    message: str

    def query(self, target: str) -> str:
        selected = [self.focus] + ([self.value] if self.value else []) + list(self.keys) \
            + ([self.path_var] if self.path_var else [])
        return f"SELECT DISTINCT {' '.join(dict.fromkeys(selected))} WHERE {{ {target} {self.pattern} }}"


@dataclass
class CompiledShape:
    """A top-level shape: its target pattern (None when it did not compile), the classes whose subclasses fill
    its placeholders (SPARQL text, placeholder number and whether a target needs it, in the order the compiler
    asked for them), its checks, or the reason it goes to pySHACL."""

    shape: object
    target: str | None
    classes: list[tuple[str, int, bool]]
    checks: list[CompiledCheck] = field(default_factory=list)
    not_compilable: str | None = None


@dataclass
class RunResult:
    rows: list = field(default_factory=list)  # (check, focus, value, path bound by the check or None), pyoxigraph
    fallback: list = field(default_factory=list)  # (shape, reason): validated by pySHACL instead
    queries: int = 0


# --- compiling (rdflib) --------------------------------------------------------------------------------------------

def compile_graph(graph) -> list[CompiledShape]:
    """The top-level shapes of the rdflib `graph`, compiled (terms stay the graph's rdflib terms)."""
    from rdflib import BNode, URIRef

    from jasic_kg.validation.shacl_compiler import _Compiler, _Shapes
    from jasic_kg.validation.shacl_sparql import _n3

    shapes = _Shapes(graph)
    compiler = _Compiler(shapes)
    numbers: dict[str, int] = {}
    out = []
    top = [s for s in shapes.nodes if shapes.has_targets(s) and not shapes.deactivated(s)]
    top.sort(key=lambda s: (isinstance(s, BNode), str(s)))
    for shape in top:
        classes: list[tuple[str, int, bool]] = []

        def subclasses(c, for_target=True, classes=classes):
            text = _n3(c)  # a blank node raises NotCompilable here, as the closure query did
            classes.append((text, numbers.setdefault(text, len(numbers)), for_target))
            return f"<{_SUBCLASSES.format(classes[-1][1])}>"

        compiler.subclasses = subclasses
        try:
            target = compiler.targets(shape, "?this", lambda c: [URIRef(subclasses(c)[1:-1])])
            if target is None:
                continue
            checks = compiler.checks(shape, "?this")
        except _ERRORS as e:
            out.append(CompiledShape(shape, None, classes, not_compilable=f"{type(e).__name__}: {e}"))
            continue
        compiled = []
        for c in checks:
            messages = shapes.messages(c.shape)
            compiled.append(CompiledCheck(
                str(c.component), c.shape, c.pattern, c.focus, c.value, tuple(c.keys), c.path_var, c.path, c.post,
                shapes.severity(c.shape),
                "; ".join(str(m) for m in messages) if messages else generic_message(str(c.component))))
        out.append(CompiledShape(shape, target, classes, compiled))
    return out


def generic_message(component: str) -> str:
    name = component.rsplit("#", 1)[-1].replace("ConstraintComponent", "")
    return f"{name} constraint violated"


# --- running (pyoxigraph only) -------------------------------------------------------------------------------------

def run(store, shapes: Iterable[CompiledShape]) -> RunResult:
    """Every compiled check of `shapes` on `store` (a pyoxigraph Store, or anything with its query method)."""
    result = RunResult()
    subclasses: dict[str, object] = {}  # class (SPARQL text) -> its subclasses as a VALUES list, or the error
    numbered: dict[int, tuple[str, object]] = {}  # placeholder number -> (class, subclasses)
    for shape in shapes:
        try:
            for text, number, for_target in shape.classes:
                if text not in subclasses:
                    subclasses[text] = _subclasses(store, text)
                    result.queries += 1
                numbered[number] = (text, subclasses[text])
                if for_target and isinstance(subclasses[text], NotCompilable):
                    raise subclasses[text]  # a blank node cannot be named: the shape goes to pySHACL, as before
            if shape.not_compilable:
                result.fallback.append((shape.shape, shape.not_compilable))
                continue
            rows = []
            for check in shape.checks:
                rows.append((check, _run_check(store, _fill(check.query(shape.target), numbered), check)))
                result.queries += 1
        except _ERRORS as e:
            result.fallback.append((shape.shape, f"{type(e).__name__}: {e}"))
            continue
        for check, found in rows:
            result.rows.extend((check, focus, value, path) for focus, value, path in found)
    return result


_PLACEHOLDER = re.compile(r"VALUES (\?\w+) \{ <urn:jasic-kg:subclasses-of:(\d+)> \}")


def _fill(query: str, numbered: dict) -> str:
    """The query with each placeholder's VALUES list written out. A class with a blank-node subclass (not named
    in a query) keeps the property path instead, in sh:class; a target with one never gets here."""
    if "urn:jasic-kg:subclasses-of:" not in query:
        return query

    def values(m):
        text, found = numbered[int(m.group(2))]
        if isinstance(found, NotCompilable):
            return f"{m.group(1)} <{RDFS_SUBCLASS_OF}>* {text} ."
        return f"VALUES {m.group(1)} {{ {found} }}"

    return _PLACEHOLDER.sub(values, query)


def _subclasses(store, class_text: str):
    """The class and its subclasses in the data, as the SPARQL text of a VALUES list (sorted as the compiler
    sorted them), or the NotCompilable error for a blank-node subclass (not given a name in a query)."""
    found = {r["c"] for r in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS_SUBCLASS_OF}>* {class_text} }}")}
    if class_text.startswith("<"):
        found.add(NamedNode(class_text[1:-1]))
    texts = []
    for term in sorted(found, key=lambda t: t.value):
        try:
            texts.append(term_sparql(term))
        except NotCompilable as e:
            return e
    return " ".join(texts)


def term_sparql(term) -> str:
    """A pyoxigraph term as SPARQL text (shacl_sparql._n3 for terms of the data)."""
    if isinstance(term, NamedNode):
        if any(c in term.value for c in '<>"{}|^`\\ \n'):
            raise NotCompilable(f"IRI not expressible in SPARQL: {term.value!r}")
        return f"<{term.value}>"
    if isinstance(term, BlankNode):
        raise NotCompilable(f"a blank node as a constraint parameter ({term.value})")
    return str(term)


def _run_check(store, query: str, check: CompiledCheck) -> list:
    out = []
    value_name = check.value[1:] if check.value else None
    focus_name, path_name = check.focus[1:], check.path_var[1:] if check.path_var else None
    for r in store.query(query):
        value = r[value_name] if value_name else None
        if check.post is not None and not ill_typed(value, check.post):
            continue
        out.append((r[focus_name], value, r[path_name] if path_name else None))
    return out


def ill_typed(value, datatype: str) -> bool:
    """Whether rdflib (and so pySHACL) finds the lexical form of the pyoxigraph literal `value` ill-typed for
    `datatype`. Only a shape with an exotic sh:datatype needs it: rdflib is imported then, not before."""
    from rdflib import Literal as RdflibLiteral, URIRef

    return getattr(RdflibLiteral(value.value, datatype=URIRef(datatype)), "ill_typed", None) is True


# --- the cache -----------------------------------------------------------------------------------------------------

def compile_quads(quads: list, *, use_cache: bool = True) -> list[CompiledShape]:
    """The compiled top-level shapes of the shapes graph whose quads (in the order they were parsed) are given,
    with pyoxigraph terms (the blank nodes of `quads`). From the cache when these quads, this toolkit and its
    compiler were compiled before; else compiled (rdflib) and, when the cache is usable, kept there."""
    from jasic_kg import cache

    blank_nodes: list = []
    key = _cache_key(quads, blank_nodes)
    if use_cache and cache.cache_enabled():
        def build(folder: Path):
            doc = _encode(compile_graph(_rdflib_graph(quads)), blank_nodes)
            from jasic_kg.io import rdfio

            rdfio.write_bytes(folder / _CACHE_FILE, _dumps(doc))
            return _decode(doc, blank_nodes), CACHE_FORMAT.encode()

        def read(folder: Path):
            return _decode(_loads((folder / _CACHE_FILE).read_bytes()), blank_nodes)

        try:
            return cache.open_entry(cache.default_cache_dir(), key, build, read)
        except cache.CacheUnavailable:
            pass
    return _decode(_encode(compile_graph(_rdflib_graph(quads)), blank_nodes), blank_nodes)


def _cache_key(quads: list, blank_nodes: list) -> str:
    """The entry name: a digest of the quads (blank nodes numbered in order of appearance, which fills
    `blank_nodes`), the toolkit's version, pyoxigraph's and rdflib's, and the compiler's source."""
    import pyoxigraph

    digest = hashlib.sha256(f"{CACHE_FORMAT}\n{__version__}\n{pyoxigraph.__version__}\n{_rdflib_stamp()}\n".encode())
    here = Path(__file__).parent
    for name in _COMPILER_SOURCES:
        digest.update((here / name).read_bytes())
    numbered: dict = {}
    lines = []
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, BlankNode):
                if term not in numbered:
                    numbered[term] = len(blank_nodes)
                    blank_nodes.append(term)
                lines.append(f"_:{numbered[term]}")
            else:
                lines.append(str(term))
    digest.update("\n".join(lines).encode())
    return f"shapes-{digest.hexdigest()[:32]}"


def _rdflib_stamp() -> str:
    """Which rdflib would compile (its package file's path, size and time), found without importing it."""
    from importlib.util import find_spec

    try:
        spec = find_spec("rdflib")
        st = os.stat(spec.origin)
        return f"{spec.origin} {st.st_size} {st.st_mtime_ns}"
    except (AttributeError, ImportError, OSError, TypeError, ValueError):
        return "no rdflib"


def _rdflib_graph(quads: list):
    import rdflib

    from jasic_kg.terms import to_rdflib

    graph = rdflib.Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def _encode(shapes: list[CompiledShape], blank_nodes: list) -> dict:
    """The compiled shapes (rdflib terms of a graph made from `blank_nodes`' quads) as JSON data: a blank node
    is its number in `blank_nodes`, so that the next parse of the same shapes can name its own."""
    numbers = {b.value: i for i, b in enumerate(blank_nodes)}

    def term(t):
        if t is None:
            return None
        kind = type(t).__name__
        if kind == "URIRef":
            return ["i", str(t)]
        if kind == "BNode":
            return ["b", numbers[str(t)]]
        return ["l", str(t), str(t.datatype) if t.datatype else None, t.language]

    return {"format": CACHE_FORMAT, "shapes": [
        {"shape": term(s.shape), "target": s.target, "classes": s.classes, "not_compilable": s.not_compilable,
         "checks": [[c.component, term(c.shape), c.pattern, c.focus, c.value, list(c.keys), c.path_var,
                     term(c.path), c.post, term(c.severity), c.message] for c in s.checks]}
        for s in shapes]}


def _decode(doc: dict, blank_nodes: list) -> list[CompiledShape]:
    """JSON data from _encode as compiled shapes in pyoxigraph terms; ValueError when it is not that."""
    def term(t):
        if t is None:
            return None
        if t[0] == "i":
            return NamedNode(t[1])
        if t[0] == "b":
            return blank_nodes[t[1]]
        if t[3]:
            return Literal(t[1], language=t[3])
        return Literal(t[1], datatype=NamedNode(t[2])) if t[2] else Literal(t[1])

    try:
        if doc["format"] != CACHE_FORMAT:
            raise ValueError(f"not {CACHE_FORMAT}")
        return [CompiledShape(term(s["shape"]), s["target"], [tuple(c) for c in s["classes"]],
                              [CompiledCheck(c[0], term(c[1]), c[2], c[3], c[4], tuple(c[5]), c[6], term(c[7]), c[8],
                                             term(c[9]), c[10]) for c in s["checks"]],
                              s["not_compilable"])
                for s in doc["shapes"]]
    except (KeyError, IndexError, TypeError) as e:
        raise ValueError(f"damaged compiled shapes: {e}") from None


def _dumps(doc: dict) -> bytes:
    import orjson

    return orjson.dumps(doc)


def _loads(data: bytes) -> dict:
    import orjson

    return orjson.loads(data)  # orjson.JSONDecodeError is a ValueError
