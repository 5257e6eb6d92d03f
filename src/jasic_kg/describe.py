"""`describe`: everything about one entity, and each claim about it with its words, voice and source.

`describe(store, "jid:he-pengchao" | IRI | "He Pengchao")` returns a plain dict (the seed of the static-site
entity page); RENDERERS format it as text, JSON or Turtle. It uses only GraphStore queries, so it works the
same on the local graph and on an endpoint.
"""

from __future__ import annotations

import json

from pyoxigraph import Literal, NamedNode, Triple

from jasic_kg.errors import InputError
from jasic_kg.terms import JKG, PREFIXES, RDF, RDFS, curie, looks_like_iri, show, to_iri

SKOS = PREFIXES["skos"]
LABEL_PROPS = (RDFS + "label", SKOS + "prefLabel")
NAME_PROPS = LABEL_PROPS + (SKOS + "altLabel",)
# What a claim block shows, in this order (property -> key in the dict).
CLAIM_FIELDS = {
    "quote": "quotes", "assertedBy": "asserted_by", "reportedBy": "reported_by", "evidenceType": "evidence_type",
    "citesSource": "cites_source", "statedIn": "stated_in", "verifiedBy": "verified_by", "rank": "rank",
    "rankReason": "rank_reason", "summary": "summary", "hasEvidence": "evidence",
}


def resolve(store, spec: str) -> NamedNode:
    """An IRI or CURIE, or else a label (rdfs:label, skos:prefLabel or skos:altLabel, any case)."""
    if looks_like_iri(spec):
        try:
            iri = to_iri(spec)
        except ValueError as e:
            raise InputError(str(e)) from None
        if not store.query("ASK { { ?x ?p ?o } UNION { ?s ?p ?x } }", {"x": iri}).boolean:
            raise InputError(f"no entity {show(iri)} in the graph")
        return iri
    rows = store.select(
        "SELECT DISTINCT ?e ?l WHERE { VALUES ?p { rdfs:label skos:prefLabel skos:altLabel } ?e ?p ?l . "
        "FILTER (isIRI(?e) && LCASE(STR(?l)) = LCASE(STR(?q))) } ORDER BY ?e", {"q": Literal(spec)})
    found = sorted({r["e"].value for r in rows})
    if not found:
        raise InputError(f"no entity labelled {spec!r}{_candidates(store, spec)}")
    if len(found) > 1:
        listed = ", ".join(curie(i) or f"<{i}>" for i in found)
        raise InputError(f"the label {spec!r} is ambiguous: {listed}")
    return NamedNode(found[0])


def _candidates(store, spec: str) -> str:
    """The end of the not-found line: the entities whose names contain `spec` or nearly match it."""
    from jasic_kg.search import search

    seen: dict[str, str] = {}
    for hit in search(store, spec, limit=200):
        if hit.field != "quote" and hit.entity not in seen:
            seen[hit.entity] = hit.text
    if not seen:
        return " (give an IRI, a CURIE such as jid:he-pengchao, or a label; try `jasic-kg search TEXT`)"
    shown = list(seen.items())[:5]
    more = f", and {len(seen) - len(shown)} more (jasic-kg search {spec!r})" if len(seen) > len(shown) else ""
    verb = "did you mean" if len(seen) == 1 else "candidates:"
    return f"; {verb} " + "; ".join(f"{e} ({text})" for e, text in shown) + more


def _labels(store, terms) -> dict[str, str]:
    iris = sorted({t.value for t in terms if isinstance(t, NamedNode)})
    if not iris:
        return {}
    values = " ".join(str(NamedNode(i)) for i in iris)  # validated terms, N-Triples syntax
    rows = store.select(f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ rdfs:label skos:prefLabel }} "
                        "?x ?p ?l }")
    return _preferred_labels(rows)


def all_labels(store) -> dict[str, str]:
    """The label of every IRI of the graph (one query), for `describe(..., labels=...)`."""
    return _preferred_labels(store.select(
        "SELECT ?x ?l WHERE { VALUES ?p { rdfs:label skos:prefLabel } ?x ?p ?l FILTER (isIRI(?x)) }"))


def _preferred_labels(rows) -> dict[str, str]:
    """One label per IRI: English (or untagged) first, then the first in code-point order."""
    out: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: (r["l"].language not in (None, "en"), r["l"].value)):
        out.setdefault(r["x"].value, r["l"].value)
    return out


def _term(t, labels) -> dict:
    if isinstance(t, Literal):
        out = {"value": t.value}
        if t.language:
            out["language"] = t.language
        elif t.datatype.value != PREFIXES["xsd"] + "string":
            out["datatype"] = show(t.datatype)
        return out
    if not isinstance(t, NamedNode):
        return {"id": None, "blank_node": True}  # blank-node ids mean nothing to a reader
    out = {"id": show(t)}
    if isinstance(t, NamedNode):
        out["iri"] = t.value
        if t.value in labels:
            out["label"] = labels[t.value]
    return out


def describe(store, spec: str | NamedNode, *, labels: dict[str, str] | None = None) -> dict:
    """`spec` as `resolve` takes it, or a NamedNode known to be in the graph. `labels` (IRI -> label for every
    IRI, as `_labels` gives them) spares one label query per call when a caller describes many entities."""
    iri = spec if isinstance(spec, NamedNode) else resolve(store, spec)
    triples = store.describe(iri)
    claim_rows = store.select(
        "SELECT ?c ?p ?o WHERE { { ?c jkg:claimAbout ?e } UNION { ?e a/rdfs:subClassOf* jkg:Claim . "
        "BIND (?e AS ?c) } ?c ?p ?o }", {"e": iri})
    terms = [t.predicate for t in triples] + [t.object for t in triples] + [t.subject for t in triples]
    terms += [r[k] for r in claim_rows for k in ("c", "p", "o")] + [iri]
    if labels is None:
        labels = _labels(store, terms)
    out_t = sorted((t for t in triples if t.subject == iri), key=lambda t: (str(t.predicate), str(t.object)))
    in_t = sorted((t for t in triples if t.object == iri and t.subject != iri),
                  key=lambda t: (str(t.predicate), str(t.subject)))

    names = [{"property": show(t.predicate), **_term(t.object, labels)} for t in out_t
             if t.predicate.value in NAME_PROPS]
    properties: dict[str, dict] = {}
    for t in out_t:
        if t.predicate.value in NAME_PROPS or t.predicate.value == RDF + "type":
            continue
        entry = properties.setdefault(show(t.predicate), {"property": _term(t.predicate, labels), "values": []})
        entry["values"].append(_term(t.object, labels))

    claims: dict[str, dict] = {}
    for r in sorted(claim_rows, key=lambda r: (str(r["c"]), str(r["p"]), str(r["o"]))):
        claim = claims.setdefault(r["c"].value, {"claim": _term(r["c"], labels)})
        local = r["p"].value[len(JKG):] if r["p"].value.startswith(JKG) else None
        key = CLAIM_FIELDS.get(local or "")
        if key:
            claim.setdefault(key, []).append(_term(r["o"], labels))
        elif r["p"].value == RDF + "type":
            claim.setdefault("types", []).append(_term(r["o"], labels))

    return {
        "entity": _term(iri, labels),
        "label": labels.get(iri.value),
        "names": names,
        "types": [_term(t.object, labels) for t in out_t if t.predicate.value == RDF + "type"],
        "properties": list(properties.values()),
        "incoming": [{"subject": _term(t.subject, labels), "property": _term(t.predicate, labels)} for t in in_t],
        "claims": [claims[k] for k in sorted(claims)],
        "triples": triples,  # for the Turtle rendering; dropped from JSON
    }


describe_entity = describe  # the public API name (jasic_kg.describe is the module)


def _show(v: dict) -> str:
    if "value" in v:
        if v.get("datatype"):  # dates, numbers, booleans read best bare
            return v["value"]
        lang = f"@{v['language']}" if v.get("language") else ""
        return json.dumps(v["value"], ensure_ascii=False) + lang
    if v.get("blank_node"):
        return "[blank node]"
    return v["id"] + (f" ({v['label']})" if v.get("label") else "")


def render_text(d: dict) -> bytes:
    e = d["entity"]
    lines = [f"{e['id']}" + (f" — {d['label']}" if d.get("label") else ""), f"  IRI: {e['iri']}"]
    if d["types"]:
        lines.append("  type: " + ", ".join(_show(t) for t in d["types"]))
    for n in d["names"]:
        lines.append(f"  {n['property']}: {_show(n)}")
    for p in d["properties"]:
        lines.append(f"  {p['property']['id']}: " + ", ".join(_show(v) for v in p["values"]))
    if d["incoming"]:
        lines.append("  linked from:")
        lines += [f"    {_show(i['subject'])} {i['property']['id']}" for i in d["incoming"]]
    lines.append(f"  claims ({len(d['claims'])}):" if d["claims"] else "  claims: none")
    labels = {"quotes": "quote", "asserted_by": "voice", "reported_by": "reported by",
              "evidence_type": "evidence", "cites_source": "cites", "stated_in": "stated in",
              "verified_by": "verified by", "rank": "rank", "rank_reason": "rank reason",
              "summary": "summary (ours)", "evidence": "anchor"}
    for c in d["claims"]:
        lines.append(f"    {_show(c['claim'])}")
        for key, title in labels.items():
            for v in c.get(key, []):
                lines.append(f"      {title}: {_show(v)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def render_json(d: dict) -> bytes:
    doc = {k: v for k, v in d.items() if k != "triples"}
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def render_turtle(d: dict) -> bytes:
    from jasic_kg.export.exporters import serialize_triples

    return serialize_triples([Triple(t.subject, t.predicate, t.object) for t in d["triples"]], "turtle")


RENDERERS = {"text": render_text, "json": render_json, "turtle": render_turtle}
