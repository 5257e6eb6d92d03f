"""Reading RDF files strictly, and writing every output file atomically.

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
import errno
import os
import re
import stat
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import DefaultGraph, Quad, RdfFormat, parse

from jasic_kg.errors import InputError
from jasic_kg.io.limits import MAX_NESTING  # rdfio.MAX_NESTING for the callers

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


# --- limits on pathological inputs ------------------------------------------------------------------------
# pyoxigraph recurses on some nested constructs (RDF 1.2 triple terms, JSON-LD objects, SPARQL groups): deep
# enough nesting overflows the native stack and kills the process with SIGSEGV, and its JSON-LD and RDF/XML
# parsers need time and memory superlinear in the depth. Real data nests a few levels; we refuse deeper input
# before any parser sees it (MAX_NESTING, in limits.py). Documented in README "Limits".

MAX_TOKEN_BYTES = 16 * 1024 * 1024  # pyoxigraph's own buffer: one literal or IRI longer than this is refused
NATIVE_STACK_BYTES = 1 << 30  # stack of the thread that runs SPARQL (virtual memory, touched only if needed)

# Turtle family: strings, IRIs and comments are skipped (their brackets are not structure). Possessive
# quantifiers keep the scan linear even on unterminated strings.
_TTL_SKIP = re.compile(
    rb'"""[^"\\]*+(?:(?:\\.|"(?!""))[^"\\]*+)*+"""'
    rb"|'''[^'\\]*+(?:(?:\\.|'(?!''))[^'\\]*+)*+'''"
    rb'|"[^"\\\n\r]*+(?:\\.[^"\\\n\r]*+)*+"'
    rb"|'[^'\\\n\r]*+(?:\\.[^'\\\n\r]*+)*+'"
    rb"|<[^<>\"{}|^`\\\x00-\x20]*+>"
    rb"|#[^\n\r]*+",
    re.S,
)
_JSON_SKIP = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"', re.S)
_XML_SKIP = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![A-Za-z][^\[>]*+(?:\[.*?\])?\s*>", re.S)
_XML_EMPTY = re.compile(rb"<[A-Za-z_:][^<>\"'/]*+(?:(?:\"[^\"]*+\"|'[^']*+')[^<>\"'/]*+)*+/>")
_XML_CLOSE = re.compile(rb"</[^<>]*+>")
_XML_OPEN = re.compile(rb"<[A-Za-z_:][^<>\"']*+(?:(?:\"[^\"]*+\"|'[^']*+')[^<>\"']*+)*+>")
_OPEN, _CLOSE = b"\x01", b"\xff"
_BRACKETS = bytes.maketrans(b"([{)]}", _OPEN * 3 + _CLOSE * 3)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"([{)]}\x01\xff")
_ONLY_MARKS = bytes(b for b in range(256) if b not in b"\x01\xff")


def max_depth(marks: bytes) -> int:
    """Deepest nesting of a string of _OPEN/_CLOSE bytes (stray closers do not hide later depth)."""
    from array import array
    from itertools import accumulate

    steps = array("b", marks)
    if not steps:
        return 0
    sums = list(accumulate(steps))
    if min(sums) >= 0:
        return max(sums)
    return max(accumulate(steps, lambda depth, step: max(depth + step, 0)))


def nesting_depth(data: bytes, fmt: RdfFormat) -> int:
    """How deeply `data` nests, counted the way its parser would recurse (an upper bound)."""
    if fmt == RdfFormat.JSON_LD:
        marks = _JSON_SKIP.sub(b"", data).translate(_BRACKETS, _NOT_BRACKETS)
    elif fmt == RdfFormat.RDF_XML:
        body = _XML_SKIP.sub(b"", data.replace(b"\x01", b"").replace(b"\xff", b""))
        body = _XML_OPEN.sub(_OPEN, _XML_CLOSE.sub(_CLOSE, _XML_EMPTY.sub(b"", body)))
        marks = body.translate(None, _ONLY_MARKS)
    else:
        body = _TTL_SKIP.sub(b" ", data).replace(b"<<(", _OPEN).replace(b")>>", _CLOSE)
        body = body.replace(b"<<", _OPEN).replace(b">>", _CLOSE)
        marks = body.translate(_BRACKETS, _NOT_BRACKETS)
    return max_depth(marks)


def run_native(fn, *, timeout: float | None = None, what: str = "the query", cancel=None):
    """fn() in a worker thread with a NATIVE_STACK_BYTES stack: pyoxigraph's SPARQL parser and evaluator
    recurse, and some legal queries overflow the main thread's 8 MiB stack (SIGSEGV, no message). pyoxigraph
    releases the GIL while it works, so the waiting thread bounds a pathological evaluation: past `timeout`
    seconds, or past the memory limit (io/memory.py), InputError. `cancel` (a threading.Event) is set then, and
    on Ctrl-C, so that fn can stop between results; the daemon thread dies with the process in any case."""
    import threading

    from jasic_kg.io import memory

    outcome: dict = {}

    def target():
        try:
            outcome["value"] = fn()
        except BaseException as e:  # re-raised in the caller's thread
            outcome["error"] = e

    old = threading.stack_size()
    thread = None
    for size in (NATIVE_STACK_BYTES, NATIVE_STACK_BYTES >> 3, 0):
        try:
            threading.stack_size(size)
            thread = threading.Thread(target=target, name="jasic-kg-native", daemon=True)
            thread.start()
            break
        except (RuntimeError, ValueError, MemoryError):  # no room for a big stack: try a smaller one
            thread = None
        finally:
            threading.stack_size(old)
    if thread is None:
        return fn()
    limit = memory.limit_bytes()
    started = time.monotonic()
    try:
        while True:
            thread.join(_WATCH_SECONDS if timeout is None else min(_WATCH_SECONDS, max(
                timeout - (time.monotonic() - started), 0)))
            if not thread.is_alive():
                break
            if timeout is not None and time.monotonic() - started >= timeout * 0.99:
                raise InputError(f"{what} did not finish within {timeout:g} s (raise the limit with --timeout)")
            used = memory.resident_bytes() if limit else None
            if used is not None and used > limit:
                raise InputError(f"{what} was stopped: it took over {limit // 2**20} MB of memory (a query whose "
                                 "patterns share no variable grows without bound; JASIC_KG_MAX_MEMORY_MB raises "
                                 "the limit)")
    except BaseException:  # the limits above, or Ctrl-C: tell fn to stop
        if cancel is not None:
            cancel.set()
        raise
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


_WATCH_SECONDS = 0.05  # how often the waiting thread looks at the clock and the memory (50 MB/s: 2.5 MB late)


def check_structure(path: Path, fmt: RdfFormat) -> None:
    """Refuse nesting deeper than MAX_NESTING and (RDF/XML) entity expansion bombs, in time linear in the size."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", path) from None
    depth = nesting_depth(data, fmt)
    if depth > MAX_NESTING:
        raise InputError(f"nesting is {depth} levels deep, over the limit of {MAX_NESTING} (see README: Limits)",
                         path)
    if fmt == RdfFormat.RDF_XML and b"<!ENTITY" in data:
        _check_xml_entities(path, data)


def _check_xml_entities(path: Path, data: bytes) -> None:
    """Entity declarations can expand a small file into gigabytes ("billion laughs"), and pyoxigraph's RDF/XML
    parser expands them. expat (no handlers: C speed) enforces a limit on the amplification; external
    entities are never loaded."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError as e:
        # Any error counts: past a well-formedness error expat stops counting, and pyoxigraph's more lenient
        # parser would go on to expand whatever the declarations say.
        message = pyexpat.ErrorString(e.code)
        raise InputError(f"XML with entity declarations: {message}", path, e.lineno, e.offset + 1) from None


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


MAX_NAME_BYTES = 255  # the longest file name (one path component) the usual file systems take


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb"):
    """Open the place a command writes its output. A regular file (or a path that does not exist yet) is written
    to a temporary file next to it and then os.replace'd: readers never see a partial file, and a failure leaves
    the old file (or nothing) in place. Anything else is written in place, never replaced: "-" is standard
    output; a character device, FIFO or socket (renaming over /dev/null as root would destroy it for the whole
    machine) is opened and written; a symbolic link is followed to its target, which is then treated as above."""
    if str(path) == "-":
        yield _stdout(mode)
        return
    path = Path(path)
    if len(os.fsencode(path.name)) > MAX_NAME_BYTES:
        raise InputError(f"file name longer than {MAX_NAME_BYTES} bytes", path.name[:40] + "…")
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        st = path.stat()
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory; give a file name", path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _special_file(path, mode) as f:
            yield f
        return
    if not path.parent.is_dir():
        raise InputError("folder does not exist", path.parent)
    try:
        # hidden, beside the target, named after it where the name leaves room for mkstemp's suffix
        prefix = f".{path.name}." if len(os.fsencode(path.name)) <= 200 else ".jasic-kg."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise InputError(f"cannot write here: {e.strerror or e}", path) from None
    try:
        with os.fdopen(fd, mode, **_text_args(mode)) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        # mkstemp makes the file 0600; give the result the mode the old file had (or the umask's default), so
        # an export a web server should publish stays readable.
        os.chmod(tmp, _target_mode(path))
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise InputError(f"cannot write: {e.strerror or e}", path) from None
        raise


def _text_args(mode: str) -> dict:
    return {} if "b" in mode else {"encoding": "utf-8", "newline": ""}


class _Unclosed:
    """Standard output for a `with` block that must not close it."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, data):
        return self._stream.write(data)

    def flush(self):
        self._stream.flush()


def _stdout(mode: str):
    return _Unclosed(sys.stdout.buffer if "b" in mode else sys.stdout)


@contextlib.contextmanager
def _special_file(path: Path, mode: str):
    """Write a device, FIFO or socket in place. A FIFO nobody reads would block for ever: refuse it instead."""
    flags = os.O_WRONLY | (os.O_NONBLOCK if stat.S_ISFIFO(path.stat().st_mode) else 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise InputError("a FIFO with no reader; start the reader first", path) from None
        raise InputError(f"cannot write: {e.strerror or e}", path) from None
    if flags & os.O_NONBLOCK:
        os.set_blocking(fd, True)  # a reader is there: write normally
    try:
        with os.fdopen(fd, mode, **_text_args(mode)) as f:
            yield f
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror or e}", path) from None


def _target_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    with atomic_write(path) as f:
        f.write(data)
