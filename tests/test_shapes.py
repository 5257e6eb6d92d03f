"""SHACL shapes (ontology/shapes/jasic-shapes.ttl) against their fixtures, with pySHACL at library level.

For every shape with a target there is a folder tests/fixtures/shapes/<ShapeLocalName>/ with
- valid.ttl: instance data (plus whatever supporting nodes it needs) that conforms completely, and
- invalid.ttl: data that violates that shape and nothing else.
Each fixture is validated together with ontology/jasic.ttl and ontology/vocab.ttl (subclass axioms, SKOS
concepts) with inference 'none'. For an invalid fixture the test compares the exact set of top-level results,
each as (focus node, result path, source shape, constraint component); a result whose source shape is an
anonymous property shape is named by the node shape that holds it (sh:property). EXPECTED_MESSAGES pins the
sh:message text of at least one result per shape.

A new targeted shape without a fixture folder, or a folder/expectation without a shape, fails
test_every_targeted_shape_has_fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "jasic.ttl"
VOCAB = ROOT / "ontology" / "vocab.ttl"
SHAPES = ROOT / "ontology" / "shapes" / "jasic-shapes.ttl"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"

PREFIXES = {
    "jkg": "https://w3id.org/jasic-kg/ontology#",
    "jid": "https://w3id.org/jasic-kg/id/",
    "jv": "https://w3id.org/jasic-kg/vocab/",
    "jsh": "https://w3id.org/jasic-kg/shapes#",
    "sh": str(SH),
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "sssom": "https://w3id.org/sssom/",
    "pav": "http://purl.org/pav/",
}

TARGET_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def curie(term) -> str:
    s = str(term)
    for prefix, ns in PREFIXES.items():
        if s.startswith(ns):
            return f"{prefix}:{s[len(ns):]}"
    return f"<{s}>"


def render_path(g: Graph, path) -> str | None:
    """A SHACL path as SPARQL-like text: jkg:p, ^jkg:p, (a|b), a/b, a*, a+, a?."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return curie(path)
    if (inv := g.value(path, SH.inversePath)) is not None:
        return "^" + render_path(g, inv)
    if (alt := g.value(path, SH.alternativePath)) is not None:
        return "(" + "|".join(render_path(g, p) for p in Collection(g, alt)) + ")"
    for pred, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        if (inner := g.value(path, pred)) is not None:
            return render_path(g, inner) + suffix
    if g.value(path, RDF.first) is not None:
        return "/".join(render_path(g, p) for p in Collection(g, path))
    raise AssertionError(f"unrenderable path {path!r}")


# --- session fixtures: ontology + vocab and the shapes are parsed once ------------------------------------------

@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    g = Graph()
    g.parse(SHAPES, format="turtle")
    return g


@pytest.fixture(scope="session")
def base_triples() -> tuple:
    g = Graph()
    g.parse(ONTOLOGY, format="turtle")
    g.parse(VOCAB, format="turtle")
    return tuple(g)


def targeted_shapes(shapes: Graph) -> set[str]:
    return {str(s).rsplit("#", 1)[-1] for p in TARGET_PREDICATES for s in shapes.subjects(p, None)
            if isinstance(s, URIRef)}


@pytest.fixture(scope="session")
def validate(base_triples, shapes_graph):
    """validate(path) -> (conforms, report graph, text), memoised for the session."""
    cache: dict[Path, tuple] = {}

    def run(fixture: Path):
        if fixture not in cache:
            g = Graph()
            for t in base_triples:
                g.add(t)
            g.parse(fixture, format="turtle")
            cache[fixture] = pyshacl.validate(g, shacl_graph=shapes_graph, inference="none")
        return cache[fixture]

    return run


def results(report: Graph, shapes: Graph) -> list[tuple[tuple, str | None]]:
    """Top-level results (not sh:detail) as ((focus, path, shape, component), message)."""
    out = []
    for rep in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(rep, SH.result):
            shape = report.value(r, SH.sourceShape)
            if isinstance(shape, BNode):
                parent = shapes.value(None, SH.property, shape)
                assert parent is not None, f"anonymous source shape {shape} has no parent node shape"
                shape = parent
            focus = report.value(r, SH.focusNode)
            assert not isinstance(focus, BNode), "fixtures use IRIs for the nodes they expect results on"
            key = (curie(focus), render_path(report, report.value(r, SH.resultPath)), curie(shape),
                   curie(report.value(r, SH.sourceConstraintComponent)).removeprefix("sh:"))
            msg = report.value(r, SH.resultMessage)
            out.append((key, None if msg is None else str(msg)))
    return out


# --- expectations --------------------------------------------------------------------------------------------
# (focus node, result path or None, source shape (or its parent node shape), constraint component)

EXPECTED: dict[str, set[tuple]] = {
    "MappingShape": {
        ("jid:fixture-mapping-foreign", "owl:annotatedSource", "jsh:MappingShape", "PatternConstraintComponent"),
        ("jid:fixture-mapping-foreign", "owl:annotatedProperty", "jsh:MappingShape", "InConstraintComponent"),
        ("jid:fixture-mapping-bad", "owl:annotatedTarget", "jsh:MappingShape", "PatternConstraintComponent"),
        ("jid:fixture-mapping-bad", "sssom:mapping_justification", "jsh:MappingShape", "InConstraintComponent"),
        ("jid:fixture-mapping-bad", "sssom:confidence", "jsh:MappingShape", "MaxInclusiveConstraintComponent"),
        ("jid:fixture-mapping-bad", "pav:authoredBy", "jsh:MappingShape", "MinCountConstraintComponent"),
        ("jid:fixture-mapping-bad", "pav:authoredOn", "jsh:MappingShape", "DatatypeConstraintComponent"),
        ("jid:fixture-mapping-bad", None, "jsh:MappingShape", "OrConstraintComponent"),
    },
    "OntologyHeaderShape": {
        ("jid:fixture-ontology-bad", "dcterms:title", "jsh:OntologyHeaderShape", "MinCountConstraintComponent"),
        ("jid:fixture-ontology-bad", "dcterms:description", "jsh:OntologyHeaderShape", "MinCountConstraintComponent"),
        ("jid:fixture-ontology-bad", "owl:versionIRI", "jsh:OntologyHeaderShape", "MaxCountConstraintComponent"),
        ("jid:fixture-ontology-bad", "owl:versionIRI", "jsh:OntologyHeaderShape", "NodeKindConstraintComponent"),
        ("jid:fixture-ontology-bad", "dcterms:license", "jsh:OntologyHeaderShape", "NodeKindConstraintComponent"),
        ("jid:fixture-ontology-bad", "dcterms:creator", "jsh:OntologyHeaderShape", "MinCountConstraintComponent"),
        ("jid:fixture-ontology-bad", "dcterms:created", "jsh:OntologyHeaderShape", "DatatypeConstraintComponent"),
    },
    "TermShape": {
        ("jkg:FixtureUndefinedClass", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jkg:FixtureUndefinedClass", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jkg:FixtureUndefinedClass", "skos:definition", "jsh:TermShape", "MinCountConstraintComponent"),
        ("jkg:fixtureTwoLabels", "rdfs:label", "jsh:EnglishLabel", "UniqueLangConstraintComponent"),
        ("jkg:fixtureNoEnglishLabel", "rdfs:label", "jsh:EnglishLabel", "DatatypeConstraintComponent"),
        ("jkg:fixtureNoEnglishLabel", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
    },
    "ConceptShape": {
        ("jv:fixture-concept-unlabelled", "skos:prefLabel", "jsh:ConceptShape", "MinCountConstraintComponent"),
        ("jv:fixture-concept-unlabelled", "skos:inScheme", "jsh:ConceptShape", "ClassConstraintComponent"),
        ("jv:fixture-concept-two-labels", "skos:prefLabel", "jsh:ConceptShape", "UniqueLangConstraintComponent"),
        ("jv:fixture-concept-two-labels", "skos:inScheme", "jsh:ConceptShape", "MinCountConstraintComponent"),
    },
    "AgentShape": {
        ("jid:fixture-agent-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-agent-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-agent-bad", "skos:altLabel", "jsh:AgentShape", "DatatypeConstraintComponent"),
        ("jid:fixture-agent-bad", "jkg:isAnonymous", "jsh:AgentShape", "MaxCountConstraintComponent"),
        ("jid:fixture-agent-bad", "jkg:isAnonymous", "jsh:AgentShape", "DatatypeConstraintComponent"),
        ("jid:fixture-agent-bad", "jkg:basedIn", "jsh:AgentShape", "ClassConstraintComponent"),
        ("jid:fixture-agent-bad", "jkg:subOrganisationOf", "jsh:AgentShape", "ClassConstraintComponent"),
    },
    "PersonShape": {
        ("jid:fixture-person-unplaced", "jkg:mentionContext", "jsh:PersonShape", "MinCountConstraintComponent"),
        ("jid:fixture-person-sidebar", "jkg:mentionContext", "jsh:PersonShape", "NotConstraintComponent"),
        ("jid:fixture-person-wrong-context", "jkg:mentionContext", "jsh:PersonShape", "NodeConstraintComponent"),
    },
    "NameMentionShape": {
        ("jid:fixture-mention-as-agent", None, "jsh:NameMentionShape", "NotConstraintComponent"),
        ("jid:fixture-mention-in-text", "jkg:mentionedName", "jsh:NameMentionShape", "MinCountConstraintComponent"),
        ("jid:fixture-mention-in-text", "jkg:mentionContext", "jsh:NameMentionShape", "HasValueConstraintComponent"),
        ("jid:fixture-mention-two-names", "jkg:mentionedName", "jsh:NameMentionShape", "MaxCountConstraintComponent"),
        ("jid:fixture-mention-two-names", "jkg:mentionedName", "jsh:NameMentionShape", "DatatypeConstraintComponent"),
    },
    "MembershipShape": {
        ("jid:fixture-membership-bad", "jkg:member", "jsh:MembershipShape", "MaxCountConstraintComponent"),
        ("jid:fixture-membership-bad", "jkg:member", "jsh:MembershipShape", "ClassConstraintComponent"),
        ("jid:fixture-membership-bad", "jkg:memberOf", "jsh:MembershipShape", "MinCountConstraintComponent"),
        ("jid:fixture-membership-bad", "jkg:role", "jsh:MembershipShape", "NodeConstraintComponent"),
        ("jid:fixture-membership-bad", "jkg:roleStated", "jsh:MembershipShape", "DatatypeConstraintComponent"),
        ("jid:fixture-membership-bad", "^jkg:claimAbout", "jsh:MembershipShape", "MinCountConstraintComponent"),
        ("jid:fixture-membership-bad-2", "jkg:memberOf", "jsh:MembershipShape", "ClassConstraintComponent"),
        ("jid:fixture-membership-bad-2", "jkg:role", "jsh:MembershipShape", "MinCountConstraintComponent"),
        ("jid:fixture-membership-bad-2", "^jkg:claimAbout", "jsh:MembershipShape", "ClassConstraintComponent"),
    },
    "PlaceShape": {
        ("jid:fixture-place-bad", "rdfs:label", "jsh:EnglishLabel", "UniqueLangConstraintComponent"),
        ("jid:fixture-place-bad", "jkg:isVague", "jsh:PlaceShape", "MaxCountConstraintComponent"),
        ("jid:fixture-place-bad", "jkg:isVague", "jsh:PlaceShape", "DatatypeConstraintComponent"),
        ("jid:fixture-place-bad", "jkg:withinPlace", "jsh:PlaceShape", "ClassConstraintComponent"),
        ("jid:fixture-place-bad", "jkg:placeStated", "jsh:PlaceShape", "DatatypeConstraintComponent"),
    },
    "EventBoundsShape": {
        ("jid:fixture-event-unbounded", None, "jsh:EventBoundsShape", "OrConstraintComponent"),
    },
    "DatedShape": {
        ("jid:fixture-dated-bad", "jkg:edtf", "jsh:DatedShape", "DatatypeConstraintComponent"),
        ("jid:fixture-dated-bad", "jkg:earliestDate", "jsh:DatedShape", "LessThanOrEqualsConstraintComponent"),
        ("jid:fixture-dated-bad", "jkg:narrativePosition", "jsh:DatedShape", "DatatypeConstraintComponent"),
        ("jid:fixture-dated-bad", "jkg:dateStated", "jsh:DatedShape", "DatatypeConstraintComponent"),
    },
    "EventShape": {
        ("jid:fixture-event-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-event-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:eventType", "jsh:EventShape", "NodeConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:dateStated", "jsh:EventShape", "MaxCountConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:location", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:subEventOf", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:follows", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:causedBy", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:performedBy", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:participant", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "jkg:affected", "jsh:EventShape", "ClassConstraintComponent"),
        ("jid:fixture-event-bad", "^jkg:claimAbout", "jsh:EventShape", "MinCountConstraintComponent"),
        # jsh:DatedShape (targets every dated node): non-EDTF string, earliest date after latest date
        ("jid:fixture-event-bad-dates", "jkg:earliestDate", "jsh:DatedShape", "LessThanOrEqualsConstraintComponent"),
        ("jid:fixture-event-bad-dates", "jkg:edtf", "jsh:DatedShape", "DatatypeConstraintComponent"),
    },
    "QuantityShape": {
        ("jid:fixture-quantity-bad", "jkg:counts", "jsh:QuantityShape", "MinCountConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:quantifies", "jsh:QuantityShape", "MinCountConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:unit", "jsh:QuantityShape", "NodeConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:isApproximate", "jsh:QuantityShape", "DatatypeConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:isDerived", "jsh:QuantityShape", "MaxCountConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:value", "jsh:QuantityShape", "OrConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:lowerBound", "jsh:QuantityShape", "LessThanOrEqualsConstraintComponent"),
        ("jid:fixture-quantity-bad", "jkg:proportionOf", "jsh:QuantityShape", "MaxCountConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:statedAs", "jsh:QuantityShape", "MaxCountConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:counts", "jsh:QuantityShape", "DatatypeConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:unit", "jsh:QuantityShape", "MaxCountConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:isApproximate", "jsh:QuantityShape", "MinCountConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:value", "jsh:QuantityShape", "MaxCountConstraintComponent"),
        ("jid:fixture-quantity-bad-2", "jkg:lowerBound", "jsh:QuantityShape", "OrConstraintComponent"),
    },
    "DerivedQuantityShape": {
        ("jid:fixture-quantity-unexplained", None, "jsh:DerivedQuantityShape", "OrConstraintComponent"),
    },
    "StatedQuantityShape": {
        ("jid:fixture-quantity-unclaimed", None, "jsh:StatedQuantityShape", "OrConstraintComponent"),
        ("jid:fixture-quantity-unphrased", None, "jsh:StatedQuantityShape", "OrConstraintComponent"),
    },
    "ClaimShape": {
        ("jid:fixture-claim-bad", "jkg:quote", "jsh:ClaimShape", "MinLengthConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:quote", "jsh:ClaimShape", "DatatypeConstraintComponent"),
        ("jid:fixture-claim-bad", "(jkg:claimAbout|jkg:assesses)", "jsh:ClaimShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:assertedBy", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:assertedBy", "jsh:ClaimShape", "ClassConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:reportedBy", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:evidenceType", "jsh:ClaimShape", "NodeConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:statedIn", "jsh:ClaimShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:citesSource", "jsh:ClaimShape", "ClassConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:verifiedBy", "jsh:ClaimShape", "ClassConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:rank", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:rank", "jsh:ClaimShape", "NodeConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:summary", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:summary", "jsh:ClaimShape", "OrConstraintComponent"),
        ("jid:fixture-claim-bad", "jkg:hasEvidence", "jsh:ClaimShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:quote", "jsh:ClaimShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:assertedBy", "jsh:ClaimShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:evidenceType", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:statedIn", "jsh:ClaimShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:statedIn", "jsh:ClaimShape", "ClassConstraintComponent"),
        ("jid:fixture-claim-bad-2", "jkg:hasEvidence", "jsh:ClaimShape", "ClassConstraintComponent"),
    },
    "RankedClaimShape": {
        ("jid:fixture-claim-preferred-unexplained", None, "jsh:RankedClaimShape", "OrConstraintComponent"),
        ("jid:fixture-untyped-ranked", None, "jsh:RankedClaimShape", "OrConstraintComponent"),
    },
    "AbsenceShape": {
        ("jid:fixture-claim-absence-bad", "jkg:absentActor", "jsh:AbsenceShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-absence-bad", "jkg:absentEventType", "jsh:AbsenceShape", "NodeConstraintComponent"),
        # jsh:DatedShape (targets every dated node): two EDTF values
        ("jid:fixture-claim-absence-bad", "jkg:edtf", "jsh:DatedShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-absence-bad-2", "jkg:absentActor", "jsh:AbsenceShape", "ClassConstraintComponent"),
    },
    "AssessmentShape": {
        ("jid:fixture-claim-assessment-bad", "jkg:assesses", "jsh:AssessmentShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-assessment-bad", "jkg:theme", "jsh:AssessmentShape", "MinCountConstraintComponent"),
        ("jid:fixture-claim-assessment-bad", "jkg:listPosition", "jsh:AssessmentShape", "DatatypeConstraintComponent"),
        ("jid:fixture-claim-assessment-bad-2", "jkg:theme", "jsh:AssessmentShape", "MaxCountConstraintComponent"),
        ("jid:fixture-claim-assessment-bad-2", "jkg:listPosition", "jsh:AssessmentShape", "MaxCountConstraintComponent"),
    },
    "ContrastShape": {
        ("jid:fixture-claim-contrast-bad", "jkg:contrastsWith", "jsh:ContrastShape", "MinCountConstraintComponent"),
    },
    "StrategyShape": {
        ("jid:fixture-strategy-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-strategy-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-strategy-bad", "jkg:implementedBy", "jsh:StrategyShape", "MinCountConstraintComponent"),
        ("jid:fixture-strategy-bad", "jkg:hasLayer", "jsh:StrategyShape", "ClassConstraintComponent"),
        ("jid:fixture-strategy-bad", "jkg:hasCycleStep", "jsh:StrategyShape", "ClassConstraintComponent"),
        ("jid:fixture-strategy-bad", "jkg:hasElement", "jsh:StrategyShape", "ClassConstraintComponent"),
        ("jid:fixture-strategy-bad", "jkg:layerListIsOpen", "jsh:StrategyShape", "DatatypeConstraintComponent"),
        ("jid:fixture-strategy-bad", "^jkg:claimAbout", "jsh:StrategyShape", "MinCountConstraintComponent"),
        ("jid:fixture-strategy-bad-2", "jkg:implementedBy", "jsh:StrategyShape", "ClassConstraintComponent"),
        ("jid:fixture-strategy-bad-2", "jkg:layerListIsOpen", "jsh:StrategyShape", "MaxCountConstraintComponent"),
        ("jid:fixture-strategy-bad-2", "^jkg:claimAbout", "jsh:StrategyShape", "MinCountConstraintComponent"),
    },
    "StrategyLayerShape": {
        ("jid:fixture-layer-bad", "jkg:listPosition", "jsh:StrategyLayerShape", "MinCountConstraintComponent"),
        ("jid:fixture-layer-bad", "^jkg:claimAbout", "jsh:StrategyLayerShape", "MinCountConstraintComponent"),
        ("jid:fixture-layer-bad-2", "jkg:listPosition", "jsh:StrategyLayerShape", "MaxCountConstraintComponent"),
        ("jid:fixture-layer-bad-2", "jkg:listPosition", "jsh:StrategyLayerShape", "DatatypeConstraintComponent"),
        ("jid:fixture-layer-bad-2", "^jkg:claimAbout", "jsh:StrategyLayerShape", "MinCountConstraintComponent"),
    },
    "CycleStepShape": {
        ("jid:fixture-step-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-step-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-step-bad", "jkg:stepNumber", "jsh:CycleStepShape", "MinInclusiveConstraintComponent"),
        ("jid:fixture-step-bad", "^jkg:claimAbout", "jsh:CycleStepShape", "MinCountConstraintComponent"),
        ("jid:fixture-step-bad-2", "jkg:stepNumber", "jsh:CycleStepShape", "MaxCountConstraintComponent"),
        ("jid:fixture-step-bad-2", "^jkg:claimAbout", "jsh:CycleStepShape", "MinCountConstraintComponent"),
    },
    "StrategyElementShape": {
        ("jid:fixture-element-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-element-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-element-bad", "^jkg:claimAbout", "jsh:StrategyElementShape", "MinCountConstraintComponent"),
    },
    "IdeaShape": {
        ("jid:fixture-idea-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-idea-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-idea-bad", "jkg:associatedWith", "jsh:IdeaShape", "ClassConstraintComponent"),
    },
    "GoalShape": {
        ("jid:fixture-goal-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-goal-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-goal-bad", "^jkg:claimAbout", "jsh:GoalShape", "MinCountConstraintComponent"),
        ("jid:fixture-goal-bad-2", "^jkg:claimAbout", "jsh:GoalShape", "ClassConstraintComponent"),
    },
    "InfluenceShape": {
        ("jid:fixture-influence-bad", "jkg:influenced", "jsh:InfluenceShape", "MinCountConstraintComponent"),
        ("jid:fixture-influence-bad", "jkg:influencedBy", "jsh:InfluenceShape", "MinCountConstraintComponent"),
        ("jid:fixture-influence-bad", "jkg:influenceKind", "jsh:InfluenceShape", "MaxCountConstraintComponent"),
        ("jid:fixture-influence-bad", "jkg:influenceKind", "jsh:InfluenceShape", "NodeConstraintComponent"),
        ("jid:fixture-influence-bad", "jkg:via", "jsh:InfluenceShape", "ClassConstraintComponent"),
        ("jid:fixture-influence-bad", "^jkg:claimAbout", "jsh:InfluenceShape", "MinCountConstraintComponent"),
        ("jid:fixture-influence-bad-2", "^jkg:claimAbout", "jsh:InfluenceShape", "ClassConstraintComponent"),
    },
    "WorkShape": {
        ("jid:fixture-work-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
        ("jid:fixture-work-bad", "rdfs:label", "jsh:EnglishLabel", "QualifiedMinCountConstraintComponent"),
        ("jid:fixture-work-bad", "jkg:year", "jsh:WorkShape", "MaxCountConstraintComponent"),
        ("jid:fixture-work-bad", "jkg:year", "jsh:WorkShape", "DatatypeConstraintComponent"),
        ("jid:fixture-work-bad", "jkg:originalYear", "jsh:WorkShape", "DatatypeConstraintComponent"),
        ("jid:fixture-work-bad", "dcterms:creator", "jsh:WorkShape", "ClassConstraintComponent"),
        ("jid:fixture-work-bad", "dcterms:publisher", "jsh:WorkShape", "ClassConstraintComponent"),
        ("jid:fixture-work-bad", "jkg:titleTranslation", "jsh:WorkShape", "DatatypeConstraintComponent"),
        ("jid:fixture-work-bad", "schema:url", "jsh:WorkShape", "OrConstraintComponent"),
        # jsh:DatedShape (targets every dated node): earliest date after latest date
        ("jid:fixture-work-bad", "jkg:earliestDate", "jsh:DatedShape", "LessThanOrEqualsConstraintComponent"),
    },
    "CitedWorkShape": {
        ("jid:fixture-cited-bad", "dcterms:title", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
        ("jid:fixture-cited-bad", "jkg:year", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
        ("jid:fixture-cited-bad", "^jkg:claimAbout", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
        ("jid:fixture-cited-untyped", "dcterms:title", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
        ("jid:fixture-cited-untyped", "jkg:year", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
        ("jid:fixture-cited-untyped", "^jkg:claimAbout", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
    },
    "TextRepresentationShape": {
        ("jid:fixture-text-bad", "jkg:sha256", "jsh:TextRepresentationShape", "PatternConstraintComponent"),
        ("jid:fixture-text-bad", "jkg:representationOf", "jsh:TextRepresentationShape", "ClassConstraintComponent"),
        ("jid:fixture-text-bad-2", "jkg:sha256", "jsh:TextRepresentationShape", "MinCountConstraintComponent"),
        ("jid:fixture-text-bad-2", "jkg:representationOf", "jsh:TextRepresentationShape", "MinCountConstraintComponent"),
        ("jid:fixture-text-bad-3", "jkg:sha256", "jsh:TextRepresentationShape", "MaxCountConstraintComponent"),
        ("jid:fixture-text-bad-3", "jkg:representationOf", "jsh:TextRepresentationShape", "MaxCountConstraintComponent"),
    },
    "AnnotationShape": {
        ("jid:fixture-annotation-bad", "oa:hasBody", "jsh:AnnotationShape", "MinCountConstraintComponent"),
        # jsh:QuoteTargetShape (via sh:node): source is the work, not its text; no position selector
        ("jid:fixture-annotation-bad", "oa:hasTarget", "jsh:AnnotationShape", "NodeConstraintComponent"),
        ("jid:fixture-annotation-bad-2", "oa:hasBody", "jsh:AnnotationShape", "ClassConstraintComponent"),
        ("jid:fixture-annotation-bad-2", "oa:hasTarget", "jsh:AnnotationShape", "MaxCountConstraintComponent"),
        # jsh:QuoteTargetShape: two quote selectors (and the position selector ends before it starts)
        ("jid:fixture-annotation-bad-3", "oa:hasTarget", "jsh:AnnotationShape", "NodeConstraintComponent"),
        ("jid:fixture-annotation-bad-4", "oa:hasTarget", "jsh:AnnotationShape", "MinCountConstraintComponent"),
    },
}

# (focus, path, shape, component) -> the exact sh:resultMessage
EXPECTED_MESSAGES: dict[str, tuple[tuple, str]] = {
    "MappingShape": (("jid:fixture-mapping-bad", "owl:annotatedTarget", "jsh:MappingShape", "PatternConstraintComponent"),
                     "a mapping's target is a Wikidata item, ISBN, ISSN, GeoNames, ROR, VIAF or DOI identifier, "
                     "or sssom:NoTermFound"),
    "DatedShape": (("jid:fixture-dated-bad", "jkg:narrativePosition", "jsh:DatedShape", "DatatypeConstraintComponent"),
                   "jkg:narrativePosition is one integer"),
    "OntologyHeaderShape": (("jid:fixture-ontology-bad", "dcterms:license", "jsh:OntologyHeaderShape",
                             "NodeKindConstraintComponent"), "the ontology needs a dcterms:license IRI"),
    "TermShape": (("jkg:FixtureUndefinedClass", "skos:definition", "jsh:TermShape", "MinCountConstraintComponent"),
                  "every class and property needs a skos:definition"),
    "ConceptShape": (("jv:fixture-concept-unlabelled", "skos:inScheme", "jsh:ConceptShape",
                      "ClassConstraintComponent"), "a concept must be in a concept scheme"),
    "AgentShape": (("jid:fixture-agent-bad", "rdfs:label", "jsh:EnglishLabel", "MinCountConstraintComponent"),
                   'needs exactly one English rdfs:label ("..."@en); put name variants in skos:altLabel'),
    "PersonShape": (("jid:fixture-person-sidebar", "jkg:mentionContext", "jsh:PersonShape",
                     "NotConstraintComponent"),
                    "a name seen only in the page sidebar is a jkg:NameMention, not a jkg:Person"),
    "NameMentionShape": (("jid:fixture-mention-as-agent", None, "jsh:NameMentionShape", "NotConstraintComponent"),
                         "a sidebar name mention must not also be an agent of the story"),
    "MembershipShape": (("jid:fixture-membership-bad", "^jkg:claimAbout", "jsh:MembershipShape",
                         "MinCountConstraintComponent"), "a membership needs a claim (a quote and a voice) about it"),
    "PlaceShape": (("jid:fixture-place-bad", "jkg:withinPlace", "jsh:PlaceShape", "ClassConstraintComponent"),
                   "jkg:withinPlace points to a jkg:Place"),
    "EventBoundsShape": (("jid:fixture-event-unbounded", None, "jsh:EventBoundsShape", "OrConstraintComponent"),
                         "an event needs at least one honest date bound (jkg:earliestDate, jkg:latestDate, jkg:latestStartDate); "
                         "say why in jkg:dateBasis when inferred"),
    "EventShape": (("jid:fixture-event-bad", "jkg:eventType", "jsh:EventShape", "NodeConstraintComponent"),
                   "an event needs a jkg:eventType from the jv:event-types scheme"),
    "QuantityShape": (("jid:fixture-quantity-bad", "jkg:lowerBound", "jsh:QuantityShape",
                       "LessThanOrEqualsConstraintComponent"), "jkg:lowerBound is one number, not above jkg:upperBound"),
    "DerivedQuantityShape": (("jid:fixture-quantity-unexplained", None, "jsh:DerivedQuantityShape",
                              "OrConstraintComponent"),
                             "a derived quantity (jkg:isDerived true) must say how it was derived (jkg:derivation) "
                             "and carry no jkg:statedAs, which is for the article's words"),
    "StatedQuantityShape": (("jid:fixture-quantity-unclaimed", None, "jsh:StatedQuantityShape",
                             "OrConstraintComponent"),
                            "a stated quantity needs the article's phrase (jkg:statedAs) and a claim (a quote and a "
                            "voice) about it"),
    "ClaimShape": (("jid:fixture-claim-bad", "jkg:assertedBy", "jsh:ClaimShape", "MaxCountConstraintComponent"),
                   "a claim needs exactly one voice (jkg:assertedBy, an agent)"),
    "RankedClaimShape": (("jid:fixture-claim-preferred-unexplained", None, "jsh:RankedClaimShape",
                          "OrConstraintComponent"), "a preferred or deprecated claim must say why (jkg:rankReason)"),
    "AbsenceShape": (("jid:fixture-claim-absence-bad", "jkg:absentActor", "jsh:AbsenceShape",
                      "MinCountConstraintComponent"), "an absence says who did not act (jkg:absentActor)"),
    "AssessmentShape": (("jid:fixture-claim-assessment-bad", "jkg:assesses", "jsh:AssessmentShape",
                         "MinCountConstraintComponent"), "an assessment says what it assesses (jkg:assesses)"),
    "ContrastShape": (("jid:fixture-claim-contrast-bad", "jkg:contrastsWith", "jsh:ContrastShape",
                       "MinCountConstraintComponent"), "a contrast names the other side (jkg:contrastsWith)"),
    "StrategyShape": (("jid:fixture-strategy-bad", "jkg:implementedBy", "jsh:StrategyShape",
                       "MinCountConstraintComponent"), "a strategy needs the agent that implemented it"),
    "StrategyLayerShape": (("jid:fixture-layer-bad", "jkg:listPosition", "jsh:StrategyLayerShape",
                            "MinCountConstraintComponent"),
                           "a layer has its position in the article's list (one jkg:listPosition)"),
    "CycleStepShape": (("jid:fixture-step-bad", "jkg:stepNumber", "jsh:CycleStepShape",
                        "MinInclusiveConstraintComponent"), "a cycle step has one jkg:stepNumber, 1 or more"),
    "StrategyElementShape": (("jid:fixture-element-bad", "^jkg:claimAbout", "jsh:StrategyElementShape",
                              "MinCountConstraintComponent"), "a strategy element needs a claim about it"),
    "IdeaShape": (("jid:fixture-idea-bad", "jkg:associatedWith", "jsh:IdeaShape", "ClassConstraintComponent"),
                  "jkg:associatedWith points to a person"),
    "GoalShape": (("jid:fixture-goal-bad-2", "^jkg:claimAbout", "jsh:GoalShape", "ClassConstraintComponent"),
                  "a goal needs a claim (a quote and a voice) about it"),
    "InfluenceShape": (("jid:fixture-influence-bad", "jkg:influenceKind", "jsh:InfluenceShape",
                        "NodeConstraintComponent"), "an influence needs one jkg:influenceKind from jv:influence-kinds"),
    "WorkShape": (("jid:fixture-work-bad", "schema:url", "jsh:WorkShape", "OrConstraintComponent"),
                  "schema:url is an IRI or an xsd:anyURI"),
    "CitedWorkShape": (("jid:fixture-cited-bad", "jkg:year", "jsh:CitedWorkShape", "MinCountConstraintComponent"),
                       "a work in the reference list needs its jkg:year"),
    "TextRepresentationShape": (("jid:fixture-text-bad", "jkg:sha256", "jsh:TextRepresentationShape",
                                 "PatternConstraintComponent"),
                                "a text representation is identified by one SHA-256 (64 lower-case hex digits)"),
    "AnnotationShape": (("jid:fixture-annotation-bad-2", "oa:hasBody", "jsh:AnnotationShape",
                         "ClassConstraintComponent"), "an evidence annotation has exactly one body, the claim"),
}

FIXTURE_DIRS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()) if FIXTURES.is_dir() else []


# --- tests -----------------------------------------------------------------------------------------------------

def test_ontology_and_vocab_conform(base_triples, shapes_graph):
    """The fixtures are validated with ontology + vocab; those alone must already conform."""
    g = Graph()
    for t in base_triples:
        g.add(t)
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes_graph, inference="none")
    assert conforms, text


def test_every_targeted_shape_has_fixtures(shapes_graph):
    shapes = targeted_shapes(shapes_graph)
    assert shapes, "no targeted shapes found"
    missing = sorted(s for s in shapes
                     if not ((FIXTURES / s / "valid.ttl").is_file() and (FIXTURES / s / "invalid.ttl").is_file()))
    assert not missing, f"targeted shapes without tests/fixtures/shapes/<shape>/valid.ttl + invalid.ttl: {missing}"
    unexpected = sorted(shapes - set(EXPECTED))
    assert not unexpected, f"targeted shapes without EXPECTED results in tests/test_shapes.py: {unexpected}"
    no_message = sorted(shapes - set(EXPECTED_MESSAGES))
    assert not no_message, f"targeted shapes without an EXPECTED_MESSAGES entry: {no_message}"
    stale = sorted((set(FIXTURE_DIRS) | set(EXPECTED)) - shapes)
    assert not stale, f"fixture folders / expectations for shapes that no longer exist: {stale}"


@pytest.mark.parametrize("shape", FIXTURE_DIRS)
def test_valid_fixture_conforms(shape, validate):
    conforms, report, text = validate(FIXTURES / shape / "valid.ttl")
    assert conforms, f"{shape}/valid.ttl should conform:\n{text}"


@pytest.mark.parametrize("shape", FIXTURE_DIRS)
def test_invalid_fixture_results(shape, validate, shapes_graph):
    conforms, report, text = validate(FIXTURES / shape / "invalid.ttl")
    assert not conforms, f"{shape}/invalid.ttl should not conform"
    got = results(report, shapes_graph)
    keys = {k for k, _ in got}
    expected = EXPECTED.get(shape)
    assert expected is not None, f"no EXPECTED entry for {shape}"
    assert any(k[2] == f"jsh:{shape}" for k in expected), f"EXPECTED[{shape!r}] has no result of jsh:{shape}"
    missing, extra = expected - keys, keys - expected
    assert not missing and not extra, (
        f"{shape}: results differ.\n  missing (shape no longer catches): {sorted(missing, key=str)}\n"
        f"  unexpected: {sorted(extra, key=str)}")
    # a result is reported once per (focus, path, shape, component) in these fixtures
    assert len(got) == len(keys), f"{shape}: duplicate results {sorted((k for k, _ in got), key=str)}"


@pytest.mark.parametrize("shape", FIXTURE_DIRS)
def test_invalid_fixture_message(shape, validate, shapes_graph):
    key, message = EXPECTED_MESSAGES[shape]
    _, report, _ = validate(FIXTURES / shape / "invalid.ttl")
    messages = {m for k, m in results(report, shapes_graph) if k == key}
    assert messages == {message}, f"{shape}: message for {key}: {messages}"
