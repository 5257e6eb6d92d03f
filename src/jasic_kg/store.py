"""The one place that knows whether the graph is local or behind a SPARQL endpoint.

Every command talks to a GraphStore: `query`, `construct`, `count`, `describe`, `quads`. LocalStore is a
pyoxigraph Store holding the shipped ontology, vocabulary and data plus the user's --data files; EndpointStore
sends the same SPARQL to a SPARQL 1.1 endpoint with SPARQLWrapper. `open_store` picks one.

Parameters are never pasted into query text: locally they are pyoxigraph substitutions (SEP-0007), remotely a
VALUES block built from validated RDF terms (pyoxigraph's term constructors validate IRIs and escape literals).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from pyoxigraph import (
    DefaultGraph, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, RdfFormat, Store, Triple,
    Variable, parse,
)

from jasic_kg.io import resources
from jasic_kg.errors import InputError, NetworkError, QueryError
from jasic_kg.io.rdfio import (
    DEFAULT_MAX_BYTES, check_file, load_graph, parser_input, rdf_format,
    run_native, write_bytes,
)
from jasic_kg.results import QueryResult
from jasic_kg.sparql import _SERVICE, _query_form, check_query, code_text, inject_values, sparql_error, unescape_codepoints
from jasic_kg.terms import PREFIXES

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Inputs at least this big get a cache entry: reading its dump back beats parsing and checking them again (the
# 0.5 MB shipped graph alone parses in a tenth of a second: not worth a file in the user's cache folder).
CACHE_MIN_BYTES = 2 * 1024 * 1024
_CACHE_FORMAT = b"jasic-kg store cache v3 (validated N-Quads dump, read into memory); pyoxigraph 0.5"
_CACHE_DUMP = "graph.nq"


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
        self._limits = [DEFAULT_MAX_BYTES] * len(shipped) + [max_bytes] * len(files)
        self.files = [check_file(f, limit, content=False) for f, limit in zip([*shipped, *files], self._limits)]
        # Resolved once: a JSON-LD file's allowed contexts are fetched here, not again for the cache or the load.
        formats = [rdf_format(path) for path in self.files]
        self._sources = [(path, fmt, parser_input(path, fmt, allow_contexts)) for path, fmt in zip(self.files, formats)]
        self.description = f"{len(self.files)} local file(s)"
        total = sum(f.stat().st_size for f in self.files)
        use_cache = cache if cache is not None else (total >= CACHE_MIN_BYTES and _cache_enabled())
        self._cached = False
        self._store = None
        if use_cache:
            try:
                self._store = self._open_cached(cache_dir)
                self._cached = True
            except _CacheUnavailable as e:  # the cache is an optimisation: never a reason to fail
                sys.stderr.write(f"jasic-kg: note: store cache not used ({e}); reading the files into memory\n")
        if self._store is None:
            self._store = self._load(Store())

    # Loading ---------------------------------------------------------------------------------------------

    def _load(self, store: Store, bulk: bool = False) -> Store:
        for path, limit in zip(self.files, self._limits):
            check_file(path, limit)  # the content checks, before any parser sees the file
        for path, fmt, source in self._sources:
            # bulk streams big files to disk; a plain load is transactional and faster for small ones.
            load_graph(store, path, fmt, source, bulk=bulk)
        return store

    def _open_cached(self, cache_dir) -> Store:
        """An in-memory store read from the cache entry of the inputs (keyed by their SHA-256): an unchanged big
        input is strictly parsed and checked once, then read back from a validated N-Quads dump (measured at a
        million triples: 1.5 s against 2.3 s for the strict parse and checks). Queries run in memory either way:
        an on-disk (RocksDB) store was 3-6 times slower for the queries that scan the graph, read-only or
        read-write (BENCHMARKS.md, "The store cache measured")."""
        key = hashlib.sha256(_CACHE_FORMAT)
        for path, fmt, source in self._sources:
            digest = hashlib.sha256(source["input"]).hexdigest() if "input" in source else _sha256_file(path)
            key.update(digest.encode() + str(fmt).encode())
        base = Path(cache_dir) if cache_dir else default_cache_dir()
        target = base / f"store-{key.hexdigest()[:32]}"
        if (target / ".complete").exists():
            try:
                return _read_dump(target)
            except (OSError, SyntaxError, ValueError):
                # a corrupt or truncated entry (a disk error, a hand edit): ours to rebuild
                shutil.rmtree(target, ignore_errors=True)
        try:
            base.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
        except OSError as e:
            raise _CacheUnavailable(f"{base}: {e.strerror or e}") from None
        try:
            store = self._load(Store())  # strict parse and content checks, once
            store.dump(str(tmp / _CACHE_DUMP), RdfFormat.N_QUADS)
            write_bytes(tmp / ".complete", f"{len(store)}\n".encode())  # the quad count, checked on every read
            try:
                os.replace(tmp, target)  # atomic: another process sees all or nothing
            except OSError:
                shutil.rmtree(tmp, ignore_errors=True)  # a concurrent builder won the race
        except (OSError, RuntimeError) as e:  # a full or read-only disk while building: memory instead
            shutil.rmtree(tmp, ignore_errors=True)
            raise _CacheUnavailable(f"{base}: {e}") from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return store

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
                return _from_pyoxigraph(res)  # evaluation happens here, while iterating
            except SyntaxError as e:
                raise QueryError(sparql_error(e, sparql)) from None
            except (OSError, RuntimeError) as e:
                raise QueryError(f"query failed: {' '.join(str(e).split())}") from None

        # A big-stack thread (pyoxigraph recurses; some legal queries overflow 8 MiB) and an optional deadline.
        return run_native(run, timeout=self.timeout)

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


def _from_pyoxigraph(res) -> QueryResult:
    if isinstance(res, QueryBoolean):
        return QueryResult("ask", boolean=bool(res))
    if isinstance(res, QuerySolutions):
        variables = [v.value for v in res.variables]
        return QueryResult("select", variables, [tuple(sol[v] for v in variables) for sol in res])
    return QueryResult("graph", triples=list(res))


def _read_dump(entry: Path) -> Store:
    """A cache entry into memory. lenient: the dump was written by pyoxigraph from strictly parsed input, so the
    IRI and literal validation is skipped (a third faster); the quad count guards against a damaged file."""
    expected = int((entry / ".complete").read_text().strip() or -1)
    store = Store()
    store.load(path=str(entry / _CACHE_DUMP), format=RdfFormat.N_QUADS, lenient=True)
    if len(store) != expected:
        raise ValueError(f"{entry}: {len(store)} quads, {expected} expected")
    return store


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _CacheUnavailable(Exception):
    """The on-disk store cache cannot be used here (no writable folder, a failed build); the caller reads the
    files into memory instead."""


def _cache_enabled() -> bool:
    return os.environ.get("JASIC_KG_CACHE", "1") not in ("0", "no", "false")


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jasic-kg"


# --- endpoint ---------------------------------------------------------------------------------------------

USER_AGENT = "jasic-kg/{version} (https://w3id.org/jasic-kg; linked-data toolkit)"
_MAX_RETRY_AFTER = 30  # seconds we are willing to wait when an endpoint answers 429/503 with Retry-After


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
        import json

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
                doc = json.loads(raw)
                if not isinstance(doc, dict):
                    raise ValueError(f"expected a JSON object, got {type(doc).__name__}")
                return QueryResult.from_json(doc)
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
        import urllib.error

        from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        from jasic_kg import __version__

        client = SPARQLWrapper(self.url, agent=USER_AGENT.format(version=__version__))
        client.setMethod(POST)
        # setTimeout() truncates to int, so 0.5 s became 0 = no timeout at all; urlopen takes the float as given
        client.timeout = self.timeout
        client.setReturnFormat(JSON if fmt == "json" else TURTLE)
        client.setQuery(sparql)
        if self.default_graph:
            client.addDefaultGraph(self.default_graph)
        for attempt in range(self.retries + 1):
            try:
                # our opener, not urlopen's: it refuses redirects (urllib would follow a 302 as a GET and drop
                # the query, even to another host or port)
                response = _no_redirect_opener().open(client._createRequest(), timeout=self.timeout)
                return _read_capped(response, self.url, self.timeout, self.max_bytes)
            except urllib.error.HTTPError as e:
                if 300 <= e.code < 400:
                    target = e.headers.get("Location", "?") if e.headers else "?"
                    raise NetworkError(f"{self.url}: redirect (HTTP {e.code}) to {target} refused; "
                                       "give the endpoint's final URL") from None
                if e.code == 400:
                    msg = e.read(2048).decode("utf-8", "replace").strip().splitlines()
                    raise QueryError(f"{self.url} rejected the query: HTTP 400 {msg[0] if msg else e.reason}") from None
                # SPARQLWrapper does not honour 429/Retry-After; polite clients must (Wikidata bans others).
                wait = _retry_after(e)
                if e.code in (429, 503) and wait is not None and attempt < self.retries:
                    time.sleep(wait)
                    continue
                detail = ""
                if e.code >= 500:  # the server's own first line says why (Virtuoso: "Virtuoso 37000 Error SQ156: ...")
                    first = e.read(2048).decode("utf-8", "replace").strip().splitlines()
                    detail = f": {' '.join(first[0].split())[:200]}" if first else ""
                raise NetworkError(f"{self.url}: HTTP {e.code} {e.reason}{detail}") from None
            except SPARQLWrapperException as e:
                # 400 Bad Request: the endpoint rejected the query (local syntax check passed: dialect issue).
                msg = str(e).splitlines()[0]
                if "QueryBadFormed" in type(e).__name__ or "400" in msg:
                    raise QueryError(f"{self.url} rejected the query: {msg}") from None
                raise NetworkError(f"{self.url}: {msg}") from None
            except (urllib.error.URLError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise NetworkError(f"{self.url}: {reason}") from None
        raise NetworkError(f"{self.url}: gave up after {self.retries + 1} attempts")


def _no_redirect_opener():
    import urllib.request

    class RefuseRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # urllib then raises the 3xx as an HTTPError

    return urllib.request.build_opener(RefuseRedirects)


def _read_capped(response, url: str, timeout: float, max_bytes: int) -> bytes:
    """The whole body within `timeout` seconds in total and at most `max_bytes`: a socket timeout bounds
    each read only, so a body trickled at 1 byte/s would otherwise never end."""
    import time

    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise NetworkError(f"{url}: no complete response within {timeout:g} s")
        chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise NetworkError(f"{url}: response larger than {max_bytes} bytes")
        chunks.append(chunk)


def _retry_after(err) -> float | None:
    value = err.headers.get("Retry-After") if getattr(err, "headers", None) else None
    try:
        wait = float(value)
    except (TypeError, ValueError):
        return None
    return wait if 0 <= wait <= _MAX_RETRY_AFTER else None


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
