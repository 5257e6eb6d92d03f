"""`jasic-kg validate --data FIXTURE` on the shipped graph: exit 0 for every valid shape fixture, exit 1 with a
readable report (the shape's message, CURIEs and labels, no blank-node ids) for every invalid one."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jasic_kg.cli import cli
from tests.test_shapes import EXPECTED_MESSAGES

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHAPES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


@pytest.mark.slow  # through the CLI; tests/test_shapes.py checks the same fixtures conform in the fast tier
@pytest.mark.parametrize("shape", SHAPES)
def test_valid_fixture_conforms_with_the_shipped_graph(shipped, shape):
    r = CliRunner().invoke(cli, ["validate", "--data", str(FIXTURES / shape / "valid.ttl")])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("jasic-kg validate: conforms: 0 findings;")


@pytest.mark.parametrize("shape", SHAPES)
def test_invalid_fixture_fails_with_a_readable_report(shipped, shape):
    r = CliRunner().invoke(cli, ["validate", "--data", str(FIXTURES / shape / "invalid.ttl")])
    assert r.exit_code == 1, r.output
    assert r.output.startswith("jasic-kg validate: does not conform:")
    (_focus, _path, source_shape, _component), message = EXPECTED_MESSAGES[shape]
    assert message in r.output
    assert source_shape in r.output          # grouped under the shape, named by CURIE
    assert "_:" not in r.output              # blank nodes are described, never shown by id
    assert "https://w3id.org/jasic-kg/" not in r.output  # project IRIs appear as CURIEs


CHECK_FIXTURES = Path(__file__).parent / "fixtures" / "checks"
CHECKS = sorted(p.name for p in CHECK_FIXTURES.iterdir() if p.is_dir())


@pytest.mark.parametrize("check", CHECKS)
def test_invalid_check_fixture_report_names_nodes_by_curie(shipped, check):
    r = CliRunner().invoke(cli, ["validate", "--data", str(CHECK_FIXTURES / check / "invalid.ttl")])
    assert r.exit_code == 1, r.output
    assert f"check {check}-violation  [" in r.output
    assert "_:" not in r.output
    assert "https://w3id.org/jasic-kg/" not in r.output  # check messages' <IRI>s are shown as CURIEs too
