"""Bad input never ends in a traceback or a hang: one clear line naming the file, and a documented exit code.

The negative corpus (tests/negative/, with expected.tsv: exit code and error-line regex per file) runs through
the CLI as subprocesses; pathological inputs are generated small enough to keep the suite fast. The full sweep
over every command is tools/robustness.py.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, parse

from jasic_kg.errors import InputError
from jasic_kg.io.guards import nesting_depth
from jasic_kg.io.limits import MAX_NESTING
from jasic_kg.io.rdfio import FORMATS_BY_EXTENSION, read_quads

pytestmark = pytest.mark.slow  # hardening: the whole bad-input corpus through every command

REPO = Path(__file__).resolve().parent.parent
NEGATIVE = REPO / "tests" / "negative"
CORPUS_EXTENSIONS = (".ttl", ".nt", ".jsonld", ".rdf")
EXE = Path(sys.executable).parent / "jasic-kg"
CLI = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "jasic_kg"]
ENV = dict(os.environ, JASIC_KG_CACHE="0")


def expected_rows() -> dict[str, dict]:
    lines = [line for line in (NEGATIVE / "expected.tsv").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return {row["file"]: row for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)}


EXPECTED = expected_rows()
CORPUS = sorted(p for p in NEGATIVE.iterdir() if p.suffix in CORPUS_EXTENSIONS)


def jasic(*args, timeout=60, cwd=REPO):
    start = time.monotonic()
    p = subprocess.run(CLI + [str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=ENV,
                       cwd=cwd, errors="replace")
    p.seconds = time.monotonic() - start
    return p


def assert_clean(p, code=2, pattern=None):
    """Exit `code`, no traceback, and (for errors) exactly one line on stderr."""
    both = p.stdout + p.stderr
    assert "Traceback" not in both, both
    assert p.returncode == code, (p.returncode, both[-2000:])
    if code == 2 and p.stderr.strip():
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    if pattern:
        assert re.search(pattern, both, re.M), (pattern, both[-2000:])


# --- the corpus itself ------------------------------------------------------------------------------------

def test_corpus_is_big_and_fully_described():
    assert len(CORPUS) >= 40
    names = {p.name for p in CORPUS}
    assert names == set(EXPECTED), (names ^ set(EXPECTED))
    for row in EXPECTED.values():
        re.compile(row["regex"])
        assert row["rdflib"] in ("accepts", "rejects", "hangs")
    # The point of a strict parser: rdflib wrongly accepts a good share of these.
    assert sum(r["rdflib"] != "rejects" for r in EXPECTED.values()) >= 15


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_library_refuses_with_location(path):
    """read_quads (every command's parser) refuses each case with an InputError naming the file."""
    with pytest.raises(InputError) as info:
        read_quads(path)
    assert info.value.path and info.value.path.endswith(path.name)
    row = EXPECTED[path.name]
    assert re.search(row["regex"], str(info.value)), (row["regex"], str(info.value))


@pytest.mark.parametrize("path", [p for p in CORPUS if EXPECTED[p.name]["oxigraph"] == "rejects"],
                         ids=lambda p: p.name)
def test_pyoxigraph_alone_rejects(path):
    """The strictness is pyoxigraph's (a W3C-suite parser), not a list of special cases of ours."""
    with pytest.raises(SyntaxError):
        list(parse(path=str(path), format=FORMATS_BY_EXTENSION[path.suffix]))


def test_corpus_through_the_cli():
    """Every case through `stats` and `validate` as a subprocess: the expected exit code and error line."""
    jobs = [(cmd, path) for path in CORPUS for cmd in (["stats"], ["validate"])]

    def run(job):
        cmd, path = job
        return job, jasic(*cmd, "--data", path.relative_to(REPO))

    failures = []
    with ThreadPoolExecutor(4) as pool:
        for (cmd, path), p in pool.map(run, jobs):
            row = EXPECTED[path.name]
            try:
                assert_clean(p, int(row["exit"]), row["regex"])
            except AssertionError as e:
                failures.append(f"{' '.join(cmd)} {path.name}: {e}")
    assert not failures, "\n".join(failures[:20])


# --- pathological inputs, generated -----------------------------------------------------------------------

EX = b"@prefix ex: <http://example.org/> .\n"


def _generated(tmp_path):
    cases = {
        "literal-17mb.ttl": (EX + b'ex:s ex:p "' + b"a" * (17 << 20) + b'" .\n', r"longer than the parser's limit"),
        "collection-100k-deep.ttl": (EX + b"ex:s ex:p " + b"( " * 100_000 + b")" * 100_000 + b" .\n",
                                     r"nesting is 100000 levels deep"),
        "bnode-1m-deep.ttl": (EX + b"ex:s ex:p " + b"[ ex:p " * 1_000_000 + b"ex:o " + b"] " * 1_000_000 + b".\n",
                              r"nesting is 1000000 levels deep"),
        # pyoxigraph recurses on these: without the guard, SIGSEGV (no message at all)
        "triple-terms-30k-deep.ttl": (EX + b"ex:s ex:p " + b"<<( ex:s ex:p " * 30_000 + b"ex:o " + b")>> " * 30_000
                                      + b".\n", r"nesting is 30000 levels deep"),
        "objects-30k-deep.jsonld": (b'{"@id": "http://e/s", "http://e/p": ' + b'{"http://e/p": ' * 30_000 + b"1"
                                    + b"}" * 30_000 + b"}", r"nesting is 30001 levels deep"),
        "elements-20k-deep.rdf": (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                                  b'xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s">'
                                  + b"<e:p>" * 20_000 + b"</e:p>" * 20_000 + b"</rdf:Description></rdf:RDF>",
                                  r"nesting is 20002 levels deep"),
        "binary.nt": (bytes(range(256)) * 8, r"binary file"),
        "empty.jsonld": (b"", r"file is empty"),
        "invalid-utf8.ttl": (EX + b'ex:s ex:p "\xff\xfe" .\n', r"Invalid UTF-8"),
    }
    out = []
    for name, (data, pattern) in cases.items():
        (tmp_path / name).write_bytes(data)
        out.append((tmp_path / name, pattern))
    (tmp_path / "folder.ttl").mkdir()
    out.append((tmp_path / "folder.ttl", r"is a directory"))
    out.append((tmp_path / "absent.ttl", r"no such file"))
    return out


def test_pathological_inputs_fail_fast_and_cleanly(tmp_path):
    cases = _generated(tmp_path)

    def run(case):
        path, pattern = case
        return case, jasic("stats", "--data", path, timeout=60)

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, cases))
    for (path, pattern), p in results:
        assert_clean(p, 2, re.escape(path.name) + r"(:\d+:\d+)?: .*" + pattern)
        assert p.seconds < 20, (path.name, p.seconds)


def test_max_bytes_refuses_before_parsing(tmp_path):
    # --max-bytes applies to the user's files (the shipped ones are always loaded)
    big = tmp_path / "big.nt"
    big.write_bytes(b"<http://e/s> <http://e/p> <http://e/o> .\n" * 50_000)
    assert_clean(jasic("stats", "--data", big, "--max-bytes", "1000000"), 2,
                 r"big\.nt: file is \d+ bytes, over the limit of 1000000 \(raise it with --max-bytes\)")


def test_nesting_scan_ignores_brackets_in_strings_iris_and_comments():
    ttl = b'@prefix ex: <http://e/> . ex:s ex:p "((((", """[[[\n[[""", <http://e/a(b)>, ( [ ex:p 1 ] ) . # (((('
    assert nesting_depth(ttl, RdfFormat.TURTLE) == 2
    assert nesting_depth(b'{"a": "[[[[", "b": [{"c": 1}]}', RdfFormat.JSON_LD) == 3
    xml = b'<?xml version="1.0"?><!-- <a><b> --><r a="x>y"><d/><e><f x="1"/></e></r>'
    assert nesting_depth(xml, RdfFormat.RDF_XML) == 2
    # stray closers cannot hide depth that follows them
    assert nesting_depth(b"] ] ] ] [ [ [", RdfFormat.TURTLE) == 3


def test_nesting_just_under_the_limit_is_accepted(tmp_path):
    ok = tmp_path / "deep-ok.ttl"
    ok.write_bytes(EX + b"ex:s ex:p " + b"[ ex:p " * (MAX_NESTING - 1) + b"ex:o " + b"] " * (MAX_NESTING - 1) + b".\n")
    assert len(read_quads(ok)) == MAX_NESTING


# --- SPARQL text ------------------------------------------------------------------------------------------

def test_deep_and_huge_queries_are_refused(tmp_path):
    cases = {
        "groups.rq": ("SELECT * WHERE " + "{ " * 5000 + "}" * 5000, r"query nests 5000 levels deep"),
        "nots.rq": ("SELECT * WHERE { FILTER(" + "!" * 50_000 + "true) }", r"query nests \d+ levels deep"),
        "huge.rq": ("SELECT * WHERE { ?s ?p ?o " + "FILTER(?o != 1) " * 70_000 + "}", r"query is \d+ bytes, over the limit of 1048576"),
    }
    for name, (text, pattern) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        # a query file too big is refused by its size before it is read, naming the file
        assert_clean(jasic("query", tmp_path / name), 2, r"^jasic-kg: error: (?:\S+\.rq: )?" + pattern)


def test_legal_query_that_overflows_a_normal_stack_runs():
    """900 nested FILTER EXISTS: pyoxigraph needs more than the main thread's 8 MiB stack (SIGSEGV there);
    the toolkit runs queries on a big-stack thread."""
    q = "ASK { " + "FILTER EXISTS { " * 900 + "}" * 900 + "}"
    p = jasic("query", q, "--format", "json")
    assert_clean(p, 0)
    assert '"boolean"' in p.stdout


def test_query_timeout_bounds_a_pathological_query():
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }"
    p = jasic("query", q, "--timeout", "1")
    assert_clean(p, 2, r"^jasic-kg: error: the query did not finish within 1 s")
    assert p.seconds < 15


def test_query_file_that_is_not_utf8(tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_bytes(b"SELECT * WHERE { ?s ?p \"\xff\" }")
    assert_clean(jasic("query", bad), 2, r"bad\.rq: cannot read query")


# --- the other file-reading commands, on a sample of the corpus --------------------------------------------

SAMPLE = ["ttl-literal-subject.ttl", "nt-relative-iri.nt", "jsonld-remote-context.jsonld", "rdf-mismatched-tag.rdf",
          "ttl-binary.ttl", "ttl-empty.ttl", "ttl-nesting-too-deep.ttl"]


def test_every_file_reading_command_on_a_sample():
    cmds = [["export", "--format", "turtle"], ["export", "--format", "jsonld"], ["describe", "jid:jasic"],
            ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"], ["queries", "test"],
            ["evidence", "verify", "--source", str(REPO / "tests" / "negative" / "expected.tsv")],
            ["timeline", "--format", "svg"], ["network", "--format", "svg"]]
    jobs = [(cmd, name) for cmd in cmds for name in SAMPLE]

    def run(job):
        cmd, name = job
        return job, jasic(*cmd, "--data", NEGATIVE / name)

    failures = []
    with ThreadPoolExecutor(4) as pool:
        for (cmd, name), p in pool.map(run, jobs):
            try:
                assert_clean(p, int(EXPECTED[name]["exit"]), EXPECTED[name]["regex"])
            except AssertionError as e:
                failures.append(f"{' '.join(cmd)} {name}: {e}")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("name", ["ttl-binary.ttl", "ttl-invalid-utf8.ttl", "jsonld-invalid-utf8.jsonld"])
def test_evidence_source_errors(name):
    p = jasic("evidence", "verify", "--source", NEGATIVE / name)
    assert "Traceback" not in p.stdout + p.stderr
    assert p.returncode in (1, 2)


def test_evidence_source_directory_and_missing(tmp_path):
    assert_clean(jasic("evidence", "verify", "--source", tmp_path), 2, r"is a directory")
    assert_clean(jasic("evidence", "verify", "--source", tmp_path / "absent.txt"), 2, r"absent\.txt: no such file")


def test_the_issue_9_cases_of_the_robustness_sweep_end_as_expected():
    """tools/robustness.py --only-round-two: every case of issue 9 with its exit code and error line."""
    p = subprocess.run([sys.executable, str(REPO / "tools" / "robustness.py"), "--only-round-two", "--jobs", "2",
                        "--timeout", "120"], capture_output=True, text=True, timeout=900, cwd=REPO)
    summary = p.stdout.strip().splitlines()[-1]
    assert p.returncode == 0, p.stdout[-2000:]
    assert re.fullmatch(r"(\d+) inputs: \d+ clean errors, 0 tracebacks, 0 hangs \(\d+ exited 0: accepted or no "
                        r"findings\); issue 9 cases: \1/\1 as expected", summary), summary
