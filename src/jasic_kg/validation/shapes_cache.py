"""The compiled shapes of `validate` in the project's cache (jasic_kg.cache): an entry `shapes-<hash>` holds
compiled.json, the compiled shapes (shacl_compiler.compile_shapes) as JSON data, keyed by the parsed shapes, the
toolkit's version, pyoxigraph's and rdflib's, and the compiler's own source. Blank nodes of the shapes are stored as
their number in the order the shapes were read, so that the next parse of the same files (which names its blank
nodes afresh) gets its own back: the findings name shapes of this run's shapes graph, as the report needs."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode

from jasic_kg import cache
from jasic_kg._version import __version__
from jasic_kg.io.atomic import write_bytes
from jasic_kg.validation.compiled import CompiledCheck, CompiledShape

CACHE_FORMAT = "jasic-kg compiled shapes v2"
_CACHE_FILE = "compiled.json"
COMPILER_SOURCES = ("compiled.py", "shapes_cache.py", "shacl_sparql.py", "shacl_compiler.py", "shacl_components.py")


def compile_quads(quads: list, *, use_cache: bool = True, paths: Sequence[Path] = ()) -> list[CompiledShape]:
    """The compiled top-level shapes of the shapes graph whose quads (in the order they were parsed, from the files
    `paths`) are given, with pyoxigraph terms (the blank nodes of `quads`). From the cache when these quads, this
    toolkit and its compiler were compiled before; else compiled (rdflib) and, when the cache is usable, kept
    there."""
    blank_nodes = _blank_nodes(quads)
    if use_cache and cache.cache_enabled():
        def build(folder: Path):
            doc = _encode(_compile(quads), blank_nodes)
            write_bytes(folder / _CACHE_FILE, _dumps(doc))
            return _decode(doc, blank_nodes), CACHE_FORMAT.encode()

        def read(folder: Path):
            return _decode(_loads((folder / _CACHE_FILE).read_bytes()), blank_nodes)

        base = cache.default_cache_dir()
        try:
            return cache.open_entry(base, _entry_name(quads, blank_nodes, paths, base), build, read)
        except cache.CacheUnavailable:
            pass
    return _decode(_encode(_compile(quads), blank_nodes), blank_nodes)


def _compile(quads: list) -> list[CompiledShape]:
    from jasic_kg.validation.shacl_compiler import compile_shapes

    return compile_shapes(_rdflib_graph(quads))


def _blank_nodes(quads: list) -> list:
    """The blank nodes of the quads in order of first appearance (their numbers in the cache entry)."""
    seen: dict = {}
    for q in quads:
        for term in (q.subject, q.object):  # a predicate is never a blank node
            if isinstance(term, BlankNode) and term not in seen:
                seen[term] = len(seen)
    return list(seen)


def _entry_name(quads: list, blank_nodes: list, paths: Sequence[Path], base: Path) -> str:
    """The cache entry's name (_cache_key), remembered by the stat signatures of the shapes files and of the
    compiler's source (memo.remembered, as loading.entry_name does for the graph's entry), so that unchanged
    shapes are not digested again: hashlib's OpenSSL alone costs a cold start 2-6 ms."""
    from jasic_kg.memo import remembered

    signature, changed = _stat_signature(paths)
    return remembered(_entry_names(base), signature, changed, lambda: _cache_key(quads, blank_nodes))


@functools.cache
def _entry_names(base: Path):
    from jasic_kg.memo import Memo

    return Memo("shapes-keys.json", f"jasic-kg shapes keys v1: stat signatures -> {CACHE_FORMAT}", limit=16,
                folder=base)


def _stat_signature(paths: Sequence[Path]) -> tuple[str | None, int]:
    """The shapes files' and the compiler's stat signatures (path, device, inode, size, modification and change
    times) with the versions the key depends on, as JSON, and the latest change among them (ns); None without
    paths, or when a shapes file is JSON-LD (its parse also depends on its contexts)."""
    import pyoxigraph

    from jasic_kg.memo import file_signature

    if not paths or any(Path(p).suffix.lower() in (".jsonld", ".json") for p in paths):
        return None, 0
    here = Path(__file__).parent
    signature, changed = [__version__, pyoxigraph.__version__, _rdflib_stamp()], 0
    try:
        for path in [*paths, *(here / name for name in COMPILER_SOURCES)]:
            stats, latest = file_signature(path)
            signature.append(stats)
            changed = max(changed, latest)
    except OSError:
        return None, 0
    return json.dumps(signature), changed


def _cache_key(quads: list, blank_nodes: list) -> str:
    """The entry name: a digest of the quads (blank nodes by their number in `blank_nodes`), the toolkit's
    version, pyoxigraph's and rdflib's, and the compiler's source."""
    import hashlib

    import pyoxigraph

    digest = hashlib.sha256(f"{CACHE_FORMAT}\n{__version__}\n{pyoxigraph.__version__}\n{_rdflib_stamp()}\n".encode())
    here = Path(__file__).parent
    for name in COMPILER_SOURCES:
        digest.update((here / name).read_bytes())
    numbered = {b: i for i, b in enumerate(blank_nodes)}
    lines = []
    for q in quads:
        for term in (q.subject, q.predicate, q.object):
            lines.append(f"_:{numbered[term]}" if isinstance(term, BlankNode) else str(term))
    digest.update("\n".join(lines).encode())
    return f"shapes-{digest.hexdigest()[:32]}"


def _rdflib_stamp() -> str:
    """Which rdflib would compile (its package file's path, size and time), found without importing it."""
    from importlib.util import find_spec

    try:
        spec = find_spec("rdflib")
        st = os.stat(spec.origin)
        return f"{spec.origin} {st.st_size} {st.st_mtime_ns}"
    except (AttributeError, ImportError, OSError, TypeError, ValueError):
        return "no rdflib"


def _rdflib_graph(quads: list):
    import rdflib

    from jasic_kg.terms import to_rdflib

    graph = rdflib.Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def _encode(shapes: list[CompiledShape], blank_nodes: list) -> dict:
    """The compiled shapes (rdflib terms of a graph made from `blank_nodes`' quads) as JSON data: a blank node
    is its number in `blank_nodes`, so that the next parse of the same shapes can name its own."""
    numbers = {b.value: i for i, b in enumerate(blank_nodes)}

    def term(t):
        if t is None:
            return None
        kind = type(t).__name__
        if kind == "URIRef":
            return ["i", str(t)]
        if kind == "BNode":
            return ["b", numbers[str(t)]]
        return ["l", str(t), str(t.datatype) if t.datatype else None, t.language]

    return {"format": CACHE_FORMAT, "shapes": [
        {"shape": term(s.shape), "target": s.target, "classes": s.classes, "not_compilable": s.not_compilable,
         "checks": [[c.component, term(c.shape), c.pattern, c.focus, c.value, list(c.keys), c.path_var,
                     term(c.path), c.post, term(c.severity), c.message] for c in s.checks]}
        for s in shapes]}


def _decode(doc: dict, blank_nodes: list) -> list[CompiledShape]:
    """JSON data from _encode as compiled shapes in pyoxigraph terms; ValueError when it is not that."""
    def term(t):
        if t is None:
            return None
        if t[0] == "i":
            return NamedNode(t[1])
        if t[0] == "b":
            return blank_nodes[t[1]]
        if t[3]:
            return Literal(t[1], language=t[3])
        return Literal(t[1], datatype=NamedNode(t[2])) if t[2] else Literal(t[1])

    try:
        if doc["format"] != CACHE_FORMAT:
            raise ValueError(f"not {CACHE_FORMAT}")
        return [CompiledShape(term(s["shape"]), s["target"], [tuple(c) for c in s["classes"]],
                              [CompiledCheck(c[0], term(c[1]), c[2], c[3], c[4], tuple(c[5]), c[6], term(c[7]), c[8],
                                             term(c[9]), c[10]) for c in s["checks"]],
                              s["not_compilable"])
                for s in doc["shapes"]]
    except (KeyError, IndexError, TypeError) as e:
        raise ValueError(f"damaged compiled shapes: {e}") from None


def _dumps(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _loads(data: bytes) -> dict:
    # the standard library's json (its JSONDecodeError is a ValueError): importing orjson would cost a cold
    # validate more than it saves on 140 kB
    return json.loads(data)
