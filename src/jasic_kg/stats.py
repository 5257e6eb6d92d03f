"""`stats`: a VoID description of the graph (https://www.w3.org/TR/void/) and the share of claims carrying
evidence. Everything is computed with SPARQL through the GraphStore, so it works on an endpoint too.
The Turtle form is also a DCAT dataset (https://www.w3.org/TR/vocab-dcat-2/): the shipped graph's title, licence,
creator and source, and the files read (or the endpoint) as its dumps.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple

from jasic_kg.terms import ARTICLE_URL, PREFIXES, PROJECT_NAMESPACES, RDF, show

VOID = PREFIXES["void"]
DATASET_IRI = "https://w3id.org/jasic-kg/void#dataset"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = PREFIXES["dcterms"]
FOAF = PREFIXES["foaf"]
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# What the shipped graph says of itself: the ontology header (ontology/jasic.ttl), the README, NOTICE, CITATION.cff.
GRAPH_TITLE = "The Jasic knowledge graph"
GRAPH_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
GRAPH_CREATOR = "jasic-kg maintainers"
GRAPH_SOURCE = ARTICLE_URL
# Vocabulary namespaces: objects in them are terms of a schema, not links to another dataset.
_VOCABULARIES = tuple(ns for p, ns in PREFIXES.items() if p not in ("jkg", "jid", "jv", "jsh"))

_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p"
_TOTALS = """SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }"""
# The objects in the project's or a vocabulary's namespace are left out here already (stats() skips them too): a
# thousand rows fewer to convert, 2 ms of the command's cold start. The namespaces are constants, as N-Triples.
_IRI_OBJECTS = ("SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (isIRI(?o)) } GROUP BY ?o HAVING ("
                + " && ".join(f"!STRSTARTS(STR(?o), {Literal(ns)})" for ns in PROJECT_NAMESPACES + _VOCABULARIES)
                + ")")
_CLAIMS = """SELECT (COUNT(DISTINCT ?c) AS ?claims) (COUNT(DISTINCT ?q) AS ?quoted)
                    (COUNT(DISTINCT ?e) AS ?evidenced) (COUNT(DISTINCT ?b) AS ?both) WHERE {
  ?c a/rdfs:subClassOf* jkg:Claim .
  OPTIONAL { ?c jkg:quote ?x1 BIND (?c AS ?q) }
  OPTIONAL { ?c jkg:hasEvidence ?x2 BIND (?c AS ?e) }
  OPTIONAL { ?c jkg:quote ?x3 ; jkg:hasEvidence ?x4 BIND (?c AS ?b) }
}"""


def _int(term) -> int:
    return int(term.value) if term is not None else 0


def _dumps(store) -> list[dict]:
    """The files the figures were computed from, as file: URLs, and whether each is one of the shipped graph's
    (only those carry the graph's licence: the user's own files are theirs)."""
    from jasic_kg.io import resources

    shipped = {p.resolve() for p in resources.graph_files()}
    out = []
    for path in getattr(store, "files", ()):  # an endpoint store has no files
        path = Path(path).resolve()
        fmt = RdfFormat.from_extension(path.suffix.lstrip(".").lower())
        out.append({"url": path.as_uri(), "media_type": fmt.media_type if fmt else None,
                    "shipped": path in shipped})
    return out


def stats(store) -> dict:
    totals = store.select(_TOTALS)[0]
    claims = store.select(_CLAIMS)[0]
    links: dict[str, int] = {}
    for r in store.select(_IRI_OBJECTS):
        iri = r["o"].value
        if iri.startswith(PROJECT_NAMESPACES) or iri.startswith(_VOCABULARIES):
            continue
        parts = urlsplit(iri)
        target = f"{parts.scheme}://{parts.netloc}/" if parts.netloc else parts.scheme + ":"
        links[target] = links.get(target, 0) + _int(r["n"])
    n_claims = _int(claims.get("claims"))
    both = _int(claims.get("both"))
    dumps = _dumps(store)
    return {
        "triples": _int(totals.get("triples")),
        "distinct_subjects": _int(totals.get("subjects")),
        "distinct_objects": _int(totals.get("objects")),
        "classes": [{"class": r["c"].value, "entities": _int(r["n"])} for r in store.select(_CLASSES)],
        "properties": [{"property": r["p"].value, "triples": _int(r["n"])} for r in store.select(_PROPERTIES)],
        "links": [{"target": t, "triples": n} for t, n in sorted(links.items(), key=lambda kv: (-kv[1], kv[0]))],
        "claims": {"total": n_claims, "with_quote": _int(claims.get("quoted")),
                   "with_evidence": _int(claims.get("evidenced")), "with_quote_and_evidence": both,
                   "evidence_share": round(both / n_claims, 4) if n_claims else None},
        "dumps": dumps,
        "sparql_endpoint": getattr(store, "url", None),
        # The title, licence and creator are the shipped graph's: stated only when nothing else was read.
        "shipped_graph_only": bool(dumps) and all(d["shipped"] for d in dumps),
    }


graph_stats = stats  # the public API name (jasic_kg.stats is the module)


def render_text(s: dict) -> bytes:
    c = s["claims"]
    share = "n/a" if c["evidence_share"] is None else f"{c['evidence_share']:.1%}"
    lines = [f"triples            {s['triples']}", f"distinct subjects  {s['distinct_subjects']}",
             f"distinct objects   {s['distinct_objects']}",
             f"claims             {c['total']} ({c['with_quote']} with a quote, {c['with_evidence']} with evidence;"
             f" {c['with_quote_and_evidence']} with both = {share})", "", "classes (entities)"]
    width = max([len(show(NamedNode(x["class"]))) for x in s["classes"]] + [10])
    lines += [f"  {show(NamedNode(x['class'])).ljust(width)}  {x['entities']}" for x in s["classes"]]
    lines += ["", "properties (triples)"]
    width = max([len(show(NamedNode(x["property"]))) for x in s["properties"]] + [10])
    lines += [f"  {show(NamedNode(x['property'])).ljust(width)}  {x['triples']}" for x in s["properties"]]
    lines += ["", "links to other datasets (triples)"]
    lines += [f"  {x['target']}  {x['triples']}" for x in s["links"]] or ["  none"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_json(s: dict) -> bytes:
    return (json.dumps(s, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def render_turtle(s: dict) -> bytes:
    """VoID: void:Dataset with class and property partitions and one void:Linkset per external target; DCAT:
    the same node as a dcat:Dataset with one dcat:Distribution per file read (void:dataDump) or the endpoint."""
    from jasic_kg import __version__
    from jasic_kg.export.exporters import serialize_triples

    ds = NamedNode(DATASET_IRI)
    integer = NamedNode(PREFIXES["xsd"] + "integer")

    def v(local):
        return NamedNode(VOID + local)

    def n(value):
        return Literal(str(value), datatype=integer)

    t = [Triple(ds, NamedNode(RDF + "type"), v("Dataset")), Triple(ds, v("triples"), n(s["triples"])),
         Triple(ds, v("distinctSubjects"), n(s["distinct_subjects"])),
         Triple(ds, v("distinctObjects"), n(s["distinct_objects"])),
         Triple(ds, v("classes"), n(len(s["classes"]))), Triple(ds, v("properties"), n(len(s["properties"])))]
    for x in s["classes"]:
        part = BlankNode()
        t += [Triple(ds, v("classPartition"), part), Triple(part, v("class"), NamedNode(x["class"])),
              Triple(part, v("entities"), n(x["entities"]))]
    for x in s["properties"]:
        part = BlankNode()
        t += [Triple(ds, v("propertyPartition"), part), Triple(part, v("property"), NamedNode(x["property"])),
              Triple(part, v("triples"), n(x["triples"]))]
    for x in s["links"]:
        link = BlankNode()
        t += [Triple(link, NamedNode(RDF + "type"), v("Linkset")), Triple(link, v("subjectsTarget"), ds),
              Triple(link, v("objectsTarget"), NamedNode(x["target"])), Triple(link, v("triples"), n(x["triples"]))]
    t += _dcat(s, ds, __version__)
    # The claim-evidence share stays in the text/JSON forms: VoID has no term for it and we mint none here.
    return serialize_triples(t, "turtle")


def _dcat(s: dict, ds: NamedNode, version: str) -> list[Triple]:
    a = NamedNode(RDF + "type")
    license_ = NamedNode(GRAPH_LICENSE)
    t = [Triple(ds, a, NamedNode(DCAT + "Dataset"))]
    if s["shipped_graph_only"]:
        creator = BlankNode()
        t += [Triple(ds, NamedNode(DCTERMS + "title"), Literal(GRAPH_TITLE, language="en")),
              Triple(ds, NamedNode(DCTERMS + "license"), license_),
              Triple(ds, NamedNode(DCTERMS + "creator"), creator),
              Triple(creator, a, NamedNode(FOAF + "Agent")),
              Triple(creator, NamedNode(FOAF + "name"), Literal(GRAPH_CREATOR)),
              Triple(ds, NamedNode(DCTERMS + "source"), NamedNode(GRAPH_SOURCE)),
              Triple(ds, NamedNode(DCAT + "version"), Literal(version))]
    for d in s["dumps"]:
        url, dist = NamedNode(d["url"]), BlankNode()
        t += [Triple(ds, NamedNode(VOID + "dataDump"), url), Triple(ds, NamedNode(DCAT + "distribution"), dist),
              Triple(dist, a, NamedNode(DCAT + "Distribution")), Triple(dist, NamedNode(DCAT + "downloadURL"), url)]
        if d["media_type"]:
            t.append(Triple(dist, NamedNode(DCAT + "mediaType"), NamedNode(IANA_MEDIA_TYPES + d["media_type"])))
        if d["shipped"]:
            t.append(Triple(dist, NamedNode(DCTERMS + "license"), license_))
    if s["sparql_endpoint"]:
        endpoint, service = NamedNode(s["sparql_endpoint"]), BlankNode()
        t += [Triple(ds, NamedNode(VOID + "sparqlEndpoint"), endpoint),
              Triple(service, a, NamedNode(DCAT + "DataService")),
              Triple(service, NamedNode(DCAT + "endpointURL"), endpoint),
              Triple(service, NamedNode(DCAT + "servesDataset"), ds)]
    return t


RENDERERS = {"text": render_text, "json": render_json, "turtle": render_turtle}
