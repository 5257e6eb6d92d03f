"""What the link commands share: the SSSOM mapping sets, the local entities' labels and classes, the label
normalisation and the table of compatible Wikidata classes per local class."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from jasic_kg.errors import InputError
from jasic_kg.links import LinksError, _expand, read_mapping_set
from jasic_kg.terms import JID, JKG

WD = "http://www.wikidata.org/entity/"
NO_TERM = "https://w3id.org/sssom/NoTermFound"
LANGUAGES = ("en", "zh")  # the labels compared and fetched

# Wikidata prefixes, as the query service declares them (https://www.mediawiki.org/wiki/Wikibase/Indexing/RDF_Dump_Format)
WD_PREFIXES = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX p: <http://www.wikidata.org/prop/>\n"
    "PREFIX ps: <http://www.wikidata.org/prop/statement/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "PREFIX schema: <http://schema.org/>\n"
    "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
)


@dataclass(frozen=True)
class WikidataClass:
    qid: str
    label: str
    seen_at: str  # where this class's identifier was seen (never guessed)

    @property
    def iri(self) -> str:
        return WD + self.qid


_P107 = "https://www.wikidata.org/wiki/Property_talk:P107"  # allowed values: person, organization, creative work, place
HUMAN = WikidataClass("Q5", "human", "https://search.r-project.org/CRAN/refmans/wikiTools/html/w_isInstanceOf.html")
PERSON = WikidataClass("Q215627", "person", _P107)
ORGANIZATION = WikidataClass("Q43229", "organization", _P107)
PLACE = WikidataClass("Q618123", "geographical feature", _P107)
CREATIVE_WORK = WikidataClass("Q386724", "creative work", _P107)
LITERARY_WORK = WikidataClass("Q7725634", "literary work", "https://4ort.xyz/entity/literary-work.md")

# A linked or suggested item is compatible with a local entity when it is an instance (wdt:P31/wdt:P279*) of one
# of its class's Wikidata classes. One table for check and suggest; a local class not here is not type-checked.
TYPE_RULES: dict[str, tuple[WikidataClass, ...]] = {
    JKG + "Person": (HUMAN, PERSON),
    JKG + "Organisation": (ORGANIZATION,),
    JKG + "Place": (PLACE,),
    JKG + "Book": (LITERARY_WORK, CREATIVE_WORK),
    JKG + "Article": (CREATIVE_WORK,),
    JKG + "Periodical": (CREATIVE_WORK,),
    JKG + "Work": (CREATIVE_WORK,),
}
ALL_CLASSES = tuple(dict.fromkeys(c for rule in TYPE_RULES.values() for c in rule))


@dataclass(frozen=True)
class Mapping:
    subject: str
    subject_label: str
    predicate: str
    object: str
    object_label: str
    row: dict

    @property
    def is_wikidata(self) -> bool:
        return self.object.startswith(WD)


def default_links_file() -> Path:
    from jasic_kg.io import resources

    return resources.root() / "data" / "links.sssom.tsv"


def read_mappings(path: Path) -> tuple[dict, list[dict], list[Mapping]]:
    """The header, the raw rows and the rows as Mappings (CURIEs expanded) of an SSSOM TSV file."""
    try:
        metadata, rows = read_mapping_set(path)
    except OSError as e:
        raise InputError(f"cannot read the mapping set: {e.strerror or e}", path) from None
    except Exception as e:  # YAML header or TSV body that does not parse
        raise InputError(f"not an SSSOM TSV file: {e}", path) from None
    curie_map = dict(metadata.get("curie_map") or {})
    out = []
    for n, row in enumerate(rows, 2):
        try:
            out.append(Mapping(_expand(row["subject_id"], curie_map).value, row.get("subject_label") or "",
                               _expand(row["predicate_id"], curie_map).value,
                               _expand(row["object_id"], curie_map).value, row.get("object_label") or "", row))
        except (LinksError, KeyError, TypeError) as e:
            raise InputError(f"row {n}: {e}", path) from None
    return metadata, rows, out


def normalise(text: str) -> str:
    """Labels compared as people read them: Unicode NFKC, case folded, punctuation dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c if unicodedata.category(c)[0] in "LNZ" else " " for c in text)
    return re.sub(r"\s+", " ", text).strip()


def local_entities(store, subjects: list[str]) -> dict[str, dict]:
    """For each subject: its classes (in TYPE_RULES) and its labels (rdfs:label and skos:altLabel, en and zh) as
    (text, language, property) triples."""
    from jasic_kg.linking.client import iris

    info = {s: {"classes": [], "labels": []} for s in subjects}
    if not subjects:
        return info
    langs = ", ".join(f'"{lang}"' for lang in LANGUAGES)
    result = store.query(f"""
        SELECT ?s ?class ?label ?prop WHERE {{
          VALUES ?s {{ {iris(subjects)} }}
          {{ ?s a ?class . VALUES ?class {{ {iris(TYPE_RULES)} }} }}
          UNION
          {{ VALUES ?prop {{ <http://www.w3.org/2000/01/rdf-schema#label> <http://www.w3.org/2004/02/skos/core#altLabel> }}
             ?s ?prop ?label . FILTER (LANG(?label) IN ({langs})) }}
        }}""")
    for s, cls, label, prop in result.rows:
        entry = info[s.value]
        if cls is not None and cls.value not in entry["classes"]:
            entry["classes"].append(cls.value)
        if label is not None:
            entry["labels"].append((label.value, label.language, prop.value))
    for entry in info.values():
        entry["classes"].sort(key=list(TYPE_RULES).index)
        entry["labels"].sort(key=lambda x: (not x[2].endswith("#label"), x[1] or "", x[0]))
    return info


def rules_for(classes: list[str]) -> tuple[WikidataClass, ...]:
    """The Wikidata classes compatible with an entity of these local classes (any of them: the Made in China
    Journal is both a periodical and an organisation)."""
    return tuple(dict.fromkeys(c for cls in classes for c in TYPE_RULES.get(cls, ())))


def curie(iri: str) -> str:
    for prefix, ns in (("wd", WD), ("jid", JID), ("jkg", JKG)):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
