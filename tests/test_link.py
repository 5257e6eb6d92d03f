"""`jasic-kg link`: check, suggest and fetch against a real SPARQL server on loopback (Oxigraph's), loaded with a
small Wikidata-shaped fixture made here; export; and the saved queries that join local and fetched facts. The
client's fault tests are in tests/test_link_client.py.

The fixtures use the project's real linked items (wd:Q1394, wd:Q16952, wd:Q946877) and the candidate wd:Q148,
with values from the pages cited beside them; the "broken" server deliberately changes them (a redirect, a
deletion, a wrong label) to exercise each status. Items that stand for suggestions are Wikidata's two sandbox
items (wd:Q4115189, wd:Q13406268: https://www.wikidata.org/wiki/Q4115189, kept for tests), so no real item is
given a false label.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from tests.conftest import REPO

PREFIXES = """\
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .
@prefix p: <http://www.wikidata.org/prop/> .
@prefix ps: <http://www.wikidata.org/prop/statement/> .
@prefix wds: <http://www.wikidata.org/entity/statement/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
"""

# Classes: human (Q5), organization (Q43229), geographical feature (Q618123), literary work (Q7725634), university
# (Q3918; its chain to organization shortened to one step here).
CLASSES = """
wd:Q3918 rdfs:label "university"@en ; wdt:P279 wd:Q43229 .
"""
# Peking University: labels, description and inception as the cited pages give them (the links row's
# inventaire.io page; coordinates 39.98972 N 116.30528 E and 北京大学 from
# http://www.princeton.edu/~achaney/tmve/wiki100k/docs/Peking_University.html; set up on 3 July 1898 per
# http://wiki.china.org.cn/index.php?title=Imperial_University_of_Peking; in the People's Republic of China).
PKU = """
wd:Q16952 rdfs:label "Peking University"@en, "北京大学"@zh ;
    schema:description "public research university in Beijing, established as the Imperial University of Peking in 1898"@en ;
    wdt:P31 wd:Q3918 ; p:P31 wds:Q16952-p31 ;
    wdt:P625 "Point(116.30528 39.98972)"^^geo:wktLiteral ;
    wdt:P17 wd:Q148 ;
    wdt:P571 "1898-07-03T00:00:00Z"^^xsd:dateTime .
wds:Q16952-p31 ps:P31 wd:Q3918 .
"""
LENIN = """
wd:Q1394 rdfs:label "Vladimir Lenin"@en ; skos:altLabel "Vladimir Ilyich Ulyanov"@en ; wdt:P31 wd:Q5 .
"""
WITBD = """
wd:Q946877 rdfs:label "What Is to Be Done?"@en ; schema:description "1902 pamphlet by Lenin"@en ;
    wdt:P31 wd:Q7725634 .
"""
PRC = """
wd:Q148 rdfs:label "People's Republic of China"@en ; skos:altLabel "China"@en .
"""
# The sandbox items as suggestion targets: an exact label (Shenzhen), an alias (PRD), a spelling variant
# (Pingshan District for the altLabel "Pingshan district"), a second, weaker candidate for Shenzhen (an alias),
# and a label of the wrong type (Bo Xilai on a place).
SANDBOX = """
wd:Q4115189 rdfs:label "Shenzhen"@en ; skos:altLabel "Bo Xilai"@en ; schema:description "Wikidata sandbox item"@en ;
    wdt:P31 wd:Q618123 .
wd:Q13406268 rdfs:label "Pingshan District"@en ; skos:altLabel "PRD"@en, "Shenzhen"@en ; wdt:P31 wd:Q618123 .
"""
HEALTHY = PREFIXES + CLASSES + PKU + LENIN + WITBD + PRC + SANDBOX
# Broken: Peking University renamed, Lenin deleted, What Is to Be Done? redirected (merged into the second sandbox
# item), China of no compatible class.
BROKEN = (PREFIXES + CLASSES + PKU.replace('"Peking University"@en, "北京大学"@zh', '"Imperial University of Peking"@en')
          + "wd:Q946877 owl:sameAs wd:Q13406268 .\n" + PRC + SANDBOX)

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(tmp_path_factory, name: str, turtle: str):
    assert OXIGRAPH.exists(), "the oxigraph server is not installed: pip install '.[test]'"
    folder = tmp_path_factory.mktemp(name)
    data = folder / "fixture.ttl"
    data.write_text(turtle, encoding="utf-8")
    ox.Store().load(path=str(data), format=ox.RdfFormat.TURTLE)  # the fixture itself parses
    subprocess.run([str(OXIGRAPH), "load", "--location", str(folder / "db"), "--file", str(data)], check=True,
                   capture_output=True, timeout=60)
    port = _free_port()
    proc = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port}/query"


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory):
    proc, url = _serve(tmp_path_factory, "healthy", HEALTHY)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    proc, url = _serve(tmp_path_factory, "broken", BROKEN)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def data_copy(tmp_path):
    """A copy of the data folder's mapping sets, with the China candidate added to the links."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("links.sssom.tsv", "links-candidates.sssom.tsv"):
        shutil.copy(REPO / "data" / name, folder / name)
    china = next(line for line in (folder / "links-candidates.sssom.tsv").read_text(encoding="utf-8").splitlines()
                 if line.startswith("jid:china\t"))
    with open(folder / "links.sssom.tsv", "a", encoding="utf-8") as f:
        f.write(china + "\n")
    return folder


# --- check ----------------------------------------------------------------------------------------------------

def test_check_all_links_ok(run, shipped, wikidata):
    r = run("link", "check", "--endpoint", wikidata)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:3] == [
        "ok             wd:Q1394     jid:vladimir-lenin (Vladimir I. Lenin)",
        "ok             wd:Q16952    jid:peking-university (Peking University)",
        "ok             wd:Q946877   jid:what-is-to-be-done (What Is to Be Done?)",
    ]
    assert lines[3:6] == [
        "not checked    isbn:9780801486968 jid:korean-workers (not a Wikidata item)",
        "not checked    isbn:0801438357 jid:korean-workers (not a Wikidata item)",
        "not checked    issn:2206-9119 jid:made-in-china-journal (not a Wikidata item)",
    ]
    assert lines[-1] == (f"3 Wikidata links checked against {wikidata}: 3 ok, 0 with problems; "
                         "3 other links not checked")


def test_check_finds_redirect_deletion_type_and_label(run, shipped, broken, data_copy):
    links = data_copy / "links.sssom.tsv"
    before = links.read_bytes()
    r = run("link", "check", "--endpoint", broken, "--mappings", str(links))
    assert r.exit_code == 1, r.stderr
    assert r.stderr == "jasic-kg: error: 4 of 4 links have problems\n"
    assert r.stdout.splitlines()[:8] == [
        "deleted        wd:Q1394     jid:vladimir-lenin (Vladimir I. Lenin)",
        "    the endpoint has no triple about the item (deleted, or never existed)",
        "label-mismatch wd:Q16952    jid:peking-university (Peking University)",
        '    its labels ("Imperial University of Peking"@en) match neither the mapping\'s object_label nor the '
        "entity's labels",
        "redirected     wd:Q946877   jid:what-is-to-be-done (What Is to Be Done?)",
        "    the item now redirects to wd:Q13406268: link to the target instead",
        "type-mismatch  wd:Q148      jid:china (China)",
        "    not an instance of geographical feature (wd:Q618123), as a Place must be",
    ]
    assert links.read_bytes() == before  # without --write nothing changes


def test_check_write_records_statuses_and_regenerates_links_ttl(run, shipped, broken, data_copy):
    from jasic_kg.links import read_mapping_set

    links = data_copy / "links.sssom.tsv"
    header_before = [line for line in links.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    _, rows_before = read_mapping_set(links)
    r = run("link", "check", "--endpoint", broken, "--mappings", str(links), "--write")
    assert r.exit_code == 1
    assert f"wrote the status of 4 links to {links} and regenerated generated/links.ttl" in r.stderr
    assert [line for line in links.read_text(encoding="utf-8").splitlines() if line.startswith("#")] == header_before
    _, rows = read_mapping_set(links)
    today = __import__("datetime").date.today().isoformat()
    statuses = {r["object_id"]: r["other"] for r in rows}
    assert statuses == {
        "wd:Q1394": f"link_status=deleted|link_checked={today}|link_checked_at={broken}",
        "wd:Q16952": f"link_status=label-mismatch|link_checked={today}|link_checked_at={broken}",
        "wd:Q946877": f"link_status=redirected|link_checked={today}|link_checked_at={broken}",
        "wd:Q148": f"link_status=type-mismatch|link_checked={today}|link_checked_at={broken}",
        "isbn:9780801486968": "", "isbn:0801438357": "", "issn:2206-9119": "",
    }
    # every other cell is as it was
    for old, new in zip(rows_before, rows):
        assert {k: v for k, v in new.items() if k != "other"} == old
    # links.ttl carries the status on each mapping node, and the shapes accept it
    g = ox.Store()
    g.load(path=str(data_copy / "generated" / "links.ttl"), format=ox.RdfFormat.TURTLE)
    got = {(s.value, o.value) for s, o in g.query(
        "SELECT ?target ?other WHERE { ?m <http://www.w3.org/2002/07/owl#annotatedTarget> ?target ; "
        "<https://w3id.org/sssom/other> ?other }")}
    assert ("http://www.wikidata.org/entity/Q1394",
            f"link_status=deleted|link_checked={today}|link_checked_at={broken}") in got
    assert len(got) == 4
    # a second run with a healthy endpoint replaces the link_* keys, never duplicates them
    r = run("link", "check", "--endpoint", broken, "--mappings", str(links), "--write")
    _, rows = read_mapping_set(links)
    assert {r["object_id"]: r["other"] for r in rows} == statuses
    from sssom.parsers import parse_sssom_table

    assert len(parse_sssom_table(str(links)).df) == 7


def test_check_write_output_validates(run, shipped, broken, data_copy, tmp_path):
    """The regenerated links.ttl with its statuses conforms to the mapping shapes."""
    links = data_copy / "links.sssom.tsv"
    run("link", "check", "--endpoint", broken, "--mappings", str(links), "--write")
    r = run("validate", "--data", str(data_copy / "generated" / "links.ttl"))
    assert r.exit_code == 0, r.stdout[-2000:]


# --- suggest --------------------------------------------------------------------------------------------------

def test_suggest_ranks_label_alias_fuzzy_and_respects_type(run, shipped, wikidata, tmp_path):
    out = tmp_path / "suggested.sssom.tsv"
    r = run("link", "suggest", "--endpoint", wikidata, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == ("4 candidates for 3 of 31 unlinked entities; 1 not looked up (no type rule for their class: "
                        "jid:jasic-struggle-2018)\n")
    from jasic_kg.links import read_mapping_set

    meta, rows = read_mapping_set(out)
    assert meta["mapping_set_id"] == "https://w3id.org/jasic-kg/mappings/suggested"
    got = [(r["subject_id"], r["object_id"], r["confidence"], r["subject_match_field"], r["object_match_field"],
            r["match_string"]) for r in rows]
    assert got == [
        ("jid:prd", "wd:Q13406268", "0.7", "skos:altLabel", "skos:altLabel", "PRD"),
        ("jid:pingshan", "wd:Q13406268", "0.5", "skos:altLabel", "rdfs:label", "Pingshan District"),
        ("jid:shenzhen", "wd:Q4115189", "0.9", "rdfs:label", "rdfs:label", "Shenzhen"),
        ("jid:shenzhen", "wd:Q13406268", "0.7", "rdfs:label", "skos:altLabel", "Shenzhen"),
    ]
    shenzhen = rows[2]
    assert shenzhen["mapping_justification"] == "semapv:LexicalMatching"
    assert shenzhen["see_also"] == wikidata
    assert shenzhen["comment"] == ("label match: 'Shenzhen'@en is the item's rdfs:label and the entity's rdfs:label; "
                                   "instance of geographical feature (wd:Q618123); the item's description: "
                                   "Wikidata sandbox item")
    # Bo Xilai is a person: the place labelled "Bo Xilai" is not suggested
    assert not [r for r in rows if r["subject_id"] == "jid:bo-xilai"]
    # a candidate is never written into the reviewed links
    assert "Q4115189" not in (REPO / "data" / "links.sssom.tsv").read_text(encoding="utf-8")
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    msdf = parse_sssom_table(str(out))
    assert len(msdf.df) == 4
    validate(msdf, fail_on_error=True)


def test_suggest_type_filter_and_limit(run, shipped, wikidata):
    from jasic_kg.linking.suggest import COLUMNS

    r = run("link", "suggest", "--endpoint", wikidata, "--type", "Person")
    assert r.exit_code == 0, r.stderr
    assert [line for line in r.stdout.splitlines() if not line.startswith("#")] == ["\t".join(COLUMNS)]
    assert r.stderr == "0 candidates for 0 of 6 unlinked entities\n"
    r = run("link", "suggest", "--endpoint", wikidata, "--type", "Place", "--limit", "1")
    rows = [line.split("\t") for line in r.stdout.splitlines() if line.startswith("jid:")]
    assert [(row[0], row[3]) for row in rows] == [
        ("jid:prd", "wd:Q13406268"), ("jid:pingshan", "wd:Q13406268"), ("jid:shenzhen", "wd:Q4115189")]
    assert r.stderr == "3 candidates for 3 of 10 unlinked entities\n"


# --- fetch ----------------------------------------------------------------------------------------------------

@pytest.fixture
def fetched(run, shipped, wikidata, tmp_path):
    out = tmp_path / "fetched.ttl"
    r = run("link", "fetch", "--endpoint", wikidata, "-o", str(out))
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"fetched 9 facts about 3 linked items from {wikidata}\n"
    return out


def test_fetch_writes_the_declared_facts_with_provenance(fetched, wikidata):
    g = ox.Store()
    g.load(path=str(fetched), format=ox.RdfFormat.TURTLE)
    facts = {(s.value.rsplit("/", 1)[-1], p.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1], str(o))
             for s, p, o, _ in g.quads_for_pattern(None, None, None) if s.value.startswith("http://www.wikidata")}
    assert facts == {
        ("Q16952", "label", '"Peking University"@en'), ("Q16952", "label", '"北京大学"@zh'),
        ("Q16952", "description", '"public research university in Beijing, established as the Imperial University '
                                  'of Peking in 1898"@en'),
        ("Q16952", "P625", '"Point(116.30528 39.98972)"^^<http://www.opengis.net/ont/geosparql#wktLiteral>'),
        ("Q16952", "P17", "<http://www.wikidata.org/entity/Q148>"),
        ("Q16952", "P571", '"1898-07-03T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>'),
        ("Q1394", "label", '"Vladimir Lenin"@en'),
        ("Q946877", "label", '"What Is to Be Done?"@en'), ("Q946877", "description", '"1902 pamphlet by Lenin"@en'),
    }  # the type (P31) and the alias are not in the declared set: not fetched
    (fetch,) = [s for s, _, _, _ in g.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                                        ox.NamedNode("http://www.w3.org/ns/prov#Entity"))]
    assert g.quads_for_pattern(fetch, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), ox.NamedNode(wikidata))
    subjects = {o.value for _, _, o, _ in g.quads_for_pattern(fetch, ox.NamedNode("http://purl.org/dc/terms/subject"), None)}
    assert subjects == {"http://www.wikidata.org/entity/" + q for q in ("Q1394", "Q16952", "Q946877")}
    (when,) = [o for _, _, o, _ in g.quads_for_pattern(fetch, ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"), None)]
    assert when.datatype.value.endswith("#dateTime") and when.value.startswith(str(__import__("datetime").date.today().year))


def test_export_formats(run, shipped):
    r = run("link", "export", "--format", "sssom")
    assert r.exit_code == 0 and r.stdout == (REPO / "data" / "links.sssom.tsv").read_text(encoding="utf-8")
    r = run("link", "export", "--format", "rdf")
    assert r.exit_code == 0 and r.stdout == (REPO / "data" / "generated" / "links.ttl").read_text(encoding="utf-8")


# --- saved queries joining local and fetched facts -------------------------------------------------------------

def test_linked_descriptions_query_on_fetched_facts(run, fetched):
    r = run("query", "linked-descriptions", "--data", str(fetched), "--format", "csv")
    assert r.exit_code == 0, r.stderr
    assert r.stdout.splitlines() == [
        "entity,label,item,itemLabel,itemLabelZh,description",
        "https://w3id.org/jasic-kg/id/peking-university,Peking University,http://www.wikidata.org/entity/Q16952,"
        'Peking University,北京大学,"public research university in Beijing, established as the Imperial University of '
        'Peking in 1898"',
        "https://w3id.org/jasic-kg/id/vladimir-lenin,Vladimir I. Lenin,http://www.wikidata.org/entity/Q1394,"
        "Vladimir Lenin,,",
        "https://w3id.org/jasic-kg/id/what-is-to-be-done,What Is to Be Done?,http://www.wikidata.org/entity/Q946877,"
        "What Is to Be Done?,,1902 pamphlet by Lenin",
    ]


def test_linked_places_query_on_fetched_facts(run, fetched):
    r = run("query", "linked-places", "--data", str(fetched), "--format", "csv")
    assert r.exit_code == 0, r.stderr
    pku = ("https://w3id.org/jasic-kg/id/peking-university,Peking University,http://www.wikidata.org/entity/Q16952,"
           "Point(116.30528 39.98972),http://www.wikidata.org/entity/Q148,1898-07-03T00:00:00Z,")
    assert r.stdout.splitlines() == [
        "entity,label,item,coordinates,country,inception,member,memberLabel",
        pku + "https://w3id.org/jasic-kg/id/he-pengchao,He Pengchao",
        pku + "https://w3id.org/jasic-kg/id/anonymous-pku-student,anonymous Peking University student",
    ]


def test_linked_queries_without_fetched_facts_leave_the_external_columns_empty(run, shipped):
    r = run("query", "linked-descriptions", "--format", "csv")
    assert r.stdout.splitlines()[1:] == [
        "https://w3id.org/jasic-kg/id/peking-university,Peking University,http://www.wikidata.org/entity/Q16952,,,",
        "https://w3id.org/jasic-kg/id/vladimir-lenin,Vladimir I. Lenin,http://www.wikidata.org/entity/Q1394,,,",
        "https://w3id.org/jasic-kg/id/what-is-to-be-done,What Is to Be Done?,http://www.wikidata.org/entity/Q946877,,,",
    ]
    r = run("query", "linked-places", "--format", "csv")
    assert [line.split(",")[3:7] for line in r.stdout.splitlines()[1:]] == [
        ["", "", "", "https://w3id.org/jasic-kg/id/he-pengchao"],
        ["", "", "", "https://w3id.org/jasic-kg/id/anonymous-pku-student"]]


def test_input_errors_are_exit_2(run, shipped, tmp_path):
    r = run("link", "check", "--mappings", str(tmp_path / "missing.sssom.tsv"))
    assert r.exit_code == 2 and r.stderr.startswith(f"jasic-kg: error: {tmp_path / 'missing.sssom.tsv'}: cannot read")
    r = run("link", "fetch", "--contact", "me\r\nX-Injected: 1")
    assert r.exit_code == 2 and r.stderr == "jasic-kg: error: --contact must be one printable line: 'me\\r\\nX-Injected: 1'\n"
