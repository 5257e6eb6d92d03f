"""`link fetch`: a small declared set of facts about the linked Wikidata items, as a separate graph.

FACTS below is the whole set: labels and descriptions in English and Chinese, coordinates (P625), country
(P17) and inception (P571), each copied as the endpoint gives it (truthy wdt: values). The result is a Turtle
document of those triples plus one prov:Entity describing the fetch (the endpoint it came from, when, and the
items asked about), so that a saved query can join them with the local graph offline (`--data FILE`).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyoxigraph as ox

from jasic_kg.linking.client import SparqlClient, iri_terms
from jasic_kg.linking.mappings import LANGUAGES, WD_PREFIXES, read_mappings

FACTS = {
    "http://www.w3.org/2000/01/rdf-schema#label": "label (en, zh)",
    "http://schema.org/description": "description (en, zh)",
    "http://www.wikidata.org/prop/direct/P625": "coordinate location (P625)",
    "http://www.wikidata.org/prop/direct/P17": "country (P17)",
    "http://www.wikidata.org/prop/direct/P571": "inception (P571)",
}
FETCH_QUERY = WD_PREFIXES + """
SELECT ?item ?property ?value WHERE {
  VALUES ?item {}
  {
    VALUES ?property { rdfs:label schema:description }
    ?item ?property ?value FILTER (LANG(?value) IN (%(langs)s))
  } UNION {
    VALUES ?property { wdt:P625 wdt:P17 wdt:P571 }
    ?item ?property ?value
  }
}
"""
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
FETCH_BASE = "https://w3id.org/jasic-kg/fetch/"
PREFIXES = {"wd": "http://www.wikidata.org/entity/", "wdt": "http://www.wikidata.org/prop/direct/",
            "schema": "http://schema.org/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "prov": PROV,
            "dcterms": DCTERMS, "xsd": "http://www.w3.org/2001/XMLSchema#",
            "geo": "http://www.opengis.net/ont/geosparql#", "jkgfetch": FETCH_BASE}


def fetch_facts(client: SparqlClient, links_file, progress=None, now: dt.datetime | None = None) -> tuple[bytes, int, int]:
    """The fetched facts as Turtle, the number of items asked about and the number of fact triples."""
    _, _, mappings = read_mappings(links_file)
    items = sorted({m.object for m in mappings if m.is_wikidata})
    query = FETCH_QUERY % {"langs": ", ".join(f'"{lang}"' for lang in LANGUAGES)}
    result = client.select_batched(query, iri_terms(items), progress, expect=("item", "property", "value")) \
        if items else None
    triples = []
    for item, prop, value in result.rows if result else []:
        if item is None or prop is None or value is None or prop.value not in FACTS:
            continue
        if isinstance(item, ox.NamedNode) and not isinstance(value, ox.BlankNode):
            triples.append(ox.Triple(item, prop, value))
    now = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0)
    stamp = now.isoformat().replace("+00:00", "Z")
    fetch = ox.NamedNode(FETCH_BASE + hashlib.sha256(f"{client.endpoint}\n{stamp}".encode()).hexdigest()[:16])

    def p(iri):
        return ox.NamedNode(iri)

    prov = [
        ox.Triple(fetch, p("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), p(PROV + "Entity")),
        ox.Triple(fetch, p(PROV + "generatedAtTime"),
                  ox.Literal(stamp, datatype=p("http://www.w3.org/2001/XMLSchema#dateTime"))),
        ox.Triple(fetch, p(PROV + "wasDerivedFrom"), p(client.endpoint)),
        ox.Triple(fetch, p(DCTERMS + "source"), p(client.endpoint)),
        ox.Triple(fetch, p("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            "Facts fetched by jasic-kg link fetch about the linked Wikidata items: "
            + ", ".join(FACTS.values()) + "; as the endpoint gave them, not checked against the article.",
            language="en")),
    ] + [ox.Triple(fetch, p(DCTERMS + "subject"), p(i)) for i in items]
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in prov + triples)
    body = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    head = (f"# Fetched by `jasic-kg link fetch` from {client.endpoint} at {stamp}: external facts, kept apart from "
            "the graph.\n").encode()
    return head + body, len(items), len(set(triples))
