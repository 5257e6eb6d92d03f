"""What the static site shows: which entities get a page, where each page lives, and the data of each page.

Everything here is plain data (dicts and lists) for the templates; nothing renders HTML. An entity page is
`jasic_kg.describe` (the entity's statements both ways and every claim about it with its quote and voice)
plus what a reader needs beside it: links resolved to other pages, the links out (the article at the quote,
reviewed external identifiers, candidates shown as candidates) and the page's own JSON-LD.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote

from pyoxigraph import NamedNode

from jasic_kg.describe import CLAIM_FIELDS
from jasic_kg.terms import JID, JKG, JV, PREFIXES, PROJECT_NAMESPACES, curie

SKOS = PREFIXES["skos"]
OWL = PREFIXES["owl"]
SCHEMA = PREFIXES["schema"]
OA = PREFIXES["oa"]
SSSOM = "https://w3id.org/sssom/"
REVIEWED_LINKS = "https://w3id.org/jasic-kg/mappings/links"
# Properties whose object is an external identifier: shown as links out, not among the facts.
LINK_PROPS = (SKOS + "exactMatch", SKOS + "closeMatch", OWL + "sameAs")

# The kinds of page, in the order of the index; an entity gets the first kind one of its classes falls under.
KINDS: list[tuple[str, str, tuple[str, ...]]] = [
    ("people", "People", ("Person",)),
    ("organisations", "Organisations", ("Organisation",)),
    ("groups", "Groups and collectives", ("InformalGroup", "Collective")),
    ("places", "Places", ("Place",)),
    ("events", "Events", ("Event",)),
    ("ideas", "Ideas and goals", ("Idea", "Goal")),
    ("strategy", "The organising strategy", ("OrganisingStrategy", "StrategyLayer", "CycleStep", "StrategyElement")),
    ("influences", "Influences", ("Influence",)),
    ("sources", "Sources", ("Work", "TextRepresentation")),
    ("claims", "Claims and assessments", ("Claim",)),
    ("memberships", "Memberships", ("Membership",)),
    ("quantities", "Quantities", ("Quantity",)),
    ("mentions", "Names printed beside the article (not actors)", ("NameMention",)),
]
OTHER_KIND = ("other", "Other entities")
# Pages about statements and qualified relations: listed after people, groups, events... in search results.
SECONDARY_KINDS = {"claims", "memberships", "quantities", "influences", "mentions"}
KIND_TITLES = dict([(k, t) for k, t, _ in KINDS] + [OTHER_KIND])

# What the claim block of a page shows (describe.CLAIM_FIELDS): left out of a claim page's statements.
CLAIM_BLOCK_PROPS = {JKG + local for local in CLAIM_FIELDS}

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # a local name that is safe as a file name as it is


def page_url(iri: str, from_dir: str = "") -> str | None:
    """The relative link from a page in `from_dir` ("" for the site's root, "id", "ontology") to the page of
    `iri` by the site's scheme: jid:LOCAL -> id/LOCAL.html, jkg:LOCAL -> ontology/index.html#LOCAL,
    jv:LOCAL -> ontology/vocab.html#LOCAL; None for IRIs outside those namespaces. The scheme says where a
    page would be; whether the built site has one is `Site.link`'s business."""
    if iri.startswith(JID):
        local = iri[len(JID):]
        if not _SLUG.match(local):
            return None
        target = f"id/{local}.html"
    elif iri.startswith(JKG):
        target = "ontology/index.html#" + quote(iri[len(JKG):], safe="")
    elif iri.startswith(JV):
        target = "ontology/vocab.html#" + quote(iri[len(JV):], safe="/")
    else:
        return None
    path, _, fragment = target.partition("#")
    rel = posixpath.relpath(path, from_dir or ".")
    return rel + (f"#{fragment}" if fragment else "")


def text_fragment_url(url: str, quote_text: str) -> str:
    """A link that opens `url` scrolled to the quote (URL Fragment Text Directives, https://wicg.github.io/
    scroll-to-text-fragment/): the whole quote when short, else its first and last words (textStart,textEnd),
    which also matches where the page breaks the quote across elements."""
    words = quote_text.split()

    def enc(text: str) -> str:
        return quote(text, safe="").replace("-", "%2D")  # '-' and ',' are the directive's own syntax

    if len(words) <= 8:
        directive = enc(" ".join(words))
    else:
        directive = enc(" ".join(words[:4])) + "," + enc(" ".join(words[-4:]))
    return f"{url}#:~:text={directive}"


class Site:
    """The entities of a graph that get a page, their kinds, and the lookups every page shares (one query
    each, not one per page)."""

    def __init__(self, store):
        from jasic_kg.describe import all_labels

        self.store = store
        self.labels = all_labels(store)
        self.kinds = self._kinds()  # IRI -> kind, for every entity with a page
        self.anchors = self._anchors()  # (claim IRI, quote) -> anchor
        self.work_urls = {r["w"].value: r["u"].value for r in store.select(
            "SELECT ?w ?u WHERE { ?w schema:url ?u FILTER (isIRI(?w)) }")}
        self.mappings = self._mappings()  # entity IRI -> mapping rows
        self.documented = self._documented()  # ontology and vocabulary IRIs with a section

    # --- which pages -------------------------------------------------------------------------------------

    def _kinds(self) -> dict[str, str]:
        rows = self.store.select(
            "SELECT DISTINCT ?e ?top WHERE { ?e a ?t . FILTER (isIRI(?e) && STRSTARTS(STR(?e), STR(jid:))) "
            "OPTIONAL { ?t rdfs:subClassOf* ?top . FILTER (STRSTARTS(STR(?top), STR(jkg:))) } "
            "FILTER NOT EXISTS { ?e a oa:Annotation } }")
        tops: dict[str, set[str]] = {}
        for r in rows:
            classes = tops.setdefault(r["e"].value, set())
            if "top" in r:
                classes.add(r["top"].value[len(JKG):])
        out = {}
        for iri, classes in tops.items():
            if page_url(iri) is None:
                continue
            out[iri] = next((kind for kind, _, names in KINDS if classes.intersection(names)), OTHER_KIND[0])
        return out

    def _documented(self) -> set[str]:
        rows = self.store.select(
            "SELECT DISTINCT ?x WHERE { { ?x a ?t VALUES ?t { owl:Class owl:ObjectProperty owl:DatatypeProperty "
            "owl:AnnotationProperty rdf:Property skos:Concept skos:ConceptScheme } } FILTER (isIRI(?x)) }")
        return {r["x"].value for r in rows if r["x"].value.startswith((JKG, JV))}

    def link(self, iri: str | None, from_dir: str) -> str | None:
        """The relative link to `iri`'s page in this site, or None when it has none."""
        if iri is None:
            return None
        if iri in self.kinds or iri in self.documented:
            return page_url(iri, from_dir)
        return None

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or curie(iri) or iri

    # --- shared lookups ----------------------------------------------------------------------------------

    def _anchors(self) -> dict[tuple[str, str], dict]:
        rows = self.store.select("""
            SELECT ?claim ?exact ?start ?end ?url ?sha WHERE {
              ?a a oa:Annotation ; oa:hasBody ?claim ; oa:hasTarget ?t .
              ?t oa:hasSource ?src ; oa:hasSelector ?qs . ?qs oa:exact ?exact .
              OPTIONAL { ?t oa:hasSelector ?ps . ?ps oa:start ?start ; oa:end ?end }
              OPTIONAL { ?src jkg:sha256 ?sha }
              OPTIONAL { ?src jkg:representationOf ?w . ?w schema:url ?url } }""")
        out = {}
        for r in rows:
            out[(r["claim"].value, r["exact"].value)] = {
                "start": int(r["start"].value) if "start" in r else None,
                "end": int(r["end"].value) if "end" in r else None,
                "sha256": r["sha"].value if "sha" in r else None,
                "url": r["url"].value if "url" in r else None,
            }
        return out

    def _mappings(self) -> dict[str, list[dict]]:
        rows = self.store.select(f"""PREFIX sssom: <{SSSOM}>
            SELECT ?entity ?set ?target ?comment ?seen ?objectLabel WHERE {{
              ?m a sssom:Mapping ; owl:annotatedSource ?entity ; owl:annotatedTarget ?target ;
                 sssom:mapping_set_id ?set .
              OPTIONAL {{ ?m rdfs:comment ?comment }} OPTIONAL {{ ?m rdfs:seeAlso ?seen }}
              OPTIONAL {{ ?m sssom:object_label ?objectLabel }} }}""")
        out: dict[str, list[dict]] = {}
        seen = set()
        for r in rows:
            target = r["target"].value
            key = (r["entity"].value, r["set"].value, target)
            if key in seen:  # a second rdfs:seeAlso or comment of the same mapping: one row is enough
                continue
            seen.add(key)
            out.setdefault(r["entity"].value, []).append({
                "reviewed": r["set"].value == REVIEWED_LINKS,
                "none_found": target == SSSOM + "NoTermFound",
                "target": target,
                "target_text": curie(target, {**PREFIXES, "wd": "http://www.wikidata.org/entity/"}) or target,
                "object_label": r["objectLabel"].value if "objectLabel" in r else None,
                "comment": r["comment"].value if "comment" in r else None,
                "seen_at": r["seen"].value if "seen" in r else None,
            })
        for rows_ in out.values():
            rows_.sort(key=lambda m: (not m["reviewed"], m["target"]))
        return out

    # --- one page ----------------------------------------------------------------------------------------

    def entity_page(self, iri: str) -> dict:
        from jasic_kg.describe import describe

        d = describe(self.store, NamedNode(iri), labels=self.labels)
        here = "id"
        term = lambda v: self._term(v, here)  # noqa: E731

        links, properties = [], []
        is_claim = self.kinds[iri] == "claims"
        for p in d["properties"]:
            prop_iri = p["property"]["iri"]
            if prop_iri in LINK_PROPS:
                continue  # shown with their mapping under "links out"
            if is_claim and prop_iri in CLAIM_BLOCK_PROPS:
                continue  # a claim's page shows these in its claim block, with the quote
            properties.append({"property": term(p["property"]), "objects": [term(v) for v in p["values"]]})
        for m in self.mappings.get(iri, []):
            links.append({**m, "href": _web_url(m["target"]) if m["reviewed"] else None})
        reviewed = {m["target"] for m in links if m["reviewed"]}
        for t in d["triples"]:  # a link asserted without a reviewed mapping is still shown, as what it is
            if t.subject.value == iri and t.predicate.value in LINK_PROPS and t.object.value not in reviewed:
                links.append({"reviewed": False, "none_found": False, "target": t.object.value,
                              "target_text": curie(t.object.value) or t.object.value, "object_label": None,
                              "comment": "asserted in the data without a reviewed mapping", "seen_at": None,
                              "href": None, "unmapped": True})
        web = [v for p in properties for v in p["objects"] if v.get("web")]

        claims = []
        for c in d["claims"]:
            claim_iri = c["claim"].get("iri")
            quotes = []
            for q in c.get("quotes", []):
                anchor = self.anchors.get((claim_iri, q["value"]))
                url = (anchor or {}).get("url") or next(
                    (self.work_urls.get(s.get("iri")) for s in c.get("stated_in", []) if s.get("iri")), None)
                quotes.append({"text": q["value"], "anchor": anchor,
                               "href": text_fragment_url(url, q["value"]) if url else None})
            claims.append({
                "claim": term(c["claim"]),
                "is_self": claim_iri == iri,
                "types": [term(t) for t in c.get("types", [])],
                "quotes": quotes,
                **{key: [term(v) for v in c.get(key, [])] for key in (
                    "asserted_by", "reported_by", "evidence_type", "cites_source", "stated_in", "verified_by",
                    "rank", "rank_reason", "summary")},
            })
        claims.sort(key=lambda c: (not c["is_self"], c["claim"].get("label") or "", c["claim"].get("iri") or ""))

        names = [{"text": n["value"], "language": n.get("language"), "property": n["property"]}
                 for n in d["names"] if "value" in n]
        zh = [n for n in names if (n["language"] or "").startswith("zh")]
        return {
            "iri": iri,
            "curie": curie(iri) or iri,
            "label": d["label"] or curie(iri) or iri,
            "kind": self.kinds[iri],
            "kind_title": KIND_TITLES[self.kinds[iri]],
            "names": names,
            "chinese_names": zh,
            "types": [term(t) for t in d["types"]],
            "properties": properties,
            # claims about the entity are shown whole below, not as bare "claim about" links
            # (and a quote's anchor, oa:hasBody, is shown with the quote)
            "incoming": [{"subject": term(i["subject"]), "property": term(i["property"])} for i in d["incoming"]
                         if i["property"].get("iri") not in (JKG + "claimAbout", OA + "hasBody")],
            "links": links,
            "web": web,
            "claims": claims,
            "triples": d["triples"],
        }

    def _term(self, v: dict, here: str) -> dict:
        """A describe() term with what a page needs: the link to its page, or to the web for external IRIs."""
        out = dict(v)
        iri = v.get("iri")
        if iri:
            out["href"] = self.link(iri, here)
            out["text"] = v.get("label") or v.get("id") or iri
            if out["href"] is None and _web_url(iri):
                out["web"] = True
                out["href"] = _web_url(iri)
        elif "value" in v:
            out["text"] = v["value"]
            if v.get("datatype") == "xsd:anyURI" and _web_url(v["value"]):
                out["href"], out["web"] = v["value"], True
        return out

    # --- the index and the search index ------------------------------------------------------------------

    def groups(self) -> list[dict]:
        """The index: every entity with a page, grouped by kind, sorted by label."""
        by_kind: dict[str, list[dict]] = {}
        for iri, kind in self.kinds.items():
            by_kind.setdefault(kind, []).append({"iri": iri, "label": self.label(iri),
                                                 "href": page_url(iri, "")})
        order = [k for k, _, _ in KINDS] + [OTHER_KIND[0]]
        return [{"kind": k, "title": KIND_TITLES[k],
                 "entries": sorted(by_kind[k], key=lambda e: (e["label"].casefold(), e["iri"]))}
                for k in order if k in by_kind]

    def search_entries(self) -> list[dict]:
        """What the offline search box matches: each page's label (l), other names and quotes (n), kind (k),
        link (u) and rank (p: 1 for statement pages, shown after the entities they are about)."""
        names: dict[str, list[str]] = {}
        for r in self.store.select("SELECT ?e ?n WHERE { VALUES ?p { rdfs:label skos:prefLabel skos:altLabel "
                                   "jkg:quote } ?e ?p ?n FILTER (isIRI(?e)) }"):
            names.setdefault(r["e"].value, []).append(r["n"].value)
        out = []
        for iri, kind in sorted(self.kinds.items()):
            label = self.label(iri)
            others = sorted({n for n in names.get(iri, []) if n != label})
            out.append({"u": page_url(iri, ""), "l": label, "k": KIND_TITLES[kind], "n": others,
                        "p": 1 if kind in SECONDARY_KINDS else 0})
        return out


def _web_url(iri: str) -> str | None:
    """An IRI a browser can open (http or https), else None (urn:isbn, ...); the project's own IRIs are not
    published on the web yet, so they are never links out."""
    if iri.startswith(PROJECT_NAMESPACES):
        return None
    return iri if iri.startswith(("http://", "https://")) else None


__all__ = ["KINDS", "Site", "page_url", "text_fragment_url"]
