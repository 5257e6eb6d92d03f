"""The timeline: every dated event on a time axis, with the precision the article has.

A vague date is the interval it is: a bar from the earliest to the latest bound (the latest day included). Where
a bound is not known the bar runs faded to the panel's edge and ends in an arrow: no latest date (only a lower
bound on the end: an earliest date, or a "latest start date", the day by which the event was under way) is an open
end on the right; no earliest date is an open start on the left. A latest start date is also drawn as a tick. A
day-precise date (earliest == latest) is a one-day bar, marked with a diamond so that it stays visible. No date
is ever drawn more precise than the graph has it. Events with a narrative position and no date at all go to their
own lane, in the article's order.

The events are those of the saved query `timeline` (one row per event with a date, EDTF value or bound); the
quote shown with each is the words of the most specific claim about it (the claim about the fewest things).
"""

from __future__ import annotations

import datetime as dt
import html

from jasic_kg.terms import ARTICLE_URL
from jasic_kg.views.page import PageUrl, html_page, site_page_url, to_png, to_svg

# Stories by narrative position (docs/model.md: 1-99 the 2018 struggle and crackdown, 101-199 the network's
# history); an event without a position joins the first story whose time span holds its start.
STORIES = (
    ("The 2018 struggle and the crackdown", range(1, 100)),
    ("The activist network's history", range(101, 200)),
)
OTHER_STORY = "Movements and other dated events"
NARRATIVE_ONLY = "Known only by the article's narrative order (no date)"

_QUOTES = """
PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?event ?claim ?quote ?dateStated ?assessment (COUNT(DISTINCT ?about) AS ?targets) WHERE {
  ?event a/rdfs:subClassOf* jkg:Event .
  ?claim jkg:claimAbout ?event ; jkg:claimAbout ?about ; jkg:quote ?quote .
  OPTIONAL { ?event jkg:dateStated ?dateStated }
  BIND(EXISTS { ?claim a/rdfs:subClassOf* jkg:Assessment } AS ?assessment)
}
GROUP BY ?event ?claim ?quote ?dateStated ?assessment
ORDER BY ?event ?claim ?quote
"""

_NARRATIVE_ONLY = """
PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?event ?label ?eventType ?dateStated ?narrativePosition WHERE {
  ?event a/rdfs:subClassOf* jkg:Event ; rdfs:label ?label ; jkg:narrativePosition ?narrativePosition .
  FILTER NOT EXISTS { ?event jkg:earliestDate|jkg:latestDate|jkg:latestStartDate|jkg:edtf ?anyDate }
  OPTIONAL { ?event jkg:eventType/skos:prefLabel ?eventType }
  OPTIONAL { ?event jkg:dateStated ?dateStated }
}
ORDER BY ?narrativePosition ?event
"""

_DAY = dt.timedelta(days=1)

# Vega's tableau20 then category20b: 40 distinct colours, one per event type (the shipped graph has 34 types;
# a single scheme of 20 would give two types one colour). Beyond 40 types the colours repeat.
PALETTE = ["#4c78a8", "#9ecae9", "#f58518", "#ffbf79", "#54a24b", "#88d27a", "#b79a20", "#f2cf5b", "#439894",
           "#83bcb6", "#e45756", "#ff9d98", "#79706e", "#bab0ac", "#d67195", "#fcbfd2", "#b279a2", "#d6a5c9",
           "#9e765f", "#d8b5a5",
           "#393b79", "#5254a3", "#6b6ecf", "#9c9ede", "#637939", "#8ca252", "#b5cf6b", "#cedb9c", "#8c6d31",
           "#bd9e39", "#e7ba52", "#e7cb94", "#843c39", "#ad494a", "#d6616b", "#e7969c", "#7b4173", "#a55194",
           "#ce6dbd", "#de9ed6"]


def _value(row, name):
    term = row.get(name)
    return None if term is None else term.value


def _english_first(rows):
    """One row per event, in the query's order, preferring an English (or untagged) label."""
    chosen: dict[str, dict] = {}
    for row in rows:
        iri = row["event"].value
        lang = getattr(row.get("label"), "language", None)
        if iri not in chosen or (lang in (None, "en") and getattr(chosen[iri].get("label"), "language", None)
                                 not in (None, "en")):
            chosen[iri] = row
    return list(chosen.values())


def _quotes(store) -> dict[str, str]:
    """Each event's quote: the article's narrative before the author's assessments, then the words that hold the
    date as stated, then the claim about the fewest things."""
    best: dict[str, tuple] = {}
    for row in store.select(_QUOTES):
        quote, stated = row["quote"].value, _value(row, "dateStated") or ""
        key = (row["assessment"].value == "true", stated.lower() not in quote.lower() or stated == "undated",
               int(row["targets"].value), row["claim"].value, quote)
        best[row["event"].value] = min(best.get(row["event"].value, key), key)
    return {event: key[-1] for event, key in best.items()}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def timeline_data(store, page_url: PageUrl = site_page_url) -> list[dict]:
    """One record per event to draw: its dates as the graph has them, its panel (`story`), the bar's ends and
    which ends are open, its quote and its page. Dated events first (by earliest bound, then narrative order),
    then the events known only by narrative order."""
    from jasic_kg.queries import run_saved_query

    result = run_saved_query(store, "timeline")
    rows = [{v: t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]
    quotes = _quotes(store)
    events = []
    for row in _english_first(rows):
        iri = row["event"].value
        earliest, latest, latest_start = (_date(_value(row, k)) for k in ("earliest", "latest", "latestStart"))
        bounds_from_edtf = not (earliest or latest or latest_start) and _value(row, "edtf") is not None
        if bounds_from_edtf:
            earliest, latest = _edtf_bounds(_value(row, "edtf"))
            if not (earliest or latest):
                continue  # an EDTF value with no placeable day (a season) and no bounds: nothing to draw
        position = _value(row, "narrativePosition")
        events.append({
            "iri": iri,
            "label": _value(row, "label"),
            "type": _value(row, "eventType") or "(no type)",
            "dateStated": _value(row, "dateStated"),
            "edtf": _value(row, "edtf"),
            "earliest": earliest.isoformat() if earliest else None,
            "latest": latest.isoformat() if latest else None,
            "latestStart": latest_start.isoformat() if latest_start else None,
            "dateBasis": _value(row, "dateBasis") or ("the days the EDTF value admits (the graph has no bounds)"
                                                      if bounds_from_edtf else None),
            "narrativePosition": int(position) if position is not None else None,
            "openStart": earliest is None,
            "openEnd": latest is None,
            "dayPrecise": earliest is not None and earliest == latest,
            "quote": quotes.get(iri),
            "href": page_url(iri),
        })
    _assign_stories(events)
    for event in events:
        event["tip"] = _tip(event)
        event["description"] = f"{event['label']}: {event['dateStated']}"  # what a screen reader says
    # chronological by the first known bound (an event with no earliest date sorts by its latest one), then by
    # the article's narrative order
    events.sort(key=lambda e: (min(_bounds(e)), e["narrativePosition"] if e["narrativePosition"] is not None
                               else 10**6, e["latest"] or "9999", e["iri"]))
    for order, event in enumerate(events):
        event["order"] = order
    narrative = []
    for row in _english_first(store.select(_NARRATIVE_ONLY)):
        iri = row["event"].value
        narrative.append({
            "iri": iri, "label": _value(row, "label"), "type": _value(row, "eventType") or "(no type)",
            "dateStated": _value(row, "dateStated"), "narrativePosition": int(_value(row, "narrativePosition")),
            "story": NARRATIVE_ONLY, "quote": quotes.get(iri), "href": page_url(iri),
            "order": len(events) + len(narrative),
        })
        narrative[-1]["tip"] = _tip(narrative[-1])
        narrative[-1]["description"] = f"{narrative[-1]['label']}: {narrative[-1]['dateStated']}"
    return events + narrative


def _edtf_bounds(value: str) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day an EDTF value admits (the value's own precision: "2018-06" is June 2018)."""
    from jasic_kg.dates import NotEDTF, edtf_spans

    try:
        start, end, _ = edtf_spans(value)
    except NotEDTF:
        return None, None
    return (start[0] if start else None), (end[1] if end else None)


def _assign_stories(events: list[dict]) -> None:
    """Each dated event's panel, and the bar's ends within the panel (an open end runs to the panel's edge)."""
    spans: dict[str, list[dt.date]] = {}
    for event in events:
        position = event["narrativePosition"]
        event["story"] = next((name for name, positions in STORIES if position in positions), None)
        if event["story"]:
            spans.setdefault(event["story"], []).extend(_bounds(event))
    for event in events:
        if event["story"] is None:
            start = _date(event["earliest"])
            event["story"] = next((name for name, _ in STORIES if start and name in spans
                                   and min(spans[name]) <= start <= max(spans[name])), OTHER_STORY)
    edges = {}
    for event in events:
        edges.setdefault(event["story"], []).extend(_bounds(event))
    for story, dates in edges.items():
        low, high = min(dates), max(dates) + _DAY
        pad = max((high - low) * 0.03, dt.timedelta(days=10))
        edges[story] = (low - pad, high + pad)
    for event in events:
        low, high = edges[event["story"]]
        event["domainStart"], event["domainEnd"] = low.isoformat(), high.isoformat()
        # the bar: the latest day is included, so a day-precise event is one day long
        event["start"] = event["earliest"] or low.isoformat()
        event["end"] = (_date(event["latest"]) + _DAY).isoformat() if event["latest"] else high.isoformat()


def _bounds(event: dict) -> list[dt.date]:
    return [_date(event[k]) for k in ("earliest", "latest", "latestStart") if event[k]]


# --- the chart ---------------------------------------------------------------------------------------------

_TOOLTIP = [("label", "event"), ("type", "type"), ("dateStated", "date as the article gives it"),
            ("edtf", "EDTF"), ("earliest", "earliest"), ("latest", "latest"), ("latestStart", "under way by"),
            ("dateBasis", "basis of the bounds"), ("narrativePosition", "position in the narrative"),
            ("quote", "the article's words")]


def _tip(event: dict, fields=_TOOLTIP) -> dict:
    """What the tooltip shows: the fields the event has, under readable names (none shown empty)."""
    return {title: event[name] for name, title in fields if event.get(name) is not None}


# the mark shows its datum's prepared `tip` object as a table (vega-tooltip)
TIP = {"expr": "datum.tip"}


def timeline_spec(store, page_url: PageUrl = site_page_url) -> dict:
    """The Vega-Lite spec: one panel per story, one bar per event (its mark named "event"), coloured by type."""
    return _spec(timeline_data(store, page_url))


def _spec(events: list[dict], width: int = 720) -> dict:
    import altair as alt

    types = sorted({e["type"] for e in events})
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(types))]
    colour = alt.Color("type:N", title="event type", scale=alt.Scale(domain=types, range=palette),
                       legend=alt.Legend(columns=3, symbolLimit=0, orient="bottom", labelLimit=220))
    # each panel's events go into the spec's top-level datasets, referred to by name: Altair would otherwise copy
    # them into every layer and validate each copy (most of the build time)
    panels, datasets = [], {}
    for story in [name for name, _ in STORIES] + [OTHER_STORY]:
        members = [e for e in events if e["story"] == story]
        if members:
            datasets[f"panel{len(datasets)}"] = members
            panels.append(_story_panel(alt, story, members, alt.Data(name=f"panel{len(datasets) - 1}"), colour,
                                       width))
    narrative = [e for e in events if e["story"] == NARRATIVE_ONLY]
    if narrative:
        datasets["narrative"] = narrative
        panels.append(_narrative_panel(alt, narrative, alt.Data(name="narrative"), colour, width))
    chart = alt.vconcat(*panels, spacing=28).resolve_scale(x="independent", y="independent", color="shared")
    chart = chart.properties(title=alt.TitleParams(
        "Timeline of the events in Yueran Zhang, \u201cLeninists in a Chinese Factory\u201d (2020)",
        subtitle="Bars run from the earliest to the latest bound; a faded bar with an arrow has no bound on that "
                 "side; a diamond marks a stated day; a tick marks \u201cunder way by\u201d.", anchor="start"))
    spec = chart.to_dict()
    spec["datasets"] = datasets
    spec["config"] = {**spec.get("config", {}), "font": "Helvetica, Arial, sans-serif",
                      "axis": {"labelFontSize": 11, "titleFontSize": 11}, "legend": {"labelFontSize": 11}}
    return spec


def _story_panel(alt, story, members, data, colour, width):
    low, high = members[0]["domainStart"], members[0]["domainEnd"]
    years = (dt.date.fromisoformat(high) - dt.date.fromisoformat(low)).days / 365.25
    tick_count = "month" if years <= 4 else "year" if years <= 30 else 12
    axis = alt.Axis(title=None, format="%Y" if years > 4 else "%b %Y", labelAngle=0, grid=True,
                    tickCount=tick_count, labelOverlap=True)
    x = alt.X("start:T", scale=alt.Scale(type="utc", domain=[low, high]), axis=axis)
    y = alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None,
              axis=alt.Axis(labelLimit=360, labelFontSize=11))
    base = alt.Chart(data).encode(y=y)
    bars = base.mark_bar(height=11, cursor="pointer", tooltip=TIP).encode(
        x=x, x2="end:T", color=colour, href="href:N", description="description:N",
        opacity=alt.condition("datum.openStart || datum.openEnd", alt.value(0.45), alt.value(1.0))).properties(
        name="event")
    layers = [bars]
    if any(e["dayPrecise"] for e in members):
        layers.append(base.transform_filter("datum.dayPrecise").mark_point(
            shape="diamond", size=90, filled=True, stroke="#1a1a1a", strokeWidth=0.8, opacity=1,
            cursor="pointer", tooltip=TIP).encode(
            x=x, color=colour, href="href:N", description="description:N").properties(name="stated_day"))
    arrow = {"size": 80, "filled": True, "opacity": 1, "stroke": "#1a1a1a", "strokeWidth": 0.6}
    if any(e["openStart"] for e in members):
        layers.append(base.transform_filter("datum.openStart").mark_point(shape="triangle-left", **arrow).encode(
            x=x, color=colour).properties(name="open_start"))
    if any(e["openEnd"] for e in members):
        layers.append(base.transform_filter("datum.openEnd").mark_point(shape="triangle-right", **arrow).encode(
            x=alt.X("end:T", scale=alt.Scale(type="utc", domain=[low, high]), axis=axis), color=colour
        ).properties(name="open_end"))
    if any(e["latestStart"] for e in members):
        layers.append(base.transform_filter("datum.latestStart").mark_tick(
            thickness=3, size=16, color="#1a1a1a", tooltip=TIP).encode(
            x=alt.X("latestStart:T", scale=alt.Scale(type="utc", domain=[low, high]), axis=axis)
        ).properties(name="under_way_by"))
    return alt.layer(*layers).properties(
        width=width, height=18 * len(members), title=alt.TitleParams(story, anchor="start", fontSize=13))


def _narrative_panel(alt, members, data, colour, width):
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelLimit=360)))
    marks = base.mark_point(shape="square", size=110, filled=True, opacity=1, cursor="pointer", tooltip=TIP).encode(
        x=alt.X("narrativePosition:Q", title="position in the article's narrative", axis=alt.Axis(tickMinStep=1),
                scale=alt.Scale(zero=False, nice=False, padding=12)),
        color=colour, href="href:N", description="description:N")
    return marks.properties(name="event", width=width, height=18 * len(members),
                            title=alt.TitleParams(NARRATIVE_ONLY, anchor="start", fontSize=13))


# --- outputs -----------------------------------------------------------------------------------------------

def timeline_svg(store, page_url: PageUrl = site_page_url) -> str:
    return to_svg(timeline_spec(store, page_url))


def timeline_png(store, page_url: PageUrl = site_page_url, scale: float = 1.0) -> bytes:
    return to_png(timeline_spec(store, page_url), scale=scale)


def timeline_html(store, page_url: PageUrl = site_page_url) -> str:
    """A complete offline page: the chart, and the events as an ordered list for readers without JavaScript."""
    events = timeline_data(store, page_url)
    intro = (
        "<p>Every dated event of the graph built from Yueran Zhang, "
        f"<a href=\"{ARTICLE_URL}\">\u201cLeninists in a Chinese Factory\u201d</a> (Made in China Journal, 25 June "
        "2020), with the precision the article has. A bar runs from the earliest to the latest possible day; where "
        "the article gives no bound on one side, the bar is faded and ends in an arrow at the edge. A diamond marks "
        "a day the article states; a tick marks the date by which an event was under way. Hover over an event "
        "for the article's words; click it to open its page.</p>")
    if not events:
        intro += "<p><strong>The graph read has no dated event.</strong></p>"
    return html_page("Timeline of the events", intro, _spec(events), _fallback_list(events),
                     "The events as a list, with the article's words")


def _fallback_list(events: list[dict]) -> str:
    items = []
    for e in sorted(events, key=lambda e: e["order"]):
        label = html.escape(e["label"] or e["iri"])
        name = f"<a href=\"{html.escape(e['href'])}\">{label}</a>" if e.get("href") else label
        when = html.escape(e.get("dateStated") or "undated")
        bounds = _bounds_text(e)
        quote = f"<br><q>{html.escape(e['quote'])}</q>" if e.get("quote") else ""
        items.append(f"<li>{name} ({html.escape(e['type'])}): {when}{bounds}{quote}</li>")
    return ("<p>The events in order (earliest possible date, then the article's narrative order):</p>\n<ol>\n"
            + "\n".join(items) + "\n</ol>")


def _bounds_text(e: dict) -> str:
    if e.get("story") == NARRATIVE_ONLY:
        return f" [no date; position {e['narrativePosition']} in the article's narrative]"
    parts = []
    if e.get("edtf"):
        parts.append(f"EDTF {e['edtf']}")
    if e.get("earliest") and e.get("latest"):
        parts.append(e["earliest"] if e["dayPrecise"] else f"between {e['earliest']} and {e['latest']}")
    elif e.get("earliest"):
        parts.append(f"not before {e['earliest']}")
    elif e.get("latest"):
        parts.append(f"by {e['latest']}")
    if e.get("latestStart"):
        parts.append(f"under way by {e['latestStart']}")
    return f" [{'; '.join(html.escape(p) for p in parts)}]" if parts else ""


# what `jasic-kg timeline --format` offers (the CLI's choices are kept equal to it by tests/test_cli_registry.py)
RENDERERS = {"html": timeline_html, "svg": timeline_svg, "png": timeline_png}
