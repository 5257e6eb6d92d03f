"""The store cache is an optimisation, never a reason to fail: no writable folder means memory, a corrupt entry
is rebuilt."""

from __future__ import annotations

from jasic_kg.store import LocalStore

SAMPLE = """@prefix ex: <http://example.org/> .
ex:a ex:p "one" .
ex:b ex:p "two" .
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }"


def _count(store) -> int:
    return int(store.select(COUNT)[0]["n"].value)


def test_an_unwritable_cache_folder_falls_back_to_memory_with_a_note(tmp_path, capsys):
    data = tmp_path / "data.ttl"
    data.write_text(SAMPLE)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    store = LocalStore([data], cache=True, cache_dir=blocker / "jasic-kg")  # mkdir fails even as root
    assert _count(store) == 2 and not store._cached
    err = capsys.readouterr().err
    assert err.startswith("jasic-kg: note: store cache not used (") and "reading the files into memory" in err
    assert len(err.strip().splitlines()) == 1


def test_a_corrupt_cache_entry_is_deleted_and_rebuilt(tmp_path, capsys):
    data = tmp_path / "data.ttl"
    data.write_text(SAMPLE)
    cache = tmp_path / "cache"
    first = LocalStore([data], cache=True, cache_dir=cache)
    assert _count(first) == 2 and first._cached
    del first
    [entry] = [p for p in cache.iterdir() if p.name.startswith("store-")]
    for f in entry.iterdir():  # garble every file of the entry, keep its .complete marker
        if f.is_file() and f.name != ".complete":
            f.write_bytes(b"garbage")
    again = LocalStore([data], cache=True, cache_dir=cache)
    assert _count(again) == 2 and again._cached
    assert [p.name for p in cache.iterdir() if p.name.startswith(".building-")] == []
    assert capsys.readouterr().err == ""
