"""The static site's build time on the shipped graph: `jasic-kg site -o DIR` in fresh processes (the same
timer as benchmarks/run.py: blocking wait, the child's own peak RSS), each into a new folder, median reported.
The target is under 5 s.

    python benchmarks/site_build.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args(argv)
    exe = run.toolkit_cli()
    if exe is None:
        print("no .venv/bin/jasic-kg: install the toolkit first", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="site-bench-"))
    try:
        runs = []
        for i in range(a.repeat):
            r = run.run_once([exe, "site", "-o", str(work / f"site-{i}")])
            if r["rc"] != 0:
                print(f"failed: {r.get('stderr', r['rc'])}", file=sys.stderr)
                return 1
            runs.append(r)
        walls = [r["wall_s"] for r in runs]
        pages = sum(1 for _ in (work / "site-0" / "id").iterdir())
        size = sum(p.stat().st_size for p in (work / "site-0").rglob("*") if p.is_file())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load = os.getloadavg()
    rss = max(r["rss_mb"] for r in runs if r.get("rss_mb") is not None) if any(r.get("rss_mb") for r in runs) else None
    print(f"| `jasic-kg site -o DIR` ({pages} entity pages, {size / 1e6:.1f} MB) | {a.repeat} | "
          f"{min(walls):.2f} s | {statistics.median(walls):.2f} s | {max(walls):.2f} s | "
          f"{f'{rss:.0f} MB' if rss else '–'} | {load[0]:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
