"""What the public port of `jasic-kg serve` answers: SPARQL requests checked and forwarded to the Oxigraph child
(kept when they succeed), entity IRIs by content negotiation, the dataset description and the dump."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import socket
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from jasic_kg.errors import JasicError, NetworkError
from jasic_kg.serve.pages import NTRIPLES, dataset_description, entity_html, turtle_to_jsonld, void_html
from jasic_kg.terms import JID

MAX_REQUEST_BYTES = 1024 * 1024  # a query body (sparql.MAX_QUERY_BYTES) plus its form encoding
# Answers kept for repeated queries, least recently used dropped first: at most this many bytes in all (beside a
# graph of a million triples, which takes about 600 MB in Oxigraph), each at most a quarter of it.
KEPT_BYTES = 256 * 1024 * 1024
HTML = "text/html"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
DOCUMENTS = {"html": HTML, "ttl": TURTLE, "jsonld": JSONLD}  # /doc/<local>.<ext>
_LOCAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")  # an entity's slug (docs/model.md: readable, hyphens)



# --- content negotiation --------------------------------------------------------------------------------------

def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """The offered media type the Accept header prefers (RFC 9110 section 12.5.1): highest q, then the most
    specific range that matched, then the order of `offers`. None when nothing offered is acceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    best, best_key = None, None
    for index, offer in enumerate(offers):
        kind = offer.split("/")[0]
        matched = [(3 if m == offer else 2 if m == kind + "/*" else 1, q) for m, q in ranges
                   if m in (offer, kind + "/*", "*/*")]
        if not matched:
            continue
        specificity, q = max(matched)  # the most specific range decides (RFC 9110: "text/html;q=0" wins over */*)
        if q <= 0:
            continue
        key = (q, -index)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes | Path  # a Path is streamed from the file (the dump: 145 MB at a million triples)
    headers: dict = field(default_factory=dict)


class Front:
    """What the public port answers; one instance per server, shared by the request threads. `oxigraph` is
    the running child (server.OxigraphProcess): its port is where queries go."""

    def __init__(self, oxigraph, base: str, dump: Path, *, timeout: float, allow_service: bool,
                 shipped_only: bool, site: dict[str, Path] | None = None):
        from jasic_kg.store import EndpointStore

        self.oxigraph = oxigraph
        self.base = base
        self.dump = dump
        self.timeout = timeout
        self.allow_service = allow_service
        self.shipped_only = shipped_only
        # describe() and stats() speak SPARQL through the GraphStore interface: here to the Oxigraph server.
        self.graph = EndpointStore(f"http://127.0.0.1:{oxigraph.port}/query", timeout=max(timeout, 60.0))
        self._answers: OrderedDict = OrderedDict()
        self._kept_bytes = 0
        self._lock = threading.Lock()
        self._void: bytes | None = None
        self.site_files = site or {}  # a built site's files by URL path (pages.site_files), served as they are
        self._site = None  # jasic_kg.site.pages.Site over the served graph, once a page is asked for
        self._site_lock = threading.Lock()

    # /query -----------------------------------------------------------------------------------------------

    def sparql(self, method: str, query_string: str, content_type: str, body: bytes, accept: str) -> Answer:
        from jasic_kg.sparql import check_query

        params = parse_qs(query_string, keep_blank_values=True)
        kind = content_type.split(";")[0].strip().lower()
        if method == "POST":
            if kind == "application/x-www-form-urlencoded":
                for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            elif kind == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", "replace"))
            elif kind == "application/sparql-update":
                params.setdefault("update", []).append("")
            else:
                return _text(415, "a SPARQL POST is application/x-www-form-urlencoded or application/sparql-query")
        if "update" in params:
            return _text(403, "this endpoint is read-only: SPARQL Update is refused")
        queries = params.get("query", [])
        if len(queries) != 1:
            return _text(400, "give exactly one query parameter (SPARQL 1.1 Protocol, section 2.1)")
        query = queries[0]
        try:
            check_query(query, allow_service=self.allow_service)
        except JasicError as e:
            return _text(400, str(e).replace("--allow-service", "jasic-kg serve --allow-service"))
        graphs = [(k, v) for k in ("default-graph-uri", "named-graph-uri") for v in params.get(k, [])]
        key = (query, accept, tuple(graphs))
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                self._answers.move_to_end(key)
                return kept
        answer = self._forward(query, accept, graphs)
        if answer.status == 200 and len(answer.body) <= KEPT_BYTES // 4:
            with self._lock:  # the graph cannot change while served: an answer stays true
                if key not in self._answers:
                    self._answers[key] = answer
                    self._kept_bytes += len(answer.body)
                while self._kept_bytes > KEPT_BYTES:
                    _, dropped = self._answers.popitem(last=False)
                    self._kept_bytes -= len(dropped.body)
        return answer

    def _forward(self, query: str, accept: str, graphs: list) -> Answer:
        from urllib.parse import urlencode

        form = urlencode([("query", query), *graphs]).encode("utf-8")
        deadline = time.monotonic() + self.timeout
        conn = http.client.HTTPConnection("127.0.0.1", self.oxigraph.port, timeout=self.timeout)
        try:
            conn.request("POST", "/query", body=form, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": accept or "*/*"})
            response = conn.getresponse()
            chunks = []
            while True:
                if time.monotonic() > deadline:
                    return self._timed_out()
                chunk = response.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (socket.timeout, TimeoutError):
            return self._timed_out()
        except OSError as e:
            return _text(502, f"the Oxigraph server did not answer: {e}")
        finally:
            conn.close()
        body = b"".join(chunks)
        ctype = response.getheader("Content-Type", "application/octet-stream")
        if response.status != 200:
            return Answer(response.status, ctype, body)
        failure = _streamed_error(body, ctype)
        if failure is not None:
            if "cancelled" in failure:
                return self._timed_out()
            return _text(500, f"the query failed while its results were written: {failure}")
        return Answer(200, ctype, body)

    def _timed_out(self) -> Answer:
        return _text(503, f"query stopped: it did not finish within {self.timeout:g} s "
                          "(jasic-kg serve --timeout SECONDS)")

    # documents --------------------------------------------------------------------------------------------

    def entity(self, local: str, accept: str) -> Answer:
        """/id/<local>: 303 See Other to the document the client prefers (Cool URIs, section 4.3)."""
        if not self._exists(local):
            return _text(404, f"no entity {JID}{local} in the graph")
        media = negotiate(accept, [HTML, TURTLE, JSONLD])
        if media is None:
            return _text(406, f"available: {HTML}, {TURTLE}, {JSONLD}")
        ext = {v: k for k, v in DOCUMENTS.items()}[media]
        target = f"/doc/{quote(local)}.{ext}"
        if media == HTML and f"/id/{local}.html" in self.site_files:
            target = f"/id/{quote(local)}.html"  # the page of the built site (--site)
        return _see_other(target)

    def document(self, local: str, ext: str) -> Answer:
        from jasic_kg.describe import describe, render_turtle

        if ext not in DOCUMENTS:
            return _text(404, "documents are .html, .ttl and .jsonld")
        if not self._exists(local):
            return _text(404, f"no entity {JID}{local} in the graph")
        if ext == "html":
            page = self._site_page(JID + local)  # the static site's page; a plain one for IRIs the site skips
            return Answer(200, HTML + "; charset=utf-8",
                          page if page is not None else entity_html(describe(self.graph, JID + local)))
        turtle = render_turtle(describe(self.graph, JID + local))
        if ext == "ttl":
            return Answer(200, TURTLE + "; charset=utf-8", turtle)
        return Answer(200, JSONLD, turtle_to_jsonld(turtle))

    def _site_page(self, iri: str) -> bytes | None:
        from jasic_kg.site.build import render_entity_page
        from jasic_kg.site.pages import Site

        with self._site_lock:
            if self._site is None:  # built once, on the first page asked for (several scans of the graph)
                self._site = Site(self.graph)
        return render_entity_page(self._site, iri)

    def static(self, name: str) -> Answer:
        """The site's stylesheet and search script, which its pages link to (../static/NAME from /doc/)."""
        from jasic_kg.site.build import PACKAGE, STATIC_FILES

        if name not in STATIC_FILES:
            return _text(404, f"not found: /static/{name}")
        kind = "text/css" if name.endswith(".css") else "text/javascript"
        return Answer(200, kind + "; charset=utf-8", PACKAGE / "static" / name)

    def _exists(self, local: str) -> bool:
        from pyoxigraph import NamedNode

        if not _LOCAL.match(local):
            return False
        return self.graph.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": NamedNode(JID + local)}).boolean

    def void(self, accept: str) -> Answer:
        media = negotiate(accept, [HTML, TURTLE, JSONLD])
        if media is None:
            return _text(406, f"available: {HTML}, {TURTLE}, {JSONLD}")
        if media == HTML and "/index.html" in self.site_files:
            return _see_other("/index.html")  # the built site's home (--site)
        turtle = self.void_turtle()
        if media == TURTLE:
            return Answer(200, TURTLE + "; charset=utf-8", turtle, {"Vary": "Accept"})
        if media == JSONLD:
            return Answer(200, JSONLD, turtle_to_jsonld(turtle), {"Vary": "Accept"})
        return Answer(200, HTML + "; charset=utf-8", void_html(turtle), {"Vary": "Accept"})

    def void_turtle(self) -> bytes:
        if self._void is None:  # computed once, on first request (several scans of the graph)
            from jasic_kg.stats import stats

            self._void = dataset_description(stats(self.graph), self.base, self.shipped_only)
        return self._void


def _see_other(location: str) -> Answer:
    return Answer(303, "text/plain; charset=utf-8", f"See {location}\n".encode(), {"Location": location,
                                                                                   "Vary": "Accept"})


def _file(path: Path) -> Answer:
    import mimetypes

    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind in ("application/javascript", "image/svg+xml", "application/json")
    return Answer(200, kind + ("; charset=utf-8" if text else ""), path)


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


_STREAM_ERRORS = ("The SPARQL operation has been cancelled",)
# How whole SPARQL JSON results end: the last binding (or none) and the closing of bindings, results and the
# document; an ASK's boolean. A failure appends its message after the point where the writing stopped.
_WHOLE_JSON_END = re.compile(rb'(?:[}\[]\s*\]\s*\}\s*\}|"boolean"\s*:\s*(?:true|false)\s*\})\s*$')


def _streamed_error(body: bytes, content_type: str) -> str | None:
    """The error Oxigraph appended to a 200 answer it could not finish, or None for a complete answer. JSON
    results are parsed (any break shows); other formats are checked for Oxigraph's cancellation message."""
    kind = content_type.split(";")[0].strip()
    if kind == "application/sparql-results+json":
        if _WHOLE_JSON_END.search(body[-64:]):
            return None  # parsing it all only to find it whole took 0.24 s for 27 MB (30,000 rows)
        try:
            json.loads(body)
            return None
        except ValueError:
            tail = body[-300:].decode("utf-8", "replace")
            start = max(tail.rfind("["), tail.rfind(","), tail.rfind("{"))
            return " ".join(tail[start + 1:].split()) or "truncated JSON results"
    tail = body[-200:].decode("utf-8", "replace")
    for message in _STREAM_ERRORS:
        if tail.rstrip().endswith(message):
            return message
    return None


def make_handler(front: Front):
    class Handler(BaseHTTPRequestHandler):
        server_version = "jasic-kg"
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self._route("GET")

        def do_HEAD(self):
            self._route("HEAD")

        def do_POST(self):
            self._route("POST")

        def do_PUT(self):
            self._route("PUT")

        def do_DELETE(self):
            self._route("DELETE")

        def do_PATCH(self):
            self._route("PATCH")

        def _route(self, method: str) -> None:
            try:
                answer = self._answer(method)
            except NetworkError as e:
                answer = _text(502, f"the Oxigraph server did not answer: {e}")
            except JasicError as e:
                answer = _text(400, str(e))
            except Exception as e:  # a bug: one line to the client and the log, the server goes on
                answer = _text(500, f"internal error: {type(e).__name__}: {e}")
                sys.stderr.write(f"jasic-kg: internal error on {self.path}: {type(e).__name__}: {e}\n")
            streamed = isinstance(answer.body, Path)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(answer.body.stat().st_size if streamed else len(answer.body)))
            for k, v in answer.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if method == "HEAD":
                return
            if streamed:
                with answer.body.open("rb") as f:
                    shutil.copyfileobj(f, self.wfile, 1 << 20)
            else:
                self.wfile.write(answer.body)

        def _answer(self, method: str) -> Answer:
            url = urlsplit(self.path)
            path, accept = url.path, self.headers.get("Accept", "")
            if path in ("/update", "/store") or path.startswith("/store/"):
                return _text(403, "this endpoint is read-only: SPARQL Update and Graph Store writes are refused")
            if path == "/query":
                if method not in ("GET", "HEAD", "POST"):
                    return _text(405, "the SPARQL endpoint takes GET and POST")
                body = b""
                if method == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    if length > MAX_REQUEST_BYTES:
                        return _text(413, f"a request body is at most {MAX_REQUEST_BYTES} bytes")
                    body = self.rfile.read(length)
                return front.sparql(method, url.query, self.headers.get("Content-Type", ""), body, accept)
            if method not in ("GET", "HEAD"):
                return _text(405, "read-only: only GET and HEAD (and POST to /query)")
            if unquote(path) in front.site_files:
                return _file(front.site_files[unquote(path)])
            if path.startswith("/id/"):
                return front.entity(unquote(path[4:]), accept)
            if path.startswith("/doc/"):
                local, _, ext = unquote(path[5:]).rpartition(".")
                return front.document(local, ext)
            if path.startswith("/static/"):
                return front.static(path[len("/static/"):])
            if path in ("/", "/index.html", "/.well-known/void", "/void"):
                return front.void(accept)
            if path == "/dump.nt":
                return Answer(200, NTRIPLES, front.dump,
                              {"Content-Disposition": "attachment; filename=\"jasic-kg.nt\""})
            return _text(404, "not found: try /, /query, /id/<name>, /dump.nt")

        def log_message(self, format, *args):  # one access line per request on stderr, as http.server does
            sys.stderr.write(f"jasic-kg: {self.address_string()} {format % args}\n")

    return Handler


