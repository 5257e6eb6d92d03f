"""`jasic-kg evidence coverage`: sentences of a source that no quote of the graph covers, and reviewed exclusions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from jasic_kg.cli import cli
from jasic_kg.coverage import coverage, read_exclusions, split_sentences
from jasic_kg.errors import InputError

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "sources" / "zhang-2020-leninists-in-a-chinese-factory.txt"
EXCLUSIONS = REPO / "data" / "coverage-exclusions.tsv"
needs_reference = pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/sources is not beside the repo")

SOURCE = """# A Heading

The U.S. team met Vladimir I. Lenin in 1902. It was cold, e.g. in the morning. Then 'Who?' he asked.

They met in a
\nfactory that was small. Nobody else came.

[Read more](#)
"""


def _sentences(text):
    return [s.text for s in split_sentences(text)]


def test_sentences_keep_abbreviations_initials_quotes_and_page_breaks_together():
    assert _sentences(SOURCE) == [
        "# A Heading",
        "The U.S. team met Vladimir I. Lenin in 1902.",
        "It was cold, e.g. in the morning.",
        "Then 'Who?' he asked.",
        "They met in a factory that was small.",  # a page break inside a sentence is joined
        "Nobody else came.",
        "[Read more](#)",
    ]


def test_offsets_point_into_the_source():
    for s in split_sentences(SOURCE):
        assert " ".join(SOURCE[s.start:s.end].split()) == s.text


def test_a_quote_inside_a_sentence_covers_it_but_touching_a_neighbour_does_not():
    text = "First sentence here. Second sentence is longer than the first one. Third."
    report = coverage(["sentence is longer", "one. Th"], text)
    assert [s.text for s in report.covered] == ["Second sentence is longer than the first one."]
    assert [s.text for s in report.uncovered] == ["First sentence here.", "Third."]
    # a quote spanning two whole sentences covers both
    report = coverage(["First sentence here. Second sentence is longer than the first one."], text)
    assert [s.text for s in report.uncovered] == ["Third."]


def test_exclusions_match_uncovered_sentences_and_stale_ones_are_reported(tmp_path):
    ex = tmp_path / "ex.tsv"
    ex.write_text("# reviewed\nreason\tsentence\nheading\t# A Heading\nsidebar\t[Read more](#)\n"
                  "no fact\tNobody else came.\nheading\tA sentence that is not there.\n", encoding="utf-8")
    report = coverage(["The U.S. team met", "It was cold", "he asked", "factory that was small"], SOURCE,
                      read_exclusions(ex))
    assert report.uncovered == []
    assert {k: [s.text for s in v] for k, v in report.excluded.items()} == {
        "heading": ["# A Heading"], "sidebar": ["[Read more](#)"], "no fact": ["Nobody else came."]}
    assert report.stale == [("heading", "A sentence that is not there.")]
    assert not report.ok
    assert report.summary() == ("7 sentences: 4 covered by 4 quotes, 3 excluded (1 heading, 1 no fact, 1 sidebar), "
                                "0 uncovered; 1 stale exclusions")


def test_an_exclusions_file_without_its_header_is_an_input_error(tmp_path):
    ex = tmp_path / "ex.tsv"
    ex.write_text("heading\t# A Heading\n", encoding="utf-8")
    with pytest.raises(InputError, match="header"):
        read_exclusions(ex)


def _run(*args):
    return CliRunner().invoke(cli, ["evidence", "coverage", *args], catch_exceptions=False)


def test_cli_exit_codes_and_lines(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("The police came. Nobody else did.\n", encoding="utf-8")
    notes = tmp_path / "notes.ttl"
    notes.write_text('@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .\n'
                     '<https://w3id.org/jasic-kg/id/my-claim> jkg:quote "The police came." .\n', encoding="utf-8")
    r = _run("--source", str(src), "--data", str(notes))
    assert r.exit_code == 1
    assert r.output.splitlines()[0] == "uncovered: 17-33: Nobody else did."
    ex = tmp_path / "ex.tsv"
    ex.write_text("reason\tsentence\nno fact\tNobody else did.\n", encoding="utf-8")
    r = _run("--source", str(src), "--data", str(notes), "--exclusions", str(ex), "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["uncovered"] == [] and data["excluded"] == {
        "no fact": [{"start": 17, "end": 33, "sentence": "Nobody else did."}]}
    bad = tmp_path / "bad.tsv"
    bad.write_text("reason\tsentence\nonly-one-column\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["evidence", "coverage", "--source", str(src), "--exclusions", str(bad)])
    assert r.exit_code == 2
    assert "expected 'reason<TAB>sentence'" in r.output and "Traceback" not in r.output


@needs_reference
def test_every_sentence_of_the_article_is_covered_or_excluded_with_a_reason():
    r = _run("--source", str(REFERENCE), "--exclusions", str(EXCLUSIONS))
    assert r.exit_code == 0, r.output
    last = r.output.splitlines()[-1]
    assert last.endswith("0 uncovered; 0 stale exclusions"), last
    reasons = {reason for reason, _ in read_exclusions(EXCLUSIONS)}
    assert reasons <= {"page furniture", "sidebar", "bio heading"}
