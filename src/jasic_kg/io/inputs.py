"""--data inputs as a user gives them: `-` for standard input, gzip-compressed files (`notes.ttl.gz`), and
`--input-format` for a file whose extension does not say its format.

Each such input becomes a plain file with the right extension in a private temporary folder (a symlink when
only the format was missing), so the loaders see the files they always see. The size cap applies to the bytes
after decompression (a small .gz must not unpack into gigabytes). Error messages name the input as the user
gave it, never the temporary file.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from jasic_kg.errors import InputError

# --input-format names (and their aliases) -> the extension the loaders read that format by
INPUT_FORMATS = {"turtle": ".ttl", "nt": ".nt", "nq": ".nq", "trig": ".trig", "jsonld": ".jsonld", "xml": ".rdf"}
STDIN = "-"
_CHUNK = 1 << 20


def _extension(name: str, input_format: str | None) -> str:
    if input_format:
        return INPUT_FORMATS[input_format]
    from jasic_kg.io.rdfio import FORMATS_BY_EXTENSION

    suffix = Path(name).suffix.lower()
    if suffix in FORMATS_BY_EXTENSION:
        return suffix
    known = " ".join(sorted(FORMATS_BY_EXTENSION))
    raise InputError(f"unknown RDF file extension {suffix or '(none)'!r} (known: {known}, each also as .gz; "
                     "or give --input-format)", name)


def _copy_capped(source, target: Path, max_bytes: int, name: str) -> None:
    import zlib  # gzip, tempfile and shutil too are imported only for an input that needs them (a cold start)

    written = 0
    with target.open("wb") as out:
        while True:
            try:
                chunk = source.read(_CHUNK)
            except (OSError, EOFError, zlib.error) as e:  # a corrupt or truncated .gz
                raise InputError(f"cannot decompress: {e}", name) from None
            if not chunk:
                return
            written += len(chunk)
            if written > max_bytes:
                raise InputError(f"input is over the limit of {max_bytes} bytes (after decompression; raise it "
                                 "with --max-bytes)", name)
            out.write(chunk)


class Inputs:
    """The --data paths to load, and the user's name for each temporary one (for error messages)."""

    def __init__(self):
        self.paths: list[Path | str] = []
        self.names: dict[str, str] = {}
        self._folder: str | None = None

    def _temp(self, stem: str, extension: str) -> Path:
        if self._folder is None:
            import tempfile

            self._folder = tempfile.mkdtemp(prefix="jasic-kg-input-")
        return Path(self._folder) / f"{len(self.paths)}-{stem}{extension}"

    def add(self, spec: str, input_format: str | None, max_bytes: int) -> None:
        if spec == STDIN:
            target = self._temp("stdin", INPUT_FORMATS[input_format or "turtle"])
            _copy_capped(sys.stdin.buffer, target, max_bytes, "<stdin>")
            self.names[str(target)] = "<stdin>"
        elif spec.lower().endswith(".gz"):
            inner = spec[:-3]
            target = self._temp(Path(inner).stem or "input", _extension(inner, input_format))
            import gzip

            try:
                with gzip.open(spec, "rb") as source:
                    _copy_capped(source, target, max_bytes, spec)
            except FileNotFoundError:
                raise InputError("no such file", spec) from None
            except IsADirectoryError:
                raise InputError("is a directory, not a file", spec) from None
            self.names[str(target)] = spec
        elif input_format and Path(spec).suffix.lower() != INPUT_FORMATS[input_format]:
            if not Path(spec).is_file():
                from jasic_kg.io.rdfio import check_file

                check_file(spec, max_bytes)  # its own one-line error
            target = self._temp(Path(spec).stem, INPUT_FORMATS[input_format])
            os.symlink(Path(spec).resolve(), target)
            self.names[str(target)] = spec
        else:
            self.paths.append(spec)
            return
        self.paths.append(target)

    def user_name(self, path) -> str | None:
        return self.names.get(str(path)) if path is not None else None

    def close(self) -> None:
        if self._folder:
            import shutil

            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


@contextlib.contextmanager
def opened(data, input_format: str | None = None, max_bytes: int = 200 * 1024 * 1024):
    """Inputs for `data` (paths, `-`, .gz); errors about a temporary file are reported under the user's name."""
    if sum(str(s) == STDIN for s in data) > 1:
        raise InputError("--data - (standard input) can be given once")
    inputs = Inputs()
    try:
        for spec in data:
            inputs.add(str(spec), input_format, max_bytes)
        yield inputs
    except InputError as e:
        name = inputs.user_name(e.path)
        if name:
            e.path = name
        raise
    finally:
        inputs.close()
