"""The on-disk store cache: a big input, and the shipped graph, is parsed and checked once, its graph written
into an entry keyed by the SHA-256 of its content, and read back from there after that (jasic_kg.loading decides
what an entry holds, store.LocalStore which inputs get one).

Layout of the cache folder ($JASIC_KG_CACHE_DIR, else $XDG_CACHE_HOME/jasic-kg, else ~/.cache/jasic-kg):

    store-<32 hex>/       an entry: its files (an N-Quads dump), plus `.complete` once it is whole (what the
                          reader checks: the quad count); the mtime of `.complete` is the entry's last use
    shapes-<32 hex>/      an entry of compiled SHACL shapes (validation/shapes_cache.py), kept the same way
    .building-<random>/   a build in progress: `.jasic-kg-build` holds the builder's PID and host name
    query-headers.json    memos (jasic_kg.memo), regular files: the parsed `#+` headers of saved queries, the
    input-keys.json       entry names of inputs by their files' stat signatures, and the shapes- entry names by
    shapes-keys.json      the shapes files' (and the compiler's) stat signatures

Only folders of this layout (name, and marker file inside), and those three files, are ever deleted: anything else in
the folder is left alone. The cache is an optimisation, never a reason to fail: CacheUnavailable sends the caller
to memory.

Housekeeping, each time an entry is built: builds whose process is gone and that are older than
STALE_BUILD_SECONDS are removed (a killed build left its folder for good); entries unused for longer than
$JASIC_KG_CACHE_MAX_AGE_DAYS (default 30) are removed, then the least recently used until the total size is
under $JASIC_KG_CACHE_MAX_BYTES (default 2 GiB; each edit of a 37 MB input used to add 83 MB for good).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from jasic_kg.errors import InputError
from jasic_kg.io.atomic import write_bytes

# The user's inputs at least this big get a cache entry with the shipped graph: reading its dump back beats parsing
# and checking them again, and smaller ones are not worth an entry per edit. The shipped graph alone always has
# one: every command reads it (BENCHMARKS.md, "Cold start on the shipped graph").
CACHE_MIN_BYTES = 2 * 1024 * 1024
CACHE_FORMAT = b"jasic-kg store cache v3 (validated N-Quads dump, read into memory); pyoxigraph 0.5"
DEFAULT_MAX_BYTES = 2 * 1024 ** 3
DEFAULT_MAX_AGE_DAYS = 30.0
STALE_BUILD_SECONDS = 10 * 60  # a live build of 200 MB takes about a minute; a dead one is removed after this

_ENTRY = re.compile(r"^(store|shapes)-[0-9a-f]{32}$")  # shapes-: validation.shapes_cache
_BUILD = re.compile(r"^\.building-[A-Za-z0-9_]+$")
_COMPLETE = ".complete"
_BUILD_MARKER = ".jasic-kg-build"
MEMO_FILES = ("query-headers.json", "input-keys.json", "shapes-keys.json")  # jasic_kg.memo's files
T = TypeVar("T")


class CacheUnavailable(Exception):
    """The cache cannot be used here (no writable folder, a failed build): read the files into memory."""


def cache_enabled() -> bool:
    return os.environ.get("JASIC_KG_CACHE", "1") not in ("0", "no", "false")


def default_cache_dir() -> Path:
    if os.environ.get("JASIC_KG_CACHE_DIR"):
        return Path(os.environ["JASIC_KG_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "jasic-kg"


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = -1
    if not number >= 0:
        raise InputError(f"{name} must be a number >= 0, not {value!r}")
    return number


def max_bytes() -> int:
    return int(_env_number("JASIC_KG_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_age_seconds() -> float:
    return _env_number("JASIC_KG_CACHE_MAX_AGE_DAYS", DEFAULT_MAX_AGE_DAYS) * 86400


def entry_key(digests: list[str]) -> str:
    """The entry name for inputs of these content digests (in order)."""
    import hashlib

    key = hashlib.sha256(CACHE_FORMAT)
    for digest in digests:
        key.update(digest.encode())
    return f"store-{key.hexdigest()[:32]}"


def open_entry(base: Path, name: str, build: Callable[[Path], tuple[T, bytes]], read: Callable[[Path], T]) -> T:
    """The graph of entry `name` under `base`: `read(entry folder)`, or when the entry is missing or does not
    read (damaged, another version), `build(new folder)`, which writes the entry's files and returns the graph
    and the content of its `.complete` marker (the reader's check). CacheUnavailable when the folder cannot be
    used."""
    target = base / name
    if (target / _COMPLETE).is_file() and not target.is_symlink():
        try:
            graph = read(target)
            _touch(target / _COMPLETE)
            return graph
        except (OSError, SyntaxError, ValueError, RuntimeError):
            # a damaged entry (a disk error, a hand edit, another version's layout): ours to rebuild
            import shutil

            shutil.rmtree(target, ignore_errors=True)
    # Building (imported here, not at the top: a cold start that reads an entry needs none of them)
    import shutil
    import socket
    import tempfile

    try:
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=base))
    except OSError as e:
        raise CacheUnavailable(f"{base}: {e.strerror or e}") from None
    try:  # the owner first: a build killed from here on is recognised as ours and cleaned up later
        write_bytes(tmp / _BUILD_MARKER, f"{os.getpid()} {socket.gethostname()}\n".encode())
    except InputError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CacheUnavailable(f"{base}: {e}") from None
    try:
        graph, marker = build(tmp)
        try:
            write_bytes(tmp / _COMPLETE, marker)
        except InputError as e:  # the disk, not the input: an input error here would be reported twice
            raise OSError(str(e)) from None
        (tmp / _BUILD_MARKER).unlink()
        try:
            os.replace(tmp, target)  # atomic: another process sees all or nothing
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # a concurrent builder won the race
    except (OSError, RuntimeError) as e:  # a full or read-only disk while building: memory instead
        shutil.rmtree(tmp, ignore_errors=True)
        raise CacheUnavailable(f"{base}: {e}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tidy(base, keep=name)
    return graph


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache folder still serves its entries


# --- what is in the folder ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    path: Path
    kind: str  # "entry", "build" (in progress), "stale build" (its process is gone) or "memo"
    size: int
    last_used: float  # seconds since the epoch


def _folder_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def _build_owner(path: Path) -> tuple[int, str] | None:
    try:
        pid, host = (path / _BUILD_MARKER).read_text().split()
        return int(pid), host
    except (OSError, ValueError):
        return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _is_stale(path: Path, owner: tuple[int, str], now: float) -> bool:
    import socket

    try:
        age = now - path.stat().st_mtime
    except OSError:
        return False
    if age < STALE_BUILD_SECONDS:
        return False
    pid, host = owner
    if host != socket.gethostname():
        return age > 86400  # another machine's build (a shared home): only when surely dead
    return not _process_alive(pid)


def entries(base: Path | None = None) -> list[Entry]:
    """The cache's entries, builds and memos, least recently used first. Folders not of the cache's
    layout (name and marker file) are not listed."""
    base = Path(base) if base else default_cache_dir()
    found, now = [], time.time()
    try:
        children = list(os.scandir(base))
    except OSError:
        return []
    for child in children:
        path = Path(child.path)
        if child.name in MEMO_FILES and child.is_file(follow_symlinks=False):
            info = child.stat(follow_symlinks=False)
            found.append(Entry(path, "memo", info.st_size, info.st_mtime))
        if not child.is_dir(follow_symlinks=False):
            continue
        if _ENTRY.match(child.name) and (path / _COMPLETE).is_file():
            last_used = (path / _COMPLETE).stat().st_mtime
            found.append(Entry(path, "entry", _folder_size(path), last_used))
        elif _BUILD.match(child.name):
            owner = _build_owner(path)
            if owner is None:
                continue  # not a build of this toolkit's (or from before builds were marked): left alone
            kind = "stale build" if _is_stale(path, owner, now) else "build"
            found.append(Entry(path, kind, _folder_size(path), path.stat().st_mtime))
    return sorted(found, key=lambda e: (e.last_used, e.path.name))


def remove(entry: Entry) -> None:
    if entry.path.is_symlink():  # checked again just before: never follow a link out of the cache
        return
    if entry.kind == "memo":
        entry.path.unlink(missing_ok=True)
        return
    import shutil

    shutil.rmtree(entry.path, ignore_errors=True)


def tidy(base: Path, keep: str | None = None, *, now: float | None = None) -> list[Entry]:
    """Remove stale builds, entries unused for longer than max_age_seconds(), then the least recently used
    entries until the total is at most max_bytes(). `keep` (the entry just built) stays. The removed, returned."""
    now = time.time() if now is None else now
    limit_bytes, limit_age = max_bytes(), max_age_seconds()
    found = entries(base)
    removed = [e for e in found if e.kind == "stale build"
               or (e.kind == "entry" and e.path.name != keep and now - e.last_used > limit_age)]
    left = [e for e in found if e.kind == "entry" and e not in removed]
    total = sum(e.size for e in left)
    for e in left:  # least recently used first
        if total <= limit_bytes:
            break
        if e.path.name != keep:
            removed.append(e)
            total -= e.size
    for e in removed:
        remove(e)
    return removed


def clear(base: Path | None = None) -> list[Entry]:
    """Remove every entry, stale build and memo (builds of live processes stay). The removed, returned."""
    removed = [e for e in entries(base) if e.kind in ("entry", "stale build", "memo")]
    for e in removed:
        remove(e)
    return removed


__all__ = ["CACHE_MIN_BYTES", "CacheUnavailable", "Entry", "cache_enabled", "clear", "default_cache_dir",
           "entries", "open_entry", "tidy"]
