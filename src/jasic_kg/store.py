"""The one place that knows whether the graph is local or behind a SPARQL endpoint.

Every command talks to a GraphStore: `query`, `construct`, `count`, `describe`, `quads`. LocalStore is a
pyoxigraph Store holding the shipped ontology, vocabulary and data plus the user's --data files; EndpointStore
sends the same SPARQL to a SPARQL 1.1 endpoint with SPARQLWrapper. `open_store` picks one.

Parameters are never pasted into query text: locally they are pyoxigraph substitutions (SEP-0007), remotely a
VALUES block built from validated RDF terms (pyoxigraph's term constructors validate IRIs and escape literals).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path

from pyoxigraph import (
    DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, RdfFormat, Store, Triple,
    Variable, parse,
)

from jasic_kg import cache as disk_cache
from jasic_kg.cache import CACHE_MIN_BYTES
from jasic_kg.cache import cache_enabled as _cache_enabled
from jasic_kg.io import resources
from jasic_kg.errors import InputError, NetworkError, QueryError
from jasic_kg.io.native import run_native
from jasic_kg.io.rdfio import DEFAULT_MAX_BYTES, check_file, rdf_format
from jasic_kg.loading import Source, load, open_cached
from jasic_kg.results import QueryResult
from jasic_kg.sparql import _SERVICE, _query_form, check_query, code_text, inject_values, sparql_error, unescape_codepoints
from jasic_kg.terms import PREFIXES

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_bindings(bindings: Mapping | None) -> dict:
    out = {}
    for name, term in (bindings or {}).items():
        if not _VARNAME.match(name):
            raise InputError(f"invalid variable name for a parameter: {name!r}")
        if not isinstance(term, (NamedNode, Literal)):
            raise InputError(f"parameter {name} must be an IRI or a literal, not {type(term).__name__}")
        out[name] = term
    return out


class GraphStore:
    """What every command needs from a graph. Subclasses implement `query` and `quads`."""

    description = "graph"

    def query(self, sparql: str, bindings: Mapping[str, NamedNode | Literal] | None = None) -> QueryResult:
        raise NotImplementedError

    def quads(self) -> Iterator[Quad]:
        raise NotImplementedError

    def construct(self, sparql: str, bindings=None) -> list[Triple]:
        result = self.query(sparql, bindings)
        if result.kind != "graph":
            raise QueryError("expected a CONSTRUCT or DESCRIBE query")
        return result.triples

    def select(self, sparql: str, bindings=None) -> list[dict]:
        """Rows as dicts (variable -> term), unbound variables left out."""
        result = self.query(sparql, bindings)
        if result.kind != "select":
            raise QueryError("expected a SELECT query")
        return [{v: t for v, t in zip(result.variables, row) if t is not None} for row in result.rows]

    def count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return int(rows[0]["n"].value)

    def describe(self, iri: NamedNode) -> list[Triple]:
        """The triples about `iri` (outgoing) and pointing at it (incoming)."""
        return self.construct("CONSTRUCT { ?x ?p ?o . ?s ?q ?x } WHERE { { ?x ?p ?o } UNION { ?s ?q ?x } }",
                              {"x": iri})

    def triples(self) -> list[Triple]:
        return [q.triple for q in self.quads()]


class LocalStore(GraphStore):
    """An in-process pyoxigraph store over RDF files (strictly parsed)."""

    def __init__(self, files: Sequence[str | os.PathLike], *, max_bytes: int = DEFAULT_MAX_BYTES,
                 cache: bool | None = None, cache_dir: str | os.PathLike | None = None,
                 allow_service: bool = False, timeout: float | None = None, allow_contexts: Sequence[str] = (),
                 shipped: Sequence[str | os.PathLike] = ()):
        self.allow_service = allow_service  # SERVICE makes the local engine contact other hosts: off by default
        self.timeout = timeout  # seconds a local query may run (None: unbounded)
        # `max_bytes` is the user's limit on their own files; the `shipped` files (loaded first) keep the default.
        # First the cheap checks (exists, a file, size); the content checks (binary, empty, nesting) read every
        # byte, so they run only before a parse: an input with a complete cache was checked when it was built.
        limits = [DEFAULT_MAX_BYTES] * len(shipped) + [max_bytes] * len(files)
        self.files = [check_file(f, limit, content=False) for f, limit in zip([*shipped, *files], limits)]
        # Resolved once: a JSON-LD file's allowed contexts are fetched here, not again for the cache or the load.
        sources = [Source(path, rdf_format(path), limit, allow_contexts) for path, limit in zip(self.files, limits)]
        self.description = f"{len(self.files)} local file(s)"
        total = sum(f.stat().st_size for f in self.files)
        auto = cache is None and _cache_enabled()
        # Big inputs get one entry for all the files. Below that, the shipped graph alone still gets its own: it is
        # read by every command, and its entry reads in two thirds of the time of the strict parse and checks (the
        # cold start of `query`, BENCHMARKS.md); the user's small files are parsed on top of it.
        cached = sources if cache or (auto and total >= CACHE_MIN_BYTES) else sources[:len(shipped)] if auto else []
        self._cached = False
        self._store = None
        if cached:
            try:
                self._store = open_cached(cache_dir, cached)
                self._cached = True
            except disk_cache.CacheUnavailable as e:  # the cache is an optimisation: never a reason to fail
                if len(cached) > len(shipped):  # the shipped graph alone reads in a few ms more: no note for it
                    sys.stderr.write(f"jasic-kg: note: store cache not used ({e}); reading the files into memory\n")
        if self._store is None:
            self._store = load(Store(), sources)
        elif len(cached) < len(sources):
            load(self._store, sources[len(cached):])

    # GraphStore ------------------------------------------------------------------------------------------

    def query(self, sparql, bindings=None) -> QueryResult:
        bound = _check_bindings(bindings)
        check_query(sparql, allow_service=self.allow_service)
        subs = {Variable(k): v for k, v in bound.items()}

        def run() -> QueryResult:
            try:
                try:
                    res = self._store.query(sparql, prefixes=PREFIXES, substitutions=subs or None)
                except RuntimeError as e:
                    # pyoxigraph substitutes (SEP-0007) only variables of the SELECT projection; grlc queries
                    # seldom project their parameters, so bind those with the VALUES block the endpoint store uses.
                    if "projection" not in str(e):
                        raise
                    res = self._store.query(inject_values(sparql, bound), prefixes=PREFIXES)
                return _from_pyoxigraph(res, cancel)  # evaluation happens here, while iterating
            except _Stopped:
                failure = "the query was stopped"
            except SyntaxError as e:
                failure = sparql_error(e, sparql)
            except (OSError, RuntimeError) as e:
                failure = f"query failed: {' '.join(str(e).split())}"
            # Raised out here, not in the except blocks: there the error would keep the caught one as its context,
            # whose traceback holds pyoxigraph's results, which may be dropped only on this thread.
            res = None
            raise QueryError(failure)

        # A big-stack thread (pyoxigraph recurses; some legal queries overflow 8 MiB), an optional deadline and
        # a memory bound; past either, `cancel` stops the iteration over results.
        cancel = threading.Event()
        return run_native(run, timeout=self.timeout, cancel=cancel)

    def quads(self) -> Iterator[Quad]:
        return iter(self._store)

    def describe(self, iri: NamedNode) -> list[Triple]:
        out = [q.triple for q in self._store.quads_for_pattern(iri, None, None)]
        out += [q.triple for q in self._store.quads_for_pattern(None, None, iri) if q.subject != iri]
        return out

    def count(self) -> int:
        return len(self._store)

    @property
    def oxigraph(self) -> Store:
        """The underlying pyoxigraph Store (for modules that need quads_for_pattern speed)."""
        return self._store


def _from_pyoxigraph(res, cancel=None) -> QueryResult:
    if isinstance(res, QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, QuerySolutions):
        variables = [v.value for v in res.variables]
        return QueryResult("select", variables, _until(cancel, (tuple(sol[v] for v in variables) for sol in res)))
    return QueryResult("graph", triples=_until(cancel, res))


class _Stopped(Exception):
    """The waiting thread gave up on the query (timeout, memory, Ctrl-C)."""


def _until(cancel, items) -> list:
    """The items as a list, stopping early (_Stopped) once `cancel` is set: the query was given up."""
    if cancel is None:
        return list(items)
    items, out = iter(items), []
    while True:  # in batches: the loop over rows stays in C
        batch = list(islice(items, 4096))
        out += batch
        if len(batch) < 4096:
            return out
        if cancel.is_set():
            raise _Stopped()


# --- endpoint ---------------------------------------------------------------------------------------------

USER_AGENT = "jasic-kg/{version} (https://w3id.org/jasic-kg; linked-data toolkit)"


class EndpointStore(GraphStore):
    """A SPARQL 1.1 endpoint (SPARQLWrapper). Only what the SPARQL protocol offers: no local files."""

    def __init__(self, url: str, *, timeout: float = 60.0, retries: int = 2, max_bytes: int = DEFAULT_MAX_BYTES,
                 default_graph: str | None = None):
        if not re.match(r"^https?://\S+$", url):
            raise InputError(f"endpoint must be an http(s) URL: {url!r}")
        self.url = url
        # the SPARQL protocol's default-graph-uri: queries then see this named graph as their default graph
        try:
            self.default_graph = NamedNode(default_graph).value if default_graph else None
        except ValueError as e:
            raise InputError(f"--graph must be an IRI: {default_graph!r} ({e})") from None
        self.timeout = timeout
        self.retries = retries
        self.max_bytes = max_bytes
        self.description = f"endpoint {url}"

    def query(self, sparql, bindings=None) -> QueryResult:
        sparql = _with_prefixes(sparql)
        # fail fast, locally, with the parser the local store uses; line numbers as the user wrote them
        _check_syntax(sparql, line_offset=len(PREFIXES))
        bound = _check_bindings(bindings)
        if bound:
            sparql = inject_values(sparql, bound)
        form = _query_form(sparql)
        raw = self._send(sparql, "json" if form in ("SELECT", "ASK") else "turtle")
        if form in ("SELECT", "ASK"):
            try:
                return QueryResult.from_json_bytes(raw)
            except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
                raise NetworkError(f"{self.url}: malformed SPARQL JSON results ({e})") from None
        try:
            return QueryResult("graph", triples=[q.triple for q in parse(raw, RdfFormat.TURTLE)])
        except SyntaxError as e:
            raise NetworkError(f"{self.url}: malformed Turtle in the response ({e})") from None

    def quads(self) -> Iterator[Quad]:
        for t in self.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
            yield Quad(t.subject, t.predicate, t.object, DefaultGraph())

    def _send(self, sparql: str, fmt: str) -> bytes:
        import time

        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

        from jasic_kg import __version__
        from jasic_kg.io import remote

        client = SPARQLWrapper(self.url, agent=USER_AGENT.format(version=__version__))
        client.setMethod(POST)
        client.setReturnFormat(JSON if fmt == "json" else TURTLE)
        client.setQuery(sparql)
        if self.default_graph:
            client.addDefaultGraph(self.default_graph)
        for attempt in range(self.retries + 1):
            try:
                # SPARQLWrapper builds the protocol request; remote.read sends it (a total deadline, a byte cap,
                # no redirects: urllib would follow a 302 as a GET and drop the query, even to another host)
                return remote.read(client._createRequest(), timeout=self.timeout, max_bytes=self.max_bytes,
                                   label=self.url)
            except remote.HTTPStatusError as e:
                if 300 <= e.code < 400:
                    raise NetworkError(f"{self.url}: redirect (HTTP {e.code}) to {e.location} refused; "
                                       "give the endpoint's final URL") from None
                if e.code == 400:
                    msg = e.body_head.decode("utf-8", "replace").strip().splitlines()
                    raise QueryError(f"{self.url} rejected the query: HTTP 400 {msg[0] if msg else e.reason}") from None
                # SPARQLWrapper does not honour 429/Retry-After; polite clients must (Wikidata bans others).
                wait = e.retry_after
                if e.code in (429, 503) and wait is not None and wait <= remote.MAX_RETRY_AFTER \
                        and attempt < self.retries:
                    time.sleep(wait)
                    continue
                detail = ""
                if e.code >= 500:  # the server's own first line says why (Virtuoso: "Virtuoso 37000 Error SQ156: ...")
                    first = e.body_head.decode("utf-8", "replace").strip().splitlines()
                    detail = f": {' '.join(first[0].split())[:200]}" if first else ""
                raise NetworkError(f"{self.url}: HTTP {e.code} {e.reason}{detail}") from None
        raise NetworkError(f"{self.url}: gave up after {self.retries + 1} attempts")


def _with_prefixes(sparql: str) -> str:
    """Declare the project prefixes in front, as the local store does with `prefixes=`; declarations in the
    query itself come later and win."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + sparql


def _check_syntax(sparql: str, line_offset: int = 0) -> None:
    check_query(sparql, allow_service=True)  # the endpoint, not jasic-kg, runs a SERVICE clause
    if _SERVICE.search(unescape_codepoints(code_text(sparql))):
        return  # checking means evaluating on an empty store, which would contact the SERVICE host from here
    def parse() -> None:
        Store().query(sparql)  # the result object must die on this thread (pyoxigraph results are unsendable)

    try:
        run_native(parse)
    except SyntaxError as e:
        raise QueryError(sparql_error(e, sparql, line_offset)) from None


LOCAL_QUERY_TIMEOUT = 300.0  # seconds; the CLI's --timeout changes it


# --- factory ----------------------------------------------------------------------------------------------

def shipped_files(*, shapes: bool = False) -> list[Path]:
    files = resources.graph_files()
    if shapes:
        files += resources.shape_files()
    return files


def open_store(endpoint: str | None = None, data: Iterable[str | os.PathLike] = (), *, shipped: bool = True,
               shapes: bool = False, max_bytes: int = DEFAULT_MAX_BYTES, cache: bool | None = None,
               timeout: float = 60.0, allow_service: bool = False,
               local_timeout: float | None = LOCAL_QUERY_TIMEOUT, allow_contexts: Sequence[str] = ()) -> GraphStore:
    """The graph a command works on: an endpoint, or the shipped graph (+ shapes) plus the user's files.
    `timeout` bounds endpoint requests, `local_timeout` each local query; SERVICE runs only if allowed, and a
    JSON-LD file's remote contexts are fetched only under the `allow_contexts` prefixes."""
    data = list(data)
    if endpoint:
        if data:
            raise InputError("--data and --endpoint cannot be combined (load the files into the endpoint)")
        return EndpointStore(endpoint, timeout=timeout, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    return LocalStore([Path(p) for p in data], shipped=shipped_files(shapes=shapes) if shipped else [],
                      max_bytes=max_bytes, cache=cache, allow_service=allow_service, timeout=local_timeout,
                      allow_contexts=allow_contexts)


__all__ = ["GraphStore", "LocalStore", "EndpointStore", "open_store", "inject_values"]
