"""The query-text guards see what the SPARQL parser sees, and a fractional --timeout is a timeout.

An IRI holding a codepoint escape ('<http://x/\\u0041'>') used to hide the rest of the query from the lexical
scanner, so a SERVICE clause ran without --allow-service and the nesting guard was skipped. Loopback only.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time

EXE = [sys.executable, "-m", "jasic_kg"]
SERVICE_OFF = ("jasic-kg: error: SERVICE is off: jasic-kg does not contact other endpoints from a local query "
               "(--allow-service enables it)")


def run(*args, timeout=60):
    return subprocess.run([*EXE, *args], capture_output=True, timeout=timeout)


def test_an_escape_in_an_iri_no_longer_hides_a_service_clause():
    query = ("SELECT * WHERE { ?s ?p <http://x/\\u0041'> . "
             "SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } } #'")
    r = run("query", "--sparql", query)
    assert r.returncode == 2 and r.stderr.decode().strip() == SERVICE_OFF


def test_a_keyword_spelt_with_escapes_is_still_a_keyword():
    r = run("query", "--sparql", "SELECT * WHERE { SERVI\\u0043E <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert r.returncode == 2 and r.stderr.decode().strip() == SERVICE_OFF


def test_service_inside_a_string_is_only_text():
    # the string holds an escaped quote; the parser reads one string, and so does the guard
    r = run("query", "--format", "csv", "--sparql",
            'SELECT ?y WHERE { BIND("a\\u0022) SERVICE <http://127.0.0.1:9/sparql> { } BIND(\\u0022b" AS ?y) }')
    assert r.returncode == 0, r.stderr
    # one value, CSV-quoted: a") SERVICE <http://127.0.0.1:9/sparql> { } BIND("b
    assert r.stdout.decode().splitlines() == ["y", '"a"") SERVICE <http://127.0.0.1:9/sparql> { } BIND(""b"']


def test_the_nesting_guard_is_not_skipped_behind_an_escaped_iri():
    query = "SELECT * WHERE { ?s ?p <http://x/\\u0041'> . " + "{ " * 1500 + "}" * 1500 + " }"
    r = run("query", "--sparql", query)
    assert r.returncode == 2
    assert "over the limit of 1000" in r.stderr.decode()


def test_a_fractional_timeout_bounds_an_endpoint_that_never_answers():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    accepted = []

    def accept():  # accept and hold the connection without answering
        server.settimeout(20)
        try:
            conn, _ = server.accept()
            accepted.append(conn)
        except OSError:
            pass

    threading.Thread(target=accept, daemon=True).start()
    try:
        t = time.monotonic()
        r = run("query", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--timeout", "0.5",
                "--sparql", "ASK {}", timeout=30)
        elapsed = time.monotonic() - t
    finally:
        for c in accepted:
            c.close()
        server.close()
    assert r.returncode == 3, r.stderr
    assert elapsed < 15  # 0.5 s per attempt and the client's retries, not "no timeout" (int(0.5) == 0 before)
