"""What the server holds: the COUNT after an upload (or a failure) and the comparison with the local graph."""

from __future__ import annotations

import time
from collections.abc import Iterable

from pyoxigraph import NamedNode, Quad, Triple

from jasic_kg.publish.http import Client, HttpFailure

_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } }"
_COUNT_WAITS = (2.0, 5.0, 10.0)  # seconds before asking again a server that answered the COUNT with a 5xx


def count(client: Client, query_url: str, graph: NamedNode) -> int:
    # A server may still be committing a big upload when the COUNT comes (Virtuoso after a million triples:
    # "SR171: Transaction timed out"): a read, so it is asked again, a few times.
    for wait in (*_COUNT_WAITS, None):
        try:
            rows = client.select(query_url, _COUNT, {"graph": graph})
            break
        except HttpFailure as e:
            if wait is None or e.status is None or e.status < 500:
                raise
            time.sleep(wait)
    try:
        return int(rows[0]["n"].value)
    except (IndexError, KeyError, ValueError, AttributeError):
        raise HttpFailure(query_url, "the COUNT query gave no number") from None


def holds_now(client: Client, query_url: str, graph: NamedNode, total: int, sent: int,
               failure: HttpFailure) -> str:
    """What the server holds after a failure, in words: a COUNT if the server still answers."""
    client.timeout = min(client.timeout, 15.0)
    try:
        held = count(client, query_url, graph)
    except HttpFailure as e:
        why = "the server does not answer" if e.status is None else f"the server cannot count them now ({e})"
        return (f"{why}, so what the graph <{graph.value}> holds now is unknown ({sent} of {total} triples had "
                "been accepted): re-run push to replace it")
    if sent == 0 and failure.status is not None:  # the first request was refused: nothing was written
        return f"the graph <{graph.value}> on the server was not changed (it holds {held} triples)"
    return f"the graph <{graph.value}> on the server now holds {held} of {total} triples: re-run push to replace it"


def graph_differences(local: Iterable[Triple], remote: Iterable[Triple], limit: int = 10) -> list[str]:
    """Up to `limit` lines naming triples that only one side has, after both are canonicalized (RDFC-1.0 renames
    blank nodes by the graph's structure); an empty list when the graphs are isomorphic."""
    from pyoxigraph import CanonicalizationAlgorithm, Dataset, DefaultGraph

    sides = []
    for triples in (local, remote):
        d = Dataset(Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples)
        d.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
        sides.append({q.triple for q in d})
    only_local, only_remote = sorted(map(str, sides[0] - sides[1])), sorted(map(str, sides[1] - sides[0]))
    out = []
    if only_local:
        out.append(f"{len(only_local)} triples only in the local graph, e.g. {only_local[0]}")
    if only_remote:
        out.append(f"{len(only_remote)} triples only on the server, e.g. {only_remote[0]}")
    out += [f"local only:  {t}" for t in only_local[1:limit]] + [f"server only: {t}" for t in only_remote[1:limit]]
    return out
