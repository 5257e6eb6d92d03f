"""`jasic-kg push` against two real triplestores on loopback (Oxigraph server, Virtuoso 7), and its failures."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from jasic_kg.errors import InputError, NetworkError
from jasic_kg.publish import Credentials, Service, batches, push, service_urls
from jasic_kg.queries import compare_results, load_saved_queries, run_saved_query
from jasic_kg.store import EndpointStore, open_store
from tests.servers import oxigraph_server, start_oxigraph, stop, virtuoso_server  # noqa: F401 (fixtures)

# real servers or a real browser, started per test module: the slow tier (.ci/run runs it)
pytestmark = pytest.mark.slow

GRAPH = "https://w3id.org/jasic-kg/graph"
SHIPPED_TRIPLES = 9768  # README: the shipped graph with its links


@pytest.fixture(scope="module")
def local_store():
    return open_store()


def _same_rows_remote_and_local(remote: EndpointStore, local) -> dict[str, list[str]]:
    """Saved query name -> differences (rows compared as multisets of terms), for every saved query with its
    defaults."""
    out = {}
    for name, query in sorted(load_saved_queries().items()):
        differences = compare_results(run_saved_query(local, query), run_saved_query(remote, query), ordered=False)
        if differences:
            out[name] = differences
    return out


# --- Oxigraph server ------------------------------------------------------------------------------------------

def test_push_to_oxigraph_then_every_saved_query_gives_the_local_rows(shipped, run, oxigraph_server, local_store):
    r = run("push", "--endpoint", oxigraph_server.query, "--verify")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"pushed {SHIPPED_TRIPLES} triples into <{GRAPH}> by the Graph Store Protocol in 1 batch")
    assert lines[1:] == [f"the server's graph holds {SHIPPED_TRIPLES} triples, as sent",
                         "verified: the server's graph equals the local one (up to blank-node names)"]
    remote = EndpointStore(oxigraph_server.query, default_graph=GRAPH)
    assert remote.count() == SHIPPED_TRIPLES
    assert _same_rows_remote_and_local(remote, local_store) == {}


def test_re_push_is_idempotent(shipped, run, oxigraph_server):
    for protocol in ("gsp", "update", "gsp"):
        r = run("push", "--endpoint", oxigraph_server.query, "--graph", "https://example.org/again",
                "--protocol", protocol, "--batch-size", "4000", "--verify")
        assert r.exit_code == 0, r.stderr
        assert r.stdout.splitlines()[1] == f"the server's graph holds {SHIPPED_TRIPLES} triples, as sent"
    remote = EndpointStore(oxigraph_server.query)
    rows = remote.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/again> { ?s ?p ?o } }")
    assert int(rows[0]["n"].value) == SHIPPED_TRIPLES  # no duplicates: the same count after three pushes


def test_blank_node_structures_survive_batching(small, oxigraph_server, tmp_path):
    # Blank nodes linked across what would be two batches: sent apart, they would become two nodes each.
    data = tmp_path / "chain.ttl"
    data.write_text("".join(f"<http://example.org/s{i}> <http://example.org/p> [ <http://example.org/q> [ "
                            f"<http://example.org/r> {i} ] ] .\n" for i in range(50)))
    store = open_store(data=[data], shipped=False)
    triples = [q.triple for q in store.quads()]
    result = push(triples, oxigraph_server.query, graph="https://example.org/blank", batch_size=7, verify=True)
    assert (result.triples, result.on_server, result.verified) == (150, 150, True)
    assert result.batches == 25  # 50 structures of 3 triples, two per batch of 7


def test_push_only_data_files(small, run, oxigraph_server, tmp_path):
    data = tmp_path / "one.ttl"
    data.write_text('<http://example.org/a> <http://example.org/b> "c" .\n')
    r = run("push", "--endpoint", oxigraph_server.query, "--graph", "https://example.org/one", "--data", str(data),
            "--only-data")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines()[1] == "the server's graph holds 1 triples, as sent"


# --- Virtuoso -------------------------------------------------------------------------------------------------

def test_push_to_virtuoso_with_digest_auth(shipped, run, virtuoso_server, local_store, monkeypatch):
    monkeypatch.setenv("JASIC_KG_PASSWORD", virtuoso_server.password)
    for _ in range(2):  # the second push replaces the graph: same count, no duplicates
        r = run("push", "--endpoint", virtuoso_server.query, "--user", virtuoso_server.user, "--verify")
        assert r.exit_code == 0, r.stderr
        assert r.stdout.splitlines()[1:] == [
            f"the server's graph holds {SHIPPED_TRIPLES} triples, as sent",
            "verified: the server's graph equals the local one (up to blank-node names)"]
    remote = EndpointStore(virtuoso_server.query, default_graph=GRAPH, timeout=120)
    assert remote.count() == SHIPPED_TRIPLES
    # every saved query gives the local rows, booleans included (Virtuoso's JSON writes true as "1": the client reads
    # it back as the canonical "true"): the queries are written in portable SPARQL (tests/test_portable_queries.py)
    assert len(load_saved_queries()) == 40
    assert _same_rows_remote_and_local(remote, local_store) == {}


# parameters other than the defaults: each binds by a VALUES block on the server as well
VIRTUOSO_PARAMS = [("assessments", {"theme": "organising skills"}, 7),
                   ("cq13-detained-27-july", {"day": "2018-08-24"}, 2),
                   ("cq21-events-2018", {"year": "2019"}, 2),
                   ("evidence-for", {"entity": "https://w3id.org/jasic-kg/id/jasic-struggle-2018"}, 32)]


@pytest.mark.parametrize("name, params, rows", VIRTUOSO_PARAMS, ids=[c[0] for c in VIRTUOSO_PARAMS])
def test_saved_queries_with_parameters_give_the_local_rows_on_virtuoso(shipped, virtuoso_server, local_store, name,
                                                                        params, rows):
    credentials = Credentials(virtuoso_server.user, virtuoso_server.password)
    push((q.triple for q in local_store.quads()), virtuoso_server.query, graph=GRAPH, credentials=credentials)
    remote = EndpointStore(virtuoso_server.query, default_graph=GRAPH, timeout=120)
    query = load_saved_queries()[name]
    local = run_saved_query(local_store, query, params)
    assert len(local.rows) == rows
    assert compare_results(local, run_saved_query(remote, query, params), ordered=False) == []


def test_push_to_virtuoso_by_sparql_update(shipped, virtuoso_server, local_store):
    credentials = Credentials(virtuoso_server.user, virtuoso_server.password)
    result = push((q.triple for q in local_store.quads()), virtuoso_server.query, graph="https://example.org/upd",
                  protocol="update", credentials=credentials, verify=True)
    assert (result.protocol, result.on_server, result.verified) == ("update", SHIPPED_TRIPLES, True)
    assert result.batches == 10  # 1,000 triples per INSERT: Virtuoso refuses 2,000 (SP031)


def test_wrong_password_is_one_line_without_the_secret(shipped, virtuoso_server):
    env = {"PATH": "/usr/bin:/bin", "JASIC_KG_PASSWORD": "not-the-password-Zq81"}
    proc = subprocess.run([str(Path(sys.executable).parent / "jasic-kg"), "push", "--endpoint", virtuoso_server.query,
                           "--user", virtuoso_server.user, "--graph", "https://example.org/denied"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == [
        f"jasic-kg: error: {virtuoso_server.base}/sparql-graph-crud-auth: HTTP 401 Unauthorized; the graph "
        "<https://example.org/denied> on the server was not changed (it holds 0 triples)"]
    assert "Zq81" not in proc.stderr + proc.stdout


# --- failures partway ---------------------------------------------------------------------------------------

class _DroppingProxy(http.server.ThreadingHTTPServer):
    """Forwards to `upstream`, except that the `fail_at`-th write (PUT/POST to the graph store) is read and then
    answered by closing the connection, as a server that dies mid-upload."""

    def __init__(self, upstream: str, fail_at: int = 0):
        self.upstream, self.fail_at, self.writes = upstream, fail_at, 0
        self.authorization: list[str | None] = []  # the Authorization header of each request
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.authorization.append(self.headers.get("Authorization"))
        if self.path.startswith("/store") and self.command in ("PUT", "POST"):
            self.server.writes += 1
            if self.server.writes == self.server.fail_at:
                self.close_connection = True
                return  # no answer: the connection closes
        request = urllib.request.Request(self.server.upstream + self.path, data=body or None, method=self.command,
                                         headers={k: v for k, v in self.headers.items() if k.lower() != "host"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as e:
            status, headers, payload = e.code, e.headers, e.read()
        self.send_response(status)
        for k, v in headers.items():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_HEAD = _forward


def test_connection_closed_mid_push_says_what_the_server_holds(shipped, run, oxigraph_server, local_store):
    proxy = _DroppingProxy(oxigraph_server.base, fail_at=3)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        parts = batches([q.triple for q in local_store.quads()], 3000)
        started = time.monotonic()
        r = run("push", "--endpoint", proxy.url + "/query", "--graph", "https://example.org/partial",
                "--batch-size", "3000", "--timeout", "20")
        assert time.monotonic() - started < 60
    finally:
        proxy.shutdown()
    held = len(parts[0]) + len(parts[1])
    assert r.exit_code == 3 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"jasic-kg: error: {proxy.url}/store: the server closed the connection; the graph "
        f"<https://example.org/partial> on the server now holds {held} of {SHIPPED_TRIPLES} triples: re-run push "
        "to replace it"]


def test_server_killed_mid_push_is_a_clean_error_not_a_hang(shipped, local_store, tmp_path):
    server = start_oxigraph(tmp_path / "doomed")
    killed = []

    def kill_after_first_batch(note: str) -> None:
        if note.startswith("pushing batch 2/") and not killed:
            server.proc.kill()
            server.proc.wait(10)
            killed.append(note)

    started = time.monotonic()
    try:
        with pytest.raises(NetworkError) as caught:
            push([q.triple for q in local_store.quads()], server.query, graph="https://example.org/killed",
                 batch_size=2000, timeout=10, progress=kill_after_first_batch)
    finally:
        stop(server.proc)
    assert killed and time.monotonic() - started < 60
    assert str(caught.value) == (
        f"{server.store}: Connection refused; the server does not answer, so what the graph "
        f"<https://example.org/killed> holds now is unknown ({len(batches([q.triple for q in local_store.quads()], 2000)[0])}"
        f" of {SHIPPED_TRIPLES} triples had been accepted): re-run push to replace it")


def test_bearer_token_from_the_environment(small, run, oxigraph_server, monkeypatch):
    proxy = _DroppingProxy(oxigraph_server.base)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    monkeypatch.setenv("JASIC_KG_TOKEN", "tok-123")
    try:
        r = run("push", "--endpoint", proxy.url + "/query", "--graph", "https://example.org/bearer")
    finally:
        proxy.shutdown()
    assert r.exit_code == 0, r.stderr
    assert proxy.authorization and set(proxy.authorization) == {"Bearer tok-123"}


def test_basic_auth_where_the_server_asks_for_no_digest(small, run, oxigraph_server, monkeypatch):
    import base64

    proxy = _DroppingProxy(oxigraph_server.base)
    threading.Thread(target=proxy.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    monkeypatch.setenv("JASIC_KG_PASSWORD", "pw-456")
    try:
        r = run("push", "--endpoint", proxy.url + "/query", "--graph", "https://example.org/basic", "--user", "ann")
    finally:
        proxy.shutdown()
    assert r.exit_code == 0, r.stderr
    basic = "Basic " + base64.b64encode(b"ann:pw-456").decode()
    # the HEAD that looks for a digest challenge goes without credentials; the upload and the COUNT carry them
    assert proxy.authorization[0] is None and set(proxy.authorization[1:]) == {basic}


def test_a_graph_that_is_not_an_iri_is_a_usage_error(small, run):
    r = run("push", "--endpoint", "http://127.0.0.1:9/query", "--graph", "not an iri")
    assert r.exit_code == 2 and r.stderr.startswith("jasic-kg: error: --graph must be an absolute IRI: 'not an iri'")


def test_a_server_that_never_answers_is_a_timeout_not_a_hang(small, run):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections (the kernel does) and never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        started = time.monotonic()
        r = run("push", "--endpoint", url + "/query", "--timeout", "1")
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert r.exit_code == 3 and elapsed < 30
    assert r.stderr.splitlines() == [
        f"jasic-kg: error: {url}/store: no answer within 1 s; the server does not answer, so what the graph "
        "<https://w3id.org/jasic-kg/graph> holds now is unknown (0 of 140 triples had been accepted): re-run push "
        "to replace it"]


def test_unreachable_endpoint_exits_3(small, run):
    r = run("push", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "5")
    assert r.exit_code == 3
    assert r.stderr.startswith("jasic-kg: error: http://127.0.0.1:9/store: Connection refused; the server does not "
                               "answer, so what the graph <https://w3id.org/jasic-kg/graph> holds now is unknown")


# --- units ----------------------------------------------------------------------------------------------------

def test_batches_keep_blank_node_structures_together():
    p = NamedNode("http://example.org/p")
    a, b, c = BlankNode("a"), BlankNode("b"), BlankNode("c")
    plain = [Triple(NamedNode(f"http://example.org/{i}"), p, Literal(str(i))) for i in range(5)]
    linked = [Triple(a, p, b), Triple(b, p, c), Triple(c, p, Literal("x"))]  # one structure of 3
    parts = batches([plain[0], linked[0], plain[1], linked[1], plain[2], linked[2], plain[3], plain[4]], 2)
    assert [len(x) for x in parts] == [3, 2, 2, 1]
    assert sorted(parts[0], key=str) == sorted(linked, key=str)
    assert batches([], 5) == [[]]


def test_service_urls_of_known_layouts():
    assert service_urls("http://h:7878/query") == Service("http://h:7878/query", "http://h:7878/update",
                                                          "http://h:7878/store")
    assert service_urls("http://h:8890/sparql", authenticated=True) == Service(
        "http://h:8890/sparql", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth")
    assert service_urls("http://h:3030/ds/query") == Service("http://h:3030/ds/query", "http://h:3030/ds/update",
                                                             "http://h:3030/ds/data")
    assert service_urls("https://h/x/y/endpoint", store="https://h/gsp") == Service(
        "https://h/x/y/endpoint", None, "https://h/gsp")
    with pytest.raises(InputError, match="cannot tell the update and graph-store URLs of https://h/endpoint"):
        service_urls("https://h/endpoint")
    with pytest.raises(InputError, match="endpoint must be an http"):
        service_urls("ftp://h/query")


def test_secrets_come_from_the_environment_only(run):
    assert Credentials.from_env("u", {"JASIC_KG_PASSWORD": "pw"}) == Credentials("u", "pw", None)
    assert Credentials.from_env(None, {"JASIC_KG_TOKEN": "t"}).token == "t"
    assert "pw" not in repr(Credentials("u", "pw"))
    with pytest.raises(InputError, match="JASIC_KG_PASSWORD is not set"):
        Credentials.from_env("u", {})
    help_text = run("push", "--help").stdout
    assert "--password" not in help_text and "--token" not in help_text
    assert "JASIC_KG_PASSWORD" in help_text and "JASIC_KG_TOKEN" in help_text
