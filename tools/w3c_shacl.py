#!/usr/bin/env python3
"""Run a SHACL engine on the W3C SHACL Core test suite and compare its reports with the suite's expected ones.

The suite is not shipped: extract data-shapes-test-suite/tests/core/ of https://github.com/w3c/data-shapes into
.w3c/core (gitignored), then

    python tools/w3c_shacl.py --suite .w3c/core [--engine native|pyshacl] [--allowed FILE] [--verbose]

Each manifest (mf:Manifest, followed through mf:include) lists sht:Validate entries whose mf:action names a data
graph and a shapes graph and whose mf:result is the expected sh:ValidationReport. A test passes when, as the
suite defines conformance (https://w3c.github.io/data-shapes/data-shapes-test-suite/), the engine gives the same
sh:conforms and the same multiset of results compared on focusNode, resultPath, sourceShape,
sourceConstraintComponent, resultSeverity and value. sh:resultMessage and sh:detail are not compared (the suite
leaves messages free).

Blank nodes are compared by structure: a blank node is its outgoing triples, recursively (three levels, RDF lists
included), in the graph it comes from (the manifest for the expected report, data plus shapes for the engine's).
An expected blank node that the manifest does not describe (its data graph is another file) matches any blank
node.

Tests of the native engine that fail and are listed in the allowed-failures file (tools/w3c_shacl_allowed.tsv:
test id, a tab, a one-line reason) are counted as allowed; any other failure makes the exit code 1.
Prints one line per failing test and `N tests: P passed, F failed (A allowed), E errors`.
"""

from __future__ import annotations

import argparse
import collections
import logging
import sys
import time
import traceback
import warnings
from pathlib import Path
from urllib.request import url2pathname

import rdflib
import rdflib.collection
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = rdflib.Namespace("http://www.w3.org/ns/shacl-test#")
DEFAULT_ALLOWED = Path(__file__).resolve().parent / "w3c_shacl_allowed.tsv"
FIELDS = (SH.focusNode, SH.resultPath, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity, SH.value)
ANY_BNODE = "_:?"


def _engine_module():
    """The one place the native engine is imported from."""
    from jasic_kg.validation import shacl_native as engine

    return engine


# --- the suite ------------------------------------------------------------------------------------------------

class Test:
    def __init__(self, test_id: str, label: str, data: Path, shapes: Path, manifest: rdflib.Graph, result):
        self.id, self.label, self.data, self.shapes = test_id, label, data, shapes
        self.manifest, self.result = manifest, result


def _local(iri: URIRef) -> Path:
    return Path(url2pathname(str(iri).removeprefix("file://")))


def load_tests(suite: Path) -> list[Test]:
    """Every sht:Validate test reachable from suite/manifest.ttl (mf:include followed), in manifest order."""
    suite = suite.resolve()
    tests, seen = [], set()

    def visit(path: Path):
        if path in seen:
            return
        seen.add(path)
        g = rdflib.Graph()
        g.parse(path, format="turtle", publicID=path.as_uri())
        for m in g.subjects(RDF.type, MF.Manifest):
            for inc in g.objects(m, MF.include):
                visit(_local(inc))
            for entries in g.objects(m, MF.entries):
                for t in rdflib.collection.Collection(g, entries):
                    if (t, RDF.type, SHT.Validate) not in g:
                        continue
                    action = g.value(t, MF.action)
                    tid = str(t).removeprefix(suite.as_uri() + "/")
                    tests.append(Test(tid, str(g.value(t, rdflib.RDFS.label) or ""),
                                      _local(g.value(action, SHT.dataGraph)),
                                      _local(g.value(action, SHT.shapesGraph)), g, g.value(t, MF.result)))

    visit(suite / "manifest.ttl")
    return tests


# --- comparing reports ----------------------------------------------------------------------------------------

def term_key(g: rdflib.Graph, t, depth: int = 3, expected: bool = False):
    """A comparable form of a result term: IRIs and literals as they are, blank nodes by their structure."""
    if t is None or not isinstance(t, BNode):
        return t
    out = tuple(sorted((str(p), repr(term_key(g, o, depth - 1, expected))) for p, o in g.predicate_objects(t)))
    if not out and expected:
        return ANY_BNODE
    return ("_", out) if depth > 0 else "_"


def _matches(exp: tuple, act: tuple) -> bool:
    return all(e == a or (e == ANY_BNODE and isinstance(a, tuple)) for e, a in zip(exp, act))


def compare(test: Test, conforms: bool, actual: list[tuple]) -> list[str]:
    """Differences between the expected report and the engine's (`actual`: keyed result tuples)."""
    g = test.manifest
    expected = []
    for r in g.objects(test.result, SH.result):
        expected.append(tuple(term_key(g, g.value(r, f), expected=True) for f in FIELDS))
    exp_conforms = g.value(test.result, SH.conforms)
    problems = []
    if exp_conforms is not None and bool(exp_conforms.toPython()) != conforms:
        problems.append(f"conforms {conforms}, expected {exp_conforms}")
    left = list(actual)
    missing = []
    for e in expected:
        hit = next((i for i, a in enumerate(left) if _matches(e, a)), None)
        if hit is None:
            missing.append(e)
        else:
            left.pop(hit)
    problems += [f"missing {_show(e)}" for e in missing]
    problems += [f"extra {_show(a)}" for a in left]
    return problems


def _show(key: tuple) -> str:
    names = ("focus", "path", "shape", "component", "severity", "value")
    parts = []
    for n, v in zip(names, key):
        if v is None:
            continue
        s = v.n3() if isinstance(v, (URIRef, Literal)) else ("[...]" if isinstance(v, tuple) else str(v))
        parts.append(f"{n}={s.rsplit('#', 1)[-1].rstrip('>') if n in ('component', 'severity') else s}")
    return " ".join(parts)


# --- running an engine ----------------------------------------------------------------------------------------

def _graph(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(path, format="turtle", publicID=path.as_uri())
    return g


def run_test(test: Test, engine: str) -> tuple[list[str], str | None]:
    """(differences, fallback note) for one test; raises if the engine fails."""
    data = _graph(test.data)
    shapes = data if test.shapes == test.data else _graph(test.shapes)
    both = data if shapes is data else data + shapes
    sn = _engine_module()
    note = None
    if engine == "native":
        report = sn.validate(data, shapes)
        findings, conforms = report.findings, report.conforms
        if report.fallback_shapes:
            note = "fell back to pySHACL for " + ", ".join(
                f"{s.n3() if not isinstance(s, BNode) else '[]'} ({why.split(':', 1)[0]})"
                for s, why in report.fallback_shapes)
    else:
        findings = sn.run_pyshacl(data, shapes)
        conforms = not findings
    actual = [tuple(term_key(both, getattr(f, a)) for a in
                    ("focus_node", "result_path", "source_shape", "constraint_component", "severity", "value"))
              for f in findings]
    return compare(test, conforms, actual), note


def load_allowed(path: Path) -> dict[str, str]:
    allowed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            tid, _, reason = line.partition("\t")
            allowed[tid.strip()] = reason.strip()
    return allowed


def run_suite(suite: Path, engine: str = "native", allowed: dict[str, str] | None = None,
              out=sys.stdout, verbose: bool = False) -> dict:
    """Run every test; print one line per failing test and the summary line; return the counts."""
    allowed = allowed or {}
    tests = load_tests(suite)
    counts = collections.Counter()
    failed_ids, unexpected = [], []
    for t in tests:
        try:
            problems, note = run_test(t, engine)
        except Exception as e:  # an engine crash is a result of the run, reported per test
            counts["errors"] += 1
            print(f"ERROR {t.id}: {type(e).__name__}: {e}", file=out)
            if verbose:
                traceback.print_exc(file=out)
            unexpected.append(t.id)
            continue
        if not problems:
            counts["passed"] += 1
            if verbose and note:
                print(f"ok    {t.id}: {note}", file=out)
            continue
        counts["failed"] += 1
        failed_ids.append(t.id)
        is_allowed = engine == "native" and t.id in allowed
        counts["allowed"] += is_allowed
        if not is_allowed:
            unexpected.append(t.id)
        tag = "ALLOWED" if is_allowed else "FAIL"
        why = f" [{allowed[t.id]}]" if is_allowed else ""
        print(f"{tag:7} {t.id}: {problems[0]}{f' (+{len(problems) - 1} more)' if len(problems) > 1 else ''}{why}",
              file=out)
        if verbose:
            for p in problems[1:]:
                print(f"          {p}", file=out)
    # an allowed failure of a test that ran and passed is stale (tests not in this suite are not judged)
    stale = sorted((set(allowed) & {t.id for t in tests}) - set(failed_ids)) if engine == "native" else []
    for tid in stale:
        print(f"STALE   {tid}: in the allowed list but does not fail", file=out)
    n = len(tests)
    print(f"{engine}: {n} tests: {counts['passed']} passed, {counts['failed']} failed "
          f"({counts['allowed']} allowed), {counts['errors']} errors", file=out)
    return {"tests": n, "passed": counts["passed"], "failed": counts["failed"], "allowed": counts["allowed"],
            "errors": counts["errors"], "unexpected": unexpected, "stale": stale}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", type=Path, default=Path(".w3c/core"), help="the extracted tests/core folder")
    ap.add_argument("--engine", choices=("native", "pyshacl", "both"), default="native")
    ap.add_argument("--allowed", type=Path, default=DEFAULT_ALLOWED, help="allowed failures (id TAB reason)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    # the suite has ill-typed literals on purpose ("aldi"^^xsd:integer); rdflib logs a traceback for each
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    if not (args.suite / "manifest.ttl").is_file():
        print(f"error: no manifest.ttl in {args.suite} (extract the suite's tests/core there)", file=sys.stderr)
        return 2
    allowed = load_allowed(args.allowed)
    bad = False
    for engine in (("native", "pyshacl") if args.engine == "both" else (args.engine,)):
        t0 = time.perf_counter()
        res = run_suite(args.suite, engine, allowed, verbose=args.verbose)
        print(f"{engine}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        bad |= engine == "native" and bool(res["unexpected"] or res["stale"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
