"""What makes a cold `validate` fast, pinned without timing it: the native engine's compiled shapes come from the
cache (validation/shapes_cache.py), so a run whose shapes are unchanged imports neither rdflib nor pySHACL; a changed
shapes file is compiled again; a damaged entry is rebuilt; and the cached shapes give the same report as shapes
compiled on the spot."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from jasic_kg import cache
from jasic_kg.io import resources
from jasic_kg.validation import shapes_cache
from jasic_kg.validation.validate import validate

ROOT = Path(__file__).resolve().parent.parent
JID = "https://w3id.org/jasic-kg/id/"

# Runs `jasic-kg validate` in this process, then says on stderr which of the heavy libraries were imported (at exit:
# validate ends without the interpreter's teardown, after the atexit handlers).
_PROBE = """
import atexit
import sys
from jasic_kg.cli import main
atexit.register(lambda: print("IMPORTED", sorted(m for m in ("rdflib", "pyshacl", "owlrl", "hashlib")
                                                 if m in sys.modules), file=sys.stderr, flush=True))
main(["validate"])
"""


def _cold_validate(cache_home: Path) -> tuple[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("JASIC_KG_CACHE_DIR", "JASIC_KG_CACHE", "JASIC_KG_RESOURCES")}
    env["XDG_CACHE_HOME"] = str(cache_home)
    done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    probe = [line for line in done.stderr.splitlines() if line.startswith("IMPORTED")]
    assert len(probe) == 1, done.stderr
    return done.stdout, f"{probe[0]} {done.returncode}"


def _settled() -> None:
    """Wait (at most RACY_SECONDS) until the shapes files and the compiler's source changed long enough ago for
    their stat signatures to be remembered (a fresh checkout's files are digested until then)."""
    import time

    from jasic_kg.memo import RACY_SECONDS

    here = Path(shapes_cache.__file__).parent
    files = [*resources.shape_files(), *(here / name for name in shapes_cache.COMPILER_SOURCES)]
    changed = max(max(os.stat(f).st_mtime_ns, os.stat(f).st_ctime_ns) for f in files) / 1e9
    time.sleep(max(0.0, changed + RACY_SECONDS + 0.1 - time.time()))


def _shape_entries(base: Path) -> list[Path]:
    return sorted(e.path for e in cache.entries(base) if e.path.name.startswith("shapes-"))


def test_a_cold_validate_with_compiled_shapes_in_the_cache_imports_neither_rdflib_nor_pyshacl(tmp_path):
    _settled()
    first_out, first = _cold_validate(tmp_path)
    # the first run compiles the shapes (rdflib) and digests them for the entry's name (hashlib); pySHACL is never
    # needed
    assert first == "IMPORTED ['hashlib', 'rdflib'] 0"
    second_out, second = _cold_validate(tmp_path)
    assert second == "IMPORTED [] 0"  # the entry's name is remembered by the files' stat signatures
    assert (tmp_path / "jasic-kg" / "shapes-keys.json").is_file()
    assert second_out == first_out
    assert second_out.startswith("jasic-kg validate: conforms: 0 findings;")


def test_the_second_run_uses_the_compiled_shapes_from_the_cache(shipped, monkeypatch, tmp_path):
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path))
    first = validate()
    [entry] = _shape_entries(tmp_path)
    assert (entry / "compiled.json").is_file()

    def no_compiling(quads):
        raise AssertionError("the shapes were compiled again")

    monkeypatch.setattr(shapes_cache, "_compile", no_compiling)
    second = validate()
    assert second.summary() == first.summary()
    assert second.summary().startswith("conforms: 0 findings; 9 files, ")
    assert _shape_entries(tmp_path) == [entry]


def _probe_shape(focus: str) -> str:
    """A shape that the shipped data must fail: the node may have no rdfs:label."""
    return (f"\n<urn:test:NoLabelShape> a <http://www.w3.org/ns/shacl#NodeShape> ;\n"
            f"  <http://www.w3.org/ns/shacl#targetNode> <{focus}> ;\n"
            f"  <http://www.w3.org/ns/shacl#property> [ <http://www.w3.org/ns/shacl#path> "
            f"<http://www.w3.org/2000/01/rdf-schema#label> ; <http://www.w3.org/ns/shacl#maxCount> 0 ] .\n")


def test_a_changed_shapes_file_is_compiled_again(shipped, monkeypatch, tmp_path):
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path / "cache"))
    shapes = tmp_path / "shapes.ttl"
    shipped_shapes = resources.shape_files()
    shapes.write_bytes(b"".join(p.read_bytes() for p in shipped_shapes))
    before = validate(shape_files=[shapes])
    assert [f for f in before.findings if f.stage == "shacl"] == []

    shapes.write_text(shapes.read_text() + _probe_shape(JID + "he-pengchao"))
    after = validate(shape_files=[shapes])
    found = [(f.focus.value, f.path.value, f.component.value) for f in after.findings if f.stage == "shacl"]
    assert found == [(JID + "he-pengchao", "http://www.w3.org/2000/01/rdf-schema#label",
                      "http://www.w3.org/ns/shacl#MaxCountConstraintComponent")]
    assert len(_shape_entries(tmp_path / "cache")) == 2  # one entry per content


def test_a_damaged_entry_is_compiled_again(shipped, monkeypatch, tmp_path):
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path))
    first = validate()
    [entry] = _shape_entries(tmp_path)
    good = json.loads((entry / "compiled.json").read_bytes())
    (entry / "compiled.json").write_bytes(b'{"format": "jasic-kg compiled shapes v2", "shapes": [{"target": 1}]}')
    second = validate()
    assert second.summary() == first.summary()
    [again] = _shape_entries(tmp_path)
    assert json.loads((again / "compiled.json").read_bytes()) == good


def test_without_the_cache_the_same_findings(shipped, monkeypatch, tmp_path):
    """JASIC_KG_CACHE=0 compiles in memory: same report, nothing written."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("".join(p.read_text() for p in resources.shape_files()) + _probe_shape(JID + "he-pengchao"))
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path / "cache"))
    cached = validate(shape_files=[shapes])
    cached_again = validate(shape_files=[shapes])
    monkeypatch.setenv("JASIC_KG_CACHE", "0")
    uncached = validate(shape_files=[shapes])

    def keys(report):
        return [(f.stage, f.focus, f.path, f.value, f.component, f.message) for f in report.findings]

    assert keys(cached) == keys(cached_again) == keys(uncached)
    assert len(keys(uncached)) == 1
    # the finding names the property shape of this run's parse (the cached one had other blank-node ids)
    [finding] = cached_again.findings
    assert any(True for _ in cached_again.shapes_graph.quads_for_pattern(None, None, finding.shape))


def test_the_cache_key_is_the_parsed_shapes_not_their_blank_node_ids(monkeypatch):
    from jasic_kg.io.rdfio import read_quads

    path = resources.shape_files()[0]
    one, two = read_quads(path), read_quads(path)
    assert {q.subject for q in one} != {q.subject for q in two}  # each parse names its blank nodes afresh
    blank_one, blank_two = shapes_cache._blank_nodes(one), shapes_cache._blank_nodes(two)
    assert shapes_cache._cache_key(one, blank_one) == shapes_cache._cache_key(two, blank_two)
    assert len(blank_one) == len(blank_two) > 100  # numbered in the order they were read
    assert shapes_cache._cache_key(one[1:], shapes_cache._blank_nodes(one[1:])) != shapes_cache._cache_key(
        one, blank_one)
    key = shapes_cache._cache_key(one, blank_one)
    monkeypatch.setattr(shapes_cache, "__version__", "0.0.0-other")
    assert shapes_cache._cache_key(one, blank_one) != key
    # and the compiler's own source is part of the key
    here = Path(shapes_cache.__file__).parent
    assert {p.name for p in here.glob("*.py")} >= set(shapes_cache.COMPILER_SOURCES) == {
        "compiled.py", "shapes_cache.py", "shacl_sparql.py", "shacl_compiler.py", "shacl_components.py"}


def test_the_remembered_name_follows_the_files_stat_signatures(tmp_path):
    """The memo's key: a shapes file's content change (size, times) gives another signature, so its entry's name
    is digested again; JSON-LD shapes (whose parse depends on their contexts) are never remembered."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("<urn:a> <urn:b> <urn:c> .\n")
    os.utime(shapes, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    first, changed = shapes_cache._stat_signature([shapes])
    assert first is not None and changed >= 1_000_000_000_000_000_000
    assert shapes_cache._stat_signature([shapes])[0] == first
    shapes.write_text("<urn:a> <urn:b> <urn:d> .\n")
    assert shapes_cache._stat_signature([shapes])[0] != first
    assert shapes_cache._stat_signature([tmp_path / "shapes.jsonld"]) == (None, 0)
    assert shapes_cache._stat_signature([]) == (None, 0)


def test_cache_list_and_clear_know_the_compiled_shapes(tmp_path, run):
    cache_home = tmp_path / "home"
    _settled()  # the memo is written once the files are older than the timestamp granularity
    _cold_validate(cache_home)
    folder = cache_home / "jasic-kg"
    (folder / "notes.json").write_text("mine")
    listed = run("cache", "list", "--cache-dir", str(folder))
    kinds = sorted((name.split("-")[0], kind) for name, kind, *_ in (line.split("\t") for line in
                                                                     listed.stdout.splitlines()))
    assert ("shapes", "entry") in kinds and ("shapes", "memo") in kinds
    assert run("cache", "clear", "--cache-dir", str(folder)).exit_code == 0
    assert not [p.name for p in folder.iterdir() if p.name.startswith("shapes")]
    assert (folder / "notes.json").read_text() == "mine"
