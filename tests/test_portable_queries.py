"""The saved queries and the check queries (ontology/checks) are written in SPARQL that every store we test
evaluates alike (queries/README.md, "Portable SPARQL"): no transitive property path, no UNION branch that is only a
VALUES block. Virtuoso 7.2 gets both wrong (extra, missing or duplicated rows, never an error); tests/test_push.py
proves the rows equal on Virtuoso.

The explicit levels that replace the transitive paths are right only while the graph is no deeper than they
reach: the tests below fail when the ontology's class hierarchy, or a chain the queries follow, grows deeper."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.paths import MulPath, Path as PropertyPath
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from jasic_kg.store import LocalStore

REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO / "queries"
QUERY_FILES = sorted(QUERIES.glob("*.rq"))
CHECK_FILES = sorted((REPO / "ontology" / "checks").glob("*.rq"))

# How far down the queries look: "?x is a C" is `?x a C`, `?x a/rdfs:subClassOf C` or two rdfs:subClassOf steps;
# a subproperty is one or two rdfs:subPropertyOf steps below (the checks).
CLASS_LEVELS = 2
PROPERTY_LEVELS = 2
# Chains of instance data that queries follow by explicit steps (query: property, steps, the chain's end).
CHAIN_LEVELS = {
    "cq14-places-events": ("jkg:subEventOf", 3, "jid:jasic-struggle-2018"),
    "cq23-stagnation-decision": ("jkg:follows", 6, "?stall . ?stall jkg:eventType jv:stagnation"),
    "detentions": ("skos:broader", 2, "jv:detention"),
}
PREFIXES = """PREFIX jkg: <https://w3id.org/jasic-kg/ontology#>
PREFIX jid: <https://w3id.org/jasic-kg/id/>
PREFIX jv: <https://w3id.org/jasic-kg/vocab/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _paths(path):
    """`path` and every path inside it (rdflib keeps the parts in args, arg or path)."""
    yield path
    for part in [*getattr(path, "args", ()), getattr(path, "arg", None), getattr(path, "path", None)]:
        if part is not None:
            yield from _paths(part)


def portability_problems(sparql: str) -> list[str]:
    """The forms in `sparql` that Virtuoso 7.2 evaluates wrongly, one line each (empty: none)."""
    problems: list[str] = []

    def visit(node) -> None:
        if isinstance(node, CompValue):
            if node.name == "Union" and any(isinstance(node.get(side), CompValue) and node[side].name == "ToMultiSet"
                                            for side in ("p1", "p2")):
                problems.append("a UNION branch that is only a VALUES block (Virtuoso drops its rows): put the "
                                "branch's triple pattern in it with a FILTER(?v = C)")
            for value in node.values():
                visit(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                visit(item)
        elif isinstance(node, PropertyPath):
            for part in _paths(node):
                if isinstance(part, MulPath):
                    problems.append(f"transitive path {part.n3()} (Virtuoso keeps rows it must drop, drops or "
                                    "duplicates others): write the levels out (queries/README.md)")

    visit(algebra.translateQuery(parseQuery(sparql)).algebra)
    return list(dict.fromkeys(problems))


@pytest.mark.parametrize("path", QUERY_FILES + CHECK_FILES,
                         ids=[p.stem for p in QUERY_FILES] + [f"check:{p.stem}" for p in CHECK_FILES])
def test_saved_and_check_queries_use_only_portable_forms(path):
    assert portability_problems(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("query, problem", [
    ("SELECT ?x WHERE { ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <http://e.org/C> }",
     "transitive path <http://www.w3.org/2000/01/rdf-schema#subClassOf>*"),
    ("SELECT ?x WHERE { ?x a ?c FILTER NOT EXISTS { ?c <http://e.org/p>+ <http://e.org/C> } }",
     "transitive path <http://e.org/p>+"),
    ("SELECT ?x WHERE { ?x (<http://e.org/p>|^<http://e.org/q>?) ?y }", "transitive path <http://e.org/q>?"),
    ("SELECT ?x WHERE { { VALUES ?x { 1 } } UNION { ?x ?p ?o } }", "a UNION branch that is only a VALUES block"),
])
def test_the_lint_finds_the_forms_virtuoso_gets_wrong(query, problem):
    found = portability_problems(query)
    assert len(found) == 1 and found[0].startswith(problem), found


def test_the_lint_accepts_the_portable_forms():
    assert portability_problems(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT (COUNT(*) AS ?n) WHERE { VALUES ?k { 1 } "
        "?x a/rdfs:subClassOf/rdfs:subClassOf <http://e.org/C> ; <http://e.org/p>|^<http://e.org/q> ?y "
        "FILTER(?y * 2 > 1) }") == []


@pytest.fixture(scope="module")
def kg():
    files = sorted((REPO / "ontology").glob("*.ttl")) + sorted((REPO / "data").rglob("*.ttl"))
    return LocalStore(files, cache=False)


def _ask(kg, where: str) -> bool:
    return kg.query(PREFIXES + f"ASK {{ {where} }}").boolean


def _class_too_deep(kg) -> bool:
    steps = "/".join(["rdfs:subClassOf"] * (CLASS_LEVELS + 1))
    return _ask(kg, f"?c {steps} ?top . FILTER(STRSTARTS(STR(?top), STR(jkg:)))")


def test_the_class_hierarchy_is_no_deeper_than_the_queries_look(kg, tmp_path):
    assert not _class_too_deep(kg), (
        f"a class is more than {CLASS_LEVELS} rdfs:subClassOf steps below a jkg: class: the saved queries' "
        "explicit levels (queries/README.md) must reach one level further")
    # one more level below jkg:Shortcoming (itself two below jkg:Claim) is found
    deeper = tmp_path / "deeper.ttl"
    deeper.write_text(PREFIXES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n")
                      + "jkg:NarrowShortcoming rdfs:subClassOf jkg:Shortcoming .\n")
    assert _class_too_deep(LocalStore(sorted((REPO / "ontology").glob("*.ttl")) + [deeper], cache=False))


def test_the_property_hierarchy_is_no_deeper_than_the_checks_look(kg):
    steps = "/".join(["rdfs:subPropertyOf"] * (PROPERTY_LEVELS + 1))
    assert not _ask(kg, f"?p {steps} ?top"), (
        f"a property is more than {PROPERTY_LEVELS} rdfs:subPropertyOf steps below another: the checks' explicit "
        "levels (ontology/checks) must reach one level further")


def _one_row_per_node(kg) -> bool:
    """`?x a/rdfs:subClassOf* C` gave one row per type of ?x at or below C, the explicit levels give one per route
    from a type to C: the same while no node has two types at or below one jkg: class and no class two routes to
    one."""
    steps = "|".join("/".join(["rdfs:subClassOf"] * n) for n in range(1, CLASS_LEVELS + 1))
    jkg_class = "FILTER(STRSTARTS(STR(?c), STR(jkg:)))"
    return not _ask(kg, f"?x a ?t1, ?t2 . FILTER(?t1 != ?t2) ?t1 ({steps}) ?c . {jkg_class} "
                        f"FILTER(?t2 = ?c || EXISTS {{ ?t2 ({steps}) ?c }})") and \
        not _ask(kg, f"?t rdfs:subClassOf ?a, ?b . FILTER(?a != ?b) ?b ({steps}) ?c . {jkg_class} "
                     f"FILTER(?a = ?c || EXISTS {{ ?a ({steps}) ?c }})")


def test_a_class_check_gives_one_row_per_node(kg):
    assert _one_row_per_node(kg)


@pytest.mark.parametrize("turtle", [
    "jid:x a jkg:Shortcoming, jkg:Assessment .",  # two types at or below jkg:Assessment
    "jid:x a jkg:Shortcoming, jkg:Achievement .",  # two types below jkg:Assessment
    "jkg:Odd rdfs:subClassOf jkg:Shortcoming, jkg:Assessment .",  # two routes from jkg:Odd to jkg:Assessment
])
def test_the_one_row_check_finds_what_breaks_it(tmp_path, turtle):
    data = tmp_path / "extra.ttl"
    data.write_text(PREFIXES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n") + turtle + "\n")
    files = sorted((REPO / "ontology").glob("*.ttl")) + [data]
    assert not _one_row_per_node(LocalStore(files, cache=False))


@pytest.mark.parametrize("name", sorted(CHAIN_LEVELS))
def test_the_chains_a_query_follows_are_no_longer_than_its_levels(kg, name):
    prop, levels, end = CHAIN_LEVELS[name]
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    assert "/".join([prop] * levels) in text and "/".join([prop] * (levels + 1)) not in text
    assert not _ask(kg, f"?x {'/'.join([prop] * (levels + 1))} {end}"), (
        f"{name}: a {prop} chain is longer than the {levels} steps the query follows")
