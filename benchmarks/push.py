"""Push throughput and remote-query overhead, against the two triplestores the tests use.

Starts an Oxigraph server and a Virtuoso 7 on 127.0.0.1 (free ports, databases in a temporary folder, both stopped
at the end), then prints Markdown tables for BENCHMARKS.md:

1. `jasic-kg push` throughput (triples/s, the upload and the COUNT after it; the median of --repeat runs) for the
   shipped graph and a generated input (benchmarks/generate.py), by the Graph Store Protocol and by SPARQL Update;
2. every saved query with its defaults, local (in-memory store) against remote (the same graph pushed to each
   server, through EndpointStore), the median of --repeat runs each, and whether the rows agree.

    .venv/bin/python benchmarks/push.py                     # shipped graph and 1m, both servers
    .venv/bin/python benchmarks/push.py --sizes 100k --skip-virtuoso
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jasic_kg.publish import UPDATE_BATCH_TRIPLES, Credentials, push  # noqa: E402
from jasic_kg.queries import compare_results, load_saved_queries, run_saved_query  # noqa: E402
from jasic_kg.store import EndpointStore, open_store  # noqa: E402
from tests.servers import start_oxigraph, start_virtuoso, stop, virtuoso_missing  # noqa: E402

GRAPH = "https://w3id.org/jasic-kg/graph"


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), out


def generated(size: str) -> Path:
    work = ROOT / "benchmarks" / "work"
    path = work / f"data-{size}.ttl"
    if not path.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--size", size, "--out", str(work)],
                       check=True)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1m", help="generated inputs besides the shipped graph (comma list; '' none)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-virtuoso", action="store_true")
    ap.add_argument("--skip-oxigraph", action="store_true")
    ap.add_argument("--skip-queries", action="store_true", help="only the push table")
    args = ap.parse_args(argv)

    inputs = {"shipped graph": open_store()}
    for size in filter(None, args.sizes.split(",")):
        inputs[f"{size} (generated)"] = open_store(data=[generated(size)], shipped=False, cache=False)
    triples = {name: [q.triple for q in store.quads()] for name, store in inputs.items()}

    folder = Path(tempfile.mkdtemp(prefix="jasic-kg-push-bench-"))
    servers = {} if args.skip_oxigraph else {"Oxigraph server 0.5": (start_oxigraph(folder / "oxigraph"),
                                                                     Credentials())}
    if not args.skip_virtuoso:
        if virtuoso_missing():
            print(f"Virtuoso skipped: {virtuoso_missing()}", file=sys.stderr)
        else:
            v = start_virtuoso(folder / "virtuoso")
            servers["Virtuoso 7.2"] = (v, Credentials(v.user, v.password))
    try:
        print("| input | triples | server | protocol | batches | seconds | triples/s |")
        print("|---|---:|---|---|---:|---:|---:|")
        for name, data in triples.items():
            for label, (server, credentials) in servers.items():
                for protocol in ("gsp", "update"):
                    if protocol == "update" and len(data) > 200_000 and label.startswith("Virtuoso"):
                        print(f"| {name} | {len(data):,} | {label} | update | - | - | not run: "
                              f"{len(data) // UPDATE_BATCH_TRIPLES:,} INSERTs of {UPDATE_BATCH_TRIPLES:,} |")
                        continue
                    seconds, result = median_time(lambda: push(data, server.query, graph=GRAPH, protocol=protocol,
                                                               credentials=credentials, timeout=600), args.repeat)
                    assert result.on_server == result.triples, (label, name, result.summary())
                    print(f"| {name} | {result.triples:,} | {label} | {protocol} | {result.batches} | "
                          f"{seconds:.2f} | {result.triples / seconds:,.0f} |")
        if args.skip_queries:
            return 0
        # the last push of each server holds the last input: push the shipped graph again for the queries
        local = inputs["shipped graph"]
        for server, credentials in servers.values():
            push(triples["shipped graph"], server.query, graph=GRAPH, credentials=credentials)
        names = sorted(load_saved_queries())
        remotes = {label: EndpointStore(server.query, default_graph=GRAPH, timeout=300)
                   for label, (server, _) in servers.items()}
        print()
        print("| saved query | rows | local ms | " + " | ".join(f"{label} ms" for label in remotes) + " |")
        print("|---|---:|---:|" + "---:|" * len(remotes))
        totals = [0.0] * (1 + len(remotes))
        for name in names:
            query = load_saved_queries()[name]
            t_local, expected = median_time(lambda: run_saved_query(local, query), args.repeat)
            cells, totals[0] = [], totals[0] + t_local
            for i, remote in enumerate(remotes.values(), 1):
                t_remote, got = median_time(lambda: run_saved_query(remote, query), args.repeat)
                totals[i] += t_remote
                same = not compare_results(expected, got, ordered=False)
                cells.append(f"{t_remote * 1000:.0f}" + ("" if same else " (rows differ)"))
            rows = len(expected.rows) if expected.kind == "select" else len(expected.triples or [])
            print(f"| {name} | {rows} | {t_local * 1000:.0f} | " + " | ".join(cells) + " |")
        print(f"| **all {len(names)}** | | {totals[0] * 1000:.0f} | "
              + " | ".join(f"{t * 1000:.0f}" for t in totals[1:]) + " |")
    finally:
        for server, _ in servers.values():
            stop(server.proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
