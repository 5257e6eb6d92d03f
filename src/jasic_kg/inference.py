"""RDFS entailment for queries (`jasic-kg query --inference rdfs`), computed on the local store.

The rules are those of RDF 1.1 Semantics, section 9.2.1 (https://www.w3.org/TR/rdf11-mt/#rdfs-entailment) that
matter for querying: rdfs9 (subclass membership), rdfs7 (subproperty), rdfs2/rdfs3 (domain, range; range only for
IRI and blank-node objects, since a literal cannot be a subject). The closure of rdfs:subClassOf and
rdfs:subPropertyOf (rdfs5, rdfs11) is taken with property paths, and the rules are applied until nothing new
comes out. This is what lets a schema.org-only user ask for schema:Event, schema:name and schema:startDate.
"""

from __future__ import annotations

RULES = (
    # rdfs7: subproperties
    """INSERT { ?s ?super ?o } WHERE {
         ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>+ ?super . ?s ?p ?o }""",
    # rdfs2: domains
    """INSERT { ?s a ?c } WHERE {
         ?p <http://www.w3.org/2000/01/rdf-schema#domain> ?c . ?s ?p ?o }""",
    # rdfs3: ranges (IRI and blank-node objects only)
    """INSERT { ?o a ?c } WHERE {
         ?p <http://www.w3.org/2000/01/rdf-schema#range> ?c . ?s ?p ?o FILTER(!isLiteral(?o)) }""",
    # rdfs9: subclasses
    """INSERT { ?x a ?super } WHERE {
         ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?super . ?x a ?c }""",
)


def rdfs_closure(store, max_rounds: int = 10) -> int:
    """Add the RDFS entailments to a pyoxigraph Store in place; return how many triples were added."""
    before = start = len(store)
    for _ in range(max_rounds):
        for rule in RULES:
            store.update(rule)
        after = len(store)
        if after == before:
            break
        before = after
    return len(store) - start
