"""The polite SPARQL client of `jasic-kg link` against a fault-injecting HTTP server on loopback: a 429 with
Retry-After (retried after the delay), 502 (backoff), 503 asking for too long, 500, a hang, a trickled or stalled
body, a non-JSON body, an answer to another query, a redirect (refused) and an oversized body: each ends in a retry
or one clean line and exit 3, never a traceback or a hang. Also its headers, GET/POST, batches, cache and
progress line."""

from __future__ import annotations

import http.server
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from jasic_kg.errors import NetworkError
from jasic_kg.linking.client import SparqlClient, retry_after, user_agent
from tests.conftest import REPO
from tests.test_link import _free_port

# --- the client: politeness and faults ------------------------------------------------------------------------

SPARQL_JSON = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
    {"x": {"type": "literal", "value": "ok"}}]}}).encode()


class Faulty(http.server.ThreadingHTTPServer):
    """An HTTP server on loopback whose answer depends on the path; it records every request."""

    daemon_threads = True

    def __init__(self):
        self.requests: list[tuple[float, str, str, dict]] = []
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), FaultHandler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"

    def close(self):
        self.stop.set()
        self.shutdown()
        self.server_close()


class FaultHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        server: Faulty = self.server
        path = self.path.split("?")[0].strip("/")
        server.requests.append((time.monotonic(), self.command, path, dict(self.headers)))
        seen = sum(1 for r in server.requests if r[2] == path)
        if path == "slow-down" and seen == 1:
            return self._send(429, b"", {"Retry-After": "1"})
        if path == "gateway" and seen == 1:
            return self._send(502, b"")
        if path == "down":
            return self._send(502, b"")
        if path == "busy":
            return self._send(503, b"", {"Retry-After": "3600"})
        if path == "broken":
            return self._send(500, b"java.lang.IllegalStateException")
        if path == "hang":
            server.stop.wait(30)  # past any deadline the test gives
            return
        if path == "trickle":  # a body sent a byte at a time: each read is quick, the whole never ends in time
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(300):
                if server.stop.wait(0.1):
                    return
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
            return
        if path == "stall":  # the headers and one byte, then silence
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b"{")
            self.wfile.flush()
            server.stop.wait(30)
            return
        if path == "html":
            return self._send(200, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"})
        if path == "moved":
            return self._send(302, b"", {"Location": self.server.url("slow-down")})
        if path == "huge":
            return self._send(200, b'{"head": {"vars": []}, "results": {"bindings": []}}' + b" " * 5000)
        return self._send(200, SPARQL_JSON, {"Content-Type": "application/sparql-results+json"})

    def _send(self, code, body, headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_POST = _answer


@pytest.fixture
def faulty():
    server = Faulty()
    yield server
    server.close()


def _client(url, **kw):
    return SparqlClient(url, use_cache=False, **dict(dict(timeout=5, retries=2), **kw))


def test_429_is_retried_after_the_delay_asked_for(faulty):
    client = _client(faulty.url("slow-down"))
    assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    first, second = [r for r in faulty.requests if r[2] == "slow-down"]
    assert second[0] - first[0] >= 1.0  # Retry-After: 1 honoured
    assert client.requests_sent == 2


def test_polite_headers_get_and_post(faulty):
    client = _client(faulty.url("ok"), contact="https://example.org/issues")
    client.select("SELECT ?x WHERE { }")
    client.select("SELECT ?x WHERE { FILTER (?x != \"" + "x" * 2000 + "\") }")
    (_, get, _, headers), (_, post, _, _) = faulty.requests
    assert (get, post) == ("GET", "POST")  # POST once the query is long
    assert headers["User-Agent"] == user_agent("https://example.org/issues")
    assert headers["User-Agent"].startswith("jasic-kg/") and "https://example.org/issues" in headers["User-Agent"]
    assert "application/sparql-results+json" in headers["Accept"]


def test_502_is_retried_with_backoff(faulty):
    slept = []
    client = _client(faulty.url("gateway"), sleep=slept.append)
    assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    assert slept == [1.0]


def test_retry_after_longer_than_the_cap_is_an_error_without_waiting(faulty):
    slept = []
    with pytest.raises(NetworkError) as e:
        _client(faulty.url("busy"), sleep=slept.append, max_wait=60).select("SELECT ?x WHERE { }")
    assert str(e.value) == (f"{faulty.url('busy')}: HTTP 503 Service Unavailable: the endpoint asks to wait 3600 s, "
                            "longer than 60 s; try again later")
    assert slept == [] and len(faulty.requests) == 1


def test_retries_are_bounded(faulty):
    slept = []
    with pytest.raises(NetworkError, match=r"HTTP 502 Bad Gateway after 3 attempts$"):
        _client(faulty.url("down"), sleep=slept.append, retries=2).select("SELECT ?x WHERE { }")
    assert slept == [1.0, 2.0] and len(faulty.requests) == 3


def test_retry_after_forms():
    assert retry_after("5") == 5.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = time.time() + 120
    from email.utils import formatdate

    assert 100 < retry_after(formatdate(later, usegmt=True)) <= 120


@pytest.mark.parametrize("path, message", [
    ("broken", "HTTP 500 Internal Server Error"),
    ("html", "the answer is not SPARQL JSON results"),
    ("moved", "redirect (HTTP 302) to http://127.0.0.1:"),
    pytest.param("hang", "no response within 2 s", marks=pytest.mark.slow),
    pytest.param("trickle", "no complete response within 2 s", marks=pytest.mark.slow),
    pytest.param("stall", "no complete response within 2 s", marks=pytest.mark.slow),
])
def test_faults_are_one_line_and_exit_3(run, shipped, faulty, path, message):
    started = time.monotonic()
    r = run("link", "check", "--endpoint", faulty.url(path), "--timeout", "2", "--no-cache")
    elapsed = time.monotonic() - started
    assert r.exit_code == 3, (r.stdout, r.stderr)
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"jasic-kg: error: {faulty.url(path)}: ") and message in line, line
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert elapsed < 10  # bounded: the deadline, not the server, ends a hang
    if path == "moved":  # refused, not followed
        assert [r[2] for r in faulty.requests] == ["moved"]


def test_response_larger_than_the_cap(faulty):
    with pytest.raises(NetworkError, match="response larger than 1000 bytes"):
        _client(faulty.url("huge"), max_bytes=1000).select("SELECT ?x WHERE { }")


def test_unreachable_endpoint_is_exit_3(run, shipped):
    port = _free_port()  # nothing listens there
    r = run("link", "fetch", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--no-cache", "--timeout", "2")
    assert r.exit_code == 3
    assert r.stderr.startswith(f"jasic-kg: error: http://127.0.0.1:{port}/sparql: ") and "Connection refused" in r.stderr


def test_bad_endpoint_is_exit_2(run, shipped):
    r = run("link", "check", "--endpoint", "ftp://example.org/sparql")
    assert r.exit_code == 2 and r.stderr == "jasic-kg: error: endpoint must be an http(s) URL: 'ftp://example.org/sparql'\n"


def test_answers_are_cached_and_no_cache_skips_it(faulty, tmp_path):
    cache = tmp_path / "sparql-cache"
    client = SparqlClient(faulty.url("ok"), cache_dir=cache)
    for _ in range(3):
        assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    assert client.requests_sent == 1 and len(list(cache.glob("*.json"))) == 1
    SparqlClient(faulty.url("ok"), cache_dir=cache, max_age=0).select("SELECT ?x WHERE { }")
    SparqlClient(faulty.url("ok"), cache_dir=cache, use_cache=False).select("SELECT ?x WHERE { }")
    assert len(faulty.requests) == 3  # an expired entry and --no-cache both ask the endpoint
    # a different endpoint is a different entry
    SparqlClient(faulty.url("ok2"), cache_dir=cache).select("SELECT ?x WHERE { }")
    assert len(list(cache.glob("*.json"))) == 2


def test_batches_of_values_one_request_at_a_time(faulty):
    from jasic_kg.linking.client import iri_terms

    client = _client(faulty.url("ok"))
    items = [f"http://www.wikidata.org/entity/Q{n}" for n in range(1, 121)]
    progress = []
    result = client.select_batched("SELECT ?x WHERE { VALUES ?item {} }", iri_terms(items),
                                   lambda done, total: progress.append((done, total)))
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert len(result.rows) == 3 and len(faulty.requests) == 3


def test_an_answer_to_another_query_is_exit_3(run, shipped, faulty):
    r = run("link", "check", "--endpoint", faulty.url("ok"), "--no-cache")
    assert r.exit_code == 3
    assert r.stderr == (f"jasic-kg: error: {faulty.url('ok')}: the answer has no ?item column (not SPARQL results "
                        "for the query sent)\n")


def test_progress_on_a_terminal_only(faulty, tmp_path):
    """On a terminal's stderr a run that waits (here a Retry-After of 1 s) shows requests done/total and clears
    the line; on a pipe (every other test) stderr carries only the result."""
    import os
    import pty
    import select

    exe = Path(sys.executable).parent / "jasic-kg"
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(exe), "link", "check", "--endpoint", faulty.url("slow-down"), "--no-cache"],
                            stdout=subprocess.PIPE, stderr=slave, cwd=REPO,
                            env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path)))
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    proc.wait(30)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 3
    assert "0/1 requests" in text and "\r\x1b[K" in text
    assert text.rstrip().endswith("the answer has no ?item column (not SPARQL results for the query sent)")


def test_no_link_command_touches_the_network_without_being_run(faulty, run, shipped):
    """`link export` and every other command are offline; only check, suggest and fetch send a request."""
    run("link", "export", "--format", "rdf")
    run("link", "--help")
    run("link", "check", "--help")
    assert faulty.requests == []
