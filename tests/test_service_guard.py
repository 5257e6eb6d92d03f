"""The SERVICE and nesting guards see the query as the SPARQL parser does: \\u escapes undone first (issue 9, item 2)."""

import pytest

from jasic_kg.errors import QueryError
from jasic_kg.sparql import check_query

HIDDEN_SERVICE = ("SELECT * WHERE { ?s ?p <http://x/\\u0041'> . "
                  "SERVICE <http://127.0.0.1:9/sparql> { ?a ?b ?c } }")


def test_service_hidden_behind_an_escaped_iri_is_refused():
    with pytest.raises(QueryError, match=r"^SERVICE is off: jasic-kg does not contact other endpoints"):
        check_query(HIDDEN_SERVICE)


def test_service_hidden_behind_an_escaped_iri_is_refused_by_the_cli():
    from click.testing import CliRunner

    from jasic_kg.cli import cli

    result = CliRunner().invoke(cli, ["query", "--sparql", HIDDEN_SERVICE])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines()[-1].endswith("(--allow-service enables it)")


def test_nesting_hidden_behind_an_escaped_iri_is_counted():
    deep = "SELECT * WHERE { ?s ?p <http://x/\\u0041'> . " + "{" * 1200 + "}" * 1200 + " }"
    with pytest.raises(QueryError, match=r"^query nests \d+ levels deep, over the limit of 1000$"):
        check_query(deep)


def test_a_query_failing_while_its_rows_are_read_leaves_nothing_to_drop_on_another_thread(monkeypatch):
    """A SERVICE that fails during evaluation: the error reaches the caller, and pyoxigraph's results (which may be
    dropped only on the query's own thread) are not kept alive by it (they were, as the error's context)."""
    import gc
    import sys

    from jasic_kg.store import open_store

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    store = open_store(allow_service=True, local_timeout=None)
    with pytest.raises(QueryError, match="^query failed: The port 9 is not allowed for HTTP"):
        store.query("SELECT ?x WHERE { ?x a ?t . SERVICE <http://127.0.0.1:9/sparql> { ?x ?p ?o } }")
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
