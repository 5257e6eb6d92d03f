"""Finding things: "did you mean" for saved queries and describe labels, and `jasic-kg search`."""

from __future__ import annotations

import json

import pytest

from jasic_kg.search import did_you_mean, nearest, similarity


def test_a_typo_is_near_and_an_unrelated_name_is_not():
    assert similarity("timelin", "timeline") >= 0.75
    assert nearest("He Pengchoa", ["He Pengchao", "Yueran Zhang"]) == ["He Pengchao"]
    assert did_you_mean("zzzz", ["timeline"]) == ""


def test_unknown_saved_query_suggests_the_nearest_name(run, shipped):
    r = run("query", "timelin")
    assert r.exit_code == 2
    assert r.stderr == ("jasic-kg: error: 'timelin' is neither SPARQL, a .rq file nor a saved query "
                        "(did you mean 'timeline'?)\n")
    r = run("queries", "test", "timelin")
    assert r.exit_code == 2 and "(did you mean 'timeline'?)" in r.stderr


def test_query_name_reads_only_its_own_file(run, small, monkeypatch):
    from jasic_kg import queries

    def refuse():
        raise AssertionError("all saved queries were read to run one")

    monkeypatch.setattr(queries, "load_saved_queries", refuse)
    monkeypatch.setattr(queries.resources, "query_files", refuse)
    name = sorted(p.stem for p in (small / "queries").glob("*.rq"))[0]
    assert queries.resolve_query(name).name == name


def test_describe_a_misspelt_name_suggests_the_entity(run, shipped):
    r = run("describe", "He Pengchoa")
    assert r.exit_code == 2
    assert r.stderr.startswith("jasic-kg: error: no entity labelled 'He Pengchoa'; candidates: "
                               "jid:he-pengchao (He Pengchao); ")
    assert r.stderr.count("\n") == 1


@pytest.mark.parametrize("text, entity", [("police", "jid:police (the police)"),
                                          ("Zhang", "jid:yueran-zhang (Yueran Zhang)")])
def test_describe_a_part_of_a_label_lists_candidates(run, shipped, text, entity):
    r = run("describe", text)
    assert r.exit_code == 2
    assert f"no entity labelled {text!r}; candidates: " in r.stderr and entity in r.stderr


def test_search_finds_labels_alt_labels_and_quotes(run, shipped):
    r = run("search", "police", "--format", "json", "--limit", "100")
    assert r.exit_code == 0
    hits = json.loads(r.stdout)
    assert {"entity": "jid:police", "field": "label", "text": "the police", "score": 1.0} in hits
    assert any(h["field"] == "quote" and "police" in h["text"].lower() for h in hits)
    # an alternative label: Zhang Yueran is skos:altLabel of jid:yueran-zhang
    r = run("search", "Zhang Yueran", "--format", "json")
    assert {"entity": "jid:yueran-zhang", "field": "altLabel", "text": "Zhang Yueran", "score": 1.0} \
        in json.loads(r.stdout)


def test_search_tolerates_a_typo_and_says_when_nothing_matches(run, shipped):
    r = run("search", "He Pengchoa")
    assert r.stdout.splitlines()[0] == "jid:he-pengchao  label: He Pengchao"
    r = run("search", "qqqqxxxx")
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", "jasic-kg: nothing matches 'qqqqxxxx'\n")
