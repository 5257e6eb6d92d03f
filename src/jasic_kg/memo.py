"""Small JSON maps remembered between commands in the cache folder (jasic_kg.cache): what a cold start would
otherwise recompute every time from the same input, kept only where the input fully decides the answer.

Each memo is one file (`<name>.json`: a format line and a map of string keys to string values). It is only an
optimisation: a missing, damaged or foreign file reads as empty, a folder that cannot be written is skipped, and
JASIC_KG_CACHE=0 turns memos off like the store cache. New values are written once, when the process exits
(merged with what other commands added meanwhile; at most `limit` keys, the oldest dropped first).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from jasic_kg.cache import MEMO_FILES, cache_enabled, default_cache_dir


class Memo:
    def __init__(self, filename: str, format: str, limit: int, folder=None):
        """A memo of at most `limit` keys in `folder` (default: the cache folder, jasic_kg.cache.default_cache_dir).
        Every command reads the whole file: the limit keeps that to a fraction of a millisecond."""
        assert filename in MEMO_FILES
        self.filename, self.format, self.folder, self.limit = filename, format, folder, limit
        self._known: dict[str, str] | None = None  # read from the file on first use
        self._new: dict[str, str] = {}
        self._file = ...  # the file, decided on first use: new values go where the known ones came from

    def get(self, key: str) -> str | None:
        if self._known is None:
            path = self._path()
            self._known = self._read(path) if path is not None else {}
        return self._known.get(key)

    def put(self, key: str, value: str) -> None:
        if self.get(key) == value:
            return
        if not self._new:
            import atexit

            atexit.register(self.save)
        self._new[key] = self._known[key] = value

    def save(self) -> None:
        """Add this process's new values to the file (read again: another command may have added some)."""
        path = self._path()
        if path is None or not self._new:
            return
        values = {**self._read(path), **self._new}
        doc = {"format": self.format, "values": dict(list(values.items())[-self.limit:])}
        try:
            from jasic_kg.errors import InputError
            from jasic_kg.io.atomic import write_bytes

            path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=0).encode("utf-8"))
        except (OSError, InputError):
            pass  # no writable cache folder: computed again next time, as without a memo
        self._new.clear()

    def _path(self):
        if self._file is ...:
            if self.folder is not None:
                self._file = Path(self.folder) / self.filename
            else:
                self._file = default_cache_dir() / self.filename if cache_enabled() else None
        return self._file

    def _read(self, path) -> dict[str, str]:
        try:
            doc = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return {}
        values = doc.get("values") if isinstance(doc, dict) and doc.get("format") == self.format else None
        if not isinstance(values, dict):
            return {}
        return {k: v for k, v in values.items() if isinstance(k, str) and isinstance(v, str)}


# --- values remembered by the stat signatures of the files they were computed from ----------------------------

RACY_SECONDS = 3  # a file changed this recently is read again next time: timestamps have a granularity


def file_signature(path) -> tuple[list, int]:
    """[path, st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns] of a file, and its latest change (ns)."""
    st = os.stat(path)
    return [str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns], max(st.st_mtime_ns,
                                                                                              st.st_ctime_ns)


def remembered(memo: Memo, signature: str | None, changed: int, compute: Callable[[], str]) -> str:
    """The value `memo` holds for the files' `signature` (file_signature of each, as JSON), or compute() (which
    reads the files: the signature must be taken before it). As in git's index, files changed less than
    RACY_SECONDS before `changed` are not remembered (a change within the file system's timestamp granularity
    would keep the signature), and no one can set a file's change time back. None: never remembered."""
    import time

    value = memo.get(signature) if signature else None
    if value is None:
        value = compute()
        if signature and time.time_ns() - changed > RACY_SECONDS * 10**9:
            memo.put(signature, value)
    return value
