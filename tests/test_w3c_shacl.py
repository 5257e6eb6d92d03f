"""tools/w3c_shacl.py, the W3C SHACL Core suite runner, on small manifests in the suite's form
(tests/fixtures/w3c-shacl/): no network and no copy of the suite needed."""

from __future__ import annotations

import importlib.util
import io
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "tests" / "fixtures" / "w3c-shacl"
_spec = importlib.util.spec_from_file_location("w3c_shacl", ROOT / "tools" / "w3c_shacl.py")
w3c = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(w3c)
ALLOWED = w3c.load_allowed(w3c.DEFAULT_ALLOWED)


def test_manifests_are_followed_through_includes():
    assert [t.id for t in w3c.load_tests(SUITE)] == [
        "node/class-001", "property/inverse-001", "property/minCount-separate-001", "path/path-strange-001"]


def test_native_engine_passes_all_but_the_allowed_failure():
    out = io.StringIO()
    res = w3c.run_suite(SUITE, "native", ALLOWED, out=out)
    assert (res["tests"], res["passed"], res["failed"], res["allowed"], res["errors"]) == (4, 3, 1, 1, 0)
    assert res["unexpected"] == [] and res["stale"] == []
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("ALLOWED path/path-strange-001: missing focus=<http://example.org/w3c-fixture#j>")
    assert lines[-1] == "native: 4 tests: 3 passed, 1 failed (1 allowed), 0 errors"


def test_pyshacl_gives_the_same_verdicts_with_no_allowed_list():
    out = io.StringIO()
    res = w3c.run_suite(SUITE, "pyshacl", ALLOWED, out=out)
    assert res["unexpected"] == ["path/path-strange-001"]
    assert out.getvalue().splitlines()[-1] == "pyshacl: 4 tests: 3 passed, 1 failed (0 allowed), 0 errors"


def test_a_wrong_expectation_is_a_real_failure(tmp_path):
    """The comparison has teeth: expect sh:Violation where the shape says sh:Warning, and the test fails."""
    suite = tmp_path / "suite"
    shutil.copytree(SUITE, suite)
    f = suite / "property" / "inverse-001.ttl"
    f.write_text(f.read_text().replace("sh:resultSeverity sh:Warning", "sh:resultSeverity sh:Violation"))
    out = io.StringIO()
    res = w3c.run_suite(suite, "native", ALLOWED, out=out)
    assert res["unexpected"] == ["property/inverse-001"]
    assert "FAIL    property/inverse-001: missing focus=<http://example.org/w3c-fixture#carol>" in out.getvalue()
    assert "severity=Violation" in out.getvalue()


def test_an_allowed_failure_that_passes_is_reported_stale():
    res = w3c.run_suite(SUITE, "native", {**ALLOWED, "node/class-001": "example"}, out=io.StringIO())
    assert res["stale"] == ["node/class-001"]
    assert w3c.main(["--suite", str(SUITE)]) == 0


def test_missing_suite_is_a_usage_error(tmp_path, capsys):
    assert w3c.main(["--suite", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: no manifest.ttl in ")
