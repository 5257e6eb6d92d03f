"""One remote-read function for every network read (issue 9, item 4): the deadline is total, connect and
headers included, for endpoints and JSON-LD contexts alike; Retry-After is honoured in both of its forms.
Servers are raw sockets on 127.0.0.1 (port 0); every test is bounded in time."""

from __future__ import annotations

import email.utils
import http.server
import socket
import threading
import time

import pytest

from jasic_kg.errors import NetworkError
from jasic_kg.io.jsonld_contexts import inline_contexts
from jasic_kg.io.remote import MAX_RETRY_AFTER, retry_after
from jasic_kg.store import EndpointStore
from tests.servers import serve_in_thread

SELECT = "SELECT * WHERE { ?s ?p ?o }"


@pytest.fixture
def trickled_headers():
    """Accepts, then sends a status line and a header one byte every 0.2 s for 10 s: each read returns quickly,
    the headers never end in time (a deadline that starts after the headers never fires)."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    def trickle(conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(50):
                    if stop.is_set():
                        return
                    conn.sendall(b"a")
                    time.sleep(0.2)
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    listener.close()


@pytest.fixture
def never_accepts():
    """A listening socket whose queue is full and that never accepts: a connect never completes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(4):  # fill the accept queue (its length is backlog + 1 on Linux)
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(listener.getsockname())
        fillers.append(s)
    time.sleep(0.2)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    for s in fillers:
        s.close()
    listener.close()


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_endpoint_headers_trickled_end_at_the_total_deadline(trickled_headers):
    start = time.monotonic()
    with pytest.raises(NetworkError) as err:
        EndpointStore(trickled_headers + "/sparql", timeout=1).query(SELECT)
    assert str(err.value) == f"{trickled_headers}/sparql: no response within 1 s"  # not even the headers
    assert time.monotonic() - start < 2


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_jsonld_context_headers_trickled_end_at_the_total_deadline(trickled_headers, tmp_path):
    doc = tmp_path / "doc.jsonld"
    data = b'{"@context": "%s/ctx.jsonld", "@id": "http://example.org/s"}' % trickled_headers.encode()
    doc.write_bytes(data)
    start = time.monotonic()
    with pytest.raises(NetworkError) as err:
        inline_contexts(doc, data, [trickled_headers + "/"], timeout=1)
    assert str(err.value) == f"JSON-LD context {trickled_headers}/ctx.jsonld: no response within 1 s"
    assert time.monotonic() - start < 2


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_a_connect_that_never_completes_ends_at_the_deadline(never_accepts):
    start = time.monotonic()
    with pytest.raises(NetworkError) as err:
        EndpointStore(never_accepts + "/sparql", timeout=1).query(SELECT)
    assert time.monotonic() - start < 2
    assert str(err.value).startswith(f"{never_accepts}/sparql: ")
    assert str(err.value) == f"{never_accepts}/sparql: no response within 1 s"


def _busy_then_ok(wait_header):
    """503 with a Retry-After header first, then a SELECT result."""
    calls = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            calls.append(time.monotonic())
            if len(calls) == 1:
                self.send_response(503)
                self.send_header("Retry-After", wait_header())
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = serve_in_thread(Handler)
    return server, calls


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_retry_after_in_both_forms_is_honoured(form):
    """The endpoint store waits as asked (up to MAX_RETRY_AFTER) and tries again."""
    header = (lambda: "1") if form == "seconds" else (lambda: email.utils.formatdate(time.time() + 2, usegmt=True))
    server, calls = _busy_then_ok(header)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        rows = EndpointStore(url, timeout=5).select("SELECT ?n WHERE { ?s ?p ?n }")
    finally:
        server.shutdown()
    assert [r["n"].value for r in rows] == ["7"]
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.9


def test_retry_after_values():
    now = 1_000_000_000.0
    assert retry_after("5") == 5.0
    assert retry_after(email.utils.formatdate(now + 10, usegmt=True), now=now) == pytest.approx(10.0)
    assert retry_after(email.utils.formatdate(now - 10, usegmt=True), now=now) == 0.0  # already past: now
    assert retry_after(str(int(MAX_RETRY_AFTER) + 1)) == MAX_RETRY_AFTER + 1  # the caller decides to give up
    assert retry_after("soon") is None and retry_after("-1") is None and retry_after(None) is None


def test_every_network_read_goes_through_remote_read():
    """No other module opens URLs (endpoints, JSON-LD contexts, the link client all call remote.read): one place
    has the deadline, the cap and the redirect policy. Two exceptions, not reads of a remote server: `push`
    uploads with basic, digest or bearer auth through requests (publish/http.py: its own deadline, cap and no
    redirects), and `serve` talks to its own Oxigraph child on 127.0.0.1 (serve/front.py, serve/server.py)."""
    from pathlib import Path

    import jasic_kg

    root = Path(jasic_kg.__file__).parent
    openers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if any(word in p.read_text(encoding="utf-8") for word in ("urlopen", "build_opener", "http.client",
                                                                             "socket.create_connection", "requests.")))
    assert openers == ["io/remote.py", "publish/http.py", "serve/front.py", "serve/server.py"]
