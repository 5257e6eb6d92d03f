"""Exports: one registry of formats (the --format choices come from it).

Every RDF export is deterministic: blank nodes get canonical labels (RDFC-1.0, https://www.w3.org/TR/rdf-canon/),
quads are sorted, and only the prefixes the output uses are declared. Every RDF export parses back to a graph
isomorphic to the source (tests/test_export.py checks each format).

JSON-LD is compacted with the shipped context (context.py derives it from the ontology) by pyld; pyld never
fetches anything: its document loader serves only the shipped context. CSV gives spreadsheet tables of the main
entity kinds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyoxigraph import (
    CanonicalizationAlgorithm, Dataset, DefaultGraph, NamedNode, Quad, RdfFormat, Triple, serialize,
)

from jasic_kg.errors import InputError
from jasic_kg.terms import JKG, PREFIXES, curie, show

CONTEXT_URL = "https://w3id.org/jasic-kg/context.jsonld"


# --- determinism ------------------------------------------------------------------------------------------

def canonical_quads(quads: Iterable[Quad | Triple]) -> list[Quad]:
    """Quads with canonical blank-node labels, sorted: the same graph always serializes the same way."""
    ds = Dataset()
    for q in quads:
        ds.add(q if isinstance(q, Quad) else Quad(q.subject, q.predicate, q.object, DefaultGraph()))
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(ds, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def used_prefixes(quads: Iterable[Quad]) -> dict[str, str]:
    used = set()
    for q in quads:
        for term in (q.subject, q.predicate, q.object, q.graph_name):
            iri = term.value if isinstance(term, NamedNode) else getattr(getattr(term, "datatype", None), "value", None)
            c = curie(iri) if iri else None
            if c:
                used.add(c.split(":", 1)[0])
    return {p: ns for p, ns in PREFIXES.items() if p in used}


def _rdf(fmt: RdfFormat, quads_form: bool):
    def write(quads: list[Quad]) -> bytes:
        items = quads if quads_form else [q.triple for q in quads]
        prefixes = used_prefixes(quads) if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
        out = serialize(items, format=fmt, prefixes=prefixes)
        if prefixes and fmt != RdfFormat.RDF_XML:
            # Drop a declared prefix the serializer chose not to use (e.g. a local name it must escape).
            text = out.decode("utf-8")
            unused = [p for p in prefixes if f"{p}:" not in text.split("\n", len(prefixes))[-1]]
            if unused:
                out = serialize(items, format=fmt, prefixes={p: v for p, v in prefixes.items() if p not in unused})
        return out

    return write


# --- JSON-LD ----------------------------------------------------------------------------------------------

def _document_loader(url, options=None):
    """pyld's loader: the shipped context by its URL, nothing else, never the network."""
    from pyld import jsonld

    if url == CONTEXT_URL:
        from jasic_kg.context import load_context

        return {"contextUrl": None, "documentUrl": url, "document": {"@context": load_context()}}
    raise jsonld.JsonLdError(f"refusing to fetch {url}: jasic-kg never loads remote JSON-LD documents",
                             "jsonld.LoadDocumentError", code="loading document failed")


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def expanded_jsonld(quads: list[Quad]) -> list:
    """Expanded JSON-LD from pyoxigraph's writer, with rdf:type IRIs moved to @type as the JSON-LD
    "Serialize RDF as JSON-LD" algorithm does (useRdfType false; https://www.w3.org/TR/json-ld11-api/#serialize-rdf-as-json-ld-algorithm).
    pyoxigraph keeps rdf:type as a property; pyld's own from_rdf does it right but takes seconds on this graph."""
    nodes = json.loads(serialize([q.triple for q in quads], format=RdfFormat.JSON_LD))
    for node in nodes:
        values = node.get(_RDF_TYPE)
        if values and all("@id" in v for v in values):
            del node[_RDF_TYPE]
            node["@type"] = [v["@id"] for v in values]
    return nodes


def _processor():
    """pyld's processor with IRI compaction memoised: pyld recomputes the CURIE of the same IRI against every
    context entry each time it meets it (2-3 s on the shipped graph; 0.1 s memoised). Only calls without a
    `value` are cached: their result depends on nothing but the arguments."""
    from pyld import jsonld

    class CachingProcessor(jsonld.JsonLdProcessor):
        def __init__(self):
            super().__init__()
            self._iris = {}

        def _compact_iri(self, active_ctx, iri, value=None, vocab=False, base=None, reverse=False):
            if value is not None:
                return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
            key = (id(active_ctx), iri, vocab, base, reverse)
            hit = self._iris.get(key)
            if hit is None or hit[0] is not active_ctx:  # the context is kept alive, so its id is not reused
                hit = self._iris[key] = (active_ctx, super()._compact_iri(active_ctx, iri, value, vocab, base,
                                                                          reverse))
            return hit[1]

    return CachingProcessor()


def compact_jsonld(quads: list[Quad]) -> dict:
    from jasic_kg.context import load_context

    ctx = load_context()
    # skipExpansion: pyoxigraph's output is already expanded JSON-LD; expanding it again costs a second.
    doc = _processor().compact(expanded_jsonld(quads), {"@context": ctx},
                               {"documentLoader": _document_loader, "skipExpansion": True})
    if "@graph" not in doc:  # a single node compacts without @graph; keep one shape for consumers
        body = {k: v for k, v in doc.items() if k != "@context"}
        doc = {"@context": doc["@context"], "@graph": [body] if body else []}
    return doc


def _dump(doc) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


FRAME_CLASSES = {
    "event": [JKG + "Event"],
    "person": [JKG + "Person"],
    "organisation": [JKG + "Organisation", JKG + "InformalGroup"],
}


_ENTITY_PAGE = """
CONSTRUCT { ?e ?p ?o . ?o a ?ot ; rdfs:label ?ol . ?c ?cp ?co . ?co rdfs:label ?col }
WHERE {
  { ?e ?p ?o OPTIONAL { ?o a ?ot } OPTIONAL { ?o rdfs:label ?ol } }
  UNION
  { ?c jkg:claimAbout ?e ; ?cp ?co OPTIONAL { ?co rdfs:label ?col } }
}"""


def framed_jsonld(store, kind: str) -> dict[str, dict]:
    """One framed JSON-LD document per entity of `kind` (subclasses included), keyed by slug.

    A document holds what an entity page needs: the entity's own statements, the label and type of each node it
    points to, and the claims about it ("claims", a reverse jkg:claimAbout) with their quotes, voices and sources,
    framed (JSON-LD 1.1 Framing, https://www.w3.org/TR/json-ld11-framing/) with the entity at the root.
    """
    from pyld import jsonld

    from jasic_kg.context import load_context

    ctx = {**load_context(), "claims": {"@reverse": "jkg:claimAbout"}}
    classes = " ".join(f"<{c}>" for c in FRAME_CLASSES[kind])
    rows = store.select(f"""SELECT DISTINCT ?e WHERE {{ VALUES ?c {{ {classes} }}
        ?e a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?c . FILTER (isIRI(?e)) }} ORDER BY ?e""")
    docs = {}
    for row in rows:
        iri = row["e"]
        quads = canonical_quads(store.construct(_ENTITY_PAGE, {"e": iri}))
        nquads = serialize(quads, format=RdfFormat.N_QUADS).decode("utf-8")
        # pyld's from_rdf turns rdf:type into @type, which framing needs to leave classes unembedded.
        expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
        framed = jsonld.frame(expanded, {"@context": ctx, "@id": iri.value, "@embed": "@once", "claims": {}},
                              {"documentLoader": _document_loader})
        slug = iri.value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        docs[slug] = framed
    return docs


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


# --- the registry -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exporter:
    name: str
    help: str
    extension: str
    write: Callable[[list[Quad]], bytes] | None  # None: handled specially (jsonld frames, csv)


EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    Exporter("turtle", "Turtle", ".ttl", _rdf(RdfFormat.TURTLE, False)),
    Exporter("nt", "N-Triples (canonical form)", ".nt", _rdf(RdfFormat.N_TRIPLES, False)),
    Exporter("nq", "N-Quads", ".nq", _rdf(RdfFormat.N_QUADS, True)),
    Exporter("trig", "TriG", ".trig", _rdf(RdfFormat.TRIG, True)),
    Exporter("jsonld", "JSON-LD compacted with the shipped context (--frame for one document per entity)",
             ".jsonld", lambda quads: _dump(compact_jsonld(quads))),
    Exporter("xml", "RDF/XML", ".rdf", _rdf(RdfFormat.RDF_XML, False)),
    Exporter("csv", "CSV tables: " + ", ".join(TABLES), ".csv", None),
)}


def serialize_triples(triples: Iterable[Triple], fmt: str) -> bytes:
    """A graph (e.g. a CONSTRUCT result) in one of the RDF export formats."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None or exporter.write is None:
        raise InputError(f"not an RDF export format: {fmt}")
    return exporter.write(canonical_quads(triples))


def export(store, fmt: str = "turtle", *, frame: str | None = None, table: str | None = None,
           split: bool = False) -> bytes | dict[str, bytes]:
    """The graph in `fmt`: bytes, or {file name: bytes} when the export is several documents."""
    if fmt not in EXPORTERS:
        raise InputError(f"unknown export format {fmt!r} (formats: {', '.join(EXPORTERS)})")
    if fmt == "csv":
        if table:
            return csv_table(store, table)
        if not split:
            raise InputError("--format csv writes several tables: give --table NAME or --output DIR "
                             f"(tables: {', '.join(TABLES)})")
        return {f"{name}.csv": csv_table(store, name) for name in TABLES}
    if fmt == "jsonld" and frame:
        if frame not in FRAME_CLASSES:
            raise InputError(f"unknown frame {frame!r} (frames: {', '.join(FRAME_CLASSES)})")
        docs = framed_jsonld(store, frame)
        if split:
            return {f"{slug}.jsonld": _dump(doc) for slug, doc in docs.items()}
        graph = [{k: v for k, v in doc.items() if k != "@context"} for doc in docs.values()]
        context = next(iter(docs.values()))["@context"] if docs else {}
        return _dump({"@context": context, "@graph": graph})
    return EXPORTERS[fmt].write(canonical_quads(store.quads()))


export_graph = export  # the public API name (jasic_kg.export is the module)
