"""A polite SPARQL client for public endpoints such as Wikidata's query service.

SPARQLWrapper builds the request (query encoding, Accept header, GET or POST); the HTTP exchange is ours, because
SPARQLWrapper's timeout bounds each socket operation only, it follows redirects and it knows nothing of 429 or
Retry-After. So, for every request:

- a descriptive User-Agent naming the project and a contact (Wikidata refuses anonymous clients);
- one request at a time (no pool; each exchange runs on one worker thread of io.remote.read); callers batch
  items with VALUES;
- GET for short queries (cacheable by the service), POST once the URL would grow long;
- a total deadline (`timeout` seconds for the whole exchange, connect and headers included) and a byte cap:
  io.remote.read, the toolkit's one network read, because SPARQLWrapper's own read has neither;
- 429 and 503 are retried after the Retry-After the server asks for (seconds or an HTTP date), at most
  `max_wait` seconds each, at most `retries` times; 502 and 504 are retried after a capped exponential backoff;
  any other HTTP error, a body that is not SPARQL JSON results, or a request past its deadline is a NetworkError
  (exit 3) with one line;
- redirects are refused (a 30x would turn a POST into a GET and may leave the host): give the final URL;
- answers are cached on disk (the project's cache folder, `sparql/`, keyed by a hash of the endpoint and the
  query) for `max_age` seconds; `use_cache=False` (`--no-cache`) neither reads nor writes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jasic_kg.errors import InputError, NetworkError, QueryError
from jasic_kg.io.remote import retry_after  # (re-exported: the client's callers and tests use it here)
from jasic_kg.results import QueryResult

WIKIDATA = "https://query.wikidata.org/sparql"
# The project's public address (its IRI base) and where to report problems: no personal address is invented.
CONTACT = "https://w3id.org/jasic-kg"
BATCH_SIZE = 50  # items per VALUES block: Wikidata's examples batch tens to a few hundred
POST_OVER = 1500  # characters of query text above which a GET URL gets long: use POST
_RETRY_STATUSES = {429, 503}  # "slow down": wait as long as the server says
_BACKOFF_STATUSES = {502, 504}  # a gateway hiccup: wait a little, try again


def user_agent(contact: str | None = None) -> str:
    from jasic_kg import __version__

    return f"jasic-kg/{__version__} ({contact or CONTACT}; linked-data toolkit) SPARQLWrapper"


@dataclass
class SparqlClient:
    endpoint: str = WIKIDATA
    timeout: float = 60.0  # seconds for one whole response (Wikidata stops queries at 60 s)
    max_bytes: int = 50 * 1024 * 1024
    retries: int = 3
    max_wait: float = 60.0  # the longest Retry-After (or backoff) we sleep through
    use_cache: bool = True
    max_age: float = 24 * 3600.0
    cache_dir: Path | None = None
    contact: str | None = None
    sleep: Callable[[float], None] = time.sleep
    requests_sent: int = field(default=0, init=False)  # what reached the network (cache hits are not counted)

    def __post_init__(self):
        import re

        if not re.match(r"^https?://[^\s/]+\S*$", self.endpoint or ""):
            raise InputError(f"endpoint must be an http(s) URL: {self.endpoint!r}")
        if self.contact is not None and (not self.contact.strip() or not self.contact.isprintable()):
            raise InputError(f"--contact must be one printable line: {self.contact!r}")
        if self.cache_dir is None:
            from jasic_kg.cache import default_cache_dir

            self.cache_dir = default_cache_dir() / "sparql"
        if os.environ.get("JASIC_KG_CACHE", "1") in ("0", "no", "false"):
            self.use_cache = False

    # --- queries ------------------------------------------------------------------------------------------

    def select(self, sparql: str) -> QueryResult:
        """A SELECT (or ASK) query's results, from the cache when a fresh answer is there."""
        _check_syntax(sparql)
        key = self._cache_key(sparql)
        raw = self._cached(key)
        if raw is None:
            raw = self._send(sparql)
            result = self._parse(raw)
            self._store(key, raw)
            return result
        return self._parse(raw)

    def select_batched(self, template: str, terms: Sequence[str], progress: Callable[[int, int], None] | None = None,
                       var: str = "item", expect: Sequence[str] = (), batch_size: int = BATCH_SIZE) -> QueryResult:
        """Run `template` once per batch of `terms` (SPARQL terms already written by `iris` or `literal`), its
        `VALUES ?var {}` placeholder filled with the batch, and concatenate the rows, as columns `expect` (an
        answer without one of them is a NetworkError). One request at a time; `progress(done, total)` before the
        first request and after each."""
        placeholder = f"VALUES ?{var} {{}}"
        if placeholder not in template:
            raise ValueError(f"the template needs a {placeholder!r} placeholder")
        terms = list(dict.fromkeys(terms))
        batches = [terms[i:i + batch_size] for i in range(0, len(terms), batch_size)]
        variables, rows = list(expect), []
        if progress:
            progress(0, len(batches))
        for n, batch in enumerate(batches, 1):
            result = self.select(template.replace(placeholder, f"VALUES ?{var} {{ {' '.join(batch)} }}"))
            missing = [v for v in variables if v not in result.variables]
            if missing:
                raise NetworkError(f"{self.endpoint}: the answer has no ?{missing[0]} column (not SPARQL results "
                                   "for the query sent)")
            variables = variables or result.variables
            cols = [result.variables.index(v) for v in variables]
            rows += [tuple(row[c] for c in cols) for row in result.rows]
            if progress:
                progress(n, len(batches))
        return QueryResult("select", variables, rows)

    # --- HTTP ---------------------------------------------------------------------------------------------

    def _request(self, sparql: str):
        from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper

        wrapper = SPARQLWrapper(self.endpoint, agent=user_agent(self.contact))
        wrapper.setReturnFormat(JSON)
        wrapper.setMethod(POST if len(sparql) > POST_OVER else GET)
        wrapper.setQuery(sparql)
        return wrapper._createRequest()  # urllib Request: URL, method, headers and body as SPARQLWrapper builds them

    def _send(self, sparql: str) -> bytes:
        from jasic_kg.io import remote

        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            self.requests_sent += 1
            try:
                # the toolkit's one network read: a total deadline (connect included), the byte cap, no redirects
                return remote.read(self._request(sparql), timeout=self.timeout, max_bytes=self.max_bytes,
                                   label=self.endpoint)
            except remote.HTTPStatusError as e:
                wait = self._wait_for(e, attempt)
                if wait is None or last:
                    raise NetworkError(self._describe(e, last)) from None
                self.sleep(wait)
        raise AssertionError("unreachable")  # the loop returns or raises

    def _wait_for(self, err, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when this error is not worth retrying."""
        if err.code in _RETRY_STATUSES:
            asked = retry_after(err.headers.get("Retry-After") if err.headers else None)
            if asked is None:
                return min(2.0 ** attempt, self.max_wait)
            return asked if asked <= self.max_wait else None
        if err.code in _BACKOFF_STATUSES:
            return min(2.0 ** attempt, self.max_wait)
        return None

    def _describe(self, err, last: bool) -> str:
        where = self.endpoint
        if 300 <= err.code < 400:
            target = err.headers.get("Location", "?") if err.headers else "?"
            return f"{where}: redirect (HTTP {err.code}) to {target} refused; give the endpoint's final URL"
        if err.code == 400:
            first = (err.body_head.decode("utf-8", "replace").strip().splitlines() or [err.reason])[0]
            raise QueryError(f"{where} rejected the query: HTTP 400 {first}")
        if err.code in _RETRY_STATUSES:
            asked = retry_after(err.headers.get("Retry-After") if err.headers else None)
            if asked is not None and asked > self.max_wait:
                return (f"{where}: HTTP {err.code} {err.reason}: the endpoint asks to wait {asked:g} s, longer than "
                        f"{self.max_wait:g} s; try again later")
        tries = f" after {self.retries + 1} attempts" if last and err.code in _RETRY_STATUSES | _BACKOFF_STATUSES else ""
        return f"{where}: HTTP {err.code} {err.reason}{tries}"

    def _parse(self, raw: bytes) -> QueryResult:
        try:
            doc = json.loads(raw)
            if not isinstance(doc, dict) or not ("boolean" in doc or isinstance(doc.get("results"), dict)):
                raise ValueError("no 'results' or 'boolean' member")
            return QueryResult.from_json(doc)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
            snippet = raw[:60].decode("utf-8", "replace").replace("\n", " ")
            raise NetworkError(f"{self.endpoint}: the answer is not SPARQL JSON results ({e}; it starts "
                               f"{snippet!r})") from None

    # --- cache --------------------------------------------------------------------------------------------

    def _cache_key(self, sparql: str) -> str:
        return hashlib.sha256(f"{self.endpoint}\n{sparql}".encode()).hexdigest()

    def _cached(self, key: str) -> bytes | None:
        if not self.use_cache:
            return None
        path = self.cache_dir / f"{key}.json"
        try:
            if time.time() - path.stat().st_mtime > self.max_age:
                return None
            return path.read_bytes()
        except OSError:
            return None

    def _store(self, key: str, raw: bytes) -> None:
        if not self.use_cache:
            return
        from jasic_kg.io.atomic import write_bytes

        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            write_bytes(self.cache_dir / f"{key}.json", raw)
        except (OSError, InputError):
            pass  # a cache that cannot be written costs a request next time, nothing more


def _iri(value: str) -> str:
    from pyoxigraph import NamedNode

    try:
        return str(NamedNode(value))  # validated and written <...>: never pasted raw into the query
    except ValueError as e:
        raise InputError(f"not an IRI: {value!r} ({e})") from None


def _check_syntax(sparql: str) -> None:
    from jasic_kg.sparql import check_query

    check_query(sparql, allow_service=True)


def literal(text: str, language: str | None = None) -> str:
    """A SPARQL literal, escaped by pyoxigraph (user and graph text never enters a query unescaped)."""
    from pyoxigraph import Literal

    return str(Literal(text, language=language) if language else Literal(text))


def iris(values: Iterable[str]) -> str:
    return " ".join(_iri(v) for v in values)


def iri_terms(values: Iterable[str]) -> list[str]:
    return [_iri(v) for v in values]
