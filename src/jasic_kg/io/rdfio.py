"""Reading RDF files strictly: format by extension, the checks before any parser sees a file, one loader.

Parsing uses pyoxigraph, which passes the W3C syntax test suites (rdflib accepts many invalid Turtle files), so
"jasic-kg validate" and every command agree on what a valid file is. Errors come out as one line,
FILE:LINE:COLUMN: message.

JSON-LD and remote contexts: pyoxigraph's JSON-LD parser has no document loader, so a "@context" (or "@import")
naming another document is an error there. parser_input inlines such contexts first, under the rules of
jasic_kg.io.jsonld_contexts (files in the input's folder; http(s) only under prefixes the user allowed); anything it
leaves reaches the parser's refusal, which we turn into a clear InputError.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, parse

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

_LOCATION = re.compile(r"(?:Parser error )?(?:at|between) line (\d+) (?:between columns (\d+) and (?:column )?\d+|"
                       r"column (\d+)(?: and line \d+ column \d+)?)(?::\s*)?")


def rdf_format(path: Path) -> RdfFormat:
    fmt = FORMATS_BY_EXTENSION.get(path.suffix.lower())
    if fmt is None:
        known = " ".join(sorted(FORMATS_BY_EXTENSION))
        raise InputError(f"unknown RDF file extension {path.suffix or '(none)'!r} (known: {known})", path)
    return fmt


def check_file(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, content: bool = True) -> Path:
    """Refuse missing, directory, oversized, empty and binary files before any parser sees them.
    `content=False`: only the checks that do not read the file (exists, a file, size)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a directory, not a file", path)
    if not path.is_file():  # /dev/zero, a FIFO, a symlink to either: no size to check, and they may never end
        raise InputError("not a regular file (a device, FIFO or socket); give a file, or - for standard input",
                         path)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"file is {size} bytes, over the limit of {max_bytes} (raise it with --max-bytes)", path)
    if not content:
        return path
    try:
        with path.open("rb") as f:
            head = f.read(8192)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path) from None
    if not head.strip():
        raise InputError("file is empty", path)
    if b"\x00" in head:
        raise InputError("looks like a binary file, not RDF text", path)
    if path.suffix.lower() in FORMATS_BY_EXTENSION:
        from jasic_kg.io.guards import check_structure

        check_structure(path, FORMATS_BY_EXTENSION[path.suffix.lower()])
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
        text = "remote JSON-LD @context is not fetched (allow its prefix with --allow-context, or inline it)"
    return InputError(text or "syntax error", path, line, column)


@contextlib.contextmanager
def parse_errors(path: Path | str):
    """Every way a parser can fail on a bad file -> one InputError naming the file (the shared mechanism for
    read_quads and the stores' loaders)."""
    try:
        yield
    except SyntaxError as e:
        err = syntax_error(path, e)
        if err.line is None:
            err.line, err.column = _find_snippet(path, err.message)
        raise err from None
    except MemoryError as e:
        # pyoxigraph refuses a single token (literal, IRI) over its 16 MiB buffer with MemoryError.
        raise InputError(f"a literal or IRI is longer than the parser's limit of {MAX_TOKEN_BYTES} bytes ({e})",
                         path) from None
    except UnicodeError as e:
        raise InputError(f"not UTF-8 text: {e}", path) from None
    except (ValueError, OSError) as e:
        raise InputError(" ".join(str(e).split()) or type(e).__name__, path) from None


def _find_snippet(path: Path | str, message: str) -> tuple[int | None, int | None]:
    """A position for errors the parser reports without one (RDF/XML, JSON-LD processing): the first place the
    text the message quotes ('...' or `...`) occurs in the file. (None, None) if there is nothing to look for."""
    quoted = re.findall(r"'([^']{2,200})'|`([^`]{2,200})`", message)
    prefix = re.search(r"[Uu]nknown prefix (\S+?):?$", message)
    needles = [a or b for a, b in quoted] + ([f"<{prefix.group(1)}:"] if prefix else [])
    if not needles:
        return None, None
    try:
        with open(path, "rb") as f:
            data = f.read(DEFAULT_MAX_BYTES)
    except OSError:
        return None, None
    for needle in needles:
        needle = needle.replace("\\n", "\n").replace("\\r", "\r")  # InputError escapes line breaks
        at = data.find(needle.encode("utf-8", "replace"))
        if at >= 0:
            line = data.count(b"\n", 0, at) + 1
            column = at - (data.rfind(b"\n", 0, at) + 1) + 1
            return line, column
    return None, None



MAX_TOKEN_BYTES = 16 * 1024 * 1024  # pyoxigraph's own buffer: one literal or IRI longer than this is refused


def parser_input(path: Path, fmt: RdfFormat, allow_contexts: Sequence[str] = ()) -> dict:
    """What to give pyoxigraph for `path`: the file itself or, for JSON-LD that names context documents, the
    document with those contexts inlined under the toolkit's access rules (see jasic_kg.io.jsonld_contexts)."""
    if fmt == RdfFormat.JSON_LD:
        from jasic_kg.io.jsonld_contexts import inline_contexts

        try:
            data = path.read_bytes()
        except OSError as e:
            raise InputError(f"cannot read: {e.strerror or e}", path) from None
        inlined = inline_contexts(path, data, allow_contexts)
        if inlined is not None:
            return {"input": inlined}
    return {"path": str(path)}


def read_quads(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_BYTES, rename_blank_nodes: bool = True,
               allow_contexts: Sequence[str] = ()) -> list:
    """All quads of one file, strictly parsed; InputError with FILE:LINE:COLUMN on any problem.

    Blank nodes get fresh ids by default: `_:b1` in two files is two nodes (RDF merge semantics).
    `allow_contexts`: http(s) prefixes under which a JSON-LD file's remote contexts may be fetched."""
    path = check_file(path, max_bytes)
    fmt = rdf_format(path)
    source = parser_input(path, fmt, allow_contexts)
    with parse_errors(path):
        return list(parse(format=fmt, rename_blank_nodes=rename_blank_nodes, **source))


def load_graph(store, path: Path, fmt: RdfFormat, source: dict, bulk: bool = False) -> None:
    """The one way a file enters the toolkit's graph (validate, the store, the native SHACL engine).

    The graph is the RDF merge of the files: the named graphs of a TriG, N-Quads or JSON-LD file are merged into
    the default graph, so `validate`, `query`, `stats` and `export` see the same triples. Blank nodes are fresh
    per file. `source` is parser_input()'s keyword arguments; `bulk` streams a big load to an on-disk store."""
    with parse_errors(path):
        if fmt.supports_datasets:
            default = DefaultGraph()
            quads = (Quad(q.subject, q.predicate, q.object, default)
                     for q in parse(format=fmt, rename_blank_nodes=True, **source))
            (store.bulk_extend if bulk else store.extend)(quads)
        else:
            # Triples straight into the store (a million through Python took seconds); each load gets fresh
            # blank nodes, as parse(rename_blank_nodes=True) does.
            (store.bulk_load if bulk else store.load)(format=fmt, **source)

