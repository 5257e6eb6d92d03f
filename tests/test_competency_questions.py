"""The 25 public competency questions (../shared/competency-questions.md): each saved query queries/cqNN-*.rq is
run through the library on the shipped graph, and the article's answer, with its precision, is asserted row by
row; the pitfalls the questions name are asserted as negative facts about the result or the graph."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode

from jasic_kg.queries import load_query_file
from jasic_kg.store import LocalStore
from jasic_kg.terms import PREFIXES, show

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
XSD = PREFIXES["xsd"]
JID = PREFIXES["jid"]


@pytest.fixture(scope="session")
def kg():
    """The shipped graph (ontology, vocabulary, data), loaded once per session from the checkout."""
    files = sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "data").rglob("*.ttl"))
    if not list((REPO / "data").glob("*.ttl")):
        pytest.skip("the shipped data has not landed yet")
    return LocalStore(files, cache=False)


def _py(term):
    """A result term as a plain Python value: CURIE for IRIs, bool/int/Decimal for typed literals."""
    if isinstance(term, Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt == XSD + "boolean":
            return term.value == "true"
        if dt in (XSD + "integer", XSD + "nonNegativeInteger", XSD + "positiveInteger"):
            return int(term.value)
        if dt == XSD + "decimal":
            return Decimal(term.value)
        return term.value
    return show(term)


def rows(kg, name: str, **params) -> list[dict]:
    """Run the saved query NAME (with its header defaults, overridden by params): rows as dicts."""
    query = load_query_file(QUERIES / f"{name}.rq")
    result = kg.query(query.text, query.bindings({k: str(v) for k, v in params.items()}))
    return [{v: _py(t) for v, t in zip(result.variables, row) if t is not None} for row in result.rows]


def ask(kg, sparql: str) -> bool:
    return kg.query(sparql).boolean


def select(kg, sparql: str) -> list[dict]:
    return [{k: _py(v) for k, v in r.items()} for r in kg.select(sparql)]


def col(result: list[dict], name: str) -> list:
    return [r.get(name) for r in result]


def one(result: list[dict], **match) -> dict:
    hits = [r for r in result if all(r.get(k) == v for k, v in match.items())]
    assert len(hits) == 1, f"expected one row with {match}, got {len(hits)}"
    return hits[0]


# --- lookup ---------------------------------------------------------------------------------------------------

def test_cq01_author_and_position(kg):
    r = rows(kg, "cq01-author")
    assert {x["author"] for x in r} == {"jid:yueran-zhang"}
    assert {x["name"] for x in r} == {"Yueran Zhang"}
    assert set(col(r, "nameVariant")) == {"Zhang Yueran", "Zhang, Yueran"}
    assert {x["position"] for x in r} == {"doctoral student in sociology"}
    assert {x["institution"] for x in r} == {"University of California, Berkeley"}
    assert {x["bioQuote"] for x in r} == {
        "Zhang Yueran is a doctoral student in sociology at the University of California, Berkeley."}
    assert {x["evidenceType"] for x in r} == {"article metadata"}
    # Pitfall: the name variants are one person, not two authors.
    assert select(kg, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { jid:article dcterms:creator ?a }")[0]["n"] == 1
    assert not ask(kg, """ASK { ?p a jkg:Person ; rdfs:label ?l . FILTER(STR(?l) IN ("Zhang Yueran", "Zhang, Yueran"))
                          }""")
    assert select(kg, """SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a jkg:Person ; rdfs:label|skos:altLabel ?l .
                         FILTER(CONTAINS(STR(?l), "Yueran")) }""")[0]["n"] == 1


def test_cq02_date_issue_categories(kg):
    r = rows(kg, "cq02-publication")
    assert set(col(r, "category")) == {"Article", "China Columns"}
    for x in r:
        assert x["written"] == "2020-06-25"
        assert x["dateStated"] == "Written On 25 June 2020"
        assert x["edtf"] == "2020-06-25"  # an exact day
        assert x["earliest"] == x["latest"] == "2020-06-25"
        assert x["journal"] == "Made in China Journal"
        assert x["issue"] == "Spectral Revolutions"
        assert x["issuePeriod"] == "May–August 2020"
        assert x["issueEdtf"] == "2020-05/2020-08"


def test_cq03_acftu_complaints_and_response(kg):
    r = rows(kg, "cq03-acftu-complaints")
    x = one(r, complaint="jid:complaint-2018-05")
    assert len(r) == 1
    assert x["dateStated"] == "In May 2018" and x["edtf"] == "2018-05"
    assert x["complainants"] == "Jasic workers" and x["complainantsStatedAs"] == "several"
    assert x["placeStated"] == ("the Pingshan district branch office of China's official trade union, "
                                "the All-China Federation of Trade Unions (ACFTU)")
    assert x["organisation"] == "ACFTU Pingshan district branch"
    assert x["parentOrganisation"] == "All-China Federation of Trade Unions"
    assert x["parentAbbreviation"] == "ACFTU"
    assert "official trade union" in x["parentDescription"]
    assert x["responder"] == "local ACFTU officials"
    assert x["respondersStatedAs"] == "some"  # 'some local ACFTU officials', not all of them
    assert x["responseQuote"] == ("While receiving the workers, some local ACFTU officials there suggested "
                                  "unionisation as a possible way to resolve their grievances and informed them of "
                                  "the legal procedure to do so.")


def test_cq04_small_factories(kg):
    r = rows(kg, "cq04-factories")
    assert len(r) == 1
    x = r[0]
    assert x["stepNumber"] == 3
    assert x["step"] == "take jobs in small factories notorious for bad working conditions"
    assert x["quote"] == ("These activists usually sought employment in small factories notorious for bad "
                          "working conditions.")
    assert "usually" in x["quote"]
    assert x["voice"] == "Yueran Zhang"
    # No factory is named before Jasic: the only factory place in the graph is the Jasic factory.
    factories = select(kg, """SELECT DISTINCT ?p WHERE { ?p a jkg:Place ; rdfs:label|skos:altLabel ?l .
                              FILTER(CONTAINS(LCASE(STR(?l)), "factor")) }""")
    assert col(factories, "p") == ["jid:jasic-factory"]


def test_cq05_koo_book(kg):
    r = rows(kg, "cq05-koo-book")
    assert len(r) == 1
    x = r[0]
    assert x["work"] == "jid:korean-workers"
    assert x["title"] == "Korean Workers: The Culture and Politics of Class Formation"
    assert x["year"] == "2001"
    assert x["place"] == "Ithaca, NY"
    assert x["publisher"] == "Cornell University Press"
    assert x["referenceEntry"] == ("Koo, Hagen. 2001. *Korean Workers: The Culture and Politics of Class "
                                   "Formation*. Ithaca, NY: Cornell University Press.")
    assert x["citedAs"] == "Hagen Koo's *Korean Workers* (2001)"


# --- join -----------------------------------------------------------------------------------------------------

def test_cq11_universities_and_student_societies(kg):
    r = rows(kg, "cq11-universities")
    assert set(col(r, "university")) == {"jid:peking-university", "jid:universities", "jid:uc-berkeley",
                                         "jid:maoist-student-associations",
                                         "jid:student-associations-various-universities"}
    pku = [x for x in r if x["university"] == "jid:peking-university"]
    disband = one(pku, relation="performed event")
    assert disband["whom"] == "Peking University Marxist Studies Society"
    assert disband["dateStated"] == "in December 2018" and disband["edtf"] == "2018-12"
    assert "in the name of 'reorganisation'" in disband["quote"]
    assert {(x["whom"], x["what"]) for x in pku if x["relation"] == "membership"} == {
        ("He Pengchao", "a graduate of Peking University"),
        ("anonymous Peking University student", "an anonymous Peking University student")}
    unnamed = [x for x in r if x["university"] == "jid:universities"]
    acts = {x["what"]: x for x in unnamed if x["relation"] == "performed event"}
    assert set(acts) == {"universities discipline students who joined the solidarity group",
                         "universities severely restrict Marxist student associations"}
    assert {x["dateStated"] for x in acts.values()} == {"undated"}
    assert {x["whom"] for x in acts.values()} == {"leftist college students",
                                                  "Marxist student associations of which the solidarity-group "
                                                  "students were part"}
    # The article describes three sets of Marxist student associations differently; they stay apart: the
    # Maoist ones at 'several' universities the founders connected with, those at 'various' universities behind
    # the 2018 mobilisation, and those of which the disciplined students were part (restricted above).
    several = [x for x in r if x["university"] == "jid:maoist-student-associations"]
    assert {x["universityKind"] for x in several} == {"student associations at unnamed universities"}
    assert one(several, relation="number of universities as stated")["what"] == "several"
    assert one(several, relation="ideology")["what"] == "Maoism"
    connected = one(several, relation="stated about the associations")["quote"]
    assert "adopted a Maoist ideology" in connected and "close connections" in connected
    various = [x for x in r if x["university"] == "jid:student-associations-various-universities"]
    assert one(various, relation="number of universities as stated")["what"] == "various"
    assert "close connections" in one(various, relation="stated about the associations")["quote"]
    assert one(unnamed, relation="membership")["whom"] == "Peking University"  # 'for example'
    berkeley = [x for x in r if x["university"] == "jid:uc-berkeley"]
    assert [(x["relation"], x["whom"], x["what"]) for x in berkeley] == [
        ("membership", "Yueran Zhang", "doctoral student in sociology")]  # the author's institution only
    # Cornell appears only in the publisher's name: not a university, no row.
    assert not any("Cornell" in str(v) for x in r for v in x.values())


def test_cq12_persons(kg):
    r = rows(kg, "cq12-persons")
    named = {x["entity"] for x in r if x["kind"] == "named person"}
    assert named == {"jid:yueran-zhang", "jid:he-pengchao", "jid:bo-xilai", "jid:hagen-koo",
                     "jid:vladimir-lenin", "jid:enrico-sola"}
    assert {x["name"] for x in r if x["kind"] == "named person"} == {
        "Yueran Zhang", "He Pengchao", "Bo Xilai", "Hagen Koo", "Vladimir I. Lenin", "Enrico Sola"}
    assert {x["context"] for x in r if x["entity"] == "jid:enrico-sola"} == {"photo credit"}
    assert {x["context"] for x in r if x["entity"] == "jid:yueran-zhang"} == {"byline", "author bio",
                                                                              "reference list"}
    assert {x["entity"] for x in r if x["kind"] == "anonymous person"} == {"jid:anonymous-pku-student"}
    assert {"jid:network-informants", "jid:trusted-informants"} <= {
        x["entity"] for x in r if x["kind"] == "anonymous collective"}
    sidebar = {x["name"] for x in r if x["kind"] == "page sidebar name, not article content"}
    assert sidebar == {"Ching Kwan Lee", "Liu Wai Tong", "Robert Ovetz", "Jenny Chan"}
    assert {x["context"] for x in r if x["name"] in sidebar} == {"page sidebar"}
    # The unnamed groups of people are collectives, not persons.
    for collective in ("jid:local-acftu-officials", "jid:jasic-workers", "jid:leftist-students"):
        assert ask(kg, f"ASK {{ {collective} a jkg:Collective }}")
        assert not ask(kg, f"ASK {{ {collective} a jkg:Person }}")
    # Pitfall: sidebar names are not persons, agents or actors of the story.
    for name in sidebar:
        assert not ask(kg, f"""ASK {{ ?x rdfs:label|skos:altLabel ?l . FILTER(STR(?l) = "{name}")
                                     ?x a/rdfs:subClassOf* jkg:Agent }}""")
        assert not ask(kg, f"""ASK {{ ?m jkg:mentionedName "{name}" .
                                     {{ ?m a/rdfs:subClassOf* jkg:Agent }} UNION {{ ?e jkg:performedBy|jkg:participant|jkg:affected ?m }}
                                     UNION {{ ?c jkg:assertedBy ?m }} }}""")
    assert not ask(kg, "ASK { jkg:NameMention rdfs:subClassOf* jkg:Agent }")


def test_cq13_detained_on_27_july_2018(kg):
    r = rows(kg, "cq13-detained-27-july")
    assert {x["event"] for x in r} == {"jid:detention-2018-07-27"}
    for x in r:
        assert x["statedAs"] == "a total of 30"
        assert x["value"] == 30
        assert x["isApproximate"] is False  # an exact figure
        assert "performer" not in x  # the article does not name who carried out the detention
        assert x["edtf"] == "2018-07-27"
        assert x["dateStated"] == "on 27 July"  # the first mention has no year ...
        assert "27 July 2018" in x["dateBasis"]  # ... the year comes from the restatement
    assert {x["detail"] for x in r if x["detailKind"] == "detained group"} == {
        "leading worker activists at Jasic", "supporters of the Jasic worker activists"}
    quotes = {x["detail"] for x in r if x["detailKind"] == "quote"}
    assert quotes == {
        "As a result, on 27 July a total of 30 individuals, including both Jasic worker activists and their "
        "supporters, were detained.",
        "after the leading worker-activists were detained on 27 July 2018"}
    assert not ask(kg, "ASK { jid:detention-2018-07-27 jkg:performedBy ?who }")


def test_cq14_places_and_events(kg):
    r = rows(kg, "cq14-places-events")
    by_place = {}
    for x in r:
        by_place.setdefault(x["place"], set()).add(x["event"])
    assert by_place == {
        "jid:acftu-pingshan-office": {"jid:complaint-2018-05", "jid:acftu-suggestion-2018-05"},
        "jid:jasic-factory": {"jid:protest-outside-factory", "jid:police-beating"},
        "jid:local-police-station": {"jid:police-station-protests"},
        "jid:pingshan": {"jid:solidarity-group-formation"},
        "jid:solidarity-group-apartment": {"jid:raid-2018-08-24", "jid:detention-2018-08-24"},
    }
    assert one(r, event="jid:complaint-2018-05")["dateStated"] == "In May 2018"
    assert one(r, event="jid:protest-outside-factory")["dateStated"] == "undated"
    station = one(r, event="jid:police-station-protests")
    assert station["placeStated"] == "in front of a local police station" and station["isVague"] is True
    assert station["dateStated"] == "undated"
    formation = one(r, event="jid:solidarity-group-formation")
    assert formation["placeLabel"] == "Pingshan" and formation["dateStated"] == "After the mass detention"
    raid = one(r, event="jid:raid-2018-08-24")
    assert raid["dateStated"] == "On 24 August" and raid["isVague"] is True
    # The apartment's location is not given: no containing place (Pingshan is implied, not stated).
    assert "withinPlace" not in raid
    assert not ask(kg, "ASK { jid:solidarity-group-apartment jkg:withinPlace ?p }")


# --- temporal -------------------------------------------------------------------------------------------------

CQ21_ORDER = [
    # 1. May 2018
    ("jid:complaint-2018-05", "In May 2018", "2018-05"),
    ("jid:acftu-suggestion-2018-05", "In May 2018 ('While receiving the workers')", None),
    # 2. June (2018 implied); within a couple of weeks about 80 sign
    ("jid:petition-launch-2018-06", "In June", "2018-06"),
    ("jid:petition-signing-2018", "Within a couple of weeks", None),
    # 3.-5. undated, narrative order only
    ("jid:dismissal-of-leaders", "soon", None),
    ("jid:protest-outside-factory", "undated", None),
    ("jid:police-beating", "undated ('during which')", None),
    ("jid:police-station-protests", "undated", None),
    # 6. 27 July 2018
    ("jid:detention-2018-07-27", "on 27 July", "2018-07-27"),
    # 7. after 27 July: formation in Pingshan, students mobilised en masse (and used as an educational occasion)
    ("jid:solidarity-group-formation", "After the mass detention", None),
    ("jid:student-mobilisation", "undated ('rapidly', with the formation of the solidarity group)",
     None),
    ("jid:network-student-agitation-2018", "undated ('this occasion')", None),
    # 8. the following month
    ("jid:daily-solidarity-actions", "In the following month", None),
    # 9. 24 August (2018 implied)
    ("jid:raid-2018-08-24", "On 24 August", "2018-08-24"),
    ("jid:detention-2018-08-24", "On 24 August", "2018-08-24"),
    # 10. late 2018, immediately after the raid
    ("jid:op-ed-writing-2018", "in late 2018, immediately after the large-scale police raid", None),
    # 11. November 2018
    ("jid:detention-2018-11", "in November 2018", "2018-11"),
    # 12. undated, narrative order only
    ("jid:university-discipline", "undated", None),
    ("jid:student-association-restrictions", "undated", None),
    # 13. December 2018
    ("jid:pku-society-disbandment-2018-12", "in December 2018", "2018-12"),
]


def test_cq21_events_of_2018_in_order(kg):
    r = rows(kg, "cq21-events-2018")
    assert [(x["event"], x["dateStated"], x.get("edtf")) for x in r] == CQ21_ORDER
    by_event = {x["event"]: x for x in r}
    # Years the article only implies are recorded as implied, not stated.
    assert "implied" in by_event["jid:petition-launch-2018-06"]["dateBasis"]
    assert "implied" in by_event["jid:raid-2018-08-24"]["dateBasis"]
    # A relative date is bounded from the event it is counted from, that event's own days included.
    following = by_event["jid:daily-solidarity-actions"]
    assert (following["earliest"], following["latest"]) == ("2018-07-27", "2018-08-31")
    assert "counted from the 27 July 2018 detention" in following["dateBasis"]
    # Undated and relative steps keep derived bounds with their basis and no EDTF value: never an invented day.
    for iri in ("jid:dismissal-of-leaders", "jid:protest-outside-factory", "jid:police-station-protests",
                "jid:university-discipline"):
        x = by_event[iri]
        assert "edtf" not in x and x["earliest"] != x["latest"]
        assert "narrative order" in x["dateBasis"]
    # The op-ed's 'late 2018' overlaps November 2018: its order relative to step 11 is uncertain.
    op_ed, november = by_event["jid:op-ed-writing-2018"], by_event["jid:detention-2018-11"]
    assert op_ed["earliest"] <= november["latest"] and november["earliest"] <= op_ed["latest"]
    # Nothing of 2019 (the students' protests and detentions) is among the events of 2018.
    assert "jid:student-detentions-2019" not in by_event
    assert "jid:student-protests-against-discipline" not in by_event


def test_cq22_24_august_2018(kg):
    r = rows(kg, "cq22-24-august")
    assert {x["event"] for x in r} == {"jid:raid-2018-08-24", "jid:detention-2018-08-24"}
    for x in r:
        assert x["dateStated"] == "On 24 August"  # 2018 is implied, not written
        assert x["edtf"] == "2018-08-24"
        assert "implied" in x["dateBasis"]
        assert x["performer"] == "the police"
        assert x["affected"] == "Jasic Workers Solidarity Group"
        assert x["place"] == "the apartment where the solidarity group resided"
        assert x["isVague"] is True and "withinPlace" not in x  # no location beyond 'the apartment'
    raid = {x["statedAs"]: x for x in r if x["event"] == "jid:raid-2018-08-24"}
    assert set(raid) == {"about 50", "some", "others"}
    assert raid["about 50"]["value"] == 50 and raid["about 50"]["isApproximate"] is True
    assert "members" in raid["about 50"]["quantityCounts"]
    assert "value" not in raid["some"] and "sent back home" in raid["some"]["quantityCounts"]
    assert "value" not in raid["others"] and "detained" in raid["others"]["quantityCounts"]


def test_cq23_stagnation_and_decision(kg):
    r = rows(kg, "cq23-stagnation-decision")
    by_event = {x["event"]: x for x in r}
    assert [x["event"] for x in r] == ["jid:network-plateau-2015", "jid:demoralisation",
                                       "jid:increased-state-hostility", "jid:escalation-decision",
                                       "jid:decision-send-to-jasic-2016", "jid:planning-jasic-action-2016"]
    plateau = by_event["jid:network-plateau-2015"]
    assert plateau["dateStated"] == "Around 2015" and plateau["edtf"] == "2015~"  # approximate year
    assert plateau["voice"] == "Yueran Zhang" and plateau["evidenceType"] == "author's narrative"
    escalation = by_event["jid:escalation-decision"]
    assert escalation["dateStated"] == "undated" and "edtf" not in escalation
    assert "larger factory" in escalation["quote"] and "reenergise" in escalation["quote"]
    for iri in ("jid:decision-send-to-jasic-2016", "jid:planning-jasic-action-2016"):
        x = by_event[iri]
        assert x["edtf"] == "2016"
        assert x["voice"] == "He Pengchao"
        assert x["evidenceType"] == "confession video"
        assert x["citedSource"] == "(Jasic Worker Support Group 2019)"
        assert x["verifiedBy"] == "Yueran Zhang"
        assert x["verificationEvidence"] == "author's independent verification"
    # The stagnation and the escalation are the author's own account, not the video's.
    for iri in ("jid:network-plateau-2015", "jid:demoralisation", "jid:escalation-decision"):
        assert by_event[iri]["voice"] == "Yueran Zhang" and "citedSource" not in by_event[iri]


def test_cq24_second_anniversary(kg):
    r = rows(kg, "cq24-anniversary")
    assert len(r) == 1
    x = r[0]
    assert x["dateStated"] == "This summer"
    assert "edtf" not in x  # 'This summer' is relative to the time of writing: bounds only
    assert (x["earliest"], x["latest"]) == ("2020-06-01", "2020-08-31")
    assert x["articleWritten"] == "2020-06-25" and x["articleDateStated"] == "Written On 25 June 2020"
    assert x["original"] == "jid:jasic-struggle-2018" and x["originalEdtf"] == "2018"
    assert x["originalPlace"] == "Shenzhen Jasic Technology factory"
    assert x["quote"] == ("This summer marks the second anniversary of the failed unionisation drive at the "
                          "Shenzhen Jasic Technology factory")
    assert "summer 2018" in x["dateBasis"]


# --- aggregation ----------------------------------------------------------------------------------------------

def test_cq31_petition_share_of_workforce(kg):
    r = rows(kg, "cq31-petition-share")
    by_phrase = {x["statedAs"]: x for x in r}
    assert set(by_phrase) == {"roughly 10 percent", "about 80", "80"}
    share = by_phrase["roughly 10 percent"]
    assert share["value"] == 10 and share["unit"] == "percent"
    assert share["isApproximate"] is True and share["isDerived"] is False
    assert share["whole"] == "Jasic workforce"
    assert share["quote"] == ("Within a couple of weeks, about 80 coworkers—roughly 10 percent of the "
                              "workforce—signed the petition.")
    assert by_phrase["about 80"]["value"] == 80 and by_phrase["about 80"]["isApproximate"] is True
    assert by_phrase["80"]["value"] == 80 and by_phrase["80"]["isApproximate"] is False  # the restatement
    assert "80 co-workers" in by_phrase["80"]["quote"]
    # The workforce's size is not stated anywhere ...
    assert all("wholeSizeStatedAs" not in x and "wholeSizeValue" not in x for x in r)
    assert not ask(kg, "ASK { ?q jkg:quantifies jid:jasic-workforce }")
    # ... and 800 appears only as a derived figure, if at all (pitfall).
    assert not ask(kg, """ASK { ?q jkg:value ?v . FILTER(?v = 800)
                               FILTER NOT EXISTS { ?q jkg:isDerived true } }""")
    assert not ask(kg, """ASK { ?q jkg:statedAs ?s . FILTER(CONTAINS(STR(?s), "800")) }""")


def test_cq32_detention_episodes_without_total(kg):
    r = rows(kg, "cq32-detention-episodes")
    episodes = {}
    for x in r:
        episodes.setdefault(x["event"], x)
    # 'About a dozen' is approximate; a value of 12 would be as honest as 80 for 'about 80', so allow either.
    dozen = episodes["jid:detention-2018-11"]
    assert dozen.get("value") in (None, 12)
    assert [(e, x["dateStated"], x.get("statedAs"), x.get("value"), x.get("isApproximate"))
            for e, x in episodes.items() if e != "jid:detention-2018-11"] == [
        ("jid:detention-2018-07-27", "on 27 July", "a total of 30", 30, False),
        ("jid:detention-2018-08-24", "On 24 August", "others", None, True),
        ("jid:detentions-2019-unconnected-activists", "throughout 2019", "some", None, True),
        ("jid:student-detentions-2019", "in early 2019", None, None, None),
    ]
    assert list(episodes).index("jid:detention-2018-11") == 2
    assert (dozen["dateStated"], dozen["statedAs"], dozen["isApproximate"]) == ("in November 2018", "About a dozen",
                                                                               True)
    assert episodes["jid:detention-2018-08-24"]["groupSizeStatedAs"] == "about 50"  # 'others' out of about 50
    assert episodes["jid:detention-2018-11"]["edtf"] == "2018-11"
    assert episodes["jid:student-detentions-2019"]["detained"] == (
        "students who protested the disciplinary actions and restrictions")
    assert "no personal connection" in episodes["jid:detentions-2019-unconnected-activists"]["detained"]
    assert {x["crackdownAssessment"] for x in r} == {
        "In terms of the number of people detained, the scale of this crackdown was truly unprecedented."}
    # Pitfall: no summed total anywhere (no count of the crackdown as a whole, no '42').
    assert not ask(kg, """ASK { ?q jkg:quantifies ?c . ?c jkg:eventType jv:crackdown }""")
    assert not ask(kg, """ASK { ?q jkg:unit jv:unit-person ; jkg:value ?v . FILTER(?v >= 42 && ?v < 50) }""")


CQ33_EXPECTED = {
    # statedAs -> (isApproximate, value)
    "several": (True, None),  # workers complained, May 2018 (and 'several' trusted informants)
    "a handful": (True, None),
    "about 80": (True, 80),
    "80": (False, 80),
    "roughly 10 percent": (True, 10),
    "a total of 30": (False, 30),
    "dozens": (True, None),
    "about 50": (True, 50),
    "About a dozen": (True, None),
    "several dozen": (True, None),
    "a small group": (True, None),
    "a few": (True, None),
    "two": (False, 2),
    "almost no": (True, None),
    "no": (False, 0),
}


def test_cq33_quantities_of_people(kg):
    r = rows(kg, "cq33-people-quantities")
    phrases = {}
    for x in r:
        phrases.setdefault(x["statedAs"], set()).add((x["isApproximate"], x.get("value"), x["isDerived"]))
    for phrase, (approx, value) in CQ33_EXPECTED.items():
        assert phrase in phrases, phrase
        allowed = {(approx, value, False)} | ({(True, 12, False)} if phrase == "About a dozen" else set())
        assert phrases[phrase] <= allowed and phrases[phrase], phrase
    by_q = {x["quantity"]: x for x in r}
    assert by_q["jid:quantity-complainants"]["statedAs"] == "several"
    assert by_q["jid:quantity-trusted-informants"]["statedAs"] == "several"
    assert by_q["jid:quantity-network-members"]["statedAs"] == "several dozen"
    assert by_q["jid:quantity-dedicated-individuals"]["statedAs"] == "several dozen"
    assert by_q["jid:quantity-reignite-interviewees"]["statedAs"] == "two"
    assert by_q["jid:quantity-new-workplace-leaders"]["statedAs"] == "no"
    assert by_q["jid:quantity-coworker-participation"]["statedAs"] == "almost no"
    assert by_q["jid:quantity-solidarity-group-founders"]["statedAs"] == "dozens"
    # Vague phrases carry no number; nothing in the list is a derived figure.
    for x in r:
        if x["statedAs"] in ("several", "a handful", "dozens", "several dozen", "a small group", "a few", "some",
                             "many", "others", "almost no"):
            assert "value" not in x, x["quantity"]
        assert x["isDerived"] is False


def test_cq34_four_unique_features(kg):
    r = rows(kg, "cq34-unique-features")
    assert [(x["listPosition"], x["feature"]) for x in r] == [
        (1, "jid:feature-militant-tactics"), (2, "jid:feature-student-role"),
        (3, "jid:feature-maoist-rhetoric"), (4, "jid:feature-harsh-crackdown")]
    assert "protests in front of a police station" in r[0]["quote"]
    assert r[1]["quote"] == "the prominent role played by young leftist students in solidarity actions"
    assert r[2]["quote"] == "the highly political and Maoist rhetoric"
    assert r[3]["quote"] == "the unusually harsh and wide-ranging crackdown that occurred in its wake"
    assert {x["voice"] for x in r} == {"Yueran Zhang"}
    # The count, where recorded, is four and derived (the article lists the features without numbering them).
    for x in r:
        if "count" in x:
            assert x["count"] == 4 and x["countIsDerived"] is True and "countStatedAs" not in x


# --- provenance -----------------------------------------------------------------------------------------------

def test_cq41_confession_video_claims_and_verification(kg):
    r = rows(kg, "cq41-confession-video")
    assert len(r) == 1
    x = r[0]
    assert x["claim"] == "jid:claim-confession-decision-2016"
    assert "after surveying several options" in x["quote"]
    assert "decided to send underground activists to Jasic in 2016" in x["quote"]
    assert "large-scale confrontational collective action" in x["quote"]
    assert x["voice"] == "He Pengchao" and x["reportedBy"] == "Yueran Zhang"
    assert x["evidenceType"] == "confession video"
    # Chain of attribution: He Pengchao (video) -> transcript by the solidarity group -> the author.
    assert x["video"] == "He Pengchao's confession video"
    assert x["transcriptTitle"] == "认罪视频文字整理"
    assert x["transcriptTitleTranslation"] == "Transcript of a Confession Video"
    assert x["transcriptPublisher"] == "Jasic Workers Solidarity Group"
    assert x["website"] == "佳士工人声援团网"
    assert x["published"] == "2019-03-02" and x["publishedStated"] == "2 March"
    assert x["citedAs"] == "(Jasic Worker Support Group 2019)"
    assert x["referenceEntry"].startswith("Jasic Workers Solidarity Group. 2019.")
    # Verified by the author through unnamed informants.
    assert x["verification"] == "jid:claim-author-verified-confession"
    assert x["verificationQuote"] == ("I have been able to independently verify He's account through other "
                                      "informants.")
    assert x["verifiedBy"] == "Yueran Zhang"
    assert x["verificationEvidence"] == "author's independent verification"
    assert x["verificationInformants"] == "other informants who verified He Pengchao's account"
    # Pitfall: the author's own claims are not attributed to the video.
    for claim in ("jid:claim-network-plateau", "jid:claim-leaders-were-network-activists",
                  "jid:claim-he-pengchao-description"):
        assert ask(kg, f"ASK {{ {claim} jkg:assertedBy jid:yueran-zhang }}")
        assert not ask(kg, f"ASK {{ {claim} jkg:evidenceType jv:confession-video }}")
        assert not ask(kg, f"ASK {{ {claim} jkg:citesSource jid:confession-transcript }}")
    voiced = select(kg, "SELECT ?c WHERE { ?c jkg:assertedBy jid:he-pengchao }")
    assert col(voiced, "c") == ["jid:claim-confession-decision-2016"]


def test_cq42_dismantling_basis(kg):
    r = rows(kg, "cq42-dismantling-basis")
    assert {x["event"] for x in r} == {"jid:state-dismantles-network"}
    basis = one(r, row="basis")
    assert basis["quote"] == ("According to several trusted informants, it is clear that the state has by now "
                              "accumulated thorough knowledge about this labour organising strategy and dismantled "
                              "the activist network that had been implementing it.")
    assert basis["voice"] == "several trusted informants" and basis["voiceStatedAs"] == "several"
    assert basis["voiceIsAnonymous"] is True
    assert basis["evidenceType"] == "several trusted informants" and basis["reportedBy"] == "Yueran Zhang"
    assert basis["dateStated"] == "by now" and basis["latest"] == "2020-06-25"
    conclusion = {x["quote"] for x in r if x["row"] == "author's conclusion"}
    assert "In other words, the main concern that has been giving me pause no longer exists." in conclusion
    assert {x["voice"] for x in r if x["row"] == "author's conclusion"} == {"Yueran Zhang"}


def test_cq43_harassment_source(kg):
    r = rows(kg, "cq43-harassment-source")
    assert len(r) == 1
    x = r[0]
    assert x["event"] == "jid:student-harassment"
    assert "not formally detained" in x["quote"]
    assert "monitoring, harassment, intimidation and physical abuse" in x["quote"]
    assert x["affected"] == "students who protested the disciplinary actions and restrictions"
    assert x["voice"] == "anonymous Peking University student" and x["voiceIsAnonymous"] is True
    assert x["reportedBy"] == "Yueran Zhang" and x["evidenceType"] == "anonymous account"
    assert x["source"] == "jid:orwell-in-the-chinese-classroom"
    assert x["sourceTitle"] == "Orwell in the Chinese Classroom"
    assert x["citedAs"] == "(Made in China Journal 2019)"
    assert x["sourceCreator"] == "Made in China Journal"
    assert x["accountBy"] == "anonymous Peking University student"
    assert x["website"] == "Made in China Journal website"
    assert x["published"] == "2019-05-27" and x["publishedStated"] == "27 May"


def test_cq44_solidarity_group_names(kg):
    r = rows(kg, "cq44-solidarity-group-names")
    assert {(x["name"], x["language"]) for x in r} == {
        ("Jasic Workers Solidarity Group", "en"), ("Jasic Worker Solidarity Group", "en"),
        ("Jasic Worker Support Group", "en"), ("佳士工人声援团", "zh")}
    assert one(r, kind="preferred")["name"] == "Jasic Workers Solidarity Group"
    # One group, one source: every name leads to the same confession transcript ...
    assert {x["work"] for x in r} == {"jid:confession-transcript"}
    assert {x["website"] for x in r} == {"佳士工人声援团网"}
    citation, entry = {x["citedAs"] for x in r}, {x["referenceEntry"] for x in r}
    assert citation == {"(Jasic Worker Support Group 2019)"}
    (entry,) = entry
    assert entry.startswith("Jasic Workers Solidarity Group. 2019.")
    # ... although the in-text citation and the reference entry do not match in name.
    assert "Support Group" not in entry and "Solidarity Group" not in next(iter(citation))
    assert select(kg, """SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { ?g rdfs:label|skos:altLabel ?l .
                         FILTER(STR(?l) IN ("Jasic Worker Support Group", "Jasic Worker Solidarity Group",
                                            "Jasic Workers Solidarity Group", "佳士工人声援团")) }""")[0]["n"] == 1


# --- argument -------------------------------------------------------------------------------------------------

def test_cq51_strategy_layers_cycle_elements(kg):
    r = rows(kg, "cq51-strategy-layers")
    assert {x["layerListIsOpen"] for x in r} == {True}  # the article's list ends in 'etc.'
    layers = [x["label"] for x in r if x["partKind"].endswith("layer (named in the text)")]
    assert layers == ["recruiting college graduates", "identifying factories to send activists to",
                      "agitating for collective action", "educating and retaining cadres of working-class origins"]
    cycle = [(x["position"], x["label"]) for x in r if x["partKind"].endswith("cycle step")]
    assert cycle == [
        (1, "recruit students through Maoist Marxist student associations"),
        (2, "after graduating, become factory workers and underground activists"),
        (3, "take jobs in small factories notorious for bad working conditions"),
        (4, "agitate coworkers for collective action as soon as possible"),
        (5, "identify and recruit passionate coworkers and convert them into Maoists"),
        (6, "leave the factory together with the new recruits"),
        (7, "pick another factory and repeat"),
    ]
    assert "material concessions" in one(r, part="jid:cycle-step-4")["comment"]
    elements = {x["part"] for x in r if x["partKind"].endswith("supporting element")}
    assert elements == {"jid:element-political-education", "jid:element-official-union-placement",
                        "jid:element-community-ngos", "jid:element-open-and-underground-work",
                        "jid:element-escalation-to-larger-factory"}
    escalation = [x for x in r if x["part"] == "jid:element-escalation-to-larger-factory"]
    assert {x.get("datedEventEdtf") for x in escalation} == {"2016"}  # decided in 2016 (Jasic)
    assert "network decides to send underground activists to Jasic" in {x["datedEvent"] for x in escalation}


CQ52_THEMES = {
    "graduates as activists": {"jid:shortcoming-graduates-unprepared", "jid:shortcoming-physical-toll",
                               "jid:shortcoming-illusion-of-correct-theory", "jid:shortcoming-maoist-vocabulary",
                               "jid:shortcoming-high-attrition"},
    "support at Jasic": {"jid:shortcoming-support-base-too-weak", "jid:shortcoming-repression-before-support",
                         "jid:shortcoming-limited-coworker-engagement", "jid:shortcoming-weakness-debilitating",
                         "jid:absence-coworker-participation", "jid:absence-no-new-workplace-leaders",
                         "jid:absence-no-worker-solidarity-actions"},
    "organising skills": {"jid:shortcoming-weakest-on-organising-workers", "jid:shortcoming-no-organising-training",
                          "jid:shortcoming-no-guidance", "jid:shortcoming-no-shopfloor-leader-development",
                          "jid:shortcoming-no-knowledge-accumulation",
                          "jid:contrast-organising-knowledge-vs-university-materials",
                          "jid:shortcoming-no-organisational-emphasis"},
    "orientation": {"jid:shortcoming-revolutionary-cadre-identity", "jid:shortcoming-no-slate-of-worker-leaders",
                    "jid:shortcoming-party-before-workers-capacity", "jid:shortcoming-party-detached-from-base"},
    "structure": {"jid:shortcoming-top-down-decision-making"},
    "the Leninist model": {"jid:shortcoming-party-role-political-not-organisational",
                           "jid:shortcoming-network-inherited-conception",
                           "jid:shortcoming-unconcerned-with-workers-self-capacity",
                           "jid:shortcoming-self-capacity-threatening", "jid:shortcoming-no-workable-path"},
}


def test_cq52_shortcomings_by_theme(kg):
    r = rows(kg, "cq52-shortcomings")
    themes = {}
    for x in r:
        themes.setdefault(x["theme"], set()).add(x["item"])
    assert themes == CQ52_THEMES
    quotes = {x["item"]: set() for x in r}
    for x in r:
        quotes[x["item"]].add(x["quote"])
    assert any("‘correct’ theory" in q for q in quotes["jid:shortcoming-illusion-of-correct-theory"])
    assert "the attrition rate was also high" in quotes["jid:shortcoming-high-attrition"]
    assert any("no training on the nuts and bolts" in q for q in quotes["jid:shortcoming-no-organising-training"])
    assert any("sharp contrast" in q
               for q in quotes["jid:contrast-organising-knowledge-vs-university-materials"])
    assert any("*revolutionary cadre*, rather than *labour organiser*" in q
               for q in quotes["jid:shortcoming-revolutionary-cadre-identity"])
    assert any("largely top-down" in q for q in quotes["jid:shortcoming-top-down-decision-making"])
    assert any("*political*, not *organisational*" in q
               for q in quotes["jid:shortcoming-party-role-political-not-organisational"])
    assert any("could be threatening" in q for q in quotes["jid:shortcoming-self-capacity-threatening"])
    assert any("failed to provide a workable path" in q for q in quotes["jid:shortcoming-no-workable-path"])
    assert any("almost no other Jasic workers" in q for q in quotes["jid:absence-coworker-participation"])
    assert any("no Jasic workers stepped up" in q for q in quotes["jid:absence-no-new-workplace-leaders"])
    # Rows within a theme follow the article (anchor offsets ascend).
    for theme in themes:
        starts = [x["start"] for x in r if x["theme"] == theme]
        assert starts == sorted(starts)


def test_cq53_influences(kg):
    r = rows(kg, "cq53-influences")
    pairs = {(x["source"], x["influenceKind"]) for x in r}
    assert {("Marxist classics", "drawn upon"), ("What Is to Be Done?", "drawn upon"),
            ("Leninist vanguard party", "model"), ("Korean labour movement of the 1980s", "inspiration"),
            ("political assessment: the PRD as the new frontier of working-class struggles", "informed a decision"),
            ("optimistic outlook: China on the verge of a breakthrough for leftist politics", "informed a decision"),
            ("Chongqing Model", "source of optimism"),
            ("militancy of workers in state-owned enterprises", "source of optimism"),
            ("labour movement in the PRD", "source of optimism"),
            ("Maoism", "taught ideology")} <= pairs
    vanguard = one(r, source="Leninist vanguard party")
    assert vanguard["influenced"] == "Maoist labour activist network in the PRD"
    assert vanguard["via"] == "What Is to Be Done?" and vanguard["associatedWith"] == "Vladimir I. Lenin"
    korea = [x for x in r if x["source"] == "Korean labour movement of the 1980s"]
    assert {x["via"] for x in korea} == {"Korean Workers: The Culture and Politics of Class Formation"}
    assert {x["viaCitedAs"] for x in korea} == {"Hagen Koo's *Korean Workers* (2001)"}
    settlement = [x for x in r if x["influenceKind"] == "informed a decision"]
    assert {x["influenced"] for x in settlement} == {"Maoist activists settle in the Pearl River Delta"}
    assert {x["influencedDateStated"] for x in settlement} == {"In the late 2000s"}
    chongqing = [x for x in r if x["source"] == "Chongqing Model"]
    assert {x["associatedWith"] for x in chongqing} == {"Bo Xilai"}
    assert {(x["dateStated"], x["edtf"]) for x in chongqing} == {("in the late 2000s", "200X")}  # a vague period
    optimism = {x["source"] for x in r
                if x["influenced"] == "optimistic outlook: China on the verge of a breakthrough for leftist politics"}
    assert optimism == {"Chongqing Model", "militancy of workers in state-owned enterprises",
                        "labour movement in the PRD"}
    assert one(r, source="Maoism", influenceKind="taught ideology")["influenced"] == "worker recruits of the network"
    adopted = {row["influenced"] for row in r if row["source"] == "Maoism" and row["influenceKind"] == "adopted ideology"}
    assert adopted == {"Maoist labour activist network in the PRD", "founding group of Maoist activists",
                       "Marxist student associations at several universities that had adopted a Maoist ideology"}


def test_cq54_lenin_context_vs_china(kg):
    r = rows(kg, "cq54-lenin-context")
    assert {x["contrast"] for x in r} == {"jid:contrast-lenin-russia-vs-china"}
    items = {}
    for x in r:
        items.setdefault(x["item"], []).append(x)
    russia = items["jid:characterisation-russian-labour-movement"]
    assert {x["assesses"] for x in russia} == {"Russian labour movement"}
    assert any("cross-industry, cross-region, and organisationally anchored momentum" in x["quote"] for x in russia)
    assert any("the burning question became what kind of politics" in x["quote"] for x in russia)
    china = items["jid:characterisation-chinese-labour-movement-lacks-momentum"]
    assert {x["assesses"] for x in china} == {"Chinese labour movement"}
    assert any("lack of such momentum" in x["quote"] for x in china)
    first = items["jid:proposal-how-to-organise-first"]
    assert {x["quote"] for x in first} == {"the fundamental question of 'how to organise' should be addressed first"}
    path = items["jid:shortcoming-no-workable-path"]
    assert {x["relation"] for x in path} == {"drawn from the contrast"}
    assert any("failed to provide a workable path" in x["quote"] for x in path)
    shared = items["jid:contrast-repressive-state-tsarist-russia"]
    assert {x["contrastsWith"] for x in shared} == {"Tsarist Russia"}
    assert any("dauntingly repressive state" in x["quote"] for x in shared)
    assert any("combine some open activity with other, secretive operations" in x["quote"] for x in shared)
    main = items["jid:contrast-lenin-russia-vs-china"]
    assert {x["contrastsWith"] for x in main} == {"Russian labour movement"}
    assert "A crucial contextual difference matters here." in {x["quote"] for x in main}
