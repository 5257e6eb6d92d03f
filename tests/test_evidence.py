"""Quotes anchored in the reference text: anchoring, and the verifier's missing / moved / ambiguous reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from jasic_kg import evidence
from jasic_kg.store import LocalStore, open_store

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "sources" / "zhang-2020-leninists-in-a-chinese-factory.txt"
REFERENCE_SHA256 = "2d93103b2134c86da352296de5e2ce08348bc809553ddaf356fbf13ac6f16465"
needs_reference = pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/sources is not beside the repo")

TEXT = ("Workers met in May. The police came in June. Workers met in May again, "
        "and the police came in June once more. Nothing else happened.")

CLAIMS = """
@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
@prefix jid: <https://w3id.org/jasic-kg/id/> .
jid:claim-a jkg:quote "The police came in June." .
jid:claim-b jkg:quote "Nothing else happened." , "Workers met in May" .
jid:claim-c jkg:quote "A sentence the text does not have." .
"""


def _store(tmp_path, *turtle: str) -> LocalStore:
    files = []
    for i, text in enumerate(turtle):
        path = tmp_path / f"part{i}.ttl"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return LocalStore(files)


def test_anchor_finds_unique_quotes_and_reports_the_rest(tmp_path):
    anchors, findings = evidence.anchor(_store(tmp_path, CLAIMS), TEXT)
    assert [(a.claim.rsplit("/", 1)[-1], a.exact, a.start, a.end) for a in anchors] == [
        ("claim-a", "The police came in June.", 20, 44),
        ("claim-b", "Nothing else happened.", 110, 132),
    ]
    assert anchors[0].prefix == TEXT[:20][-evidence.CONTEXT_CHARS:]
    assert anchors[0].suffix == TEXT[44:44 + evidence.CONTEXT_CHARS]
    assert sorted((f.kind, f.claim.rsplit("/", 1)[-1], f.exact) for f in findings) == [
        ("ambiguous", "claim-b", "Workers met in May"),
        ("missing", "claim-c", "A sentence the text does not have."),
    ]


def _anchored_store(tmp_path, text: str) -> LocalStore:
    claims = CLAIMS.replace('jid:claim-c jkg:quote "A sentence the text does not have." .', "") \
                   .replace(', "Workers met in May"', "")
    anchors, findings = evidence.anchor(_store(tmp_path, claims), text)
    assert findings == []
    return _store(tmp_path, claims, evidence.render_anchors(anchors, "0" * 64))


def test_verify_accepts_the_text_it_was_anchored_in(tmp_path):
    report = evidence.verify(_anchored_store(tmp_path, TEXT), TEXT)
    assert report.ok
    assert report.summary() == "2 quotes, 2 anchors: 0 missing, 0 moved, 0 ambiguous, 0 unanchored, 0 orphan"


def test_verify_reports_moved_missing_and_ambiguous_quotes(tmp_path):
    store = _anchored_store(tmp_path, TEXT)
    shifted = "Preface. " + TEXT
    assert [(f.kind, f.detail) for f in evidence.verify(store, shifted).findings] == [
        ("moved", "recorded at 20, found at 29"),
        ("moved", "recorded at 110, found at 119"),
    ]
    cut = TEXT.replace("Nothing else happened.", "")
    assert [(f.kind, f.exact) for f in evidence.verify(store, cut).findings] == [
        ("missing", "Nothing else happened.")]
    # The sentence with its whole context repeated: prefix and suffix cannot single one out.
    doubled = "x" + TEXT + " " + TEXT
    kinds = [(f.kind, f.exact) for f in evidence.verify(store, doubled).findings]
    assert ("ambiguous", "The police came in June.") in kinds


def test_verify_reports_quotes_without_anchor(tmp_path):
    store = _store(tmp_path, CLAIMS)
    report = evidence.verify(store, TEXT)
    assert report.anchors == 0
    assert report.count("unanchored") == 4


def test_read_source_errors_are_one_line(tmp_path):
    with pytest.raises(evidence.InputError, match="no such file"):
        evidence.read_source(tmp_path / "absent.txt")
    with pytest.raises(evidence.InputError, match="is a directory"):
        evidence.read_source(tmp_path)
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(evidence.InputError, match=r"not UTF-8 text \(byte 3\)"):
        evidence.read_source(bad)


@needs_reference
def test_every_quote_of_the_shipped_graph_is_found_in_the_reference_text():
    text, sha = evidence.read_source(REFERENCE)
    assert sha == REFERENCE_SHA256
    store = open_store()
    report = evidence.verify(store, text, sha)
    assert report.expected_sha256 == REFERENCE_SHA256
    assert [f.line() for f in report.findings] == []
    assert report.quotes == report.anchors
    assert report.quotes >= 227


@needs_reference
def test_shipped_anchors_file_is_up_to_date():
    text, sha = evidence.read_source(REFERENCE)
    anchors, findings = evidence.anchor(open_store(), text)
    assert findings == []
    shipped = (REPO / "data" / "generated" / "anchors.ttl").read_text(encoding="utf-8")
    assert shipped == evidence.render_anchors(anchors, sha)
