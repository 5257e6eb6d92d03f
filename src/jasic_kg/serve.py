"""`jasic-kg serve`: the graph as a read-only SPARQL 1.1 endpoint with dereferenceable IRIs, kept warm in memory.

Two processes. Oxigraph's own server (the `oxigraph` package's binary) holds the graph in memory on an internal
loopback port and answers the SPARQL protocol; no protocol is written here. In front of it, a small standard-
library HTTP server on the public port:

- `/query` (GET and POST, SPARQL 1.1 Protocol section 2.1) is forwarded to Oxigraph after the project's own
  query checks (size, nesting, SERVICE unless allowed: sparql.check_query). SPARQL Update is refused (403): the
  endpoint is read-only. A query that does not finish within the timeout is stopped (503). Oxigraph streams its
  results, so an error met while streaming would reach a client as a 200 with a truncated body; the front reads
  the whole answer first and turns such a body into a 503. Answers are kept (the graph cannot change while
  served), so a repeated query costs only HTTP.
- `/id/<local>`, the path of `https://w3id.org/jasic-kg/id/<local>`, answers 303 See Other to a document about
  the entity chosen by the Accept header (HTML, Turtle or JSON-LD): the "303 URIs forwarding to different
  documents" recipe of the W3C note "Cool URIs for the Semantic Web" (section 4.3); the entity is not a document.
  `/doc/<local>.html|.ttl|.jsonld` are those documents.
- `/` and `/.well-known/void` (RFC 8615 and VoID section 7.2): the VoID and DCAT description (title, licence,
  creator, dump, endpoint) in HTML, Turtle or JSON-LD by content negotiation; `/dump.nt` the whole graph.

Oxigraph's read-write in-memory server is used (its read-only mode needs an on-disk store, 3-6 times slower
for queries that scan the graph; BENCHMARKS.md): the graph is loaded through its Graph Store endpoint, and the
front never forwards a write. Its internal port is on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import math
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from jasic_kg.errors import InputError, JasicError, NetworkError
from jasic_kg.terms import JID

DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT = 30.0  # seconds a query may run
STARTUP_TIMEOUT = 30.0  # seconds for the Oxigraph server to answer after it starts
MAX_REQUEST_BYTES = 1024 * 1024  # a query body (store.MAX_QUERY_BYTES) plus its form encoding
# Answers kept for repeated queries, least recently used dropped first: at most this many bytes in all (beside a
# graph of a million triples, which takes about 600 MB in Oxigraph), each at most a quarter of it.
KEPT_BYTES = 256 * 1024 * 1024
HTML = "text/html"
TURTLE = "text/turtle"
JSONLD = "application/ld+json"
NTRIPLES = "application/n-triples"
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


# --- the Oxigraph server ---------------------------------------------------------------------------------------

def oxigraph_executable() -> str:
    """The `oxigraph` binary installed beside this Python (the package's console script), else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise InputError("the Oxigraph server is not installed (pip install oxigraph, a dependency of jasic-kg)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child, before exec: the kernel sends it SIGTERM if jasic-kg dies, even by SIGKILL (Linux only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG = 1


class OxigraphProcess:
    """`oxigraph serve` in memory on a free loopback port, the graph loaded from an N-Triples file."""

    def __init__(self, timeout: float):
        self.port = None
        self.proc = None
        # Oxigraph's --timeout-s takes whole seconds: a backstop one second past the front's exact deadline.
        self.timeout_s = int(math.ceil(timeout)) + 1
        self._log = tempfile.TemporaryFile()

    def start(self, dump: Path) -> None:
        exe = oxigraph_executable()
        for _attempt in range(3):  # a free port can be taken between our probe and the child's bind
            self.port = _free_port()
            self.proc = subprocess.Popen(
                [exe, "serve", "--bind", f"127.0.0.1:{self.port}", "--timeout-s", str(self.timeout_s)],
                stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log, start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
            if self._wait_ready():
                break
            self.stop()
        else:
            raise NetworkError(f"the Oxigraph server did not start: {self._log_tail()}")
        self._load(dump)

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/")
                response = conn.getresponse()
                # ours, not another server that took the port first (the child then exits: polled above)
                if response.status == 200 and response.getheader("Server", "").startswith("Oxigraph"):
                    return self.proc.poll() is None
            time.sleep(0.05)
        return False

    def _load(self, dump: Path) -> None:
        """The whole graph into the default graph (SPARQL 1.1 Graph Store HTTP Protocol, section 5.5: POST)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        with dump.open("rb") as body:
            conn.request("POST", "/store?default", body=body,
                         headers={"Content-Type": NTRIPLES, "Content-Length": str(dump.stat().st_size)})
            response = conn.getresponse()
            text = response.read(2048).decode("utf-8", "replace").strip()
        if response.status not in (200, 201, 204):
            raise NetworkError(f"the Oxigraph server refused the graph: HTTP {response.status} {text}")

    def _log_tail(self) -> str:
        self._log.seek(0)
        lines = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {self.proc.returncode if self.proc else '?'}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self) -> None:
        """SIGTERM, and SIGKILL after 5 s: the child is never left running."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- the description of the dataset ----------------------------------------------------------------------------

def dataset_description(figures: dict, base: str, shipped_only: bool) -> bytes:
    """The stats VoID/DCAT description (stats.render_turtle) for the served graph: the dump and the endpoint are
    this server's URLs. The title, licence and creator are stated only when the graph is the shipped one alone."""
    from jasic_kg.stats import render_turtle

    s = dict(figures, dumps=[{"url": base + "/dump.nt", "media_type": NTRIPLES, "shipped": shipped_only}],
             sparql_endpoint=base + "/query", shipped_graph_only=shipped_only)
    return render_turtle(s)


def turtle_to_jsonld(turtle: bytes) -> bytes:
    from pyoxigraph import RdfFormat, parse

    from jasic_kg.export.exporters import serialize_triples

    return serialize_triples([q.triple for q in parse(turtle, RdfFormat.TURTLE)], "jsonld")


def _page(title: str, body: str) -> bytes:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>\n<body>\n{body}\n</body></html>\n").encode("utf-8")


def _link(value: dict) -> str:
    """A term of a describe() dict as HTML: entities of this graph link to their /id/ path."""
    if "value" in value:
        lang = f" <small>@{html.escape(value['language'])}</small>" if value.get("language") else ""
        return html.escape(value["value"]) + lang
    if value.get("blank_node"):
        return "<i>[blank node]</i>"
    iri, label = value["iri"], value.get("label")
    href = "/id/" + iri[len(JID):] if iri.startswith(JID) else iri
    text = html.escape(value["id"]) + (f" ({html.escape(label)})" if label else "")
    return f"<a href=\"{html.escape(href, quote=True)}\">{text}</a>"


def entity_html(d: dict) -> bytes:
    """The entity's page from describe()'s dict: the one HTML renderer (the static site's page can replace it)."""
    title = d.get("label") or d["entity"]["id"]
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p><code>{html.escape(d['entity']['iri'])}</code></p>"]
    if d["types"]:
        parts.append("<p>type: " + ", ".join(_link(t) for t in d["types"]) + "</p>")
    rows = [(n["property"], _link(n)) for n in d["names"]]
    rows += [(p["property"]["id"], ", ".join(_link(v) for v in p["values"])) for p in d["properties"]]
    if rows:
        parts.append("<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
                     + "</table>")
    if d["claims"]:
        parts.append(f"<h2>Claims ({len(d['claims'])})</h2>")
        for c in d["claims"]:
            quotes = "".join(f"<blockquote>{html.escape(q['value'])}</blockquote>" for q in c.get("quotes", []))
            voice = ", ".join(_link(v) for v in c.get("asserted_by", []))
            evidence = ", ".join(_link(v) for v in c.get("evidence_type", []))
            parts.append(f"<section><h3>{_link(c['claim'])}</h3>{quotes}"
                         f"<p>voice: {voice or '–'}; evidence: {evidence or '–'}</p></section>")
    if d["incoming"]:
        parts.append("<h2>Linked from</h2><ul>" + "".join(
            f"<li>{_link(i['subject'])} {html.escape(i['property']['id'])}</li>" for i in d["incoming"]) + "</ul>")
    local = d["entity"]["iri"][len(JID):]
    parts.append(f"<p>Also as <a href=\"/doc/{quote(local)}.ttl\">Turtle</a> and "
                 f"<a href=\"/doc/{quote(local)}.jsonld\">JSON-LD</a>.</p>")
    return _page(title, "\n".join(parts))


def void_html(turtle: bytes) -> bytes:
    """The dataset description as a page: its title, licence, creator, dump and endpoint, read back from the
    Turtle (one source of truth)."""
    from pyoxigraph import RdfFormat, Store

    store = Store()
    store.load(turtle, RdfFormat.TURTLE)
    row = {}
    for sol in store.query(
            "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX void: <http://rdfs.org/ns/void#> "
            "PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT ?title ?license ?creator ?triples ?dump ?endpoint "
            "WHERE { ?d a void:Dataset ; void:triples ?triples ; void:dataDump ?dump ; void:sparqlEndpoint ?endpoint "
            "OPTIONAL { ?d dcterms:title ?title } OPTIONAL { ?d dcterms:license ?license } "
            "OPTIONAL { ?d dcterms:creator/foaf:name ?creator } }"):
        row = {k: sol[k].value for k in ("title", "license", "creator", "triples", "dump", "endpoint") if sol[k]}

    def link(url):
        return f"<a href=\"{html.escape(url, quote=True)}\">{html.escape(url)}</a>"

    title = row.get("title", "A graph served by jasic-kg")
    items = [("triples", html.escape(row.get("triples", "?")))]
    if "license" in row:
        items.append(("licence", link(row["license"])))
    if "creator" in row:
        items.append(("creator", html.escape(row["creator"])))
    items += [("SPARQL endpoint", link(row.get("endpoint", "/query"))), ("dump", link(row.get("dump", "/dump.nt"))),
              ("this description", "<a href=\"/.well-known/void\">VoID</a> (Turtle or JSON-LD by content negotiation)")]
    body = f"<h1>{html.escape(title)}</h1>\n<table>" + "".join(
        f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in items) + "</table>"
    return _page(title, body)


# --- the front -------------------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes | Path  # a Path is streamed from the file (the dump: 145 MB at a million triples)
    headers: dict = field(default_factory=dict)


class Front:
    """What the public port answers; one instance per server, shared by the request threads."""

    def __init__(self, oxigraph: OxigraphProcess, base: str, dump: Path, *, timeout: float, allow_service: bool,
                 shipped_only: bool):
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
        return Answer(303, "text/plain; charset=utf-8", f"See /doc/{local}.{ext}\n".encode(),
                      {"Location": f"/doc/{quote(local)}.{ext}", "Vary": "Accept"})

    def document(self, local: str, ext: str) -> Answer:
        from jasic_kg.describe import describe, render_turtle

        if ext not in DOCUMENTS:
            return _text(404, "documents are .html, .ttl and .jsonld")
        if not self._exists(local):
            return _text(404, f"no entity {JID}{local} in the graph")
        d = describe(self.graph, JID + local)
        if ext == "html":
            return Answer(200, HTML + "; charset=utf-8", entity_html(d))
        turtle = render_turtle(d)
        if ext == "ttl":
            return Answer(200, TURTLE + "; charset=utf-8", turtle)
        return Answer(200, JSONLD, turtle_to_jsonld(turtle))

    def _exists(self, local: str) -> bool:
        from pyoxigraph import NamedNode

        if not _LOCAL.match(local):
            return False
        return self.graph.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": NamedNode(JID + local)}).boolean

    def void(self, accept: str) -> Answer:
        media = negotiate(accept, [HTML, TURTLE, JSONLD])
        if media is None:
            return _text(406, f"available: {HTML}, {TURTLE}, {JSONLD}")
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


def _text(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


_STREAM_ERRORS = ("The SPARQL operation has been cancelled",)


def _streamed_error(body: bytes, content_type: str) -> str | None:
    """The error Oxigraph appended to a 200 answer it could not finish, or None for a complete answer. JSON
    results are parsed (any break shows); other formats are checked for Oxigraph's cancellation message."""
    kind = content_type.split(";")[0].strip()
    if kind == "application/sparql-results+json":
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


def _make_handler(front: Front):
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
            if path.startswith("/id/"):
                return front.entity(unquote(path[4:]), accept)
            if path.startswith("/doc/"):
                local, _, ext = unquote(path[5:]).rpartition(".")
                return front.document(local, ext)
            if path in ("/", "/.well-known/void", "/void"):
                return front.void(accept)
            if path == "/dump.nt":
                return Answer(200, NTRIPLES, front.dump,
                              {"Content-Disposition": "attachment; filename=\"jasic-kg.nt\""})
            return _text(404, "not found: try /, /query, /id/<name>, /dump.nt")

        def log_message(self, format, *args):  # one access line per request on stderr, as http.server does
            sys.stderr.write(f"jasic-kg: {self.address_string()} {format % args}\n")

    return Handler


# --- the whole server ------------------------------------------------------------------------------------------

def parse_bind(bind: str, allow_non_loopback: bool = False) -> tuple[str, int]:
    """HOST:PORT (port 0: any free port). A non-loopback host needs `allow_non_loopback`: the graph and its
    endpoint would be open to the network."""
    import ipaddress

    host, sep, port = bind.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise InputError(f"--bind must be HOST:PORT (e.g. 127.0.0.1:7878), not {bind!r}")
    if host == "localhost":
        host = "127.0.0.1"
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        raise InputError(f"--bind takes an IP address, not {host!r}") from None
    if not loopback and not allow_non_loopback:
        raise InputError(f"{host} is not a loopback address: the endpoint would be open to the network "
                         "(add --allow-non-loopback to mean it)")
    return host, int(port)


class Terminated(Exception):
    """SIGTERM: a requested stop, exit 0."""


@contextlib.contextmanager
def serving(store, *, bind: str = DEFAULT_BIND, timeout: float = DEFAULT_TIMEOUT, allow_service: bool = False,
            allow_non_loopback: bool = False, shipped_only: bool = True):
    """Serve `store` (a LocalStore) until the block ends: yields the HTTP server (its `url`, `oxigraph_pid`);
    the caller runs serve_forever(). The Oxigraph child and the temporary folder are gone afterwards."""
    from pyoxigraph import DefaultGraph, RdfFormat

    host, port = parse_bind(bind, allow_non_loopback)
    folder = Path(tempfile.mkdtemp(prefix="jasic-kg-serve-"))
    oxigraph = OxigraphProcess(timeout)
    httpd = None
    try:
        dump = folder / "graph.nt"
        store.oxigraph.dump(str(dump), RdfFormat.N_TRIPLES, from_graph=DefaultGraph())
        triples = len(store.oxigraph)
        store = None  # the Oxigraph child holds the graph from here on: free this copy
        try:
            httpd = ThreadingHTTPServer((host, port), BaseHTTPRequestHandler)
        except OSError as e:
            raise InputError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
        httpd.daemon_threads = True
        oxigraph.start(dump)
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{httpd.server_address[1]}"
        front = Front(oxigraph, base, dump, timeout=timeout, allow_service=allow_service,
                      shipped_only=shipped_only)
        httpd.RequestHandlerClass = _make_handler(front)
        httpd.url = base
        httpd.triples = triples
        httpd.oxigraph_pid = oxigraph.pid
        httpd.front = front
        yield httpd
    finally:
        if httpd is not None:
            httpd.server_close()
        oxigraph.stop()
        shutil.rmtree(folder, ignore_errors=True)


def serve_forever(httpd) -> None:
    """Until Ctrl-C (KeyboardInterrupt, the CLI's exit 130) or SIGTERM (Terminated, exit 0)."""
    def on_term(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = ["serving", "serve_forever", "negotiate", "parse_bind", "entity_html", "Terminated"]
