"""Where `jasic-kg site -o DIR` writes, and what it never destroys: a new or empty folder, or a site it built
(replaced whole); files added to a built site kept; any other folder refused; an interrupted build leaves the
old site and no temporary folder."""

from __future__ import annotations

import json
import re

import pytest

from jasic_kg.cli import cli


# --- building: where it writes, and what it never destroys ------------------------------------------------

def run_cli(args):
    from click.testing import CliRunner

    return CliRunner().invoke(cli, args)


def test_cli_builds_and_rebuilds_a_site_it_wrote(tmp_path):
    out = tmp_path / "site"
    first = run_cli(["site", "-o", str(out)])
    assert first.exit_code == 0, first.output
    assert re.fullmatch(r"wrote 459 entity pages \(470 files\) to .*site in \d+\.\ds\n", first.stderr)
    manifest = json.loads((out / ".jasic-kg-site.json").read_text())
    assert len(manifest["files"]) == 469 and "index.html" in manifest["files"]
    (out / "id/he-pengchao.html").write_text("stale")
    again = run_cli(["site", "-o", str(out)])
    assert again.exit_code == 0, again.output
    assert "He Pengchao" in (out / "id/he-pengchao.html").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left beside it


@pytest.fixture
def small_site(monkeypatch):
    """The rules of where a site may be written do not depend on its pages: a three-file site keeps these
    tests fast (the real build is tested above)."""
    import jasic_kg.site.build as build

    monkeypatch.setattr(build, "render_site", lambda store: {
        "index.html": b"<!DOCTYPE html><title>index</title>", "id/he-pengchao.html": b"He Pengchao",
        ".nojekyll": b""})


def test_a_folder_jasic_kg_did_not_write_is_refused_and_untouched(tmp_path, small_site):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run_cli(["site", "-o", str(out), "--force"])
    assert result.exit_code == 2
    assert result.stderr == (f"jasic-kg: error: {out}: is not empty and is not a site jasic-kg built (no "
                             ".jasic-kg-site.json): give a new or empty folder; nothing there is replaced\n")
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    a_file = tmp_path / "file.html"
    a_file.write_text("x")
    result = run_cli(["site", "-o", str(a_file)])
    assert result.exit_code == 2 and result.stderr == (
        f"jasic-kg: error: {a_file}: exists and is not a folder; give a new or empty folder\n")
    assert a_file.read_text() == "x"


def test_an_empty_folder_is_used(tmp_path, small_site):
    out = tmp_path / "empty"
    out.mkdir()
    assert run_cli(["site", "-o", str(out)]).exit_code == 0
    assert (out / "index.html").is_file()


def test_files_added_to_a_site_are_never_deleted(tmp_path, small_site):
    out = tmp_path / "site"
    assert run_cli(["site", "-o", str(out)]).exit_code == 0
    (out / "CNAME").write_text("jasic.example.org\n")
    refused = run_cli(["site", "-o", str(out)])
    assert refused.exit_code == 2
    assert refused.stderr == (f"jasic-kg: error: {out}: the site folder holds 1 file(s) jasic-kg did not write "
                              "(CNAME): --force keeps them in the new site; nothing is deleted\n")
    kept = run_cli(["site", "-o", str(out), "--force"])
    assert kept.exit_code == 0 and "kept 1 added file(s)" in kept.stderr
    assert (out / "CNAME").read_text() == "jasic.example.org\n"


def test_a_failed_build_leaves_the_old_site_whole_and_no_temporary_folder(tmp_path, monkeypatch, small_site):
    import jasic_kg.site.build as build

    out = tmp_path / "site"
    assert run_cli(["site", "-o", str(out)]).exit_code == 0
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build.Path, "write_bytes", full_disk)
    result = run_cli(["site", "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"jasic-kg: error: {out}: cannot write the site: No space left on device\n"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_missing_parent_folder_is_an_input_error(tmp_path, small_site):
    result = run_cli(["site", "-o", str(tmp_path / "no" / "site")])
    assert result.exit_code == 2
    assert result.stderr == (f"jasic-kg: error: {tmp_path / 'no' / 'site'}: the parent folder "
                             f"{tmp_path / 'no'} does not exist\n")
    assert not (tmp_path / "no").exists()


def test_a_symbolic_link_is_refused(tmp_path, small_site):
    target = tmp_path / "real"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    result = run_cli(["site", "-o", str(link)])
    assert result.exit_code == 2
    assert result.stderr == f"jasic-kg: error: {link}: is a symbolic link; give the folder itself\n"
    assert list(target.iterdir()) == []
