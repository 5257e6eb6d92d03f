"""Query results and the output formats for them: one registry gives the --format choices, their help text and
the writer, so the CLI and the docs cannot drift apart.

SELECT/ASK results are written as SPARQL 1.1 JSON by us and handed to pyoxigraph for XML, CSV and TSV, so every
format follows the W3C result specs. CONSTRUCT/DESCRIBE results go through export.py's RDF writers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from jasic_kg.terms import PREFIXES, XSD, show, term_from_json, term_to_json


@dataclass
class QueryResult:
    """The result of one query, whatever store ran it. Terms are pyoxigraph terms; None is unbound."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    # An endpoint's SPARQL JSON answer when it holds exactly these rows' terms: the CSV, TSV and XML writers read it
    # again in Rust instead of writing the rows out as JSON first (32k rows: 0.17 s instead of 0.61 s).
    source_json: bytes | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/)."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        bindings = [
            {v: term_to_json(t) for v, t in zip(self.variables, row) if t is not None} for row in self.rows
        ]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}

    @classmethod
    def from_json(cls, doc: dict) -> QueryResult:
        if "boolean" in doc:
            return cls("ask", boolean=bool(doc["boolean"]))
        variables = list(doc.get("head", {}).get("vars", []))
        rows = [
            tuple(term_from_json(b[v]) if v in b else None for v in variables)
            for b in doc.get("results", {}).get("bindings", [])
        ]
        return cls("select", variables, rows)

    @classmethod
    def from_json_bytes(cls, raw: bytes) -> QueryResult:
        """SPARQL JSON results as received: read by pyoxigraph's parser (in Rust, about half the time of
        json.loads and from_json for 30,000 rows), with the terms from_json gives. What that strict parser
        refuses (Virtuoso's blank node labels, undeclared variables, ...) and RDF-star triples (from_json has
        no term for them) go through from_json, which keeps or refuses them as before (ValueError and the like)."""
        from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

        if b'"triple"' not in raw:
            try:
                parsed = parse_query_results(raw, QueryResultsFormat.JSON)
                if isinstance(parsed, QueryBoolean):
                    return cls("ask", boolean=bool(parsed))
                variables = [v.value for v in parsed.variables]
                rows = _without_collector(lambda: [tuple(solution) for solution in parsed])
            except SyntaxError:
                # not kept alive by the frame of an error raised below (pyoxigraph's results are dropped only
                # on the thread that made them: a later collection on another thread would complain)
                parsed = None
            else:
                if _has_numeric_boolean(raw):  # made canonical: the answer no longer holds these terms
                    return cls("select", variables, [tuple(_NUMERIC_BOOLEANS.get(t, t) for t in row) for row in rows])
                return cls("select", variables, rows, source_json=raw)
        doc = json.loads(raw)
        if not isinstance(doc, dict):
            raise ValueError(f"expected a JSON object, got {type(doc).__name__}")
        return cls.from_json(doc)


def _without_collector(build):
    """`build()` with Python's cyclic garbage collector paused: hundreds of thousands of new terms and tuples and
    no cycle among them, yet each batch of new objects can set off a walk of the whole heap (32k rows: 0.3 s,
    0.7 s at times, in a process holding a big heap)."""
    import gc

    if not gc.isenabled():
        return build()
    gc.disable()
    try:
        return build()
    finally:
        gc.enable()


def _numeric_booleans() -> dict:
    """Virtuoso's "1"/"0" booleans and the canonical terms term_from_json gives them."""
    from pyoxigraph import Literal, NamedNode

    boolean = NamedNode(XSD + "boolean")
    return {Literal(v, datatype=boolean): Literal(c, datatype=boolean) for v, c in (("1", "true"), ("0", "false"))}


_NUMERIC_BOOLEANS = _numeric_booleans()


def _has_numeric_boolean(raw: bytes) -> bool:
    """Whether a term of these JSON results may be a boolean written "1" or "0" (or escaped). Plain substring
    searches (a regular expression takes several times longer on 27 MB); a term's JSON object has no braces
    inside, so the one around a "1" is the text between the braces before and after it."""
    if b"XMLSchema#boolean" not in raw:
        return False
    if b"\\u003" in raw:
        return True
    for digit in (b'"1"', b'"0"'):
        at = raw.find(digit)
        while at >= 0:
            if b"XMLSchema#boolean" in raw[raw.rfind(b"{", 0, at):raw.find(b"}", at)]:
                return True
            at = raw.find(digit, at + len(digit))
    return False


def _width(text: str) -> int:
    """Display width: CJK (East Asian wide/fullwidth) characters take two columns in a terminal."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` display columns, ending in … when cut."""
    if _width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def fit_widths(widths: list[int], total: int, floor: int = 8) -> list[int]:
    """Narrow the widest columns, one column at a time, until the row (with 2-space gaps) fits `total`."""
    widths = list(widths)
    while sum(widths) + 2 * (len(widths) - 1) > total:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= floor:
            break  # too many columns to fit: keep them readable, let the terminal wrap
        widths[widest] -= 1
    return widths


def render_table(result: QueryResult, prefixes: dict[str, str] = PREFIXES, max_width: int | None = None) -> str:
    """Aligned columns with CURIEs: for people, not for machines (use csv/json for those).
    `max_width`: the terminal's width; wide cells are cut with … to fit it (None: full cells, for pipes)."""
    if result.kind == "ask":
        return ("true" if result.boolean else "false") + "\n"
    header = [f"?{v}" for v in result.variables]
    cells = [[show(t, prefixes).replace("\n", " ") for t in row] for row in result.rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    if max_width:
        widths = fit_widths(widths, max_width)
        header = [_cut(h, w) for h, w in zip(header, widths)]
        cells = [[_cut(c, w) for c, w in zip(r, widths)] for r in cells]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _via_pyoxigraph(name: str):
    def write(result: QueryResult) -> bytes:
        from pyoxigraph import QueryResultsFormat, parse_query_results

        fmt = getattr(QueryResultsFormat, name)
        source = result.source_json if result.source_json is not None else json.dumps(result.to_json())
        solutions = parse_query_results(source, QueryResultsFormat.JSON)
        if result.kind == "ask":
            # pyoxigraph has no CSV/TSV form for booleans; the SPARQL CSV/TSV spec does not define one either.
            if name in ("CSV", "TSV"):
                return b"true\n" if result.boolean else b"false\n"
        out = solutions.serialize(format=fmt)
        return out if out.endswith(b"\n") else out + b"\n"

    return write


@dataclass(frozen=True)
class ResultFormat:
    name: str
    help: str
    write: object  # Callable[[QueryResult], bytes]
    media_type: str


SELECT_FORMATS: dict[str, ResultFormat] = {
    f.name: f
    for f in (
        ResultFormat("table", "aligned text table with CURIEs (for people)",
                     lambda r: render_table(r).encode("utf-8"), "text/plain"),
        ResultFormat("csv", "SPARQL 1.1 CSV results", _via_pyoxigraph("CSV"), "text/csv"),
        ResultFormat("tsv", "SPARQL 1.1 TSV results", _via_pyoxigraph("TSV"), "text/tab-separated-values"),
        ResultFormat("json", "SPARQL 1.1 JSON results",
                     lambda r: (json.dumps(r.to_json(), ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
                     "application/sparql-results+json"),
        ResultFormat("xml", "SPARQL 1.1 XML results", _via_pyoxigraph("XML"), "application/sparql-results+xml"),
    )
}

# CONSTRUCT/DESCRIBE results are graphs: these are the RDF export formats that make sense for a graph.
GRAPH_FORMATS = ("turtle", "jsonld", "nt")


def write_result(result: QueryResult, fmt: str | None, max_width: int | None = None) -> bytes:
    """Serialize a result; the format must fit the query form (InputError otherwise). `max_width` fits the
    table to a terminal."""
    from jasic_kg.errors import InputError

    if result.kind == "graph":
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"--format {fmt} is for SELECT/ASK; a CONSTRUCT/DESCRIBE result takes "
                             + "|".join(GRAPH_FORMATS))
        from jasic_kg.export.exporters import serialize_triples

        return serialize_triples(result.triples, fmt)
    fmt = fmt or "table"
    if fmt not in SELECT_FORMATS:
        raise InputError(f"--format {fmt} is for graphs; a SELECT/ASK result takes " + "|".join(SELECT_FORMATS))
    if fmt == "table" and max_width:
        return render_table(result, max_width=max_width).encode("utf-8")
    return SELECT_FORMATS[fmt].write(result)
