"""Saved queries: .rq files with grlc-compatible `#+` YAML headers and grlc parameter names.

Header (https://github.com/CLARIAH/grlc/wiki/Query-decorators), e.g.

    #+ summary: Events of 2018 in narrative order
    #+ tags:
    #+   - timeline
    #+ defaults:
    #+   - year: 2018

Parameters (grlc/BASIL convention, https://github.com/CLARIAH/grlc/wiki/Parameter-Mapping):
`?_name` required, `?__name` optional; a suffix gives the type: `?_person_iri`, `?_year_integer`,
`?_label_en` (language tag), `?_day_xsd_date` (prefix_datatype), `?_n_number`, `?_text_literal`.
The part before the first underscore-separated suffix is the parameter name (`--param person=jid:he-pengchao`).

Values become RDF terms here (validated) and are bound by the store, never pasted into the text.
"""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from typing import TYPE_CHECKING

from pyoxigraph import Literal, NamedNode

from jasic_kg.errors import InputError, QueryError
from jasic_kg.io import resources
from jasic_kg.query_headers import parse_header
from jasic_kg.terms import PREFIXES, XSD, expand_curie, show, to_iri

if TYPE_CHECKING:  # imported where used: `validate` reads its check queries without it
    from jasic_kg.results import QueryResult

# --- parameters -------------------------------------------------------------------------------------------

_XSD_TYPES = {"integer", "decimal", "double", "float", "date", "dateTime", "boolean", "string", "gYear",
              "gYearMonth", "anyURI", "nonNegativeInteger", "positiveInteger"}
# XSD lexical forms use ASCII digits only: matched with re.ASCII, since \d also matches "٢٠١٨".
_LEXICAL = {
    "integer": r"[+-]?\d+", "nonNegativeInteger": r"\+?\d+", "positiveInteger": r"\+?0*[1-9]\d*",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)", "boolean": r"true|false|1|0", "gYear": r"-?\d{4,}",
    "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)",
    "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)",
}


@dataclass(frozen=True)
class Param:
    """One grlc parameter of a query."""

    name: str
    variable: str  # without "?"
    required: bool
    kind: str  # "iri" | "literal" | "lang" | "datatype" | "number"
    language: str | None = None
    datatype: str | None = None  # full IRI

    @property
    def type_label(self) -> str:
        if self.kind == "datatype":
            return show(NamedNode(self.datatype))
        return {"lang": f"@{self.language}"}.get(self.kind, self.kind)

    def to_term(self, value: str):
        """The user's text as a validated RDF term; InputError naming the parameter otherwise."""
        try:
            return self._to_term(value)
        except ValueError as e:
            raise InputError(f"parameter {self.name} ({self.type_label}): {e}") from None

    def _to_term(self, value: str):
        if self.kind == "iri":
            return to_iri(value)
        if self.kind == "lang":
            return Literal(value, language=self.language)
        if self.kind == "number":
            kind = "integer" if re.fullmatch(_LEXICAL["integer"], value.strip(), re.ASCII) else "decimal"
            return Param(self.name, self.variable, self.required, "datatype",
                         datatype=XSD + kind)._to_term(value)
        if self.kind == "datatype":
            local = self.datatype[len(XSD):] if self.datatype.startswith(XSD) else None
            value = value.strip() if local and local != "string" else value
            if local == "date":
                datetime.date.fromisoformat(value)  # ValueError on 2018-13-01
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value, re.ASCII):
                    raise ValueError(f"not an xsd:date (YYYY-MM-DD): {value!r}")
            elif local == "dateTime":
                datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
            elif local in _LEXICAL and not re.fullmatch(_LEXICAL[local], value, re.ASCII):
                raise ValueError(f"not a valid xsd:{local}: {value!r}")
            if local == "boolean":
                value = {"1": "true", "0": "false"}.get(value, value)
            return Literal(value, datatype=NamedNode(self.datatype))
        return Literal(value)


def param_from_variable(var: str) -> Param | None:
    """?_name_type / ?__name_type -> Param (grlc rules); None for an ordinary variable."""
    if not var.startswith("_") or len(var) < 2:
        return None
    required = not var.startswith("__")
    parts = var.lstrip("_").split("_")
    name, suffix = parts[0], parts[1:]
    if not name:
        return None
    if not suffix or suffix == ["literal"]:
        return Param(name, var, required, "literal")
    if suffix == ["iri"]:
        return Param(name, var, required, "iri")
    if suffix == ["number"]:
        return Param(name, var, required, "number")
    if len(suffix) == 1 and suffix[0] in _XSD_TYPES:
        return Param(name, var, required, "datatype", datatype=XSD + suffix[0])
    if len(suffix) == 1 and re.fullmatch(r"[a-z]{2,3}", suffix[0]):
        return Param(name, var, required, "lang", language=suffix[0])
    if len(suffix) == 2:
        datatype = expand_curie(f"{suffix[0]}:{suffix[1]}")
        if datatype:
            return Param(name, var, required, "datatype", datatype=datatype)
    raise InputError(f"variable ?{var}: unknown grlc parameter type suffix {'_'.join(suffix)!r}")


def find_params(sparql: str) -> list[Param]:
    from jasic_kg.sparql import code_text

    seen: dict[str, Param] = {}
    for var in re.findall(r"[?$](_\w+)", code_text(sparql)):
        p = param_from_variable(var)
        if p and p.name not in seen:
            seen[p.name] = p
        elif p and seen[p.name].variable != var:
            raise InputError(f"parameter {p.name} is spelled two ways: ?{seen[p.name].variable} and ?{var}")
    return list(seen.values())


def parse_param_options(options) -> dict[str, str]:
    """["year=2018", ...] -> {"year": "2018"}; InputError on a malformed option."""
    out = {}
    for opt in options:
        name, sep, value = opt.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--param must be name=value, got {opt!r}")
        out[name.strip()] = value
    return out


# --- saved queries ----------------------------------------------------------------------------------------

@dataclass
class SavedQuery:
    name: str
    text: str
    path: Path | None = None
    meta: dict = field(default_factory=dict)
    params: list[Param] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return str(self.meta.get("summary") or "").strip()

    @property
    def tags(self) -> list[str]:
        tags = self.meta.get("tags") or []
        return [str(t) for t in (tags if isinstance(tags, list) else [tags])]

    @property
    def defaults(self) -> dict[str, str]:
        """grlc writes defaults as a list of one-key maps; accept a plain map too."""
        raw = self.meta.get("defaults") or {}
        items = raw if isinstance(raw, list) else [raw]
        out = {}
        for item in items:
            if isinstance(item, dict):
                out.update({k: str(v) for k, v in item.items()})
        return out

    @property
    def ordered(self) -> bool:
        from jasic_kg.sparql import code_text

        return re.search(r"\bORDER\s+BY\b", code_text(self.text), re.IGNORECASE) is not None

    def bindings(self, values: dict[str, str]) -> dict:
        """Typed terms for the query's variables from --param values and header defaults."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            listed = ", ".join(known) or "none"
            raise InputError(f"unknown parameter {unknown[0]} for query {self.name} (parameters: {listed})")
        out = {}
        for p in self.params:
            value = values.get(p.name, self.defaults.get(p.name))
            if value is None:
                if p.required:
                    raise InputError(f"missing required parameter {p.name} for query {self.name} "
                                     f"(--param {p.name}=VALUE, type {p.type_label})")
                continue
            out[p.variable] = p.to_term(value)
        return out


def load_query(text: str, name: str = "query", path: Path | None = None) -> SavedQuery:
    return SavedQuery(name, text, path, parse_header(text, path), find_params(text))


QUERY_FILE_MAX_BYTES = 1024 * 1024  # the query size limit (sparql.MAX_QUERY_BYTES): a query file is read up to it


def read_capped(stream, what, limit: int = QUERY_FILE_MAX_BYTES) -> str:
    """At most `limit` bytes of a binary stream as UTF-8 text: a query from /dev/zero or an endless pipe is a
    clean error, not exhausted memory."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InputError(f"query is over the limit of {limit} bytes", what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text (byte {e.start})", what) from None


def load_query_file(path) -> SavedQuery:
    path = Path(path)
    return load_query(read_query_text(path), path.stem, path)


def read_query_text(path: Path) -> str:
    """A query file's text, refused with a one-line error when it is not a regular file, too big or not UTF-8."""
    if path.exists() and not path.is_file():  # checked before opening: a FIFO with no writer blocks open()
        raise InputError("not a regular file (a device, FIFO or socket); give a .rq file or - for standard input",
                         path)
    try:
        size = path.stat().st_size  # before reading: a 4 GB file must not be read to be refused
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as e:
        raise InputError(f"cannot read query: {e}", path) from None
    if size > QUERY_FILE_MAX_BYTES:
        raise InputError(f"query is {size} bytes, over the limit of {QUERY_FILE_MAX_BYTES}", path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read query: {e}", path) from None
    return text


def load_saved_queries() -> dict[str, SavedQuery]:
    """The shipped saved queries (queries/*.rq) by name."""
    return {p.stem: load_query_file(p) for p in resources.query_files()}


def resolve_query(spec: str) -> SavedQuery:
    """A saved-query name, a .rq file or SPARQL text ("-" reads stdin)."""
    import sys

    if spec == "-":
        return load_query(read_capped(sys.stdin.buffer, "<stdin>"), "stdin")
    if re.fullmatch(r"[\w.-]+", spec) and not spec.endswith(".rq"):
        # a name: read that one file, not all saved queries (the cold start of `query NAME`)
        path = resources.root() / "queries" / f"{spec}.rq"
        if path.is_file():
            return load_query_file(path)
    if re.search(r"[{}]", spec) or re.match(r"^\s*(PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", spec, re.I):
        return load_query(spec, "query")
    if Path(spec).exists() or spec.endswith(".rq"):
        return load_query_file(spec)
    from jasic_kg.search import did_you_mean

    names = [p.stem for p in resources.query_files()]
    hint = did_you_mean(spec, names) or f" (saved: {', '.join(names) or 'none shipped'}; see `jasic-kg queries list`)"
    raise InputError(f"{spec!r} is neither SPARQL, a .rq file nor a saved query{hint}")


def run_saved_query(store, query: SavedQuery | str, params: dict[str, str] | None = None) -> QueryResult:
    """Run a saved query (or its name) with --param values; parameters are bound, never pasted."""
    if isinstance(query, str):
        query = resolve_query(query)
    return store.query(query.text, query.bindings(params or {}))


# --- queries test -----------------------------------------------------------------------------------------

@dataclass
class QueryTest:
    name: str
    ok: bool
    details: list[str] = field(default_factory=list)
    rows: int = 0


def _key(term) -> str:
    """Comparable form of a term; blank nodes match any blank node (their labels are not data)."""
    if term is None:
        return ""
    if term.__class__.__name__ == "BlankNode":
        return "_:"
    return str(term)


def compare_results(expected: QueryResult, actual: QueryResult, ordered: bool) -> list[str]:
    """Readable differences between two results (empty list = equal). Rows are bags unless `ordered`."""
    if expected.kind != actual.kind:
        return [f"expected a {expected.kind} result, got {actual.kind}"]
    if expected.kind == "ask":
        return [] if expected.boolean == actual.boolean else [
            f"expected {str(expected.boolean).lower()}, got {str(actual.boolean).lower()}"]
    if set(expected.variables) != set(actual.variables):
        return [f"variables differ: expected {' '.join('?' + v for v in expected.variables)}, "
                f"got {' '.join('?' + v for v in actual.variables)}"]
    cols = [actual.variables.index(v) for v in expected.variables]
    exp = [tuple(_key(t) for t in row) for row in expected.rows]
    act = [tuple(_key(row[i]) for i in cols) for row in actual.rows]

    def fmt(row):
        return "  ".join(f"?{v}={show_key(k)}" for v, k in zip(expected.variables, row) if k)

    details = []
    missing = Counter(exp) - Counter(act)
    extra = Counter(act) - Counter(exp)
    for row, n in missing.items():
        details += [f"missing:    {fmt(row)}"] * n
    for row, n in extra.items():
        details += [f"unexpected: {fmt(row)}"] * n
    if not details and ordered and exp != act:
        first = next(i for i, (a, b) in enumerate(zip(exp, act)) if a != b)
        details.append(f"order differs (query has ORDER BY) at row {first + 1}: expected {fmt(exp[first])}, "
                       f"got {fmt(act[first])}")
    return details


def show_key(key: str) -> str:
    if key.startswith("<") and key.endswith(">"):
        return show(NamedNode(key[1:-1]))
    return key


def read_expected(path: Path) -> QueryResult:
    from jasic_kg.results import QueryResult

    try:
        return QueryResult.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(f"not a SPARQL JSON results file: {e}", path) from None


def test_queries(store, names: list[str] | None = None, expected_dir: Path | None = None) -> list[QueryTest]:
    """Run saved queries with their defaults and compare with queries/expected/NAME.srj."""
    expected_dir = expected_dir or resources.expected_dir()
    saved = load_saved_queries()
    if names:
        unknown = [n for n in names if n not in saved]
        if unknown:
            from jasic_kg.search import did_you_mean

            hint = did_you_mean(unknown[0], saved) or f" (saved: {', '.join(saved) or 'none'})"
            raise InputError(f"no saved query {unknown[0]!r}{hint}")
    out = []
    for name in names or sorted(saved):
        query = saved[name]
        srj = expected_dir / f"{name}.srj"
        if not srj.exists():
            out.append(QueryTest(name, False, [f"no expected results: {srj.name} is missing"]))
            continue
        try:
            actual = run_saved_query(store, query)
        except (InputError, QueryError) as e:
            out.append(QueryTest(name, False, [f"error: {e}"]))
            continue
        details = compare_results(read_expected(srj), actual, query.ordered)
        out.append(QueryTest(name, not details, details, len(actual.rows)))
    if not names and expected_dir.is_dir():
        for srj in sorted(expected_dir.glob("*.srj")):
            if srj.stem not in saved:
                out.append(QueryTest(srj.stem, False, [f"expected results without a query: {srj.name}"]))
    return out


test_queries.__test__ = False  # not a pytest test, despite the name
__all__ = ["SavedQuery", "Param", "load_saved_queries", "run_saved_query", "resolve_query", "test_queries",
           "parse_header", "find_params", "compare_results", "PREFIXES"]
