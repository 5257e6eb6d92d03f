"""`link suggest`: candidate Wikidata items for the entities without a link, as SSSOM rows to review.

The entities are those queries/unlinked.rq reports as "no link found" or "not reviewed" (a "candidate" already
has one). Each label of an entity (rdfs:label and skos:altLabel, en and zh) and a few spelling variants of it
(trailing punctuation, a leading "the", a parenthesis, capitalisation) are looked up as exact rdfs:label and
skos:altLabel literals of the endpoint (an indexed lookup on Wikidata), in batches. A match is kept only when
the item is an instance of a class compatible with the entity's (mappings.TYPE_RULES), and ranked:

    label  the entity's rdfs:label is the item's rdfs:label           confidence 0.9
    alias  an alias on either side matches                            confidence 0.7
    fuzzy  a spelling variant matches (scaled by the similarity)      confidence 0.5 x similarity

Each row carries its evidence in SSSOM's own columns (match_string, subject_match_field, object_match_field) and
in `comment` (the item's description, its compatible class). Rows are never written into links.sssom.tsv: the
output is a separate candidates file for review.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

from jasic_kg.linking.client import SparqlClient, iri_terms, literal
from jasic_kg.linking.mappings import (
    ALL_CLASSES,
    WD,
    WD_PREFIXES,
    curie,
    local_entities,
    normalise,
    rules_for,
)
from jasic_kg.terms import JKG

# Two steps, each with its VALUES bound, so that any engine starts from the selective side: the items whose
# label or alias is one of the texts, then which compatible classes those items are instances of (a class-first
# plan would walk every instance of "creative work").
LABEL_QUERY = WD_PREFIXES + """
SELECT ?text ?item ?field ?itemLabel ?description WHERE {
  VALUES ?text {}
  { ?item rdfs:label ?text BIND ("label" AS ?field) }
  UNION
  { ?item skos:altLabel ?text BIND ("alias" AS ?field) }
  OPTIONAL { ?item rdfs:label ?itemLabel FILTER (LANG(?itemLabel) = "en") }
  OPTIONAL { ?item schema:description ?description FILTER (LANG(?description) = "en") }
}
"""
CLASS_QUERY = WD_PREFIXES + """
SELECT ?item ?class WHERE {
  VALUES ?item {}
  VALUES ?class { %(classes)s }
  ?item wdt:P31/wdt:P279* ?class .
}
"""

TIERS = {"label": 0, "alias": 1, "fuzzy": 2}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
COLUMNS = ["subject_id", "subject_label", "predicate_id", "object_id", "object_label", "mapping_justification",
           "confidence", "mapping_tool", "mapping_date", "subject_match_field", "object_match_field", "match_string",
           "see_also", "comment"]
SET_ID = "https://w3id.org/jasic-kg/mappings/suggested"


@dataclass(frozen=True)
class Candidate:
    subject: str
    subject_label: str
    item: str
    item_label: str
    tier: str
    confidence: float
    match_string: str
    match_language: str
    subject_field: str  # rdfs:label or skos:altLabel
    object_field: str
    description: str
    item_class: str

    def sort_key(self):
        return (TIERS[self.tier], -self.confidence, int(self.item.rsplit("Q", 1)[-1] or 0))


def unlinked_entities(store, types: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(IRI, label) of the entities without a link and without a candidate, optionally of the given local
    classes (names such as Place or jkg:Place)."""
    from jasic_kg.queries import load_saved_queries, run_saved_query

    result = run_saved_query(store, load_saved_queries()["unlinked"])
    col = {v: i for i, v in enumerate(result.variables)}
    rows = [(r[col["entity"]].value, r[col["label"]].value) for r in result.rows
            if r[col["status"]].value in ("no link found", "not reviewed")]
    rows = list(dict.fromkeys(rows))
    if not types:
        return rows
    wanted = {JKG + t.removeprefix("jkg:") for t in types}
    info = local_entities(store, [iri for iri, _ in rows])
    return [(iri, label) for iri, label in rows if wanted & set(info[iri]["classes"])]


def variants(text: str) -> set[str]:
    """Spellings an authority may use for the same name: without trailing punctuation, a leading "the" or a
    parenthesis, capitalised, in title case."""
    out = {text.rstrip(" .?!"), re.sub(r"^the\s+", "", text, flags=re.I), re.sub(r"\s*\([^)]*\)", "", text).strip(),
           text[:1].upper() + text[1:], text.title()}
    out.discard("")
    out.discard(text)
    return out


def suggest(client: SparqlClient, store, types: tuple[str, ...] = (), limit: int = 3,
            progress=None) -> tuple[list[Candidate], list[tuple[str, str]]]:
    """Ranked candidates for the unlinked entities (at most `limit` each), and the entities that have no type
    rule (not looked up: an untyped suggestion is a guess)."""
    entities = unlinked_entities(store, types)
    info = local_entities(store, [iri for iri, _ in entities])
    lookups: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}  # (text, lang) -> (entity, kind, field, original)
    untyped = []
    for iri, label in entities:
        if not rules_for(info[iri]["classes"]):
            untyped.append((iri, label))
            continue
        for text, lang, prop in info[iri]["labels"]:
            field_name = "rdfs:label" if prop == RDFS_LABEL else "skos:altLabel"
            lookups.setdefault((text, lang), []).append((iri, "exact", field_name, text))
            for variant in variants(text):
                lookups.setdefault((variant, lang), []).append((iri, "variant", field_name, text))
    terms = [literal(text, lang) for text, lang in lookups]
    found = client.select_batched(LABEL_QUERY, terms, progress, var="text", expect=(
        "text", "item", "field", "itemLabel", "description")).rows if terms else []
    found = [row for row in found if row[0] is not None and row[1] is not None and row[1].value.startswith(WD)]
    classes: dict[str, set[str]] = {}
    items = sorted({row[1].value for row in found})
    if items:
        query = CLASS_QUERY % {"classes": " ".join(f"wd:{c.qid}" for c in ALL_CLASSES)}
        for item, cls in client.select_batched(query, iri_terms(items), progress, expect=("item", "class")).rows:
            if item is not None and cls is not None:
                classes.setdefault(item.value, set()).add(cls.value)
    labels = dict(entities)
    best: dict[tuple[str, str], Candidate] = {}
    for text, item, field_kind, item_label, description in found:
        for entity, kind, subject_field, original in lookups.get((text.value, text.language), []):
            compatible = [c for c in rules_for(info[entity]["classes"]) if c.iri in classes.get(item.value, ())]
            if not compatible:
                continue
            object_field = "rdfs:label" if field_kind is not None and field_kind.value == "label" else "skos:altLabel"
            if kind == "variant":
                tier = "fuzzy"
                similarity = difflib.SequenceMatcher(None, normalise(original), normalise(text.value)).ratio()
                confidence = round(0.5 * similarity, 2)
            elif subject_field == "rdfs:label" and object_field == "rdfs:label":
                tier, confidence = "label", 0.9
            else:
                tier, confidence = "alias", 0.7
            candidate = Candidate(entity, labels[entity], item.value, item_label.value if item_label else "",
                                  tier, confidence, text.value, text.language or "", subject_field, object_field,
                                  description.value if description else "",
                                  f"{compatible[0].label} (wd:{compatible[0].qid})")
            key = (entity, item.value)
            if key not in best or candidate.sort_key() < best[key].sort_key():
                best[key] = candidate
    ranked = []
    for iri, _ in entities:
        ranked += sorted((c for (e, _), c in best.items() if e == iri), key=Candidate.sort_key)[:limit]
    return ranked, untyped


def sssom_tsv(candidates: list[Candidate], endpoint: str, today: dt.date | None = None) -> str:
    """The candidates as an SSSOM mapping set (TSV with its YAML header), one row each, best first per entity."""
    from jasic_kg import __version__

    today = (today or dt.date.today()).isoformat()
    header = [
        "curie_map:",
        '  jid: "https://w3id.org/jasic-kg/id/"',
        '  wd: "http://www.wikidata.org/entity/"',
        '  rdfs: "http://www.w3.org/2000/01/rdf-schema#"',
        '  skos: "http://www.w3.org/2004/02/skos/core#"',
        '  semapv: "https://w3id.org/semapv/vocab/"',
        f"mapping_set_id: {SET_ID}",
        'mapping_set_title: "jasic-kg link suggestions (candidates to review, not links)"',
        f'mapping_set_description: "Suggested by jasic-kg link suggest from {endpoint}: review each row before '
        'moving it into data/links.sssom.tsv with the page where the identifier was seen"',
        "license: https://creativecommons.org/licenses/by/4.0/",
        f"mapping_date: {today}",
    ]
    lines = ["#" + line for line in header] + ["\t".join(COLUMNS)]
    for c in candidates:
        evidence = (f"{c.tier} match: {c.match_string!r}@{c.match_language} is the item's {c.object_field} and the "
                    f"entity's {c.subject_field}; instance of {c.item_class}"
                    + (f"; the item's description: {c.description}" if c.description else ""))
        values = {
            "subject_id": curie(c.subject), "subject_label": c.subject_label, "predicate_id": "skos:exactMatch",
            "object_id": curie(c.item), "object_label": c.item_label, "mapping_justification": "semapv:LexicalMatching",
            "confidence": f"{c.confidence:g}", "mapping_tool": f"jasic-kg link suggest {__version__}",
            "mapping_date": today, "subject_match_field": c.subject_field, "object_match_field": c.object_field,
            "match_string": c.match_string, "see_also": endpoint, "comment": evidence,
        }
        lines.append("\t".join(_cell(values[k]) for k in COLUMNS))
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return " ".join(str(value).split())  # a TSV cell: no tab, no line break


def summary(candidates: list[Candidate], untyped: list[tuple[str, str]], looked_up: int) -> str:
    entities = len({c.subject for c in candidates})
    text = f"{len(candidates)} candidates for {entities} of {looked_up} unlinked entities"
    if untyped:
        text += f"; {len(untyped)} not looked up (no type rule for their class: {', '.join(curie(i) for i, _ in untyped[:5])}"
        text += ", …)" if len(untyped) > 5 else ")"
    return text
