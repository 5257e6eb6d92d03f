"""HTTP for `push`: requests with no redirects, a deadline per request, a cap on answers, and basic, digest or
bearer auth."""

from __future__ import annotations

import time

from jasic_kg.publish.endpoints import Credentials

_MAX_RESPONSE = 2 * 1024 * 1024 * 1024  # a fetched graph (--verify) may be big; a COUNT answer is tiny


class HttpFailure(Exception):
    """A request that did not succeed: `status` is the HTTP status, or None when there was no answer."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.status = status


class Client:
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
        self.auth = NO_AUTH
        if credentials.token:
            self.session.headers["Authorization"] = f"Bearer {credentials.token}"

    def choose_auth(self, url: str) -> None:
        """Basic, unless the server asks for digest: a bodiless request reads its challenge first, so that no
        batch is uploaded twice."""
        if not self.credentials.user or self.auth is not NO_AUTH:
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
            raise HttpFailure(url, f"no answer within {self.timeout:g} s") from None
        except self.requests.RequestException as e:
            raise HttpFailure(url, _reason(e)) from None
        if 300 <= r.status_code < 400:
            raise HttpFailure(url, f"redirect (HTTP {r.status_code}) to {r.headers.get('Location', '?')} refused; "
                               "give the final URL", r.status_code)
        if r.status_code >= 400:
            first = body[:300].decode("utf-8", "replace").strip().splitlines()
            detail = f": {' '.join(first[0].split())[:200]}" if first and r.status_code not in (401, 403) else ""
            raise HttpFailure(url, f"HTTP {r.status_code} {r.reason}{detail}", r.status_code)
        return body

    def _read(self, r, url: str, deadline: float) -> bytes:
        chunks, size = [], 0
        for chunk in r.iter_content(65536):
            size += len(chunk)
            if size > _MAX_RESPONSE:
                raise HttpFailure(url, f"response larger than {_MAX_RESPONSE} bytes")
            if time.monotonic() > deadline:
                raise HttpFailure(url, f"no complete answer within {self.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

    def select(self, query_url: str, sparql: str, bindings: dict) -> list[dict]:
        """A SELECT on the query endpoint; parameters bound by a VALUES block of validated terms."""
        import json

        from jasic_kg.results import QueryResult
        from jasic_kg.sparql import inject_values

        body = self.send("POST", query_url, data={"query": inject_values(sparql, bindings)},
                         headers={"Accept": "application/sparql-results+json"})
        try:
            result = QueryResult.from_json(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise HttpFailure(query_url, f"malformed SPARQL JSON results ({e})") from None
        return [dict(zip(result.variables, row)) for row in result.rows]


def _no_auth(request):
    return request


NO_AUTH = _no_auth  # requests calls `auth(request)`: this one adds nothing


def _reason(e: Exception) -> str:
    """The innermost cause of a requests error, in a few words ("Connection refused", "Connection aborted")."""
    text = str(e)
    for marker in ("Connection refused", "Connection reset by peer", "Remote end closed connection",
                   "Connection aborted", "Broken pipe", "Name or service not known"):
        if marker in text:
            return {"Remote end closed connection": "the server closed the connection"}.get(marker, marker)
    return " ".join(text.split())[:200] or type(e).__name__
