"""The network: actors, organisations and groups with their relations.

Relations drawn (the main kinds only, so that the picture stays readable): membership (`jkg:Membership`: member ->
group, with its role), sub-organisation (`jkg:subOrganisationOf`), influence (`jkg:Influence`: source -> what it
influenced, with its kind) and the part agents took in events (`jkg:performedBy` "carried out",
`jkg:participant` "took part in", `jkg:affected` "affected by"). Agents with none of these relations (most of
them are only the voices of claims) are left out and counted on the page.

The layout is networkx's ForceAtlas2 with a fixed seed, so the same graph always gives the same picture. Nodes
link to their pages; every node and edge has a tooltip with the full labels and the role or kind.
"""

from __future__ import annotations

import html

from jasic_kg.terms import ARTICLE_URL, JKG
from jasic_kg.views.page import PageUrl, html_page, site_page_url, to_png, to_svg

LAYOUT_SEED = 2020
LABEL_CHARS = 34  # longer labels are cut on the drawing (the tooltip has them whole)
HUB_DEGREE = 8  # nodes with this many relations drawn get bold labels: the eye finds the centres first

# node kinds by rdf:type, the most specific first
NODE_KINDS = (
    (JKG + "Person", "person"),
    (JKG + "Organisation", "organisation"),
    (JKG + "InformalGroup", "named group"),
    (JKG + "Network", "named group"),
    (JKG + "Collective", "unnamed collective"),
    (JKG + "Movement", "movement"),
    (JKG + "Event", "event"),
)
OTHER_KIND = "idea, work or strategy"
AGENT_KINDS = ("person", "organisation", "named group", "unnamed collective")
NODE_SHAPES = {"person": "circle", "organisation": "square", "named group": "diamond",
               "unnamed collective": "circle", "movement": "triangle-up", "event": "triangle-up",
               OTHER_KIND: "cross"}
NODE_COLOURS = {"person": "#1f77b4", "organisation": "#2ca02c", "named group": "#d62728",
                "unnamed collective": "#9467bd", "movement": "#8c564b", "event": "#7f7f7f", OTHER_KIND: "#e377c2"}
EDGE_COLOURS = {"member of": "#d62728", "part of": "#2ca02c", "influenced": "#ff7f0e", "carried out": "#1f77b4",
                "took part in": "#17becf", "affected by": "#7f7f7f"}

_PREFIXES = """
PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# (source, target, kind, detail) rows; each relation as the article's data has it
_RELATIONS = _PREFIXES + """
SELECT ?source ?target ?kind ?detail WHERE {
  {
    ?m a jkg:Membership ; jkg:member ?source ; jkg:memberOf ?target .
    OPTIONAL { ?m jkg:role/skos:prefLabel ?roleLabel FILTER(lang(?roleLabel) = "en" || lang(?roleLabel) = "") }
    OPTIONAL { ?m jkg:roleStated ?roleStated }
    BIND("member of" AS ?kind)
    BIND(IF(BOUND(?roleLabel) && BOUND(?roleStated), CONCAT(?roleLabel, ": \u201c", ?roleStated, "\u201d"),
            COALESCE(?roleLabel, ?roleStated)) AS ?detail)
  } UNION {
    ?source jkg:subOrganisationOf ?target . BIND("part of" AS ?kind)
  } UNION {
    ?i a jkg:Influence ; jkg:influencedBy ?source ; jkg:influenced ?target .
    OPTIONAL { ?i jkg:influenceKind/skos:prefLabel ?how FILTER(lang(?how) = "en" || lang(?how) = "") }
    OPTIONAL { ?i jkg:via/rdfs:label ?via FILTER(lang(?via) = "en" || lang(?via) = "") }
    BIND("influenced" AS ?kind)
    BIND(IF(BOUND(?via), CONCAT(COALESCE(?how, "influence"), ", via ", ?via), ?how) AS ?detail)
  } UNION {
    ?event a/rdfs:subClassOf* jkg:Event .
    { ?event jkg:performedBy ?source . BIND("carried out" AS ?kind) }
    UNION { ?event jkg:participant ?source . BIND("took part in" AS ?kind) }
    UNION { ?event jkg:affected ?source . BIND("affected by" AS ?kind) }
    BIND(?event AS ?target)
  }
}
ORDER BY ?kind ?source ?target ?detail
"""

_NODES = _PREFIXES + """
SELECT ?node ?label ?type WHERE {
  ?node rdfs:label ?label .
  OPTIONAL { ?node a ?type }
}
"""

_AGENTS = _PREFIXES + """
SELECT (COUNT(DISTINCT ?agent) AS ?n) WHERE {
  VALUES ?class { jkg:Person jkg:Organisation jkg:InformalGroup jkg:Network jkg:Collective }
  ?agent a ?class .
}
"""


def _relations(store) -> list[dict]:
    seen, edges = set(), []
    for row in store.select(_RELATIONS):
        if row["source"].__class__.__name__ != "NamedNode" or row["target"].__class__.__name__ != "NamedNode":
            continue
        key = (row["source"].value, row["target"].value, row["kind"].value)
        detail = row["detail"].value if "detail" in row else None
        if key in seen:  # a second membership of the same pair (another role): one edge, the roles joined
            edge = next(e for e in edges if (e["source"], e["target"], e["kind"]) == key)
            if detail and detail not in (edge["detail"] or ""):
                edge["detail"] = f"{edge['detail']}; {detail}" if edge["detail"] else detail
            continue
        seen.add(key)
        edges.append({"source": key[0], "target": key[1], "kind": key[2], "detail": detail})
    return sorted(edges, key=lambda e: (e["kind"], e["source"], e["target"]))


def _labels_and_kinds(store, iris: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    labels: dict[str, tuple[int, str]] = {}
    types: dict[str, set[str]] = {}
    for row in store.select(_NODES):
        iri = row["node"].value
        if iri not in iris:
            continue
        lang = getattr(row["label"], "language", None)
        rank = 0 if lang in (None, "en") else 1
        if iri not in labels or (rank, row["label"].value) < labels[iri]:
            labels[iri] = (rank, row["label"].value)
        if "type" in row:
            types.setdefault(iri, set()).add(row["type"].value)
    kinds = {iri: next((kind for cls, kind in NODE_KINDS if cls in types.get(iri, ())), OTHER_KIND) for iri in iris}
    return {iri: label for iri, (_, label) in labels.items()}, kinds


def network_data(store, page_url: PageUrl = site_page_url) -> dict:
    """{"nodes": [...], "edges": [...], "agents_left_out": n}: nodes with their kind, page and laid-out position
    (x, y in 0..1), edges with both ends' positions and labels."""
    import networkx as nx

    edges = _relations(store)
    iris = {e["source"] for e in edges} | {e["target"] for e in edges}
    labels, kinds = _labels_and_kinds(store, iris)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(iris))
    graph.add_edges_from((e["source"], e["target"]) for e in edges)
    positions = _layout(nx, graph)

    def scaled(iri):
        return positions[iri]

    nodes = []
    for iri in sorted(iris):
        x, y = scaled(iri)
        label = labels.get(iri, iri.rsplit("/", 1)[-1])
        nodes.append({"iri": iri, "label": label, "short": _cut(label), "kind": kinds[iri], "x": x, "y": y,
                      "degree": graph.degree(iri), "href": page_url(iri),
                      "tip": {"name": label, "kind": kinds[iri], "relations drawn": graph.degree(iri)}})
    for edge in edges:
        edge["x"], edge["y"] = scaled(edge["source"])
        edge["x2"], edge["y2"] = scaled(edge["target"])
        edge["sourceLabel"] = labels.get(edge["source"], edge["source"])
        edge["targetLabel"] = labels.get(edge["target"], edge["target"])
        edge["tip"] = {"from": edge["sourceLabel"], "relation": edge["kind"], "to": edge["targetLabel"],
                       **({"role or kind": edge["detail"]} if edge["detail"] else {})}
    agents_drawn = sum(1 for n in nodes if n["kind"] in AGENT_KINDS)
    agents = int(store.select(_AGENTS)[0]["n"].value)
    return {"nodes": nodes, "edges": edges, "agents_left_out": agents - agents_drawn}


def _layout(nx, graph) -> dict[str, tuple[float, float]]:
    """Positions in 0..1: the largest connected part fills the top of the picture, the small parts (a person and
    their university, say) sit in a row below it, so that they do not squeeze the main part into a corner."""
    parts = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    positions: dict[str, tuple[float, float]] = {}
    small = parts[1:]
    main_bottom = 0.12 if small else 0.0
    for index, part in enumerate(parts):
        sub = graph.subgraph(part)
        # ForceAtlas2 with hubs' attraction spread over their edges (distributed_action): the hubs stand apart
        # instead of disappearing under their members, which the spring layout piled onto them. 300 iterations
        # settle the shipped graph; a big graph gets fewer (each iteration is O(n^2)).
        raw = nx.forceatlas2_layout(sub, seed=LAYOUT_SEED, max_iter=300 if len(part) <= 300 else 100,
                                    distributed_action=True, scaling_ratio=4.0) \
            if len(part) > 1 else {part[0]: (0.0, 0.0)}
        if index == 0:
            box = (0.0, main_bottom, 1.0, 1.0)
        else:
            column, row = (index - 1) % 6, (index - 1) // 6
            box = (column / 6, -row * 0.08, column / 6 + 0.1, -row * 0.08 + 0.05)
        xs, ys = [float(p[0]) for p in raw.values()], [float(p[1]) for p in raw.values()]
        for iri, (x, y) in raw.items():
            x, y = float(x), float(y)
            fx = (x - min(xs)) / ((max(xs) - min(xs)) or 1) if len(part) > 1 else 0.5
            fy = (y - min(ys)) / ((max(ys) - min(ys)) or 1) if len(part) > 1 else 0.5
            positions[iri] = (round(box[0] + fx * (box[2] - box[0]), 4), round(box[1] + fy * (box[3] - box[1]), 4))
    return positions


def _cut(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1].rstrip() + "\u2026"


def network_spec(store, page_url: PageUrl = site_page_url) -> dict:
    return _spec(network_data(store, page_url))


def _spec(data: dict, width: int = 1020, height: int = 760) -> dict:
    import altair as alt

    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.03, 1.2]))  # room on the right for the labels
    bottom = min([n["y"] for n in data["nodes"]] + [0.0])
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[bottom - 0.03, 1.03]))
    edge_kinds = [k for k in EDGE_COLOURS if any(e["kind"] == k for e in data["edges"])]
    node_kinds = [k for k in NODE_COLOURS if any(n["kind"] == k for n in data["nodes"])]
    tip = {"expr": "datum.tip"}  # the datum's prepared tooltip table (no empty rows)
    edges = alt.Chart(alt.Data(name="edges")).mark_rule(strokeWidth=1.3, opacity=0.65, tooltip=tip).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        stroke=alt.Stroke("kind:N", title="relation", scale=alt.Scale(
            domain=edge_kinds, range=[EDGE_COLOURS[k] for k in edge_kinds]), legend=alt.Legend(orient="right")),
    ).properties(name="edge")
    node_base = alt.Chart(alt.Data(name="nodes")).encode(
        x=x, y=y, href="href:N", description="label:N")
    nodes = node_base.mark_point(filled=True, opacity=1, stroke="#ffffff", strokeWidth=0.8, cursor="pointer",
                                 tooltip=tip).encode(
        fill=alt.Fill("kind:N", title="node", scale=alt.Scale(
            domain=node_kinds, range=[NODE_COLOURS[k] for k in node_kinds]), legend=alt.Legend(orient="right")),
        shape=alt.Shape("kind:N", title="node", scale=alt.Scale(
            domain=node_kinds, range=[NODE_SHAPES[k] for k in node_kinds])),
        size=alt.Size("degree:Q", scale=alt.Scale(range=[50, 420]), legend=None),
    ).properties(name="node")
    labelled = node_base.transform_filter(alt.FieldOneOfPredicate("kind", list(AGENT_KINDS) + ["movement", OTHER_KIND]))
    text = {"align": "left", "dx": 8, "dy": 0, "fontSize": 10.5, "cursor": "pointer", "tooltip": tip,
            "fontWeight": {"expr": f"datum.degree >= {HUB_DEGREE} ? 'bold' : 'normal'"}}
    # a white halo under each label keeps it readable where lines cross it
    halo = labelled.mark_text(**text, stroke="#ffffff", strokeWidth=3, strokeJoin="round", opacity=0.9).encode(
        text="short:N").properties(name="label_halo")
    labels = labelled.mark_text(**text, color="#1a1a1a").encode(text="short:N").properties(name="label")
    chart = alt.layer(edges, nodes, halo, labels).properties(
        width=width, height=height,
        title=alt.TitleParams(
            "Actors, organisations and groups in Yueran Zhang, \u201cLeninists in a Chinese Factory\u201d (2020)",
            subtitle="Memberships, sub-organisations, influences and the part agents took in events (events: "
                     "unlabelled triangles; hover for names).", anchor="start"))
    spec = chart.to_dict()
    spec["datasets"] = {"edges": data["edges"], "nodes": data["nodes"]}  # by name: Altair copies inline data
    spec["config"] = {**spec.get("config", {}), "font": "Helvetica, Arial, sans-serif", "view": {"stroke": None},
                      "legend": {"labelFontSize": 11}}
    return spec


def network_svg(store, page_url: PageUrl = site_page_url) -> str:
    return to_svg(network_spec(store, page_url))


def network_png(store, page_url: PageUrl = site_page_url, scale: float = 1.0) -> bytes:
    return to_png(network_spec(store, page_url), scale=scale)


def network_html(store, page_url: PageUrl = site_page_url) -> str:
    """A complete offline page: the network, and its relations as lists for readers without JavaScript."""
    data = network_data(store, page_url)
    intro = (
        "<p>The people, organisations and groups of the graph built from Yueran Zhang, "
        f"<a href=\"{ARTICLE_URL}\">\u201cLeninists in a Chinese Factory\u201d</a> (Made in China Journal, 2020), "
        "with their memberships, sub-organisations, the influences on them and the part they took in events. "
        f"{len(data['nodes'])} nodes and {len(data['edges'])} relations are drawn; "
        f"{data['agents_left_out']} agents with none of these relations (mostly the voices of claims) are left out. "
        "Hover over a node or a line for the full names and the role; click a node to open its page.</p>")
    if not data["edges"]:
        intro += "<p><strong>The graph read has none of these relations.</strong></p>"
    return html_page("Network of the actors", intro, _spec(data), _fallback(data), "The relations as a list")


def _fallback(data: dict) -> str:
    nodes = {n["iri"]: n for n in data["nodes"]}

    def name(iri):
        node = nodes[iri]
        label = html.escape(node["label"])
        return f"<a href=\"{html.escape(node['href'])}\">{label}</a>" if node["href"] else label

    items = [f"<li>{name(e['source'])} <em>{html.escape(e['kind'])}</em> {name(e['target'])}"
             + (f" ({html.escape(e['detail'])})" if e["detail"] else "") + "</li>" for e in data["edges"]]
    return "<p>The relations drawn:</p>\n<ul>\n" + "\n".join(items) + "\n</ul>"


# what `jasic-kg network --format` offers (the CLI's choices are kept equal to it by tests/test_cli_registry.py)
RENDERERS = {"html": network_html, "svg": network_svg, "png": network_png}
