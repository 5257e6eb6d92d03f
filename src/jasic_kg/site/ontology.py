"""The ontology's documentation pages: classes and properties with their definitions, alignments to other
vocabularies and example instances from the graph, the SKOS vocabularies, and a diagram of the classes.

Read from the graph itself (the ontology files are part of the shipped graph), so the pages document exactly
the terms the data is checked against. pyLODE was tried first and not used: README, "Ontology documentation".
"""

from __future__ import annotations

from jasic_kg.terms import JKG, JV, PREFIXES, RDF, RDFS, curie

OWL = PREFIXES["owl"]
SKOS = PREFIXES["skos"]
SCHEMA = PREFIXES["schema"]
DCTERMS = PREFIXES["dcterms"]
EXAMPLES = 5  # example instances shown per class, uses per property

PROPERTY_TYPES = {OWL + "ObjectProperty": "object property", OWL + "DatatypeProperty": "datatype property",
                  OWL + "AnnotationProperty": "annotation property"}
MAPPINGS = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch", "relatedMatch")


def _statements(store, namespaces) -> dict[str, dict[str, list]]:
    """subject -> property IRI -> objects, for every subject in `namespaces` (one query)."""
    out: dict[str, dict[str, list]] = {}
    for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (isIRI(?s)) }"):
        s = r["s"].value
        if s.startswith(namespaces):
            out.setdefault(s, {}).setdefault(r["p"].value, []).append(r["o"])
    return out


def ontology_pages(site) -> dict:
    """The data of ontology/index.html (classes, properties, the diagram) and ontology/vocab.html."""
    store = site.store
    here = "ontology"
    facts = _statements(store, (JKG, JV, "https://w3id.org/jasic-kg/ontology"))

    def term(t) -> dict:
        iri = getattr(t, "value", None)
        if t.__class__.__name__ == "Literal":
            return {"text": t.value, "language": t.language}
        href = site.link(iri, here)
        web = href is None and iri.startswith(("http://", "https://")) and not iri.startswith(
            "https://w3id.org/jasic-kg/")
        return {"iri": iri, "text": site.labels.get(iri) if iri.startswith((JKG, JV)) and iri in site.labels
                else (curie(iri) or iri), "curie": curie(iri) or iri, "href": href or (iri if web else None),
                "web": web}

    def values(iri, prop) -> list[dict]:  # sorted: the same page whatever order the store answers in
        return sorted((term(o) for o in facts.get(iri, {}).get(prop, [])), key=lambda t: (t["text"], str(t)))

    def one(iri, prop) -> str | None:
        vs = facts.get(iri, {}).get(prop, [])
        return vs[0].value if vs else None

    def is_a(iri, cls) -> bool:
        return any(o.value == cls for o in facts.get(iri, {}).get(RDF + "type", []))

    instances: dict[str, list[str]] = {}
    for r in store.select("SELECT ?c ?e WHERE { ?e a ?c FILTER (isIRI(?e) && STRSTARTS(STR(?e), STR(jid:))) }"):
        instances.setdefault(r["c"].value, []).append(r["e"].value)
    uses: dict[str, list[tuple[str, object]]] = {}
    for r in store.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER (STRSTARTS(STR(?p), STR(jkg:)) "
                          "&& isIRI(?s) && STRSTARTS(STR(?s), STR(jid:))) }"):
        uses.setdefault(r["p"].value, []).append((r["s"].value, r["o"]))
    concept_uses: dict[str, int] = {}
    for r in store.select("SELECT ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER (isIRI(?o) && "
                          "STRSTARTS(STR(?o), STR(jv:)) && STRSTARTS(STR(?s), STR(jid:))) } GROUP BY ?o"):
        concept_uses[r["o"].value] = int(r["n"].value)

    def examples(iris: list[str]) -> list[dict]:
        ranked = sorted(set(iris), key=lambda i: (site.label(i).casefold(), i))
        return [{"text": site.label(i), "href": site.link(i, here)} for i in ranked[:EXAMPLES]]

    classes = sorted((s for s in facts if s.startswith(JKG) and is_a(s, OWL + "Class")), key=lambda s: s.lower())
    props = sorted((s for s in facts if s.startswith(JKG) and any(is_a(s, t) for t in PROPERTY_TYPES)),
                   key=lambda s: s.lower())
    subclasses: dict[str, list[str]] = {}
    for c in classes:
        for sup in facts[c].get(RDFS + "subClassOf", []):
            subclasses.setdefault(sup.value, []).append(c)
    about: dict[str, list[str]] = {}  # class -> properties whose domain or range mentions it
    for p in props:
        for key in (SCHEMA + "domainIncludes", SCHEMA + "rangeIncludes", RDFS + "domain", RDFS + "range"):
            for o in facts[p].get(key, []):
                if p not in about.setdefault(o.value, []):
                    about[o.value].append(p)

    class_docs = []
    for c in classes:
        supers = values(c, RDFS + "subClassOf")
        class_docs.append({
            "id": c[len(JKG):], "iri": c, "label": one(c, RDFS + "label"),
            "definition": one(c, SKOS + "definition"), "comment": one(c, RDFS + "comment"),
            "superclasses": [s for s in supers if s["iri"].startswith(JKG)],
            "alignments": [s for s in supers if not s["iri"].startswith(JKG)]
                          + [dict(v, relation="equivalent class") for v in values(c, OWL + "equivalentClass")]
                          + [dict(v, relation=f"skos:{m}") for m in MAPPINGS for v in values(c, SKOS + m)],
            "subclasses": [term(_node(s)) for s in sorted(subclasses.get(c, []))],
            "properties": [term(_node(p)) for p in about.get(c, [])],
            "instance_count": len(set(instances.get(c, []))),
            "examples": examples(instances.get(c, [])),
        })
    prop_docs = []
    for p in props:
        used = uses.get(p, [])
        shown = sorted(used, key=lambda u: (site.label(u[0]).casefold(), u[0], str(u[1])))[:EXAMPLES]
        prop_docs.append({
            "id": p[len(JKG):], "iri": p, "label": one(p, RDFS + "label"),
            "kind": next(PROPERTY_TYPES[t.value] for t in facts[p][RDF + "type"] if t.value in PROPERTY_TYPES),
            "definition": one(p, SKOS + "definition"), "comment": one(p, RDFS + "comment"),
            "superproperties": values(p, RDFS + "subPropertyOf"),
            "inverse": values(p, OWL + "inverseOf"),
            "domain": values(p, SCHEMA + "domainIncludes") + values(p, RDFS + "domain"),
            "range": values(p, SCHEMA + "rangeIncludes") + values(p, RDFS + "range"),
            "use_count": len(used),
            "examples": [{"subject": {"text": site.label(s), "href": site.link(s, here)}, "object": term(o)}
                         for s, o in shown],
        })

    ontology_iri = "https://w3id.org/jasic-kg/ontology"
    header = {"iri": ontology_iri, "title": one(ontology_iri, DCTERMS + "title"),
              "description": one(ontology_iri, DCTERMS + "description"),
              "version": one(ontology_iri, OWL + "versionInfo"),
              "license": one(ontology_iri, DCTERMS + "license"),
              "modified": one(ontology_iri, DCTERMS + "modified")}

    schemes = sorted((s for s in facts if s.startswith(JV) and is_a(s, SKOS + "ConceptScheme")))
    concepts = [s for s in facts if s.startswith(JV) and is_a(s, SKOS + "Concept")]
    vocab = []
    for scheme in schemes:
        members = sorted((c for c in concepts if any(o.value == scheme for o in facts[c].get(SKOS + "inScheme", []))),
                         key=lambda c: (one(c, SKOS + "notation") or "", (one(c, SKOS + "prefLabel") or c).casefold()))
        vocab.append({
            "id": scheme[len(JV):], "iri": scheme, "label": one(scheme, SKOS + "prefLabel"),
            "definition": one(scheme, SKOS + "definition"), "source": values(scheme, DCTERMS + "source"),
            "citation": one(scheme, DCTERMS + "bibliographicCitation"),
            "concepts": [{
                "id": c[len(JV):], "iri": c, "label": one(c, SKOS + "prefLabel"),
                "notation": one(c, SKOS + "notation"), "definition": one(c, SKOS + "definition"),
                "broader": values(c, SKOS + "broader"),
                "mappings": [dict(v, relation=f"skos:{m}") for m in MAPPINGS for v in values(c, SKOS + m)],
                "use_count": concept_uses.get(c, 0),
            } for c in members],
        })
    return {"header": header, "classes": class_docs, "properties": prop_docs, "vocab": vocab,
            "diagram": class_diagram(class_docs)}


def _node(iri: str):
    from pyoxigraph import NamedNode

    return NamedNode(iri)


# --- the diagram ------------------------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y, PAD = 170, 26, 70, 10, 12


def class_diagram(class_docs: list[dict]) -> dict:
    """A left-to-right tree of the ontology's classes (rdfs:subClassOf within jkg:), laid out by the classic
    tidy-tree rule: one column per depth, the leaves on consecutive rows in depth-first order (alphabetical
    among siblings), each class centred on its subclasses. Computed from the ontology, never placed by hand;
    returns boxes and edges in SVG coordinates for the template. (networkx's layouts need numpy, a large
    dependency for a tree of a few dozen boxes.)"""
    label = {c["id"]: c["label"] or c["id"] for c in class_docs}
    parents = {c["id"]: [s["iri"][len(JKG):] for s in c["superclasses"] if s["iri"][len(JKG):] in label]
               for c in class_docs}
    children: dict[str, list[str]] = {}
    for cid, ups in parents.items():
        for p in ups:
            children.setdefault(p, []).append(cid)
    for kids in children.values():
        kids.sort(key=lambda c: label[c].casefold())
    roots = sorted((c for c, ups in parents.items() if not ups), key=lambda c: label[c].casefold())

    row: dict[str, float] = {}
    column: dict[str, int] = {}
    next_leaf = [0]

    def place(cid: str, depth: int) -> float:
        if cid in row:  # a second superclass: drawn once, linked from both
            return row[cid]
        column[cid] = depth
        kids = children.get(cid, [])
        if kids:
            placed = [place(k, depth + 1) for k in kids]
            row[cid] = (min(placed) + max(placed)) / 2
        else:
            row[cid] = next_leaf[0]
            next_leaf[0] += 1
        return row[cid]

    for root in roots:
        place(root, 0)
    if not row:
        return {"width": 0, "height": 0, "box_w": BOX_W, "box_h": BOX_H, "boxes": [], "edges": []}
    boxes = {cid: {"id": cid, "label": label[cid], "x": PAD + column[cid] * (BOX_W + GAP_X),
                   "y": PAD + row[cid] * (BOX_H + GAP_Y)} for cid in row}
    edges = [{"x1": boxes[c]["x"], "y1": boxes[c]["y"] + BOX_H / 2, "x2": boxes[p]["x"] + BOX_W,
              "y2": boxes[p]["y"] + BOX_H / 2} for c in sorted(row) for p in parents[c]]
    width = PAD * 2 + (max(column.values()) + 1) * (BOX_W + GAP_X) - GAP_X
    height = PAD * 2 + next_leaf[0] * (BOX_H + GAP_Y) - GAP_Y
    return {"width": width, "height": height, "box_w": BOX_W, "box_h": BOX_H,
            "boxes": sorted(boxes.values(), key=lambda b: (b["x"], b["y"])), "edges": edges}


__all__ = ["ontology_pages", "class_diagram"]
