"""`validate --endpoint`: the shipped shapes and checks run as SPARQL on a triplestore give the local findings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import BlankNode

from jasic_kg.io import resources
from jasic_kg.publish import Credentials, push
from jasic_kg.store import open_store
from jasic_kg.validation.remote import validate_endpoint
from jasic_kg.validation.validate import validate
from tests.servers import oxigraph_server, start_oxigraph, stop, virtuoso_server  # noqa: F401 (fixtures)

# real servers or a real browser, started per test module: the slow tier (.ci/run runs it)
pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
# Violations of every kind: SHACL shapes (node and property shapes, blank-node values), SPARQL checks and the
# Python-written checks, which read the endpoint's triples by pattern (and meta-checks: classes no shape covers).
INVALID = [FIXTURES / "shapes" / name / "invalid.ttl" for name in ("ClaimShape", "EventShape", "QuantityShape",
                                                                    "MembershipShape", "AnnotationShape")] + [
    FIXTURES / "checks" / "dangling-reference" / "invalid.ttl",
    FIXTURES / "checks" / "assessment-voice" / "invalid.ttl",
    *(FIXTURES / "builtin-checks" / name / "invalid.ttl"
      for name in ("order-cycle", "duplicate-label", "definition-unquoted-term")),
]
SHIPPED_TRIPLES = 9768


def _keys(findings) -> list[tuple]:
    """Findings as comparable tuples; a blank node is any blank node (its label is the store's, not data)."""
    def term(t):
        return "_:" if isinstance(t, BlankNode) else ("" if t is None else str(t))

    return sorted((f.stage, f.severity, f.message, term(f.focus), term(f.path), term(f.value), term(f.shape),
                   term(f.component), f.check or "") for f in findings)


def _push(files, url, graph, credentials=None):
    store = open_store(data=files)
    result = push((q.triple for q in store.quads()), url, graph=graph, credentials=credentials)
    assert result.on_server == result.triples
    return result.triples


def test_shipped_graph_conforms_remotely_as_locally(shipped, run, oxigraph_server):
    graph = "https://example.org/validate-shipped"
    assert _push([], oxigraph_server.query, graph) == SHIPPED_TRIPLES
    r = run("validate", "--endpoint", oxigraph_server.query, "--graph", graph)
    local = validate()
    assert r.exit_code == 0, r.stdout + r.stderr
    assert local.findings == [] and local.triples == SHIPPED_TRIPLES
    assert r.stdout.splitlines()[0] == (
        f"jasic-kg validate: conforms: 0 findings; 1 files, {SHIPPED_TRIPLES} triples, {local.shapes} shapes, "
        f"{len(local.checks)} checks; engine native, as SPARQL at {oxigraph_server.query} (graph <{graph}>), "
        "inference none")


def test_findings_on_a_graph_with_violations_equal_the_local_ones(shipped, run, oxigraph_server):
    graph = "https://example.org/validate-invalid"
    _push(INVALID, oxigraph_server.query, graph)
    local = validate(INVALID)
    remote = validate_endpoint(oxigraph_server.query, graph=graph)
    assert len(local.findings) > 50 and {f.stage for f in local.findings} == {"shacl", "check", "meta"}
    assert _keys(remote.findings) == _keys(local.findings)
    assert remote.triples == local.triples and remote.shapes == local.shapes and remote.checks == local.checks
    # through the CLI: exit 1, the same groups (shape or check, count) as the local report
    r_remote = run("validate", "--endpoint", oxigraph_server.query, "--graph", graph)
    r_local = run("validate", *[a for f in INVALID for a in ("--data", str(f))])
    assert r_remote.exit_code == r_local.exit_code == 1
    groups = [[line for line in r.stdout.splitlines() if line and not line.startswith((" ", "jasic-kg", "read "))]
              for r in (r_remote, r_local)]
    assert groups[0] == groups[1] and len(groups[0]) > 10


def test_the_default_graph_when_no_graph_is_given(shipped, run, tmp_path):
    server = start_oxigraph(tmp_path / "db", resources.graph_files(), read_only=True)
    try:
        r = run("validate", "--endpoint", server.query, "--format", "json")
    finally:
        stop(server.proc)
    local = validate()
    assert r.exit_code == 0, r.stdout + r.stderr
    assert f'"summary": "conforms: 0 findings; 1 files, {SHIPPED_TRIPLES} triples, {local.shapes} shapes, ' \
           f'{len(local.checks)} checks; engine native, as SPARQL at {server.query} (default graph), inference ' \
           'none"' in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--graph", "https://example.org/g"], "jasic-kg: error: --graph needs --endpoint"),
    (["--endpoint", "http://127.0.0.1:9/query", "--data", "x.ttl"],
     "jasic-kg: error: --data and --endpoint cannot be combined (push the files into the endpoint's graph)"),
    (["--endpoint", "http://127.0.0.1:9/query", "--engine", "pyshacl"],
     "jasic-kg: error: --endpoint validates with the native engine and no inference (the shapes run as SPARQL on "
     "the server)"),
])
def test_usage_errors(small, run, args, message):
    r = run("validate", *args)
    assert (r.exit_code, r.stderr.splitlines(), r.stdout) == (2, [message], "")


def test_unreachable_endpoint_is_one_line_and_exit_3(small, run):
    r = run("validate", "--endpoint", "http://127.0.0.1:9/query", "--timeout", "5")
    assert r.exit_code == 3 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("jasic-kg: error: http://127.0.0.1:9/query: ")


def test_findings_on_virtuoso_equal_the_local_ones(shipped, virtuoso_server):
    graph = "https://example.org/validate-virtuoso"
    _push(INVALID, virtuoso_server.query, graph, Credentials(virtuoso_server.user, virtuoso_server.password))
    remote = validate_endpoint(virtuoso_server.query, graph=graph, timeout=120)
    local = validate(INVALID)
    assert len(local.findings) > 50 and {f.stage for f in local.findings} == {"shacl", "check", "meta"}
    assert _keys(remote.findings) == _keys(local.findings)
    assert remote.triples == local.triples and remote.shapes == local.shapes and remote.checks == local.checks


def test_shipped_graph_conforms_on_virtuoso(shipped, run, virtuoso_server):
    graph = "https://example.org/validate-virtuoso-shipped"
    credentials = Credentials(virtuoso_server.user, virtuoso_server.password)
    assert _push([], virtuoso_server.query, graph, credentials) == SHIPPED_TRIPLES
    r = run("validate", "--endpoint", virtuoso_server.query, "--graph", graph, "--timeout", "120")
    assert r.exit_code == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[0].startswith(f"jasic-kg validate: conforms: 0 findings; 1 files, {SHIPPED_TRIPLES} "
                                               "triples")
