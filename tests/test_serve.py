"""`jasic-kg serve` over HTTP, with real clients (SPARQLWrapper, urllib): the SPARQL endpoint gives the saved
queries' answers, refuses updates and SERVICE, stops a long query; entity IRIs answer by content negotiation; the
VoID description names licence, creator, dump and endpoint; the Oxigraph child is gone after the server stops."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from jasic_kg.queries import test_queries
from jasic_kg.serve import negotiate, parse_bind
from jasic_kg.store import EndpointStore

EXE = str(Path(sys.executable).parent / "jasic-kg")
VOID = Namespace("http://rdfs.org/ns/void#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
READY = re.compile(r"serving (\d+) triples at (http://127\.0\.0\.1:\d+)/ .*Oxigraph server pid (\d+);")
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Served:
    def __init__(self, proc, log: Path, triples: int, url: str, child: int):
        self.proc, self.log, self.triples, self.url, self.child = proc, log, triples, url, child


def start(tmp_path: Path, *args: str) -> Served:
    """`jasic-kg serve` on a free port; ready when it prints its address (bounded wait)."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    with log.open("wb") as err:  # a file, not a pipe: the access log can never fill a pipe and block the server
        proc = subprocess.Popen([EXE, "serve", "--bind", "127.0.0.1:0", *args], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        m = READY.search(log.read_text())
        if m:
            return Served(proc, log, int(m.group(1)), m.group(2), int(m.group(3)))
        if proc.poll() is not None:
            pytest.fail(f"serve exited {proc.returncode}: {log.read_text()}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"serve not ready within 60 s: {log.read_text()}")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def stop(served: Served, sig=signal.SIGTERM) -> int:
    served.proc.send_signal(sig)
    try:
        return served.proc.wait(20)
    finally:
        if served.proc.poll() is None:
            served.proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = start(tmp_path_factory.mktemp("serve"), "--timeout", "1")
    yield served
    # SIGTERM: a requested stop, exit 0, and the Oxigraph child is gone with it
    assert stop(served) == 0
    assert gone(served.child)
    assert "jasic-kg: stopped (SIGTERM)" in served.log.read_text()


def sparql(url: str, query: str, method=POST) -> SPARQLWrapper:
    client = SPARQLWrapper(url + "/query")
    client.setMethod(method)
    client.setReturnFormat(JSON)
    client.setQuery(query)
    client.setTimeout(30)
    return client


def get(url: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30)


# --- the SPARQL endpoint -----------------------------------------------------------------------------------

def test_every_saved_query_gives_its_checked_answer_over_http(server):
    results = test_queries(EndpointStore(server.url + "/query"))
    assert [(t.name, t.details) for t in results if not t.ok] == []
    assert len(results) == len(list(Path("queries").glob("*.rq")))


def test_a_saved_query_gives_the_local_rows_through_sparqlwrapper(server):
    from jasic_kg.queries import load_saved_queries, run_saved_query
    from jasic_kg.results import QueryResult
    from jasic_kg.store import open_store

    shipped_store = open_store()

    import json

    saved = load_saved_queries()["cq11-universities"]  # no parameters: the text is sent as it is
    local = run_saved_query(shipped_store, saved, {})
    remote = QueryResult.from_json(sparql(server.url, saved.text).query().convert())
    checked = json.loads(Path("queries/expected/cq11-universities.srj").read_text())["results"]["bindings"]
    assert remote.variables == local.variables and remote.rows == local.rows and len(local.rows) == len(checked)
    assert server.triples == shipped_store.count()


def test_an_update_is_refused_and_changes_nothing(server):
    before = sparql(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").query().convert()
    client = sparql(server.url, "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }")
    with pytest.raises(urllib.error.HTTPError) as e:
        client.query()
    assert e.value.code == 403
    assert e.value.read().decode() == "this endpoint is read-only: SPARQL Update is refused\n"
    # the Graph Store protocol's writes too
    request = urllib.request.Request(server.url + "/store?default", data=b"<a:s> <a:p> <a:o> .", method="POST",
                                     headers={"Content-Type": "application/n-triples"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request, timeout=10)
    assert e.value.code == 403
    after = sparql(server.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").query().convert()
    assert after == before


def test_a_query_beyond_the_timeout_is_stopped(server):
    started = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as e:
        sparql(server.url, CARTESIAN).query()
    elapsed = time.monotonic() - started
    assert e.value.code == 503
    assert e.value.read().decode() == ("query stopped: it did not finish within 1 s "
                                       "(jasic-kg serve --timeout SECONDS)\n")
    assert elapsed < 10  # 1 s allowed; the rest is a loaded machine's slack
    # and the server still answers
    assert sparql(server.url, "ASK { ?s ?p ?o }").query().convert()["boolean"] is True


def test_service_is_refused_by_default(server):
    with pytest.raises(QueryBadFormed) as e:
        sparql(server.url, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }").query()
    assert ("SERVICE is off: jasic-kg does not contact other endpoints from a local query "
            "(jasic-kg serve --allow-service enables it)") in str(e.value)


def test_a_get_query_works_as_the_protocol_says(server):
    from urllib.parse import quote

    with get(server.url + "/query?query=" + quote("ASK { ?s a <https://w3id.org/jasic-kg/ontology#Person> }"),
             "application/sparql-results+json") as r:
        assert r.status == 200 and r.read() == b'{"head":{},"boolean":true}'


# --- entity IRIs and the dataset description ------------------------------------------------------------------

def _describe_turtle() -> Graph:
    out = subprocess.run([EXE, "describe", "jid:he-pengchao", "--format", "turtle"], capture_output=True, check=True)
    return Graph().parse(data=out.stdout.decode(), format="turtle")


def test_an_entity_iri_answers_303_to_the_document_the_client_accepts(server):
    import http.client
    from urllib.parse import urlsplit

    netloc = urlsplit(server.url).netloc
    for accept, location in (("text/html,application/xhtml+xml,*/*;q=0.8", "/doc/he-pengchao.html"),
                             ("text/turtle", "/doc/he-pengchao.ttl"),
                             ("application/ld+json", "/doc/he-pengchao.jsonld")):
        conn = http.client.HTTPConnection(netloc, timeout=10)
        conn.request("GET", "/id/he-pengchao", headers={"Accept": accept})
        r = conn.getresponse()
        assert (r.status, r.getheader("Location"), r.getheader("Vary")) == (303, location, "Accept")
        conn.close()


def test_content_negotiation_html_turtle_jsonld(server):
    expected = _describe_turtle()
    with get(server.url + "/id/he-pengchao", "text/html") as r:
        page = r.read().decode()
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.url.endswith("/doc/he-pengchao.html")
    # the static site's page for the entity (jasic-kg site writes the same at id/he-pengchao.html, whose
    # navigation also links the timeline and network views)
    from jasic_kg.site.build import render_entity_page
    from jasic_kg.site.pages import Site
    from jasic_kg.store import open_store

    iri = "https://w3id.org/jasic-kg/id/he-pengchao"
    assert page == render_entity_page(Site(open_store()), iri).decode("utf-8")
    assert "<h1>He Pengchao" in page and "confession video" in page
    with get(server.url + "/static/site.css") as r:
        assert r.headers["Content-Type"] == "text/css; charset=utf-8" and len(r.read()) > 100
    with get(server.url + "/id/he-pengchao", "text/turtle") as r:
        assert r.headers["Content-Type"] == "text/turtle; charset=utf-8"
        turtle = Graph().parse(data=r.read().decode(), format="turtle")
    assert len(turtle) == len(expected) > 0 and isomorphic(turtle, expected)
    with get(server.url + "/id/he-pengchao", "application/ld+json") as r:
        assert r.headers["Content-Type"] == "application/ld+json"
        jsonld = Graph().parse(data=r.read().decode(), format="json-ld")
    assert isomorphic(jsonld, expected)


def test_an_entity_the_site_gives_no_page_gets_the_plain_page(server):
    # the anchors (oa:Annotation) have no page in the static site
    rows = sparql(server.url, "SELECT ?a WHERE { ?a a <http://www.w3.org/ns/oa#Annotation> FILTER (isIRI(?a)) } "
                              "ORDER BY ?a LIMIT 1").query().convert()["results"]["bindings"]
    iri = rows[0]["a"]["value"]
    with get(server.url + "/id/" + iri.rsplit("/", 1)[1], "text/html") as r:
        page = r.read().decode()
    assert f"<p><code>{iri}</code></p>" in page
    assert "oa:Annotation" in page and "<th>oa:hasBody</th>" in page  # its type and the claim it anchors


def test_an_unknown_entity_is_404(server):
    with pytest.raises(urllib.error.HTTPError) as e:
        get(server.url + "/id/no-such-entity", "text/turtle")
    assert e.value.code == 404
    assert e.value.read().decode() == "no entity https://w3id.org/jasic-kg/id/no-such-entity in the graph\n"


def test_the_void_description_names_licence_creator_dump_and_endpoint(server):
    with get(server.url + "/.well-known/void", "text/turtle") as r:
        void = Graph().parse(data=r.read().decode(), format="turtle")
    ds = URIRef("https://w3id.org/jasic-kg/void#dataset")
    assert void.value(ds, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert void.value(void.value(ds, DCTERMS.creator), FOAF.name) == Literal("jasic-kg maintainers")
    assert void.value(ds, DCTERMS.title) == Literal("The Jasic knowledge graph", lang="en")
    assert void.value(ds, VOID.dataDump) == URIRef(server.url + "/dump.nt")
    assert void.value(ds, VOID.sparqlEndpoint) == URIRef(server.url + "/query")
    assert int(void.value(ds, VOID.triples)) == server.triples
    # the same description as JSON-LD and as the home page
    with get(server.url + "/", "application/ld+json") as r:
        assert isomorphic(Graph().parse(data=r.read().decode(), format="json-ld"), void)
    with get(server.url + "/", "text/html") as r:
        page = r.read().decode()
    assert "<h1>The Jasic knowledge graph</h1>" in page and "jasic-kg maintainers" in page
    # the dump it names is the served graph
    with get(server.url + "/dump.nt") as r:
        assert len(Graph().parse(data=r.read().decode(), format="nt")) == server.triples


# --- with a built site (--site) ------------------------------------------------------------------------------

def test_with_a_built_site_its_pages_answer_for_the_entity_iris(tmp_path):
    import http.client
    import json
    from urllib.parse import urlsplit

    site = tmp_path / "site"
    subprocess.run([EXE, "site", "-o", str(site)], check=True, capture_output=True, timeout=300)
    served = start(tmp_path, "--site", str(site))
    try:
        netloc = urlsplit(served.url).netloc

        def fetch(path, accept="*/*"):
            conn = http.client.HTTPConnection(netloc, timeout=30)
            conn.request("GET", path, headers={"Accept": accept})
            r = conn.getresponse()
            out = (r.status, r.getheader("Location"), r.getheader("Content-Type"), r.read())
            conn.close()
            return out

        assert fetch("/id/he-pengchao", "text/html")[:2] == (303, "/id/he-pengchao.html")
        assert fetch("/id/he-pengchao", "text/turtle")[:2] == (303, "/doc/he-pengchao.ttl")  # data: as before
        status, _, kind, body = fetch("/id/he-pengchao.html")
        assert (status, kind, body) == (200, "text/html; charset=utf-8", (site / "id/he-pengchao.html").read_bytes())
        assert fetch("/ontology/index.html")[3] == (site / "ontology/index.html").read_bytes()
        assert fetch("/", "text/html")[:2] == (303, "/index.html")
        assert fetch("/", "text/turtle")[0] == 200  # the VoID description stays at /
        # only the files the site's manifest lists: not the manifest itself, nothing outside the folder
        listed = json.loads((site / ".jasic-kg-site.json").read_text())["files"]
        assert "id/he-pengchao.html" in listed
        (site / "added.txt").write_text("not part of the site")
        for path in ("/.jasic-kg-site.json", "/added.txt", "/../site/index.html", "/id/../../etc/passwd"):
            assert fetch(path)[0] == 404, path
    finally:
        assert stop(served) == 0


def test_site_must_be_a_built_site(tmp_path):
    out = subprocess.run([EXE, "serve", "--bind", "127.0.0.1:0", "--site", str(tmp_path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr == (f"jasic-kg: error: {tmp_path}: is not a site jasic-kg built (no .jasic-kg-site.json): "
                          "build one with jasic-kg site -o DIR\n")


# --- starting and stopping ------------------------------------------------------------------------------------

def test_ctrl_c_exits_130_and_stops_the_child(tmp_path):
    served = start(tmp_path)
    assert sparql(served.url, "ASK { ?s ?p ?o }").query().convert()["boolean"] is True
    assert stop(served, signal.SIGINT) == 130
    assert gone(served.child)
    assert served.log.read_text().rstrip().endswith("jasic-kg: interrupted")


def test_a_non_loopback_bind_is_refused_without_the_flag():
    out = subprocess.run([EXE, "serve", "--bind", "0.0.0.0:0"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr == ("jasic-kg: error: 0.0.0.0 is not a loopback address: the endpoint would be open to the "
                          "network (add --allow-non-loopback to mean it)\n")
    assert parse_bind("0.0.0.0:8080", allow_non_loopback=True) == ("0.0.0.0", 8080)
    assert parse_bind("localhost:0") == ("127.0.0.1", 0)


@pytest.mark.parametrize("accept,expected", [
    (None, "text/html"),
    ("*/*", "text/html"),
    ("text/turtle;q=0.9, application/ld+json", "application/ld+json"),
    ("text/*", "text/html"),
    ("text/html;q=0, */*", "text/turtle"),
    ("application/xml", None),
])
def test_negotiate(accept, expected):
    assert negotiate(accept, ["text/html", "text/turtle", "application/ld+json"]) == expected


def test_kept_answers_a_repeat_skips_oxigraph_and_the_total_is_bounded(monkeypatch):
    from urllib.parse import urlencode

    from jasic_kg.serve import front as front_module
    from jasic_kg.serve.front import Answer, Front

    class Child:
        port = 9  # never contacted: _forward is replaced below

    front = Front(Child(), "http://127.0.0.1:1", Path("unused.nt"), timeout=1, allow_service=False,
                  shipped_only=True)
    sent = []

    def forward(query, accept, graphs):
        sent.append(query)
        status = 503 if "slow" in query else 200
        return Answer(status, "application/sparql-results+json", b"x" * (300 if "big" in query else 100))

    monkeypatch.setattr(front, "_forward", forward)
    monkeypatch.setattr(front_module, "KEPT_BYTES", 400)  # four answers of 100 bytes; one answer at most 100

    def ask(text):
        return front.sparql("GET", urlencode({"query": text}), "", b"", "application/sparql-results+json")

    queries = [f"ASK {{ ?s{i} ?p ?o }}" for i in range(5)]
    for q in queries[:4] * 2:
        assert ask(q).status == 200
    assert sent == queries[:4]  # the repeats came from the kept answers
    ask(queries[4])  # a fifth: the least recently used (the first) is dropped
    ask(queries[0])
    ask(queries[4])
    assert sent == queries[:4] + [queries[4], queries[0]]
    for q in ("ASK { ?big ?p ?o }", "ASK { ?slow ?p ?o }"):  # too big to keep; a failure is never kept
        ask(q)
        ask(q)
        assert sent.count(q) == 2
