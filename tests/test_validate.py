"""Validation stages and meta-checks, strict reading of input files, atomic writes."""

from __future__ import annotations

import shutil

import pytest

from jasic_kg.errors import InputError
from jasic_kg.io.atomic import atomic_write
from jasic_kg.io.rdfio import read_quads
from jasic_kg.validation.engines import ENGINES
from jasic_kg.validation.validate import validate


@pytest.mark.parametrize("name, content, message", [
    ("broken.ttl", b'@prefix a: <http://x/> .\n a:b a:c "x .', "broken.ttl:2:10: Unexpected end of file"),
    ("rel.nt", b"<http://x/a> <http://x/b> <rel> .\n", "rel.nt:1:27: No scheme found in an absolute IRI"),
    ("bad-utf8.ttl", b'<http://x/a> <http://x/b> "\xff" .\n', "bad-utf8.ttl:1:28: Invalid UTF-8"),
    ("empty.ttl", b"  \n", "empty.ttl: file is empty"),
    ("binary.ttl", b"\x00\x01\x02abc", "binary.ttl: looks like a binary file, not RDF text"),
    ("remote.jsonld", b'{"@context": "http://example.org/ctx.jsonld", "@id": "http://x/a", "name": "b"}',
     "remote.jsonld: remote JSON-LD context http://example.org/ctx.jsonld is not fetched"),
    ("data.csv", b"a,b\n", "data.csv: unknown RDF file extension '.csv'"),
])
def test_read_errors_are_one_line(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(InputError) as e:
        read_quads(f)
    assert str(e.value).startswith(str(tmp_path) + "/" + message)
    assert "\n" not in str(e.value)


def test_read_limits(tmp_path):
    f = tmp_path / "a.nt"
    f.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    assert len(read_quads(f)) == 1
    with pytest.raises(InputError, match="over the limit of 10 \\(raise it with --max-bytes\\)"):
        read_quads(f, max_bytes=10)
    with pytest.raises(InputError, match="is a directory"):
        read_quads(tmp_path)


def test_max_bytes_cli_limits_the_users_files_not_the_shipped_ones(run, small, tmp_path):
    ok = run("query", "events-in-year", "--max-bytes", "100")  # the shipped files are all over 100 bytes
    assert ok.exit_code == 0, ok.stderr
    big = tmp_path / "big.nt"
    big.write_bytes(b"<http://e/s> <http://e/p> <http://e/o> .\n" * 3)
    for cmd in (["query", "events-in-year"], ["validate"], ["stats"], ["export", "--format", "nt"]):
        r = run(*cmd, "--data", str(big), "--max-bytes", "100")
        assert r.exit_code == 2, (cmd, r.stdout, r.stderr)
        assert r.stderr.strip().endswith(f"{big}: file is 123 bytes, over the limit of 100 (raise it with "
                                         "--max-bytes)"), (cmd, r.stderr)


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write(b"partial")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_conforms_on_fixture(small):
    report = validate()
    assert report.conforms and report.exit_code == 0 and report.findings == []
    assert report.triples == 140 and report.checks == ["date-bounds-violation", "order-cycle-violation", "duplicate-label-violation",
                                                    "definition-unquoted-term-violation", "edtf-violation"]


@pytest.mark.parametrize("engine", list(ENGINES))
def test_check_query_rows_are_findings(small, tmp_path, engine):
    f = tmp_path / "dates.ttl"
    f.write_text("""@prefix jkg: <https://w3id.org/jasic-kg/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/jasic-kg/id/petition-signing-2018> jkg:latestDate "2018-05-01"^^xsd:date .""")
    report = validate([f], engine=engine)
    checks = [x for x in report.findings if x.stage == "check"]
    assert [(x.check, x.focus.value, x.value.value) for x in checks] == [
        ("date-bounds-violation", "https://w3id.org/jasic-kg/id/petition-signing-2018", "2018-06-01"),
        ("edtf", "https://w3id.org/jasic-kg/id/petition-signing-2018", "2018-05-01")]  # outside "2018-06"
    assert report.exit_code == 1


def _tree_with_shapes(small, tmp_path, shapes_ttl: str):
    tree = tmp_path / "tree"
    shutil.copytree(small, tree)
    (tree / "ontology" / "shapes" / "extra.ttl").write_text(shapes_ttl)
    return tree


def test_meta_shacl_namespace_and_term_typos(small, tmp_path, monkeypatch):
    tree = _tree_with_shapes(small, tmp_path, """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix shx: <http://www.w3.org/ns/shacl/> .
@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
<urn:s1> a sh:NodeShape ; sh:targetclass jkg:Claim .
<urn:s2> a shx:NodeShape ; shx:targetClass jkg:Claim .
<urn:s3> a sh:NodeShape ; sh:targetClass jkg:Claim ; sh:resultAnnotation [ sh:annotationProperty sh:order ] .""")
    monkeypatch.setenv("JASIC_KG_RESOURCES", str(tree))
    report = validate()
    meta = sorted(f.message for f in report.findings if f.check == "shacl-vocabulary")
    assert meta == [
        "<http://www.w3.org/ns/shacl/NodeShape> looks like a mistyped SHACL namespace (it must be "
        "http://www.w3.org/ns/shacl#); SHACL engines ignore it",
        "<http://www.w3.org/ns/shacl/targetClass> looks like a mistyped SHACL namespace (it must be "
        "http://www.w3.org/ns/shacl#); SHACL engines ignore it",
        "sh:targetclass is not a SHACL term (did you mean sh:targetClass?); SHACL engines ignore it",
    ]
    assert not report.conforms


def test_meta_shape_targeting_nothing(small, tmp_path, monkeypatch):
    tree = _tree_with_shapes(small, tmp_path, """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
<https://w3id.org/jasic-kg/shapes#StrikeShape> a sh:NodeShape ; sh:targetClass jkg:Strike .""")
    monkeypatch.setenv("JASIC_KG_RESOURCES", str(tree))
    report = validate()
    [f] = [f for f in report.findings if f.check == "shape-targets"]
    assert f.severity == "Warning"
    assert f.message == "sh:targetClass jkg:Strike matches no node in the data: the shape checks nothing"
    assert report.exit_code == 1


def test_meta_uncovered_class(small, tmp_path):
    f = tmp_path / "widget.ttl"
    f.write_text('<https://w3id.org/jasic-kg/id/w> a <https://w3id.org/jasic-kg/ontology#Widget> .')
    report = validate([f])
    assert [x.message for x in report.findings] == [
        "no shape covers class jkg:Widget (1 instances): they are not validated"]


def test_subclass_is_covered_by_superclass_shape(small, tmp_path):
    # jkg:InformalGroup has no shape of its own; jsh:AgentShape targets its superclass jkg:Agent.
    report = validate()
    assert not [f for f in report.findings if f.check == "class-coverage"]


def test_unknown_engine_or_inference(small):
    with pytest.raises(InputError, match="unknown engine 'jena'"):
        validate(engine="jena")
    with pytest.raises(InputError, match=r"--inference rdfs needs --engine pyshacl"):
        validate(engine="native", inference="rdfs")


@pytest.mark.slow
def test_rdfs_inference_on_the_shipped_graph_conforms():
    """The documented `validate --engine pyshacl --inference rdfs` on the shipped graph: the entailed types and
    superproperties are all valid, so no finding (owlrl's raw closure gave 265: booleans rewritten as integers)."""
    report = validate(engine="pyshacl", inference="rdfs")
    assert (report.inference, report.engine) == ("rdfs", "pyshacl")
    assert [f.message for f in report.findings] == []


def test_rdfs_entailment_keeps_literals_as_stated():
    import rdflib

    from jasic_kg.validation.engines import rdfs_entailed

    g = rdflib.Graph().parse(format="turtle", data="""
        @prefix : <http://example.org/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        :B rdfs:subClassOf :A . :short rdfs:subPropertyOf :name . :flag rdfs:domain :Flagged .
        :x a :B ; :flag true ; :count 1 ; :short "Pingshan"@en ; :stated "Pingshan" .""")
    ex = rdflib.Namespace("http://example.org/")
    closed = rdfs_entailed(g)
    assert (ex.x, rdflib.RDF.type, ex.A) in closed  # rdfs9
    assert (ex.x, rdflib.RDF.type, ex.Flagged) in closed  # rdfs2
    assert set(closed.objects(ex.x, ex.name)) == {rdflib.Literal("Pingshan", lang="en")}  # rdfs7, unchanged
    assert [(str(o), o.datatype) for o in closed.objects(ex.x, ex.flag)] == [("true", rdflib.XSD.boolean)]
    assert [(str(o), o.datatype) for o in closed.objects(ex.x, ex["count"])] == [("1", rdflib.XSD.integer)]
    assert set(closed.objects(ex.x, ex.stated)) == {rdflib.Literal("Pingshan")}
    assert not [s for s in closed.subjects() if isinstance(s, rdflib.Literal)]


def test_shipped_graph_validates_without_syntax_errors(shipped):
    report = validate()
    assert not [f for f in report.findings if f.stage == "syntax"], [f.message for f in report.findings][:5]
    assert report.triples > 1000


def test_report_names_the_shapes_that_fell_back_to_pyshacl(small, tmp_path, monkeypatch):
    """A SHACL-SPARQL constraint is not compiled by the native engine: pySHACL validates that shape, and the
    report (summary line and JSON) says so."""
    import json

    from jasic_kg.validation.render import render_json

    tree = _tree_with_shapes(small, tmp_path, """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix jsh: <https://w3id.org/jasic-kg/shapes#> .
@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
jsh:NoClaimWithoutLabel a sh:NodeShape ; sh:targetClass jkg:Claim ;
  sh:sparql [ sh:message "a claim without a label" ;
              sh:select "SELECT $this WHERE { FILTER NOT EXISTS { $this <http://www.w3.org/2000/01/rdf-schema#label> ?l } }" ] .""")
    monkeypatch.setenv("JASIC_KG_RESOURCES", str(tree))
    report = validate()
    assert [s for s, _ in report.fallback_shapes] == ["jsh:NoClaimWithoutLabel"]
    assert report.summary().endswith("(1 shape by pySHACL: jsh:NoClaimWithoutLabel)")
    assert [d["shape"] for d in json.loads(render_json(report))["fallback_shapes"]] == ["jsh:NoClaimWithoutLabel"]
    assert validate(engine="pyshacl").fallback_shapes == []
