"""What makes `query`, `describe` and `stats` start fast (issue 10, BENCHMARKS.md "Cold start on the shipped
graph"), pinned without timing anything: which modules a command imports, and that the shipped graph, the cache
key and the query headers come from the cache folder once they are there, with the same answers as without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from jasic_kg import loading, memo, query_headers
from jasic_kg import store as store_module
from jasic_kg.errors import InputError
from jasic_kg.memo import Memo
from jasic_kg.store import LocalStore

COMMANDS = {
    "query": ["query", "cq01-author"],
    "describe": ["describe", "jid:he-pengchao"],
    "stats": ["stats"],
}
# Never needed by these three commands on the shipped graph once its cache entry and memos exist: the other
# libraries (rdflib alone is the yardstick, 1.0x), PyYAML (the headers are remembered), hashlib's OpenSSL (the
# entry name is remembered), the content checks (the entry was checked when built), the cache's build-time modules.
NOT_IMPORTED = {"rdflib", "pyshacl", "pyld", "SPARQLWrapper", "requests", "yaml", "hashlib", "jasic_kg.io.guards",
                "jasic_kg.io.jsonld_contexts", "tempfile", "socket", "http.client", "urllib.request"}
OTHER_COMMANDS = {"jasic_kg.cli.validate_cmd", "jasic_kg.cli.export_cmd", "jasic_kg.cli.evidence_cmd",
                  "jasic_kg.cli.link_cmd", "jasic_kg.cli.views_cmd", "jasic_kg.cli.push_cmd",
                  "jasic_kg.cli.site_cmd", "jasic_kg.cli.serve_cmd", "jasic_kg.cli.cache_cmd"}


# sys.modules at exit, not `python -X importtime`: that one does not see importlib.import_module (the lazy group).
_RUN = ("import atexit, json, sys\n"
        "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
        "from jasic_kg.cli import main\n"
        "main(sys.argv[1:])\n")


def _imported(args) -> tuple[set[str], str]:
    """The modules `jasic-kg ARGS` has imported when it exits, and its standard output."""
    run = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    [line] = [line for line in run.stderr.splitlines() if line.startswith("MODULES ")]
    return set(json.loads(line[len("MODULES "):])), run.stdout


def _settled(files):
    """Wait (at most RACY_SECONDS) until the files changed long enough ago for their stat signatures to be kept."""
    changed = max(max(os.stat(f).st_mtime_ns, os.stat(f).st_ctime_ns) for f in files) / 1e9
    time.sleep(max(0.0, changed + memo.RACY_SECONDS + 0.1 - time.time()))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_warm_command_imports_only_its_own_module_and_libraries(shipped, command):
    _settled(store_module.shipped_files())  # a fresh checkout is hashed until its files are RACY_SECONDS old
    first, answer = _imported(COMMANDS[command])  # builds the cache entry and the memos
    again, same = _imported(COMMANDS[command])
    assert same == answer
    assert not again & NOT_IMPORTED, sorted(again & NOT_IMPORTED)
    assert not again & OTHER_COMMANDS, sorted(again & OTHER_COMMANDS)
    assert {"jasic_kg.cli.query_cmd" if command == "query" else "jasic_kg.cli.browse_cmd"} <= again
    assert "jasic_kg.store" in again and "jasic_kg.io.rdfio" in again


def test_the_first_run_builds_from_the_checked_files(shipped):
    first, _ = _imported(COMMANDS["query"])
    assert {"jasic_kg.io.guards", "hashlib", "yaml"} <= first  # checked, hashed, headers parsed: once


def test_the_shipped_graph_has_its_own_entry_and_user_files_are_parsed_on_top(small, tmp_path, monkeypatch):
    mine = tmp_path / "mine.ttl"
    mine.write_text('<https://w3id.org/jasic-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    cache = tmp_path / "cache"
    with_mine = LocalStore([mine], shipped=store_module.shipped_files(), cache_dir=cache)
    assert with_mine._cached and with_mine.count() == 141
    [entry] = [p for p in cache.iterdir() if p.name.startswith("store-")]
    assert (entry / ".complete").read_text() == "140\n"  # the shipped graph alone
    # Another small file on the same shipped graph: the same entry, read; only the new file is parsed.
    parsed = []
    real = loading.load_graph
    monkeypatch.setattr(loading, "load_graph", lambda store, path, *a, **k: parsed.append(path.name)
                        or real(store, path, *a, **k))
    other = tmp_path / "other.ttl"
    other.write_text('<https://w3id.org/jasic-kg/id/y> <http://www.w3.org/2000/01/rdf-schema#label> "y" .\n')
    again = LocalStore([other], shipped=store_module.shipped_files(), cache_dir=cache)
    assert parsed == ["other.ttl"] and again.count() == 141
    assert sorted(p.name for p in cache.iterdir() if p.name.startswith("store-")) == [entry.name]
    # --no-cache: no entry read, the same graph.
    parsed.clear()
    memory = LocalStore([other], shipped=store_module.shipped_files(), cache=False)
    assert not memory._cached and len(parsed) == len(store_module.shipped_files()) + 1
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (!isBlank(?s) && !isBlank(?o)) }"
    assert sorted(map(str, again.query(query).rows)) == sorted(map(str, memory.query(query).rows))


def _old(path, seconds=3600):
    past = os.stat(path).st_mtime - seconds
    os.utime(path, (past, past))


def test_an_unchanged_file_is_not_hashed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "RACY_SECONDS", 0)  # setting the mtime back moves the change time: now
    data = tmp_path / "data.ttl"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    _old(data)
    cache = tmp_path / "cache"
    LocalStore([data], cache=True, cache_dir=cache)
    loading.entry_names(cache).save()
    keys = json.loads((cache / "input-keys.json").read_text())["values"]
    [(signature, name)] = keys.items()
    assert json.loads(signature)[0][:1] == [str(data)] and (cache / name / ".complete").is_file()

    loading.entry_names.cache_clear()  # a new process: the memo is read from its file

    def no_hashing(self):
        raise AssertionError("hashed again")

    monkeypatch.setattr(loading.Source, "digest", no_hashing)
    assert LocalStore([data], cache=True, cache_dir=cache).count() == 1


def test_a_changed_file_of_the_same_size_and_mtime_is_hashed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(memo, "RACY_SECONDS", 0)
    data = tmp_path / "data.ttl"
    data.write_text('<http://e/s> <http://e/p> "one" .\n')
    _old(data)
    cache = tmp_path / "cache"
    assert LocalStore([data], cache=True, cache_dir=cache).select("SELECT ?o WHERE { ?s ?p ?o }")[0]["o"].value \
        == "one"
    loading.entry_names(cache).save()
    assert len(json.loads((cache / "input-keys.json").read_text())["values"]) == 1
    stamp = os.stat(data)
    time.sleep(0.05)  # past the kernel's timestamp tick (a few ms), which RACY_SECONDS covers outside this test
    data.write_text('<http://e/s> <http://e/p> "two" .\n')  # same size; the mtime is set back below
    os.utime(data, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert os.stat(data).st_size == stamp.st_size and os.stat(data).st_mtime_ns == stamp.st_mtime_ns
    loading.entry_names.cache_clear()
    # the change time moved (no one can set it back): another signature, so the content is hashed and read
    assert LocalStore([data], cache=True, cache_dir=cache).select("SELECT ?o WHERE { ?s ?p ?o }")[0]["o"].value \
        == "two"


def test_a_file_changed_just_now_is_not_remembered(tmp_path):
    data = tmp_path / "data.ttl"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    cache = tmp_path / "cache"
    LocalStore([data], cache=True, cache_dir=cache)
    loading.entry_names(cache).save()
    assert not (cache / "input-keys.json").exists()  # within the timestamp granularity: hashed next time too


# --- query headers ---------------------------------------------------------------------------------------------

HEADER = "#+ summary: Events of 2018\n#+ tags:\n#+   - timeline\n#+ defaults:\n#+   - year: 2018\nSELECT * {}\n"


@pytest.fixture
def headers(tmp_path, monkeypatch):
    """A fresh header memo in tmp_path (as in a new process)."""
    def fresh():
        headers_memo = Memo("query-headers.json", query_headers._PARSED.format, limit=200, folder=tmp_path)
        monkeypatch.setattr(query_headers, "_PARSED", headers_memo)
        return headers_memo
    return fresh


def test_a_parsed_header_is_remembered_and_read_back_without_yaml(headers, tmp_path, monkeypatch):
    memo = headers()
    meta = query_headers.parse_header(HEADER)
    assert meta == {"summary": "Events of 2018", "tags": ["timeline"], "defaults": [{"year": "2018"}]}
    memo.save()
    headers()

    def no_yaml(*a):
        raise AssertionError("PyYAML used")

    monkeypatch.setattr(query_headers, "_parse_yaml", no_yaml)
    assert query_headers.parse_header(HEADER) == meta


def test_a_broken_header_is_never_remembered(headers, tmp_path):
    memo = headers()
    for _ in range(2):
        with pytest.raises(InputError) as e:
            query_headers.parse_header("#+ summary: x\n#+ this is not yaml\n", path="q.rq")
        assert str(e.value) == "q.rq:2: query header: could not find expected ':'"
    memo.save()
    assert not (tmp_path / "query-headers.json").exists()


def test_every_shipped_header_reads_back_the_same(shipped, headers):
    from jasic_kg.io import resources

    memo = headers()
    texts = [p.read_text(encoding="utf-8") for p in resources.query_files() + resources.check_files()]
    parsed = [query_headers.parse_header(text) for text in texts]
    memo.save()
    headers()
    assert [query_headers.parse_header(text) for text in texts] == parsed
    assert len(json.loads((memo.folder / "query-headers.json").read_text())["values"]) >= 40


def test_cache_list_and_clear_show_and_remove_the_memos(tmp_path, run):
    cache = tmp_path / "cache"
    cache.mkdir()
    for name in ("query-headers.json", "input-keys.json"):
        (cache / name).write_text("{}")
    (cache / "notes.json").write_text("mine")
    listed = run("cache", "list", "--cache-dir", str(cache))
    assert sorted(line.split("\t")[:2] for line in listed.stdout.splitlines()) == [
        ["input-keys.json", "memo"], ["query-headers.json", "memo"]]
    assert run("cache", "clear", "--cache-dir", str(cache)).exit_code == 0
    assert [p.name for p in cache.iterdir()] == ["notes.json"]


# --- the quick exit of the read-only commands ------------------------------------------------------------------

EXE = [sys.executable, "-m", "jasic_kg"]


@pytest.mark.parametrize("args, code, out_end, err", [
    (["query", "cq01-author"], 0, "(2 rows)\n", ""),
    (["search", "zzzzqqq"], 1, "", "jasic-kg: nothing matches 'zzzzqqq'\n"),
    (["query", "--sparql", "SELECT ?x WHERE {"], 2, "", "jasic-kg: error: "),
    (["describe", "jid:no-such-entity"], 2, "", "jasic-kg: error: no entity jid:no-such-entity in the graph\n"),
    (["validate", "--format", "json"], 0, "}\n", ""),
    (["validate", "--data", "no-such-file.ttl"], 2, "", "jasic-kg: error: no-such-file.ttl: no such file\n"),
])
def test_a_quick_exit_keeps_the_exit_code_and_every_byte(shipped, args, code, out_end, err):
    run = subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=120)
    assert run.returncode == code
    assert run.stdout.endswith(out_end)
    assert run.stderr.startswith(err) and run.stderr.count("\n") == (1 if err else 0)


def test_a_quick_exit_writes_the_whole_output_through_a_pipe(shipped):
    # 9,768 rows through a pipe: everything arrives before the process ends without the interpreter's teardown
    run = subprocess.run([*EXE, "query", "--format", "csv", "--sparql", "SELECT * WHERE { ?s ?p ?o }"],
                         capture_output=True, text=True, timeout=120)
    import csv
    import io

    rows = list(csv.reader(io.StringIO(run.stdout, newline="")))
    assert run.returncode == 0 and run.stderr == "" and sorted(rows[0]) == ["o", "p", "s"] and len(rows) == 9768 + 1


def test_a_quick_exit_of_validate_leaves_its_whole_report_file(shipped, tmp_path):
    report = tmp_path / "report.json"
    notes = os.path.join(os.path.dirname(__file__), "fixtures", "my-notes", "my-notes.ttl")
    run = subprocess.run([*EXE, "validate", "--data", notes, "-o", str(report)], capture_output=True, text=True,
                         timeout=120)
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert run.returncode == 1 and doc["conforms"] is False  # the fixture's one planted finding
    assert doc["summary"].startswith("does not conform: 1 finding (1 violation); 10 files")
    assert run.stderr == f"jasic-kg: {doc['summary']}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left beside it


def test_no_cache_folder_for_the_shipped_graph_is_silent(small, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = LocalStore([], shipped=store_module.shipped_files(), cache_dir=blocker / "jasic-kg")
    assert store.count() == 140 and not store._cached
    assert capsys.readouterr().err == ""  # the shipped graph parsed as before the cache: nothing to explain


def test_a_memo_keeps_its_newest_keys_up_to_its_limit(tmp_path):
    memo = Memo("input-keys.json", "test v1", limit=3, folder=tmp_path)
    for i in range(5):
        memo.put(f"k{i}", str(i))
    memo.save()
    again = Memo("input-keys.json", "test v1", limit=3, folder=tmp_path)
    assert [again.get(f"k{i}") for i in range(5)] == [None, None, "2", "3", "4"]
    assert Memo("input-keys.json", "test v2", limit=3, folder=tmp_path).get("k4") is None  # another format
    (tmp_path / "input-keys.json").write_text("{not json")
    assert Memo("input-keys.json", "test v1", limit=3, folder=tmp_path).get("k4") is None  # damaged: empty


def test_a_memo_writes_where_it_read(tmp_path, monkeypatch):
    # the cache folder is decided once: a test (or a process) changing XDG_CACHE_HOME later does not move it
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path / "first"))
    memo = Memo("query-headers.json", "test v1", limit=3)
    assert memo.get("k") is None
    monkeypatch.setenv("JASIC_KG_CACHE_DIR", str(tmp_path / "second"))
    memo.put("k", "v")
    memo.save()
    assert (tmp_path / "first" / "query-headers.json").is_file() and not (tmp_path / "second").exists()
