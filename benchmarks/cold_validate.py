"""Cold `jasic-kg validate` on the shipped graph beside `python -c 'import rdflib'`, interleaved in one run: wall
time and the child's CPU time (user + system, from os.wait4), medians, with ratios to the yardstick.

    .venv/bin/python benchmarks/cold_validate.py [--repeat 9] [--cached-only] [--baseline DIR]

Rows: the yardstick; `validate` with the compiled shapes in the cache (a cache folder of this run's own, filled
by one run before the timing); `validate` that compiles them (each run in an empty cache folder); `validate` with
JASIC_KG_CACHE=0 (compiled in memory every time); with --baseline, `validate` of another checkout's code (the
same interpreter and packages), to measure a change in one interleaved run. CPU time is the figure to compare when other jobs share the
machine: a loaded machine stretches wall time but not the CPU a process needs. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import run  # noqa: E402
PY = sys.executable
EXE = str(Path(PY).with_name("jasic-kg"))


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of one fresh process (run.run_timed: os.wait4, with its watchdog)."""
    wall, cpu, code = run.run_timed(cmd, env)
    if code != 0:
        raise SystemExit(f"{' '.join(cmd)} exited with {code}")
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--baseline", metavar="DIR", type=Path,
                    help="also time the toolkit of another checkout (e.g. `git archive main | tar -x -C DIR`): its "
                         "src/ first on PYTHONPATH, its compiled shapes cached in a folder of their own")
    ap.add_argument("--cached-only", action="store_true", help="leave out the two rows that compile the shapes")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cold-validate-"))
    try:
        base = {k: v for k, v in os.environ.items() if not k.startswith("JASIC_KG_")}
        cached = dict(base, JASIC_KG_CACHE_DIR=str(work / "cached"))
        subprocess.run([EXE, "validate"], env=cached, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, timeout=300)
        rows = {
            "`python -c 'import rdflib'` (yardstick)": ([PY, "-c", "import rdflib"], lambda i: base),
            "`jasic-kg validate`, compiled shapes cached": ([EXE, "validate"], lambda i: cached),
        }
        if a.baseline:
            # the same command and interpreter on the other checkout's code (and its shipped files)
            other = dict(base, JASIC_KG_CACHE_DIR=str(work / "baseline"),
                         PYTHONPATH=str(a.baseline.resolve() / "src"))
            subprocess.run([EXE, "validate"], env=other, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, timeout=300)
            rows[f"`jasic-kg validate` of {a.baseline.name}, compiled shapes cached"] = ([EXE, "validate"],
                                                                                           lambda i: other)
        if not a.cached_only:
            rows["`jasic-kg validate`, compiling the shapes (empty cache)"] = (
                [EXE, "validate"], lambda i: dict(base, JASIC_KG_CACHE_DIR=str(work / f"empty-{i}")))
            rows["`jasic-kg validate` with `JASIC_KG_CACHE=0`"] = ([EXE, "validate"],
                                                                  lambda i: dict(base, JASIC_KG_CACHE="0"))
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in rows}
        load_before = os.getloadavg()
        for i in range(a.repeat):
            for name, (cmd, env) in rows.items():
                times[name].append(timed(cmd, env(i)))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ref_wall = statistics.median(w for w, _ in times[next(iter(rows))])
    ref_cpu = statistics.median(c for _, c in times[next(iter(rows))])
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; median of {a.repeat} runs\n")
    print("| command | wall | × yardstick | CPU | × yardstick |")
    print("|---|---:|---:|---:|---:|")
    for name, got in times.items():
        wall, cpu = statistics.median(w for w, _ in got), statistics.median(c for _, c in got)
        print(f"| {name} | {wall:.3f} s | {wall / ref_wall:.2f} | {cpu:.3f} s | {cpu / ref_cpu:.2f} |")


if __name__ == "__main__":
    main()
