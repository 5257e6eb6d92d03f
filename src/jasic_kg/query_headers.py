"""The `#+` header of a saved query: YAML, read as grlc reads it, and remembered between commands.

Importing PyYAML and compiling its scanner was a tenth of the cold start of `jasic-kg query NAME`. What a header
means depends on its text alone, so every header that parses is remembered in the cache folder (a jasic_kg.memo:
the header's YAML text -> the parsed header as JSON) and read back from there by later commands, which then never
import PyYAML. A header that does not parse is never remembered: it reaches PyYAML, and its error, every time.
"""

from __future__ import annotations

import json

from jasic_kg.errors import InputError
from jasic_kg.memo import Memo

# header YAML -> the parsed header as JSON text
_PARSED = Memo("query-headers.json", "jasic-kg query headers v1 (PyYAML BaseLoader, as JSON)", limit=200)


def parse_header(text: str, path=None) -> dict:
    """The `#+` lines of a query as a dict. PyYAML's BaseLoader keeps every scalar a string ("2018" stays "2018",
    as --param values are strings), so a header means the same here as in grlc."""
    lines = []  # (line number in the file, YAML text)
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.lstrip()
        if stripped.startswith("#+"):
            body = stripped[2:]
            lines.append((lineno, body[1:] if body.startswith(" ") else body))
    if not any(body.strip() for _, body in lines):
        return {}
    source = "\n".join(body for _, body in lines)
    known = _PARSED.get(source)
    if known is not None:
        return json.loads(known)
    meta = _parse_yaml(source, lines, path)
    encoded = json.dumps(meta, ensure_ascii=False, sort_keys=True)
    if json.loads(encoded) == meta:  # what JSON gives back unchanged (BaseLoader: strings, lists and maps)
        _PARSED.put(source, encoded)
    return meta


def _parse_yaml(source: str, lines: list[tuple[int, str]], path) -> dict:
    import yaml

    try:
        meta = yaml.load(source, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        where = lines[min(mark.line, len(lines) - 1)][0] if mark is not None else lines[0][0]
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(f"query header: {problem}", path, where) from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise InputError("query header: expected 'key: value' lines", path, lines[0][0])
    return meta
