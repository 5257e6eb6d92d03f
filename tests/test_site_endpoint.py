"""`jasic-kg site --endpoint URL`: the site built from a real SPARQL server (Oxigraph, from the test extra)
holding the shipped graph is the site built from the local graph, byte for byte."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from jasic_kg.cli import cli
from jasic_kg.store import shipped_files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    exe = str(Path(sys.executable).parent / "oxigraph")
    assert Path(exe).exists(), "the oxigraph server is not installed: pip install '.[test]'"
    loc = tmp_path_factory.mktemp("oxigraph-site")
    subprocess.run([exe, "load", "--location", str(loc), "--file", *map(str, shipped_files())], check=True,
                   capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen([exe, "serve-read-only", "--location", str(loc), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/query"
    finally:
        proc.terminate()
        proc.wait(10)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_site_from_an_endpoint_is_the_site_from_the_local_graph(endpoint, tmp_path):
    runner = CliRunner()
    local = runner.invoke(cli, ["site", "-o", str(tmp_path / "local")])
    remote = runner.invoke(cli, ["site", "-o", str(tmp_path / "remote"), "--endpoint", endpoint])
    assert local.exit_code == 0 and remote.exit_code == 0, (local.output, remote.output)
    a, b = files(tmp_path / "local"), files(tmp_path / "remote")
    assert sorted(a) == sorted(b) and len(a) == 470
    assert [name for name in a if a[name] != b[name]] == []
