"""The timeline and the network: what they draw is the graph's data, with the precision the article has."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from jasic_kg.store import open_store
from jasic_kg.views.network import network_data
from jasic_kg.views.page import site_page_url
from jasic_kg.views.timeline import NARRATIVE_ONLY, timeline_data, timeline_html, timeline_svg

JID = "https://w3id.org/jasic-kg/id/"
PREFIXES = """PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
SVG = "{http://www.w3.org/2000/svg}"

# Two events the shipped graph does not have: one with only a lower bound (an open end), one known only by its
# place in the narrative. The label tries to close the page's script element.
EXTRA = """@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
@prefix jid: <https://w3id.org/jasic-kg/id/> .
@prefix jv: <https://w3id.org/jasic-kg/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
jid:test-open-ended a jkg:Event ; rdfs:label "test event </script><b>open-ended</b>"@en ;
    jkg:eventType jv:detention ; jkg:dateStated "since then" ; jkg:earliestDate "2018-08-24"^^xsd:date ;
    jkg:narrativePosition 27 .
jid:test-edtf-only a jkg:Event ; rdfs:label "test event dated only in EDTF"@en ;
    jkg:eventType jv:detention ; jkg:dateStated "in the spring" ; jkg:edtf "2019-03/2019-05" .
jid:test-narrative-only a jkg:Event ; rdfs:label "test event told only in order"@en ;
    jkg:eventType jv:detention ; jkg:dateStated "undated" ; jkg:narrativePosition 28 .
"""


@pytest.fixture(scope="module")
def store():
    return open_store()


@pytest.fixture(scope="module")
def events(store):
    return timeline_data(store)


@pytest.fixture
def extra_store(shipped, tmp_path):
    path = tmp_path / "extra.ttl"
    path.write_text(EXTRA, encoding="utf-8")
    return open_store(data=[path])


def _dated_events(store) -> set[str]:
    rows = store.select(PREFIXES + """SELECT DISTINCT ?e WHERE { ?e a/rdfs:subClassOf* jkg:Event .
        FILTER EXISTS { ?e jkg:earliestDate|jkg:latestDate|jkg:latestStartDate|jkg:edtf ?d } }""")
    return {r["e"].value for r in rows}


def _days(a: str, b: str) -> int:
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


# --- the timeline's data -----------------------------------------------------------------------------------

def test_the_timeline_has_every_dated_event_once(store, events):
    dated = [e["iri"] for e in events if e["story"] != NARRATIVE_ONLY]
    assert len(dated) == len(set(dated)) == 52
    assert set(dated) == _dated_events(store)


def test_every_vague_date_is_an_interval(events):
    for e in events:
        length = _days(e["start"], e["end"])
        if e["dayPrecise"]:
            assert length == 1, e  # the stated day, drawn as a one-day bar
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", e["edtf"] or ""), e  # only where the article gives a day
        else:
            assert length > 1, e
    precise = sorted(e["iri"][len(JID):] for e in events if e["dayPrecise"])
    assert precise == ["detention-2018-07-27", "detention-2018-08-24", "raid-2018-08-24"]


def test_the_article_dates_are_kept_as_stated(events):
    by_name = {e["iri"][len(JID):]: e for e in events}
    june = by_name["petition-launch-2018-06"]
    assert (june["dateStated"], june["edtf"], june["start"], june["end"]) == ("In June", "2018-06", "2018-06-01",
                                                                             "2018-07-01")
    following = by_name["daily-solidarity-actions"]  # "In the following month": no month, only bounds
    assert (following["dateStated"], following["edtf"]) == ("In the following month", None)
    assert (following["start"], following["end"]) == ("2018-07-27", "2018-09-01")
    assert following["quote"].startswith("In the following month")
    assert following["href"] == "id/daily-solidarity-actions.html"


def test_open_ends_are_exactly_the_missing_bounds(store, events):
    rows = store.select(PREFIXES + """SELECT ?e ?earliest ?latest WHERE { ?e a/rdfs:subClassOf* jkg:Event .
        OPTIONAL { ?e jkg:earliestDate ?earliest } OPTIONAL { ?e jkg:latestDate ?latest } }""")
    dated = _dated_events(store)
    # no latest date: only a lower bound on the end (an earliest date, or the date by which it was under way)
    no_upper = {r["e"].value for r in rows if "latest" not in r} & dated
    no_lower = {r["e"].value for r in rows if "earliest" not in r} & dated
    assert {e["iri"] for e in events if e.get("openEnd")} == no_upper
    assert {e["iri"] for e in events if e.get("openStart")} == no_lower
    under_way = {"anti-privatisation-protests", "chinese-labour-movement", "prd-labour-movement",
                 "russian-labour-movement", "soe-worker-militancy"}
    assert {e["iri"][len(JID):] for e in events if e.get("openEnd")} == under_way
    assert {e["iri"][len(JID):] for e in events if e.get("openStart")} == under_way | {
        "author-labour-left-organising", "state-knowledge-accumulation", "state-dismantles-network"}
    for e in events:
        if e.get("openStart"):
            assert e["start"] == e["domainStart"]  # the bar runs to the panel's edge
        if e.get("openEnd"):
            assert e["end"] == e["domainEnd"]
            assert e["latestStart"] and not e["latest"]


def test_an_event_with_only_a_lower_bound_is_open_ended(extra_store):
    events = timeline_data(extra_store)
    (opened,) = [e for e in events if e.get("openEnd") and not e.get("openStart")]
    assert opened["iri"] == JID + "test-open-ended"
    assert (opened["start"], opened["end"]) == ("2018-08-24", opened["domainEnd"])
    assert opened["story"] == "The 2018 struggle and the crackdown"


def test_an_event_known_only_by_narrative_order_gets_its_own_lane(extra_store):
    events = timeline_data(extra_store)
    (lane,) = [e for e in events if e["story"] == NARRATIVE_ONLY]
    assert (lane["iri"], lane["narrativePosition"], lane["dateStated"]) == (JID + "test-narrative-only", 28,
                                                                            "undated")
    assert "start" not in lane  # no date is drawn for it
    assert len(events) == 55


def test_an_event_dated_only_in_edtf_gets_the_days_the_value_admits(extra_store):
    (event,) = [e for e in timeline_data(extra_store) if e["iri"] == JID + "test-edtf-only"]
    assert (event["earliest"], event["latest"], event["start"], event["end"]) == (
        "2019-03-01", "2019-05-31", "2019-03-01", "2019-06-01")
    assert event["dateBasis"] == "the days the EDTF value admits (the graph has no bounds)"


# --- the timeline's outputs --------------------------------------------------------------------------------

def _event_marks(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    groups = [g for g in root.iter(f"{SVG}g") if re.search(r"\brole-mark event(_\d+)?_marks\b", g.get("class", ""))]
    return [p for g in groups for p in g.iter(f"{SVG}path")]


def test_the_svg_has_one_mark_per_event_with_its_link(store, events):
    svg = timeline_svg(store)
    marks = _event_marks(svg)
    assert len(marks) == len(events) == 52
    root = ET.fromstring(svg)
    links = {a.get("{http://www.w3.org/1999/xlink}href") for a in root.iter(f"{SVG}a")}
    assert {e["href"] for e in events} <= links
    assert not any(link.startswith("http") for link in links)


def test_each_event_type_has_its_own_colour(store, events):
    from jasic_kg.views.timeline import timeline_spec

    spec = timeline_spec(store)
    scale = spec["vconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == sorted({e["type"] for e in events}) and len(scale["domain"]) == 34
    assert len(set(scale["range"])) == len(scale["range"]) == 34


def test_the_svg_draws_the_narrative_lane(extra_store):
    assert len(_event_marks(timeline_svg(extra_store))) == 55


def test_the_html_page_is_offline_and_has_the_list_fallback(extra_store):
    page = timeline_html(extra_store)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(script|link|img)[^>]*\b(src|href)=\"https?:", page)  # nothing loaded from elsewhere
    assert page.count("</script>") == 3  # a label cannot close a script element early
    noscript = page[page.index("<noscript>"):page.index("</noscript>")]
    items = re.findall(r"<li>.*?</li>", noscript, re.S)
    assert len(items) == 55
    assert "<a href=\"id/detention-2018-07-27.html\">detention of 30 worker activists and supporters " \
           "(27 July 2018)</a> (detention): on 27 July [EDTF 2018-07-27; 2018-07-27]" in noscript
    assert "test event &lt;/script&gt;&lt;b&gt;open-ended&lt;/b&gt;</a> (detention): since then [not before " \
           "2018-08-24]" in noscript
    assert "[no date; position 28 in the article's narrative]" in noscript
    # with JavaScript, the same list under a closed <details> (keyboard users reach the links and the words)
    details = page[page.index("<details id=\"as-list\" hidden>"):page.index("</details>")]
    assert re.findall(r"<li>.*?</li>", details, re.S) == items


# --- the network -------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network(store):
    return network_data(store)


def test_the_network_has_the_known_actors_and_their_relations(network):
    nodes = {n["iri"][len(JID):]: n for n in network["nodes"]}
    for name, kind in [("jasic-workers", "unnamed collective"), ("leftist-students", "unnamed collective"),
                       ("he-pengchao", "person"), ("maoist-network", "named group"),
                       ("solidarity-group", "named group"), ("acftu-pingshan-branch", "organisation")]:
        assert nodes[name]["kind"] == kind
    edges = {(e["source"][len(JID):], e["kind"], e["target"][len(JID):]): e for e in network["edges"]}
    assert edges[("he-pengchao", "member of", "maoist-network")]["detail"] == \
        "leader: \u201cone of the most important leaders in this network\u201d"
    assert ("leftist-students", "member of", "solidarity-group") in edges
    assert ("jasic-workers", "carried out", "complaint-2018-05") in edges
    assert ("acftu-pingshan-branch", "part of", "acftu") in edges
    influence = edges[("korean-labour-movement-1980s", "influenced", "maoist-network")]
    assert influence["detail"] == "inspiration, via Korean Workers: The Culture and Politics of Class Formation"
    # voices only (informants who relay claims) are not drawn, and the page says how many agents are left out
    assert "trusted-informants" not in nodes
    assert network["agents_left_out"] == 62 - sum(
        1 for n in network["nodes"] if n["kind"] in ("person", "organisation", "named group", "unnamed collective"))


def test_every_node_links_to_a_page_of_the_site_scheme(network):
    for node in network["nodes"]:
        assert node["href"] == f"id/{node['iri'][len(JID):]}.html"
        assert re.fullmatch(r"id/[a-z0-9-]+\.html", node["href"])
    assert site_page_url("http://example.org/x") is None


def test_the_layout_is_deterministic_and_fits(store, network):
    again = network_data(store)
    assert [(n["iri"], n["x"], n["y"]) for n in again["nodes"]] == [(n["iri"], n["x"], n["y"]) for n in
                                                                     network["nodes"]]
    assert all(0 <= n["x"] <= 1 and -1 <= n["y"] <= 1 for n in network["nodes"])
    by_iri = {n["iri"]: n for n in network["nodes"]}
    for e in network["edges"]:
        assert (e["x"], e["y"]) == (by_iri[e["source"]]["x"], by_iri[e["source"]]["y"])


# --- the commands ------------------------------------------------------------------------------------------

def test_the_output_extension_picks_the_format(run, shipped, tmp_path):
    svg = tmp_path / "timeline.svg"
    assert run("timeline", "-o", str(svg)).exit_code == 0
    assert len(_event_marks(svg.read_text(encoding="utf-8"))) == 52
    png = tmp_path / "network.png"
    assert run("network", "-o", str(png)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = tmp_path / "network.html"
    assert run("network", "-o", str(html)).exit_code == 0
    page = html.read_text(encoding="utf-8")
    noscript = page[page.index("<noscript>"):page.index("</noscript>")]
    assert noscript.count("<li>") == len(network_data(open_store())["edges"])
    assert "<li><a href=\"id/he-pengchao.html\">He Pengchao</a> <em>member of</em> " \
           "<a href=\"id/maoist-network.html\">Maoist labour activist network in the PRD</a> " \
           "(leader: \u201cone of the most important leaders in this network\u201d)</li>" in noscript


def test_bad_input_is_one_line_and_no_file(run, shipped, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle\n", encoding="utf-8")
    out = tmp_path / "timeline.html"
    result = run("timeline", "--data", str(bad), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("jasic-kg: error: ") and result.stderr.count("\n") == 1
    assert not out.exists()
    result = run("network", "--format", "pdf")
    assert result.exit_code == 2 and "'pdf' is not one of 'html', 'svg', 'png'" in result.stderr


def test_other_commands_do_not_load_the_view_libraries():
    code = ("import sys, jasic_kg.cli, jasic_kg.views; "
            "print(sorted(m for m in ('altair', 'vl_convert', 'networkx', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_graph_without_events_says_so(tmp_path):
    path = tmp_path / "other.ttl"
    path.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    store = open_store(shipped=False, data=[path])
    assert timeline_data(store) == []
    assert "<strong>The graph read has no dated event.</strong>" in timeline_html(store)
    assert _event_marks(timeline_svg(store)) == []
    assert network_data(store) == {"nodes": [], "edges": [], "agents_left_out": 0}
