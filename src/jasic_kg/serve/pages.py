"""The documents the front serves besides SPARQL answers: the dataset's VoID/DCAT description (Turtle, JSON-LD,
HTML) and an entity's page."""

from __future__ import annotations

import html
import json
from pathlib import Path
from urllib.parse import quote

from jasic_kg.errors import InputError
from jasic_kg.terms import JID

NTRIPLES = "application/n-triples"


def dataset_description(figures: dict, base: str, shipped_only: bool) -> bytes:
    """The stats VoID/DCAT description (stats.render_turtle) for the served graph: the dump and the endpoint are
    this server's URLs. The title, licence and creator are stated only when the graph is the shipped one alone."""
    from jasic_kg.stats import render_turtle

    s = dict(figures, dumps=[{"url": base + "/dump.nt", "media_type": NTRIPLES, "shipped": shipped_only}],
             sparql_endpoint=base + "/query", shipped_graph_only=shipped_only)
    return render_turtle(s)


def turtle_to_jsonld(turtle: bytes) -> bytes:
    from pyoxigraph import RdfFormat, parse

    from jasic_kg.export.exporters import serialize_triples

    return serialize_triples([q.triple for q in parse(turtle, RdfFormat.TURTLE)], "jsonld")


def _page(title: str, body: str) -> bytes:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n").encode("utf-8")


def _link(value: dict) -> str:
    """A term of a describe() dict as HTML: entities of this graph link to their /id/ path."""
    if "value" in value:
        lang = f" <small>@{html.escape(value['language'])}</small>" if value.get("language") else ""
        return html.escape(value["value"]) + lang
    if value.get("blank_node"):
        return "<i>[blank node]</i>"
    iri, label = value["iri"], value.get("label")
    href = "/id/" + iri[len(JID):] if iri.startswith(JID) else iri
    text = html.escape(value["id"]) + (f" ({html.escape(label)})" if label else "")
    return f"<a href=\"{html.escape(href, quote=True)}\">{text}</a>"


def entity_html(d: dict) -> bytes:
    """A plain page from describe()'s dict, for the IRIs the static site gives no page (the site's own page,
    site.build.render_entity_page, is served for the others)."""
    title = d.get("label") or d["entity"]["id"]
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p><code>{html.escape(d['entity']['iri'])}</code></p>"]
    if d["types"]:
        parts.append("<p>type: " + ", ".join(_link(t) for t in d["types"]) + "</p>")
    rows = [(n["property"], _link(n)) for n in d["names"]]
    rows += [(p["property"]["id"], ", ".join(_link(v) for v in p["values"])) for p in d["properties"]]
    if rows:
        parts.append("<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
                     + "</table>")
    if d["claims"]:
        parts.append(f"<h2>Claims ({len(d['claims'])})</h2>")
        for c in d["claims"]:
            quotes = "".join(f"<blockquote>{html.escape(q['value'])}</blockquote>" for q in c.get("quotes", []))
            voice = ", ".join(_link(v) for v in c.get("asserted_by", []))
            evidence = ", ".join(_link(v) for v in c.get("evidence_type", []))
            parts.append(f"<section><h3>{_link(c['claim'])}</h3>{quotes}"
                         f"<p>voice: {voice or '–'}; evidence: {evidence or '–'}</p></section>")
    if d["incoming"]:
        parts.append("<h2>Linked from</h2><ul>" + "".join(
            f"<li>{_link(i['subject'])} {html.escape(i['property']['id'])}</li>" for i in d["incoming"]) + "</ul>")
    local = d["entity"]["iri"][len(JID):]
    parts.append(f"<p>Also as <a href=\"/doc/{quote(local)}.ttl\">Turtle</a> and "
                 f"<a href=\"/doc/{quote(local)}.jsonld\">JSON-LD</a>.</p>")
    return _page(title, "\n".join(parts))


def void_html(turtle: bytes) -> bytes:
    """The dataset description as a page: its title, licence, creator, dump and endpoint, read back from the
    Turtle (one source of truth)."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(turtle, RdfFormat.TURTLE)
    row = {}
    for sol in store.query(
            "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX void: <http://rdfs.org/ns/void#> "
            "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?title ?license ?creator ?triples ?dump ?endpoint "
            "WHERE { ?d a void:Dataset ; void:triples ?triples ; void:dataDump ?dump ; void:sparqlEndpoint ?endpoint "
            "OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:license ?license } "
            "OPTIONAL { ?d dcterms:creator/foaf:name ?creator } }"):
        row = {k: sol[k].value for k in ("title", "license", "creator", "triples", "dump", "endpoint") if sol[k]}

    def link(url):
        return f"<a href=\"{html.escape(url, quote=True)}\">{html.escape(url)}</a>"

    title = row.get("title", "A graph served by jasic-kg")
    items = [("triples", html.escape(row.get("triples", "?")))]
    if "license" in row:
        items.append(("licence", link(row["license"])))
    if "creator" in row:
        items.append(("creator", html.escape(row["creator"])))
    items += [("SPARQL endpoint", link(row.get("endpoint", "/query"))), ("dump", link(row.get("dump", "/dump.nt"))),
              ("this description", "<a href=\"/.well-known/void\">VoID</a> (Turtle or JSON-LD by content negotiation)")]
    body = f"<h1>{html.escape(title)}</h1>\n<table>" + "".join(
        f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in items) + "</table>"
    return _page(title, body)


def site_files(folder) -> dict[str, Path]:
    """The files of a site `jasic-kg site` built, by URL path ("/id/he-pengchao.html"). Only the files its manifest
    lists, and only inside the folder (symbolic links resolved), are ever served."""
    from jasic_kg.site.build import MANIFEST

    root = Path(folder).resolve()
    try:
        names = json.loads((root / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"is not a site jasic-kg built (no {MANIFEST}): build one with jasic-kg site -o DIR",
                         folder) from None
    out = {}
    for name in names:
        path = (root / str(name)).resolve()
        if path.is_relative_to(root) and path.is_file():
            out["/" + path.relative_to(root).as_posix()] = path
    return out
