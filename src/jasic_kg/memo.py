"""Small JSON maps remembered between commands in the cache folder (jasic_kg.cache): what a cold start would
otherwise recompute every time from the same input, kept only where the input fully decides the answer.

Each memo is one file (`<name>.json`: a format line and a map of string keys to string values). It is only an
optimisation: a missing, damaged or foreign file reads as empty, a folder that cannot be written is skipped, and
JASIC_KG_CACHE=0 turns memos off like the store cache. New values are written once, when the process exits
(merged with what other commands added meanwhile; at most `limit` keys, the oldest dropped first).
"""

from __future__ import annotations

import json
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
