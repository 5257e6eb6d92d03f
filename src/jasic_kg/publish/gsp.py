"""The SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/): PUT replaces the
named graph, POST adds to it, GET reads it back."""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from jasic_kg.publish.batches import ntriples
from jasic_kg.publish.http import Client, HttpFailure

NTRIPLES = "application/n-triples"
NO_GSP = (404, 405, 501)  # what a URL without a Graph Store answers


def send(client: Client, store: str, graph: NamedNode, part: list[Triple], *, replace: bool) -> None:
    client.send("PUT" if replace else "POST", store, params={"graph": graph.value}, data=ntriples(part),
                headers={"Content-Type": NTRIPLES})


def fetch(client: Client, store: str | None, query_url: str, graph: NamedNode) -> list[Triple]:
    """The server's graph: a GSP GET where there is a Graph Store, else a CONSTRUCT (servers may cap those)."""
    if store:
        try:
            body = client.send("GET", store, params={"graph": graph.value}, headers={"Accept": NTRIPLES})
            return parse_ntriples(body, store)
        except HttpFailure as e:
            if e.status not in NO_GSP:
                raise
    from jasic_kg.sparql import inject_values

    query = inject_values("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }", {"graph": graph})
    body = client.send("POST", query_url, data={"query": query}, headers={"Accept": NTRIPLES})
    return parse_ntriples(body, query_url)


def parse_ntriples(body: bytes, url: str) -> list[Triple]:
    try:
        return [q.triple for q in parse(body, RdfFormat.N_TRIPLES)]
    except SyntaxError as e:
        raise HttpFailure(url, f"malformed N-Triples in the answer ({' '.join(str(e).split())})") from None
