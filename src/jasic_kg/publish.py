"""Publishing the graph to a triplestore: `jasic-kg push`.

The triples go into one named graph, by the SPARQL 1.1 Graph Store HTTP Protocol (GSP,
https://www.w3.org/TR/sparql11-http-rdf-update/): the first batch is a PUT (it replaces the graph, so a re-push is
idempotent), the next ones POSTs (they add). Where a server has no GSP, SPARQL 1.1 Update does the same: DROP SILENT
GRAPH, then one INSERT per batch. Batches are N-Triples; the triples that share a blank node always travel in the
same batch, because a blank node label means one node only within one request.

Afterwards the graph's triples are counted on the server (a COUNT query) and, on request, the server's graph is
fetched back and compared with the local one up to blank-node renaming (RDF canonicalization, RDFC-1.0).

A failure partway says what the server now holds (a COUNT after the failure) and raises NetworkError (exit 3).
Secrets come from the environment (JASIC_KG_PASSWORD, JASIC_KG_TOKEN), never from arguments, and never appear in
messages.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Triple, parse, serialize

from jasic_kg.errors import InputError, NetworkError

DEFAULT_GRAPH = "https://w3id.org/jasic-kg/graph"
BATCH_TRIPLES = 50_000  # per Graph Store request
# per SPARQL Update request: Virtuoso 7.2 compiles an INSERT to SQL and refuses more than 10,000 lines of it
# (measured: 1,000 triples pass, 2,000 fail with SP031)
UPDATE_BATCH_TRIPLES = 1_000
REQUEST_TIMEOUT = 120.0  # seconds for one request (one batch), connection to last byte
PROTOCOLS = ("auto", "gsp", "update")
NTRIPLES = "application/n-triples"
_NO_GSP = (404, 405, 501)  # what a URL without a Graph Store answers to a PUT
_MAX_RESPONSE = 2 * 1024 * 1024 * 1024  # a fetched graph (--verify) may be big; a COUNT answer is tiny


# --- where to send what --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Service:
    """A triplestore's three URLs: SPARQL query, SPARQL Update and Graph Store (None: the server has none)."""

    query: str
    update: str | None
    store: str | None


def service_urls(endpoint: str, *, update: str | None = None, store: str | None = None,
                 authenticated: bool = False) -> Service:
    """The update and store URLs of the query endpoint `endpoint`, for the servers whose layout is known, unless
    given: Oxigraph (/query, /update, /store), Virtuoso (/sparql; /sparql-auth and /sparql-graph-crud-auth when
    authenticated, else /sparql and /sparql-graph-crud), Fuseki (/DATASET/query or /DATASET/sparql; /DATASET/update,
    /DATASET/data)."""
    for url in (endpoint, update, store):
        if url is not None and not _is_http(url):
            raise InputError(f"endpoint must be an http(s) URL: {url!r}")
    parts = urlsplit(endpoint)
    path = parts.path.rstrip("/")

    def at(new_path: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, new_path, "", ""))

    known = None
    if path == "/query":  # Oxigraph
        known = at("/update"), at("/store")
    elif path == "/sparql":  # Virtuoso
        known = (at("/sparql-auth" if authenticated else "/sparql"),
                 at("/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"))
    elif path.count("/") == 2 and path.rsplit("/", 1)[1] in ("query", "sparql"):  # Fuseki: /DATASET/query
        dataset = path.rsplit("/", 1)[0]
        known = at(dataset + "/update"), at(dataset + "/data")
    if known is None and (update is None or store is None) and not (update or store):
        raise InputError(f"cannot tell the update and graph-store URLs of {endpoint} (known layouts: Oxigraph "
                         "/query, Virtuoso /sparql, Fuseki /DATASET/query): give --update-url or --store-url")
    return Service(endpoint, update or (known[0] if known else None), store or (known[1] if known else None))


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


# --- credentials ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Credentials:
    """Basic or digest auth (user, password) or a bearer token; the secrets only from the environment."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, user: str | None = None, env: dict | None = None) -> Credentials:
        env = os.environ if env is None else env
        user = user or env.get("JASIC_KG_USER") or None
        password, token = env.get("JASIC_KG_PASSWORD") or None, env.get("JASIC_KG_TOKEN") or None
        if user and token:
            raise InputError("give either a user (with JASIC_KG_PASSWORD) or JASIC_KG_TOKEN, not both")
        if user and password is None:
            raise InputError(f"user {user!r} given but JASIC_KG_PASSWORD is not set (the password is read from "
                             "the environment only)")
        return cls(user, password if user else None, token)

    @property
    def any(self) -> bool:
        return bool(self.user or self.token)


# --- HTTP ------------------------------------------------------------------------------------------------------

class _HttpFailure(Exception):
    """A request that did not succeed: `status` is the HTTP status, or None when there was no answer."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.status = status


class _Client:
    """requests, with: no redirects, a deadline per request (connection to last byte), a size cap on answers,
    and basic, digest (Virtuoso's choice) or bearer auth."""

    def __init__(self, credentials: Credentials, timeout: float):
        import requests

        from jasic_kg import __version__
        from jasic_kg.store import USER_AGENT

        self.requests = requests
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT.format(version=__version__)
        self.credentials = credentials
        self.timeout = timeout
        # never None: requests would then send ~/.netrc credentials unasked (proxies from the environment are
        # still used, as by the query endpoint's urllib)
        self.auth = _NO_AUTH
        if credentials.token:
            self.session.headers["Authorization"] = f"Bearer {credentials.token}"

    def choose_auth(self, url: str) -> None:
        """Basic, unless the server asks for digest: a bodiless request reads its challenge first, so that no
        batch is uploaded twice."""
        if not self.credentials.user or self.auth is not _NO_AUTH:
            return
        from requests.auth import HTTPBasicAuth, HTTPDigestAuth

        challenge = ""
        try:
            r = self.session.head(url, timeout=min(self.timeout, 30), allow_redirects=False)
            challenge = r.headers.get("WWW-Authenticate", "").lower() if r.status_code == 401 else ""
        except self.requests.RequestException:
            pass  # the real request reports the problem
        user, password = self.credentials.user, self.credentials.password
        digest = "digest" in challenge and "basic" not in challenge
        self.auth = HTTPDigestAuth(user, password) if digest else HTTPBasicAuth(user, password)

    def send(self, method: str, url: str, *, params=None, data=None, headers=None) -> bytes:
        deadline = time.monotonic() + self.timeout
        try:
            r = self.session.request(method, url, params=params, data=data, headers=headers, auth=self.auth,
                                     timeout=(min(self.timeout, 30), self.timeout), allow_redirects=False,
                                     stream=True)
            try:
                body = self._read(r, url, deadline)
            finally:
                r.close()
        except self.requests.Timeout:
            raise _HttpFailure(url, f"no answer within {self.timeout:g} s") from None
        except self.requests.RequestException as e:
            raise _HttpFailure(url, _reason(e)) from None
        if 300 <= r.status_code < 400:
            raise _HttpFailure(url, f"redirect (HTTP {r.status_code}) to {r.headers.get('Location', '?')} refused; "
                               "give the final URL", r.status_code)
        if r.status_code >= 400:
            first = body[:300].decode("utf-8", "replace").strip().splitlines()
            detail = f": {' '.join(first[0].split())[:200]}" if first and r.status_code not in (401, 403) else ""
            raise _HttpFailure(url, f"HTTP {r.status_code} {r.reason}{detail}", r.status_code)
        return body

    def _read(self, r, url: str, deadline: float) -> bytes:
        chunks, size = [], 0
        for chunk in r.iter_content(65536):
            size += len(chunk)
            if size > _MAX_RESPONSE:
                raise _HttpFailure(url, f"response larger than {_MAX_RESPONSE} bytes")
            if time.monotonic() > deadline:
                raise _HttpFailure(url, f"no complete answer within {self.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def select(self, query_url: str, sparql: str, bindings: dict) -> list[dict]:
        """A SELECT on the query endpoint; parameters bound by a VALUES block of validated terms."""
        import json

        from jasic_kg.results import QueryResult
        from jasic_kg.store import inject_values

        body = self.send("POST", query_url, data={"query": inject_values(sparql, bindings)},
                         headers={"Accept": "application/sparql-results+json"})
        try:
            result = QueryResult.from_json(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise _HttpFailure(query_url, f"malformed SPARQL JSON results ({e})") from None
        return [dict(zip(result.variables, row)) for row in result.rows]


def _no_auth(request):
    return request


_NO_AUTH = _no_auth  # requests calls `auth(request)`: this one adds nothing


def _reason(e: Exception) -> str:
    """The innermost cause of a requests error, in a few words ("Connection refused", "Connection aborted")."""
    text = str(e)
    for marker in ("Connection refused", "Connection reset by peer", "Remote end closed connection",
                   "Connection aborted", "Broken pipe", "Name or service not known"):
        if marker in text:
            return {"Remote end closed connection": "the server closed the connection"}.get(marker, marker)
    return " ".join(text.split())[:200] or type(e).__name__


# --- batches ---------------------------------------------------------------------------------------------------

def batches(triples: Sequence[Triple], size: int = BATCH_TRIPLES) -> list[list[Triple]]:
    """`triples` in batches of about `size`, the triples linked by blank nodes always in the same batch (a batch
    grows past `size` only for a bigger blank-node structure)."""
    if size < 1:
        raise InputError("the batch size must be at least 1")
    parent: dict = {}

    def root(b):
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]  # path halving
            b = parent[b]
        return b

    plain, linked = [], []
    for t in triples:
        nodes = [x for x in (t.subject, t.object) if isinstance(x, BlankNode)]
        if not nodes:
            plain.append(t)
            continue
        linked.append((t, nodes[0]))
        if len(nodes) == 2:
            a, b = root(nodes[0]), root(nodes[1])
            if a != b:
                parent[a] = b
    groups: dict = {}
    for t, node in linked:
        groups.setdefault(root(node), []).append(t)
    out, current = [], []
    for group in [*groups.values(), *([t] for t in plain)]:
        if current and len(current) + len(group) > size:
            out.append(current)
            current = []
        current.extend(group)
    if current or not out:
        out.append(current)
    return out


def _ntriples(triples: Iterable[Triple]) -> bytes:
    return serialize(triples, format=RdfFormat.N_TRIPLES) or b""


# --- push ------------------------------------------------------------------------------------------------------

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
    client = _Client(credentials, timeout)
    started, sent, first = time.monotonic(), 0, 0
    try:
        parts = batches(unique, batch_size or (UPDATE_BATCH_TRIPLES if protocol == "update" else BATCH_TRIPLES))
        client.choose_auth(service.store if protocol != "update" else service.update)
        if protocol == "auto":
            try:
                step(f"pushing batch 1/{len(parts)} (Graph Store Protocol)")
                _gsp_send(client, service.store, graph_node, parts[0], replace=True)
                protocol, sent, first = "gsp", len(parts[0]), 1
            except _HttpFailure as e:
                if e.status not in _NO_GSP or not service.update:
                    raise
                # no Graph Store at that URL (nothing was written): SPARQL Update, in its own batch size
                protocol = "update"
                parts = batches(unique, batch_size or UPDATE_BATCH_TRIPLES)
                client.auth = _NO_AUTH
                client.choose_auth(service.update)
        for i in range(first, len(parts)):
            step(f"pushing batch {i + 1}/{len(parts)}: {sent}/{len(unique)} triples sent")
            if protocol == "gsp":
                _gsp_send(client, service.store, graph_node, parts[i], replace=i == 0)
            else:
                _update_send(client, service.update, graph_node, parts[i], replace=i == 0)
            sent += len(parts[i])
        step(f"counting the triples of <{graph}> on the server")
        on_server = _count(client, service.query, graph_node)
    except _HttpFailure as e:
        if sent == len(unique) and sent:  # every batch was accepted: it is the COUNT that failed
            raise NetworkError(f"{e} (counting the triples after the upload; all {sent} triples were accepted)") \
                from None
        raise NetworkError(f"{e}; {_holds_now(client, service.query, graph_node, len(unique), sent, e)}") from None
    seconds = time.monotonic() - started
    result = PushResult(graph, protocol, len(unique), len(parts), seconds, on_server)
    if verify:
        step(f"fetching <{graph}> back from the server")
        try:
            remote = _fetch(client, service, graph_node)
        except _HttpFailure as e:
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


def _gsp_send(client: _Client, store: str, graph: NamedNode, part: list[Triple], *, replace: bool) -> None:
    client.send("PUT" if replace else "POST", store, params={"graph": graph.value}, data=_ntriples(part),
                headers={"Content-Type": NTRIPLES})


def _update_send(client: _Client, update: str, graph: NamedNode, part: list[Triple], *, replace: bool) -> None:
    body = _ntriples(part).decode("utf-8")
    ops = [f"DROP SILENT GRAPH {graph}"] if replace else []
    if body:
        # INSERT DATA where it can: Virtuoso 7 refuses blank nodes in INSERT DATA ("not allowed in a constant
        # clause"); a template with an empty WHERE inserts them as fresh nodes, one set for the whole batch.
        has_blank = any(isinstance(x, BlankNode) for t in part for x in (t.subject, t.object))
        ops.append(f"INSERT {{ GRAPH {graph} {{\n{body}}} }} WHERE {{}}" if has_blank
                   else f"INSERT DATA {{ GRAPH {graph} {{\n{body}}} }}")
    client.send("POST", update, data=" ;\n".join(ops).encode("utf-8"),
                headers={"Content-Type": "application/sparql-update; charset=utf-8"})


_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } }"


_COUNT_WAITS = (2.0, 5.0, 10.0)  # seconds before asking again a server that answered the COUNT with a 5xx


def _count(client: _Client, query_url: str, graph: NamedNode) -> int:
    # A server may still be committing a big upload when the COUNT comes (Virtuoso after a million triples:
    # "SR171: Transaction timed out"): a read, so it is asked again, a few times.
    for wait in (*_COUNT_WAITS, None):
        try:
            rows = client.select(query_url, _COUNT, {"graph": graph})
            break
        except _HttpFailure as e:
            if wait is None or e.status is None or e.status < 500:
                raise
            time.sleep(wait)
    try:
        return int(rows[0]["n"].value)
    except (IndexError, KeyError, ValueError, AttributeError):
        raise _HttpFailure(query_url, "the COUNT query gave no number") from None


def _holds_now(client: _Client, query_url: str, graph: NamedNode, total: int, sent: int,
               failure: _HttpFailure) -> str:
    """What the server holds after a failure, in words: a COUNT if the server still answers."""
    client.timeout = min(client.timeout, 15.0)
    try:
        held = _count(client, query_url, graph)
    except _HttpFailure as e:
        why = "the server does not answer" if e.status is None else f"the server cannot count them now ({e})"
        return (f"{why}, so what the graph <{graph.value}> holds now is unknown ({sent} of {total} triples had "
                "been accepted): re-run push to replace it")
    if sent == 0 and failure.status is not None:  # the first request was refused: nothing was written
        return f"the graph <{graph.value}> on the server was not changed (it holds {held} triples)"
    return f"the graph <{graph.value}> on the server now holds {held} of {total} triples: re-run push to replace it"


def _fetch(client: _Client, service: Service, graph: NamedNode) -> list[Triple]:
    """The server's graph: a GSP GET where there is a Graph Store, else a CONSTRUCT (servers may cap those)."""
    if service.store:
        try:
            body = client.send("GET", service.store, params={"graph": graph.value}, headers={"Accept": NTRIPLES})
            return _parse_ntriples(body, service.store)
        except _HttpFailure as e:
            if e.status not in _NO_GSP:
                raise
    from jasic_kg.store import inject_values

    query = inject_values("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }", {"graph": graph})
    body = client.send("POST", service.query, data={"query": query}, headers={"Accept": NTRIPLES})
    return _parse_ntriples(body, service.query)


def _parse_ntriples(body: bytes, url: str) -> list[Triple]:
    try:
        return [q.triple for q in parse(body, RdfFormat.N_TRIPLES)]
    except SyntaxError as e:
        raise _HttpFailure(url, f"malformed N-Triples in the answer ({' '.join(str(e).split())})") from None


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


def local_triples(store) -> Iterator[Triple]:
    """The triples of a LocalStore (the shipped graph plus --data files, named graphs merged, as queries see it)."""
    for q in store.quads():
        yield q.triple


__all__ = ["DEFAULT_GRAPH", "BATCH_TRIPLES", "Credentials", "PushResult", "Service", "batches", "graph_differences",
           "push", "service_urls"]
