"""The store cache cleans up after itself (issue 9, item 6): builds of killed processes are removed, old and
least recently used entries are evicted within documented bounds, and `jasic-kg cache list|clear` shows and
removes entries, never anything else in the folder (everything runs as root: a wrong rmtree is a disaster)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from jasic_kg.store import LocalStore

DAY = 86400


def _data(tmp_path, name="data.ttl", value="one"):
    path = tmp_path / name
    path.write_text(f'<http://example.org/a> <http://example.org/p> "{value}" .\n')
    return path


def _entries(cache):
    return sorted(p.name for p in cache.iterdir() if p.name.startswith("store-"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _build_folder(cache, name, pid, age_seconds, marker=True):
    folder = cache / name
    folder.mkdir(parents=True)
    (folder / "000001.sst").write_bytes(b"x" * 100)
    if marker:
        import socket

        (folder / ".jasic-kg-build").write_text(f"{pid} {socket.gethostname()}\n")
    old = time.time() - age_seconds
    os.utime(folder, (old, old))
    return folder


def test_a_killed_build_is_removed_when_old_and_its_process_gone(tmp_path):
    cache = tmp_path / "cache"
    dead_old = _build_folder(cache, ".building-dead_old", _dead_pid(), 3600)
    dead_young = _build_folder(cache, ".building-dead_young", _dead_pid(), 60)
    alive_old = _build_folder(cache, ".building-alive_old", os.getpid(), 3600)
    unmarked = _build_folder(cache, ".building-unmarked", 0, 3600, marker=False)
    LocalStore([_data(tmp_path)], cache=True, cache_dir=cache)  # a build: housekeeping runs
    assert not dead_old.exists()
    assert dead_young.exists() and alive_old.exists() and unmarked.exists()
    assert len(_entries(cache)) == 1


def test_a_killed_build_process_leaves_a_folder_the_next_build_removes(tmp_path):
    """A real build killed with SIGKILL (while it writes the dump of a 2.5 MB file), then a later build."""
    cache = tmp_path / "cache"
    big = tmp_path / "big.nt"
    big.write_text("".join(f'<http://example.org/s{i}> <http://example.org/p> "{i:0100d}" .\n' for i in range(20000)))
    script = ("import os, signal\n"
              "from jasic_kg.store import LocalStore, Store\n"
              "def die(self, *args, **kwargs):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
              "Store.dump = die\n"
              f"LocalStore([{str(big)!r}], cache=True, cache_dir={str(cache)!r})\n")
    child = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert child.returncode == -9
    [left] = [p for p in cache.iterdir() if p.name.startswith(".building-")]
    old = time.time() - 3600
    os.utime(left, (old, old))
    LocalStore([_data(tmp_path)], cache=True, cache_dir=cache)
    assert not left.exists()


def test_entries_unused_for_longer_than_the_age_limit_are_evicted(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    LocalStore([_data(tmp_path, "a.ttl", "a")], cache=True, cache_dir=cache)
    LocalStore([_data(tmp_path, "b.ttl", "b")], cache=True, cache_dir=cache)
    old, recent = _entries(cache)[0], _entries(cache)[1]
    past = time.time() - 31 * DAY
    os.utime(cache / old / ".complete", (past, past))
    LocalStore([_data(tmp_path, "c.ttl", "c")], cache=True, cache_dir=cache)
    assert old not in _entries(cache) and recent in _entries(cache) and len(_entries(cache)) == 2

    monkeypatch.setenv("JASIC_KG_CACHE_MAX_AGE_DAYS", "0.5")
    past = time.time() - DAY
    os.utime(cache / recent / ".complete", (past, past))
    LocalStore([_data(tmp_path, "d.ttl", "d")], cache=True, cache_dir=cache)
    assert recent not in _entries(cache) and len(_entries(cache)) == 2


def test_the_least_recently_used_entries_go_when_the_cache_is_over_its_size(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    for i, name in enumerate("abc"):
        LocalStore([_data(tmp_path, f"{name}.ttl", name)], cache=True, cache_dir=cache)
        t = time.time() - (10 - i) * 60
        for entry in _entries(cache):
            if not os.path.exists(cache / entry / ".seen"):
                (cache / entry / ".seen").touch()
                os.utime(cache / entry / ".complete", (t, t))
    first_three = sorted(_entries(cache), key=lambda e: os.stat(cache / e / ".complete").st_mtime)
    size = sum(f.stat().st_size for f in (cache / first_three[0]).rglob("*") if f.is_file())
    # room for about two entries: the oldest two go, the one just built always stays
    monkeypatch.setenv("JASIC_KG_CACHE_MAX_BYTES", str(int(size * 2.5)))
    LocalStore([_data(tmp_path, "d.ttl", "d")], cache=True, cache_dir=cache)
    left = _entries(cache)
    assert first_three[0] not in left and first_three[1] not in left
    assert first_three[2] in left and len(left) == 2


def test_a_bad_limit_in_the_environment_is_a_one_line_error(tmp_path, run, monkeypatch):
    monkeypatch.setenv("JASIC_KG_CACHE_MAX_BYTES", "lots")
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path / "cache"))
    r = run("cache", "list")
    assert r.exit_code == 0  # listing needs no limit
    from jasic_kg.cache import max_bytes
    from jasic_kg.errors import InputError

    with pytest.raises(InputError, match=r"^JASIC_KG_CACHE_MAX_BYTES must be a number >= 0, not 'lots'$"):
        max_bytes()


@pytest.fixture
def populated(tmp_path):
    """A cache folder with two entries, a stale build, and things that are not the cache's."""
    cache = tmp_path / "cache"
    LocalStore([_data(tmp_path, "a.ttl", "a")], cache=True, cache_dir=cache)
    LocalStore([_data(tmp_path, "b.ttl", "b")], cache=True, cache_dir=cache)
    stale = _build_folder(cache, ".building-stale", _dead_pid(), 3600)
    live = _build_folder(cache, ".building-live", os.getpid(), 3600)
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / ".complete").write_text("")
    (outside / "data").write_text("keep me")
    others = {
        "notes.txt": lambda p: p.write_text("mine"),
        "store-notes": lambda p: (p.mkdir(), (p / ".complete").write_text("")),  # not the entry name form
        "store-" + "0" * 32: lambda p: (p.mkdir(), (p / "CURRENT").write_text("")),  # no .complete: not ours
        "store-" + "1" * 32: lambda p: p.symlink_to(outside, target_is_directory=True),  # a link out
        ".building-foreign": lambda p: (p.mkdir(), (p / "x").write_text("")),  # no build marker
    }
    for name, make in others.items():
        make(cache / name)
    return cache, stale, live, outside, set(others)


def test_cache_list_shows_entries_and_builds_only(populated, run):
    cache, stale, live, _, others = populated
    r = run("cache", "list", "--cache-dir", str(cache))
    assert r.exit_code == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert sorted((name, kind) for name, kind, *_ in rows) == sorted(
        [*[(e, "entry") for e in _entries(cache) if e not in others],
         (stale.name, "stale build"), (live.name, "build")])
    assert r.stderr.strip().startswith(f"{cache}: 2 entries, ")


def test_cache_clear_removes_only_what_the_cache_made(populated, run):
    cache, stale, live, outside, others = populated
    r = run("cache", "clear", "--cache-dir", str(cache))
    assert r.exit_code == 0, r.stderr
    assert r.stderr.startswith(f"{cache}: removed 3 (entries and stale builds), ")
    assert sorted(p.name for p in cache.iterdir()) == sorted([*others, live.name])
    assert (outside / "data").read_text() == "keep me" and (outside / ".complete").exists()


def test_cache_clear_of_a_missing_folder_removes_nothing(tmp_path, run):
    r = run("cache", "clear", "--cache-dir", str(tmp_path / "none"))
    assert r.exit_code == 0 and "removed 0" in r.stderr
    assert not (tmp_path / "none").exists()
