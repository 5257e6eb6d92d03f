"""Formats as a user types them: aliases, the format asked for by the -o file name, - for stdin, -V."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat, parse


@pytest.mark.parametrize("alias, first", [("ttl", b"@prefix"), ("ntriples", b"<"), ("json-ld", b"{")])
def test_format_aliases(run, small, alias, first):
    r = run("export", "--format", alias)
    assert r.exit_code == 0, r.stderr
    assert r.stdout_bytes.lstrip().startswith(first)


def test_unknown_format_is_still_a_usage_error(run, small):
    r = run("export", "--format", "yaml")
    assert r.exit_code == 2 and "'yaml' is not one of" in r.stderr


def test_output_file_name_decides_the_format(run, small, tmp_path):
    out = tmp_path / "graph.nt"
    assert run("export", "-o", str(out)).exit_code == 0
    triples = list(parse(out.read_bytes(), format=RdfFormat.N_TRIPLES))  # Turtle with @prefix would not parse
    ttl = run("export", "--format", "turtle").stdout_bytes
    assert len(triples) == len(list(parse(ttl, format=RdfFormat.TURTLE))) > 0
    csv_out = tmp_path / "rows.csv"
    name = sorted(p.stem for p in (small / "queries").glob("*.rq"))[0]
    assert run("query", name, "-o", str(csv_out)).exit_code == 0
    assert csv_out.read_text(encoding="utf-8") == run("query", name, "--format", "csv").stdout
    # an explicit --format wins over the extension
    run("export", "--format", "turtle", "-o", str(out))
    assert out.read_bytes().startswith(b"@prefix")


def test_sparql_dash_reads_stdin(run, small):
    r = run("query", "--sparql", "-", "--format", "csv", input="SELECT (40 + 2 AS ?x) {}")
    assert (r.exit_code, r.stdout) == (0, "x\n42\n")


def test_short_version_flag(run):
    from jasic_kg import __version__

    assert run("-V").stdout == f"jasic-kg, version {__version__}\n"
