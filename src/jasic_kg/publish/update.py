"""SPARQL 1.1 Update, for servers without a Graph Store: DROP SILENT GRAPH, then one INSERT per batch."""

from __future__ import annotations

from pyoxigraph import BlankNode, NamedNode, Triple

from jasic_kg.publish.batches import ntriples
from jasic_kg.publish.http import Client


def send(client: Client, update: str, graph: NamedNode, part: list[Triple], *, replace: bool) -> None:
    body = ntriples(part).decode("utf-8")
    ops = [f"DROP SILENT GRAPH {graph}"] if replace else []
    if body:
        # INSERT DATA where it can: Virtuoso 7 refuses blank nodes in INSERT DATA ("not allowed in a constant
        # clause"); a template with an empty WHERE inserts them as fresh nodes, one set for the whole batch.
        has_blank = any(isinstance(x, BlankNode) for t in part for x in (t.subject, t.object))
        ops.append(f"INSERT {{ GRAPH {graph} {{\n{body}}} }} WHERE {{}}" if has_blank
                   else f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")
    client.send("POST", update, data=" ;\n".join(ops).encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"})
