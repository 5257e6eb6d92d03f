"""The benchmark measures the right thing (10k size, fast; no timing assertions anywhere).

- benchmarks/generate.py is deterministic: the same size and seed give byte-identical data and sidecar;
- the planted SHACL violations (sidecar JSON) are found exactly, count and focus nodes, by the toolkit's engine
  (jasic_kg.validation.shacl_native, what `validate --engine native` runs) and by pySHACL;
- the toolkit's query rows equal pyoxigraph's and rdflib's for the benchmark queries.
"""

from __future__ import annotations

import collections
import hashlib
import json
import sys
from pathlib import Path

import pytest
import rdflib

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import peers  # noqa: E402

QUERIES = sorted((BENCH / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def bench10k(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    data, side, stats = generate.write("10k", out)
    return data, json.loads(side.read_text(encoding="utf-8")), stats


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_generator_is_deterministic(bench10k, tmp_path):
    data, sidecar, stats = bench10k
    data2, side2, stats2 = generate.write("10k", tmp_path)
    assert _sha(data) == _sha(data2) == stats["sha256"]
    assert json.loads(side2.read_text(encoding="utf-8")) == sidecar
    assert 9_000 <= stats["triples"] <= 11_000
    assert len(rdflib.Graph().parse(data)) == stats["triples"]  # the stated size is the real size


def test_generator_scales_the_model(bench10k):
    data, _, _ = bench10k
    text = data.read_text(encoding="utf-8")
    for term in ("jkg:dateStated", "jkg:edtf", "jkg:earliestDate", "jkg:latestDate", "jkg:statedAs", "jkg:value",
                 "jkg:lowerBound", "jkg:upperBound", "jkg:quote", "jkg:assertedBy", "jkg:evidenceType",
                 "jkg:participant", "jkg:location"):
        assert term in text, term


def _expected(sidecar):
    return collections.Counter((r["focus"], r["component"], r["shape"]) for r in sidecar["results"])


def test_planted_violations_found_exactly_by_the_toolkit(bench10k):
    from jasic_kg.validation import shacl_native

    data, sidecar, _ = bench10k
    shapes = rdflib.Graph().parse(BENCH / "shapes.ttl")
    rep = shacl_native.validate(data, shapes)
    assert rep.fallback_shapes == []
    got = collections.Counter((str(f.focus_node), str(f.constraint_component), str(f.source_shape))
                              for f in rep.findings)
    assert got == _expected(sidecar)
    assert len(rep.findings) == sidecar["stats"]["expected_results"]
    # every kind of planted violation is present at least twice
    kinds = collections.Counter(r["kind"] for r in sidecar["results"])
    assert set(kinds) == set(generate.PLANTS) and min(kinds.values()) >= 2


@pytest.mark.slow
def test_planted_violations_found_exactly_by_pyshacl(bench10k):
    pyshacl = pytest.importorskip("pyshacl")
    from rdflib.namespace import SH

    data, sidecar, _ = bench10k
    conforms, rg, _ = pyshacl.validate(rdflib.Graph().parse(data), shacl_graph=rdflib.Graph().parse(BENCH / "shapes.ttl"))
    assert conforms is False
    got = collections.Counter()
    for r in rg.objects(None, SH.result):
        got[(str(rg.value(r, SH.focusNode)), str(rg.value(r, SH.sourceConstraintComponent)),
             str(rg.value(r, SH.sourceShape)))] += 1
    assert got == _expected(sidecar)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_toolkit_rows_equal_pyoxigraph_and_rdflib(bench10k, query):
    data, _, _ = bench10k
    tk = peers.op_toolkit_query(str(data), str(query), "0")
    ox = peers.op_pyoxigraph_query(str(data), str(query))
    rl = peers.op_rdflib_queries(str(data), str(query))["queries"][query.stem]
    assert tk["rows"] > 0
    assert tk["rows"] == ox["rows"] == rl["rows"]
    assert tk["digest"] == ox["digest"] == rl["digest"]
