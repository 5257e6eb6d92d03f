"""Links to external authorities: the SSSOM mapping sets in data/*.sssom.tsv as RDF (data/generated/links.ttl).

data/links.sssom.tsv holds reviewed links; data/links-candidates.sssom.tsv holds candidates awaiting review and
entities for which no identifier was seen (object sssom:NoTermFound). Both are the source of truth; links.ttl
is generated from them (`python -m jasic_kg.generate` rewrites it, as data/generated/links.ttl) and a test keeps it in sync.

Every row becomes a mapping node (a sssom:Mapping, reified like an OWL axiom annotation) carrying its
justification, confidence, author, date and the page where the identifier was seen. Only rows of the links set
also assert the link itself (subject skos:exactMatch object): a candidate is never a link.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pyoxigraph as ox
import yaml

from jasic_kg.terms import OWL, RDFS, XSD

LINK_SETS = ("links.sssom.tsv",)
CANDIDATE_SETS = ("links-candidates.sssom.tsv",)

SSSOM = "https://w3id.org/sssom/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PAV = "http://purl.org/pav/"
MAPPING_BASE = "https://w3id.org/jasic-kg/mapping/"

PREFIXES = {
    "jid": "https://w3id.org/jasic-kg/id/",
    "jkgagent": "https://w3id.org/jasic-kg/agent/",
    "jkgmap": MAPPING_BASE,
    "wd": "http://www.wikidata.org/entity/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": OWL,
    "rdfs": RDFS,
    "xsd": XSD,
    "pav": PAV,
    "sssom": SSSOM,
    "semapv": "https://w3id.org/semapv/vocab/",
}


class LinksError(ValueError):
    """A mapping set that cannot be turned into RDF (unknown prefix, missing column)."""


def read_mapping_set(path: Path) -> tuple[dict, list[dict[str, str]]]:
    """The YAML header (lines starting with '#') and the rows of an SSSOM TSV file."""
    text = path.read_text(encoding="utf-8")
    header = [line[1:] for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    metadata = yaml.safe_load("\n".join(header)) or {}
    rows = list(csv.DictReader(io.StringIO(body), delimiter="\t"))
    return metadata, rows


def _expand(curie: str, curie_map: dict[str, str]) -> ox.NamedNode:
    prefix, sep, local = curie.partition(":")
    if sep and prefix in curie_map:
        return ox.NamedNode(curie_map[prefix] + local)
    if curie.startswith(("http://", "https://", "urn:")):
        return ox.NamedNode(curie)
    raise LinksError(f"{curie!r}: prefix not in the mapping set's curie_map")


def _mapping_node(set_id: str, row: dict[str, str]) -> ox.NamedNode:
    # stable across runs and row order: a digest of the set and the mapped pair
    key = "\t".join((set_id, row["subject_id"], row["predicate_id"], row["object_id"]))
    return ox.NamedNode(MAPPING_BASE + hashlib.sha256(key.encode()).hexdigest()[:16])


def mapping_quads(path: Path, assert_links: bool) -> list[ox.Quad]:
    metadata, rows = read_mapping_set(path)
    curie_map = dict(metadata.get("curie_map") or {})
    set_id = str(metadata.get("mapping_set_id", ""))
    quads: list[ox.Quad] = []

    def add(s, p, o):
        quads.append(ox.Quad(s, p if isinstance(p, ox.NamedNode) else ox.NamedNode(p), o))

    for row in rows:
        missing = [c for c in ("subject_id", "predicate_id", "object_id", "mapping_justification") if not row.get(c)]
        if missing:
            raise LinksError(f"{path.name}: a row lacks {', '.join(missing)}")
        subject = _expand(row["subject_id"], curie_map)
        predicate = _expand(row["predicate_id"], curie_map)
        target = _expand(row["object_id"], curie_map)
        node = _mapping_node(set_id, row)
        add(node, RDF_TYPE, ox.NamedNode(SSSOM + "Mapping"))
        add(node, OWL + "annotatedSource", subject)
        add(node, OWL + "annotatedProperty", predicate)
        add(node, OWL + "annotatedTarget", target)
        add(node, SSSOM + "mapping_set_id", ox.Literal(set_id, datatype=ox.NamedNode(XSD + "anyURI")))
        add(node, SSSOM + "mapping_justification", _expand(row["mapping_justification"], curie_map))
        if row.get("confidence"):
            # xsd:decimal, not SSSOM's double: a JSON-LD round trip rewrites a double's lexical form ("9.0E-1")
            add(node, SSSOM + "confidence", ox.Literal(row["confidence"], datatype=ox.NamedNode(XSD + "decimal")))
        if row.get("mapping_cardinality"):
            add(node, SSSOM + "mapping_cardinality", ox.Literal(row["mapping_cardinality"]))
        if row.get("subject_label"):
            add(node, SSSOM + "subject_label", ox.Literal(row["subject_label"]))
        if row.get("object_label"):
            add(node, SSSOM + "object_label", ox.Literal(row["object_label"]))
        if row.get("author_id"):
            add(node, PAV + "authoredBy", _expand(row["author_id"], curie_map))
        if row.get("mapping_date"):
            add(node, PAV + "authoredOn", ox.Literal(row["mapping_date"], datatype=ox.NamedNode(XSD + "date")))
        if row.get("see_also"):
            add(node, RDFS + "seeAlso", ox.NamedNode(row["see_also"]))
        if row.get("comment"):
            add(node, RDFS + "comment", ox.Literal(row["comment"], language="en"))
        if row.get("other"):  # `link check --write` records the link's last status here
            add(node, SSSOM + "other", ox.Literal(row["other"]))
        if assert_links:
            add(subject, predicate, target)
    return quads


def links_turtle(data_dir: Path) -> str:
    """links.ttl as text, from the mapping sets in data_dir."""
    quads = [q for name in LINK_SETS for q in mapping_quads(data_dir / name, assert_links=True)]
    quads += [q for name in CANDIDATE_SETS for q in mapping_quads(data_dir / name, assert_links=False)]
    # the curators' agent is named by author_id: give it a type and a label so no reference dangles
    agents = {q.object for q in quads if q.predicate.value == PAV + "authoredBy"}
    for agent in sorted(agents, key=str):
        quads.append(ox.Quad(agent, RDF_TYPE, ox.NamedNode("http://www.w3.org/ns/prov#Agent")))
        quads.append(ox.Quad(agent, ox.NamedNode(RDFS + "label"), ox.Literal("jasic-kg curators", language="en")))
    store = ox.Store()
    store.extend(quads)
    body = store.dump(format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES).decode()
    sources = " and ".join(f"data/{name}" for name in LINK_SETS + CANDIDATE_SETS)
    return (f"# Generated from {sources} by `python -m jasic_kg.generate`: do not edit, edit the TSV files.\n"
            + body)
