"""The SPARQL-compiled SHACL engine (jasic_kg.validation.shacl_native) gives exactly pySHACL's results.

"Exactly": the same conformance and the same multiset of (focus node, result path, constraint component, source
shape, value) tuples, on every SHACL fixture under tests/ (each fixture with the ontology and vocabulary, as
tests/test_shapes.py validates them), on the shipped graph, on the benchmark data (10k) and on small inline
graphs that exercise each SHACL Core component. pySHACL is run shape by shape (shacl_native.run_pyshacl: the same
Shape.validate calls as pyshacl.validate) so blank nodes keep their ids; its totals are also checked against
pyshacl.validate's own report.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH

from jasic_kg.validation import shacl_native as sn

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
ONTOLOGY = [ROOT / "ontology" / "jasic.ttl", ROOT / "ontology" / "vocab.ttl"]
PROJECT_SHAPES = sorted((ROOT / "ontology" / "shapes").glob("*.ttl"))


def _graph(*paths) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(str(p))
    return g


def _assert_same(data: rdflib.Graph, shapes: rdflib.Graph, allow_fallback=False):
    ref = sn.run_pyshacl(data, shapes)
    rep = sn.validate(data, shapes)
    if not allow_fallback:
        assert rep.fallback_shapes == [], rep.fallback_shapes
    a = collections.Counter(f.key() for f in ref)
    b = collections.Counter(f.key() for f in rep.findings)
    assert a - b == collections.Counter(), f"native misses {list((a - b).elements())[:5]}"
    assert b - a == collections.Counter(), f"native adds {list((b - a).elements())[:5]}"
    conforms, rg, _ = pyshacl.validate(data, shacl_graph=shapes)
    assert rep.conforms == bool(conforms)
    assert len(rep.findings) == len(list(rg.objects(None, SH.result)))  # top-level results, not sh:detail
    return rep


def _shape_fixtures():
    out = []
    for f in sorted((FIXTURES / "shapes").glob("*/*.ttl")):
        out.append(pytest.param(f, id=f"{f.parent.name}/{f.stem}"))
    return out


@pytest.mark.skipif(not PROJECT_SHAPES, reason="the project's shapes have not landed")
@pytest.mark.parametrize("fixture", _shape_fixtures())
def test_project_shape_fixtures_identical_to_pyshacl(fixture):
    _assert_same(_graph(*ONTOLOGY, fixture), _graph(*PROJECT_SHAPES))


def _own_shape_fixtures():
    """Fixture trees that carry their own shapes (tests/fixtures/*/ontology/shapes)."""
    out = []
    for shapes_dir in sorted(FIXTURES.glob("*/ontology/shapes")):
        base = shapes_dir.parent.parent
        data = sorted(base.glob("data/*.ttl")) + sorted(p for p in shapes_dir.parent.glob("*.ttl"))
        out.append(pytest.param(data, sorted(shapes_dir.glob("*.ttl")), id=base.name))
    return out


@pytest.mark.parametrize("data,shapes", _own_shape_fixtures())
def test_fixture_trees_identical_to_pyshacl(data, shapes):
    _assert_same(_graph(*data), _graph(*shapes))


@pytest.mark.slow
@pytest.mark.skipif(not PROJECT_SHAPES or not list((ROOT / "data").glob("*.ttl")), reason="no shipped graph yet")
def test_shipped_graph_identical_to_pyshacl():
    _assert_same(_graph(*ONTOLOGY, *sorted((ROOT / "data").rglob("*.ttl"))), _graph(*PROJECT_SHAPES))


@pytest.mark.slow
def test_benchmark_10k_identical_to_pyshacl(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    data, _, _ = generate.write("10k", tmp_path)
    shapes = _graph(ROOT / "benchmarks" / "shapes.ttl")
    rep = _assert_same(_graph(data), shapes)
    # the file path route (pyoxigraph bulk load) gives the same results as the rdflib-graph route
    rep2 = sn.validate(data, shapes)
    assert collections.Counter(f.key() for f in rep2.findings) == collections.Counter(f.key() for f in rep.findings)


# --- every SHACL Core component on a small graph ---------------------------------------------------------------

PRE = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""

DATA = PRE + """
ex:Sub rdfs:subClassOf ex:Thing . ex:Deep rdfs:subClassOf ex:Sub .
ex:a a ex:Thing ; ex:name "Alpha"@en, "Alfa"@EN, "阿"@zh ; ex:n 5 ; ex:m 5 ; ex:k 3 ; ex:code "AB-12" ;
  ex:knows ex:b, ex:c, "lit" ; ex:date "2018-06-01"^^xsd:date ; ex:end "2018-05-01"^^xsd:date ;
  ex:bad "abc"^^xsd:integer ; ex:num "01"^^xsd:integer ; ex:tag ex:t1 ; ex:extra "x" ; ex:uri "http://x"^^xsd:anyURI .
ex:b a ex:Deep ; ex:name "Beta"@fr ; ex:n "5" ; ex:m 6 ; ex:code "ab-12" ; ex:knows ex:a ; ex:tag ex:t2, ex:t3 ;
  ex:parent ex:a .
ex:c ex:name "Gamma" ; ex:parent ex:b ; ex:knows [ a ex:Thing ; ex:name "anon"@en ] .
_:x a ex:Thing ; ex:n -2 ; ex:code _:y .
ex:a ex:parent ex:c .
"""

SHAPES = PRE + """
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:maxCount 2 ; sh:uniqueLang true ; sh:languageIn ("en" "zh") ] ;
  sh:property [ sh:path ex:n ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 6 ; sh:equals ex:m ] ;
  sh:property [ sh:path ex:k ; sh:disjoint ex:n ; sh:lessThan ex:n ; sh:hasValue 3 ] ;
  sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]+-[0-9]+$" ; sh:flags "i" ; sh:minLength 5 ; sh:maxLength 5 ] ;
  sh:property [ sh:path ex:knows ; sh:class ex:Thing ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path ex:date ; sh:lessThanOrEquals ex:end ] ;
  sh:property [ sh:path ex:bad ; sh:datatype xsd:integer ] ;
  sh:property [ sh:path ex:num ; sh:in ( 2 3 ) ] ;
  sh:property [ sh:path ex:uri ; sh:or ( [ sh:nodeKind sh:IRI ] [ sh:datatype xsd:anyURI ] ) ] ;
  sh:property [ sh:path ex:tag ; sh:qualifiedValueShape [ sh:nodeKind sh:IRI ] ; sh:qualifiedMinCount 1 ;
                sh:qualifiedMaxCount 1 ] ;
  sh:property [ sh:path ( ex:knows ex:name ) ; sh:maxCount 2 ; sh:severity sh:Warning ; sh:message "too many"@en ] ;
  sh:property [ sh:path [ sh:inversePath ex:parent ] ; sh:minCount 1 ] ;
  sh:property [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:maxCount 2 ] ;
  sh:property [ sh:path [ sh:alternativePath ( ex:n ex:m ) ] ; sh:maxCount 1 ] ;
  sh:xone ( [ sh:class ex:Sub ] [ sh:path ex:k ; sh:minCount 1 ] ) ;
  sh:and ( [ sh:path ex:n ; sh:minCount 1 ] [ sh:nodeKind sh:IRI ] ) ;
  sh:not [ sh:class ex:Deep ] .
ex:Closed a sh:NodeShape ; sh:targetNode ex:b, ex:nowhere ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path ex:name ] , [ sh:path ex:n ] , [ sh:path ex:m ] , [ sh:path ex:code ] , [ sh:path ex:knows ] ,
  [ sh:path ex:tag ] .
ex:Objs a sh:NodeShape ; sh:targetObjectsOf ex:parent ; sh:node ex:Named .
ex:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:datatype rdf:langString ] .
ex:Subjs a sh:NodeShape ; sh:targetSubjectsOf ex:parent ; sh:nodeKind sh:BlankNode .
ex:Off a sh:NodeShape ; sh:targetClass ex:Thing ; sh:deactivated true ; sh:property [ sh:path ex:zzz ; sh:minCount 1 ] .
ex:Thing2 a rdfs:Class, sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""


def test_core_components_identical_to_pyshacl():
    data = rdflib.Graph().parse(data=DATA + "ex:z a ex:Thing2 .\n", format="turtle")
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    rep = _assert_same(data, shapes)
    comps = {str(f.constraint_component).rsplit("#", 1)[-1] for f in rep.findings}
    # the fixture really exercises the components (not a vacuous comparison)
    for c in ("MinCount", "MaxCount", "UniqueLang", "LanguageIn", "Datatype", "MinInclusive", "Equals",
              "Pattern", "Class", "NodeKind", "LessThanOrEquals", "In", "QualifiedMaxCount", "Xone", "And", "Not",
              "Closed", "Node", "HasValue", "MaxLength"):
        assert f"{c}ConstraintComponent" in comps, c
    sev = {f.severity for f in rep.findings}
    assert SH.Warning in sev and SH.Violation in sev
    assert any(f.message == "too many" for f in rep.findings)
    # non-canonical literals come back as written when the data is an rdflib graph
    assert any(f.value == rdflib.Literal("01", datatype=rdflib.XSD.integer) for f in rep.findings)


QUALIFIED_DATA = PRE + """
ex:Red a ex:Colour . ex:Rose a ex:Colour . ex:Blue a ex:Colour . ex:Green a ex:Colour . ex:Tree a ex:Plant .
ex:none a ex:Box ; ex:item ex:Tree .
ex:one a ex:Box ; ex:item ex:Red, ex:Tree .
ex:two a ex:Box ; ex:item ex:Red, ex:Blue, ex:Tree, "red" .
ex:three a ex:Box ; ex:item ex:Red, ex:Blue, ex:Green .
ex:four a ex:Box ; ex:item ex:Red, ex:Rose, ex:Blue, ex:Green .
ex:wrap1 ex:holds ex:one . ex:wrap2 ex:holds ex:two . ex:wrap3 ex:holds ex:three . ex:wrap4 ex:holds ex:four .
"""

QUALIFIED_SHAPES = PRE + """
ex:BoxShape a sh:NodeShape ; sh:targetClass ex:Box ;
  sh:property [ sh:path ex:item ; sh:qualifiedValueShape ex:ColourShape ; sh:qualifiedMinCount 2 ;
                sh:qualifiedMaxCount 2 ] ,
              [ sh:path ex:item ; sh:qualifiedValueShape ex:ColourShape ; sh:qualifiedMaxCount 3 ] .
ex:ColourShape a sh:NodeShape ; sh:class ex:Colour ; sh:nodeKind sh:IRI .
ex:WrapShape a sh:NodeShape ; sh:targetSubjectsOf ex:holds ;
  sh:property [ sh:path ex:holds ; sh:node ex:TwoColoursShape ] .
ex:TwoColoursShape a sh:NodeShape ;
  sh:property [ sh:path ex:item ; sh:qualifiedValueShape ex:ColourShape ; sh:qualifiedMinCount 2 ;
                sh:qualifiedMaxCount 2 ] .
"""


def test_qualified_counts_above_one_identical_to_pyshacl():
    """Two to four values conforming to the qualified shape, counted at the top level and inside sh:node (where
    each value after the first is looked for in an EXISTS of its own)."""
    rep = _assert_same(rdflib.Graph().parse(data=QUALIFIED_DATA, format="turtle"),
                       rdflib.Graph().parse(data=QUALIFIED_SHAPES, format="turtle"))
    ex = rdflib.Namespace("http://example.org/")
    got = {(f.focus_node, str(f.constraint_component).rsplit("#", 1)[-1]) for f in rep.findings}
    assert got == {
        (ex.none, "QualifiedMinCountConstraintComponent"), (ex.one, "QualifiedMinCountConstraintComponent"),
        (ex.three, "QualifiedMaxCountConstraintComponent"), (ex.four, "QualifiedMaxCountConstraintComponent"),
        (ex.wrap1, "NodeConstraintComponent"), (ex.wrap3, "NodeConstraintComponent"),
        (ex.wrap4, "NodeConstraintComponent")}
    # ex:four has four conforming values: over both maxima (2 and 3)
    assert sum(f.focus_node == ex.four for f in rep.findings) == 2


def test_uncompilable_shape_falls_back_to_pyshacl_never_skipped():
    shapes = rdflib.Graph().parse(data=SHAPES + """
ex:Sparql a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:sparql [ sh:select "SELECT $this WHERE { $this <http://example.org/n> ?n . FILTER(?n > 4) }" ] .
""", format="turtle")
    data = rdflib.Graph().parse(data=DATA, format="turtle")
    rep = _assert_same(data, shapes, allow_fallback=True)
    assert [str(s) for s, _ in rep.fallback_shapes] == ["http://example.org/Sparql"]
    assert any(str(f.source_shape) == "http://example.org/Sparql" for f in rep.findings)


def test_store_inputs():
    """A pyoxigraph Store and the toolkit's LocalStore are accepted as data."""
    import pyoxigraph as ox

    s = ox.Store()
    s.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    findings = sn.run_shacl(s, shapes)
    ref = sn.run_pyshacl(rdflib.Graph().parse(data=DATA, format="turtle"), shapes)
    assert len(findings) == len(ref)


def test_nested_property_shape_joins_the_parent_path():
    """W3C core property/property-001: a property shape inside a property shape checks the parent's value nodes
    only (an address nobody has is not checked), once per focus node that reaches them (two people, one bad
    address: two results)."""
    ttl = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ex:address ; sh:property ex:CityShape ] .
ex:CityShape sh:path ex:city ; sh:class ex:City .
ex:p1 a ex:Person ; ex:address ex:bad . ex:p2 a ex:Person ; ex:address ex:bad , ex:good .
ex:bad ex:city ex:Nowhere . ex:good ex:city ex:Paris . ex:Paris a ex:City .
ex:unreached ex:city ex:Atlantis .
"""
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    rep = _assert_same(g, g)
    EX = rdflib.Namespace("http://example.org/")
    assert [(f.focus_node, f.value, f.source_shape) for f in rep.findings] == [
        (EX.bad, EX.Nowhere, EX.CityShape), (EX.bad, EX.Nowhere, EX.CityShape)]


_SUBCLASS_DATA = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:Agent .
_:anonymous rdfs:subClassOf ex:Sub .
ex:a a ex:Sub . ex:b a _:anonymous . ex:c a ex:Other .
ex:x ex:by ex:a , ex:b , ex:c , "literal" .
"""
_SUBCLASS_SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:S a sh:NodeShape ; sh:targetNode ex:x ; sh:property [ sh:path ex:by ; sh:class ex:Agent ] .
ex:T a sh:NodeShape ; sh:targetClass ex:Agent ; sh:property [ sh:path ex:missing ; sh:minCount 1 ] .
"""


def test_sh_class_and_targets_follow_subclasses_listed_at_run_time():
    """sh:class and class targets are compiled with a placeholder for the class's subclasses, listed when the query
    runs (compiled.py): the same results as pySHACL. A blank-node subclass cannot be listed, so a shape whose
    classes have one goes to pySHACL (whole, as any shape the engine cannot compile)."""
    data = rdflib.Graph().parse(data=_SUBCLASS_DATA, format="turtle")
    shapes = rdflib.Graph().parse(data=_SUBCLASS_SHAPES, format="turtle")
    rep = _assert_same(data, shapes, allow_fallback=True)
    assert sorted(str(s) for s, _ in rep.fallback_shapes) == ["http://example.org/S", "http://example.org/T"]
    assert all("a blank node as a constraint parameter" in why for _, why in rep.fallback_shapes)
    class_findings = sorted(str(f.value) for f in rep.findings
                            if str(f.constraint_component).endswith("#ClassConstraintComponent"))
    assert class_findings == ["http://example.org/c", "literal"]
    # without the blank-node subclass, ex:b is no agent and nothing falls back
    plain = rdflib.Graph().parse(data=_SUBCLASS_DATA.replace("_:anonymous rdfs:subClassOf ex:Sub .", ""),
                                 format="turtle")
    rep = _assert_same(plain, shapes)
    assert sorted(str(f.value) for f in rep.findings
                  if str(f.constraint_component).endswith("#ClassConstraintComponent")) == [
        "http://example.org/b", "http://example.org/c", "literal"]
    assert sorted(str(f.focus_node) for f in rep.findings
                  if str(f.constraint_component).endswith("#MinCountConstraintComponent")) == [
        "http://example.org/a"]
