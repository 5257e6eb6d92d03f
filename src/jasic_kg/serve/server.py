"""The processes of `jasic-kg serve`: the Oxigraph child (in memory, on an internal loopback port, the graph
loaded through its Graph Store endpoint) and the public front's HTTP server, started and stopped together."""

from __future__ import annotations

import contextlib
import http.client
import math
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from jasic_kg.errors import InputError, NetworkError
from jasic_kg.serve.front import NTRIPLES, Front, make_handler

DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT = 30.0  # seconds a query may run
STARTUP_TIMEOUT = 30.0  # seconds for the Oxigraph server to answer after it starts


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
            allow_non_loopback: bool = False, shipped_only: bool = True, site: dict | None = None):
    """Serve `store` (a LocalStore) until the block ends: yields the HTTP server (its `url`, `oxigraph_pid`);
    the caller runs serve_forever(). The Oxigraph child and the temporary folder are gone afterwards. `site`:
    a built site's files (pages.site_files), served at their own paths."""
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
                      shipped_only=shipped_only, site=site)
        httpd.RequestHandlerClass = make_handler(front)
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
