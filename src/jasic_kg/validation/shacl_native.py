"""A SHACL Core engine that compiles shapes to SPARQL and runs them on a pyoxigraph Store.

pySHACL walks the data graph node by node in Python; on a 1M-triple graph that takes about a minute. Here each
(shape, constraint) pair becomes one SPARQL SELECT whose rows are the validation results, evaluated by Oxigraph's
query engine (https://www.w3.org/TR/shacl/#core-components). Results are meant to be *identical* to pySHACL's
(same focus node, result path, value, source shape, constraint component and multiplicity);
tests/test_shacl_native.py checks that on every SHACL fixture of the project and on the benchmark data.

Supported: targets (targetNode, targetClass with rdfs:subClassOf*, implicit class targets, targetSubjectsOf,
targetObjectsOf), property paths (predicate, inverse, sequence, alternative, zeroOrMore, oneOrMore, zeroOrOne),
sh:property, minCount, maxCount, datatype, class, nodeKind, pattern (+flags), in, hasValue, min/maxInclusive,
min/maxExclusive, min/maxLength, languageIn, uniqueLang, equals, disjoint, lessThan, lessThanOrEquals, node,
not, and, or, xone, closed (+ignoredProperties), sh:message, sh:severity, sh:deactivated.

Anything else (SHACL-SPARQL constraints, qualified value shapes, custom components, recursive shapes, blank-node
parameters...) is not skipped: every top-level shape that uses it is validated by pySHACL instead
(`Report.fallback_shapes` names them), and so is a shape whose compiled query Oxigraph refuses.

Known, documented differences that come from the store rather than the engine: Oxigraph stores literals in
canonical form ("01"^^xsd:integer is "1", language tags lower-cased, "1"^^xsd:boolean is "true"), so a
non-canonical literal is reported in canonical form when the data comes from a file; when the data is an rdflib
Graph the original terms are restored.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")

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


class NotCompilable(Exception):
    """A shape uses something this engine does not compile; the caller falls back to pySHACL."""


# --- term helpers -------------------------------------------------------------------------------------------

XSD_STRING = XSD.string
RDF_LANGSTRING = RDF.langString
# Datatypes Oxigraph can cast to: an ill-typed literal (which pySHACL rejects via rdflib's ill_typed) fails the
# cast. Other datatypes are checked in Python with rdflib's own well-formedness test.
_CASTABLE = {XSD.integer, XSD.decimal, XSD.float, XSD.double, XSD.boolean, XSD.date, XSD.dateTime, XSD.time}
_NODE_KINDS = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}


def _n3(term) -> str:
    """A shapes-graph term as SPARQL text (bnodes cannot be referred to from a query)."""
    if isinstance(term, URIRef):
        s = str(term)
        if any(c in s for c in '<>"{}|^`\\ \n'):
            raise NotCompilable(f"IRI not expressible in SPARQL: {s!r}")
        return f"<{s}>"
    if isinstance(term, Literal):
        return str(_to_ox(term))
    raise NotCompilable(f"a blank node as a constraint parameter ({term})")


def _to_ox(t):
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(_bnode_id(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        if t.datatype is not None:
            return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype)))
        return ox.Literal(str(t))
    raise TypeError(f"not an RDF term: {t!r}")


def _bnode_id(b: BNode) -> str:
    s = str(b)
    return s if s.replace("_", "").replace("-", "").isalnum() and s[:1].isalpha() else "b" + s.encode().hex()


def _from_ox(t, restore: dict | None = None):
    if t is None:
        return None
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        if restore is not None and ("b", t.value) in restore:
            return restore[("b", t.value)]
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if restore is not None:
            orig = restore.get(("l", str(t)))
            if orig is not None:
                return orig
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        if dt == str(XSD_STRING):
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(dt))
    raise TypeError(f"unexpected term {t!r}")


# --- shapes -------------------------------------------------------------------------------------------------

_TARGET_PREDS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_SHAPE_REF_PREDS = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_SHAPE_LIST_PREDS = (SH["and"], SH["or"], SH.xone)
# Every constraint parameter pySHACL knows; a shape using one we do not compile goes to pySHACL.
_COMPILED = {
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minExclusive, SH.minInclusive,
    SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern, SH.flags, SH.languageIn,
    SH.uniqueLang, SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals, SH["not"], SH["and"], SH["or"],
    SH.xone, SH.node, SH.property, SH["in"], SH.hasValue, SH.closed, SH.ignoredProperties,
    SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
}
_NOT_COMPILED = {SH.sparql, SH.expression, SH.js, SH.rule, SH.target}


class _Shapes:
    def __init__(self, g: rdflib.Graph):
        self.g = g
        self.nodes = self._harvest()
        self.custom_params = self._custom_component_params()

    def _harvest(self) -> set:
        g = self.g
        found = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
        for p in _TARGET_PREDS:
            found |= set(g.subjects(p, None))
        found |= set(g.subjects(SH.path, None))
        for p in _SHAPE_REF_PREDS:
            found |= set(g.objects(None, p))
        for p in _SHAPE_LIST_PREDS:
            for lst in g.objects(None, p):
                found |= set(Collection(g, lst))
        return found

    def _custom_component_params(self) -> set:
        params = set()
        for comp in self.g.subjects(RDF.type, SH.ConstraintComponent):
            for par in self.g.objects(comp, SH.parameter):
                params |= set(self.g.objects(par, SH.path))
        return params

    def is_property_shape(self, s) -> bool:
        return (s, SH.path, None) in self.g

    def deactivated(self, s) -> bool:
        return any(isinstance(o, Literal) and o.value is True for o in self.g.objects(s, SH.deactivated))

    def severity(self, s):
        return next(iter(self.g.objects(s, SH.severity)), SH.Violation)

    def messages(self, s) -> list:
        return list(self.g.objects(s, SH.message))

    def list(self, node) -> list:
        return list(Collection(self.g, node))

    def implicit_class_target(self, s) -> bool:
        classes = set(self.g.subjects(RDFS.subClassOf, RDFS.Class)) | {RDFS.Class}
        return any(t in classes for t in self.g.objects(s, RDF.type))

    def has_targets(self, s) -> bool:
        return any((s, p, None) in self.g for p in _TARGET_PREDS) or self.implicit_class_target(s)

    def path_sparql(self, p) -> str:
        g = self.g
        if isinstance(p, URIRef):
            return _n3(p)
        if isinstance(p, Literal):
            raise NotCompilable("a literal as sh:path")
        if (p, RDF.first, None) in g:
            items = self.list(p)
            if len(items) < 2:
                raise NotCompilable("a sequence path of fewer than two items")
            return "(" + "/".join(self.path_sparql(i) for i in items) + ")"
        for pred, fmt in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"), (SH.oneOrMorePath, "({})+"),
                          (SH.zeroOrOnePath, "({})?")):
            o = g.value(p, pred)
            if o is not None:
                return fmt.format(self.path_sparql(o))
        alt = g.value(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path_sparql(i) for i in self.list(alt)) + ")"
        raise NotCompilable(f"unknown path form {p}")


@dataclass
class _Check:
    """One reportable constraint: `pattern` binds `focus` (and `value`, `keys`) once per validation result."""

    shape: object
    component: URIRef
    pattern: str
    focus: str
    value: str | None
    keys: tuple = ()
    path_var: str | None = None
    path: object = None
    post: object = None  # optional Python filter on the value (exotic datatypes)


class _Compiler:
    def __init__(self, shapes: _Shapes):
        self.s = shapes
        self.g = shapes.g
        self._n = itertools.count()

    def path_pattern(self, p, a: str, b: str) -> str:
        """Triple patterns linking a to b along SHACL path p. Sequences and inverses become joins over fresh
        variables (Oxigraph evaluates a sequence *path* inside EXISTS without the outer binding: quadratic)."""
        g = self.g
        if isinstance(p, URIRef):
            return f"{a} {_n3(p)} {b} ."
        if isinstance(p, BNode) and (p, RDF.first, None) in g:
            items = self.s.list(p)
            if len(items) >= 2:
                nodes = [a] + [self.var("m") for _ in items[:-1]] + [b]
                return " ".join(self.path_pattern(it, nodes[i], nodes[i + 1]) for i, it in enumerate(items))
        inv = g.value(p, SH.inversePath) if isinstance(p, BNode) else None
        if inv is not None:
            return self.path_pattern(inv, b, a)
        return f"{a} {self.s.path_sparql(p)} {b} ."

    def exists_path(self, p, a: str) -> str:
        """A pattern true iff `a` has a value on path p, as nested EXISTS, one hop each: Oxigraph plans each
        EXISTS body on its own, so a multi-hop body would start from the wrong end (quadratic at 1M)."""
        g = self.g
        items = self.s.list(p) if isinstance(p, BNode) and (p, RDF.first, None) in g else [p]
        m = self.var("m")
        head = self.path_pattern(items[0], a, m)
        for it in items[1:]:
            m2 = self.var("m")
            head += f" FILTER EXISTS {{ {self.path_pattern(it, m, m2)}"
            m = m2
        return head + " }" * (len(items) - 1)

    def var(self, stem="x") -> str:
        return f"?_{stem}{next(self._n)}"

    # Each shape: its own constraints plus those of its sh:property shapes (with its value nodes as focus).
    def checks(self, shape, focus: str, stack=()) -> list[_Check]:
        if shape in stack:
            raise NotCompilable(f"recursive shape {shape}")
        stack = stack + (shape,)
        if self.s.deactivated(shape):
            return []
        g = self.g
        preds = set(g.predicates(shape, None))
        bad = (preds & _NOT_COMPILED) | (preds & self.s.custom_params - _COMPILED)
        if bad:
            raise NotCompilable(f"{shape} uses " + ", ".join(sorted(str(b) for b in bad)))
        is_prop = self.s.is_property_shape(shape)
        if is_prop:
            paths = list(g.objects(shape, SH.path))
            if len(paths) != 1:
                raise NotCompilable(f"{shape} has {len(paths)} sh:path values")
            path_node = paths[0]
            self.s.path_sparql(path_node)  # raises NotCompilable for unknown path forms

            def path(a, b, _p=path_node):
                return self.path_pattern(_p, a, b)
            v = self.var("v")
            vn = path(focus, v)
        else:
            path_node, path, v, vn = None, None, focus, ""
        out: list[_Check] = []

        def add(component, pattern, value=True, keys=(), path_var=None, post=None):
            out.append(_Check(shape, SH[component], pattern, focus, v if value else None, keys, path_var,
                              path_node, post))

        for o in g.objects(shape, SH["class"]):
            add("ClassConstraintComponent",
                f"{vn} FILTER(isLiteral({v}) || NOT EXISTS {{ {v} {_n3(RDF.type)}/{_n3(RDFS.subClassOf)}* {_n3(o)} }})")
        for o in g.objects(shape, SH.datatype):
            out.extend(self._datatype(shape, focus, v, vn, o, path_node))
        for o in g.objects(shape, SH.nodeKind):
            if o not in _NODE_KINDS:
                raise NotCompilable(f"unknown node kind {o}")
            add("NodeKindConstraintComponent", f"{vn} FILTER(!{_NODE_KINDS[o].format(v=v)})")
        for o in g.objects(shape, SH.minCount):
            n = int(o)
            if not is_prop:
                raise NotCompilable("sh:minCount on a node shape")
            if n <= 0:
                continue
            if n == 1:
                add("MinCountConstraintComponent", f"FILTER NOT EXISTS {{ {self.exists_path(path_node, focus)} }}",
                    value=False)
                continue
            add("MinCountConstraintComponent",
                f"FILTER NOT EXISTS {{ {self._distinct_values(focus, path, n)} }}", value=False)
        for o in g.objects(shape, SH.maxCount):
            n = int(o)
            if not is_prop:
                raise NotCompilable("sh:maxCount on a node shape")
            add("MaxCountConstraintComponent", self._distinct_values(focus, path, n + 1), value=False)
        for comp, op in (("MinInclusive", ">="), ("MinExclusive", ">"), ("MaxInclusive", "<="),
                         ("MaxExclusive", "<")):
            for o in g.objects(shape, SH[comp[0].lower() + comp[1:]]):
                if not isinstance(o, Literal):
                    raise NotCompilable(f"sh:{comp} with a non-literal")
                # pySHACL: a string never compares with a non-string; IRIs and bnodes never pass.
                min_str = _is_stringish_term(o)
                stringish = f"(datatype({v}) = {_n3(XSD_STRING)} || lang({v}) != \"\")"
                cond = f"isLiteral({v}) && {'' if min_str else '!'}{stringish} && COALESCE({v} {op} {_n3(o)}, false)"
                add(f"{comp}ConstraintComponent", f"{vn} FILTER(!({cond}))")
        for o in g.objects(shape, SH.minLength):
            n = int(o)
            if n == 0:
                continue
            add("MinLengthConstraintComponent", f"{vn} FILTER(isBlank({v}) || STRLEN(STR({v})) < {n})")
        for o in g.objects(shape, SH.maxLength):
            add("MaxLengthConstraintComponent", f"{vn} FILTER(isBlank({v}) || STRLEN(STR({v})) > {int(o)})")
        flags = [str(f) for f in g.objects(shape, SH.flags)]
        for o in g.objects(shape, SH.pattern):
            fl = flags[0] if flags else ""
            if set(fl) - set("imsx"):
                raise NotCompilable(f"regex flags {fl!r}")
            pat = _n3(Literal(str(o)))
            args = f"{pat}, {_n3(Literal(fl))}" if fl else pat
            add("PatternConstraintComponent", f"{vn} FILTER(isBlank({v}) || !REGEX(STR({v}), {args}))")
        for o in g.objects(shape, SH.languageIn):
            langs = [str(x).lower() for x in self.s.list(o)]
            if "*" in langs:
                cond = f"isLiteral({v}) && lang({v}) != \"\""
            else:
                lst = ", ".join(_n3(Literal(x)) for x in langs) or '""'
                first = f"LCASE(STRBEFORE(CONCAT(lang({v}), \"-\"), \"-\"))"
                cond = (f"isLiteral({v}) && lang({v}) != \"\" && (LCASE(lang({v})) IN ({lst}) || "
                        f"{first} IN ({lst}))")
            add("LanguageInConstraintComponent", f"{vn} FILTER(!({cond}))")
        for o in g.objects(shape, SH.uniqueLang):
            if not (isinstance(o, Literal) and o.value is True):
                continue
            if not is_prop:
                raise NotCompilable("sh:uniqueLang on a node shape")
            a, b, lg = self.var("a"), self.var("b"), self.var("lang")
            add("UniqueLangConstraintComponent",
                f"{path(focus, a)} {path(focus, b)} FILTER(isLiteral({a}) && isLiteral({b}) && "
                f"lang({a}) != \"\" && !sameTerm({a}, {b}) && LCASE(lang({a})) = LCASE(lang({b}))) "
                f"BIND(LCASE(lang({a})) AS {lg})", value=False, keys=(lg,))
        for o in g.objects(shape, SH["in"]):
            members = self.s.list(o)
            cond = " || ".join(f"sameTerm({v}, {_n3(m)})" for m in members) or "false"
            add("InConstraintComponent", f"{vn} FILTER(!({cond}))")
        for o in g.objects(shape, SH.hasValue):
            if is_prop:
                add("HasValueConstraintComponent", f"FILTER NOT EXISTS {{ {path(focus, _n3(o))} }}", value=False)
            else:
                add("HasValueConstraintComponent", f"FILTER(!sameTerm({focus}, {_n3(o)}))", value=False)
        for o in g.objects(shape, SH.equals):
            # two checks: values missing from the other property, and the other property's extra values
            p2 = _n3(o)
            if is_prop:
                add("EqualsConstraintComponent", f"{vn} FILTER NOT EXISTS {{ {focus} {p2} {v} }}")
                w = self.var("w")
                out.append(_Check(shape, SH.EqualsConstraintComponent,
                                  f"{focus} {p2} {w} . FILTER NOT EXISTS {{ {path(focus, w)} }}", focus, w,
                                  (), None, path_node))
            else:
                w = self.var("w")
                out.append(_Check(shape, SH.EqualsConstraintComponent,
                                  f"{focus} {p2} {w} . FILTER(!sameTerm({w}, {focus}))", focus, w, (), None, None))
                add("EqualsConstraintComponent", f"FILTER NOT EXISTS {{ {focus} {p2} {focus} }}")
        for o in g.objects(shape, SH.disjoint):
            add("DisjointConstraintComponent", f"{vn} {focus} {_n3(o)} {v} .")
        for comp, op in (("LessThan", "<"), ("LessThanOrEquals", "<=")):
            for o in g.objects(shape, SH[comp[0].lower() + comp[1:]]):
                c = self.var("c")
                sv = f"(isIRI({v}) || datatype({v}) = {_n3(XSD_STRING)} || lang({v}) != \"\")"
                sc = f"(isIRI({c}) || datatype({c}) = {_n3(XSD_STRING)} || lang({c}) != \"\")"
                ok = (f"(({sv} && {sc} && STR({v}) {op} STR({c})) || "
                      f"(!{sv} && !{sc} && COALESCE({v} {op} {c}, false)))")
                add(f"{comp}ConstraintComponent", f"{vn} {focus} {_n3(o)} {c} . FILTER(!{ok})", keys=(c,))
        for o in g.objects(shape, SH.node):
            add("NodeConstraintComponent", f"{vn} FILTER EXISTS {{ {self.violation(o, v, stack)} }}")
        for o in g.objects(shape, SH["not"]):
            add("NotConstraintComponent", f"{vn} FILTER NOT EXISTS {{ {self.violation(o, v, stack)} }}")
        for o in g.objects(shape, SH["and"]):
            parts = [f"EXISTS {{ {self.violation(m, v, stack)} }}" for m in self.s.list(o)]
            add("AndConstraintComponent", f"{vn} FILTER({' || '.join(parts) or 'false'})")
        for o in g.objects(shape, SH["or"]):
            parts = [f"EXISTS {{ {self.violation(m, v, stack)} }}" for m in self.s.list(o)]
            add("OrConstraintComponent", f"{vn} FILTER({' && '.join(parts) or 'true'})")
        for o in g.objects(shape, SH.xone):
            parts = [f"IF(EXISTS {{ {self.violation(m, v, stack)} }}, 0, 1)" for m in self.s.list(o)]
            add("XoneConstraintComponent", f"{vn} FILTER(({' + '.join(parts) or '0'}) != 1)")
        qshapes = list(g.objects(shape, SH.qualifiedValueShape))
        if qshapes:
            if any(isinstance(o, Literal) and o.value is True for o in g.objects(shape, SH.qualifiedValueShapesDisjoint)):
                raise NotCompilable("sh:qualifiedValueShapesDisjoint")
            if not is_prop:
                raise NotCompilable("sh:qualifiedValueShape on a node shape")
            qmin = [int(o) for o in g.objects(shape, SH.qualifiedMinCount)]
            qmax = [int(o) for o in g.objects(shape, SH.qualifiedMaxCount)]
            for q in qshapes:
                def conforming(n, q=q):
                    """at least n distinct values of the path conform to q"""
                    if n > 4:
                        raise NotCompilable("qualified cardinality above 3")
                    vs = [self.var("q") for _ in range(n)]
                    parts = [path(focus, x) + f" FILTER NOT EXISTS {{ {self.violation(q, x, stack)} }}" for x in vs]
                    diffs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
                    return " ".join(parts) + (f" FILTER({' && '.join(diffs)})" if diffs else "")
                for n in qmin[:1]:
                    if n > 0:
                        add("QualifiedMinCountConstraintComponent",
                            f"FILTER NOT EXISTS {{ {conforming(n)} }}", value=False)
                for n in qmax[:1]:
                    add("QualifiedMaxCountConstraintComponent", conforming(n + 1), value=False)
        closed = [o for o in g.objects(shape, SH.closed) if isinstance(o, Literal) and o.value is True]
        if closed:
            allowed = set()
            for ps in g.objects(shape, SH.property):
                for pp in g.objects(ps, SH.path):
                    if isinstance(pp, URIRef):
                        allowed.add(pp)
            for ig in g.objects(shape, SH.ignoredProperties):
                allowed |= set(self.s.list(ig))
            p, obj = self.var("p"), self.var("o")
            cond = " && ".join(f"!sameTerm({p}, {_n3(a)})" for a in sorted(allowed)) or "true"
            ignore = f"!(sameTerm({p}, {_n3(RDF.type)}) && sameTerm({obj}, {_n3(RDFS.Resource)}))"
            # pySHACL reports the focus node of the closed shape; for a property shape the values are checked.
            out.append(_Check(shape, SH.ClosedConstraintComponent,
                              f"{vn} {v} {p} {obj} . FILTER({cond} && {ignore})", focus, obj, (), p, None))
        for ps in g.objects(shape, SH.property):
            for c in self.checks(ps, v, stack):
                if is_prop:
                    # the nested shape's focus nodes are this shape's value nodes: join the path, and keep one
                    # result per focus of this shape (each value node is validated once per focus reaching it)
                    c = dataclasses.replace(c, pattern=f"{vn} {c.pattern}", keys=c.keys + (focus,))
                out.append(c)
        return out

    def _distinct_values(self, focus: str, path: str, n: int) -> str:
        """A pattern that matches iff `focus` has at least n distinct values on `path`."""
        if n > 4:
            raise NotCompilable("cardinality above 3 in a nested shape")
        vs = [self.var("n") for _ in range(n)]
        pat = " ".join(path(focus, x) for x in vs)
        diffs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
        return pat + (f" FILTER({' && '.join(diffs)})" if diffs else "")

    def _datatype(self, shape, focus, v, vn, dt, path_node) -> list[_Check]:
        if not isinstance(dt, URIRef):
            raise NotCompilable("sh:datatype with a non-IRI")
        if dt == RDFS.Literal:
            ok = f"isLiteral({v})"
        elif dt == RDFS.Datatype:
            raise NotCompilable("sh:datatype rdfs:Datatype (rdflib tells plain and xsd:string literals apart)")
        elif dt == RDF_LANGSTRING:
            ok = f"(isLiteral({v}) && lang({v}) != \"\")"
        elif dt == XSD_STRING:
            ok = f"(isLiteral({v}) && datatype({v}) = {_n3(XSD_STRING)})"
        elif dt in _CASTABLE:
            ok = (f"(isLiteral({v}) && datatype({v}) = {_n3(dt)} && "
                  f"!sameTerm(COALESCE({_n3(dt)}({v}), <urn:jasic-kg:no-cast>), <urn:jasic-kg:no-cast>))")
        elif not _rdflib_validates(dt):
            ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)})"  # rdflib never finds these ill-typed
        else:
            ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)})"
            # pySHACL also rejects literals that rdflib finds ill-typed: checked in Python on the matches.
            chk = _Check(shape, SH.DatatypeConstraintComponent, f"{vn} FILTER(!{ok})", focus, v, (), None, path_node)
            chk2 = _Check(shape, SH.DatatypeConstraintComponent, f"{vn} FILTER({ok})", focus, v, (), None, path_node,
                          post=lambda t, dt=dt: getattr(Literal(t.value, datatype=dt), "ill_typed", None) is True)
            return [chk, chk2]
        return [_Check(shape, SH.DatatypeConstraintComponent, f"{vn} FILTER(!{ok})", focus, v, (), None, path_node)]

    def violation(self, shape, focus: str, stack) -> str:
        """A group pattern that matches iff `focus` does not conform to `shape` (for node/not/and/or/xone)."""
        if self.s.deactivated(shape):
            return "FILTER(false)"
        checks = self.checks(shape, focus, stack)
        if any(c.post is not None for c in checks):
            raise NotCompilable("a nested shape needs a Python-side datatype check")
        if not checks:
            return "FILTER(false)"
        return " UNION ".join(f"{{ {c.pattern} }}" for c in checks)

    def targets(self, shape, focus: str, type_closure) -> str | None:
        g = self.g
        parts = []
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"VALUES {focus} {{ {' '.join(_n3(n) for n in nodes)} }}")
        classes = set(g.objects(shape, SH.targetClass))
        if self.s.implicit_class_target(shape):
            if isinstance(shape, BNode):
                raise NotCompilable("implicit class target on a blank node")
            classes.add(shape)
        for c in sorted(classes, key=str):
            subs = type_closure(c)
            t = self.var("t")
            parts.append(f"VALUES {t} {{ {' '.join(_n3(x) for x in subs)} }} {focus} {_n3(RDF.type)} {t} .")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{focus} {_n3(p)} {self.var('any')} .")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{self.var('any')} {_n3(p)} {focus} .")
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return "{ SELECT DISTINCT " + focus + " WHERE { " + " UNION ".join(f"{{ {p} }}" for p in parts) + " } }"


def _rdflib_validates(dt) -> bool:
    """Whether rdflib can find a literal of datatype dt ill-typed (probed with lexical forms no type accepts)."""
    return any(getattr(Literal(lex, datatype=dt), "ill_typed", None) for lex in ("-1 x", "x\u0000y", "?", ""))


def _is_stringish_term(lit: Literal) -> bool:
    return isinstance(lit.value, str) or (lit.datatype in (None, XSD_STRING) or bool(lit.language))


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


def _generic_message(comp: URIRef) -> str:
    name = str(comp).rsplit("#", 1)[-1].replace("ConstraintComponent", "")
    return f"{name} constraint violated"


def validate(data, shapes) -> Report:
    """Validate `data` (paths, a pyoxigraph Store, a jasic_kg LocalStore or an rdflib Graph) against `shapes`
    (paths or an rdflib Graph). Returns a Report with every finding, sorted."""
    sg = _load_shapes(shapes)
    d = _Data(data)
    shapes_ = _Shapes(sg)
    comp = _Compiler(shapes_)
    report = Report()
    closure_cache: dict = {}

    def type_closure(c):
        if c not in closure_cache:
            q = (f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* {_n3(c)} }}")
            found = {_from_ox(r["c"]) for r in d.store.query(q)}
            found.add(c)
            closure_cache[c] = sorted(found, key=str)
            report.queries += 1
        return closure_cache[c]

    fallback = []
    top = [s for s in shapes_.nodes if shapes_.has_targets(s) and not shapes_.deactivated(s)]
    top.sort(key=lambda s: (isinstance(s, BNode), str(s)))
    for shape in top:
        try:
            tgt = comp.targets(shape, "?this", type_closure)
            if tgt is None:
                continue
            checks = comp.checks(shape, "?this")
            rows = []
            for c in checks:
                rows.append((c, _run_check(d, tgt, c)))
                report.queries += 1
        except (NotCompilable, SyntaxError, OSError, ValueError) as e:
            fallback.append((shape, f"{type(e).__name__}: {e}"))
            continue
        for c, found in rows:
            sev = shapes_.severity(c.shape)
            msgs = shapes_.messages(c.shape)
            msg = "; ".join(str(m) for m in msgs) if msgs else _generic_message(c.component)
            for focus, value, path in found:
                rp = path if path is not None else c.path
                report.findings.append(Finding(_from_ox(focus, d.restore), _from_rdf(rp, d.restore),
                                               _from_ox(value, d.restore), c.shape, c.component, sev, msg))
    if fallback:
        report.fallback_shapes = fallback
        report.findings.extend(run_pyshacl(d.graph(), sg, only_shapes={s for s, _ in fallback}))
    report.findings.sort(key=_sort_key)
    return report


def _from_rdf(t, restore):
    if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return _from_ox(t, restore)
    return t


def _sort_key(f: Finding):
    return tuple("" if x is None else f"{type(x).__name__}:{x}" for x in f.key())


def _run_check(d: _Data, target: str, c: _Check):
    sel = [c.focus] + ([c.value] if c.value else []) + list(c.keys) + ([c.path_var] if c.path_var else [])
    q = f"SELECT DISTINCT {' '.join(dict.fromkeys(sel))} WHERE {{ {target} {c.pattern} }}"
    out = []
    for r in d.store.query(q):
        value = r[c.value[1:]] if c.value else None
        if c.post is not None and not c.post(value):
            continue
        out.append((r[c.focus[1:]], value, r[c.path_var[1:]] if c.path_var else None))
    return out


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
