"""The SHACL Core constraint components, each compiled to a SPARQL pattern by a function of its own.

COMPONENTS maps a component's main parameter (sh:class, sh:minCount, ...) to the function that compiles it, with
the component's name and its section of the specification. The compiler (shacl_compiler) asks this registry for
every parameter of a shape; a shape that uses a parameter no entry reads goes to pySHACL instead. The other
parameters an entry reads (sh:flags beside sh:pattern, ...) are listed with it, so COMPILED_PARAMETERS is derived,
never kept in step by hand.

Each function gets the shape's ShapeContext and one value of its parameter and adds _Checks: a pattern that binds
the focus node (and the value node) once per validation result, as pySHACL reports them.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from jasic_kg.validation.shacl_sparql import (
    _CASTABLE,
    _NODE_KINDS,
    RDF_LANGSTRING,
    SH,
    XSD_STRING,
    NotCompilable,
    _Check,
    _is_stringish_term,
    _n3,
    _rdflib_validates,
)

SPEC = "https://www.w3.org/TR/shacl/#"
_NUMERIC = {XSD.integer, XSD.decimal, XSD.float, XSD.double}


def _is(v: str, term) -> str:
    """A condition: `v` is the RDF term `term`. An IRI is compared by =, which Virtuoso 7.2 evaluates right (its
    sameTerm is wrong inside a disjunction and on literals); a literal by sameTerm (= compares values: 1 = 1.0)."""
    if isinstance(term, URIRef):
        return f"(isIRI({v}) && {v} = {_n3(term)})"
    return f"sameTerm({v}, {_n3(term)})"


@dataclass
class ShapeContext:
    """What a component's compile function needs of the shape being compiled."""

    compiler: object  # shacl_compiler._Compiler: fresh variables, paths, nested shapes
    shape: object
    focus: str  # the focus node's variable
    is_prop: bool
    path_node: object  # the SHACL path of a property shape, else None
    v: str  # the value node's variable (the focus itself for a node shape)
    vn: str  # the pattern that binds v along the path ("" for a node shape)
    stack: tuple  # the shapes being compiled above this one (recursion is refused)
    out: list[_Check] = field(default_factory=list)

    @property
    def g(self):
        return self.compiler.g

    def var(self, stem: str) -> str:
        return self.compiler.var(stem)

    def path(self, a: str, b: str) -> str:
        return self.compiler.path_pattern(self.path_node, a, b)

    def violation(self, shape, node: str) -> str:
        return self.compiler.violation(shape, node, self.stack)

    def list(self, node) -> list:
        return self.compiler.s.list(node)

    def add(self, component: str, pattern: str, value: bool = True, keys: tuple = (), path_var=None, post=None):
        """A check whose result path is the shape's path and whose value is the value node (or none)."""
        self.out.append(_Check(self.shape, SH[component], pattern, self.focus, self.v if value else None, keys,
                               path_var, self.path_node, post))

    def check(self, component: str, pattern: str, value: str | None, keys: tuple = (), path_var=None,
              path: object = "shape"):
        """A check with its own value variable (and result path: the shape's unless given)."""
        self.out.append(_Check(self.shape, SH[component], pattern, self.focus, value, keys, path_var,
                               self.path_node if path == "shape" else path))


@dataclass(frozen=True)
class Component:
    name: str  # sh:<name>, e.g. ClassConstraintComponent
    parameters: tuple  # the parameters it reads; the first one selects it
    spec: str  # its section of the SHACL specification
    compile: Callable[[ShapeContext, object], None]


COMPONENTS: dict[URIRef, Component] = {}


def component(name: str, *parameters: URIRef):
    def register(fn):
        COMPONENTS[parameters[0]] = Component(name, parameters, SPEC + name, fn)
        return fn
    return register


def _register(name: str, parameter: URIRef, fn) -> None:
    COMPONENTS[parameter] = Component(name, (parameter,), SPEC + name, fn)


# --- value type (https://www.w3.org/TR/shacl/#core-components-value-type) -----------------------------------

@component("ClassConstraintComponent", SH["class"])
def _class(c: ShapeContext, o) -> None:
    # the class and its subclasses listed (read from the data once), not rdf:type/rdfs:subClassOf*: Virtuoso 7.2
    # keeps rows that a transitive path inside NOT EXISTS must drop
    t = c.var("t")
    classes = ", ".join(_n3(x) for x in c.compiler.type_closure(o))
    c.add("ClassConstraintComponent",
          f"{c.vn} FILTER(isLiteral({c.v}) || NOT EXISTS {{ {c.v} {_n3(RDF.type)} {t} . FILTER({t} IN ({classes})) }})")


@component("DatatypeConstraintComponent", SH.datatype)
def _datatype(c: ShapeContext, dt) -> None:
    v = c.v
    if not isinstance(dt, URIRef):
        raise NotCompilable("sh:datatype with a non-IRI")
    if dt == RDFS.Literal:
        ok = f"isLiteral({v})"
    elif dt == RDFS.Datatype:
        raise NotCompilable("sh:datatype rdfs:Datatype (rdflib tells plain and xsd:string literals apart)")
    elif dt == RDF_LANGSTRING:
        ok = f"(isLiteral({v}) && lang({v}) != \"\")"
    elif dt == XSD_STRING:
        # lang = "": Virtuoso 7.2 gives a language-tagged literal the datatype xsd:string
        ok = f"(isLiteral({v}) && lang({v}) = \"\" && datatype({v}) = {_n3(XSD_STRING)})"
    elif dt in _NUMERIC:
        # isNumeric is false for an ill-typed numeric literal; a cast of one stops the whole query on Virtuoso 7.2
        ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)} && isNumeric({v}))"
    elif dt in _CASTABLE:
        ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)} && COALESCE(isLiteral({_n3(dt)}({v})), false))"
    elif not _rdflib_validates(dt):
        ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)})"  # rdflib never finds these ill-typed
    else:
        ok = f"(isLiteral({v}) && datatype({v}) = {_n3(dt)})"
        c.add("DatatypeConstraintComponent", f"{c.vn} FILTER(!{ok})")
        # pySHACL also rejects literals that rdflib finds ill-typed: checked in Python on the matches (plain
        # data, not a function, so that a compiled check can be cached).
        c.add("DatatypeConstraintComponent", f"{c.vn} FILTER({ok})", post=str(dt))
        return
    c.add("DatatypeConstraintComponent", f"{c.vn} FILTER(!{ok})")


@component("NodeKindConstraintComponent", SH.nodeKind)
def _node_kind(c: ShapeContext, o) -> None:
    if o not in _NODE_KINDS:
        raise NotCompilable(f"unknown node kind {o}")
    c.add("NodeKindConstraintComponent", f"{c.vn} FILTER(!{_NODE_KINDS[o].format(v=c.v)})")


# --- cardinality (https://www.w3.org/TR/shacl/#core-components-count) ---------------------------------------

def distinct_values(c: ShapeContext, n: int) -> str:
    """A pattern that matches iff the focus has at least n distinct values on the shape's path."""
    if n > 4:
        raise NotCompilable("cardinality above 3 in a nested shape")
    vs = [c.var("n") for _ in range(n)]
    pat = " ".join(c.path(c.focus, x) for x in vs)
    diffs = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
    return pat + (f" FILTER({' && '.join(diffs)})" if diffs else "")


@component("MinCountConstraintComponent", SH.minCount)
def _min_count(c: ShapeContext, o) -> None:
    n = int(o)
    if not c.is_prop:
        raise NotCompilable("sh:minCount on a node shape")
    if n <= 0:
        return
    if n == 1:
        c.add("MinCountConstraintComponent",
              f"FILTER NOT EXISTS {{ {c.compiler.exists_path(c.path_node, c.focus)} }}", value=False)
        return
    c.add("MinCountConstraintComponent", f"FILTER NOT EXISTS {{ {distinct_values(c, n)} }}", value=False)


@component("MaxCountConstraintComponent", SH.maxCount)
def _max_count(c: ShapeContext, o) -> None:
    if not c.is_prop:
        raise NotCompilable("sh:maxCount on a node shape")
    c.add("MaxCountConstraintComponent", distinct_values(c, int(o) + 1), value=False)


# --- value range (https://www.w3.org/TR/shacl/#core-components-range) ---------------------------------------

def _range(name: str, op: str, c: ShapeContext, o) -> None:
    if not isinstance(o, Literal):
        raise NotCompilable(f"sh:{name} with a non-literal")
    v = c.v
    # pySHACL: a string never compares with a non-string; IRIs and bnodes never pass.
    stringish = f"(datatype({v}) = {_n3(XSD_STRING)} || lang({v}) != \"\")"
    cond = f"isLiteral({v}) && {'' if _is_stringish_term(o) else '!'}{stringish} && COALESCE({v} {op} {_n3(o)}, false)"
    c.add(f"{name}ConstraintComponent", f"{c.vn} FILTER(!({cond}))")


for _name, _op in (("MinInclusive", ">="), ("MinExclusive", ">"), ("MaxInclusive", "<="), ("MaxExclusive", "<")):
    _register(f"{_name}ConstraintComponent", SH[_name[0].lower() + _name[1:]], functools.partial(_range, _name, _op))


# --- string-based (https://www.w3.org/TR/shacl/#core-components-string) -------------------------------------

@component("MinLengthConstraintComponent", SH.minLength)
def _min_length(c: ShapeContext, o) -> None:
    if int(o) > 0:
        c.add("MinLengthConstraintComponent", f"{c.vn} FILTER(isBlank({c.v}) || STRLEN(STR({c.v})) < {int(o)})")


@component("MaxLengthConstraintComponent", SH.maxLength)
def _max_length(c: ShapeContext, o) -> None:
    c.add("MaxLengthConstraintComponent", f"{c.vn} FILTER(isBlank({c.v}) || STRLEN(STR({c.v})) > {int(o)})")


@component("PatternConstraintComponent", SH.pattern, SH.flags)
def _pattern(c: ShapeContext, o) -> None:
    flags = [str(f) for f in c.g.objects(c.shape, SH.flags)]
    fl = flags[0] if flags else ""
    if set(fl) - set("imsx"):
        raise NotCompilable(f"regex flags {fl!r}")
    pat = _n3(Literal(str(o)))
    args = f"{pat}, {_n3(Literal(fl))}" if fl else pat
    c.add("PatternConstraintComponent", f"{c.vn} FILTER(isBlank({c.v}) || !REGEX(STR({c.v}), {args}))")


@component("LanguageInConstraintComponent", SH.languageIn)
def _language_in(c: ShapeContext, o) -> None:
    v = c.v
    langs = [str(x).lower() for x in c.list(o)]
    if "*" in langs:
        cond = f"isLiteral({v}) && lang({v}) != \"\""
    else:
        lst = ", ".join(_n3(Literal(x)) for x in langs) or '""'
        first = f"LCASE(STRBEFORE(CONCAT(lang({v}), \"-\"), \"-\"))"
        cond = f"isLiteral({v}) && lang({v}) != \"\" && (LCASE(lang({v})) IN ({lst}) || {first} IN ({lst}))"
    c.add("LanguageInConstraintComponent", f"{c.vn} FILTER(!({cond}))")


@component("UniqueLangConstraintComponent", SH.uniqueLang)
def _unique_lang(c: ShapeContext, o) -> None:
    if not (isinstance(o, Literal) and o.value is True):
        return
    if not c.is_prop:
        raise NotCompilable("sh:uniqueLang on a node shape")
    a, b, lg = c.var("a"), c.var("b"), c.var("lang")
    c.add("UniqueLangConstraintComponent",
          f"{c.path(c.focus, a)} {c.path(c.focus, b)} FILTER(isLiteral({a}) && isLiteral({b}) && "
          f"lang({a}) != \"\" && !sameTerm({a}, {b}) && LCASE(lang({a})) = LCASE(lang({b}))) "
          f"BIND(LCASE(lang({a})) AS {lg})", value=False, keys=(lg,))


# --- property pairs (https://www.w3.org/TR/shacl/#core-components-property-pairs) ---------------------------

@component("EqualsConstraintComponent", SH.equals)
def _equals(c: ShapeContext, o) -> None:
    # two checks: values missing from the other property, and the other property's extra values
    focus, p2, w = c.focus, _n3(o), c.var("w")
    if c.is_prop:
        c.add("EqualsConstraintComponent", f"{c.vn} FILTER NOT EXISTS {{ {focus} {p2} {c.v} }}")
        c.check("EqualsConstraintComponent", f"{focus} {p2} {w} . FILTER NOT EXISTS {{ {c.path(focus, w)} }}", w)
    else:
        c.check("EqualsConstraintComponent", f"{focus} {p2} {w} . FILTER(!sameTerm({w}, {focus}))", w, path=None)
        c.add("EqualsConstraintComponent", f"FILTER NOT EXISTS {{ {focus} {p2} {focus} }}")


@component("DisjointConstraintComponent", SH.disjoint)
def _disjoint(c: ShapeContext, o) -> None:
    c.add("DisjointConstraintComponent", f"{c.vn} {c.focus} {_n3(o)} {c.v} .")


def _less_than(name: str, op: str, c: ShapeContext, o) -> None:
    v, other = c.v, c.var("c")
    sv = f"(isIRI({v}) || datatype({v}) = {_n3(XSD_STRING)} || lang({v}) != \"\")"
    sc = f"(isIRI({other}) || datatype({other}) = {_n3(XSD_STRING)} || lang({other}) != \"\")"
    ok = f"(({sv} && {sc} && STR({v}) {op} STR({other})) || (!{sv} && !{sc} && COALESCE({v} {op} {other}, false)))"
    c.add(f"{name}ConstraintComponent", f"{c.vn} {c.focus} {_n3(o)} {other} . FILTER(!{ok})", keys=(other,))


for _name, _op in (("LessThan", "<"), ("LessThanOrEquals", "<=")):
    _register(f"{_name}ConstraintComponent", SH[_name[0].lower() + _name[1:]],
              functools.partial(_less_than, _name, _op))


# --- logical and shape-based (https://www.w3.org/TR/shacl/#core-components-logical, -shape) ------------------

@component("NodeConstraintComponent", SH.node)
def _node(c: ShapeContext, o) -> None:
    c.add("NodeConstraintComponent", f"{c.vn} FILTER({c.violation(o, c.v)})")


@component("NotConstraintComponent", SH["not"])
def _not(c: ShapeContext, o) -> None:
    c.add("NotConstraintComponent", f"{c.vn} FILTER(!({c.violation(o, c.v)}))")


@component("AndConstraintComponent", SH["and"])
def _and(c: ShapeContext, o) -> None:
    parts = [f"({c.violation(m, c.v)})" for m in c.list(o)]
    c.add("AndConstraintComponent", f"{c.vn} FILTER({' || '.join(parts) or 'false'})")


@component("OrConstraintComponent", SH["or"])
def _or(c: ShapeContext, o) -> None:
    parts = [f"({c.violation(m, c.v)})" for m in c.list(o)]
    c.add("OrConstraintComponent", f"{c.vn} FILTER({' && '.join(parts) or 'true'})")


@component("XoneConstraintComponent", SH.xone)
def _xone(c: ShapeContext, o) -> None:
    parts = [f"IF({c.violation(m, c.v)}, 0, 1)" for m in c.list(o)]
    c.add("XoneConstraintComponent", f"{c.vn} FILTER(({' + '.join(parts) or '0'}) != 1)")


@component("QualifiedValueShapeConstraintComponent", SH.qualifiedValueShape, SH.qualifiedMinCount,
           SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint)
def _qualified(c: ShapeContext, q) -> None:
    if any(isinstance(o, Literal) and o.value is True for o in c.g.objects(c.shape, SH.qualifiedValueShapesDisjoint)):
        raise NotCompilable("sh:qualifiedValueShapesDisjoint")
    if not c.is_prop:
        raise NotCompilable("sh:qualifiedValueShape on a node shape")

    def conforming(n):
        """at least n distinct values of the path conform to q"""
        if n > 4:
            raise NotCompilable("qualified cardinality above 3")
        # one value at a time, each after the ones before it in a FILTER EXISTS of its own: Oxigraph plans an EXISTS
        # body once its outer values are bound, so the nested shape (the costly part) is checked once per value
        # and only on values distinct from those before. (In one flat join, Oxigraph splits the FILTERs and
        # places them in no order it promises: the shape was checked on every tuple of values, 2-3 times slower;
        # IF would keep the order, but Virtuoso 7.2 refuses EXISTS inside IF: SQ074.)
        vs = [c.var("q") for _ in range(n)]
        pattern = ""
        for i in reversed(range(n)):
            x = vs[i]
            cond = " || ".join([f"sameTerm({earlier}, {x})" for earlier in vs[:i]] + [f"({c.violation(q, x)})"])
            pattern = f"{c.path(c.focus, x)} FILTER(!({cond}))" + (f" FILTER EXISTS {{ {pattern} }}" if pattern else "")
        return pattern

    for n in [int(o) for o in c.g.objects(c.shape, SH.qualifiedMinCount)][:1]:
        if n > 0:
            c.add("QualifiedMinCountConstraintComponent", f"FILTER NOT EXISTS {{ {conforming(n)} }}", value=False)
    for n in [int(o) for o in c.g.objects(c.shape, SH.qualifiedMaxCount)][:1]:
        c.add("QualifiedMaxCountConstraintComponent", conforming(n + 1), value=False)


# --- other (https://www.w3.org/TR/shacl/#core-components-others) --------------------------------------------

@component("ClosedConstraintComponent", SH.closed, SH.ignoredProperties)
def _closed(c: ShapeContext, o) -> None:
    if not (isinstance(o, Literal) and o.value is True):
        return
    allowed = {pp for ps in c.g.objects(c.shape, SH.property) for pp in c.g.objects(ps, SH.path)
               if isinstance(pp, URIRef)}
    for ignored in c.g.objects(c.shape, SH.ignoredProperties):
        allowed |= set(c.list(ignored))
    p, obj = c.var("p"), c.var("o")
    cond = " && ".join(f"!{_is(p, a)}" for a in sorted(allowed)) or "true"
    ignore = f"!({_is(p, RDF.type)} && {_is(obj, RDFS.Resource)})"
    # pySHACL reports the focus node of the closed shape; for a property shape the values are checked.
    c.check("ClosedConstraintComponent", f"{c.vn} {c.v} {p} {obj} . FILTER({cond} && {ignore})", obj, path_var=p,
            path=None)


@component("InConstraintComponent", SH["in"])
def _in(c: ShapeContext, o) -> None:
    cond = " || ".join(_is(c.v, m) for m in c.list(o)) or "false"
    c.add("InConstraintComponent", f"{c.vn} FILTER(!({cond}))")


@component("HasValueConstraintComponent", SH.hasValue)
def _has_value(c: ShapeContext, o) -> None:
    if c.is_prop:
        c.add("HasValueConstraintComponent", f"FILTER NOT EXISTS {{ {c.path(c.focus, _n3(o))} }}", value=False)
    else:
        c.add("HasValueConstraintComponent", f"FILTER(!{_is(c.focus, o)})", value=False)


# sh:property is compiled by the compiler itself (it recurses into the property shape).
COMPILED_PARAMETERS = frozenset(p for comp in COMPONENTS.values() for p in comp.parameters) | {SH.property}
