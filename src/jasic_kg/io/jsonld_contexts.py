"""JSON-LD context references, resolved under the toolkit's access rules before pyoxigraph parses a file.

pyoxigraph's JSON-LD parser has no document loader: a "@context" or "@import" that names another document is an
error there. JSON-LD copied from the web often names its context, so jasic-kg resolves the references itself and
gives the parser one document with every context inlined, under these rules:

- a context file in the input's own folder (a relative reference or a file: IRI) is read;
- a file anywhere else is refused: a document must not make the toolkit read files the user did not give it;
- an http(s) context is fetched only when its IRI is under a prefix the user allowed (``--allow-context``), and
  every redirect must stay under an allowed prefix too; anything else is refused before any connection is made.

Inlining follows JSON-LD 1.1 context processing: a referenced context's own "@context" value replaces the
reference, its relative references resolve against its own location, its "@base" is dropped (remote contexts
may not set the base), and "@import" merges the imported definitions under the importing context's own.
"""

from __future__ import annotations

import json
import re
import urllib.parse
import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

from jasic_kg.errors import InputError
from jasic_kg.io.limits import MAX_NESTING

MAX_CONTEXT_BYTES = 1024 * 1024  # one context document


def _shipped_context() -> Path:
    from jasic_kg.io.resources import CONTEXT_FILE

    return CONTEXT_FILE


# Context IRIs the toolkit answers itself (the IRI export writes is jasic_kg.export.CONTEXT_URL).
SHIPPED_CONTEXTS = {"https://w3id.org/jasic-kg/context.jsonld": _shipped_context}
MAX_CONTEXT_DEPTH = 8  # contexts that name contexts
MAX_CONTEXT_DOCUMENTS = 64  # distinct context documents per input file
FETCH_TIMEOUT = 30.0

# Cheap test on the raw bytes: could this file name a context document at all? False positives only cost a JSON
# parse; a reference hidden from it (say "\u0040context") reaches pyoxigraph, which refuses it without fetching.
_MAY_REFERENCE = re.compile(rb'"@(?:context|import)"\s*:\s*(?:"|\[[^\]]*")')
_PREFIX = re.compile(r"^https?://[^/\s?#]+(?:/\S*)?$")


def check_allowed_prefixes(prefixes: Sequence[str]) -> list[str]:
    """--allow-context values must be http(s) IRIs with a host: 'https://' alone would allow the whole web."""
    out = []
    for p in prefixes:
        if not _PREFIX.match(p):
            raise InputError(f"--allow-context needs an http(s) IRI prefix with a host, e.g. https://example.org/ "
                             f"(got {p!r})")
        out.append(p)
    return out


def is_allowed(url: str, prefixes: Sequence[str]) -> bool:
    """Under a prefix: the same scheme, host and port, and the prefix's path segments first in the URL's path
    ('https://a.org/ctx' allows 'https://a.org/ctx/v1', not 'https://a.org/ctx-evil'). Compared on the parsed,
    normalised URL: dot segments are removed first (RFC 3986 section 5.2.4), so 'PREFIX/../evil' is judged as
    the '/evil' a server would serve, and a path with encoded dots, slashes or backslashes ('%2e%2e/', '..%2f')
    is refused outright, since servers decode those differently."""
    target = _parts(url)
    return target is not None and any(_under(target, _parts(p)) for p in prefixes)


_ENCODED_SEPARATOR = re.compile(r"%(?:2e|2f|5c)|\\", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _parts(url: str):
    """(scheme, host, port, path segments, ends with '/') of an http(s) URL, or None if it cannot be judged."""
    try:
        u = urllib.parse.urlsplit(url)
        port = u.port or _DEFAULT_PORTS.get(u.scheme.lower())
    except ValueError:
        return None
    if u.scheme.lower() not in _DEFAULT_PORTS or not u.hostname or _ENCODED_SEPARATOR.search(u.path):
        return None
    path = _remove_dot_segments(u.path or "/")
    return u.scheme.lower(), u.hostname.lower(), port, [s for s in path.split("/") if s], path.endswith("/")


def _under(target, prefix) -> bool:
    if prefix is None or target[:3] != prefix[:3]:
        return False
    segments, prefix_segments = target[3], prefix[3]
    return segments[:len(prefix_segments)] == prefix_segments


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4."""
    out: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if path.endswith(("/.", "/..")):
        out.append("")
    return "/".join(out) if out and out[0] == "" else "/" + "/".join(out)


def inline_contexts(path: Path, data: bytes, allow: Sequence[str] = (), timeout: float = FETCH_TIMEOUT) -> bytes | None:
    """The JSON-LD document `data` (read from `path`) with every referenced context inlined, or None when it
    names none (the caller then parses the file as it is). Raises InputError for a refused or broken context,
    NetworkError when an allowed context cannot be fetched."""
    if not _MAY_REFERENCE.search(data):
        return None
    # json and the walk below recurse once per level: make room for the nesting check_file allows
    # (MAX_NESTING levels), so a deep but permitted document is resolved, not an internal error.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3 * MAX_NESTING + 1000))
    try:
        try:
            doc = json.loads(data)
        except ValueError:
            return None  # not JSON: the parser reports it with its line and column
        resolver = _Resolver(path, list(allow), timeout)
        new = resolver.document(doc, path.resolve().as_uri())
        if not resolver.loaded:
            return None
        return json.dumps(new, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise InputError("JSON nested too deeply to resolve its contexts", path) from None
    finally:
        sys.setrecursionlimit(limit)


class _Resolver:
    def __init__(self, path: Path, allow: list[str], timeout: float):
        self.path = path
        self.folder = path.resolve().parent
        self.allow = allow
        self.timeout = timeout
        self.loaded: dict[str, object] = {}  # context IRI -> its "@context" value

    def fail(self, message: str) -> InputError:
        return InputError(message, self.path)

    # The document body: every "@context" entry of every node object.
    def document(self, node, base: str):
        if isinstance(node, list):
            return [self.document(x, base) for x in node]
        if isinstance(node, dict):
            return {k: (self.context(v, base, ()) if k == "@context" else self.document(v, base))
                    for k, v in node.items()}
        return node

    # A context value: a reference, an object, or an array of both.
    def context(self, value, base: str, chain: tuple[str, ...]):
        if isinstance(value, str):
            url, ctx = self.load(value, base, chain)
            return self.context(ctx, url, chain + (url,))
        if isinstance(value, list):
            out = []
            for item in value:
                resolved = self.context(item, base, chain)
                out.extend(resolved if isinstance(resolved, list) else [resolved])
            return out
        if isinstance(value, dict):
            out = {}
            imports = isinstance(value.get("@import"), str)  # any other @import value is the parser's to refuse
            if imports:
                url, ctx = self.load(value["@import"], base, chain)
                imported = self.context(ctx, url, chain + (url,))
                if not isinstance(imported, dict):
                    raise self.fail(f"JSON-LD @import {value['@import']!r} must name a single context object")
                out.update(imported)
            for term, definition in value.items():
                if term == "@import" and imports:
                    continue
                if isinstance(definition, dict) and "@context" in definition:  # a scoped context
                    definition = dict(definition, **{"@context": self.context(definition["@context"], base, chain)})
                out[term] = definition
            return out
        return value  # null or an invalid value: the parser reports it

    def load(self, ref: str, base: str, chain: tuple[str, ...]) -> tuple[str, object]:
        try:
            url = urljoin(base, ref)
            scheme = urlsplit(url).scheme.lower()
        except ValueError as e:  # e.g. "http://[bad": urllib refuses it
            raise self.fail(f"JSON-LD context {ref!r} is not a valid IRI ({e})") from None
        if url in chain:
            raise self.fail(f"JSON-LD context loop: {ref!r} includes itself")
        if len(chain) >= MAX_CONTEXT_DEPTH:
            raise self.fail(f"JSON-LD contexts nested more than {MAX_CONTEXT_DEPTH} documents deep")
        if url not in self.loaded:
            if len(self.loaded) >= MAX_CONTEXT_DOCUMENTS:
                raise self.fail(f"more than {MAX_CONTEXT_DOCUMENTS} JSON-LD context documents")
            if url in SHIPPED_CONTEXTS:  # the project's own context, by its IRI: the shipped copy, no network
                raw = SHIPPED_CONTEXTS[url]().read_bytes()
            elif scheme == "file":
                raw = self.read_local(url, ref)
            elif scheme in ("http", "https"):
                raw = self.fetch(url)
            else:
                raise self.fail(f"JSON-LD context {ref!r} is not read (only files in the input's folder and "
                                "allowed http(s) prefixes)")
            try:
                doc = json.loads(raw)
            except ValueError as e:
                raise self.fail(f"JSON-LD context {url} is not JSON ({e})") from None
            if not isinstance(doc, dict) or "@context" not in doc:
                raise self.fail(f"JSON-LD context {url} has no top-level @context")
            self.loaded[url] = _without_base(doc["@context"])
        return url, self.loaded[url]

    def read_local(self, url: str, ref: str) -> bytes:
        try:
            target = Path(url2pathname(urlsplit(url).path)).resolve()
            if not target.is_relative_to(self.folder):
                # The message names the reference as written, never anything read from the target.
                raise self.fail(f"JSON-LD context {ref!r} is outside the input's folder; refused (copy it next "
                                "to the file)")
            if not target.is_file():
                raise self.fail(f"JSON-LD context {ref!r}: no such file in the input's folder")
            if target.stat().st_size > MAX_CONTEXT_BYTES:
                raise self.fail(f"JSON-LD context {ref!r} is over {MAX_CONTEXT_BYTES} bytes")
            return target.read_bytes()
        except (OSError, ValueError) as e:  # a name too long, a NUL in it, unreadable
            raise self.fail(f"JSON-LD context {ref[:200]!r} cannot be read: {getattr(e, 'strerror', None) or e}") \
                from None

    def fetch(self, url: str) -> bytes:
        from jasic_kg.io import remote

        if not is_allowed(url, self.allow):
            raise self.fail(f"remote JSON-LD context {url} is not fetched (allow its prefix with --allow-context)")

        def follow(old: str, new: str) -> None:  # a redirect must stay under an allowed prefix too
            if not is_allowed(new, self.allow):
                raise self.fail(f"JSON-LD context {old} redirects to {new}, which is not under an allowed "
                                "prefix; not followed")

        request = urllib.request.Request(url, headers={"Accept": "application/ld+json, application/json;q=0.9",
                                                       "User-Agent": "jasic-kg"})
        try:
            return remote.read(request, timeout=self.timeout, max_bytes=MAX_CONTEXT_BYTES,
                               label=f"JSON-LD context {url}", follow=follow)
        except remote.ResponseTooLarge:
            raise self.fail(f"JSON-LD context {url} is over {MAX_CONTEXT_BYTES} bytes") from None


def _without_base(ctx):
    """A remote context may not set the document's base (JSON-LD 1.1, context processing step 5.7)."""
    if isinstance(ctx, dict):
        return {k: v for k, v in ctx.items() if k != "@base"}
    if isinstance(ctx, list):
        return [_without_base(c) for c in ctx]
    return ctx
