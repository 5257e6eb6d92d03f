"""The README's promises: its quick start is what CI runs, and every command it documents exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quick_start_lines() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_quick_start_is_two_commands_and_ci_runs_them_verbatim():
    lines = quick_start_lines()
    assert len(lines) == 2
    install, tests = lines
    assert "pip install '.[test]'" in install and "jasic-kg validate" in install
    assert tests == ".venv/bin/python -m pytest -q"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert install in ci and tests in ci
