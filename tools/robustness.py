#!/usr/bin/env python3
"""Run every jasic-kg command over bad inputs and count how each run ended.

Inputs: the negative syntax corpus (tests/negative/*.ttl|*.nt|*.jsonld|*.rdf) and pathological inputs generated
here (a 50 MB literal, a 100k-deep collection, 1M-deep blank-node nesting, deep triple terms, deep JSON-LD and
RDF/XML, an entity-expansion bomb, a binary file, an empty file, a directory, a missing file, invalid UTF-8) plus
pathological SPARQL for `query`, and the cases of issue 9 (tools/robustness_round_two.py: hostile blank-node
graphs, hostile endpoints, FIFOs and devices as inputs, cache failures, memory-hungry queries), each with its
expected exit code and error line. Every run is a subprocess with a timeout and a 4 GiB address-space limit.

A run is a *clean error* when it exits with a documented non-zero code (errors.py) and prints no traceback; a
*traceback* is any "Traceback" in its output, a crash by signal or exit code 4 (internal error); a *hang* is a
run killed at the timeout. Prints the count of each exit code and `N inputs: X clean errors, 0 tracebacks,
0 hangs; issue 9 cases: M/M as expected`, and exits 0 only if there were no tracebacks, no hangs and no
unexpected issue 9 case.

    python tools/robustness.py [--timeout 120] [--jobs 2] [--only-generated | --only-round-two] [--verbose]

The limits the toolkit relies on (README "Limits"; each refusal is one line and exit 2):
  input file size       --max-bytes, default 200 MiB (every file loaded, the shipped ones included)
  one literal or IRI    16 MiB (pyoxigraph's token buffer)
  nesting               1000 levels: ( [ { << in Turtle/TriG/N-Triples/N-Quads, JSON arrays/objects,
                        XML elements (rdfio.MAX_NESTING; pyoxigraph recurses on triple terms and JSON-LD,
                        and RDF/XML and JSON-LD cost superlinear time and memory in the depth)
  XML entities          a file declaring entities must be well-formed XML within expat's amplification limit
                        (100x past 8 MiB); external entities are never loaded
  SPARQL text           1 MiB, nesting 1000 (brackets, << >>, and runs of the prefix operators ! ^)
  SPARQL evaluation     on a 1 GiB-stack thread; --timeout, default 300 s local, 60 s for --endpoint
  network               remote/file JSON-LD contexts and @import never fetched; owl:imports never followed;
                        SERVICE in local queries only with --allow-service
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "negative"
CORPUS_EXTENSIONS = (".ttl", ".nt", ".jsonld", ".rdf")
EX = b"@prefix ex: <http://example.org/> .\n"


def jasic_kg() -> list[str]:
    exe = Path(sys.executable).parent / "jasic-kg"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "jasic_kg"]


def generate(folder: Path) -> list[Path]:
    """The pathological inputs of the issue, written into `folder` (about 70 MB in all)."""
    files = {
        "literal-50mb.ttl": EX + b'ex:s ex:p "' + b"a" * 50_000_000 + b'" .\n',
        "iri-20mb.nt": b"<http://example.org/s> <http://example.org/p> <http://example.org/" + b"a" * 20_000_000
        + b"> .\n",
        "collection-100k-deep.ttl": EX + b"ex:s ex:p " + b"( " * 100_000 + b")" * 100_000 + b" .\n",
        "bnode-1m-deep.ttl": EX + b"ex:s ex:p " + b"[ ex:p " * 1_000_000 + b"ex:o " + b"] " * 1_000_000 + b".\n",
        "triple-term-100k-deep.ttl": EX + b"ex:s ex:p " + b"<<( ex:s ex:p " * 100_000 + b"ex:o " + b")>> " * 100_000
        + b".\n",
        "triple-term-100k-deep.nt": b"<http://e/s> <http://e/p> " + b"<<( <http://e/s> <http://e/p> " * 100_000
        + b"<http://e/o>" + b" )>>" * 100_000 + b" .\n",
        "objects-100k-deep.jsonld": b'{"@id": "http://e/s", "http://e/p": ' + b'{"http://e/p": ' * 100_000 + b"1"
        + b"}" * 100_000 + b"}\n",
        "arrays-30k-deep.jsonld": b'{"@id": "http://e/s", "http://e/p": ' + b"[" * 30_000 + b"1" + b"]" * 30_000
        + b"}\n",
        "elements-100k-deep.rdf": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        b'xmlns:e="http://e/"><rdf:Description rdf:about="http://e/s">' + b"<e:p>" * 100_000 + b"</e:p>" * 100_000
        + b"</rdf:Description></rdf:RDF>\n",
        "entity-bomb.rdf": b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n<!ENTITY a0 "ha">\n'
        + b"".join(b'<!ENTITY a%d "' % i + b"&a%d;" % (i - 1) * 10 + b'">\n' for i in range(1, 11))
        + b']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/">'
        b'<rdf:Description rdf:about="http://e/s"><e:p>&a10;</e:p></rdf:Description></rdf:RDF>\n',
        "binary.ttl": bytes(range(256)) * 64,
        "binary.jsonld": b"\x1f\x8b\x08\x00" + os.urandom(4096),
        "empty.ttl": b"",
        "empty.jsonld": b"",
        "invalid-utf8.ttl": EX + b'ex:s ex:p "\xff\xfe\xc3\x28" .\n',
        "invalid-utf8.jsonld": b'{"@id": "http://e/s", "http://e/p": "\xff\xfe"}\n',
        "unknown-extension.txt": EX + b"ex:s ex:p ex:o .\n",
    }
    out = []
    for name, data in files.items():
        path = folder / name
        path.write_bytes(data)
        out.append(path)
    (folder / "a-directory.ttl").mkdir()
    out.append(folder / "a-directory.ttl")
    out.append(folder / "missing-file.ttl")
    return out


def queries(folder: Path) -> list[tuple[str, list[str]]]:
    """Pathological SPARQL for `query` (name, extra args)."""
    deep_groups = "SELECT * WHERE " + "{ " * 20_000 + "}" * 20_000
    deep_exists = "SELECT * WHERE { " + "FILTER EXISTS { " * 5_000 + "}" * 5_000 + "}"
    nots = "SELECT * WHERE { FILTER(" + "!" * 200_000 + "true) }"
    huge = "SELECT * WHERE { ?s ?p ?o " + "FILTER(?o != 1) " * 80_000 + "}"
    binds = "SELECT * WHERE { BIND(1 AS ?x0) " + "".join(f"BIND(?x{i}+1 AS ?x{i + 1}) " for i in range(5_000)) + "}"
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?t ?h }"
    service = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    out = []
    for name, text in (("groups-20k-deep.rq", deep_groups), ("exists-5k-deep.rq", deep_exists),
                       ("not-200k.rq", nots), ("filters-1.3mb.rq", huge), ("binds-5k.rq", binds),
                       ("service.rq", service)):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append((name, ["query", str(path)]))
    out.append(("cartesian --timeout 3", ["query", cartesian, "--timeout", "3"]))
    out.append(("bad-param-iri", ["query", "evidence-for", "--param", 'entity=http://e/a> } ; DROP ALL ; #']))
    out.append(("bad-param-date", ["query", "cq22-24-august", "--param", 'day=2018-08-24" } #']))
    out.append(("bad-query-file-utf8", ["query", str(folder / "invalid-utf8.ttl")]))
    return out


def commands(path: str, reference: str | None) -> list[list[str]]:
    """Every file-reading command, with `path` in the file position."""
    cmds = [
        ["validate", "--data", path],
        ["validate", "--data", path, "--engine", "pyshacl"],
        ["stats", "--data", path],
        ["export", "--format", "turtle", "--data", path],
        ["export", "--format", "jsonld", "--data", path],
        ["describe", "jid:jasic", "--data", path],
        ["query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "--data", path],
        ["queries", "test", "--data", path],
        ["evidence", "verify", "--source", path],
    ]
    if reference:
        cmds.append(["evidence", "verify", "--source", reference, "--data", path])
    return cmds


def run(args: list[str], timeout: float, *, env: dict | None = None, stdin: str | None = None,
        interrupt_after: float | None = None) -> dict:
    start = time.monotonic()
    env = {**os.environ, "JASIC_KG_CACHE": "0", "PYTHONFAULTHANDLER": "1", **(env or {})}
    with open(stdin or os.devnull, "rb") as source:
        p = subprocess.Popen(jasic_kg() + args, stdin=source, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, cwd=REPO, preexec_fn=_limit_memory)
        try:
            if interrupt_after is not None:
                try:
                    p.wait(interrupt_after)
                except subprocess.TimeoutExpired:
                    p.send_signal(signal.SIGINT)
            out_b, err_b = p.communicate(timeout=max(timeout - (time.monotonic() - start), 1))
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            return {"args": args, "outcome": "hang", "rc": None, "err": "", "secs": timeout}
    err = err_b.decode("utf-8", "replace")
    out = out_b.decode("utf-8", "replace")
    if p.returncode < 0 or p.returncode == 4 or "Traceback" in err or "Traceback" in out \
            or "Fatal Python error" in err:
        outcome = "traceback"
    elif p.returncode in (1, 2, 3, 130):
        outcome = "clean"
    elif p.returncode == 0:
        outcome = "ok"
    else:
        outcome = "traceback"  # an undocumented exit code
    last = (err.strip().splitlines() or [""])[-1]
    return {"args": args, "outcome": outcome, "rc": p.returncode, "err": last,
            "secs": round(time.monotonic() - start, 2)}


MEMORY_LIMIT = 4 << 30  # address space of each run: a run that needs more is a finding (a crash), not a swap storm


def _limit_memory():
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per run before it counts as a hang")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only-generated", action="store_true", help="skip the negative corpus")
    ap.add_argument("--only-round-two", action="store_true", help="only the cases of issue 9")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every run")
    opts = ap.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from robustness_round_two import Servers, cases

    tmp = Path(tempfile.mkdtemp(prefix="jasic-kg-robustness-"))
    servers = Servers()
    try:
        inputs = [] if opts.only_generated or opts.only_round_two else sorted(
            p for p in CORPUS.iterdir() if p.suffix in CORPUS_EXTENSIONS)
        inputs += [] if opts.only_round_two else generate(tmp)
        reference = REPO.parent / "shared" / "sources" / "zhang-2020-leninists-in-a-chinese-factory.txt"
        ref = str(reference) if reference.is_file() else None
        jobs = [cmd for path in inputs for cmd in commands(str(path), ref)]
        jobs += [args for _, args in queries(tmp)]
        if opts.only_round_two:
            jobs = []
        round_two = cases(tmp / "round-two", servers)
        with ThreadPoolExecutor(max(1, opts.jobs)) as pool:
            results = list(pool.map(lambda a: run(a, opts.timeout), jobs))
            # issue 9's cases: each with its expected exit code and error line
            checked = list(pool.map(lambda c: (c, run(c.args, opts.timeout, env=c.env, stdin=c.stdin,
                                                      interrupt_after=c.interrupt_after)), round_two))
    finally:
        servers.close()
        shutil.rmtree(tmp, ignore_errors=True)

    results += [r for _, r in checked]
    unexpected = [(c, r) for c, r in checked if r["rc"] != c.expect or not r["err"].startswith(c.stderr)]
    counts = {k: sum(r["outcome"] == k for r in results) for k in ("clean", "ok", "traceback", "hang")}
    for r in results:
        if opts.verbose or r["outcome"] in ("traceback", "hang"):
            shown = " ".join(a if len(a) < 80 else a[:60] + "..." for a in r["args"])
            print(f"{r['outcome']:9} rc={r['rc']} {r['secs']:>6}s  jasic-kg {shown}\n          {r['err'][:200]}")
    for c, r in unexpected:
        print(f"unexpected: {c.name}: rc={r['rc']} (expected {c.expect}) {r['err'][:200]}")
    slowest = max(results, key=lambda r: r["secs"])
    print(f"slowest run: {slowest['secs']} s (jasic-kg {' '.join(a[:60] for a in slowest['args'])})")
    codes = {}
    for r in results:
        codes[r["rc"]] = codes.get(r["rc"], 0) + 1
    print("exit codes: " + ", ".join(f"{rc}: {n}" for rc, n in sorted(codes.items(), key=lambda kv: str(kv[0]))))
    extra = f" ({counts['ok']} exited 0: accepted or no findings)" if counts["ok"] else ""
    print(f"{len(results)} inputs: {counts['clean']} clean errors, {counts['traceback']} tracebacks, "
          f"{counts['hang']} hangs{extra}; issue 9 cases: {len(checked) - len(unexpected)}/{len(checked)} "
          "as expected")
    return 0 if counts["traceback"] == 0 and counts["hang"] == 0 and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
