"""A user's own claims: `evidence anchor --data` anchors the claims of those files only, in whichever --source
holds each quote (sources identified by SHA-256), and the README's worked example validates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MINE = Path(__file__).parent / "fixtures" / "my-notes"
README = Path(__file__).parent.parent / "README.md"
ARTICLE = Path(__file__).parent.parent.parent / "shared" / "sources" / "zhang-2020-leninists-in-a-chinese-factory.txt"


def test_the_readme_shows_the_example_files():
    readme = README.read_text(encoding="utf-8")
    assert (MINE / "my-notes.ttl").read_text(encoding="utf-8") in readme
    assert (MINE / "my-source.txt").read_text(encoding="utf-8") in readme


def test_my_notes_my_source_anchored_validated(run, shipped, tmp_path):
    notes, source = MINE / "my-notes.ttl", MINE / "my-source.txt"
    r = run("validate", "--data", str(notes))
    assert r.exit_code == 1 and "a claim's quotes are not anchored" in r.stdout
    anchors = tmp_path / "my-anchors.ttl"
    r = run("evidence", "anchor", "--source", str(source), "--data", str(notes), "-o", str(anchors))
    assert (r.exit_code, r.stderr) == (0, f"anchored 1 quotes in {anchors}\n")
    text = anchors.read_text(encoding="utf-8")
    # only the user's claim: none of the 244 shipped anchors again, and in the user's namespace and source
    assert text.count("a oa:Annotation") == 1
    assert "<https://example.org/my-notes/evidence-claim-seminar-read-article-232fd831> a oa:Annotation" in text
    assert "oa:hasSource <https://example.org/my-notes/seminar-notes-text>" in text
    assert re.search(r"oa:start 24 ;\s+oa:end 53 ", text)
    r = run("validate", "--data", str(notes), "--data", str(anchors))
    assert r.exit_code == 0 and r.stdout.startswith("jasic-kg validate: conforms: 0 findings")


@pytest.mark.skipif(not ARTICLE.is_file(), reason="the reference text is not beside the checkout")
def test_two_sources_each_quote_in_the_one_that_holds_it(run, shipped, tmp_path):
    notes = tmp_path / "both.ttl"
    notes.write_text((MINE / "my-notes.ttl").read_text(encoding="utf-8") + """
my:claim-detained a jkg:Claim ;
    rdfs:label "claim: 30 detained"@en ;
    jkg:claimAbout jid:article ;
    jkg:quote "a total of 30 individuals" ;
    jkg:assertedBy jid:yueran-zhang ;
    jkg:evidenceType jv:author-narrative ;
    jkg:statedIn jid:article .
""", encoding="utf-8")
    r = run("evidence", "anchor", "--source", str(ARTICLE), "--source", str(MINE / "my-source.txt"),
            "--data", str(notes))
    assert r.exit_code == 0, r.stderr
    assert r.stdout.count("a oa:Annotation") == 2
    assert "oa:hasSource jid:article-text" in r.stdout
    assert "oa:hasSource <https://example.org/my-notes/seminar-notes-text>" in r.stdout


def test_a_source_not_declared_in_the_graph_is_a_clear_error(run, shipped, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("We read Zhang (2020) together, again.\n", encoding="utf-8")
    r = run("evidence", "anchor", "--source", str(other), "--data", str(MINE / "my-notes.ttl"))
    assert r.exit_code == 2 and r.stderr.startswith("jasic-kg: error: no text in the graph has the SHA-256 ")
    assert r.stderr.count("\n") == 1


def test_a_quote_in_no_source_is_reported_and_nothing_written(run, shipped, tmp_path):
    notes = tmp_path / "wrong.ttl"
    notes.write_text((MINE / "my-notes.ttl").read_text(encoding="utf-8").replace(
        "We read Zhang (2020) together", "We never read it"), encoding="utf-8")
    out = tmp_path / "a.ttl"
    r = run("evidence", "anchor", "--source", str(MINE / "my-source.txt"), "--data", str(notes), "-o", str(out))
    assert r.exit_code == 1 and not out.exists()
    assert "missing: <https://example.org/my-notes/claim-seminar-read-article>: not in the text" in r.stderr


def test_verify_checks_each_anchor_in_the_text_it_names(run, shipped, tmp_path):
    notes, source = MINE / "my-notes.ttl", MINE / "my-source.txt"
    anchors = tmp_path / "my-anchors.ttl"
    assert run("evidence", "anchor", "--source", str(source), "--data", str(notes), "-o", str(anchors)).exit_code == 0
    r = run("evidence", "verify", "--source", str(source), "--data", str(notes), "--data", str(anchors))
    assert (r.exit_code, r.stdout) == (0, "245 quotes, 245 anchors: 0 missing, 0 moved, 0 ambiguous, 0 unanchored, "
                                          "0 orphan; 244 anchors into other texts not checked\n")
    # my source edited: the quote moved, and verify says so
    edited = tmp_path / "my-source.txt"
    edited.write_text("Added first. " + source.read_text(encoding="utf-8"), encoding="utf-8")
    moved_notes = tmp_path / "my-notes.ttl"
    import hashlib

    new_sha = hashlib.sha256(edited.read_bytes()).hexdigest()
    old_sha = hashlib.sha256(source.read_bytes()).hexdigest()
    moved_notes.write_text(notes.read_text(encoding="utf-8").replace(old_sha, new_sha), encoding="utf-8")
    r = run("evidence", "verify", "--source", str(edited), "--data", str(moved_notes), "--data", str(anchors))
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0] == ("moved: <https://example.org/my-notes/claim-seminar-read-article>: recorded "
                                        "at 24, found at 37: 'We read Zhang (2020) together'")
