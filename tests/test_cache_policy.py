"""The store cache's policy (BENCHMARKS.md, "The store cache measured"): a cache entry is the validated graph as
N-Quads; a hit reads it into memory (no parse of the sources, no content checks), so every query runs on the same
in-memory store as with --no-cache and the cached path can never be the slower one for a query."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from jasic_kg import loading
from jasic_kg.io import guards
from jasic_kg.store import LocalStore

SAMPLE = """@prefix ex: <http://example.org/> .
ex:a ex:p "one" ; ex:q [ ex:r "blank" ] .
ex:b ex:p "two"@en .
"""


def _entry(cache):
    [entry] = [p for p in cache.iterdir() if p.name.startswith("store-")]
    return entry


def test_an_entry_is_a_validated_dump_and_a_hit_reads_it_into_memory(tmp_path, monkeypatch):
    data = tmp_path / "data.ttl"
    data.write_text(SAMPLE)
    cache = tmp_path / "cache"
    first = LocalStore([data], cache=True, cache_dir=cache)
    entry = _entry(cache)
    assert sorted(p.name for p in entry.iterdir()) == [".complete", "graph.nq"]  # no on-disk database
    assert (entry / ".complete").read_text() == "4\n"  # the quad count, checked when the entry is read
    dump = (entry / "graph.nq").read_bytes()

    # A hit: the dump is read; the sources are neither parsed nor checked again.
    parsed, checked, read = [], [], []
    monkeypatch.setattr(loading, "load_graph", lambda *a, **k: parsed.append(a))
    monkeypatch.setattr(guards, "check_structure", lambda *a: checked.append(a))
    real_read = loading.read_dump
    monkeypatch.setattr(loading, "read_dump", lambda e: read.append(e) or real_read(e))
    again = LocalStore([data], cache=True, cache_dir=cache)
    assert (parsed, checked, read) == ([], [], [entry]) and again._cached
    monkeypatch.undo()

    # The same graph as the files parsed with --no-cache, blank node and language tag included.
    memory = LocalStore([data], cache=False)
    assert again.count() == first.count() == memory.count() == 4
    query = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
    assert again.query(query).rows == memory.query(query).rows
    blank = "SELECT ?v WHERE { ?s <http://example.org/q>/<http://example.org/r> ?v }"
    assert again.query(blank).rows == [(Literal("blank"),)]

    # The store a hit gives is an in-memory one: changing it (rdfs inference does) leaves the entry as it was.
    again.oxigraph.add(Quad(NamedNode("http://example.org/c"), NamedNode("http://example.org/p"), Literal("x")))
    assert again.count() == 5 and (entry / "graph.nq").read_bytes() == dump
    assert LocalStore([data], cache=True, cache_dir=cache).count() == 4


def test_a_damaged_dump_is_rebuilt_from_the_sources(tmp_path, capsys):
    data = tmp_path / "data.ttl"
    data.write_text(SAMPLE)
    cache = tmp_path / "cache"
    LocalStore([data], cache=True, cache_dir=cache)
    dump = _entry(cache) / "graph.nq"
    whole = dump.read_bytes()
    dump.write_bytes(whole[: whole.index(b"\n") + 1])  # a truncated file still parses: the count catches it
    again = LocalStore([data], cache=True, cache_dir=cache)
    assert again.count() == 4 and again._cached
    rebuilt = (_entry(cache) / "graph.nq").read_bytes()
    assert len(rebuilt.splitlines()) == len(whole.splitlines()) == 4  # (blank node labels are fresh per build)
    assert capsys.readouterr().err == ""
