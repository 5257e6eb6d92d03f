"""--param values are RDF terms, bound, never pasted: hostile values give a clean exit 2 or a literal that
matches nothing, and never change the query or the graph.

Locally the store binds through pyoxigraph substitutions (or, for variables outside the projection, a VALUES block
built from validated terms); remotely through the same VALUES block (sparql.inject_values), tested here both as text
(it parses, and binds exactly the intended value) and against a real Oxigraph server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Store

from jasic_kg.errors import InputError
from jasic_kg.queries import load_query, param_from_variable, run_saved_query
from jasic_kg.sparql import inject_values
from jasic_kg.store import open_store
from jasic_kg.terms import XSD

REPO = Path(__file__).resolve().parent.parent
EXE = Path(sys.executable).parent / "jasic-kg"
CLI = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "jasic_kg"]

HOSTILE = [
    '"',
    "'",
    '" } ; DROP ALL ; #',
    "} ; DROP ALL ; #",
    '"} UNION { ?s ?p ?o } #',
    "\\u0022 } #",
    '\\" . } #',
    "x\n} DROP ALL #",
    "x\r\nINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    '"@en',
    '"@en } #',
    "chat\"@fr",
    '"^^<http://www.w3.org/2001/XMLSchema#integer>',
    "http://example.org/a> } ; DROP ALL ; #",
    "http://example.org/a>",
    "<http://example.org/a> <http://example.org/b>",
    "http://example.org/{x}",
    "http://example.org/ a",
    "jid:he-pengchao> ?p ?o } #",
    "2018-08-24\" } #",
    "2018 } #",
    "1 ) } #",
    "?s",
    "$s",
    "# comment",
    "\x00",
    "\\",
    "é\u202e\ufeff",
    "",
]

KINDS = ["x_iri", "x", "x_literal", "x_en", "x_xsd_date", "x_integer", "x_string", "x_number", "x_boolean",
         "x_xsd_dateTime", "x_gYear"]


def _terms():
    """(kind, value, term or None) for every hostile value and parameter kind."""
    out = []
    for var in KINDS:
        param = param_from_variable("_" + var)
        for value in HOSTILE:
            try:
                term = param.to_term(value)
            except InputError as e:
                assert param.name in str(e)  # the message names the parameter
                term = None
            out.append((var, value, term))
    return out


TERMS = _terms()


def test_hostile_iris_are_refused():
    iri = param_from_variable("_x_iri")
    for value in ["http://example.org/a> } ; DROP ALL ; #", "http://example.org/ a", "http://example.org/{x}",
                  "jid:he-pengchao> ?p ?o } #", "x\n} DROP ALL #", '" } ; DROP ALL ; #', ""]:
        with pytest.raises(InputError):
            iri.to_term(value)


def test_literal_params_keep_the_value_exactly():
    for var, value, term in TERMS:
        if term is not None and isinstance(term, Literal) and var in ("x", "x_literal", "x_string", "x_en"):
            assert term.value == value
            if var == "x_en":
                assert term.language == "en"


@pytest.mark.parametrize("query", [
    "SELECT ?x WHERE { }",
    "SELECT ?x WHERE { OPTIONAL { ?s ?p ?o } } LIMIT 1",
    "PREFIX ex: <http://example.org/> SELECT ?x WHERE { # a comment with { braces\n }",
    "SELECT ?x WHERE { FILTER(STR(?x) != \"{ }\") }",
])
def test_inject_values_binds_exactly_the_intended_term(query):
    """The VALUES block parses, and running the query yields exactly one row whose ?x is the term itself."""
    store = Store()
    for var, value, term in TERMS:
        if term is None:
            continue
        text = inject_values(query, {"x": term})
        rows = list(store.query(text))  # SyntaxError here would mean a value escaped its term
        assert [r["x"] for r in rows] == [term], (var, value, text)


def test_inject_values_with_several_terms():
    terms = {"a": Literal('" } ; DROP ALL ; #'), "b": NamedNode("http://example.org/x"),
             "c": Literal("x\n}", language="en"), "d": Literal("5", datatype=NamedNode(XSD + "integer"))}
    text = inject_values("SELECT ?a ?b ?c ?d WHERE { }", terms)
    rows = list(Store().query(text))
    assert len(rows) == 1 and [rows[0][k] for k in terms] == list(terms.values())


@pytest.fixture(scope="module")
def local():
    return open_store()


SAVED = {"evidence-for": "entity", "assessments": "theme", "cq22-24-august": "day", "cq21-events-2018": "year"}


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_queries_with_hostile_params(local, name):
    before = local.count()
    for value in HOSTILE:
        try:
            result = run_saved_query(local, name, {SAVED[name]: value})
        except InputError:
            continue  # a clean refusal (invalid IRI, date, integer)
        assert result.rows == [], (name, value, result.rows[:3])
    assert local.count() == before


def test_projected_and_unprojected_parameters(local):
    """Both local paths: SEP-0007 substitution (projected) and the VALUES fallback (not projected)."""
    projected = load_query("SELECT ?_x WHERE { ?s ?p ?_x }")
    hidden = load_query("SELECT ?s WHERE { ?s ?p ?_x }")
    before = local.count()
    for query in (projected, hidden):
        for value in HOSTILE:
            result = local.query(query.text, query.bindings({"x": value}))
            assert result.rows == [], (query.text, value)
    assert local.count() == before


def _cli(*args):
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=60, cwd=REPO,
                          env=dict(os.environ, JASIC_KG_CACHE="0"))


@pytest.mark.parametrize("value", ['" } ; DROP ALL ; #', "http://example.org/a> } ; DROP ALL ; #",
                                   "x\n} DROP ALL #", '"@en'])
def test_cli_hostile_params(value):
    for name in ("evidence-for", "assessments"):
        p = _cli("query", name, "--param", f"{SAVED[name]}={value}", "--format", "csv")
        assert "Traceback" not in p.stderr
        if p.returncode == 2:
            assert len(p.stderr.strip().splitlines()) == 1 and "parameter" in p.stderr
        else:
            assert p.returncode == 0 and p.stdout.strip().count("\n") == 0, p.stdout  # header only


# --- a real Oxigraph server -------------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not exe:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
    folder = tmp_path_factory.mktemp("oxigraph")
    data = folder / "data.ttl"
    data.write_text('@prefix ex: <http://example.org/> .\n'
                    'ex:a ex:label "plain" .\n'
                    'ex:b ex:label "\\" } ; DROP ALL ; #" .\n'
                    'ex:c ex:label "chat"@fr .\n'
                    'ex:d ex:link ex:a .\n', encoding="utf-8")
    db = folder / "db"
    subprocess.run([exe, "load", "--location", str(db), "--file", str(data)], check=True, capture_output=True,
                   timeout=60)
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(db), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("oxigraph serve did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_endpoint_store_binds_hostile_values(oxigraph_server):
    from jasic_kg.store import EndpointStore

    store = EndpointStore(oxigraph_server, timeout=20)
    before = store.count()
    assert before == 4
    q = load_query("PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:label ?_label }")
    for value in HOSTILE:
        rows = store.query(q.text, q.bindings({"label": value})).rows
        # only the value that really is in the graph matches, and only its own subject
        expected = [(NamedNode("http://example.org/b"),)] if value == '" } ; DROP ALL ; #' else []
        assert rows == expected, (value, rows)
    lang = load_query("PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:label ?_label_fr }")
    assert store.query(lang.text, lang.bindings({"label": "chat"})).rows == [(NamedNode("http://example.org/c"),)]
    assert store.query(lang.text, lang.bindings({"label": '"@fr'})).rows == []
    iri = load_query("PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:link ?_target_iri }")
    assert store.query(iri.text, iri.bindings({"target": "http://example.org/a"})).rows == [
        (NamedNode("http://example.org/d"),)]
    for value in ("http://example.org/a> } ; DROP ALL ; #", "http://example.org/a> ?p ?o . ?s"):
        with pytest.raises(InputError):
            iri.bindings({"target": value})
    assert store.count() == before


def test_cli_against_the_endpoint(oxigraph_server):
    q = "PREFIX ex: <http://example.org/> SELECT ?s WHERE { ?s ex:label ?_label }"
    p = _cli("query", q, "--endpoint", oxigraph_server, "--param", 'label=" } ; DROP ALL ; #', "--format", "csv")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["s", "http://example.org/b"]
    p = _cli("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--endpoint", oxigraph_server, "--format", "csv")
    assert p.stdout.split() == ["n", "4"]
