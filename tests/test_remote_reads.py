"""Remote reads from an endpoint: a total deadline, a byte cap and result-shape checks (issue 9, item 4).
Servers are tiny http.servers on 127.0.0.1 started here; every test is bounded in time."""

import http.server
import time

import pytest

from jasic_kg.errors import NetworkError
from jasic_kg.store import EndpointStore
from tests.servers import serve_in_thread


def _serve(handler_body):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            handler_body(self)

        def log_message(self, *a):
            pass

    server = serve_in_thread(Handler)
    return server


@pytest.fixture
def endpoint(request):
    server = _serve(request.param)
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql"
    server.shutdown()


def _json(body: bytes):
    def send(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/sparql-results+json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    return send


def _trickle(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.end_headers()
    try:
        for _ in range(20):  # 1 byte every 0.2 s: each read is quick, the whole never ends in time
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


@pytest.mark.parametrize("endpoint", [_json(b"[]")], indirect=True)
def test_json_array_result_is_a_network_error(endpoint):
    with pytest.raises(NetworkError, match=r"malformed SPARQL JSON results \(expected a JSON object, got list\)"):
        EndpointStore(endpoint, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("endpoint", [_json(b"[" * 100000 + b"]" * 100000)], indirect=True)
def test_deeply_nested_json_is_a_network_error(endpoint):
    with pytest.raises(NetworkError, match="malformed SPARQL JSON results"):
        EndpointStore(endpoint, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("endpoint", [_json(b" " * 5000)], indirect=True)
def test_body_over_the_byte_cap_is_refused(endpoint):
    with pytest.raises(NetworkError, match="response larger than 1000 bytes"):
        EndpointStore(endpoint, timeout=5, max_bytes=1000).query("SELECT * WHERE { ?s ?p ?o }")


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
@pytest.mark.parametrize("endpoint", [_trickle], indirect=True)
def test_trickled_body_hits_the_total_deadline(endpoint):
    start = time.monotonic()
    with pytest.raises(NetworkError, match=r"no complete response within 1 s"):
        EndpointStore(endpoint, timeout=1).query("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("endpoint", [_trickle], indirect=True)
def test_cli_half_second_timeout_is_honoured_with_exit_3(endpoint):
    from click.testing import CliRunner

    from jasic_kg.cli import cli

    start = time.monotonic()
    result = CliRunner().invoke(cli, ["query", "--endpoint", endpoint, "--timeout", "0.5",
                                       "--sparql", "SELECT * WHERE { ?s ?p ?o }"])
    assert time.monotonic() - start < 2.5
    assert result.exit_code == 3, result.output
    assert f"{endpoint}: no complete response within 0.5 s" in result.output


def _redirect(h):
    h.send_response(302)
    h.send_header("Location", "http://127.0.0.1:9/elsewhere")
    h.send_header("Content-Length", "0")
    h.end_headers()


@pytest.mark.parametrize("endpoint", [_redirect], indirect=True)
def test_redirect_is_refused_not_followed_as_a_get(endpoint):
    with pytest.raises(NetworkError) as err:
        EndpointStore(endpoint, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")
    assert str(err.value) == (f"{endpoint}: redirect (HTTP 302) to http://127.0.0.1:9/elsewhere refused; "
                              "give the endpoint's final URL")


def _bad_request(h):
    body = b"Parse error: unknown function foo:bar\nmore detail"
    h.send_response(400)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


@pytest.mark.parametrize("endpoint", [_bad_request], indirect=True)
def test_endpoint_rejecting_the_query_is_a_query_error(endpoint):
    from jasic_kg.errors import QueryError

    with pytest.raises(QueryError) as err:
        EndpointStore(endpoint, timeout=5).query("SELECT * WHERE { ?s ?p ?o }")
    assert str(err.value) == f"{endpoint} rejected the query: HTTP 400 Parse error: unknown function foo:bar"


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_json_ld_context_trickled_body_hits_the_total_deadline(tmp_path):
    import json
    from pathlib import Path

    from jasic_kg.io.jsonld_contexts import inline_contexts

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            _trickle(self)

        def log_message(self, *a):
            pass

    server = serve_in_thread(Handler)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/ctx/"
        doc = Path(tmp_path, "d.jsonld")
        data = json.dumps({"@context": base + "slow.jsonld", "@id": "http://example.org/x"}).encode()
        doc.write_bytes(data)
        start = time.monotonic()
        with pytest.raises(NetworkError, match=rf"^JSON-LD context {base}slow.jsonld: no complete response within 1 s$"):
            inline_contexts(doc, data, [base], timeout=1)
        assert time.monotonic() - start < 3
    finally:
        server.shutdown()
