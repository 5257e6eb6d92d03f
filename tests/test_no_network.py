"""No implicit network or file access: a listener on a loopback port must receive nothing.

Remote JSON-LD contexts (and @import) are never fetched, owl:imports is never followed, XML external entities
are never loaded, and SPARQL SERVICE in a local query is off unless --allow-service is given (the positive
control: with it, the listener does get the request, so the listener would have seen the others).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # hardening: a local server per test

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "jasic-kg"
CLI = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "jasic_kg"]
ENV = dict(os.environ, JASIC_KG_CACHE="0")


class Listener:
    """A TCP server on 127.0.0.1 that records every connection (and the first bytes sent)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                self.received.append(data or b"(connected)")
                try:  # answer like a broken server so a client does not wait
                    conn.sendall(b"HTTP/1.1 500 no\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    pass

    def url(self, path="x"):
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def jasic(*args, timeout=60):
    return subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=ENV,
                          cwd=REPO)


def assert_quiet(listener, p, codes=(2,)):
    time.sleep(0.3)  # a late connection would still be recorded
    assert listener.received == [], listener.received
    assert "Traceback" not in p.stdout + p.stderr, p.stderr
    assert p.returncode in codes, (p.returncode, p.stdout[-1000:], p.stderr)


FILE_COMMANDS = [["stats"], ["validate"], ["validate", "--engine", "pyshacl"], ["export", "--format", "jsonld"],
                 ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"]]


@pytest.mark.parametrize("cmd", FILE_COMMANDS, ids=" ".join)
def test_remote_jsonld_context_is_not_fetched(listener, tmp_path, cmd):
    doc = tmp_path / "remote.jsonld"
    doc.write_text('{"@context": "%s", "@id": "http://example.org/s", "name": "x"}' % listener.url("ctx"))
    p = jasic(*cmd, "--data", doc)
    assert_quiet(listener, p)
    assert "remote.jsonld" in p.stdout + p.stderr
    assert "not fetched" in p.stdout + p.stderr


def test_jsonld_import_and_nested_contexts_are_not_fetched(listener, tmp_path):
    cases = {
        "import.jsonld": '{"@context": {"@version": 1.1, "@import": "%s"}, "@id": "http://example.org/s"}',
        "array.jsonld": '{"@context": [{"ex": "http://example.org/"}, "%s"], "@id": "http://example.org/s"}',
        "scoped.jsonld": '{"@context": {"p": {"@id": "http://example.org/p", "@context": "%s"}}, '
                         '"@id": "http://example.org/s", "p": {"@id": "http://example.org/o"}}',
    }
    for name, template in cases.items():
        doc = tmp_path / name
        doc.write_text(template % listener.url("ctx"))
        assert_quiet(listener, jasic("stats", "--data", doc))


def test_file_context_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "ctx.jsonld").write_text('{"@context": {"name": "http://schema.org/name"}}')
    folder = tmp_path / "input"
    folder.mkdir()
    doc = folder / "doc.jsonld"
    for ref in ((outside / "ctx.jsonld").as_uri(), "file:///etc/passwd", "../elsewhere/ctx.jsonld"):
        doc.write_text('{"@context": "%s", "@id": "http://example.org/s", "name": "x"}' % ref)
        p = jasic("stats", "--data", doc)
        assert p.returncode == 2, p.stderr
        assert "doc.jsonld" in p.stderr and "Traceback" not in p.stderr
        assert "root:" not in p.stdout + p.stderr  # nothing of /etc/passwd leaks into a message


@pytest.mark.parametrize("cmd", [["validate"], ["validate", "--engine", "pyshacl"], ["stats"],
                                 ["export", "--format", "turtle"]], ids=" ".join)
def test_owl_imports_is_not_followed(listener, tmp_path, cmd):
    ttl = tmp_path / "imports.ttl"
    ttl.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                   f"<http://example.org/onto> a owl:Ontology ; owl:imports <{listener.url('x')}> .\n")
    assert_quiet(listener, jasic(*cmd, "--data", ttl), codes=(0, 1))


def test_xml_external_entities_are_not_loaded(listener, tmp_path):
    for target in (listener.url("entity"), "file:///etc/hostname"):
        rdf = tmp_path / "xxe.rdf"
        rdf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{target}">]>\n'
                       '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
                       '<rdf:Description rdf:about="http://e/s"><e:p>&x;</e:p></rdf:Description></rdf:RDF>\n')
        assert_quiet(listener, jasic("stats", "--data", rdf))
        rdf.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{target}">\n'
                       '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n')
        assert_quiet(listener, jasic("stats", "--data", rdf), codes=(0, 2))


def test_service_is_off_in_local_queries(listener):
    q = f"SELECT * WHERE {{ SERVICE <{listener.url('sparql')}> {{ ?s ?p ?o }} }}"
    p = jasic("query", q)
    assert_quiet(listener, p)
    assert "SERVICE is off" in p.stderr
    # lower case, SERVICE SILENT, inside a subquery: same
    for q in (f"select * where {{ service silent <{listener.url('sparql')}> {{ ?s ?p ?o }} }}",
              f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{listener.url('s')}> {{ ?s ?p ?o }} }} }} }}",
              f"ASK {{ SERVICE <{listener.url('sparql')}> {{ ?s ?p ?o }} }}"):
        assert_quiet(listener, jasic("query", q))


def test_allow_service_really_contacts_the_endpoint(listener):
    """Positive control: the listener does see a request when the user allows SERVICE."""
    q = f"SELECT * WHERE {{ SERVICE <{listener.url('sparql')}> {{ ?s ?p ?o }} }}"
    p = jasic("query", q, "--allow-service", "--timeout", "20")
    time.sleep(0.3)
    assert listener.received and b"POST /sparql" in listener.received[0]
    assert "Traceback" not in p.stderr and p.returncode in (0, 2)


def test_service_word_in_strings_iris_and_comments_is_not_a_service(listener):
    q = ('SELECT * WHERE { ?s ?p "SERVICE" . ?s ?p <http://example.org/SERVICE> } LIMIT 1 # SERVICE <x> {}')
    assert_quiet(listener, jasic("query", q), codes=(0,))


def test_from_and_load_do_not_fetch(listener):
    p = jasic("query", f"SELECT * FROM <{listener.url('g')}> WHERE {{ ?s ?p ?o }} LIMIT 1")
    assert_quiet(listener, p, codes=(0,))
    p = jasic("query", f"LOAD <{listener.url('g')}>")
    assert_quiet(listener, p)


def test_endpoint_syntax_check_does_not_run_service_locally(listener):
    """--endpoint checks the query locally first; that check must not evaluate a SERVICE clause here."""
    other = Listener()
    try:
        q = f"ASK {{ SERVICE <{other.url('sparql')}> {{ ?s ?p ?o }} }}"
        p = jasic("query", q, "--endpoint", listener.url("sparql"), "--timeout", "5")
        time.sleep(0.3)
        assert other.received == []
        assert "Traceback" not in p.stderr and p.returncode in (2, 3), p.stderr
    finally:
        other.close()


def test_link_export_is_offline_and_link_check_contacts_only_its_endpoint(listener):
    """`link export` sends nothing; `link check --endpoint` sends its one request to that endpoint only, with the
    project's User-Agent (the positive control), and the listener's HTTP 500 is one line and exit 3."""
    assert_quiet(listener, jasic("link", "export", "--format", "rdf"), codes=(0,))
    p = jasic("link", "check", "--endpoint", listener.url("sparql"), "--no-cache", "--timeout", "5")
    time.sleep(0.3)
    assert len(listener.received) == 1 and listener.received[0].startswith(b"GET /sparql?query=")
    assert b"User-Agent: jasic-kg/" in listener.received[0]
    assert p.returncode == 3 and p.stderr == f"jasic-kg: error: {listener.url('sparql')}: HTTP 500 no\n"
