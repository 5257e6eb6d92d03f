"""Where the CPU time of a cold `jasic-kg validate` on the shipped graph goes, stage by stage.

    .venv/bin/python benchmarks/validate_breakdown.py [--rounds 9]

Each round runs, in fresh processes: `python -c pass`, the real command (`jasic-kg validate`, compiled shapes
cached), and this file as a child that replays the command with a clock between its stages: the CLI's imports,
the validate command's own imports, then validation.validate with its progress notes as the stage boundaries
(reading the graph, reading the shapes, SHACL, the check queries, the built-in checks, the meta-checks), then the
text report. Figures are CPU time (os.wait4 for whole processes, time.process_time inside), medians over the
rounds; the line "click's dispatch, interpreter exit" is the real command minus `python -c pass` minus the
stages. A first round (not counted) fills this run's own cache folder, as benchmarks/cold_validate.py does.
"""

from __future__ import annotations

import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def replay() -> None:
    """The child: validate's steps with process_time between them, printed as `stage<TAB>seconds` lines."""
    marks = [("start", time.process_time())]
    import jasic_kg.cli  # noqa: F401  (click and the command group)
    marks.append(("click and the command group", time.process_time()))
    import jasic_kg.cli.validate_cmd  # noqa: F401
    from jasic_kg.io.inputs import opened
    from jasic_kg.validation.render import RENDERERS
    from jasic_kg.validation.validate import validate
    marks.append(("the validate command's imports", time.process_time()))
    notes = [("validate's own setup", time.process_time())]

    def note(text: str) -> None:
        notes.append((text, time.process_time()))

    with opened([]) as inputs:
        report = validate(inputs.paths, progress=note)
    notes.append(("", time.process_time()))
    RENDERERS["text"](report)
    # a stage ends where the next begins: each note names the stage it starts
    for (name, a), (_, b) in zip(notes, notes[1:]):
        marks.append((name, b - a))
    marks.append(("the text report", time.process_time() - notes[-1][1]))
    start, click_done, imports_done = marks[0][1], marks[1][1], marks[2][1]
    print(f"{marks[1][0]}\t{click_done - start}")
    print(f"{marks[2][0]}\t{imports_done - click_done}")
    for name, seconds in marks[3:]:
        print(f"{name}\t{seconds}")


def main() -> None:
    import argparse
    import shutil
    import statistics
    import subprocess
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="validate-breakdown-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("JASIC_KG_") and k != "PYTHONDONTWRITEBYTECODE"}
    env["JASIC_KG_CACHE_DIR"] = work
    exe = os.path.join(os.path.dirname(sys.executable), "jasic-kg")

    def cpu(cmd: list[str]) -> tuple[float, str]:
        child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, text=True)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd)} exited with {os.waitstatus_to_exitcode(status)}")
        return usage.ru_utime + usage.ru_stime, out

    try:
        cpu([exe, "validate"])  # fills the cache folder (graph entry, compiled shapes, memos)
        bare, whole, stages = [], [], {}
        load_before = os.getloadavg()
        for _ in range(a.rounds):
            bare.append(cpu([sys.executable, "-c", "pass"])[0])
            whole.append(cpu([exe, "validate"])[0])
            for line in cpu([sys.executable, __file__, "--replay"])[1].splitlines():
                name, seconds = line.split("\t")
                stages.setdefault(name, []).append(float(seconds))
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    med = {name: statistics.median(v) for name, v in stages.items()}
    interpreter, command = statistics.median(bare), statistics.median(whole)
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; CPU time, median of {a.rounds} "
          "rounds\n")
    print("| stage | CPU |\n|---|---:|")
    print(f"| interpreter start and exit (`python -c pass`) | {interpreter * 1000:.1f} ms |")
    for name, seconds in med.items():
        print(f"| {name} | {seconds * 1000:.1f} ms |")
    rest = command - interpreter - sum(med.values())
    print(f"| click's dispatch, interpreter exit (the rest) | {rest * 1000:.1f} ms |")
    print(f"| **`jasic-kg validate`** | **{command * 1000:.1f} ms** |")


if __name__ == "__main__":
    if sys.argv[1:] == ["--replay"]:
        replay()
    else:
        main()
