"""Long runs show progress (on a terminal only), and the shell completes saved-query names."""

from __future__ import annotations

import click
from click.testing import CliRunner

from jasic_kg.cli import cli


def test_validate_reports_each_stage(small):
    from jasic_kg.validation.validate import validate

    notes: list[str] = []
    validate(progress=notes.append)
    # the shipped graph is read from its cache entry, in one step (each file is read on its own when a file does
    # not parse or the cache is off)
    assert notes[:2] == ["reading jasic.ttl, vocab.ttl, small.ttl", "reading shapes.ttl"]
    assert notes[2].startswith("SHACL (native) on ") and notes[2].endswith(" triples")
    assert notes[3:] == ["1 check query", "check order-cycle", "check duplicate-label",
                         "check definition-unquoted-term", "check edtf", "meta checks"]


def test_no_progress_in_pipes(run, small):
    r = run("validate")
    assert r.stderr == ""


def _complete(words: str) -> list[str]:
    env = {"_JASIC_KG_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    r = CliRunner().invoke(cli, [], env=env, prog_name="jasic-kg")
    return r.output.split()


def test_completion_of_saved_query_names(small):
    assert _complete("jasic-kg query ev") == ["plain,events-in-year"]
    assert _complete("jasic-kg queries show cl") == ["plain,claims-by-voice"]
    assert sorted(_complete("jasic-kg queries test e")) == ["plain,entity-by-label", "plain,events-in-year"]
