"""No lost or half-written output: every file the toolkit writes goes to a temporary file beside the target and
is moved into place (io.atomic.atomic_write). Killing a writer leaves the old file intact (or none), never a part."""

from __future__ import annotations

import ast
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jasic_kg.errors import InputError
from jasic_kg.io.atomic import atomic_write, write_bytes

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src" / "jasic_kg"
EXE = Path(sys.executable).parent / "jasic-kg"
CLI = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "jasic_kg"]


def test_no_module_writes_files_except_through_atomic_write():
    """Static check: open(..., 'w'/'a'/'x'), Path.write_text/write_bytes, os.fdopen and the like appear only in
    io.atomic.atomic_write (and its helper for devices and FIFOs, which are written in place)."""
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and path.name == "atomic.py" and node.name in ("atomic_write",
                                                                                               "_special_file"):
                allowed |= {id(n) for n in ast.walk(node)}
            # the static site writes its files into a private temporary folder renamed into place as a whole
            if isinstance(node, ast.FunctionDef) and path.parent.name == "site" and path.name == "build.py" \
                    and node.name == "_write_tree":
                allowed |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in allowed:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("write_text", "fdopen", "mkstemp", "NamedTemporaryFile") or (
                    name == "write_bytes" and isinstance(func, ast.Attribute)
                    and not (isinstance(func.value, ast.Name) and func.value.id in ("rdfio", "atomic"))):
                offenders.append(f"{path.name}:{node.lineno}: {name}")
            if name == "open":
                modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                modes += [k.value.value for k in node.keywords if k.arg == "mode" and isinstance(k.value, ast.Constant)]
                if any(set(str(m)) & set("wax+") for m in modes):
                    offenders.append(f"{path.name}:{node.lineno}: open(mode={modes[0]!r})")
    assert not offenders, offenders


def test_failure_inside_the_block_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old content\n")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as f:
            f.write(b"half of the new")
            raise RuntimeError("boom")
    assert target.read_bytes() == b"old content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]  # the temporary file is gone


def test_written_file_gets_a_normal_mode(tmp_path):
    fresh = tmp_path / "fresh.ttl"
    write_bytes(fresh, b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0600
    kept = tmp_path / "kept.ttl"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_bytes(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640


def test_unwritable_targets_are_clean_errors(tmp_path):
    with pytest.raises(InputError, match="folder does not exist"):
        write_bytes(tmp_path / "absent" / "x.ttl", b"x")
    with pytest.raises(InputError, match="is a directory"):
        write_bytes(tmp_path, b"x")


def test_cli_error_leaves_the_old_output(tmp_path):
    out = tmp_path / "export.ttl"
    out.write_bytes(b"old export\n")
    bad = REPO / "tests" / "negative" / "ttl-literal-subject.ttl"
    p = subprocess.run(CLI + ["export", "--format", "turtle", "--data", str(bad), "--output", str(out)],
                       capture_output=True, text=True, timeout=60, cwd=REPO)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert out.read_bytes() == b"old export\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["export.ttl"]


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """~100k triples (about 10 MB of N-Triples): the export takes long enough to be caught while writing."""
    path = tmp_path_factory.mktemp("big") / "big.nt"
    with path.open("wb") as f:
        for i in range(100_000):
            f.write(b'<http://example.org/s%d> <http://example.org/p> "value number %d, long enough" .\n' % (i, i))
    return path


def _kill_while_writing(big_input, out, env) -> str:
    """Start an export, SIGKILL it as soon as its temporary file appears; return what happened."""
    proc = subprocess.Popen(CLI + ["export", "--format", "turtle", "--no-cache", "--data", str(big_input),
                                   "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=REPO)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if any(p.name.startswith(f".{out.name}.") for p in out.parent.iterdir()):
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
                return "killed while writing"
            if proc.poll() is not None:
                return "finished before it could be killed"
            time.sleep(0.0005)
        proc.kill()
        proc.wait(10)
        return "timed out"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.mark.slow
def test_sigkill_during_export_never_leaves_a_partial_file(big_input, tmp_path):
    env = dict(os.environ, JASIC_KG_CACHE="0", XDG_CACHE_HOME=str(tmp_path / "cache"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "graph.ttl"
    old = b"# the previous export\n"
    outcomes = []
    for attempt in range(3):
        out.write_bytes(old)
        outcome = _kill_while_writing(big_input, out, env)
        outcomes.append(outcome)
        assert outcome != "timed out"
        data = out.read_bytes()
        if outcome == "killed while writing":
            # the kill came after the temporary file appeared: the target is the old file or the whole new one
            assert data == old or data.rstrip().endswith(b"."), data[-200:]
            break
        assert data != old and data.rstrip().endswith(b".")
        for leftover in out_dir.glob(f".{out.name}.*.tmp"):
            leftover.unlink()
    assert "killed while writing" in outcomes, outcomes
    # SIGKILL can leave only the hidden temporary file beside the target, never a partial target
    assert all(p.name == out.name or p.name.startswith(f".{out.name}.") for p in out_dir.iterdir())
