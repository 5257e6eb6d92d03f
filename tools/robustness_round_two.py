"""The cases of issue 9 ("what an attacker, a root shell and a flaky server still break") for tools/robustness.py.

Each case is a CLI run with an expected exit code and, where it matters, the start of its last stderr line.
Hostile servers are threads of this process on 127.0.0.1 (port 0); the CLI runs are subprocesses.
"""

from __future__ import annotations

import http.server
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "sources" / \
    "zhang-2020-leninists-in-a-chinese-factory.txt"


@dataclass
class Case:
    name: str
    args: list[str]
    expect: int  # the exit code
    stderr: str = ""  # the last stderr line starts with this
    env: dict = field(default_factory=dict)
    stdin: str | None = None  # a path opened as standard input
    interrupt_after: float | None = None  # send SIGINT after this many seconds


# --- hostile servers ------------------------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict = {}

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.routes[self.path](self)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *a):
        pass


def _send(status, body=b"", headers=()):
    def reply(h):
        h.send_response(status)
        for k, v in headers:
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return reply


def _trickle_body(h):
    h.send_response(200)
    h.send_header("Content-Type", "application/sparql-results+json")
    h.end_headers()
    try:
        for _ in range(100):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


def _endless_body(h):
    h.send_response(200)
    h.send_header("Content-Type", "text/turtle")
    h.end_headers()
    chunk = b"# " + b"x" * 65533 + b"\n"
    try:
        for _ in range(40_000):  # up to 2.6 GB: the byte cap must stop it
            h.wfile.write(chunk)
    except OSError:
        pass


def _clique(n=12) -> bytes:
    return "".join(f"_:b{i} <http://example.org/p> _:b{j} .\n" for i in range(n) for j in range(n) if i != j).encode()


class Servers:
    """An HTTP server with hostile routes, a socket that trickles its headers, one that never accepts."""

    def __init__(self):
        _Handler.routes = {
            "/trickle": _trickle_body,
            "/endless": _endless_body,
            "/array": _send(200, b"[]", [("Content-Type", "application/sparql-results+json")]),
            "/deep": _send(200, b"[" * 100_000 + b"]" * 100_000, [("Content-Type", "application/sparql-results+json")]),
            "/redirect": _send(302, headers=[("Location", "http://127.0.0.1:9/elsewhere")]),
            "/clique": _send(200, _clique(), [("Content-Type", "text/turtle")]),
            "/busy": _send(503, headers=[("Retry-After", "Thu, 01 Jan 2099 00:00:00 GMT")]),
        }
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.http.daemon_threads = True
        threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.http.server_address[1]}"

        self.stop = threading.Event()
        self.slow = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._slow_headers, daemon=True).start()

        self.full = socket.socket()
        self.full.bind(("127.0.0.1", 0))
        self.full.listen(0)
        self.fillers = []
        for _ in range(4):  # fill its accept queue: further connects never complete
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(self.full.getsockname())
            self.fillers.append(s)

    def _slow_headers(self):
        self.slow.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.slow.accept()
            except OSError:
                continue
            threading.Thread(target=self._trickle_headers, args=(conn,), daemon=True).start()

    def _trickle_headers(self, conn):
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
                for _ in range(300):
                    if self.stop.is_set():
                        return
                    conn.sendall(b"a")
                    time.sleep(0.2)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.http.shutdown()
        for s in [self.slow, self.full, *self.fillers]:
            s.close()


# --- the cases ------------------------------------------------------------------------------------------------

def cases(folder: Path, servers: Servers) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    clique = folder / "clique.nt"
    clique.write_bytes(_clique())
    chain = folder / "chain-200k.nt"
    chain.write_text("".join(f"_:b{i} <http://example.org/p> _:b{i + 1} .\n" for i in range(200_000)))
    nested = folder / "triple-terms-999.ttl"
    inner = "_:b"
    for _ in range(999):
        inner = f"<<( _:b <http://example.org/p> {inner} )>>"
    nested.write_text(f"_:a <http://example.org/p> {inner} .\n")
    zero = folder / "zero-link.rq"
    zero.symlink_to("/dev/zero")
    zero_text = folder / "zero-link.txt"
    zero_text.symlink_to("/dev/zero")
    zero_jsonld = folder / "zero-link.jsonld"
    zero_jsonld.symlink_to("/dev/zero")
    fifo = folder / "fifo.ttl"
    os.mkfifo(fifo)
    fifo_txt = folder / "fifo.txt"
    os.mkfifo(fifo_txt)
    huge = folder / "huge.rq"
    with huge.open("wb") as f:
        f.truncate(4 << 30)  # sparse
    big = folder / "big.nt"  # over the cache's 2 MiB threshold
    big.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i:080d}" .\n' for i in range(25_000)))
    ro_cache = folder / "not-a-folder"
    ro_cache.write_text("a file where the cache folder would be")
    source = str(REFERENCE) if REFERENCE.is_file() else str(folder / "missing-source.txt")
    select = ["--sparql", "SELECT * WHERE { ?s ?p ?o }"]
    construct = ["--sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"]
    b = servers.base
    slow = f"http://127.0.0.1:{servers.slow.getsockname()[1]}/sparql"
    full = f"http://127.0.0.1:{servers.full.getsockname()[1]}/sparql"
    not_canonical = "jasic-kg: warning: blank-node labels are NOT canonical"
    return [
        # item 3: blank-node canonicalisation
        Case("clique of 12 blank nodes", ["export", "--format", "nt", "--data", str(clique)], 0, not_canonical),
        Case("chain of 200,000 blank nodes", ["export", "--format", "nt", "--data", str(chain)], 0, not_canonical),
        Case("Ctrl-C while labelling", ["export", "--format", "nt", "--data", str(chain)], 130,
             "jasic-kg: interrupted", interrupt_after=3),
        Case("CONSTRUCT answer: a clique", ["query", "--endpoint", b + "/clique", "--format", "nt", *construct], 0,
             not_canonical),
        Case("triple terms 999 deep", ["export", "--format", "nq", "--data", str(nested)], 0),
        Case("triple terms as JSON-LD", ["export", "--format", "jsonld", "--data", str(nested)], 2,
             "jasic-kg: error: JSON-LD cannot hold triple terms"),
        # item 4: remote reads
        Case("trickled body", ["query", "--endpoint", b + "/trickle", "--timeout", "1", *select], 3,
             f"jasic-kg: error: {b}/trickle: no complete response within 1 s"),
        Case("trickled headers", ["query", "--endpoint", slow, "--timeout", "1", *select], 3,
             f"jasic-kg: error: {slow}: no response within 1 s"),
        Case("connect never completes", ["query", "--endpoint", full, "--timeout", "1", *select], 3,
             f"jasic-kg: error: {full}: no response within 1 s"),
        Case("--timeout 0.5", ["query", "--endpoint", b + "/trickle", "--timeout", "0.5", *select], 3,
             f"jasic-kg: error: {b}/trickle: no complete response within 0.5 s"),
        Case("2.6 GB body", ["query", "--endpoint", b + "/endless", *construct], 3,
             f"jasic-kg: error: {b}/endless: response larger than"),
        Case("JSON result []", ["query", "--endpoint", b + "/array", *select], 3,
             f"jasic-kg: error: {b}/array: malformed SPARQL JSON results"),
        Case("JSON nested 100k deep", ["query", "--endpoint", b + "/deep", *select], 3,
             f"jasic-kg: error: {b}/deep: malformed SPARQL JSON results"),
        Case("302 to another port", ["query", "--endpoint", b + "/redirect", *select], 3,
             f"jasic-kg: error: {b}/redirect: redirect (HTTP 302)"),
        Case("503, Retry-After far away", ["query", "--endpoint", b + "/busy", *select], 3,
             f"jasic-kg: error: {b}/busy: HTTP 503"),
        # item 6: the cache
        Case("no writable cache folder", ["stats", "--data", str(big)], 0,
             env={"JASIC_KG_CACHE": "1", "JASIC_KG_CACHE_DIR": str(ro_cache / "jasic-kg")}),
        Case("cache list", ["cache", "list", "--cache-dir", str(folder / "cache")], 0),
        Case("cache clear", ["cache", "clear", "--cache-dir", str(folder / "cache")], 0),
        Case("bad cache size limit", ["stats", "--data", str(big)], 2, "jasic-kg: error: JASIC_KG_CACHE_MAX_BYTES",
             env={"JASIC_KG_CACHE": "1", "JASIC_KG_CACHE_DIR": str(folder / "cache2"),
                  "JASIC_KG_CACHE_MAX_BYTES": "lots"}),
        # item 7: unbounded reads and FIFOs
        Case("--source /dev/zero", ["evidence", "verify", "--source", str(zero_text)], 2,
             f"jasic-kg: error: {zero_text}: more than --max-bytes"),
        Case("--exclusions /dev/zero", ["evidence", "coverage", "--source", source, "--exclusions", str(zero_text)], 2,
             f"jasic-kg: error: {zero_text}: more than --max-bytes"),
        Case("--exclusions FIFO, no writer", ["evidence", "coverage", "--source", source, "--exclusions",
                                              str(fifo_txt)], 1),
        Case("--source FIFO, no writer", ["evidence", "verify", "--source", str(fifo_txt)], 1),  # read as empty
        Case(".rq symlink to /dev/zero", ["query", str(zero)], 2, f"jasic-kg: error: {zero}: not a regular file"),
        Case(".jsonld symlink to /dev/zero", ["stats", "--data", str(zero_jsonld)], 2,
             f"jasic-kg: error: {zero_jsonld}: not a regular file"),
        Case("--data FIFO, no writer", ["stats", "--data", str(fifo)], 2, f"jasic-kg: error: {fifo}: not a regular"),
        Case("query - from /dev/zero", ["query", "-"], 2, "jasic-kg: error: <stdin>: query is over the limit",
             stdin="/dev/zero"),
        Case("--data - from /dev/zero", ["stats", "--data", "-"], 2, "jasic-kg: error: <stdin>: ",
             stdin="/dev/zero"),
        Case("4 GB sparse query file", ["query", str(huge)], 2,
             f"jasic-kg: error: {huge}: query is {4 << 30} bytes, over the limit of 1048576"),
        # item 8: smaller ones
        Case("stats > /dev/full", ["stats", "-o", "/dev/full"], 2, "jasic-kg: error: "),
        Case("-o name over 255 bytes", ["stats", "-o", str(folder / ("n" * 300 + ".txt"))], 2, "jasic-kg: error: "),
        Case("--param year=٢٠١٨", ["query", "cq21-events-2018", "--param", "year=٢٠١٨"], 2, "jasic-kg: error: "),
        Case("cartesian product, memory bound", ["query", "--format", "csv", "--sparql",
                                                 "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"], 2,
             "jasic-kg: error: the query was stopped: it took over 300 MB", env={"JASIC_KG_MAX_MEMORY_MB": "300"}),
        Case("bad memory limit", ["query", "--sparql", "ASK { ?s ?p ?o }"], 2,
             "jasic-kg: error: JASIC_KG_MAX_MEMORY_MB must be", env={"JASIC_KG_MAX_MEMORY_MB": "lots"}),
    ]


__all__ = ["Case", "Servers", "cases"]
