"""How the local graph gets into memory: each input file strictly parsed after its content checks, or the
whole set read back from its cache entry (jasic_kg.cache), a validated N-Quads dump.

An entry is named by the SHA-256 of its inputs and found again by their stat signatures (a memo in the cache
folder), so that an unchanged input is neither checked, parsed, read nor hashed again.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from jasic_kg.io.rdfio import check_file, load_graph, parser_input

CACHE_DUMP = "graph.nq"  # in a cache entry (jasic_kg.cache): the validated graph as N-Quads


class Source:
    """One input file: its path, RDF format, size limit and what the parser reads (parser_input)."""

    def __init__(self, path: Path, fmt: RdfFormat, limit: int, allow_contexts: Sequence[str]):
        self.path, self.format, self.limit = path, fmt, limit
        self.parser_input = parser_input(path, fmt, allow_contexts)

    def digest(self) -> str:
        """The cache key part of this input: the SHA-256 of what the parser reads, and the format."""
        import hashlib

        if "input" in self.parser_input:  # a JSON-LD document with its contexts inlined
            return hashlib.sha256(self.parser_input["input"]).hexdigest() + str(self.format)
        h = hashlib.sha256()
        with self.path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest() + str(self.format)


def load(store: Store, sources: Sequence[Source]) -> Store:
    """Strictly parse the sources into `store`, each after the content checks (before any parser sees it)."""
    for source in sources:
        check_file(source.path, source.limit)
    for source in sources:
        load_graph(store, source.path, source.format, source.parser_input)
    return store


def open_cached(cache_dir, sources: Sequence[Source]) -> Store:
    """An in-memory store read from the cache entry of these inputs (keyed by their SHA-256): an unchanged
    input is strictly parsed and checked once, then read back from a validated N-Quads dump (measured at a
    million triples: 1.5 s against 2.3 s for the strict parse and checks; for the 0.5 MB shipped graph 12 ms
    against 18). Queries run in memory either way: an on-disk (RocksDB) store was 3-6 times slower for the
    queries that scan the graph, read-only or read-write, and took 30 ms to open read-only (BENCHMARKS.md,
    "The store cache measured" and "Cold start on the shipped graph")."""
    from jasic_kg.cache import default_cache_dir, open_entry

    def build(folder: Path) -> tuple[Store, bytes]:
        store = load(Store(), sources)  # strict parse and content checks, once
        store.dump(str(folder / CACHE_DUMP), RdfFormat.N_QUADS)
        return store, f"{len(store)}\n".encode()  # the quad count, checked on every read

    base = Path(cache_dir) if cache_dir else default_cache_dir()
    return open_entry(base, entry_name(sources, base), build, read_dump)


def read_dump(entry: Path) -> Store:
    """A cache entry into memory. lenient: the dump was written by pyoxigraph from strictly parsed input, so the
    IRI and literal validation is skipped (a third faster); the quad count guards against a damaged file."""
    expected = int((entry / ".complete").read_text().strip() or -1)
    store = Store()
    store.load(path=str(entry / CACHE_DUMP), format=RdfFormat.N_QUADS, lenient=True)
    if len(store) != expected:
        raise ValueError(f"{entry}: {len(store)} quads, {expected} expected")
    return store


def entry_name(sources: Sequence[Source], base: Path) -> str:
    """The cache entry of these inputs, named by the SHA-256 of their content (cache.entry_key) and remembered by
    the files' stat signatures (memo.remembered), so that unchanged files are neither read nor hashed again:
    hashlib's OpenSSL alone took 2-10 ms of a cold start."""
    from jasic_kg.cache import entry_key
    from jasic_kg.memo import remembered

    signature, changed = stat_signature(sources)
    return remembered(entry_names(base), signature, changed,
                      lambda: entry_key([source.digest() for source in sources]))


@functools.cache
def entry_names(base: Path):
    """The memo of entry names in the cache folder `base` (one per folder and process: written at exit)."""
    from jasic_kg.cache import CACHE_FORMAT
    from jasic_kg.memo import Memo

    return Memo("input-keys.json", "jasic-kg input keys v1: stat signatures -> " + CACHE_FORMAT.decode(), limit=32,
                folder=base)


def stat_signature(sources: Sequence[Source]) -> tuple[str | None, int]:
    """memo.file_signature of each input with its format, as JSON, and the latest change among them (ns); None
    when an input is not read from its file as it is (JSON-LD with contexts inlined)."""
    from jasic_kg.memo import file_signature

    if any("path" not in source.parser_input for source in sources):
        return None, 0
    signature, changed = [], 0
    for source in sources:
        stats, latest = file_signature(source.path)
        signature.append([*stats, str(source.format)])
        changed = max(changed, latest)
    return json.dumps(signature), changed
