"""Bounded, reproducible fuzzing (hypothesis, derandomized) of the parsing and parameter paths.

Seeds: the negative corpus and a slice of the shipped data; mutations: byte flips, truncations, insertions of
grammar tokens, duplicated slices. Every example must end in a result or a JasicError (InputError/QueryError),
never another exception, a crash or a hang. Runs in well under a minute.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad, Store

from jasic_kg.errors import InputError, JasicError
from jasic_kg.queries import find_params, load_query, param_from_variable
from jasic_kg.io.rdfio import read_quads
from jasic_kg.sparql import inject_values
from jasic_kg.store import LocalStore

pytestmark = pytest.mark.slow  # hardening: thousands of generated inputs

REPO = Path(__file__).resolve().parent.parent
NEGATIVE = REPO / "tests" / "negative"
EXTENSIONS = (".ttl", ".nt", ".jsonld", ".rdf")

SEEDS = [(p.suffix, p.read_bytes()[:4096]) for p in sorted(NEGATIVE.iterdir()) if p.suffix in EXTENSIONS]
SEEDS += [(".ttl", p.read_bytes()[:6000]) for p in sorted((REPO / "data").glob("*.ttl"))[:2]]
SEEDS += [(".jsonld", b'{"@context": {"ex": "http://example.org/", "p": {"@id": "ex:p", "@type": "@id"}}, '
                      b'"@id": "ex:s", "p": ["ex:o", {"@id": "ex:b", "ex:q": {"@value": "1", "@language": "en"}}]}'),
          (".jsonld", b'{"@context": ["ctx.jsonld", {"@version": 1.1, "@import": "ctx.jsonld", "q": {"@id": '
                      b'"http://example.org/q", "@context": "ctx.jsonld"}}], "@id": "http://example.org/s", '
                      b'"name": "x", "q": {"@id": "http://example.org/o", "name": "y"}}'),
          (".rdf", b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   b'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
                   b'<ex:p rdf:parseType="Resource"><ex:q xml:lang="en">x</ex:q></ex:p></rdf:Description></rdf:RDF>'),
          (".nt", b'<http://example.org/s> <http://example.org/p> "x\\u00e9"@en-GB .\n_:b <http://example.org/p> '
                  b'"1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')]

TOKENS = [b"<", b">", b"<<", b">>", b"<<(", b")>>", b"(", b")", b"[", b"]", b"{", b"}", b'"', b'"""', b"'", b"'''",
          b"\\", b"\\u", b"\\U0010FFFF", b"@prefix", b"PREFIX", b"@base", b":", b"_:", b".", b";", b",", b"^^", b"@",
          b"#", b"\n", b"\x00", b"\xff", b"\xc3", b"a", b"true", b"1e", b"-", b"+", b'{"@context": ', b'"@id"',
          b'"@value"', b'"@list"', b"<!ENTITY", b"<!DOCTYPE", b"&", b"rdf:parseType=", b"]]>", b"<![CDATA[",
          b"http://127.0.0.1:9/ctx", b'"ctx.jsonld"', b'"../ctx.jsonld"', b'"@import": ', b'"@base": "x"',
          b'"file:///etc/passwd"']

_TMP = Path(tempfile.mkdtemp(prefix="jasic-kg-fuzz-"))
# the context the JSON-LD seeds name, next to the fuzzed file (contexts in the input's folder are read)
(_TMP / "ctx.jsonld").write_text('{"@context": {"name": "http://schema.org/name", "ex": "http://example.org/"}}')


@st.composite
def mutated(draw):
    suffix, data = draw(st.sampled_from(SEEDS))
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "duplicate", "delete"]))
        at = draw(st.integers(0, len(data)))
        if kind == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            token = draw(st.sampled_from(TOKENS)) * draw(st.sampled_from([1, 1, 2, 50, 1500]))
            data[at:at] = token
        elif kind == "duplicate":
            end = min(len(data), at + draw(st.integers(1, 200)))
            data[at:at] = data[at:end] * draw(st.integers(1, 20))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 50))]
    return suffix, bytes(data)


FUZZ = settings(max_examples=3000, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutated())
def test_parsing_never_fails_uncleanly(case):
    suffix, data = case
    path = _TMP / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        read_quads(path)
    except InputError as e:
        assert e.path and "fuzz" in e.path
        assert "\n" not in str(e).strip()


PARAM_VARS = ["x_iri", "x", "x_en", "x_xsd_date", "x_integer", "x_decimal", "x_boolean", "x_xsd_dateTime", "x_number",
              "x_gYear", "x_double"]
HOSTILE_ALPHABET = st.sampled_from(list('"\'<>{}()[]\\#?$;.,:/ \n\r\t@^_-+0123456789aeEzZT') + ["\u0000", "é",
                                                                                               "\u202e", "\\u0022"])


@settings(max_examples=1500, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(PARAM_VARS), st.one_of(st.text(max_size=40), st.lists(HOSTILE_ALPHABET, max_size=30).map("".join)))
def test_params_become_terms_that_bind_exactly(var, value):
    param = param_from_variable("_" + var)
    try:
        term = param.to_term(value)
    except InputError:
        return
    assert isinstance(term, (NamedNode, Literal))
    rows = list(Store().query(inject_values("SELECT ?x WHERE { }", {"x": term})))
    # the same term as the store holds it (Oxigraph keeps numbers and dates in canonical form: "00" -> "0")
    held = Store()
    held.add(Quad(NamedNode("http://e/s"), NamedNode("http://e/p"), term))
    assert [r["x"] for r in rows] == [next(iter(held)).object], (value, term)


QUERY_SEEDS = [p.read_text(encoding="utf-8") for p in sorted((REPO / "queries").glob("*.rq"))[:12]]
QUERY_TOKENS = ["{", "}", "(", ")", "<<", ">>", "SERVICE <http://127.0.0.1:9/s> { ?s ?p ?o }", "?_x_iri", "?__y",
                "\"", "'''", "#", "\n", "FILTER EXISTS {", "!", "^", "OPTIONAL {", "UNION", "VALUES ?v { 1 }", "LIMIT",
                "GROUP BY", "*", "/", "|", "+", "INSERT DATA { <http://e/s> <http://e/p> 2 } ;",
                "DELETE WHERE { ?s ?p ?o } ;", "CLEAR ALL ;"]
SEED_TRIPLES = "<http://e/s> <http://e/p> 1 .\n<http://e/s> <http://e/q> \"x\"@en .\n"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    # Two known triples: every fuzzed query, even one that smuggles in an update, must leave exactly these.
    seed = tmp_path_factory.mktemp("fuzz") / "seed.ttl"
    seed.write_text(SEED_TRIPLES, encoding="utf-8")
    return LocalStore([seed])


def _held(store) -> set[str]:
    return {str(q) for q in store.quads()}


@settings(max_examples=600, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(QUERY_SEEDS), st.lists(st.tuples(st.integers(0, 4000), st.sampled_from(QUERY_TOKENS)),
                                              max_size=4), st.integers(0, 5000))
def test_queries_never_fail_uncleanly(small_store, text, inserts, cut):
    for at, token in inserts:
        text = text[:at] + token + text[at:]
    text = text[:max(cut, 20)]
    before = _held(small_store)
    try:
        load_query(text)
        bindings = {}
        for p in find_params(text):
            try:
                bindings[p.variable] = p.to_term("http://example.org/x" if p.kind == "iri" else "1")
            except InputError:
                pass
        small_store.query(text, bindings)
    except JasicError as e:
        assert e.exit_code == 2, e
    assert _held(small_store) == before, text


def test_fuzzed_queries_left_the_store_as_seeded(small_store):
    assert small_store.count() == 2
    assert sorted(str(q.object) for q in small_store.quads()) == ['"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
                                                                  '"x"@en']
