"""`push` itself: replace a named graph on a triplestore with the local triples, batch by batch, then count."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import NamedNode, Triple

from jasic_kg.errors import InputError, NetworkError
from jasic_kg.publish import gsp, update
from jasic_kg.publish.batches import BATCH_TRIPLES, UPDATE_BATCH_TRIPLES, batches
from jasic_kg.publish.endpoints import Credentials, service_urls
from jasic_kg.publish.http import NO_AUTH, Client, HttpFailure
from jasic_kg.publish.verify import count, graph_differences, holds_now

DEFAULT_GRAPH = "https://w3id.org/jasic-kg/graph"
REQUEST_TIMEOUT = 120.0  # seconds for one request (one batch), connection to last byte
PROTOCOLS = ("auto", "gsp", "update")


@dataclass
class PushResult:
    graph: str
    protocol: str  # "gsp" or "update"
    triples: int  # distinct triples pushed
    batches: int
    seconds: float
    on_server: int  # the COUNT on the server afterwards
    verified: bool | None = None  # None: not asked
    differences: list[str] = field(default_factory=list)  # --verify: a few triples only one side has

    @property
    def ok(self) -> bool:
        return self.on_server == self.triples and self.verified is not False

    def summary(self) -> str:
        rate = self.triples / self.seconds if self.seconds > 0 else 0
        lines = [f"pushed {self.triples} triples into <{self.graph}> by "
                 f"{'the Graph Store Protocol' if self.protocol == 'gsp' else 'SPARQL Update'} in {self.batches} "
                 f"batch{'es' if self.batches != 1 else ''}, {self.seconds:.1f} s ({rate:,.0f} triples/s)"]
        if self.on_server == self.triples:
            lines.append(f"the server's graph holds {self.on_server} triples, as sent")
        else:
            lines.append(f"the server's graph holds {self.on_server} triples, {self.triples} were sent")
        if self.verified is True:
            lines.append("verified: the server's graph equals the local one (up to blank-node names)")
        elif self.verified is False:
            lines.append("verify: the server's graph differs from the local one:")
            lines += [f"  {d}" for d in self.differences]
        return "\n".join(lines)


def push(triples: Iterable[Triple], endpoint: str, *, graph: str = DEFAULT_GRAPH, protocol: str = "auto",
         update_url: str | None = None, store_url: str | None = None, credentials: Credentials | None = None,
         batch_size: int | None = None, timeout: float = REQUEST_TIMEOUT, verify: bool = False,
         progress: Callable[[str], None] | None = None) -> PushResult:
    """Replace the named graph `graph` on the triplestore whose SPARQL query endpoint is `endpoint` with
    `triples`; count (and with `verify` compare) what the server then holds. `batch_size`: triples per request
    (default BATCH_TRIPLES by GSP, UPDATE_BATCH_TRIPLES by SPARQL Update)."""
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r} ({', '.join(PROTOCOLS)})")
    graph_node = _graph_iri(graph)
    credentials = credentials or Credentials()
    service = service_urls(endpoint, update=update_url, store=store_url, authenticated=credentials.any)
    if protocol == "gsp" and not service.store:
        raise InputError("--protocol gsp needs a graph-store URL (--store-url)")
    if protocol == "update" and not service.update:
        raise InputError("--protocol update needs an update URL (--update-url)")
    if protocol == "auto" and not service.store:
        protocol = "update"
    step = progress or (lambda note: None)
    unique = list(dict.fromkeys(triples))
    client = Client(credentials, timeout)
    started, sent, first = time.monotonic(), 0, 0
    try:
        parts = batches(unique, batch_size or (UPDATE_BATCH_TRIPLES if protocol == "update" else BATCH_TRIPLES))
        client.choose_auth(service.store if protocol != "update" else service.update)
        if protocol == "auto":
            try:
                step(f"pushing batch 1/{len(parts)} (Graph Store Protocol)")
                gsp.send(client, service.store, graph_node, parts[0], replace=True)
                protocol, sent, first = "gsp", len(parts[0]), 1
            except HttpFailure as e:
                if e.status not in gsp.NO_GSP or not service.update:
                    raise
                # no Graph Store at that URL (nothing was written): SPARQL Update, in its own batch size
                protocol = "update"
                parts = batches(unique, batch_size or UPDATE_BATCH_TRIPLES)
                client.auth = NO_AUTH
                client.choose_auth(service.update)
        for i in range(first, len(parts)):
            step(f"pushing batch {i + 1}/{len(parts)}: {sent}/{len(unique)} triples sent")
            if protocol == "gsp":
                gsp.send(client, service.store, graph_node, parts[i], replace=i == 0)
            else:
                update.send(client, service.update, graph_node, parts[i], replace=i == 0)
            sent += len(parts[i])
        step(f"counting the triples of <{graph}> on the server")
        on_server = count(client, service.query, graph_node)
    except HttpFailure as e:
        if sent == len(unique) and sent:  # every batch was accepted: it is the COUNT that failed
            raise NetworkError(f"{e} (counting the triples after the upload; all {sent} triples were accepted)") \
                from None
        raise NetworkError(f"{e}; {holds_now(client, service.query, graph_node, len(unique), sent, e)}") from None
    seconds = time.monotonic() - started
    result = PushResult(graph, protocol, len(unique), len(parts), seconds, on_server)
    if verify:
        step(f"fetching <{graph}> back from the server")
        try:
            remote = gsp.fetch(client, service.store, service.query, graph_node)
        except HttpFailure as e:
            raise NetworkError(f"{e} (while fetching the graph back to verify it; the upload itself finished: the "
                               f"server's graph holds {on_server} triples)") from None
        step("comparing the server's graph with the local one")
        result.differences = graph_differences(unique, remote)
        result.verified = not result.differences
    return result


def _graph_iri(graph: str) -> NamedNode:
    try:
        node = NamedNode(graph)
    except ValueError as e:
        raise InputError(f"--graph must be an absolute IRI: {graph!r} ({e})") from None
    if ":" not in graph:
        raise InputError(f"--graph must be an absolute IRI: {graph!r}")
    return node


def local_triples(store) -> Iterator[Triple]:
    """The triples of a LocalStore (the shipped graph plus --data files, named graphs merged, as queries see it)."""
    for q in store.quads():
        yield q.triple
