"""JSON-LD context documents: read from the input's folder, fetched only under prefixes the user allowed.

A real HTTP server on loopback serves the contexts and records every request, so each test states exactly which
documents were fetched (none, unless allowed) and what the graph then holds.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from jasic_kg.errors import InputError
from jasic_kg.io.jsonld_contexts import check_allowed_prefixes, inline_contexts, is_allowed
from jasic_kg.io.rdfio import read_quads

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "jasic-kg"
CLI = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "jasic_kg"]
ENV = dict(os.environ, JASIC_KG_CACHE="0")

NAME = "http://schema.org/name"
SUBJECT = "http://example.org/s"
SCHEMA_CTX = {"@context": {"name": NAME}}


class ContextServer:
    """Serves context documents from a dict (path -> JSON, or (status, headers) for errors and redirects)."""

    def __init__(self, routes: dict):
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # the name http.server calls
                server.requests.append(self.path)
                route = routes.get(self.path)
                if isinstance(route, tuple):
                    status, headers = route
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v.replace("{base}", server.base))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = route.encode() if isinstance(route, str) else json.dumps(route).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


ROUTES = {
    "/ctx/schema.jsonld": SCHEMA_CTX,
    "/ctx/importer.jsonld": {"@context": {"@version": 1.1, "@import": "schema.jsonld"}},
    "/ctx/chain.jsonld": {"@context": ["schema.jsonld", {"ex": "http://example.org/"}]},
    "/ctx/loop.jsonld": {"@context": "loop.jsonld"},
    "/ctx/not-json.jsonld": "<html>not json</html>",
    "/ctx/no-context.jsonld": {"name": NAME},
    "/ctx/redirect-out.jsonld": (302, {"Location": "{base}/outside/schema.jsonld"}),
    "/ctx/redirect-in.jsonld": (302, {"Location": "{base}/ctx/schema.jsonld"}),
    "/ctx/redirect-dots.jsonld": (302, {"Location": "{base}/ctx/../outside/schema.jsonld"}),
    "/ctx/redirect-encoded.jsonld": (302, {"Location": "{base}/ctx/%2e%2e/outside/schema.jsonld"}),
    "/outside/schema.jsonld": SCHEMA_CTX,
    "/ctx-evil/schema.jsonld": SCHEMA_CTX,
}


@pytest.fixture
def server():
    s = ContextServer(ROUTES)
    yield s
    s.close()


def document(tmp_path: Path, context, name="doc.jsonld") -> Path:
    doc = tmp_path / name
    doc.write_text(json.dumps({"@context": context, "@id": SUBJECT, "name": "x"}))
    return doc


def jasic(*args):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=120, env=ENV,
                          cwd=REPO)


def names_in(doc: Path, *allow: str) -> set:
    return {q.object.value for q in read_quads(doc, allow_contexts=list(allow))
            if q.predicate == NamedNode(NAME) and q.subject == NamedNode(SUBJECT)}


# --- the CLI, end to end -----------------------------------------------------------------------------------

def test_allowed_remote_context_is_fetched_once_and_expands(server, tmp_path):
    doc = document(tmp_path, f"{server.base}/ctx/schema.jsonld")
    p = jasic("query", "--sparql", f"SELECT ?n WHERE {{ <{SUBJECT}> <{NAME}> ?n }}", "--format", "csv",
              "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["n", "x"]
    assert server.requests == ["/ctx/schema.jsonld"]


@pytest.mark.parametrize("cmd", [["validate"], ["stats"], ["export", "--format", "nt"]], ids=" ".join)
def test_every_file_command_takes_allow_context(server, tmp_path, cmd):
    doc = document(tmp_path, f"{server.base}/ctx/schema.jsonld")
    p = jasic(*cmd, "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 0, p.stderr
    assert server.requests == ["/ctx/schema.jsonld"]
    if cmd[0] == "export":
        assert f'<{SUBJECT}> <{NAME}> "x" .' in p.stdout.splitlines()


def test_context_outside_the_allowed_prefix_is_not_requested(server, tmp_path):
    for ref in (f"{server.base}/outside/schema.jsonld", f"{server.base}/ctx-evil/schema.jsonld"):
        doc = document(tmp_path, ref)
        p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx")
        assert p.returncode == 2, p.stderr
        assert p.stderr.strip() == (f"jasic-kg: error: {doc}: remote JSON-LD context {ref} is not fetched "
                                    "(allow its prefix with --allow-context)")
    assert server.requests == []


def test_redirect_out_of_the_allowed_prefix_is_not_followed(server, tmp_path):
    doc = document(tmp_path, f"{server.base}/ctx/redirect-out.jsonld")
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 2, p.stderr
    assert "redirects to " + f"{server.base}/outside/schema.jsonld" in p.stderr
    assert "not followed" in p.stderr and "Traceback" not in p.stderr
    assert server.requests == ["/ctx/redirect-out.jsonld"]


@pytest.mark.parametrize("escape", ["../outside/schema.jsonld", "%2e%2e/outside/schema.jsonld",
                                    "..%2foutside/schema.jsonld", "./../outside/schema.jsonld"])
def test_dot_segments_do_not_escape_the_allowed_prefix(server, tmp_path, escape):
    ref = f"{server.base}/ctx/{escape}"
    doc = document(tmp_path, ref)
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == (f"jasic-kg: error: {doc}: remote JSON-LD context {ref} is not fetched "
                                "(allow its prefix with --allow-context)")
    assert server.requests == []


def test_a_redirect_with_dot_segments_does_not_escape_the_allowed_prefix(server, tmp_path):
    doc = document(tmp_path, f"{server.base}/ctx/redirect-dots.jsonld")
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 2, p.stderr
    assert "not followed" in p.stderr and "Traceback" not in p.stderr
    assert server.requests == ["/ctx/redirect-dots.jsonld"]


@pytest.mark.parametrize("url, allowed", [
    ("https://a.org/ctx", True), ("https://a.org/ctx/v1.jsonld", True), ("https://A.ORG:443/ctx/./x", True),
    ("https://a.org/ctx/a/../b", True), ("https://a.org/ctx-evil", False), ("https://a.org/ctx/../evil", False),
    ("https://a.org/ctx/%2E%2E/evil", False), ("https://a.org/ctx/..%2Fevil", False),
    ("https://a.org:8443/ctx/x", False), ("http://a.org/ctx/x", False), ("https://a.org.evil/ctx/x", False),
    ("https://a.org:bad/ctx/x", False),
])
def test_allowed_prefixes_compare_parsed_normalised_urls(url, allowed):
    from jasic_kg.io.jsonld_contexts import is_allowed

    assert is_allowed(url, ["https://a.org/ctx"]) is allowed


def test_redirect_inside_the_allowed_prefix_is_followed(server, tmp_path):
    doc = document(tmp_path, f"{server.base}/ctx/redirect-in.jsonld")
    assert names_in(doc, f"{server.base}/ctx/") == {"x"}
    assert server.requests == ["/ctx/redirect-in.jsonld", "/ctx/schema.jsonld"]


def test_unreachable_or_failing_context_server_is_a_network_error(server, tmp_path):
    doc = document(tmp_path, f"{server.base}/ctx/missing.jsonld")
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 3, p.stderr
    assert p.stderr.strip() == (f"jasic-kg: error: JSON-LD context {server.base}/ctx/missing.jsonld: "
                                "HTTP 404 Not Found")
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    doc = document(tmp_path, f"http://127.0.0.1:{closed}/ctx.jsonld")
    p = jasic("stats", "--data", doc, "--allow-context", f"http://127.0.0.1:{closed}/")
    assert p.returncode == 3, p.stderr
    assert p.stderr.startswith(f"jasic-kg: error: JSON-LD context http://127.0.0.1:{closed}/ctx.jsonld: ")
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("prefix", ["https://", "http:", "ftp://example.org/", "example.org/"])
def test_allow_context_needs_an_http_prefix_with_a_host(prefix, tmp_path):
    p = jasic("stats", "--allow-context", prefix)
    assert p.returncode == 2
    assert p.stderr.strip() == ("jasic-kg: error: --allow-context needs an http(s) IRI prefix with a host, e.g. "
                                f"https://example.org/ (got {prefix!r})")


# --- the rules, in the library -----------------------------------------------------------------------------

def test_import_and_context_arrays_resolve_relative_to_the_context(server, tmp_path):
    allow = f"{server.base}/ctx/"
    assert names_in(document(tmp_path, f"{server.base}/ctx/importer.jsonld"), allow) == {"x"}
    assert server.requests == ["/ctx/importer.jsonld", "/ctx/schema.jsonld"]
    doc = tmp_path / "chain.jsonld"
    doc.write_text(json.dumps({"@context": f"{server.base}/ctx/chain.jsonld", "@id": "ex:t", "name": "y"}))
    quads = read_quads(doc, allow_contexts=[allow])
    assert [(q.subject.value, q.predicate.value, q.object.value) for q in quads] == [
        ("http://example.org/t", NAME, "y")]


def test_inlined_document_gives_the_same_graph_as_the_context_written_inline(server, tmp_path):
    remote = document(tmp_path, [f"{server.base}/ctx/schema.jsonld", {"ex": "http://example.org/"}], "remote.jsonld")
    inline = document(tmp_path, [SCHEMA_CTX["@context"], {"ex": "http://example.org/"}], "inline.jsonld")
    got = read_quads(remote, allow_contexts=[f"{server.base}/ctx/"])
    assert set(got) == set(read_quads(inline)) == {Quad(NamedNode(SUBJECT), NamedNode(NAME), Literal("x"))}


@pytest.mark.parametrize("route, message", [
    ("loop.jsonld", "JSON-LD context loop: 'loop.jsonld' includes itself"),
    ("not-json.jsonld", "JSON-LD context {base}/ctx/not-json.jsonld is not JSON"),
    ("no-context.jsonld", "JSON-LD context {base}/ctx/no-context.jsonld has no top-level @context"),
])
def test_broken_remote_contexts_are_input_errors(server, tmp_path, route, message):
    doc = document(tmp_path, f"{server.base}/ctx/{route}")
    with pytest.raises(InputError) as e:
        read_quads(doc, allow_contexts=[f"{server.base}/ctx/"])
    assert str(e.value).startswith(f"{doc}: " + message.format(base=server.base))


def test_contexts_in_the_input_folder_are_read_and_others_refused(tmp_path):
    (tmp_path / "contexts").mkdir()
    (tmp_path / "contexts" / "schema.jsonld").write_text(json.dumps(SCHEMA_CTX))
    for ref in ("contexts/schema.jsonld", "./contexts/../contexts/schema.jsonld",
                (tmp_path / "contexts" / "schema.jsonld").as_uri()):
        assert names_in(document(tmp_path, ref)) == {"x"}, ref
    (tmp_path / "input").mkdir()
    doc = document(tmp_path / "input", "../contexts/schema.jsonld")
    with pytest.raises(InputError) as e:
        read_quads(doc)
    assert str(e.value) == (f"{doc}: JSON-LD context '../contexts/schema.jsonld' is outside the input's folder; "
                            "refused (copy it next to the file)")
    # a symlink in the folder pointing outside it is outside too
    (tmp_path / "input" / "link.jsonld").symlink_to(tmp_path / "contexts" / "schema.jsonld")
    doc = document(tmp_path / "input", "link.jsonld")
    with pytest.raises(InputError, match="is outside the input's folder"):
        read_quads(doc)


def test_scoped_contexts_are_resolved_and_remote_base_is_dropped(tmp_path):
    (tmp_path / "based.jsonld").write_text(json.dumps({"@context": {"@base": "http://evil.example/",
                                                                    "name": NAME}}))
    doc = tmp_path / "doc.jsonld"
    doc.write_text(json.dumps({
        "@context": {"knows": {"@id": "http://schema.org/knows", "@context": "based.jsonld"}},
        "@id": SUBJECT, "knows": {"@id": "http://example.org/o", "name": "z"}}))
    inlined = json.loads(inline_contexts(doc, doc.read_bytes()))
    assert inlined["@context"] == {"knows": {"@id": "http://schema.org/knows", "@context": {"name": NAME}}}
    triples = {(q.subject.value, q.predicate.value, q.object.value) for q in parse(input=json.dumps(inlined).encode(),
                                                                                   format=RdfFormat.JSON_LD)}
    assert triples == {(SUBJECT, "http://schema.org/knows", "http://example.org/o"),
                       ("http://example.org/o", NAME, "z")}


def test_documents_without_references_are_left_to_the_parser(tmp_path):
    doc = document(tmp_path, {"name": NAME})
    assert inline_contexts(doc, doc.read_bytes()) is None
    assert names_in(doc) == {"x"}


def test_prefix_rules():
    assert is_allowed("https://a.org/ctx/v1.jsonld", ["https://a.org/ctx"])
    assert is_allowed("https://a.org/ctx", ["https://a.org/ctx"])
    assert not is_allowed("https://a.org/ctx-evil", ["https://a.org/ctx"])
    assert not is_allowed("https://a.org.evil.com/", ["https://a.org"])
    assert check_allowed_prefixes(["https://a.org/"]) == ["https://a.org/"]
    with pytest.raises(InputError):
        check_allowed_prefixes(["https://"])



def test_deep_document_within_the_nesting_limit_is_resolved_not_an_internal_error(tmp_path):
    # 998 levels of objects under a context array: the inliner walks them (json and the walk recurse per level)
    depth = 998
    body = '{"a": ' * depth + '"leaf"' + "}" * depth
    doc = tmp_path / "deep.jsonld"
    doc.write_text('{"@context": ["ctx.jsonld"], "@id": "http://example.org/s", "a": ' + body + "}")
    (tmp_path / "ctx.jsonld").write_text(json.dumps({"@context": {"a": "http://example.org/a"}}))
    p = jasic("stats", "--data", doc)
    assert p.returncode == 0, p.stderr
    quads = read_quads(doc)
    assert len(quads) == depth + 1  # one link per level and the leaf literal
    assert Literal("leaf") in {q.object for q in quads}


def test_a_non_string_import_is_left_for_the_parser_to_refuse(tmp_path):
    (tmp_path / "ctx.jsonld").write_text(json.dumps(SCHEMA_CTX))
    doc = tmp_path / "doc.jsonld"
    doc.write_text(json.dumps({"@context": [{"@version": 1.1, "@import": 5}, "ctx.jsonld"], "@id": SUBJECT}))
    with pytest.raises(InputError) as e:
        read_quads(doc)
    assert str(e.value) == f"{doc}: @import must be a string"


@pytest.mark.parametrize("url", [
    "https://a.org/ctx/../evil.jsonld",
    "https://a.org/ctx/./../evil.jsonld",
    "https://a.org/ctx/%2e%2e/evil.jsonld",
    "https://a.org/ctx/%2E%2E/evil.jsonld",
    "https://a.org/ctx/..%2fevil.jsonld",
    "https://a.org/ctx/..%5cevil.jsonld",
    "https://a.org:8443/ctx/v1.jsonld",
    "http://a.org/ctx/v1.jsonld",
])
def test_allow_context_is_not_escaped_by_dot_segments_encodings_or_ports(url):
    assert not is_allowed(url, ["https://a.org/ctx/"])


def test_allow_context_compares_normalised_urls():
    assert is_allowed("https://A.org:443/ctx/./v1/../v2.jsonld", ["https://a.org/ctx"])
    assert is_allowed("https://a.org/ctx/", ["https://a.org/ctx"])


@pytest.mark.parametrize("name, location", [("redirect-dots", "/ctx/../outside/schema.jsonld"),
                                            ("redirect-encoded", "/ctx/%2e%2e/outside/schema.jsonld")])
def test_redirect_escaping_by_dot_segments_is_not_followed(server, tmp_path, name, location):
    doc = document(tmp_path, f"{server.base}/ctx/{name}.jsonld")
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 2, p.stderr
    assert "redirects to " + f"{server.base}{location}" in p.stderr and "Traceback" not in p.stderr
    assert server.requests == [f"/ctx/{name}.jsonld"]


@pytest.mark.parametrize("ref", ["/ctx/../outside/schema.jsonld", "/ctx/%2e%2e/outside/schema.jsonld",
                                 "/ctx/..%2foutside/schema.jsonld"])
def test_direct_reference_escaping_by_dot_segments_is_not_fetched(server, tmp_path, ref):
    doc = document(tmp_path, f"{server.base}{ref}")
    p = jasic("stats", "--data", doc, "--allow-context", f"{server.base}/ctx/")
    assert p.returncode == 2, p.stderr
    assert "is not fetched (allow its prefix with --allow-context)" in p.stderr
    assert server.requests == []
