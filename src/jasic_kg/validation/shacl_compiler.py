"""The SHACL Core compiler: shapes (rdflib graph) to SPARQL patterns. Targets, paths and the nesting of
shapes are here; each constraint component is compiled by its entry in shacl_components.COMPONENTS;
compile_shapes gives the top-level shapes as compiled.CompiledShape (what compiled.run runs)."""

from __future__ import annotations

import dataclasses
import itertools
import re

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from jasic_kg.sparql import _scan_code, code_text
from jasic_kg.validation.compiled import ERRORS, SUBCLASS_LIST, SUBCLASSES, CompiledCheck, CompiledShape
from jasic_kg.validation.shacl_components import COMPILED_PARAMETERS, COMPONENTS, ShapeContext
from jasic_kg.validation.shacl_sparql import NotCompilable, _Check, _n3

_TARGET_PREDS = (SH.targetNode, SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
_SHAPE_REF_PREDS = (SH.node, SH.property, SH["not"], SH.qualifiedValueShape)
_SHAPE_LIST_PREDS = (SH["and"], SH["or"], SH.xone)
# Parameters never compiled: a shape using one (or a custom component's parameter) goes to pySHACL.
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



class _Compiler:
    def __init__(self, shapes: _Shapes, type_closure):
        self.s = shapes
        self.g = shapes.g
        self._n = itertools.count()
        self.type_closure = type_closure  # class -> the class and its subclasses in the data (sh:class, targets)

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
        bad = (preds & _NOT_COMPILED) | (preds & self.s.custom_params - COMPILED_PARAMETERS)
        if bad:
            raise NotCompilable(f"{shape} uses " + ", ".join(sorted(str(b) for b in bad)))
        is_prop = self.s.is_property_shape(shape)
        if is_prop:
            paths = list(g.objects(shape, SH.path))
            if len(paths) != 1:
                raise NotCompilable(f"{shape} has {len(paths)} sh:path values")
            path_node = paths[0]
            self.s.path_sparql(path_node)  # raises NotCompilable for unknown path forms
            v = self.var("v")
            vn = self.path_pattern(path_node, focus, v)
        else:
            path_node, v, vn = None, focus, ""
        ctx = ShapeContext(self, shape, focus, is_prop, path_node, v, vn, stack)
        for parameter, component in COMPONENTS.items():
            for o in g.objects(shape, parameter):
                component.compile(ctx, o)
        out = ctx.out
        for ps in g.objects(shape, SH.property):  # https://www.w3.org/TR/shacl/#PropertyConstraintComponent
            for c in self.checks(ps, v, stack):
                if is_prop:
                    # the nested shape's focus nodes are this shape's value nodes: join the path, and keep one
                    # result per focus of this shape (each value node is validated once per focus reaching it)
                    c = dataclasses.replace(c, pattern=f"{vn} {c.pattern}", keys=c.keys + (focus,))
                out.append(c)
        return out

    def violation(self, shape, focus: str, stack) -> str:
        """A boolean expression, true iff `focus` does not conform to `shape` (for node/not/and/or/xone and
        qualified shapes): each check of the shape a condition of its own, joined by ||."""
        if self.s.deactivated(shape):
            return "false"
        checks = self.checks(shape, focus, stack)
        if any(c.post is not None for c in checks):
            raise NotCompilable("a nested shape needs a Python-side datatype check")
        if not checks:
            return "false"
        return " || ".join(_condition(c.pattern) for c in checks)

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


def _condition(pattern: str) -> str:
    """A check's group pattern as a condition that is true iff the group matches: a lone FILTER its expression (an
    error counting as false, as in the FILTER), any other pattern EXISTS { ... }. Virtuoso 7.2 evaluates a group
    of only a FILTER inside EXISTS wrongly, or refuses it (SQ156: "unknown table for a column")."""
    body = pattern.strip()
    m = re.match(r"FILTER\s*(?=\(|NOT\s+EXISTS\b|EXISTS\b)", body)
    if m and _brackets_end_text(body, m.end()):
        condition = body[m.end():]
        if condition.startswith("(") and "EXISTS" not in code_text(condition).upper():
            return f"COALESCE({condition}, false)"
        # the compiled conditions that use EXISTS raise no error (EXISTS, isLiteral, logic), and Virtuoso refuses
        # EXISTS inside COALESCE (SQ074)
        return condition
    return f"EXISTS {{ {body} }}"


def _brackets_end_text(text: str, start: int) -> bool:
    """Whether the first bracketed part from `start` on ( "(...)" or "EXISTS {...}" ) closes at the text's end."""
    depth = 0
    for i, ch in _scan_code(text):
        if i < start:
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth == 0:
                return i == len(text) - 1
    return False


def compile_shapes(graph) -> list[CompiledShape]:
    """The top-level shapes of the rdflib `graph`, compiled (terms stay the graph's rdflib terms). The subclasses
    of a class depend on the data: the compiled text has a placeholder for them, which compiled.run fills."""
    shapes = _Shapes(graph)
    numbers: dict[str, int] = {}
    classes: list = []  # the classes of the shape being compiled: (SPARQL text, str of the term, number)

    def placeholder(c, form: str):
        text = _n3(c)  # a blank node raises NotCompilable here, as reading its subclasses did
        number = numbers.setdefault(text, len(numbers))
        classes.append((text, str(c), number))
        return [URIRef(form.format(number))]

    compiler = _Compiler(shapes, lambda c: placeholder(c, SUBCLASS_LIST))  # sh:class: FILTER(?t IN (...))
    out = []
    top = [s for s in shapes.nodes if shapes.has_targets(s) and not shapes.deactivated(s)]
    top.sort(key=lambda s: (isinstance(s, BNode), str(s)))
    for shape in top:
        classes = []  # a fresh list per shape (placeholder appends to the current one)
        try:
            target = compiler.targets(shape, "?this", lambda c: placeholder(c, SUBCLASSES))  # VALUES ?t { ... }
            if target is None:
                continue
            checks = compiler.checks(shape, "?this")
        except ERRORS as e:
            out.append(CompiledShape(shape, None, classes, not_compilable=f"{type(e).__name__}: {e}"))
            continue
        compiled_checks = []
        for c in checks:
            messages = shapes.messages(c.shape)
            compiled_checks.append(CompiledCheck(
                str(c.component), c.shape, c.pattern, c.focus, c.value, tuple(c.keys), c.path_var, c.path, c.post,
                shapes.severity(c.shape),
                "; ".join(str(m) for m in messages) if messages else generic_message(str(c.component))))
        out.append(CompiledShape(shape, target, classes, compiled_checks))
    return out


def generic_message(component: str) -> str:
    name = component.rsplit("#", 1)[-1].replace("ConstraintComponent", "")
    return f"{name} constraint violated"
