"""ROBOT-style SPARQL checks (ontology/checks/*-violation.rq) against their fixtures, with pyoxigraph.

Any row a check returns is a finding. For every check there is a folder tests/fixtures/checks/<name>/ (the file
name without "-violation.rq") with valid.ttl (no row from ANY check) and invalid.ttl (rows from this check, for
exactly the focus nodes in EXPECTED_FOCUS). The data is ontology/jasic.ttl + ontology/vocab.ttl + the fixture,
loaded into the default graph, as the validate command does.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ox = pytest.importorskip("pyoxigraph")

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "jasic.ttl"
VOCAB = ROOT / "ontology" / "vocab.ttl"
CHECKS_DIR = ROOT / "ontology" / "checks"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks"
JID = "https://w3id.org/jasic-kg/id/"
JV = "https://w3id.org/jasic-kg/vocab/"

CHECKS = sorted(CHECKS_DIR.glob("*-violation.rq"))
CHECK_NAMES = [p.name.removesuffix("-violation.rq") for p in CHECKS]

# check name -> the exact set of ?focus nodes (jid: local names) returned on invalid.ttl
EXPECTED_FOCUS: dict[str, set[str]] = {
    "sidebar-actor": {"fixture-event", "fixture-event-2", "fixture-claim", "fixture-claim-2", "fixture-membership",
                      "fixture-book"},
    "derived-quantity-claimed": {"fixture-quantity-derived", "fixture-quantity-derived-2"},
    "dangling-reference": {"fixture-event", "fixture-claim", "fixture-thing"},
    "quote-without-voice": {"fixture-event", "fixture-untyped"},
    "event-order-dates": {"fixture-early-sequel", "fixture-early-effect"},
    "quantity-bounds": {"fixture-above", "fixture-below", "fixture-share"},
    "unknown-property": {"fixture-event", "fixture-claim"},
    "edtf-precision": {"fixture-after", "fixture-undated", "fixture-soon", "fixture-this-summer",
                       "fixture-month-not-named", "fixture-day-not-given"},
    "causal-link-without-marker": {"fixture-no-claim", "fixture-temporal", "fixture-wrong-marker",
                                   "fixture-one-sided"},
    "performer-without-claim": {"fixture-detention", "fixture-protest"},
    "assessment-voice": {"fixture-shortcoming", "fixture-characterisation"},
    "link-without-mapping": {"fixture-unmapped", "fixture-candidate"},
}

# check name -> number of rows on invalid.ttl (a focus node may have several findings)
EXPECTED_ROWS: dict[str, int] = {
    "sidebar-actor": 6,
    "quote-without-voice": 2,  # one row per node, not per quote
}


@pytest.fixture(scope="session")
def base_store_data() -> bytes:
    """ontology + vocab as N-Triples, parsed once; each test loads it into a fresh store."""
    store = ox.Store()
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    store.load(path=str(VOCAB), format=ox.RdfFormat.TURTLE)
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def make_store(base: bytes, *fixtures: Path):
    store = ox.Store()
    store.load(base, format=ox.RdfFormat.N_TRIPLES)
    for f in fixtures:
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    return store


def run(store, check: Path) -> list[dict]:
    solutions = store.query(check.read_text(encoding="utf-8"))
    names = [v.value for v in solutions.variables]
    return [{n: sol[n] for n in names} for sol in solutions]


def focus_names(rows: list[dict]) -> set[str]:
    out = set()
    for r in rows:
        f = r["focus"]
        assert isinstance(f, ox.NamedNode) and f.value.startswith((JID, JV)), f"unexpected focus {f}"
        # data nodes by local name; vocabulary concepts (definition-unquoted-term) as jv: CURIEs
        out.add(f.value.removeprefix(JID) if f.value.startswith(JID) else "jv:" + f.value.removeprefix(JV))
    return out


def check_file(name: str) -> Path:
    return CHECKS_DIR / f"{name}-violation.rq"


# --- structure -------------------------------------------------------------------------------------------------

def test_checks_exist():
    required = {"sidebar-actor", "derived-quantity-claimed", "dangling-reference",
                "quote-without-voice"}
    assert required <= set(CHECK_NAMES), f"missing checks: {sorted(required - set(CHECK_NAMES))}"


def test_every_check_has_fixtures_and_expectations():
    missing = [n for n in CHECK_NAMES
               if not ((FIXTURES / n / "valid.ttl").is_file() and (FIXTURES / n / "invalid.ttl").is_file())]
    assert not missing, f"checks without tests/fixtures/checks/<name>/valid.ttl + invalid.ttl: {missing}"
    assert set(CHECK_NAMES) == set(EXPECTED_FOCUS), (
        f"EXPECTED_FOCUS out of step with ontology/checks: "
        f"{sorted(set(CHECK_NAMES) ^ set(EXPECTED_FOCUS))}")
    stale = sorted({p.name for p in FIXTURES.iterdir() if p.is_dir()} - set(CHECK_NAMES))
    assert not stale, f"fixture folders for checks that no longer exist: {stale}"


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_check_header_and_columns(name):
    text = check_file(name).read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# ") and len(first) > 20, f"{name}: the first line must be a '# ' comment saying what it checks"
    select = re.search(r"^\s*SELECT\b(.*?)\bWHERE\b", text, re.S | re.M | re.I)
    assert select, f"{name}: not a SELECT query"
    for var in ("?focus", "?message"):
        assert re.search(re.escape(var) + r"\b", select.group(1)), f"{name}: SELECT must project {var}"


# --- behaviour -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CHECK_NAMES)
def test_ontology_and_vocab_have_no_findings(name, base_store_data):
    rows = run(make_store(base_store_data), check_file(name))
    assert rows == [], f"{name} finds rows in ontology + vocab alone: {rows}"


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_valid_fixture_has_no_findings_from_any_check(name, base_store_data):
    store = make_store(base_store_data, FIXTURES / name / "valid.ttl")
    found = {c.name: run(store, c) for c in CHECKS}
    found = {k: v for k, v in found.items() if v}
    assert not found, f"{name}/valid.ttl has findings: {found}"


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_invalid_fixture_exact_focus_nodes(name, base_store_data):
    rows = run(make_store(base_store_data, FIXTURES / name / "invalid.ttl"), check_file(name))
    assert focus_names(rows) == EXPECTED_FOCUS[name]
    if name in EXPECTED_ROWS:
        assert len(rows) == EXPECTED_ROWS[name], rows
    for r in rows:
        msg = r["message"]
        assert isinstance(msg, ox.Literal) and len(msg.value) > 10, f"{name}: empty ?message in {r}"


# --- a few message texts, so the checks say something useful --------------------------------------------------

@pytest.mark.parametrize("name, focus, needle", [
    ("dangling-reference", "fixture-event", "has no rdf:type in the graph: a dangling reference"),
    ("sidebar-actor", "fixture-book", "http://purl.org/dc/terms/creator"),
    ("event-order-dates", "fixture-early-sequel", "precedes that event's jkg:earliestDate 2018-07-27"),
    ("edtf-precision", "fixture-after", 'is more precise than the words "After the mass detention"'),
    ("edtf-precision", "fixture-month-not-named", "the words name no month"),
    ("edtf-precision", "fixture-day-not-given", "the words give no day"),
    ("causal-link-without-marker", "fixture-temporal", "use jkg:follows where the article states only an order"),
    ("performer-without-claim", "fixture-detention", "is stated by no claim about both the event and the agent"),
    ("assessment-voice", "fixture-shortcoming", "an assessment (Shortcoming) is the author's own argument"),
    ("link-without-mapping", "fixture-candidate", "without a mapping of the reviewed links set"),
])
def test_messages(name, focus, needle, base_store_data):
    rows = run(make_store(base_store_data, FIXTURES / name / "invalid.ttl"), check_file(name))
    msgs = [r["message"].value for r in rows if r["focus"].value == JID + focus]
    assert any(needle in m for m in msgs), msgs


# --- built-in checks (validate.BUILTIN_CHECKS: Python, where SPARQL cannot be linear) ---------------------------

BUILTIN_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "builtin-checks"
BUILTIN_EXPECTED_FOCUS = {"edtf": {"fixture-day-mismatch", "fixture-day-missing", "fixture-month", "fixture-year",
                                   "fixture-decade", "fixture-interval", "fixture-bad-month", "fixture-reversed",
                                   "fixture-approximate"},
                          "order-cycle": {"fixture-a", "fixture-b", "fixture-c", "fixture-d", "fixture-e"},
                          "duplicate-label": {"fixture-author-1", "fixture-author-2", "fixture-network"},
                          "definition-unquoted-term": {"jv:fixture-video", "jv:fixture-dismissal", "jv:fixture-raid"}}
BUILTIN_MESSAGES = {
    "edtf": ("fixture-approximate", 'earliestDate 2013-06-01 falls outside jkg:edtf "2015~" (2014-01-01 to 2016-12-31)'),
    "order-cycle": ("fixture-a", "cycle"),
    "duplicate-label": ("fixture-network",
                        'agent\'s English label "Fixture Network" is also the skos:altLabel of agent '
                        "<https://w3id.org/jasic-kg/id/fixture-group>: the same agent written twice? merge them or "
                        "make the labels distinct"),
    "definition-unquoted-term": ("jv:fixture-video", "prefLabel names 'state-produced', which no quote of the graph "
                                 'states: "state-produced confession video"'),
}


def test_every_builtin_check_has_fixtures():
    from jasic_kg.validation.checks import BUILTIN_CHECKS

    assert set(BUILTIN_CHECKS) == set(BUILTIN_EXPECTED_FOCUS)
    assert {p.name for p in BUILTIN_FIXTURES.iterdir() if p.is_dir()} == set(BUILTIN_CHECKS)


@pytest.mark.parametrize("name", sorted(BUILTIN_EXPECTED_FOCUS))
def test_builtin_check_finds_exactly_the_invalid_nodes(base_store_data, name):
    from jasic_kg.validation.checks import BUILTIN_CHECKS

    check = BUILTIN_CHECKS[name]
    assert check(make_store(base_store_data, BUILTIN_FIXTURES / name / "valid.ttl")) == []
    findings = check(make_store(base_store_data, BUILTIN_FIXTURES / name / "invalid.ttl"))
    assert focus_names([{"focus": f.focus} for f in findings]) == BUILTIN_EXPECTED_FOCUS[name]
    assert all(f.check == name for f in findings)
    focus, needle = BUILTIN_MESSAGES[name]
    focus_iri = JV + focus.removeprefix("jv:") if focus.startswith("jv:") else JID + focus
    assert any(needle in f.message for f in findings if f.focus.value == focus_iri), findings


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*/valid.ttl")), ids=lambda p: p.parent.name)
def test_builtin_checks_find_nothing_in_the_valid_fixtures_of_the_query_checks(base_store_data, fixture):
    from jasic_kg.validation.checks import BUILTIN_CHECKS

    store = make_store(base_store_data, fixture)
    assert {name: check(store) for name, check in BUILTIN_CHECKS.items()} == {n: [] for n in BUILTIN_CHECKS}


def test_edtf_check_counts_and_says_each_finding(base_store_data):
    """One finding per wrong bound (the interval has two), each naming the range the value admits."""
    from jasic_kg.validation.checks import edtf_findings

    findings = edtf_findings(make_store(base_store_data, BUILTIN_FIXTURES / "edtf" / "invalid.ttl"))
    by_focus = {}
    for f in findings:
        by_focus.setdefault(f.focus.value.removeprefix(JID), []).append(f.message)
    assert len(by_focus["fixture-interval"]) == 2
    assert by_focus["fixture-day-missing"] == [
        'jkg:edtf "2018-08-24" is a full day but latestDate is missing; both bounds should be that day']
    assert by_focus["fixture-month"] == [
        'latestDate 2018-07-15 falls outside jkg:edtf "2018-06" (2018-06-01 to 2018-06-30)']
    assert by_focus["fixture-bad-month"] == [
        'jkg:edtf "2018-13" is not an EDTF value (such as 2018-07-27, 2018-06, 2015~, 200X or 2018-06/2018-07-27)']
    assert by_focus["fixture-reversed"] == ['jkg:edtf "2018/2017" ends before it starts']
    assert len(findings) == 10


def test_duplicate_label_is_the_sparql_check_it_replaced(base_store_data):
    """The same rows as the SPARQL the built-in replaced (a join on a computed key, quadratic in pyoxigraph),
    on every fixture: the built-in is a faster way to the same findings, not another check."""
    from jasic_kg.validation.checks import duplicate_label_findings

    sparql = """SELECT DISTINCT ?focus ?other ?label ?otherProperty WHERE {
      { SELECT ?focus ?label (LCASE(STR(?label)) AS ?key) WHERE {
          ?focus a ?class ; rdfs:label ?label . ?class rdfs:subClassOf* jkg:Agent .
          FILTER (langMatches(lang(?label), "en")) } }
      { SELECT ?other ?otherProperty (LCASE(STR(?otherLabel)) AS ?key) WHERE {
          VALUES ?otherProperty { rdfs:label skos:altLabel }
          ?other a ?otherClass ; ?otherProperty ?otherLabel . ?otherClass rdfs:subClassOf* jkg:Agent .
          FILTER (?otherProperty = skos:altLabel || langMatches(lang(?otherLabel), "en")) } }
      FILTER (?focus != ?other) }"""
    from jasic_kg.terms import PREFIXES

    fixtures = sorted(FIXTURES.glob("*/*.ttl")) + sorted(BUILTIN_FIXTURES.glob("*/*.ttl"))
    for fixture in fixtures:
        store = make_store(base_store_data, fixture)
        expected = sorted((r["focus"].value, r["other"].value) for r in store.query(sparql, prefixes=PREFIXES))
        got = sorted((f.focus.value, re.search(r"of agent <([^>]+)>", f.message).group(1))
                     for f in duplicate_label_findings(store))
        assert got == expected, fixture


def test_order_cycle_is_linear_on_a_long_chain():
    """A long chain without a cycle, then the same chain closed into one: no recursion limit, one pass."""
    from jasic_kg.validation.checks import _nodes_on_cycles

    n = 200_000
    chain = {i: [i + 1] for i in range(n)}
    assert _nodes_on_cycles(chain) == set()
    chain[n] = [0]
    assert _nodes_on_cycles(chain) == set(range(n + 1))
    assert _nodes_on_cycles({"a": ["a"], "b": ["c"]}) == {"a"}


def test_the_shacl_vocabulary_written_out_is_rdflibs():
    """The meta-check's list of SHACL terms (written out so that `validate` need not import rdflib) is rdflib's SH
    namespace, plus the SHACL 1.2 drafts' terms."""
    from rdflib.namespace import SH as RDFLIB_SH

    from jasic_kg.validation.checks import RDFLIB_SHACL_TERMS, SHACL_12_TERMS

    assert RDFLIB_SHACL_TERMS == set(RDFLIB_SH.__annotations__) | {n for n in RDFLIB_SH._extras if "-" not in n}
    assert not SHACL_12_TERMS & RDFLIB_SHACL_TERMS


@pytest.mark.parametrize("text", ["the court-ordered video", "courts", "xcourt", "court", "a court.", "_court",
                                  "court_", "in detention.", "research", "searching, then a search",
                                  "é court", "forced-labour", "coercion", "", "state-produced confession"])
def test_unquoted_term_word_search_is_the_regex_search(text):
    from jasic_kg.validation.checks import UNQUOTED_TERM_LEXICON, _has_word

    for word in UNQUOTED_TERM_LEXICON:
        rx = re.compile(r"\b" + re.escape(word) + r"\b")
        assert _has_word(text, word) == bool(rx.search(text)), word
