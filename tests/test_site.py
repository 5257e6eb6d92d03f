"""The static site (`jasic-kg site -o DIR`): real content for readers, links that resolve, JSON-LD that is the
entity's triples, no remote asset, and a build that never destroys what it did not write."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse

from jasic_kg import open_store
from jasic_kg.site import build_site, page_url
from jasic_kg.site.pages import text_fragment_url
from jasic_kg.terms import JID

ARTICLE = "https://madeinchinajournal.com/2020/06/25/leninists-in-a-chinese-factory"


BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "tr", "td", "th", "section", "article", "figure", "figcaption",
          "blockquote", "ul", "ol", "dl", "div", "main", "header", "footer", "nav", "title"}


class Page(HTMLParser):
    """What a test reads from a page: its text, links, ids, script sources and JSON-LD, and the elements
    with a lang attribute."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.text, self.hrefs, self.ids, self.srcs, self.jsonld, self.lang_text = [], [], set(), [], [], []
        self._in_jsonld, self._lang_stack = False, []
        self.feed(text)
        self.body = " ".join("".join(self.text).split())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in BLOCKS:
            self.text.append(" ")
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "link" and "href" in a:
            self.srcs.append(a["href"])
        if "src" in a:
            self.srcs.append(a["src"])
        self._in_jsonld = tag == "script" and a.get("type") == "application/ld+json"
        if tag not in ("meta", "link", "br", "img", "input"):
            self._lang_stack.append(a.get("lang"))

    def handle_endtag(self, tag):
        if tag not in ("meta", "link", "br", "img", "input") and self._lang_stack:
            self._lang_stack.pop()
        self._in_jsonld = False

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)
            return
        self.text.append(data)
        lang = next((x for x in reversed(self._lang_stack) if x), None)
        if lang and lang != "en" and data.strip():
            self.lang_text.append((lang, data.strip()))


@pytest.fixture(scope="module")
def store():
    return open_store()


@pytest.fixture(scope="module")
def site_dir(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(store, out)
    return out


def read(site_dir: Path, name: str) -> Page:
    return Page((site_dir / name).read_text(encoding="utf-8"))


def claim_block(html: str, claim_slug: str) -> str:
    """The <article> of one claim on a page."""
    m = re.search(rf'<article class="claim" id="jid-{re.escape(claim_slug)}">(.*?)</article>', html, re.S)
    assert m, f"no claim block jid:{claim_slug}"
    return m.group(1)


# --- content ----------------------------------------------------------------------------------------------

def test_the_detention_of_27_july_shows_its_quote_its_voice_and_a_link_into_the_article(site_dir):
    html = (site_dir / "id/detention-2018-07-27.html").read_text(encoding="utf-8")
    page = Page(html)
    assert "detention of 30 worker activists and supporters (27 July 2018)" in page.body
    block = Page(claim_block(html, "claim-detention-2018-07-27"))
    quote = ("As a result, on 27 July a total of 30 individuals, including both Jasic worker activists and their "
             "supporters, were detained.")
    assert f"“{quote}”" in block.body
    assert "Voice: Yueran Zhang" in block.body
    assert "../id/yueran-zhang.html" not in block.hrefs and "yueran-zhang.html" in block.hrefs
    into_article = (f"{ARTICLE}#:~:text=As%20a%20result%2C%20on,their%20supporters%2C%20were%20detained.")
    assert into_article in block.hrefs
    assert "characters 4613–4738 of the reference text" in block.body
    # the date as the article gives it, and its derived bounds, with their basis
    assert "date as stated on 27 July" in page.body
    assert "earliest date 2018-07-27" in page.body


def test_a_relayed_voice_shows_who_relays_it_and_what_it_cites(site_dir):
    """He Pengchao's confession video: the voice is his, relayed by the author, citing the transcript."""
    html = (site_dir / "id/decision-send-to-jasic-2016.html").read_text(encoding="utf-8")
    block = Page(claim_block(html, "claim-confession-decision-2016"))
    assert "Voice: He Pengchao, reported by Yueran Zhang" in block.body
    assert "said in a confession video that after surveying several options" in block.body
    assert "Evidence confession video" in block.body
    assert "confession-transcript.html" in block.hrefs


def test_chinese_names_are_shown_and_tagged_zh(site_dir):
    page = read(site_dir, "id/solidarity-group.html")
    assert ("zh", "佳士工人声援团") in page.lang_text
    h1 = re.search(r"<h1>(.*?)</h1>", (site_dir / "id/solidarity-group.html").read_text(encoding="utf-8"), re.S)
    assert '<span lang="zh" class="zh">佳士工人声援团</span>' in h1.group(1)
    assert "Jasic Worker Support Group" in page.body  # the English variants too
    work = read(site_dir, "id/confession-transcript.html")
    assert ("zh", "认罪视频文字整理") in work.lang_text


def test_reviewed_links_are_links_and_candidates_are_not(site_dir):
    lenin = read(site_dir, "id/vladimir-lenin.html")
    assert "http://www.wikidata.org/entity/Q1394" in lenin.hrefs
    assert "wd:Q1394 (Vladimir Lenin) reviewed link" in lenin.body
    china = (site_dir / "id/china.html").read_text(encoding="utf-8")
    assert "Candidate, not a link: wd:Q148" in Page(china).body
    assert "Q148" not in " ".join(Page(china).hrefs)
    koo = read(site_dir, "id/korean-workers.html")  # an ISBN is no web address: shown, not linked
    assert ("urn:isbn:9780801486968 (Korean Workers: The Culture and Politics of Class Formation (paperback)) "
            "reviewed link") in koo.body
    assert not any(h.startswith("urn:") for h in koo.hrefs)
    police = read(site_dir, "id/local-police-station.html")
    assert "No external identifier found: no counterpart: the article does not name the station" in police.body


def test_relations_are_shown_both_ways_and_linked(site_dir):
    detention = read(site_dir, "id/detention-2018-07-27.html")
    assert "crackdown.html" in detention.hrefs  # sub-event of
    crackdown = read(site_dir, "id/crackdown.html")
    assert "detention-2018-07-27.html" in crackdown.hrefs  # and back, under "Linked from"
    assert "Linked from" in crackdown.body


def test_the_index_lists_every_page_grouped_by_kind(store, site_dir):
    index = read(site_dir, "index.html")
    rows = store.select("SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?t FILTER (isIRI(?e) && "
                        "STRSTARTS(STR(?e), STR(jid:))) FILTER NOT EXISTS { ?e a oa:Annotation } }")
    expected = int(rows[0]["n"].value)
    pages = sorted(p.name for p in (site_dir / "id").iterdir())
    assert len(pages) == expected == 459
    assert sorted(h.removeprefix("id/") for h in index.hrefs if h.startswith("id/")) == pages
    assert "People (7)" in index.body and "Events (52)" in index.body and "Claims and assessments (190)" in index.body
    people = re.search(r'<section id="people".*?</section>', (site_dir / "index.html").read_text(encoding="utf-8"),
                       re.S).group(0)
    assert "He Pengchao" in Page(people).body and "Vladimir I. Lenin" in Page(people).body


def test_the_search_index_holds_every_page_with_its_other_names(site_dir):
    text = (site_dir / "search-index.js").read_text(encoding="utf-8")
    entries = json.loads(text[text.index("=") + 1:].strip().rstrip(";"))
    assert len(entries) == 459
    group = next(e for e in entries if e["u"] == "id/solidarity-group.html")
    assert group["l"] == "Jasic Workers Solidarity Group" and "佳士工人声援团" in group["n"]
    claim = next(e for e in entries if e["u"] == "id/claim-detention-2018-07-27.html")
    assert any("a total of 30 individuals" in n for n in claim["n"])


# --- links, assets, JSON-LD -------------------------------------------------------------------------------

def all_pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_every_local_link_resolves_to_a_file_and_anchor_that_exist(site_dir):
    ids: dict[Path, set[str]] = {}
    checked = 0
    for path in all_pages(site_dir):
        page = read(site_dir, path.relative_to(site_dir).as_posix())
        ids[path.resolve()] = page.ids
        for href in page.hrefs + page.srcs:
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            assert target.is_file(), f"{path.relative_to(site_dir)}: {href} -> missing file"
            assert site_dir.resolve() in target.parents, f"{path}: {href} leaves the site"
            if parts.fragment and target.suffix == ".html" and not parts.fragment.startswith(":~:"):
                if target not in ids:
                    ids[target] = Page(target.read_text(encoding="utf-8")).ids
                assert unquote(parts.fragment) in ids[target], f"{path.relative_to(site_dir)}: {href}: no anchor"
            checked += 1
    assert checked > 10000


def test_no_page_loads_anything_from_the_network(site_dir):
    for path in all_pages(site_dir):
        page = read(site_dir, path.relative_to(site_dir).as_posix())
        remote = [s for s in page.srcs if urlsplit(s).scheme or s.startswith("//")]
        assert not remote, f"{path}: {remote}"
        html = path.read_text(encoding="utf-8")
        assert "@import" not in html and "url(http" not in html
    css = (site_dir / "static/site.css").read_text(encoding="utf-8")
    assert "http" not in css and "@import" not in css
    assert "http" not in re.sub(r"//.*", "", (site_dir / "static/search.js").read_text(encoding="utf-8"))


def test_pages_work_on_a_phone_and_without_javascript(site_dir):
    for name in ("index.html", "id/he-pengchao.html", "ontology/index.html", "ontology/vocab.html"):
        html = (site_dir / name).read_text(encoding="utf-8")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert '<html lang="en">' in html
    index = (site_dir / "index.html").read_text(encoding="utf-8")
    # the search box is shown by the script; without it the index lists everything and says so
    assert '<section class="search" aria-labelledby="search-title" id="search" hidden>' in index
    assert "<noscript><p>Search needs JavaScript; the index below lists every page.</p></noscript>" in index


def _shape(triples):
    """Triples with each blank node replaced by a placeholder: equal multisets mean isomorphic graphs when
    no blank node occurs twice (checked by the caller)."""
    from collections import Counter

    return Counter(tuple("_:" if isinstance(x, BlankNode) else x for x in (t.subject, t.predicate, t.object))
                   for t in triples)


def test_every_page_embeds_its_entity_triples_as_json_ld(store, site_dir):
    pages = sorted((site_dir / "id").iterdir())
    with_blank_nodes = 0
    for path in pages:
        page = read(site_dir, f"id/{path.name}")
        assert len(page.jsonld) == 1, path
        got = [q.triple for q in parse(page.jsonld[0].encode("utf-8"), format=RdfFormat.JSON_LD)]
        expected = store.describe(NamedNode(JID + path.stem))
        blanks = [x for t in expected for x in (t.subject, t.object) if isinstance(x, BlankNode)]
        if blanks:
            # jid:article-text: every anchor's target (a blank node) points at it; rdflib's isomorphism test
            # takes minutes on hundreds of look-alike blank nodes, and here each occurs in one triple only
            with_blank_nodes += 1
            assert len(set(blanks)) == len(blanks)
            assert len(got) == len(expected) and _shape(got) == _shape(expected), path
        else:
            assert sorted(map(str, got)) == sorted(map(str, expected)), path
    assert with_blank_nodes == 1


# --- the ontology's documentation -------------------------------------------------------------------------

def test_the_ontology_page_documents_every_class_and_property(store, site_dir):
    html = (site_dir / "ontology/index.html").read_text(encoding="utf-8")
    page = Page(html)
    classes = {r["c"].value.split("#")[1] for r in store.select(
        "SELECT ?c WHERE { ?c a owl:Class FILTER (STRSTARTS(STR(?c), STR(jkg:))) }")}
    props = {r["p"].value.split("#")[1] for r in store.select(
        "SELECT ?p WHERE { VALUES ?t { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty } ?p a ?t "
        "FILTER (STRSTARTS(STR(?p), STR(jkg:))) }")}
    assert len(classes) == 36 and len(props) == 88
    assert classes | props <= page.ids
    person = Page(re.search(r'<section class="term" id="Person".*?</section>', html, re.S).group(0))
    assert "An individual human being, named or anonymous." in person.body
    assert "schema:Person" in person.body and "foaf:Person" in person.body  # alignments
    assert "Instances 7, e.g." in person.body and "../id/he-pengchao.html" in person.hrefs
    event_type = Page(re.search(r'<section class="term" id="eventType".*?</section>', html, re.S).group(0))
    assert "sem:eventType" in event_type.body and "Uses 52" in event_type.body


def test_the_class_diagram_is_generated_svg_with_a_linked_box_per_class(store, site_dir):
    svg = ET.parse(site_dir / "ontology/classes.svg").getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    boxes = svg.findall(".//s:a", ns)
    assert len(boxes) == 36
    labels = {"".join(a.find("s:text", ns).itertext()) for a in boxes}
    assert {"person", "claim", "event", "network", "shortcoming"} <= labels
    # subclass arrows: one per jkg:subClassOf link between two jkg classes
    links = store.select("SELECT ?a ?b WHERE { ?a rdfs:subClassOf ?b FILTER (STRSTARTS(STR(?a), STR(jkg:)) "
                         "&& STRSTARTS(STR(?b), STR(jkg:))) }")
    assert len(svg.findall(".//s:path[@marker-end]", ns)) == len(links) == 20
    html = (site_dir / "ontology/index.html").read_text(encoding="utf-8")
    assert '<a href="#Network"><rect' in html  # the same diagram inline, linking to the sections


def test_the_vocabulary_page_shows_the_mappings(site_dir):
    html = (site_dir / "ontology/vocab.html").read_text(encoding="utf-8")
    row = Page(re.search(r'<tr id="detention">.*?</tr>', html, re.S).group(0))
    assert "Arrest, detain, or charge with legal action (skos:closeMatch)" in row.body or \
        "Arrest, detain, or charge with legal action (skos:exactMatch)" in row.body


# --- the page scheme --------------------------------------------------------------------------------------

def test_page_url_gives_the_scheme_relative_to_the_page():
    assert page_url(JID + "he-pengchao") == "id/he-pengchao.html"
    assert page_url(JID + "he-pengchao", "id") == "he-pengchao.html"
    assert page_url(JID + "he-pengchao", "ontology") == "../id/he-pengchao.html"
    assert page_url("https://w3id.org/jasic-kg/ontology#Person", "id") == "../ontology/index.html#Person"
    assert page_url("https://w3id.org/jasic-kg/vocab/detention") == "ontology/vocab.html#detention"
    assert page_url("http://www.wikidata.org/entity/Q1394") is None
    assert page_url(JID + "../etc/passwd") is None  # never a path outside the site


def test_text_fragment_links_encode_the_directive_syntax():
    assert text_fragment_url("https://x.org/a", "worker-activists, and more") == \
        "https://x.org/a#:~:text=worker%2Dactivists%2C%20and%20more"


def test_page_json_ld_is_what_the_json_ld_exporter_makes_of_each_page(store):
    """The site compacts all pages in one pass; each document must equal the exporter's for that page."""
    from jasic_kg.export.jsonld import compact_jsonld
    from jasic_kg.export.rdf import canonical_quads
    from jasic_kg.site.build import page_jsonld

    iris = [JID + s for s in ("he-pengchao", "detention-2018-07-27", "article-text", "claim-confession-decision-2016",
                              "solidarity-group")]
    graphs = [store.describe(NamedNode(i)) for i in iris]
    assert page_jsonld(graphs) == [compact_jsonld(canonical_quads(g)) for g in graphs]


def test_a_claim_page_shows_its_quote_once_in_its_claim_block_and_what_it_is_about(site_dir):
    html = (site_dir / "id/claim-confession-decision-2016.html").read_text(encoding="utf-8")
    page = Page(html)
    assert page.body.count("said in a confession video that after surveying several options") == 1
    assert "Voice: He Pengchao, reported by Yueran Zhang" in page.body
    assert "claim about" in page.body and "decision-send-to-jasic-2016.html" in page.hrefs
    assert "jid:evidence-claim-confession-decision-2016" not in page.body  # the anchor is shown as its position
    assert "characters 12968–13205 of the reference text" in page.body


def test_a_person_added_with_data_gets_a_page_with_the_chinese_name(tmp_path):
    """No person of the shipped graph has a Chinese name in it (the article gives none); a user's file can."""
    mine = tmp_path / "mine.ttl"
    mine.write_text("""@prefix jkg: <https://w3id.org/jasic-kg/ontology#> .
@prefix jid: <https://w3id.org/jasic-kg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
jid:my-person a jkg:Person ; rdfs:label "Zhang San"@en ; skos:altLabel "张三"@zh .
""", encoding="utf-8")
    build_site(open_store(data=[mine]), tmp_path / "site")
    page = read(tmp_path / "site", "id/my-person.html")
    assert ("zh", "张三") in page.lang_text
    assert '<h1>Zhang San <span lang="zh" class="zh">张三</span></h1>' in (
        tmp_path / "site/id/my-person.html").read_text(encoding="utf-8")
    index = read(tmp_path / "site", "index.html")
    assert "id/my-person.html" in index.hrefs and "People (8)" in index.body
