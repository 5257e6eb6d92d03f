"""CSV: spreadsheet tables of the main entity kinds (events, people, organisations, places, claims)."""

from __future__ import annotations

import csv
import io

from jasic_kg.terms import curie, show



# --- CSV --------------------------------------------------------------------------------------------------

_SEP = " | "  # several values in one cell
_LABEL = "(SAMPLE(?l) AS ?label)"
TABLES: dict[str, tuple[str, str]] = {
    "events": ("jkg:Event and its subclasses, with dates as stated, their bounds and the latest start of those known only to be under way", f"""
        SELECT ?id {_LABEL} (GROUP_CONCAT(DISTINCT STR(?t); separator="{_SEP}") AS ?type)
               (SAMPLE(?ds) AS ?date_stated) (SAMPLE(?ed) AS ?edtf) (MIN(?e1) AS ?earliest_date)
               (MAX(?e2) AS ?latest_date) (MIN(?ls) AS ?latest_start_date) (SAMPLE(?np) AS ?narrative_position)
        WHERE {{ ?id a ?t . ?t rdfs:subClassOf* jkg:Event .
          OPTIONAL {{ ?id rdfs:label ?l FILTER (LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }}
          OPTIONAL {{ ?id jkg:dateStated ?ds }} OPTIONAL {{ ?id jkg:edtf ?ed }}
          OPTIONAL {{ ?id jkg:earliestDate ?e1 }} OPTIONAL {{ ?id jkg:latestDate ?e2 }}
          OPTIONAL {{ ?id jkg:latestStartDate ?ls }} OPTIONAL {{ ?id jkg:narrativePosition ?np }} }}
        GROUP BY ?id ORDER BY ?earliest_date ?narrative_position ?id"""),
    "people": ("jkg:Person, with other names", f"""
        SELECT ?id {_LABEL} (GROUP_CONCAT(DISTINCT STR(?alt); separator="{_SEP}") AS ?other_names)
        WHERE {{ ?id a/rdfs:subClassOf* jkg:Person .
          OPTIONAL {{ ?id rdfs:label ?l FILTER (LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }}
          OPTIONAL {{ ?id skos:altLabel ?alt }} }}
        GROUP BY ?id ORDER BY ?id"""),
    "organisations": ("jkg:Organisation and jkg:InformalGroup (networks, groups), with other names", f"""
        SELECT ?id {_LABEL} (GROUP_CONCAT(DISTINCT STR(?t); separator="{_SEP}") AS ?type)
               (GROUP_CONCAT(DISTINCT STR(?alt); separator="{_SEP}") AS ?other_names)
        WHERE {{ VALUES ?top {{ jkg:Organisation jkg:InformalGroup }} ?id a ?t . ?t rdfs:subClassOf* ?top .
          OPTIONAL {{ ?id rdfs:label ?l FILTER (LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }}
          OPTIONAL {{ ?id skos:altLabel ?alt }} }}
        GROUP BY ?id ORDER BY ?id"""),
    "places": ("jkg:Place", f"""
        SELECT ?id {_LABEL} (GROUP_CONCAT(DISTINCT STR(?w); separator="{_SEP}") AS ?within)
        WHERE {{ ?id a/rdfs:subClassOf* jkg:Place .
          OPTIONAL {{ ?id rdfs:label ?l FILTER (LANGMATCHES(LANG(?l), "en") || LANG(?l) = "") }}
          OPTIONAL {{ ?id jkg:withinPlace ?w }} }}
        GROUP BY ?id ORDER BY ?id"""),
    "claims": ("jkg:Claim and subclasses: quote, voice, relay, evidence type, cited source", f"""
        SELECT ?id (GROUP_CONCAT(DISTINCT STR(?a); separator="{_SEP}") AS ?about)
               (GROUP_CONCAT(DISTINCT STR(?q); separator="{_SEP}") AS ?quote)
               (GROUP_CONCAT(DISTINCT STR(?v); separator="{_SEP}") AS ?asserted_by)
               (GROUP_CONCAT(DISTINCT STR(?r); separator="{_SEP}") AS ?reported_by)
               (GROUP_CONCAT(DISTINCT STR(?et); separator="{_SEP}") AS ?evidence_type)
               (GROUP_CONCAT(DISTINCT STR(?src); separator="{_SEP}") AS ?cites_source)
               (SAMPLE(?s) AS ?summary)
        WHERE {{ ?id a/rdfs:subClassOf* jkg:Claim .
          OPTIONAL {{ ?id jkg:claimAbout ?a }} OPTIONAL {{ ?id jkg:quote ?q }}
          OPTIONAL {{ ?id jkg:assertedBy ?v }} OPTIONAL {{ ?id jkg:reportedBy ?r }}
          OPTIONAL {{ ?id jkg:evidenceType ?et }} OPTIONAL {{ ?id jkg:citesSource ?src }}
          OPTIONAL {{ ?id jkg:summary ?s }} }}
        GROUP BY ?id ORDER BY ?id"""),
}


def _cell(term) -> str:
    """IRIs as CURIEs (jid: slugs read well in a spreadsheet); GROUP_CONCAT'd IRIs arrive as strings."""
    if term is None:
        return ""
    text = show(term)
    if _SEP in text or text.startswith("http"):
        # GROUP_CONCAT's order is unspecified: sort the parts so the file is deterministic.
        text = _SEP.join(sorted(curie(part) or part for part in text.split(_SEP)))
    return text


def csv_table(store, name: str) -> bytes:
    result = store.query(TABLES[name][1])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_cell(t) for t in row])
    return buf.getvalue().encode("utf-8")
