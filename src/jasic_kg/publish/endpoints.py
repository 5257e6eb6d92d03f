"""Where `push` sends what (the query, update and graph-store URLs of known servers) and with which
credentials (from the environment only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from jasic_kg.errors import InputError


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
