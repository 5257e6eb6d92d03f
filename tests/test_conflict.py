"""Two sources that disagree on one figure, held side by side, ranked, each with a reason.

tests/fixtures/conflict/conflict.ttl: the article's "a total of 30" detained on 27 July 2018 (preferred) and a
FICTIONAL fixture report's "some 50" (deprecated), two jkg:Quantity nodes on the same event
(jid:detention-2018-07-27), each presented by its own claim with jkg:rank and jkg:rankReason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

pyshacl = pytest.importorskip("pyshacl")
ox = pytest.importorskip("pyoxigraph")

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "jasic.ttl"
VOCAB = ROOT / "ontology" / "vocab.ttl"
SHAPES = ROOT / "ontology" / "shapes" / "jasic-shapes.ttl"
CHECKS_DIR = ROOT / "ontology" / "checks"
CONFLICT = Path(__file__).resolve().parent / "fixtures" / "conflict" / "conflict.ttl"

JKG = "https://w3id.org/jasic-kg/ontology#"
JID = "https://w3id.org/jasic-kg/id/"
JV = "https://w3id.org/jasic-kg/vocab/"
JSH = "https://w3id.org/jasic-kg/shapes#"

ARTICLE_CLAIM = URIRef(JID + "fixture-claim-detained-article")
OTHER_CLAIM = URIRef(JID + "fixture-claim-detained-other-report")

RANKED_VALUES = """
PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX jid: <https://w3id.org/jasic-kg/id/>
PREFIX jv:  <https://w3id.org/jasic-kg/vocab/>
# Every figure for the 27 July 2018 detention, with the rank and reason of the claim that presents it and the
# work the claim stands in: preferred first, then normal, then deprecated.
SELECT ?value ?statedAs ?quantity ?claim ?rank ?reason ?work WHERE {
  ?quantity a jkg:Quantity ;
            jkg:quantifies jid:detention-2018-07-27 ;
            jkg:value ?value ;
            jkg:statedAs ?statedAs .
  ?claim jkg:claimAbout ?quantity ;
         jkg:statedIn ?work .
  OPTIONAL { ?claim jkg:rank ?r }
  OPTIONAL { ?claim jkg:rankReason ?reason }
  BIND (COALESCE(?r, jv:rank-normal) AS ?rank)
  BIND (IF(?rank = jv:rank-preferred, 0, IF(?rank = jv:rank-normal, 1, 2)) AS ?order)
}
ORDER BY ?order ?value
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES, format="turtle")
    return g


@pytest.fixture()
def data() -> Graph:
    g = Graph()
    for f in (ONTOLOGY, VOCAB, CONFLICT):
        g.parse(f, format="turtle")
    return g


def test_conflict_fixture_conforms(data, shapes):
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def test_conflict_fixture_has_no_check_findings():
    store = ox.Store()
    for f in (ONTOLOGY, VOCAB, CONFLICT):
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    found = {c.name: list(store.query(c.read_text(encoding="utf-8")))
             for c in sorted(CHECKS_DIR.glob("*-violation.rq"))}
    assert not {k: v for k, v in found.items() if v}


def test_query_returns_both_values_preferred_first():
    store = ox.Store()
    for f in (ONTOLOGY, VOCAB, CONFLICT):
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    solutions = store.query(RANKED_VALUES)
    names = [v.value for v in solutions.variables]
    rows = [{n: sol[n] for n in names} for sol in solutions]
    assert [(int(r["value"].value), r["rank"].value, r["work"].value) for r in rows] == [
        (30, JV + "rank-preferred", JID + "article"),
        (50, JV + "rank-deprecated", JID + "fixture-other-report"),
    ]
    assert [r["statedAs"].value for r in rows] == ["a total of 30", "some 50"]
    assert all(r["reason"] is not None and len(r["reason"].value) > 20 for r in rows)
    assert "exact count" in rows[0]["reason"].value
    assert "contradicted by the article" in rows[1]["reason"].value
    # two distinct quantities of the same event, each presented by its own claim
    assert len({r["quantity"] for r in rows}) == 2 and len({r["claim"] for r in rows}) == 2


def ranked_results(g: Graph, shapes: Graph) -> set[tuple[str, str]]:
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none")
    out = set()
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            out.add((str(report.value(r, SH.focusNode)), str(report.value(r, SH.sourceShape)),
                     str(report.value(r, SH.sourceConstraintComponent)), str(report.value(r, SH.resultMessage))))
    return conforms, out


@pytest.mark.parametrize("claim", [ARTICLE_CLAIM, OTHER_CLAIM], ids=["preferred", "deprecated"])
def test_ranked_claim_without_reason_is_rejected(claim, data, shapes):
    data.remove((claim, URIRef(JKG + "rankReason"), None))
    conforms, results = ranked_results(data, shapes)
    assert not conforms
    assert results == {(str(claim), JSH + "RankedClaimShape", str(SH.OrConstraintComponent),
                        "a preferred or deprecated claim must say why (jkg:rankReason)")}


def test_normal_rank_needs_no_reason(data, shapes):
    data.remove((OTHER_CLAIM, URIRef(JKG + "rankReason"), None))
    data.set((OTHER_CLAIM, URIRef(JKG + "rank"), URIRef(JV + "rank-normal")))
    conforms, results = ranked_results(data, shapes)
    assert conforms, results
