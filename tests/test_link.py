"""`jasic-kg link`: check, suggest and fetch against a real SPARQL server on loopback (Oxigraph's), loaded with a
small Wikidata-shaped fixture made here; the polite client against a fault-injecting HTTP server (429 with
Retry-After, 500, a hang, a non-JSON body, a redirect): each ends in a retry or one clean line and exit 3.

The fixtures use the project's real linked items (wd:Q1394, wd:Q16952, wd:Q946877) and the candidate wd:Q148,
with values from the pages cited beside them; the "broken" server deliberately changes them (a redirect, a
deletion, a wrong label) to exercise each status. Items that stand for suggestions are Wikidata's two sandbox
items (wd:Q4115189, wd:Q13406268: https://www.wikidata.org/wiki/Q4115189, kept for tests), so no real item is
given a false label.
"""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from jasic_kg.errors import NetworkError
from jasic_kg.linking.client import SparqlClient, retry_after, user_agent
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


# --- the client: politeness and faults ------------------------------------------------------------------------

SPARQL_JSON = json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": [
    {"x": {"type": "literal", "value": "ok"}}]}}).encode()


class Faulty(http.server.ThreadingHTTPServer):
    """An HTTP server on loopback whose answer depends on the path; it records every request."""

    daemon_threads = True

    def __init__(self):
        self.requests: list[tuple[float, str, str, dict]] = []
        self.stop = threading.Event()
        super().__init__(("127.0.0.1", 0), FaultHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"

    def close(self):
        self.stop.set()
        self.shutdown()
        self.server_close()


class FaultHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        server: Faulty = self.server
        path = self.path.split("?")[0].strip("/")
        server.requests.append((time.monotonic(), self.command, path, dict(self.headers)))
        seen = sum(1 for r in server.requests if r[2] == path)
        if path == "slow-down" and seen == 1:
            return self._send(429, b"", {"Retry-After": "1"})
        if path == "gateway" and seen == 1:
            return self._send(502, b"")
        if path == "down":
            return self._send(502, b"")
        if path == "busy":
            return self._send(503, b"", {"Retry-After": "3600"})
        if path == "broken":
            return self._send(500, b"java.lang.IllegalStateException")
        if path == "hang":
            server.stop.wait(30)  # past any deadline the test gives
            return
        if path == "trickle":  # a body sent a byte at a time: each read is quick, the whole never ends in time
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            for _ in range(300):
                if server.stop.wait(0.1):
                    return
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
            return
        if path == "stall":  # the headers and one byte, then silence
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            self.wfile.write(b"{")
            self.wfile.flush()
            server.stop.wait(30)
            return
        if path == "html":
            return self._send(200, b"<html><body>Service unavailable</body></html>", {"Content-Type": "text/html"})
        if path == "moved":
            return self._send(302, b"", {"Location": self.server.url("slow-down")})
        if path == "huge":
            return self._send(200, b'{"head": {"vars": []}, "results": {"bindings": []}}' + b" " * 5000)
        return self._send(200, SPARQL_JSON, {"Content-Type": "application/sparql-results+json"})

    def _send(self, code, body, headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    do_GET = do_POST = _answer


@pytest.fixture
def faulty():
    server = Faulty()
    yield server
    server.close()


def _client(url, **kw):
    return SparqlClient(url, use_cache=False, **dict(dict(timeout=5, retries=2), **kw))


def test_429_is_retried_after_the_delay_asked_for(faulty):
    client = _client(faulty.url("slow-down"))
    assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    first, second = [r for r in faulty.requests if r[2] == "slow-down"]
    assert second[0] - first[0] >= 1.0  # Retry-After: 1 honoured
    assert client.requests_sent == 2


def test_polite_headers_get_and_post(faulty):
    client = _client(faulty.url("ok"), contact="https://example.org/issues")
    client.select("SELECT ?x WHERE { }")
    client.select("SELECT ?x WHERE { FILTER (?x != \"" + "x" * 2000 + "\") }")
    (_, get, _, headers), (_, post, _, _) = faulty.requests
    assert (get, post) == ("GET", "POST")  # POST once the query is long
    assert headers["User-Agent"] == user_agent("https://example.org/issues")
    assert headers["User-Agent"].startswith("jasic-kg/") and "https://example.org/issues" in headers["User-Agent"]
    assert "application/sparql-results+json" in headers["Accept"]


def test_502_is_retried_with_backoff(faulty):
    slept = []
    client = _client(faulty.url("gateway"), sleep=slept.append)
    assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    assert slept == [1.0]


def test_retry_after_longer_than_the_cap_is_an_error_without_waiting(faulty):
    slept = []
    with pytest.raises(NetworkError) as e:
        _client(faulty.url("busy"), sleep=slept.append, max_wait=60).select("SELECT ?x WHERE { }")
    assert str(e.value) == (f"{faulty.url('busy')}: HTTP 503 Service Unavailable: the endpoint asks to wait 3600 s, "
                            "longer than 60 s; try again later")
    assert slept == [] and len(faulty.requests) == 1


def test_retries_are_bounded(faulty):
    slept = []
    with pytest.raises(NetworkError, match=r"HTTP 502 Bad Gateway after 3 attempts$"):
        _client(faulty.url("down"), sleep=slept.append, retries=2).select("SELECT ?x WHERE { }")
    assert slept == [1.0, 2.0] and len(faulty.requests) == 3


def test_retry_after_forms():
    assert retry_after("5") == 5.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = time.time() + 120
    from email.utils import formatdate

    assert 100 < retry_after(formatdate(later, usegmt=True)) <= 120


@pytest.mark.parametrize("path, message", [
    ("broken", "HTTP 500 Internal Server Error"),
    ("html", "the answer is not SPARQL JSON results"),
    ("moved", "redirect (HTTP 302) to http://127.0.0.1:"),
    ("hang", "no response within 2 s"),
    ("trickle", "no complete response within 2 s"),
    ("stall", "no complete response within 2 s"),
])
def test_faults_are_one_line_and_exit_3(run, shipped, faulty, path, message):
    started = time.monotonic()
    r = run("link", "check", "--endpoint", faulty.url(path), "--timeout", "2", "--no-cache")
    elapsed = time.monotonic() - started
    assert r.exit_code == 3, (r.stdout, r.stderr)
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"jasic-kg: error: {faulty.url(path)}: ") and message in line, line
    assert "Traceback" not in r.stderr and r.stdout == ""
    assert elapsed < 10  # bounded: the deadline, not the server, ends a hang
    if path == "moved":  # refused, not followed
        assert [r[2] for r in faulty.requests] == ["moved"]


def test_response_larger_than_the_cap(faulty):
    with pytest.raises(NetworkError, match="response larger than 1000 bytes"):
        _client(faulty.url("huge"), max_bytes=1000).select("SELECT ?x WHERE { }")


def test_unreachable_endpoint_is_exit_3(run, shipped):
    port = _free_port()  # nothing listens there
    r = run("link", "fetch", "--endpoint", f"http://127.0.0.1:{port}/sparql", "--no-cache", "--timeout", "2")
    assert r.exit_code == 3
    assert r.stderr.startswith(f"jasic-kg: error: http://127.0.0.1:{port}/sparql: ") and "Connection refused" in r.stderr


def test_bad_endpoint_is_exit_2(run, shipped):
    r = run("link", "check", "--endpoint", "ftp://example.org/sparql")
    assert r.exit_code == 2 and r.stderr == "jasic-kg: error: endpoint must be an http(s) URL: 'ftp://example.org/sparql'\n"


def test_answers_are_cached_and_no_cache_skips_it(faulty, tmp_path):
    cache = tmp_path / "sparql-cache"
    client = SparqlClient(faulty.url("ok"), cache_dir=cache)
    for _ in range(3):
        assert client.select("SELECT ?x WHERE { }").rows == [(ox.Literal("ok"),)]
    assert client.requests_sent == 1 and len(list(cache.glob("*.json"))) == 1
    SparqlClient(faulty.url("ok"), cache_dir=cache, max_age=0).select("SELECT ?x WHERE { }")
    SparqlClient(faulty.url("ok"), cache_dir=cache, use_cache=False).select("SELECT ?x WHERE { }")
    assert len(faulty.requests) == 3  # an expired entry and --no-cache both ask the endpoint
    # a different endpoint is a different entry
    SparqlClient(faulty.url("ok2"), cache_dir=cache).select("SELECT ?x WHERE { }")
    assert len(list(cache.glob("*.json"))) == 2


def test_batches_of_values_one_request_at_a_time(faulty):
    from jasic_kg.linking.client import iri_terms

    client = _client(faulty.url("ok"))
    items = [f"http://www.wikidata.org/entity/Q{n}" for n in range(1, 121)]
    progress = []
    result = client.select_batched("SELECT ?x WHERE { VALUES ?item {} }", iri_terms(items),
                                   lambda done, total: progress.append((done, total)))
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert len(result.rows) == 3 and len(faulty.requests) == 3


def test_export_formats(run, shipped):
    r = run("link", "export", "--format", "sssom")
    assert r.exit_code == 0 and r.stdout == (REPO / "data" / "links.sssom.tsv").read_text(encoding="utf-8")
    r = run("link", "export", "--format", "rdf")
    assert r.exit_code == 0 and r.stdout == (REPO / "data" / "generated" / "links.ttl").read_text(encoding="utf-8")


def test_no_link_command_touches_the_network_without_being_run(faulty, run, shipped):
    """`link export` and every other command are offline; only check, suggest and fetch send a request."""
    run("link", "export", "--format", "rdf")
    run("link", "--help")
    run("link", "check", "--help")
    assert faulty.requests == []


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


def test_an_answer_to_another_query_is_exit_3(run, shipped, faulty):
    r = run("link", "check", "--endpoint", faulty.url("ok"), "--no-cache")
    assert r.exit_code == 3
    assert r.stderr == (f"jasic-kg: error: {faulty.url('ok')}: the answer has no ?item column (not SPARQL results "
                        "for the query sent)\n")


def test_progress_on_a_terminal_only(faulty, tmp_path):
    """On a terminal's stderr a run that waits (here a Retry-After of 1 s) shows requests done/total and clears
    the line; on a pipe (every other test) stderr carries only the result."""
    import os
    import pty
    import select

    exe = Path(sys.executable).parent / "jasic-kg"
    master, slave = pty.openpty()
    proc = subprocess.Popen([str(exe), "link", "check", "--endpoint", faulty.url("slow-down"), "--no-cache"],
                            stdout=subprocess.PIPE, stderr=slave, cwd=REPO,
                            env=dict(os.environ, XDG_CACHE_HOME=str(tmp_path)))
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    proc.wait(30)
    text = seen.decode("utf-8", "replace")
    assert proc.returncode == 3
    assert "0/1 requests" in text and "\r\x1b[K" in text
    assert text.rstrip().endswith("the answer has no ?item column (not SPARQL results for the query sent)")
