"""--data as a user gives it: `-` for standard input, gzipped files (the size cap on the decompressed bytes),
and --input-format for a file whose extension does not say its format; errors name the user's input."""

from __future__ import annotations

import gzip

NOTE = ('@prefix jid: <https://w3id.org/jasic-kg/id/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
        'jid:my-note rdfs:label "my note"@en .\n')
ASK = ["--format", "csv", "--sparql", "SELECT ?l WHERE { jid:my-note rdfs:label ?l }"]


def test_gzipped_data_is_read(run, small, tmp_path):
    gz = tmp_path / "notes.ttl.gz"
    gz.write_bytes(gzip.compress(NOTE.encode()))
    r = run("query", "--data", str(gz), *ASK)
    assert (r.exit_code, r.stdout) == (0, "l\nmy note\n"), r.stderr
    r = run("validate", "--data", str(gz))
    assert r.exit_code == 0 and r.stdout.splitlines()[1].endswith(f"; and {gz}")


def test_the_size_cap_applies_to_the_decompressed_bytes(run, small, tmp_path):
    gz = tmp_path / "bomb.ttl.gz"
    gz.write_bytes(gzip.compress(b"# " + b"x" * 100_000 + b"\n"))
    assert gz.stat().st_size < 1000
    r = run("query", "--data", str(gz), "--max-bytes", "50000", *ASK)
    assert (r.exit_code, r.stderr) == (2, f"jasic-kg: error: {gz}: input is over the limit of 50000 bytes (after "
                                          "decompression; raise it with --max-bytes)\n")


def test_a_corrupt_gz_is_one_line(run, small, tmp_path):
    bad = tmp_path / "bad.ttl.gz"
    bad.write_bytes(b"not gzip at all")
    r = run("query", "--data", str(bad), *ASK)
    assert r.exit_code == 2 and r.stderr.startswith(f"jasic-kg: error: {bad}: cannot decompress: ")


def test_data_dash_reads_stdin(run, small):
    r = run("query", "--data", "-", *ASK, input=NOTE)
    assert (r.exit_code, r.stdout) == (0, "l\nmy note\n"), r.stderr
    nt = '<https://w3id.org/jasic-kg/id/my-note> <http://www.w3.org/2000/01/rdf-schema#label> "my note"@en .\n'
    r = run("query", "--data", "-", "--input-format", "ntriples", *ASK, input=nt)
    assert (r.exit_code, r.stdout) == (0, "l\nmy note\n"), r.stderr


def test_a_syntax_error_on_stdin_names_stdin(run, small):
    r = run("validate", "--data", "-", input="jid:x a .\n")
    assert (r.exit_code, r.stderr) == (2, "jasic-kg: error: <stdin>:1:1: The prefix jid: has not been declared\n")


def test_input_format_for_an_unknown_extension(run, small, tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text(NOTE, encoding="utf-8")
    r = run("query", "--data", str(txt), *ASK)
    assert r.exit_code == 2 and "unknown RDF file extension '.txt'" in r.stderr
    r = run("query", "--data", str(txt), "--input-format", "ttl", *ASK)
    assert (r.exit_code, r.stdout) == (0, "l\nmy note\n"), r.stderr
    r = run("query", "--data", str(tmp_path / "missing.txt"), "--input-format", "ttl", *ASK)
    assert (r.exit_code, r.stderr) == (2, f"jasic-kg: error: {tmp_path / 'missing.txt'}: no such file\n")
