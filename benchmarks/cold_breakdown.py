"""Where the cold start of `jasic-kg query`, `describe` and `stats` goes, stage by stage, on the shipped graph.

    .venv/bin/python benchmarks/cold_breakdown.py [--rounds 15]

Each round runs, in fresh processes: `python -c pass`, the real command (`jasic-kg query cq01-author`,
`describe jid:he-pengchao`, `stats`), and this file as a child that replays the command's steps with a clock
between them (imports in the CLI's order, then the library calls the command makes; this file imports nothing
else before them). Figures are CPU time (user + system, all threads: os.wait4 for whole processes,
time.process_time inside), which a machine shared with other jobs disturbs far less than wall time. Medians over
the rounds; the line "click's dispatch, output, interpreter exit" is the real command's CPU time minus
`python -c pass` minus the stages, so the rows add up to the command. Children write and use bytecode, and a
first round (not counted) builds the cache entry and memos, as benchmarks/run.py --cold-only does.
"""

from __future__ import annotations

import os
import sys
import time

# Only these three imports before the replay: anything else imported here would be missing from its stages.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXE = os.path.join(ROOT, ".venv", "bin", "jasic-kg")
COMMANDS = {"query": ["query", "cq01-author"], "describe": ["describe", "jid:he-pengchao"], "stats": ["stats"]}


def replay(command: str) -> dict[str, float]:
    """The command's steps with a clock between them (milliseconds), in this process."""
    stages: dict[str, float] = {}
    last = [time.process_time()]

    def mark(name):
        now = time.process_time()
        stages[name] = stages.get(name, 0.0) + (now - last[0]) * 1000
        last[0] = now

    import click  # noqa: F401
    mark("import click")
    import pyoxigraph  # noqa: F401
    mark("import pyoxigraph")
    import jasic_kg.cli
    mark("import jasic_kg.cli (the group, cli/base, pathlib)")
    jasic_kg.cli.cli.get_command(None, "query" if command == "query" else command)
    mark("the command's module (lazy)")
    from jasic_kg import loading
    from jasic_kg import store as store_module

    read_dump, entry_name = loading.read_dump, loading.entry_name

    def timed(name, fn):
        def wrapper(*a, **k):
            mark("open_store: files listed and checked, cache module")
            value = fn(*a, **k)
            mark(name)
            return value
        return wrapper

    loading.read_dump = timed("open_store: the entry's N-Quads dump into memory", read_dump)
    loading.entry_name = timed("open_store: the entry's name (remembered stat signature)", entry_name)
    if command == "query":
        from jasic_kg.queries import resolve_query, run_saved_query
        from jasic_kg.results import write_result
        mark("library modules (queries, query_headers, results, store, json, dataclasses)")
        saved = resolve_query("cq01-author")
        saved.bindings({})
        mark("the saved query read, its header remembered")
        graph = store_module.open_store()
        mark("open_store: the rest")
        result = run_saved_query(graph, saved, {})
        mark("the query (on a big-stack thread)")
        write_result(result, None, None)
        mark("the table written")
    else:
        module = __import__(f"jasic_kg.{command}", fromlist=["RENDERERS"])
        mark(f"library modules ({command}, store)")
        graph = store_module.open_store()
        mark("open_store: the rest")
        value = module.describe(graph, "jid:he-pengchao") if command == "describe" else module.stats(graph)
        mark(f"the {command} queries")
        module.RENDERERS["text"](value)
        mark("the text written")
    return stages


def _cpu(cmd, env) -> float:
    """CPU milliseconds (user + system) of one fresh process."""
    import subprocess

    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(p.pid, 0)
    if status:
        raise SystemExit(f"{cmd} failed (status {status})")
    return (usage.ru_utime + usage.ru_stime) * 1000


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--replay"]:  # the child: before argparse, which would be imported ahead of the stages
        stages = replay(argv[1])
        import json

        print(json.dumps(stages))
        return 0
    import argparse
    import json
    import statistics
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=15)
    a = ap.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    walls: dict[str, list[float]] = {"pass": [], **{c: [] for c in COMMANDS}}
    stages: dict[str, dict[str, list[float]]] = {c: {} for c in COMMANDS}
    load = []
    for round_ in range(a.rounds + 1):
        passed = _cpu([sys.executable, "-c", "pass"], env)
        for command, args in COMMANDS.items():
            wall = _cpu([EXE, *args], env)
            out = subprocess.run([sys.executable, __file__, "--replay", command], capture_output=True, text=True,
                                 env=env, cwd=ROOT, check=True, timeout=120)
            if round_:
                walls[command].append(wall)
                for name, ms in json.loads(out.stdout).items():
                    stages[command].setdefault(name, []).append(ms)
        if round_:
            walls["pass"].append(passed)
        load.append(os.getloadavg()[0])
    floor = statistics.median(walls["pass"])
    for command in COMMANDS:
        total = statistics.median(walls[command])
        rows = [("python -c pass (interpreter start and exit)", floor)]
        rows += [(name, statistics.median(ms)) for name, ms in stages[command].items()]
        rows.append(("click's dispatch, output, interpreter exit (the rest)", total - sum(ms for _, ms in rows)))
        print(f"\n`jasic-kg {' '.join(COMMANDS[command])}`: {total:.1f} ms of CPU (median of {a.rounds})\n")
        print("| stage | ms of CPU |\n|---|---:|")
        for name, ms in rows:
            print(f"| {name} | {ms:.1f} |")
    print(f"\nload average (1 min) {min(load):.2f}-{max(load):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
