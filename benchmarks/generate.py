"""Deterministic synthetic data for the jasic-kg benchmarks.

Scales the project's own model (docs/model.md) to a chosen number of triples:
events with participants, places, vague dates (jkg:dateStated, jkg:edtf,
jkg:earliestDate / jkg:latestDate), quantities (statedAs / value / bounds) and
claims (jkg:quote, jkg:assertedBy, jkg:evidenceType, jkg:statedIn), and plants
a known number of SHACL violations against ``benchmarks/shapes.ttl``.

Usage::

    python benchmarks/generate.py --size 100k --out benchmarks/work
    # -> benchmarks/work/data-100k.ttl and data-100k.violations.json

The sidecar JSON lists every expected validation result as
``{focus, path, component, shape, value, kind}`` (IRIs / N-Triples terms, value
``null`` where SHACL reports none).  Same size + same seed -> byte-identical
output (no clock, no hash-order dependence).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from pathlib import Path

JKG = "https://w3id.org/jasic-kg/ontology#"
JID = "https://w3id.org/jasic-kg/id/"
JV = "https://w3id.org/jasic-kg/vocab/"
JSH = "https://w3id.org/jasic-kg/bench-shapes#"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

PREFIXES = """\
@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
@prefix jid: <https://w3id.org/jasic-kg/id/> .
@prefix jv: <https://w3id.org/jasic-kg/vocab/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

EVENT_TYPES = ["complaint", "petition", "demonstration", "dismissal", "detention", "raid", "crackdown", "publication"]
EVIDENCE_TYPES = [
    "author-narrative", "author-argument", "author-verification", "trusted-informants",
    "network-informants", "confession-video", "published-interview", "anonymous-account",
]
UNITS = ["unit-person", "unit-percent", "unit-year"]
RANKS = ["rank-preferred", "rank-normal", "rank-deprecated"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
WORDS = ("workers union petition factory police students solidarity group video "
         "confession signed dozens activists Shenzhen Huizhou detained fired wages "
         "overtime campus network informants article interview").split()

# Kinds of planted violations: kind -> (component local name, shape local name, path IRI or None)
PLANTS = {
    "claim-no-quote": ("MinCountConstraintComponent", "Claim-quote", JKG + "quote"),
    "event-two-earliest": ("MaxCountConstraintComponent", "Event-earliest", JKG + "earliestDate"),
    "quantity-value-string": ("DatatypeConstraintComponent", "Quantity-value", JKG + "value"),
    "event-edtf-bad": ("PatternConstraintComponent", "Event-edtf", JKG + "edtf"),
    "claim-evidence-unknown": ("InConstraintComponent", "Claim-evidenceType", JKG + "evidenceType"),
    "claim-voice-not-agent": ("ClassConstraintComponent", "Claim-assertedBy", JKG + "assertedBy"),
    "quantity-quantifies-literal": ("NodeKindConstraintComponent", "Quantity-quantifies", JKG + "quantifies"),
    "event-bounds-reversed": ("LessThanOrEqualsConstraintComponent", "Event-earliest", JKG + "earliestDate"),
    "event-unbacked": ("MinCountConstraintComponent", "Event-backedByClaim", None),  # inverse path
    "quantity-no-figure": ("OrConstraintComponent", "QuantityShape", None),
    "note-with-quote": ("ClassConstraintComponent", "QuotedThingShape", None),
    "claim-other-source": ("HasValueConstraintComponent", "Claim-statedIn", JKG + "statedIn"),
    "person-label-lang": ("LanguageInConstraintComponent", "Person-altLabel", "http://www.w3.org/2004/02/skos/core#altLabel"),
    "quantity-negative-bound": ("MinInclusiveConstraintComponent", "Quantity-lowerBound", JKG + "lowerBound"),
    "event-label-dup-lang": ("UniqueLangConstraintComponent", "Event-label", "http://www.w3.org/2000/01/rdf-schema#label"),
    "quantity-statedas-empty": ("MinLengthConstraintComponent", "Quantity-statedAs", JKG + "statedAs"),
}
PLANT_KINDS = list(PLANTS)
# Triples per unit (event + quantity + claim + share of person/place), used to size the run.
_TRIPLES_PER_UNIT_GUESS = 31.4

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000, "300k": 300_000, "30k": 30_000}


def parse_size(text: str) -> int:
    t = text.strip().lower()
    if t in SIZES:
        return SIZES[t]
    if t.endswith("k"):
        return int(float(t[:-1]) * 1_000)
    if t.endswith("m"):
        return int(float(t[:-1]) * 1_000_000)
    return int(t)


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def _vague_date(rng: random.Random):
    """Return (dateStated, edtf, earliest, latest) with honest bounds."""
    kind = rng.randrange(5)
    year = rng.randrange(2000, 2020)
    m = rng.randrange(1, 13)
    last = MONTH_DAYS[m - 1] + (1 if m == 2 and year % 4 == 0 else 0)
    if kind == 0:
        d = rng.randrange(1, last + 1)
        return (f"On {MONTHS[m-1]} {d}, {year}", f"{year}-{m:02d}-{d:02d}",
                f"{year}-{m:02d}-{d:02d}", f"{year}-{m:02d}-{d:02d}")
    if kind == 1:
        return (f"In {MONTHS[m-1]}", f"{year}-{m:02d}", f"{year}-{m:02d}-01", f"{year}-{m:02d}-{last:02d}")
    if kind == 2:
        return (f"around {year}", f"{year}~", f"{year - 1}-01-01", f"{year + 1}-12-31")
    if kind == 3:
        return (f"in {year}", f"{year}", f"{year}-01-01", f"{year}-12-31")
    dec = year // 10
    return (f"the late {dec}0s", f"{dec}X", f"{dec}5-01-01", f"{dec}9-12-31")


def _phrase(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def generate(target_triples: int, seed: int = 2018):
    """Return (turtle_text, expected_findings, stats)."""
    rng = random.Random(seed * 1_000_003 + target_triples)
    n_units = max(20, int(target_triples / _TRIPLES_PER_UNIT_GUESS))
    n_people = max(4, n_units // 3)
    n_places = max(2, n_units // 20)
    per_kind = max(2, n_units // 400)
    # choose distinct units for the plants (never unit 0, which others follow)
    chosen = rng.sample(range(1, n_units), per_kind * len(PLANT_KINDS))
    plant_at = {}
    for i, u in enumerate(chosen):
        plant_at[u] = PLANT_KINDS[i // per_kind]

    out: list[str] = [PREFIXES, "\n# ontology fragment (class hierarchy used by sh:class checks)\n",
                      "jkg:Person rdfs:subClassOf jkg:Agent .\njkg:Organisation rdfs:subClassOf jkg:Agent .\n",
                      "jid:article a jkg:Work ; rdfs:label \"The Jasic article\"@en .\n",
                      "jid:other-article a jkg:Work ; rdfs:label \"Another article\"@en .\n"]
    ntriples = 6
    expected: list[dict] = []

    def expect(kind: str, focus: str, value):
        comp, shape, path = PLANTS[kind]
        expected.append({"kind": kind, "focus": focus, "path": path, "component": SH + comp,
                         "shape": JSH + shape, "value": value})

    for u in range(n_units):
        kind = plant_at.get(u)
        ev, q, c = f"bench-event-{u}", f"bench-quantity-{u}", f"bench-claim-{u}"
        ev_iri, q_iri, c_iri = JID + ev, JID + q, JID + c
        stated, edtf, earliest, latest = _vague_date(rng)
        p1, p2 = rng.randrange(n_people), rng.randrange(n_people)
        if p2 == p1:
            p2 = (p1 + 1) % n_people
        lines = [f"jid:{ev} a jkg:Event ;",
                 f'  rdfs:label "{_esc(_phrase(rng, 3))} {u}"@en ;',
                 f"  jkg:eventType jv:{rng.choice(EVENT_TYPES)} ;",
                 f"  jkg:participant jid:bench-person-{p1}, jid:bench-person-{p2} ;",
                 f"  jkg:location jid:bench-place-{rng.randrange(n_places)} ;",
                 f'  jkg:dateStated "{stated}" ;']
        ntriples += 7
        if kind == "event-label-dup-lang":
            lines.append(f'  rdfs:label "another label {u}"@en ;')
            ntriples += 1
            expect(kind, ev_iri, None)
        if kind == "event-edtf-bad":
            bad = f"{stated} (sic)"
            lines.append(f'  jkg:edtf "{_esc(bad)}" ;')
            expect(kind, ev_iri, f'"{bad}"')
        else:
            lines.append(f'  jkg:edtf "{edtf}" ;')
        ntriples += 1
        if kind == "event-bounds-reversed":
            earliest, latest = latest.replace(latest[:4], str(int(latest[:4]) + 1), 1), latest
            expect(kind, ev_iri, f'"{earliest}"^^<{XSD}date>')
        lines.append(f'  jkg:earliestDate "{earliest}"^^xsd:date ;')
        if kind == "event-two-earliest":
            lines.append(f'  jkg:earliestDate "{int(earliest[:4]) - 1}-01-01"^^xsd:date ;')
            ntriples += 1
            expect(kind, ev_iri, None)
        lines.append(f'  jkg:latestDate "{latest}"^^xsd:date ;')
        lines.append(f"  jkg:narrativePosition {u}" + (" ;" if u else " ."))
        ntriples += 3
        if u:
            lines.append(f"  jkg:follows jid:bench-event-{u - 1} .")
            ntriples += 1
        out.append("\n".join(lines) + "\n")

        # quantity
        lo = rng.randrange(1, 500)
        val = lo + rng.randrange(0, 50)
        hi = val + rng.randrange(0, 50)
        approx = val != lo or val != hi
        lines = [f"jid:{q} a jkg:Quantity ;"]
        if kind == "quantity-quantifies-literal":
            lines.append(f'  jkg:quantifies "{ev}" ;')
            expect(kind, q_iri, f'"{ev}"')
        else:
            lines.append(f"  jkg:quantifies jid:{ev} ;")
        lines.append(f'  jkg:counts "{_esc(_phrase(rng, 4))}" ;')
        ntriples += 3
        if kind == "quantity-statedas-empty":
            lines.append('  jkg:statedAs "" ;')
            expect(kind, q_iri, '""')
        else:
            lines.append(f'  jkg:statedAs "{"about " if approx else ""}{val}" ;')
        ntriples += 1
        if kind == "quantity-no-figure":
            expect(kind, q_iri, f"<{q_iri}>")
        else:
            if kind == "quantity-value-string":
                lines.append(f'  jkg:value "about {val}" ;')
                expect(kind, q_iri, f'"about {val}"')
            else:
                lines.append(f"  jkg:value {val} ;")
            if kind == "quantity-negative-bound":
                lines.append(f"  jkg:lowerBound -{lo} ;")
                expect(kind, q_iri, f'"-{lo}"^^<{XSD}integer>')
            else:
                lines.append(f"  jkg:lowerBound {lo} ;")
            lines.append(f"  jkg:upperBound {hi} ;")
            ntriples += 3
        lines.append(f"  jkg:isApproximate {'true' if approx else 'false'} ;")
        lines.append("  jkg:isDerived false ;")
        lines.append(f"  jkg:unit jv:{rng.choice(UNITS)} .")
        ntriples += 3
        out.append("\n".join(lines) + "\n")

        # claim
        voice = p1 if rng.random() < 0.5 else rng.randrange(n_people)  # voices often took part
        lines = [f"jid:{c} a jkg:Claim ;"]
        if kind == "event-unbacked":
            lines.append(f"  jkg:claimAbout jid:{q} ;")
            ntriples += 1
            expect(kind, ev_iri, None)
        else:
            lines.append(f"  jkg:claimAbout jid:{ev}, jid:{q} ;")
            ntriples += 2
        if kind == "claim-no-quote":
            expect(kind, c_iri, None)
        else:
            lines.append(f'  jkg:quote "{_esc(_phrase(rng, 12))}, {u}." ;')
            ntriples += 1
        if kind == "claim-voice-not-agent":
            place = f"bench-place-{rng.randrange(n_places)}"
            lines.append(f"  jkg:assertedBy jid:{place} ;")
            expect(kind, c_iri, f"<{JID}{place}>")
        else:
            lines.append(f"  jkg:assertedBy jid:bench-person-{voice} ;")
        if kind == "claim-evidence-unknown":
            lines.append("  jkg:evidenceType jv:hearsay ;")
            expect(kind, c_iri, f"<{JV}hearsay>")
        else:
            lines.append(f"  jkg:evidenceType jv:{rng.choice(EVIDENCE_TYPES)} ;")
        if kind == "claim-other-source":
            lines.append("  jkg:statedIn jid:other-article ;")
            expect(kind, c_iri, None)
        else:
            lines.append("  jkg:statedIn jid:article ;")
        lines.append(f"  jkg:rank jv:{rng.choice(RANKS)} .")
        ntriples += 5
        out.append("\n".join(lines) + "\n")

        if kind == "note-with-quote":
            note = f"bench-note-{u}"
            out.append(f'jid:{note} a jkg:Note ;\n  jkg:quote "{_esc(_phrase(rng, 6))}" .\n')
            ntriples += 2
            expect(kind, JID + note, f"<{JID}{note}>")

    # people and places
    lang_plants = [u for u, k in sorted(plant_at.items()) if k == "person-label-lang"]
    fr_people = {u % n_people: u for u in lang_plants}
    for p in range(n_people):
        lines = [f"jid:bench-person-{p} a jkg:Person ;",
                 f'  rdfs:label "{_esc(_phrase(rng, 2)).title()} {p}"@en ;', "  jkg:mentionContext jv:context-text ;"]
        if p in fr_people:
            lines.append(f'  skos:altLabel "personne {p}"@fr .')
            expect("person-label-lang", f"{JID}bench-person-{p}", f'"personne {p}"@fr')
        else:
            lines.append(f'  skos:altLabel "人{p}"@zh .')
        ntriples += 4
        out.append("\n".join(lines) + "\n")
    for p in range(n_places):
        out.append(f'jid:bench-place-{p} a jkg:Place ;\n  rdfs:label "Place {p}"@en .\n')
        ntriples += 2

    text = "".join(out)
    stats = {"target": target_triples, "triples": ntriples, "units": n_units, "people": n_people,
             "places": n_places, "plants_per_kind": per_kind, "expected_results": len(expected), "seed": seed,
             "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}
    expected.sort(key=lambda e: (e["kind"], e["focus"]))
    return text, expected, stats


def write(size: str | int, out_dir: Path, seed: int = 2018) -> tuple[Path, Path, dict]:
    n = parse_size(str(size))
    label = str(size).lower()
    out_dir.mkdir(parents=True, exist_ok=True)
    text, expected, stats = generate(n, seed)
    data = out_dir / f"data-{label}.ttl"
    side = out_dir / f"data-{label}.violations.json"
    data.write_text(text, encoding="utf-8")
    side.write_text(json.dumps({"stats": stats, "results": expected}, indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    return data, side, stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="10k", help="10k, 100k, 1m or a number of triples (comma list allowed)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "work"))
    ap.add_argument("--seed", type=int, default=2018)
    a = ap.parse_args(argv)
    for s in a.size.split(","):
        data, side, stats = write(s, Path(a.out), a.seed)
        print(f"{data}: {stats['triples']} triples, {stats['expected_results']} planted results, "
              f"sha256 {stats['sha256'][:16]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
