"""Real triplestores for the tests, each on 127.0.0.1 and a free port chosen at run time (several test runs share
the machine), each stopped at the end:

- `oxigraph_server`: Oxigraph's server (the `oxigraph` package of the test extras), writable (/query, /update,
  /store); `start_oxigraph(folder, files)` starts one more, e.g. one that a test kills.
- `virtuoso_server`: OpenLink Virtuoso 7 (Debian's `virtuoso-opensource`, `virtuoso-t`), with its database in
  tmp_path and a test user allowed SPARQL updates (digest auth on /sparql-auth and /sparql-graph-crud-auth).
  Skipped with the reason printed only where the package cannot be had (.ci/run installs it).

Import the fixtures into a test module: `from tests.servers import oxigraph_server, virtuoso_server`.
"""

from __future__ import annotations

import http.server
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

START_TIMEOUT = 60.0  # seconds a server may take to answer its first request


def serve_in_thread(handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.ThreadingHTTPServer:
    """A small HTTP server of the tests' own on a free loopback port, answering with `handler` from a thread;
    shutdown() returns at once (a 20 ms poll, not http.server's 0.5 s)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path | None = None) -> None:
    """Until `url` answers (any HTTP status), the process dies or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}\n{tail}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError(f"{url} did not answer within {START_TIMEOUT:g} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# --- Oxigraph server ----------------------------------------------------------------------------------------

@dataclass
class Oxigraph:
    base: str  # http://127.0.0.1:PORT
    proc: subprocess.Popen

    @property
    def query(self) -> str:
        return self.base + "/query"

    @property
    def update(self) -> str:
        return self.base + "/update"

    @property
    def store(self) -> str:
        return self.base + "/store"


def oxigraph_exe() -> str:
    # The server comes with the test extras ('.[test]'), in the same environment as this Python.
    exe = Path(sys.executable).parent / "oxigraph"
    assert exe.exists(), "the oxigraph server is not installed: pip install '.[test]'"
    return str(exe)


def start_oxigraph(folder: Path, files=(), *, read_only: bool = False) -> Oxigraph:
    """An Oxigraph server over a database in `folder`, first loaded with `files` (into the default graph)."""
    exe = oxigraph_exe()
    if files:
        subprocess.run([exe, "load", "--location", str(folder), "--file", *map(str, files)], check=True,
                       capture_output=True, timeout=120)
    port = free_port()
    command = "serve-read-only" if read_only else "serve"
    proc = subprocess.Popen([exe, command, "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Oxigraph(f"http://127.0.0.1:{port}", proc)
    _wait_http(server.query + "?query=ASK%7B%7D", proc)
    return server


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    """An empty, writable Oxigraph server for the module's tests."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"))
    yield server
    stop(server.proc)


# --- Virtuoso -----------------------------------------------------------------------------------------------

VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 4
ServerThreads = 4
Charset = UTF-8

[SPARQL]
; Virtuoso's default caps every result at 10000 rows (the shipped graph has more triples than that)
ResultSetMaxRows = 5000000
MaxSortedTopRows = 5000000
MaxQueryExecutionTime = 300
"""


@dataclass
class Virtuoso:
    base: str
    proc: subprocess.Popen
    user: str
    password: str = field(repr=False)
    isql: list[str] = field(default_factory=list, repr=False)

    @property
    def query(self) -> str:
        return self.base + "/sparql"

    def sql(self, statement: str) -> str:
        """Run SQL through isql-vt as dba (the password stays out of the process list: isql reads it on stdin)."""
        return subprocess.run(self.isql, input=f"{statement}\n", capture_output=True, text=True, check=True,
                              timeout=60).stdout


def virtuoso_missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    for exe in ("virtuoso-t", "isql-vt"):
        if shutil.which(exe) is None:
            return f"{exe} not found: the Debian package virtuoso-opensource is not installed (.ci/run installs it)"
    return None


def start_virtuoso(db: Path) -> Virtuoso:
    """Virtuoso with its database in `db` (created), a test user with a random password allowed SPARQL updates."""
    db.mkdir(parents=True, exist_ok=True)
    vsp = db / "vsp"
    vsp.mkdir(exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port, vsp=vsp))
    proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=db,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait_http(base + "/sparql?query=ASK%7B%7D", proc, db / "virtuoso.log")
        # isql-vt HOST:PORT USER PASSWORD: a fresh database's dba password is "dba" (loopback only, deleted after)
        server = Virtuoso(base, proc, "jasic-test", secrets.token_urlsafe(12),
                          ["isql-vt", f"127.0.0.1:{sql_port}", "dba", "dba"])
        server.sql(f"DB.DBA.USER_CREATE('{server.user}', '{server.password}');\n"
                   f'GRANT SPARQL_UPDATE TO "{server.user}";')
    except BaseException:
        stop(proc)
        raise
    return server


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    reason = virtuoso_missing()
    if reason:
        print(f"skipping Virtuoso: {reason}")
        pytest.skip(reason)
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    stop(server.proc)
