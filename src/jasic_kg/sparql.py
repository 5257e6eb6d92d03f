"""SPARQL as text: the checks made before a query runs (size, nesting, SERVICE), the scanner that finds code
outside strings, comments and IRIs, parameter binding by a VALUES block, and syntax errors in one line."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pyoxigraph import Literal, NamedNode

from jasic_kg.errors import QueryError
from jasic_kg.io.limits import BRACKETS, MAX_NESTING, NOT_BRACKETS, max_depth


def sparql_error(err: Exception, sparql: str | None = None, line_offset: int = 0) -> str:
    """pyoxigraph's SPARQL syntax error in one line, whole, with the line of the query it points at.

    `line_offset`: lines added in front of the user's query (the endpoint's PREFIX block), taken off again so
    that the line number is the user's."""
    text = " ".join(str(err).split())
    m = re.match(r"error at (\d+):(\d+)", text)
    if not m:
        return f"invalid SPARQL: {text}"
    line = int(m.group(1)) - line_offset
    text = f"error at {line}:{m.group(2)}{text[m.end():]}"
    lines = sparql.splitlines()[line_offset:] if sparql is not None else []
    if 1 <= line <= len(lines) and lines[line - 1].strip():
        source = " ".join(lines[line - 1].split())
        text += f" (line {line}: {source if len(source) <= 120 else source[:119] + '…'})"
    return f"invalid SPARQL: {text}"


# Limits on query text (README "Limits"): pyoxigraph's SPARQL parser recurses on nesting and on prefix
# operators (! ^); with run_native's 1 GiB stack these bounds keep every query clear of a stack overflow.
MAX_QUERY_BYTES = 1024 * 1024
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE)
_PREFIX_OPS = re.compile(r"(?:[!^](?!=)\s*)+")


def check_query(sparql: str, *, allow_service: bool = False) -> None:
    """Refuse queries too big or too deeply nested to run safely, and SERVICE unless allowed."""
    size = len(sparql.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise QueryError(f"query is {size} bytes, over the limit of {MAX_QUERY_BYTES}")
    code = unescape_codepoints(code_text(sparql))
    marks = code.replace("<<", "(").replace(">>", ")").encode("utf-8", "surrogatepass")
    depth = max_depth(marks.translate(BRACKETS, NOT_BRACKETS))
    depth += max((len(m.group().replace(" ", "")) for m in _PREFIX_OPS.finditer(code)), default=0)
    if depth > MAX_NESTING:
        raise QueryError(f"query nests {depth} levels deep, over the limit of {MAX_NESTING}")
    if not allow_service and _SERVICE.search(code):
        raise QueryError("SERVICE is off: jasic-kg does not contact other endpoints from a local query "
                         "(--allow-service enables it)")


_IRI = re.compile(r"<(?:[^<>\"{}|^`\\\s]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(sparql: str) -> str:
    """Code text (outside strings, comments and IRIs) with its \\uXXXX and \\UXXXXXXXX escapes replaced, so a
    keyword spelt with escapes ('SERVI\\u0043E') is still seen by the checks (SPARQL 1.1 section 19.2)."""
    def char(m: re.Match) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)
    return _CODEPOINT.sub(char, sparql)


def _scan_code(sparql: str) -> Iterator[tuple[int, str]]:
    """(index, char) of SPARQL text outside comments, strings and IRIs, enough to find keywords and braces."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            j = sparql.find("\n", i)
            i = n if j < 0 else j
            continue
        if c in "'\"":
            quote = sparql[i:i + 3] if sparql[i:i + 3] in ("'''", '"""') else c
            j = i + len(quote)
            while j < n and not sparql.startswith(quote, j):
                j += 2 if sparql[j] == "\\" else 1
            i = j + len(quote)
            continue
        iri = _IRI.match(sparql, i) if c == "<" else None
        if iri:  # codepoint escapes are allowed in an IRI: '<http://x/\\u0041'>' is one IRI, not a string start
            i = iri.end()
            continue
        yield i, c
        i += 1


def code_text(sparql: str) -> str:
    """The query with comments, strings and IRIs removed: safe to search for keywords and variables."""
    return "".join(c for _, c in _scan_code(sparql))


def _query_form(sparql: str) -> str:
    code = code_text(sparql)
    m = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code, re.IGNORECASE)
    return m.group(1).upper() if m else "SELECT"


def inject_values(sparql: str, bindings: Mapping[str, NamedNode | Literal]) -> str:
    """Bind variables by a VALUES block at the start of the query's WHERE group.

    The terms are pyoxigraph terms, whose str() is their N-Triples form (valid SPARQL): an IRI is validated on
    construction and a literal is escaped, so no parameter value can close the block or add a clause.
    """
    names = list(bindings)
    values = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(
        str(bindings[n]) for n in names) + ") }\n"
    positions = list(_scan_code(sparql))
    code = "".join(c for _, c in positions)
    m = re.search(r"\bWHERE\s*\{", code, re.IGNORECASE)
    brace = code.index("{", m.start()) if m else (code.index("{") if "{" in code else None)
    if brace is None:
        raise QueryError("cannot bind parameters: the query has no WHERE group")
    at = positions[brace][0] + 1
    return sparql[:at] + "\n" + values + sparql[at:]
