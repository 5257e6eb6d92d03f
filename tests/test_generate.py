"""`python -m jasic_kg.generate`: the one command that regenerates every generated file, and its --check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jasic_kg.generate import GENERATED, main

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "sources" / "zhang-2020-leninists-in-a-chinese-factory.txt"


def test_the_shipped_generated_files_are_up_to_date(monkeypatch, capsys):
    monkeypatch.delenv("JASIC_KG_RESOURCES", raising=False)
    monkeypatch.chdir(REPO)
    args = ["--check"] + (["--source", str(REFERENCE)] if REFERENCE.is_file() else [])
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()
    expected = {g.path for g in GENERATED} if REFERENCE.is_file() else {g.path for g in GENERATED} - {
        "data/generated/anchors.ttl"}
    assert {line.split()[-1] for line in out if line.lstrip().startswith("unchanged")} == expected


def test_generated_files_live_apart_from_the_hand_edited_ones():
    data = [g.path for g in GENERATED if g.path.startswith("data/")]
    assert data and all(p.startswith("data/generated/") for p in data)
    assert sorted(p.name for p in (REPO / "data" / "generated").iterdir()) == sorted(Path(p).name for p in data)


def test_a_stale_file_is_found_and_rewritten(tmp_path):
    """In a copy of the checkout: an edited mapping set makes links.ttl stale; --check says so (exit 1, nothing
    written); the plain run rewrites it, and --check is then clean."""
    copy = tmp_path / "checkout"
    for part in ("ontology", "data", "queries"):
        shutil.copytree(REPO / part, copy / part)
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    (copy / "src" / "jasic_kg").mkdir(parents=True)
    shutil.copy(REPO / "src" / "jasic_kg" / "jasic-context.jsonld", copy / "src" / "jasic_kg")
    links = copy / "data" / "generated" / "links.ttl"
    links.write_text(links.read_text(encoding="utf-8") + "# hand edit\n", encoding="utf-8")
    before = links.read_bytes()

    def run(*args):
        return subprocess.run([sys.executable, "-m", "jasic_kg.generate", *args], cwd=copy, capture_output=True,
                              text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})

    checked = run("--check")
    assert checked.returncode == 1, checked.stderr
    assert "    stale  data/generated/links.ttl" in checked.stdout.splitlines()
    assert "data/generated/anchors.ttl: skipped (give --source ARTICLE)" in checked.stdout.splitlines()
    assert links.read_bytes() == before
    assert run().returncode == 0
    assert b"# hand edit" not in links.read_bytes()
    assert run("--check").returncode == 0


@pytest.mark.parametrize("argv", [["--source", "/nonexistent/article.txt"]])
def test_a_missing_source_is_one_line_and_exit_2(argv, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("jasic-kg: error:")


def test_every_ontology_term_the_graph_uses_is_in_the_namespace_module(shipped):
    """The generated DefinedNamespace knows each jkg: term the data and shapes use, and refuses a typo."""
    from jasic_kg.io import resources
    from jasic_kg.namespace import JKG
    from jasic_kg.store import LocalStore
    from jasic_kg.terms import JKG as JKG_IRI

    store = LocalStore(resources.graph_files() + resources.shape_files(), cache=False)
    used = {t.value[len(JKG_IRI):] for q in store.quads() for t in (q.predicate, q.object)
            if getattr(t, "value", "").startswith(JKG_IRI) and type(t).__name__ == "NamedNode"}
    assert used and all(str(getattr(JKG, name)) == JKG_IRI + name for name in used)
    with pytest.raises(AttributeError):
        JKG.hasEvidense
