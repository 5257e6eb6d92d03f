"""Output a person can read: whole SPARQL errors with the user's line numbers (also through --endpoint), a
syntax error as one line on stderr, tables fitted to the terminal but full in pipes, validate naming its files."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from jasic_kg.results import QueryResult, render_table

BAD = "SELECT ?s\nWHERE {\n  ?s ?p\n}"
EXPECTED = ("jasic-kg: error: invalid SPARQL: error at 4:2: expected one of LATERAL, SERVICE, [_] "
            "(line 4: })\n")


def test_sparql_error_is_whole_and_names_the_line(run, small):
    r = run("query", "--sparql", BAD)
    assert (r.exit_code, r.stdout, r.stderr) == (2, "", EXPECTED)


def test_sparql_error_through_an_endpoint_has_the_users_line_numbers(run, small):
    # the syntax check runs locally before any connection, so no server is needed (port 9: discard)
    r = run("query", "--endpoint", "http://127.0.0.1:9/sparql", "--sparql", BAD)
    assert (r.exit_code, r.stderr) == (2, EXPECTED)


def test_long_sparql_errors_are_not_cut(run, small):
    long_query = "SELECT * WHERE { ?s ?p ?o FILTER(?o = '" + "x" * 300 + "' && ) }"
    r = run("query", "--sparql", long_query)
    assert r.exit_code == 2
    assert "expected one of ABS, AVG, DAY, IRI, MAX, MD5, MIN, NOT, NOW, STR, SUM, URI, [_]" in r.stderr
    assert r.stderr.count("\n") == 1


def test_validate_syntax_error_is_one_line_on_stderr(run, small, tmp_path):
    bad = tmp_path / "my-notes.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    r = run("validate", "--data", str(bad))
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == f"jasic-kg: error: {bad}:2:11: . is not a valid RDF object\n"


def test_validate_says_which_files_it_read(run, small, tmp_path):
    mine = tmp_path / "mine.ttl"
    mine.write_text("# my notes\n", encoding="utf-8")
    r = run("validate", "--data", str(mine))
    read = r.stdout.splitlines()[1]
    assert read.startswith(f"read {small.resolve()}: ")
    shipped = sorted(p.relative_to(small).as_posix() for p in small.glob("*/**/*.ttl"))
    assert sorted(read.split(": ", 1)[1].split(";")[0].split()) == shipped
    assert read.endswith(f"; and {mine}")


def _wide():
    iri = NamedNode("https://w3id.org/jasic-kg/id/he-pengchao")
    return QueryResult("select", ["person", "note"], [(iri, Literal("a" * 200)), (iri, Literal("short"))])


def test_table_fits_the_terminal_and_is_full_for_pipes():
    full = render_table(_wide()).splitlines()
    assert max(len(line) for line in full) == len("jid:he-pengchao") + 2 + 200
    fitted = render_table(_wide(), max_width=60).splitlines()
    assert max(len(line) for line in fitted) == 60
    assert fitted[2] == "jid:he-pengchao  " + "a" * 42 + "…"
    assert fitted[3] == "jid:he-pengchao  short"
