"""Guards against pathological RDF files, run before any parser sees one: nesting deeper than MAX_NESTING and
(RDF/XML) entity expansion bombs, checked in time linear in the size.

pyoxigraph recurses on some nested constructs (RDF 1.2 triple terms, JSON-LD objects, SPARQL groups): deep
enough nesting overflows the native stack and kills the process with SIGSEGV, and its JSON-LD and RDF/XML
parsers need time and memory superlinear in the depth. Real data nests a few levels; we refuse deeper input
before any parser sees it (MAX_NESTING, in limits.py). Documented in README "Limits".

Imported only when a file's content is checked (not when a validated cache entry is read): compiling the
scanners below is a good part of a cold start.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import RdfFormat

from jasic_kg.errors import InputError
from jasic_kg.io.limits import BRACKETS, CLOSE, MAX_NESTING, NOT_BRACKETS, OPEN, max_depth

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
_ONLY_MARKS = bytes(b for b in range(256) if b not in b"\x01\xff")


def nesting_depth(data: bytes, fmt: RdfFormat) -> int:
    """How deeply `data` nests, counted the way its parser would recurse (an upper bound)."""
    if fmt == RdfFormat.JSON_LD:
        marks = _JSON_SKIP.sub(b"", data).translate(BRACKETS, NOT_BRACKETS)
    elif fmt == RdfFormat.RDF_XML:
        body = _XML_SKIP.sub(b"", data.replace(b"\x01", b"").replace(b"\xff", b""))
        body = _XML_OPEN.sub(OPEN, _XML_CLOSE.sub(CLOSE, _XML_EMPTY.sub(b"", body)))
        marks = body.translate(None, _ONLY_MARKS)
    else:
        body = _TTL_SKIP.sub(b" ", data).replace(b"<<(", OPEN).replace(b")>>", CLOSE)
        body = body.replace(b"<<", OPEN).replace(b">>", CLOSE)
        marks = body.translate(BRACKETS, NOT_BRACKETS)
    return max_depth(marks)


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
