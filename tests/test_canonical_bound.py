"""Blank-node canonicalisation has bounded work (issue 9, item 3).

The labels are RDFC-1.0's (the same as pyoxigraph's) whenever the work fits the bound; a graph whose blank nodes
need more (a clique, a long chain) gets deterministic, non-canonical labels and a one-line warning, in bounded
time and memory, from a file and from an endpoint's CONSTRUCT answer. The hostile cases run in a child process
with an address-space limit and a time limit: before the bound, the 12-node clique took 15 GB and the chain
crashed the process (SIGSEGV)."""

import http.server
import random
import resource
import signal
import subprocess
import sys
import time

import pytest
from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Triple,
    parse,
)

from jasic_kg.errors import InputError
from jasic_kg.export import canon
from jasic_kg.export.canon import _small_components, _State, canonicalize
from tests.servers import serve_in_thread

P = [NamedNode(f"http://example.org/p{i}") for i in range(3)]
EDGE = NamedNode("http://example.org/p")
WARNING = "jasic-kg: warning: blank-node labels are NOT canonical"


def _pyoxigraph(quads):
    ds = Dataset(quads)
    ds.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(map(str, ds))


def _symmetric_graph(seed):
    """Copies of one small random graph (so blank nodes are alike at first degree), sometimes linked: one or
    two predicates, few literals, some quoted triples and blank graph names."""
    r = random.Random(seed)
    k = r.randint(1, 4)
    shape = []
    for _ in range(r.randint(1, 6)):
        p = r.choice(P[:r.randint(1, 2)])
        o = r.choice([*range(k), "lit"] if r.random() < 0.2 else range(k))
        if r.random() < 0.08:
            o = (r.randrange(k), p, r.randrange(k))
        shape.append((r.randrange(k), p, o, r.choice([None] * 5 + ["named", r.randrange(k)])))
    quads = []
    copies = [[BlankNode() for _ in range(k)] for _ in range(r.randint(2, 3))]
    for nodes in copies:
        def term(x):
            if x == "lit":
                return Literal("x")
            if isinstance(x, tuple):
                return Triple(nodes[x[0]], x[1], nodes[x[2]])
            return nodes[x]
        for s, p, o, g in shape:
            graph = DefaultGraph() if g is None else NamedNode("http://example.org/g") if g == "named" else nodes[g]
            quads.append(Quad(nodes[s], p, term(o), graph))
    if r.random() < 0.5:
        quads.append(Quad(copies[0][0], P[2], copies[1][r.randrange(k)], DefaultGraph()))
    return quads


def test_python_rdfc_gives_pyoxigraph_labels_on_graphs_that_need_n_degree_hashing(monkeypatch):
    monkeypatch.setattr(canon, "_small_components", lambda quads: False)  # the Python path, even for small groups
    checked = 0
    for seed in range(600):
        quads = list(dict.fromkeys(_symmetric_graph(seed)))
        if not _State(quads).shared:
            continue  # pyoxigraph labels those itself
        checked += 1
        out, canonical = canonicalize(quads)
        assert canonical, seed
        assert sorted(map(str, out)) == _pyoxigraph(quads), seed
    assert checked > 150  # the comparison really ran on the Python path


def test_pyoxigraph_labels_blank_nodes_in_small_groups_itself():
    pair = [BlankNode(), BlankNode()]
    pairs = [Quad(a, P[0], b) for a, b in [pair, [BlankNode(), BlankNode()]]]  # alike at first degree
    assert _State(pairs).shared and _small_components(pairs)
    four = [BlankNode() for _ in range(4)]
    assert _small_components([Quad(four[i], P[0], four[i + 1]) for i in range(3)])
    five = [BlankNode() for _ in range(5)]
    assert not _small_components([Quad(five[i], P[0], five[i + 1]) for i in range(4)])
    assert not _small_components([Quad(pair[0], P[0], Triple(pair[1], P[1], Literal("x")))])
    ring = [Quad(b[i], P[0], b[(i + 1) % 6]) for b in [[BlankNode() for _ in range(6)]] for i in range(6)]
    assert not _small_components(ring)


@pytest.mark.parametrize("name,quads", [
    ("ring of 6", [Quad(b[i], P[0], b[(i + 1) % 6]) for b in [[BlankNode() for _ in range(6)]] for i in range(6)]),
    ("clique of 5", [Quad(b[i], P[0], b[j]) for b in [[BlankNode() for _ in range(5)]]
                     for i in range(5) for j in range(5) if i != j]),
    ("chain of 60", [Quad(b[i], P[0], b[i + 1]) for b in [[BlankNode() for _ in range(61)]] for i in range(60)]),
])
def test_known_symmetric_shapes_within_the_bound_are_canonical(name, quads):
    out, canonical = canonicalize(quads)
    assert canonical
    assert sorted(map(str, out)) == _pyoxigraph(quads)


def test_past_the_deadline_is_an_input_error_naming_the_timeout():
    ring = [Quad(b[i], P[0], b[(i + 1) % 6]) for b in [[BlankNode() for _ in range(6)]] for i in range(6)]
    with pytest.raises(InputError,
                       match=r"^the export did not finish within 0.5 s \(raise the limit with --timeout\)$"):
        canonicalize(ring, deadline=time.monotonic() - 1, timeout=0.5)


def _clique(n=12):
    return "".join(f"_:b{i} <http://example.org/p> _:b{j} .\n" for i in range(n) for j in range(n) if i != j)


def _limited(seconds=60, memory=3 << 30):
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    return limit


def _cli(*args, timeout=90, **kw):
    return subprocess.run([sys.executable, "-m", "jasic_kg", *args], capture_output=True, timeout=timeout,
                          preexec_fn=_limited(), env=_env(), **kw)


def _env():
    import os

    return {**os.environ, "JASIC_KG_CACHE": "0"}


def _edges(out: bytes):
    return [q.triple for q in parse(out, RdfFormat.N_TRIPLES) if q.predicate == EDGE]


def _is_clique(triples, n):
    nodes = {t.subject for t in triples} | {t.object for t in triples}
    return (len(triples) == n * (n - 1) and len(nodes) == n and all(isinstance(x, BlankNode) for x in nodes)
            and all(t.subject != t.object for t in triples))


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_a_clique_of_12_blank_nodes_exports_in_bounded_memory_with_a_warning(tmp_path):
    src = tmp_path / "clique.nt"
    src.write_text(_clique())
    runs = [_cli("export", "--data", str(src), "--format", "nt") for _ in range(2)]
    for r in runs:
        assert r.returncode == 0, r.stderr
        assert r.stderr.decode().splitlines()[-1].startswith(WARNING)
        assert _is_clique(_edges(r.stdout), 12)
    assert runs[0].stdout == runs[1].stdout  # deterministic


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_a_chain_of_200000_blank_nodes_exports_without_crashing(tmp_path):
    src = tmp_path / "chain.nt"
    src.write_text("".join(f"_:b{i} <http://example.org/p> _:b{i + 1} .\n" for i in range(200_000)))
    r = _cli("export", "--data", str(src), "--format", "nt")
    assert r.returncode == 0, r.stderr[-500:]
    assert r.stderr.decode().splitlines()[-1].startswith(WARNING)
    triples = _edges(r.stdout)
    # still one chain: every node but the ends has one edge in and one out
    outgoing = {t.subject for t in triples}
    incoming = {t.object for t in triples}
    assert len(triples) == 200_000 and len(outgoing | incoming) == 200_001
    assert len(outgoing - incoming) == 1 and len(incoming - outgoing) == 1


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_ctrl_c_during_canonicalisation_exits_130_without_a_traceback(tmp_path):
    src = tmp_path / "chain.nt"
    src.write_text("".join(f"_:b{i} <http://example.org/p> _:b{i + 1} .\n" for i in range(200_000)))
    child = subprocess.Popen([sys.executable, "-m", "jasic_kg", "export", "--data", str(src),
                              "--format", "nt"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             preexec_fn=_limited(), env=_env())
    time.sleep(3)  # parsed by now, labelling
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 130, err
    assert b"Traceback" not in err


def _construct_server(body: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = serve_in_thread(Handler)
    return server


def test_a_hostile_construct_answer_from_an_endpoint_is_bounded_too():
    server = _construct_server(_clique().encode())
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        r = _cli("query", "--endpoint", url, "--format", "nt",
                 "--sparql", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    finally:
        server.shutdown()
    assert r.returncode == 0, r.stderr
    assert r.stderr.decode().splitlines()[-1].startswith(WARNING)
    assert _is_clique(_edges(r.stdout), 12)


def _nested_triple_terms(tmp_path, depth=999):
    inner = "_:b"
    for _ in range(depth):
        inner = f"<<( _:b <http://example.org/p> {inner} )>>"
    path = tmp_path / "nested.ttl"
    path.write_text(f"_:a <http://example.org/p> {inner} .\n_:c <http://example.org/p> {inner} .\n")
    return path


@pytest.mark.slow  # hardening: seconds of deadlines or a hostile input
def test_triple_terms_nested_to_the_input_limit_export_without_recursion_errors(tmp_path):
    r = _cli("export", "--data", str(_nested_triple_terms(tmp_path)), "--format", "nq")
    assert r.returncode == 0, r.stderr[-300:]
    [line] = [q for q in parse(r.stdout, RdfFormat.N_QUADS) if isinstance(q.object, Triple)
              and isinstance(q.subject, BlankNode) and q.predicate == EDGE][:1]
    assert str(line.object).count("<<(") == 998  # str() of the outer triple term leaves off its own brackets


def test_triple_terms_in_json_ld_are_a_clean_input_error(tmp_path):
    r = _cli("export", "--data", str(_nested_triple_terms(tmp_path, 2)), "--format", "jsonld")
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, "jasic-kg: error: JSON-LD cannot hold triple terms (RDF 1.2 '<<( ... )>>'); export as turtle, trig, nt "
           "or nq")


def test_export_timeout_applies_to_the_labelling(tmp_path):
    """The clique needs about a second of labelling before it reaches the bound: --timeout 0.2 ends it first."""
    src = tmp_path / "clique.nt"
    src.write_text(_clique())
    r = _cli("export", "--data", str(src), "--format", "nt", "--timeout", "0.2")
    assert (r.returncode, r.stderr.decode().strip()) == (
        2, "jasic-kg: error: the export did not finish within 0.2 s (raise the limit with --timeout)")
    assert r.stdout == b""
