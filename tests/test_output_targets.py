"""Where output goes: special files are written in place, never replaced; bad targets are one line and exit 2.

Everything runs as root in containers and CI: renaming a temporary file over /dev/null would destroy it for the
whole machine. Each test works in its own temporary folder (a device node made there with mknod), bounded in time.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "jasic_kg"]


def run(*args, timeout=60, **kw):
    return subprocess.run([*EXE, *args], capture_output=True, timeout=timeout, **kw)


def stats_bytes() -> bytes:
    return run("stats").stdout


def test_dash_means_standard_output(tmp_path):
    r = run("stats", "-o", "-", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout == stats_bytes()
    assert not (tmp_path / "-").exists()


def test_a_symlink_is_followed_to_its_target(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target.name)
    r = run("stats", "-o", str(link))
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == "target.txt"
    assert target.read_bytes() == stats_bytes()


def test_a_fifo_is_written_in_place(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got = {}

    def reader():
        with open(fifo, "rb") as f:
            got["data"] = f.read()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    time.sleep(0.2)  # the reader is waiting on the FIFO
    r = run("stats", "-o", str(fifo))
    t.join(30)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert got["data"] == stats_bytes()


def test_a_fifo_nobody_reads_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("stats", "-o", str(fifo), timeout=30)
    assert r.returncode == 2
    assert r.stderr.decode().strip() == f"jasic-kg: error: {fifo}: a FIFO with no reader; start the reader first"
    assert stat.S_ISFIFO(fifo.stat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_a_character_device_is_written_not_replaced(tmp_path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the same device as /dev/null
    r = run("export", "--format", "nt", "-o", str(null))
    assert r.returncode == 0, r.stderr
    st = null.stat()
    assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_full_device_is_a_clean_error(tmp_path):
    r = run("stats", "-o", "/dev/full")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "jasic-kg: error: /dev/full: cannot write: No space left on device"
    with open("/dev/full", "wb") as full:
        r = subprocess.run([*EXE, "stats"], stdout=full, stderr=subprocess.PIPE, timeout=60)
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "jasic-kg: error: cannot write the output: No space left on device"


def test_a_file_name_longer_than_255_bytes_is_a_clean_error(tmp_path):
    r = run("stats", "-o", str(tmp_path / ("a" * 300)))
    assert r.returncode == 2
    assert r.stderr.decode().strip() == f"jasic-kg: error: {'a' * 40}…: file name longer than 255 bytes"


def test_ctrl_c_exits_130_with_one_line_and_no_output_file(tmp_path):
    out = tmp_path / "out.csv"
    # a cartesian product that runs for minutes; SIGINT arrives while it runs
    p = subprocess.Popen([*EXE, "query", "--format", "csv", "-o", str(out), "--sparql",
                          "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
    time.sleep(3)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=30)
    assert p.returncode == 130
    assert err.decode().strip() == "jasic-kg: interrupted"
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary one


def test_non_ascii_digits_are_not_an_integer():
    r = run("query", "cq21-events-2018", "--param", "year=٢٠١٨")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == ("jasic-kg: error: parameter year (xsd:integer): not a valid xsd:integer: "
                                         "'٢٠١٨'")


# --- inputs are read with a cap, whatever the path is (issue: `evidence verify --source /dev/zero`) -----------

@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", ["verify", "coverage"])
def test_a_source_that_never_ends_is_read_up_to_the_cap(tmp_path, command):
    link = tmp_path / "article.txt"
    link.symlink_to("/dev/zero")
    r = run("evidence", command, "--source", str(link), "--max-bytes", "4096", timeout=60)
    assert r.returncode == 2
    assert r.stderr.decode().strip() == f"jasic-kg: error: {link}: more than --max-bytes (4096 bytes)"


def test_a_large_source_file_is_refused_by_its_size(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    r = run("evidence", "verify", "--source", str(big), "--max-bytes", "4096")
    assert r.returncode == 2
    assert r.stderr.decode().strip() == f"jasic-kg: error: {big}: larger than --max-bytes (4096 bytes)"


def test_a_fifo_source_with_no_writer_does_not_hang(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    r = run("evidence", "coverage", "--source", str(fifo), timeout=60)
    assert r.returncode == 0  # read as an empty text: no sentence to cover
    last = r.stdout.decode().splitlines()[-1]
    assert last.startswith("0 sentences: 0 covered by ") and last.endswith("0 uncovered; 0 stale exclusions")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("name, args", [
    ("z.rq", ["query", "{path}"]),
    ("z.jsonld", ["query", "--data", "{path}", "cq01-author"]),
    ("z.ttl", ["stats", "--data", "{path}"]),
])
def test_inputs_that_are_symlinks_to_devices_are_refused(tmp_path, name, args):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    r = run(*[a.format(path=link) for a in args], timeout=60)
    assert r.returncode == 2
    assert r.stderr.decode().strip().startswith(f"jasic-kg: error: {link}: not a regular file")


def test_a_query_fifo_with_no_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "q.rq"
    os.mkfifo(fifo)
    r = run("query", str(fifo), timeout=60)
    assert r.returncode == 2 and "not a regular file" in r.stderr.decode()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("args", [["query", "-"], ["query", "--sparql", "-"]], ids=" ".join)
def test_a_query_from_an_endless_stdin_stops_at_the_limit(args):
    with open("/dev/zero", "rb") as zero:
        r = subprocess.run([*EXE, *args], stdin=zero, capture_output=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.decode().strip() == "jasic-kg: error: <stdin>: query is over the limit of 1048576 bytes"
