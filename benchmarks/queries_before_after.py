"""Saved queries rewritten since a git revision: CPU time of the old and the new text, interleaved, on a generated
graph with the shipped graph beside it (the in-memory store every local query runs on).

Usage::

    python benchmarks/queries_before_after.py --rev ba0e25a --size 1m --repeat 3

Prints a Markdown table (median CPU seconds of `--repeat` runs each; the rows must be the same, else it says so).
Run by hand; BENCHMARKS.md, "Portable saved queries", records a run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.push import generated  # noqa: E402
from jasic_kg.queries import compare_results, load_query, run_saved_query  # noqa: E402
from jasic_kg.store import open_store  # noqa: E402


def old_text(rev: str, name: str) -> str | None:
    """The query's text at `rev`, or None where it did not exist."""
    done = subprocess.run(["git", "show", f"{rev}:queries/{name}.rq"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rev", required=True, help="the git revision whose queries/*.rq are the 'before'")
    ap.add_argument("--size", default="1m", help="the generated input (benchmarks/generate.py --size)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    store = open_store(data=[generated(args.size)])
    print(f"{store.count():,} triples; median CPU seconds of {args.repeat} runs, old and new interleaved")
    print()
    print(f"| saved query | rows | at {args.rev} | now | now / before |")
    print("|---|---:|---:|---:|---:|")
    for path in sorted((ROOT / "queries").glob("*.rq")):
        before = old_text(args.rev, path.stem)
        now = path.read_text(encoding="utf-8")
        if before is None or before == now:
            continue
        queries = (load_query(before, path.stem), load_query(now, path.stem))
        times: tuple[list, list] = ([], [])
        results = [None, None]
        for _ in range(args.repeat):
            for i, query in enumerate(queries):
                started = time.process_time()
                results[i] = run_saved_query(store, query)
                times[i].append(time.process_time() - started)
        old, new = (statistics.median(t) for t in times)
        same = not compare_results(results[0], results[1], ordered=False)
        ratio = f"{new / old:.2f}" if old >= 0.001 else "-"
        print(f"| {path.stem} | {len(results[1].rows)}{'' if same else ' (rows differ!)'} | {old:.3f} s | "
              f"{new:.3f} s | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
