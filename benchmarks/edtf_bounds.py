"""EDTF bounds: the `edtf` package against jasic_kg.dates on the shipped graph's jkg:edtf values.

Each figure is the median of fresh processes (the package's cost is mostly building its grammar at import).
Run by hand: .venv/bin/python benchmarks/edtf_bounds.py [--repeat 5]; the README of BENCHMARKS.md records it."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

VALUES_CODE = """
from jasic_kg.store import open_store
values = [r["e"].value for r in open_store().select("SELECT ?e WHERE { ?x <https://w3id.org/jasic-kg/ontology#edtf> ?e }")]
"""
PACKAGE = VALUES_CODE + """
import time
t = time.perf_counter()
from edtf import parse_edtf
for v in values:
    d = parse_edtf(v)
    try:
        d.lower_fuzzy(), d.upper_fuzzy()
    except Exception:
        pass
print(time.perf_counter() - t, len(values))
"""
OWN = VALUES_CODE + """
import time
t = time.perf_counter()
from jasic_kg.dates import edtf_spans
for v in values:
    edtf_spans(v)
print(time.perf_counter() - t, len(values))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    results = {}
    for name, code in (("edtf package", PACKAGE), ("jasic_kg.dates", OWN)):
        runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
                for _ in range(args.repeat)]
        results[name] = statistics.median(float(r[0]) for r in runs)
        count = runs[0][1]
    for name, seconds in results.items():
        print(f"{name:<16} {seconds * 1000:8.1f} ms for the graph's {count} jkg:edtf values (import included)")
    print(f"ratio            {results['edtf package'] / results['jasic_kg.dates']:8.0f}x")


if __name__ == "__main__":
    main()
