"""Every saved query at one size (default 1m), each way the toolkit can answer it:

- in memory, query only: the store loaded once in this process, the query timed alone (what a warm server costs
  at best);
- `--no-cache`: a fresh `jasic-kg query NAME --data FILE --no-cache` process (parse, check, query, write);
- cached: the same command on an unchanged input after a first run built the cache entry (the current policy);
- on-disk store: a fresh process querying a read-only on-disk (RocksDB) pyoxigraph store of the same graph, the
  previous cache policy, kept for comparison (`--skip-ondisk` leaves it out: it is the slow column);
- served: `jasic-kg serve --data FILE` started once, then each query through HTTP (EndpointStore, SPARQLWrapper):
  the first request (evaluated by Oxigraph) and the median of the next `--repeat` (answered from the server's
  kept answers: the graph cannot change while served); for the first request also the CPU seconds it cost the
  server (front and Oxigraph child, from /proc) and the client, and the load average when it ran.

    .venv/bin/python benchmarks/cache_vs_serve.py --size 1m --repeat 3 [--update BENCHMARKS.md]

Saved queries run on the shipped graph loaded beside the synthetic data, as in benchmarks/run.py. Wall times of
fresh processes are medians of `--repeat` runs (run.measure: blocking wait, the child's own peak RSS).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import run  # noqa: E402

SECTION = "## The store cache measured, and served queries"


def ondisk_query(location: str, query_file: str) -> int:
    """(A child process.) The previous cache policy: the saved query on a read-only on-disk store, CSV out."""
    from pyoxigraph import Store

    from jasic_kg.queries import resolve_query, run_saved_query
    from jasic_kg.results import write_result
    from jasic_kg.store import LocalStore

    graph = LocalStore([], shipped=[], cache=False)
    graph._store = Store.read_only(location)  # LocalStore.query exactly as before, on the on-disk store
    sys.stdout.buffer.write(write_result(run_saved_query(graph, resolve_query(query_file), {}), "csv"))
    return 0


def measure(cmd, repeat: int, env=None) -> dict:
    """Median wall and CPU (user + system) seconds of `repeat` fresh processes. CPU time is the figure to compare
    on a shared machine: wall time there includes waiting for a core (load averages of 4-8 on 2 cores here)."""
    walls, cpus = [], []
    for _ in range(repeat):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            started = time.perf_counter()
            proc = subprocess.Popen([str(c) for c in cmd], stdout=out, stderr=err, env=env, cwd=str(ROOT))
            timer = threading.Timer(run.TIMEOUT, proc.kill)
            timer.start()
            _, status, usage = os.wait4(proc.pid, 0)
            timer.cancel()
            walls.append(time.perf_counter() - started)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                err.seek(0)
                return {"error": err.read().decode("utf-8", "replace").strip()[-300:] or proc.returncode}
            cpus.append(usage.ru_utime + usage.ru_stime)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "runs": repeat}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc; clock-tick resolution)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(exe: str, data: Path, log: Path):
    with log.open("wb") as err:
        proc = subprocess.Popen([exe, "serve", "--data", str(data), "--bind", "127.0.0.1:0", "--timeout", "600"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, cwd=str(ROOT))
    started = time.perf_counter()
    while time.perf_counter() - started < 600:
        m = re.search(r"at (http://127\.0\.0\.1:\d+)/ .*Oxigraph server pid (\d+)", log.read_text())
        if m:
            return proc, m.group(1), int(m.group(2)), time.perf_counter() - started
        if proc.poll() is not None:
            raise SystemExit(f"serve exited: {log.read_text()}")
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("serve did not start within 600 s")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="1m")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-ondisk", action="store_true")
    ap.add_argument("--only", help="comma-separated saved-query names (default: every one without a required "
                                   "parameter that lacks a default); their rows replace or join the last run's")
    ap.add_argument("--update", metavar="BENCHMARKS.md", help="replace this file's section with the table")
    ap.add_argument("--served-only", action="store_true",
                    help="measure only the served columns again, into the last run's JSON of this size")
    ap.add_argument("--ondisk-query", nargs=2, metavar=("LOCATION", "QUERY"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.ondisk_query:
        return ondisk_query(*a.ondisk_query)

    from pyoxigraph import Store

    from jasic_kg.io import resources
    from jasic_kg.queries import resolve_query, run_saved_query
    from jasic_kg.store import LocalStore

    run.WORK.mkdir(parents=True, exist_ok=True)
    data, _, gen = run.generate.write(a.size, run.WORK)
    exe = run.toolkit_cli()
    queries = run.saved_queries()
    if a.only:
        queries = [q for q in queries if q.stem in a.only.split(",")]
    rows = {q.stem: {} for q in queries}
    log = print
    results = run.WORK / f"cache-vs-serve-{a.size}.json"
    if a.served_only:
        doc = json.loads(results.read_text())
        rows = doc["rows"]
        doc["serve_startup_s"], doc["served_date"] = served(exe, data, [q for q in queries if q.stem in rows], rows,
                                                           a.repeat, log), _dt.datetime.now().isoformat(timespec="seconds")
        return finish(doc, results, a)

    # in memory, query only
    started = time.perf_counter()
    memory = LocalStore([data], shipped=resources.graph_files(), cache=False)
    load_s = time.perf_counter() - started
    triples = memory.count()
    log(f"{a.size}: {triples} triples; in-memory load {load_s:.2f} s")
    for q in queries:
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            result = run_saved_query(memory, resolve_query(str(q)), {})
            times.append(time.perf_counter() - t)
        rows[q.stem].update(memory_s=statistics.median(times), rows=len(result.rows))
        log(f"  {q.stem:<32} memory   {rows[q.stem]['memory_s']:7.3f} s  {len(result.rows)} rows")

    # the previous policy's on-disk store, built once from the same files
    ondisk = run.WORK / f"ondisk-{a.size}"
    if not a.skip_ondisk:
        shutil.rmtree(ondisk, ignore_errors=True)
        disk = Store(str(ondisk))
        disk.bulk_extend(memory.quads())
        disk.flush()
        del disk
    del memory

    cache_dir = Path(tempfile.mkdtemp(prefix="cache-", dir=run.WORK))
    env_cache = dict(os.environ, XDG_CACHE_HOME=str(cache_dir), JASIC_KG_CACHE="1")
    started = time.perf_counter()
    run.run_once([exe, "query", str(queries[0]), "--data", str(data), "--format", "csv"], env=env_cache)
    build_s = time.perf_counter() - started
    log(f"cache entry built in {build_s:.2f} s (first command, {queries[0].stem})")
    # The two paths differ only in how the graph gets into memory: that difference, alone and interleaved.
    load_fresh = [os.getloadavg()[0]]
    loads = {"cached": [], "nocache": []}
    for _ in range(max(a.repeat, 5)):
        for name, cache in (("cached", True), ("nocache", False)):
            t, c = time.perf_counter(), time.process_time()
            LocalStore([data], shipped=resources.graph_files(), cache=cache, cache_dir=cache_dir / "jasic-kg")
            loads[name].append((time.perf_counter() - t, time.process_time() - c))
    load_cmp = {k: {"wall_s": statistics.median(w for w, _ in v), "cpu_s": statistics.median(c for _, c in v)}
                for k, v in loads.items()}
    log(f"graph into memory: cache hit {load_cmp['cached']}, --no-cache {load_cmp['nocache']}")
    for q in queries:
        cmd = [exe, "query", str(q), "--data", str(data), "--format", "csv"]
        r = rows[q.stem]
        r["nocache"] = measure(cmd + ["--no-cache"], a.repeat)
        r["cached"] = measure(cmd, a.repeat, env=env_cache)
        if not a.skip_ondisk:
            r["ondisk"] = measure([run.PY, str(Path(__file__).resolve()), "--ondisk-query", str(ondisk), str(q)], 1)
        log(f"  {q.stem:<32} " + "  ".join(
            f"{k} {r.get(k, {}).get('cpu_s', float('nan')):7.3f} s cpu {r.get(k, {}).get('wall_s', float('nan')):7.3f} s wall"
            for k in ("nocache", "cached", "ondisk")))
    load_fresh.append(os.getloadavg()[0])
    shutil.rmtree(cache_dir, ignore_errors=True)
    shutil.rmtree(ondisk, ignore_errors=True)

    startup_s = served(exe, data, queries, rows, a.repeat, log)

    now = _dt.datetime.now().isoformat(timespec="seconds")
    if a.only and results.exists():  # a few queries again (or new ones): into the last full run's figures
        doc = json.loads(results.read_text())
        doc["rows"].update(rows)
        doc.setdefault("partial_runs", []).append({"date": now, "queries": sorted(rows)})
        return finish(doc, results, a)
    doc = {"size": a.size, "triples": triples, "repeat": a.repeat, "load_fresh": load_fresh, "load_s": load_s,
           "cache_build_s": build_s,
           "serve_startup_s": startup_s, "load_compare": load_cmp, "date": now, "rows": rows}
    return finish(doc, results, a)


def served(exe, data, queries, rows, repeat, log) -> float:
    """`jasic-kg serve` started once; each saved query through HTTP as `jasic-kg query NAME --endpoint` sends it.
    Timed twice: the HTTP exchange alone (request sent, whole answer received: the server's part) and with the
    client's conversion of the answer into RDF terms (EndpointStore, all in Python)."""
    from jasic_kg.queries import resolve_query, run_saved_query
    from jasic_kg.store import EndpointStore

    proc, url, oxigraph_pid, startup_s = start_server(exe, data, run.WORK / "serve.log")

    def server_cpu() -> float:  # the front and the Oxigraph child: the server's whole share of the machine
        return cpu_seconds(proc.pid) + cpu_seconds(oxigraph_pid)

    log(f"serve ready in {startup_s:.2f} s at {url}")
    endpoint = EndpointStore(url + "/query", timeout=600)
    http_s = []
    send = endpoint._send

    def timed_send(*args):
        t = time.perf_counter()
        try:
            return send(*args)
        finally:
            http_s.append(time.perf_counter() - t)

    endpoint._send = timed_send
    try:
        for q in queries:
            saved = resolve_query(str(q))
            http_s.clear()
            load = os.getloadavg()[0]
            server_before, t, c = server_cpu(), time.perf_counter(), time.process_time()
            result = run_saved_query(endpoint, saved, {})
            first, client_cpu = time.perf_counter() - t, time.process_time() - c
            first_cpu = client_cpu + server_cpu() - server_before
            first_http = http_s[-1]
            again, again_http = [], []
            for _ in range(repeat):
                t = time.perf_counter()
                run_saved_query(endpoint, saved, {})
                again.append(time.perf_counter() - t)
                again_http.append(http_s[-1])
            r = rows[q.stem]
            r.update(served_first_s=first, served_first_http_s=first_http, served_first_cpu_s=first_cpu,
                     served_first_client_cpu_s=client_cpu, served_first_load=load,
                     served_warm_s=statistics.median(again),
                     served_warm_http_s=statistics.median(again_http), served_rows=len(result.rows))
            log(f"  {q.stem:<32} served   first {first:7.3f} s (HTTP {first_http:.3f} s; CPU {first_cpu:.3f} s, "
                f"client {client_cpu:.3f} s; load {load:.1f})  "
                f"warm {r['served_warm_s']:7.3f} s (HTTP {r['served_warm_http_s']:.3f} s)")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    return startup_s


def finish(doc: dict, results: Path, a) -> int:
    results.write_text(json.dumps(doc, indent=1, default=str))
    text = report(doc, skip_ondisk=a.skip_ondisk)
    print(text)
    if a.update:
        path = Path(a.update)
        old = path.read_text(encoding="utf-8")
        if SECTION in old:
            start = old.index(SECTION)
            end = old.find("\n## ", start + len(SECTION))
            new = old[:start] + text + (old[end + 1:] if end >= 0 else "")
        else:
            new = old.rstrip("\n") + "\n\n" + text
        path.write_text(new, encoding="utf-8")
    return 0


def report(doc: dict, skip_ondisk: bool) -> str:
    def s(x):
        return "–" if x is None else (f"{x:.3f} s" if x < 10 else f"{x:.1f} s")

    def proc(r):
        return f"{s(r.get('cpu_s'))} ({s(r.get('wall_s'))})" if "cpu_s" in r else f"error: {r.get('error')}"

    lc = doc["load_compare"]
    L = [SECTION, "",
         f"`python benchmarks/cache_vs_serve.py --size {doc['size']} --repeat {doc['repeat']}"
         f"{' --skip-ondisk' if skip_ondisk else ''}` ({doc['date']}; "
         f"{doc['triples']:,} triples: the synthetic {doc['size']} graph with the shipped graph beside it). "
         "Fresh processes (`jasic-kg query NAME --data FILE --format csv`) show the median **CPU time** (user + "
         "system) and, in brackets, the median wall time: the machine was shared ("
         + (f"load average {doc['load_fresh'][0]:.1f} and {doc['load_fresh'][1]:.1f} on 2 cores when they began and "
            "ended" if doc.get("load_fresh") else "load averages of 4-8 on 2 cores") +
         "), so wall times include waiting for a core and CPU time is the figure to compare. *in memory* is the query "
         "alone on a loaded store (wall time in this process, the figure most exposed to the machine's load: "
         "compare it with the served columns rather than with CPU times); *on-disk store* is the previous cache policy (a read-only RocksDB store, one "
         "run); *served first* is the first request to `jasic-kg serve` (evaluated by Oxigraph), *served warm* the "
         "median of the next requests (kept answers), each as `jasic-kg query NAME --endpoint` sends it: the HTTP "
         "exchange alone (request sent, whole answer received), and in brackets with the client's conversion of "
         "the answer into RDF terms (EndpointStore, in Python), wall time in the client; and the CPU seconds the "
         "first request cost the server (the front and the Oxigraph child) and the client together, which a "
         "shared machine's load does not inflate.", "",
         f"The graph into memory, in one process, interleaved, medians of {max(doc['repeat'], 5)}: cache hit "
         f"{lc['cached']['cpu_s']:.2f} s CPU ({lc['cached']['wall_s']:.2f} s wall), `--no-cache` "
         f"{lc['nocache']['cpu_s']:.2f} s CPU ({lc['nocache']['wall_s']:.2f} s wall); the two paths run the same "
         f"query on the same in-memory store, so this is their whole difference. The cache entry's first build: "
         f"{doc['cache_build_s']:.2f} s (a whole command). `serve` ready after {doc['serve_startup_s']:.2f} s"
         + (f" (the served columns measured again on {doc['served_date']})." if doc.get("served_date") else ".")
         + "".join(f" Measured on {r['date']} with `--only` (the same way, alone): {', '.join(r['queries'])}."
                   for r in doc.get("partial_runs", [])), "",
         "| saved query | rows | in memory (query only) | `--no-cache` | cached | cached ≤ no-cache (CPU) | "
         + ("on-disk store (previous cache) | " if not skip_ondisk else "") + "served first: HTTP (client) | served first: CPU, server + client | served warm: HTTP (client) |",
         "|---|---:|---:|---:|---:|:-:|" + ("---:|" if not skip_ondisk else "") + "---:|---:|---:|"]
    worst_warm, slower = 0.0, []
    for name, r in sorted(doc["rows"].items()):
        nc, ca = r["nocache"].get("cpu_s"), r["cached"].get("cpu_s")
        ok = nc is not None and ca is not None and ca <= nc
        if not ok:
            slower.append(name)
        worst_warm = max(worst_warm, r.get("served_warm_s") or 0)
        L.append(f"| {name} | {r['rows']} | {s(r['memory_s'])} | {proc(r['nocache'])} | {proc(r['cached'])} | "
                 f"{'yes' if ok else '**no**'} | "
                 + (f"{proc(r.get('ondisk', {}))} | " if not skip_ondisk else "")
                 + f"{s(r.get('served_first_http_s'))} ({s(r.get('served_first_s'))}) | "
                 + f"{s(r.get('served_first_cpu_s'))} | "
                 + f"{s(r.get('served_warm_http_s'))} ({s(r.get('served_warm_s'))}) |")
    firsts = {n: r.get("served_first_s") or 0 for n, r in doc["rows"].items()}
    over = sorted((n for n, f in firsts.items() if f > 1), key=lambda n: -firsts[n])
    https = {n: r.get("served_first_http_s") or 0 for n, r in doc["rows"].items()}
    slowest_http = max(https, key=https.get) if https else None
    cpus = {n: r["served_first_cpu_s"] for n, r in doc["rows"].items() if r.get("served_first_cpu_s") is not None}
    over_cpu = sorted((n for n, c in cpus.items() if c > 1), key=lambda n: -cpus[n])
    loads = [r["served_first_load"] for r in doc["rows"].values() if r.get("served_first_load") is not None]
    L += ["", f"Cached slower than `--no-cache` (CPU): {', '.join(slower) if slower else 'none'}. "
              f"Slowest served warm: {worst_warm:.3f} s (target ≤ 1 s: {'met' if worst_warm <= 1 else 'NOT met'}). "
              + (f"Slowest first request (the HTTP exchange, what the server costs): {slowest_http} "
                 f"{https[slowest_http]:.3f} s (target ≤ 1 s: {'met' if https[slowest_http] <= 1 else 'NOT met'}). "
                 if slowest_http else "")
              + "First requests over 1 s with the client's conversion of the answer into Python terms: "
              + f"{', '.join(f'{n} {firsts[n]:.2f} s' for n in over) if over else 'none'}"
              + (f"; over 1 s of CPU (server + client): "
                 f"{', '.join(f'{n} {cpus[n]:.2f} s' for n in over_cpu) if over_cpu else 'none'}" if cpus else "")
              + (f" (load average over the last minute {min(loads):.1f}-{max(loads):.1f} while the first requests "
                 "ran, on 2 cores)" if loads else "") + ".",
          "",
          "The policy these figures chose: a cache entry is the validated graph as N-Quads, read back into memory "
          "(lenient: no IRI and literal validation, the dump being pyoxigraph's own output of strictly parsed input), "
          "so every query runs in memory whether the cache is used or not, and the cached path costs the read of the "
          "dump where `--no-cache` costs the strict parse and the content checks. The alternatives measured: the "
          "on-disk store queried in place (the previous policy) wins only for selective queries and loses several "
          "times over for the queries that scan; opening it read-write was slower still on scans (measured once in "
          "development: 20-30 s against 13 s read-only for `cq11-universities`); choosing per query needs to know in "
          "advance whether a query scans. Repeated queries on a big graph are `jasic-kg serve`'s job: one load, then "
          "each query its in-memory time plus HTTP, and a repeated one only HTTP. (The `toolkit CLI (cached store)` rows "
          "of `benchmarks/run.py`'s tables measure the policy in force on the date of that run.)",
          ""]
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
