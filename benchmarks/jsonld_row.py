"""One row of the benchmark: the toolkit's compacted JSON-LD export against pyoxigraph's expanded JSON-LD dump,
at one size (default 1m), timed as benchmarks/run.py times (fresh processes, blocking wait, medians).

    python benchmarks/jsonld_row.py --size 1m --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1m")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    data = run.WORK / f"data-{a.size}.ttl"
    if not data.exists():
        run.generate.main(["--size", a.size, "--out", str(run.WORK)])
    exe = run.toolkit_cli()
    cache_dir = run.WORK / "jsonld-row-cache"
    env_cache = dict(os.environ, XDG_CACHE_HOME=str(cache_dir))
    # build the store cache once, as the full benchmark's earlier rows do
    run.run_once([exe, "stats", "--data", str(data)], env=env_cache)
    rows = {
        "pyoxigraph dump (expanded)": run.measure([run.PY, str(HERE / "peers.py"), "pyoxigraph-jsonld", str(data),
                                                   str(run.WORK / "o.jsonld")], a.repeat),
        "toolkit CLI (cached store)": run.measure([exe, "export", "--format", "jsonld", "--data", str(data),
                                                   "--output", str(run.WORK / "tk.jsonld")], a.repeat, env=env_cache),
    }
    shutil.rmtree(cache_dir, ignore_errors=True)
    base = rows["pyoxigraph dump (expanded)"]["wall_s"]
    for name, r in rows.items():
        print(f"{name:<30} {r['wall_s']:.2f} s  {r.get('rss_mb') or 0:.0f} MB  {r['wall_s'] / base:.2f}x")
    print(json.dumps({k: {f: v.get(f) for f in ("wall_s", "rss_mb", "runs")} for k, v in rows.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
