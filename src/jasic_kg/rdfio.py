"""Reading RDF files strictly, and writing every output file atomically.

Parsing uses pyoxigraph, which passes the W3C syntax test suites (rdflib accepts many invalid Turtle files), so
"jasic-kg validate" and every command agree on what a valid file is. Errors come out as one line,
FILE:LINE:COLUMN: message.

JSON-LD and remote contexts: pyoxigraph's JSON-LD parser has no document loader unless one is given, so a remote
"@context" (or "@import") is refused, never fetched. We turn that refusal into a clear InputError.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

from pyoxigraph import RdfFormat, parse

from jasic_kg.errors import InputError

# Larger inputs are refused up front (a guard against a wrong path, e.g. a disk image); --max-bytes raises it.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024

FORMATS_BY_EXTENSION: dict[str, RdfFormat] = {
    ".ttl": RdfFormat.TURTLE,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".trig": RdfFormat.TRIG,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
}

_LOCATION = re.compile(r"(?:Parser error )?at line (\d+) (?:between columns (\d+) and \d+|column (\d+))(?::\s*)?")


def rdf_format(path: Path) -> RdfFormat:
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMATS_BY_EXTENSION))
        raise InputError(f"unknown RDF file extension {path.suffix or '(none)'!r} (known: {known})", path)
    return fmt


def check_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Refuse missing, directory, oversized, empty and binary files before any parser sees them."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory, not a file", path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is {size} bytes, over the limit of {max_bytes} (raise it with --max-bytes)", path)
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path) from None
    if not head.strip():
        raise InputError("file is empty", path)
    if b"\x00" in head:
        raise InputError("looks like a binary file, not RDF text", path)
    return path


def syntax_error(path: Path | str, err: Exception) -> InputError:
    """pyoxigraph's SyntaxError -> InputError(FILE, LINE, COLUMN, message)."""
    text = str(err.args[0] if err.args else err)
    line = column = None
    m = _LOCATION.search(text)
    if m:
        line = int(m.group(1))
        column = int(m.group(2) or m.group(3))
        text = (text[: m.start()] + text[m.end():]).strip(" :")
    elif getattr(err, "lineno", None):
        line, column = err.lineno, getattr(err, "offset", None)
    if "LoadDocumentCallback" in text:
        text = "remote JSON-LD @context is not fetched (jasic-kg never fetches remote contexts); inline the context"
    return InputError(text or "syntax error", path, line, column)


def read_quads(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, rename_blank_nodes: bool = True) -> list:
    """All quads of one file, strictly parsed; InputError with FILE:LINE:COLUMN on any problem.

    Blank nodes get fresh ids by default: `_:b1` in two files is two nodes (RDF merge semantics)."""
    path = check_file(path, max_bytes)
    fmt = rdf_format(path)
    try:
        return list(parse(path=str(path), format=fmt, rename_blank_nodes=rename_blank_nodes))
    except SyntaxError as e:
        raise syntax_error(path, e) from None
    except (ValueError, OSError) as e:
        raise InputError(str(e), path) from None


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Write to a temporary file next to `path`, then os.replace it: readers never see a partial file, and a
    failure leaves the old file (or nothing) in place."""
    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory; give a file name", path)
    if not path.parent.is_dir():
        raise InputError("folder does not exist", path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)
