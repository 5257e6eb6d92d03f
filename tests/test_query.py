"""Saved queries, parameters, result formats and the two stores (local pyoxigraph and a real Oxigraph server)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode

from jasic_kg.errors import InputError, NetworkError, QueryError
from jasic_kg.queries import (
    compare_results, find_params, load_query, param_from_variable, parse_header, run_saved_query,
)
from jasic_kg.results import QueryResult
from jasic_kg.sparql import inject_values
from jasic_kg.store import EndpointStore, open_store

XSD = "http://www.w3.org/2001/XMLSchema#"
HOSTILE = ['"', "}", "\\u0022", "} ; DROP ALL ; #", '" } ; DROP ALL ; # ', "'''", '"""', "\n}\nINSERT DATA { <a:b> <a:c> <a:d> }",
           "<http://x/>", "?s ?p ?o", "\\", "\u0000x"]


# --- header parsing ---------------------------------------------------------------------------------------

def test_header_grlc_forms():
    text = """#+ summary: CQ44 · Names of the group
#+ description: Every label of the group with its language,
#+   continued on a second line.
#+ tags:
#+   - competency-question
#+   - provenance
#+ defaults:
#+   - year: 2018
#+   - person: jid:he-pengchao
#+ enumerate:
#+   - kind:
#+     - preferred
#+     - variant
#+ pagination: 50
#+ notes: |
#+   line one
#+   line two
SELECT * WHERE { ?s ?p ?o }"""
    assert parse_header(text) == {
        "summary": "CQ44 · Names of the group",
        "description": "Every label of the group with its language, continued on a second line.",
        "tags": ["competency-question", "provenance"],
        "defaults": [{"year": "2018"}, {"person": "jid:he-pengchao"}],
        "enumerate": [{"kind": ["preferred", "variant"]}],
        "pagination": "50",
        "notes": "line one\nline two",
    }


def test_header_inline_list_and_quotes():
    assert parse_header('#+ tags: [a, "b c"]\n#+ summary: "quoted: yes"\n') == {
        "tags": ["a", "b c"], "summary": "quoted: yes"}


def test_header_error_has_line():
    with pytest.raises(InputError) as e:
        parse_header("#+ summary: x\n#+ this is not yaml\n", path="q.rq")
    assert str(e.value) == "q.rq:2: query header: could not find expected ':'"


# --- parameters -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("var, name, required, kind, extra", [
    ("_year_integer", "year", True, "datatype", XSD + "integer"),
    ("__year_integer", "year", False, "datatype", XSD + "integer"),
    ("_person_iri", "person", True, "iri", None),
    ("_label_en", "label", True, "lang", "en"),
    ("_label_zh", "label", True, "lang", "zh"),
    ("_name", "name", True, "literal", None),
    ("_day_xsd_date", "day", True, "datatype", XSD + "date"),
    ("_n_number", "n", True, "number", None),
])
def test_param_naming(var, name, required, kind, extra):
    p = param_from_variable(var)
    assert (p.name, p.required, p.kind) == (name, required, kind)
    assert extra in (None, p.datatype, p.language)


def test_ordinary_variables_are_not_params():
    assert param_from_variable("event") is None
    assert [p.name for p in find_params('SELECT ?a WHERE { ?a ?b "?_notaparam" } # ?_nor_this\n')] == []


@pytest.mark.parametrize("var, value, term", [
    ("_y_integer", "2018", Literal("2018", datatype=NamedNode(XSD + "integer"))),
    ("_d_decimal", "0.1", Literal("0.1", datatype=NamedNode(XSD + "decimal"))),
    ("_d_date", "2018-07-27", Literal("2018-07-27", datatype=NamedNode(XSD + "date"))),
    ("_b_boolean", "1", Literal("true", datatype=NamedNode(XSD + "boolean"))),
    ("_p_iri", "jid:he-pengchao", NamedNode("https://w3id.org/jasic-kg/id/he-pengchao")),
    ("_p_iri", "<http://example.org/x>", NamedNode("http://example.org/x")),
    ("_l_zh", "佳士工人声援团", Literal("佳士工人声援团", language="zh")),
    ("_n_number", "80", Literal("80", datatype=NamedNode(XSD + "integer"))),
    ("_n_number", "0.5", Literal("0.5", datatype=NamedNode(XSD + "decimal"))),
    ("_s", 'say "hi"', Literal('say "hi"')),
])
def test_param_values(var, value, term):
    assert param_from_variable(var).to_term(value) == term


@pytest.mark.parametrize("var, value, message", [
    ("_y_integer", "20x8", "parameter y (xsd:integer): not a valid xsd:integer: '20x8'"),
    ("_d_date", "2018-13-01", "parameter d (xsd:date): month must be in 1..12"),
    ("_p_iri", "nope:thing", "parameter p (iri): not an absolute IRI or a known CURIE: 'nope:thing' (prefixes: jkg, jid, jv, jsh, rdf, rdfs, owl, xsd, skos, dcterms, schema, sem, prov, oa, foaf, time, void, sh)"),
    ("_p_iri", "http://x/a b", "parameter p (iri): Invalid IRI code point ' '"),
    ("_b_boolean", "yes", "parameter b (xsd:boolean): not a valid xsd:boolean: 'yes'"),
])
def test_param_value_errors(var, value, message):
    with pytest.raises(InputError) as e:
        param_from_variable(var).to_term(value)
    assert str(e.value) == message


def test_unknown_type_suffix():
    with pytest.raises(InputError, match="unknown grlc parameter type suffix 'a_b_c'"):
        param_from_variable("_x_a_b_c")


# --- running on the local store ---------------------------------------------------------------------------

def test_run_saved_query_with_default(small_store):
    result = run_saved_query(small_store, "events-in-year")
    assert [r[0].value for r in result.rows] == ["https://w3id.org/jasic-kg/id/petition-signing-2018",
                                                 "https://w3id.org/jasic-kg/id/detention-2018-07-27"]


def test_projected_param_uses_substitution(small_store):
    # ?_voice_iri projected: pyoxigraph substitutes it (SEP-0007) and returns it in the row.
    q = load_query("SELECT ?_voice_iri ?claim WHERE { ?claim jkg:assertedBy ?_voice_iri }")
    result = run_saved_query(small_store, q, {"voice": "jid:he-pengchao"})
    assert result.rows == [(NamedNode("https://w3id.org/jasic-kg/id/he-pengchao"),
                            NamedNode("https://w3id.org/jasic-kg/id/claim-confession"))]


def test_store_basics(small_store):
    assert small_store.count() == 140
    about = small_store.describe(NamedNode("https://w3id.org/jasic-kg/id/shenzhen"))
    assert {t.subject.value.rsplit("/", 1)[-1] for t in about} == {"shenzhen", "petition-signing-2018",
                                                                   "detention-2018-07-27"}
    with pytest.raises(QueryError):
        small_store.construct("SELECT * WHERE { ?s ?p ?o }")


def test_persistent_cache_is_reused(small, tmp_path):
    from jasic_kg.store import LocalStore, shipped_files

    cache = tmp_path / "c"
    a = LocalStore(shipped_files(), cache=True, cache_dir=cache)
    assert a.count() == 140
    built = sorted(p.name for p in cache.iterdir())
    assert len(built) == 1 and built[0].startswith("store-")
    b = LocalStore(shipped_files(), cache=True, cache_dir=cache)
    assert b.count() == 140 and sorted(p.name for p in cache.iterdir()) == built


def test_a_changed_input_misses_the_cache_and_is_checked_again(small, tmp_path, monkeypatch):
    from jasic_kg.io import guards
    from jasic_kg.store import LocalStore

    cache = tmp_path / "c"
    data = tmp_path / "mine.ttl"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    assert LocalStore([data], cache=True, cache_dir=cache).count() == 1
    # A hit skips the content checks (they read every byte): the store answers without them.
    scans = []
    monkeypatch.setattr(guards, "check_structure", lambda *a: scans.append(a))
    assert LocalStore([data], cache=True, cache_dir=cache).count() == 1 and scans == []
    monkeypatch.undo()
    # Changed content has another key: the checks run and refuse it before any parser sees it.
    data.write_text("<http://e/s> <http://e/p> " + "(" * 1001 + " .\n")
    with pytest.raises(InputError, match="nesting is 1001 levels deep"):
        LocalStore([data], cache=True, cache_dir=cache)
    assert len(list(cache.iterdir())) == 1  # no half-built store left behind


def test_inputs_over_the_threshold_use_the_cache_by_default(small, tmp_path, monkeypatch):
    from jasic_kg import store as store_module
    from jasic_kg.store import LocalStore

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("JASIC_KG_CACHE", "1")
    data = tmp_path / "mine.nt"
    data.write_text("<http://e/s> <http://e/p> <http://e/o> .\n")
    monkeypatch.setattr(store_module, "CACHE_MIN_BYTES", data.stat().st_size)
    assert LocalStore([data]).count() == 1
    assert [p.name[:6] for p in (tmp_path / "xdg" / "jasic-kg").iterdir()] == ["store-"]
    monkeypatch.setattr(store_module, "CACHE_MIN_BYTES", data.stat().st_size + 1)
    assert LocalStore([data]).count() == 1
    assert len(list((tmp_path / "xdg" / "jasic-kg").iterdir())) == 1  # below it: parsed, nothing cached


# --- injection: hostile values are bound as literals, match nothing, change nothing -----------------------

@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_literal_local(small_store, value):
    before = small_store.count()
    result = run_saved_query(small_store, "entity-by-label", {"label": value})
    assert result.rows == []
    assert small_store.count() == before


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_one_literal(value):
    q = "SELECT ?_v WHERE { ?x <http://x/p> ?_v }"
    text = inject_values(q, {"_v": Literal(value)})
    from pyoxigraph import Store

    # Parses, and has exactly one VALUES row binding exactly the given literal.
    sols = list(Store().query(text.replace("?x <http://x/p> ?_v", "")))
    assert len(sols) == 1 and sols[0]["_v"] == Literal(value)


def test_hostile_iri_rejected():
    with pytest.raises(InputError, match="parameter p \\(iri\\)"):
        param_from_variable("_p_iri").to_term("http://x/> } ; DROP ALL ; #")


def test_inject_values_skips_strings_comments_and_iris():
    q = 'SELECT ?s # { not here\nWHERE { ?s <http://x/{p}> "{" }'
    out = inject_values(q, {"_v": Literal("x")})
    assert out == 'SELECT ?s # { not here\nWHERE {\nVALUES (?_v) { ("x") }\n ?s <http://x/{p}> "{" }'


# --- an endpoint: a real Oxigraph server --------------------------------------------------------------------

@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """A read-only Oxigraph server over the small fixture graph (tests/servers.py)."""
    from tests.conftest import SMALL
    from tests.servers import start_oxigraph, stop

    files = sorted((SMALL / "ontology").glob("*.ttl")) + [SMALL / "data" / "small.ttl"]
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph"), files, read_only=True)
    yield server.query
    stop(server.proc)


def test_endpoint_saved_query_matches_local(endpoint, small_store):
    remote = EndpointStore(endpoint)
    for name in ("events-in-year", "claims-by-voice", "entity-by-label"):
        a, b = run_saved_query(remote, name), run_saved_query(small_store, name)
        assert compare_results(b, a, ordered=True) == [], name
    assert remote.count() == 140



def test_stats_turtle_over_an_endpoint_names_it_and_claims_no_licence(endpoint):
    import rdflib

    from jasic_kg.stats import DATASET_IRI, render_turtle, stats

    g = rdflib.Graph().parse(data=render_turtle(stats(EndpointStore(endpoint))), format="turtle")
    ds, dcat = rdflib.URIRef(DATASET_IRI), rdflib.Namespace("http://www.w3.org/ns/dcat#")
    assert g.value(ds, rdflib.URIRef("http://rdfs.org/ns/void#triples")).toPython() == 140
    assert g.value(ds, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint")) == rdflib.URIRef(endpoint)
    (service,) = g.subjects(dcat.servesDataset, ds)
    assert g.value(service, rdflib.RDF.type) == dcat.DataService
    assert g.value(service, dcat.endpointURL) == rdflib.URIRef(endpoint)
    # what the endpoint holds is not known to be the shipped graph: no dumps, no licence claimed
    assert g.value(ds, dcat.distribution) is None and g.value(ds, rdflib.DCTERMS.license) is None

def test_endpoint_construct_and_describe(endpoint):
    remote = EndpointStore(endpoint)
    triples = remote.describe(NamedNode("https://w3id.org/jasic-kg/id/shenzhen"))
    assert len(triples) == 4  # type, label, and two events located there


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_literal_endpoint(small, endpoint, value):
    remote = EndpointStore(endpoint)
    before = remote.count()
    assert run_saved_query(remote, "entity-by-label", {"label": value}).rows == []
    assert remote.count() == before


def test_endpoint_cli(run, small, endpoint):
    r = run("query", "entity-by-label", "-p", "label=Shenzhen", "--endpoint", endpoint, "--format", "csv")
    assert r.exit_code == 0 and r.stdout.splitlines() == ["entity", "https://w3id.org/jasic-kg/id/shenzhen"]
    r = run("describe", "jid:he-pengchao", "--endpoint", endpoint)
    assert r.stdout.splitlines()[0] == "jid:he-pengchao — He Pengchao"


def test_endpoint_errors():
    with pytest.raises(InputError, match="endpoint must be an http"):
        EndpointStore("ftp://example.org/sparql")
    with pytest.raises(NetworkError, match="^http://127.0.0.1:9/sparql: "):
        EndpointStore("http://127.0.0.1:9/sparql", timeout=2).query("ASK { ?s ?p ?o }")
    with pytest.raises(QueryError, match="invalid SPARQL"):
        EndpointStore("http://127.0.0.1:9/sparql").query("SELECT WHERE {")


# --- comparing results (queries test) ---------------------------------------------------------------------

def _r(*rows, vars=("a",)):
    return QueryResult("select", list(vars), [tuple(Literal(x) for x in row) for row in rows])


def test_compare_bags_and_order():
    assert compare_results(_r(["1"], ["2"]), _r(["2"], ["1"]), ordered=False) == []
    assert compare_results(_r(["1"], ["2"]), _r(["2"], ["1"]), ordered=True) == [
        'order differs (query has ORDER BY) at row 1: expected ?a="1", got ?a="2"']
    assert compare_results(_r(["1"], ["1"]), _r(["1"]), ordered=False) == ['missing:    ?a="1"']
    assert compare_results(_r(["1"]), _r(["1"], ["3"]), ordered=False) == ['unexpected: ?a="3"']
    assert compare_results(_r(["1"]), _r(["1"], vars=("b",)), ordered=False) == [
        "variables differ: expected ?a, got ?b"]
    assert compare_results(QueryResult("ask", boolean=True), QueryResult("ask", boolean=False), False) == [
        "expected true, got false"]


def test_shipped_query_headers_parse(shipped):
    from jasic_kg.queries import load_saved_queries

    saved = load_saved_queries()
    assert saved, "no saved queries shipped"
    for q in saved.values():
        assert q.summary, f"{q.name} has no #+ summary"


def test_shipped_saved_queries_match_expected(shipped, run):
    expected = shipped / "queries" / "expected"
    if not expected.is_dir() or not list(expected.glob("*.srj")):
        pytest.skip("queries/expected/*.srj have not landed yet")
    r = run("queries", "test")
    assert r.exit_code == 0, r.stdout
