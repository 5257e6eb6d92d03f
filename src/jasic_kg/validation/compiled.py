"""Compiled shapes: the SPARQL that the native SHACL engine builds from a shapes graph (shacl_compiler.compile_shapes),
kept as plain data, and the run of it on a store, with pyoxigraph alone.

Compiling needs rdflib and takes longer than running the result on the shipped graph, so `validate` keeps the
compiled shapes in the project's cache (shapes_cache.py): a run whose shapes are unchanged imports neither rdflib
nor pySHACL. Running (`run`) is the same code whether the compiled shapes come from the cache or were compiled a
moment ago, so the two cannot give different results.

What depends on the data is left to the run: the subclasses of a class (from one read of the data's
rdfs:subClassOf triples, as the compiler used to make) fill the placeholders of the target patterns and of
sh:class; a shape that Oxigraph refuses, or whose classes have a blank-node subclass, goes to pySHACL as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, NamedNode

RDFS_SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
# The class numbered N and its subclasses go here (filled by the run, from the data): a target's VALUES list
# (separated by spaces), sh:class's IN list (by commas).
SUBCLASSES = "urn:jasic-kg:subclasses-of:{}"
SUBCLASS_LIST = "urn:jasic-kg:subclass-list:{}"


class NotCompilable(Exception):
    """A shape uses something this engine does not compile; the caller falls back to pySHACL."""


# what sends a shape to pySHACL, when compiling it or when Oxigraph runs its queries
ERRORS = (NotCompilable, SyntaxError, OSError, ValueError)


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

    def query(self, target: str, pattern: str | None = None) -> str:
        """The SELECT of this check on the focus nodes that `target` binds (`pattern`: this check's pattern with
        its placeholders filled, see _fill)."""
        selected = [self.focus] + ([self.value] if self.value else []) + list(self.keys) \
            + ([self.path_var] if self.path_var else [])
        where = self.pattern if pattern is None else pattern
        return f"SELECT DISTINCT {' '.join(dict.fromkeys(selected))} WHERE {{ {target} {where} }}"


@dataclass
class CompiledShape:
    """A top-level shape: its target pattern (None when it did not compile), the classes whose subclasses fill
    its placeholders (SPARQL text, str() of the term, placeholder number; in the order the compiler asked for
    them), its checks, or the reason it goes to pySHACL."""

    shape: object
    target: str | None
    classes: list[tuple[str, str, int]]
    checks: list[CompiledCheck] = field(default_factory=list)
    not_compilable: str | None = None


@dataclass
class RunResult:
    rows: list = field(default_factory=list)  # (check, focus, value, path bound by the check or None), pyoxigraph
    fallback: list = field(default_factory=list)  # (shape, reason): validated by pySHACL instead
    queries: int = 0


# --- running (pyoxigraph only) -------------------------------------------------------------------------------------

def run(store, shapes: Iterable[CompiledShape]) -> RunResult:
    """Every compiled check of `shapes` on `store` (a pyoxigraph Store, or anything with its query method)."""
    result = RunResult()
    hierarchy = None  # class (SPARQL text) -> its direct subclasses, read on first use
    subclasses: dict[str, object] = {}  # class (SPARQL text) -> itself and its subclasses as SPARQL texts, or the error
    numbered: dict[int, list[str]] = {}  # placeholder number -> those texts
    for shape in shapes:
        try:
            for text, value, number in shape.classes:
                if text not in subclasses:
                    if hierarchy is None:
                        hierarchy = _hierarchy(store)
                        result.queries += 1
                    subclasses[text] = _subclasses(hierarchy, text, value)
                if isinstance(subclasses[text], NotCompilable):
                    raise subclasses[text]  # a blank node cannot be named: the shape goes to pySHACL, as before
                numbered[number] = subclasses[text]
            if shape.not_compilable:
                result.fallback.append((shape.shape, shape.not_compilable))
                continue
            rows = []
            target = _fill(shape.target, shape.classes, numbered)
            for check in shape.checks:
                query = check.query(target, _fill(check.pattern, shape.classes, numbered))
                rows.append((check, _run_check(store, query, check)))
                result.queries += 1
        except ERRORS as e:
            result.fallback.append((shape.shape, f"{type(e).__name__}: {e}"))
            continue
        for check, found in rows:
            result.rows.extend((check, focus, value, path) for focus, value, path in found)
    return result


def _fill(text: str, classes: list, numbered: dict) -> str:
    """The text with the classes' placeholders written out."""
    for _, _, number in classes:
        texts = numbered[number]
        text = text.replace(f"<{SUBCLASSES.format(number)}>", " ".join(texts))
        text = text.replace(f"<{SUBCLASS_LIST.format(number)}>", ", ".join(texts))
    return text


def _hierarchy(store) -> dict:
    """The data's rdfs:subClassOf triples, read once: a transitive path is the store's to evaluate, and Virtuoso
    7.2 evaluates some wrongly (validate --endpoint)."""
    subs: dict[str, list] = {}
    for r in store.query(f"SELECT ?c ?super WHERE {{ ?c <{RDFS_SUBCLASS_OF}> ?super }}"):
        subs.setdefault(str(r["super"]), []).append(r["c"])
    return subs


def _subclasses(hierarchy: dict, class_text: str, class_value: str):
    """The class and its subclasses (any depth) as SPARQL texts, sorted as the compiler sorted them (by the terms'
    str() in rdflib), or the NotCompilable error for a blank node among them (it cannot be named in a query)."""
    found, todo = {class_text: class_value}, [class_text]
    while todo:
        for sub in hierarchy.get(todo.pop(), ()):
            key = str(sub)
            if key not in found:
                found[key] = sub
                todo.append(key)
    members = sorted(found.values(), key=lambda t: t if isinstance(t, str) else t.value)
    try:
        return [class_text if isinstance(t, str) else term_sparql(t) for t in members]
    except NotCompilable as e:
        return e


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
