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
