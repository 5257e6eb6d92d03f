"""The JSON-LD export against its yardsticks, with the two sides interleaved (peer, toolkit, peer, toolkit, ...) so
that a machine shared with other jobs slows both alike; wall time, CPU time (user + system, steadier than wall
time under load) and peak RSS of fresh processes, medians, and the load average while they ran.

    python benchmarks/jsonld_row.py --size 1m --repeat 3   # compacted export (cached store) vs pyoxigraph's expanded dump
    python benchmarks/jsonld_row.py --cold --repeat 9      # `export --format jsonld` on the shipped graph vs `import rdflib`

The first is the "export jsonld" row of benchmarks/run.py at one size, the second the cold start's export row;
run.py times each command's runs back to back instead.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def timed(cmd, env=None) -> dict:
    """run.run_once (wall time, peak RSS) plus the CPU time of the process and its children."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = run.run_once(cmd, env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r["rc"] != 0:
        raise SystemExit(f"failed ({r['rc']}): {' '.join(map(str, cmd))}\n{r.get('stderr', '')}")
    r["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r


def interleaved(rows: dict[str, tuple[list, dict | None]], repeat: int) -> dict[str, dict]:
    runs: dict[str, list[dict]] = {name: [] for name in rows}
    loads = [os.getloadavg()[0]]
    for _ in range(repeat):
        for name, (cmd, env) in rows.items():
            runs[name].append(timed(cmd, env))
        loads.append(os.getloadavg()[0])
    return {name: {"wall_s": statistics.median(r["wall_s"] for r in rs),
                   "cpu_s": statistics.median(r["cpu_s"] for r in rs),
                   "rss_mb": max((r["rss_mb"] for r in rs if r["rss_mb"] is not None), default=None),
                   "runs": len(rs), "load": (min(loads), max(loads))}
            for name, rs in runs.items()}


def report(results: dict[str, dict]) -> None:
    base_name = next(iter(results))
    base = results[base_name]
    for name, r in results.items():
        print(f"{name:<42} wall {r['wall_s']:.3f} s ({r['wall_s'] / base['wall_s']:.2f}x)  "
              f"cpu {r['cpu_s']:.3f} s ({r['cpu_s'] / base['cpu_s']:.2f}x)  {r['rss_mb'] or 0:.0f} MB "
              f"({(r['rss_mb'] or 0) / (base['rss_mb'] or 1):.2f}x)")
    low, high = base["load"]
    print(f"load average (1 min) {low:.2f}-{high:.2f} while measuring")
    print(json.dumps(results))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1m")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="the cold export of the shipped graph against import rdflib")
    a = ap.parse_args(argv)
    exe = run.toolkit_cli()
    if not exe:
        raise SystemExit("no toolkit CLI in .venv")
    if a.cold:
        report(interleaved({
            "python -c 'import rdflib' (yardstick)": ([run.PY, "-c", "import rdflib"], None),
            "jasic-kg export --format jsonld": ([exe, "export", "--format", "jsonld", "--output", os.devnull], None),
        }, a.repeat))
        return 0
    data = run.WORK / f"data-{a.size}.ttl"
    if not data.exists():
        run.generate.main(["--size", a.size, "--out", str(run.WORK)])
    cache_dir = run.WORK / "jsonld-row-cache"
    env_cache = dict(os.environ, XDG_CACHE_HOME=str(cache_dir))
    # build the store cache once, as the full benchmark's earlier rows do
    timed([exe, "stats", "--data", str(data)], env=env_cache)
    try:
        report(interleaved({
            "pyoxigraph dump (expanded)": ([run.PY, str(HERE / "peers.py"), "pyoxigraph-jsonld", str(data),
                                            str(run.WORK / "o.jsonld")], None),
            "toolkit CLI (cached store)": ([exe, "export", "--format", "jsonld", "--data", str(data),
                                            "--output", str(run.WORK / "tk.jsonld")], env_cache),
        }, a.repeat))
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
