"""The public API is small and pinned: changing it is a decision, not an accident."""

import importlib
import re

import jasic_kg


def test_public_api_is_pinned():
    assert jasic_kg.__all__ == [
        "FindingsError", "GraphStore", "InputError", "JasicError", "NetworkError", "QueryError", "QueryResult",
        "ValidationFinding", "ValidationReport", "__version__", "build_site", "describe_entity", "export_graph",
        "graph_stats",
        "load_saved_queries", "open_store", "run_saved_query", "test_queries", "validate_graph",
    ]
    # Each lazily resolved name is the object its module defines (a wrong module in the map fails here).
    for name, module in jasic_kg._LAZY.items():
        defined = getattr(importlib.import_module(module), name)
        assert getattr(jasic_kg, name) is defined and defined.__module__ == module, name
    assert all(callable(getattr(jasic_kg, name)) for name in jasic_kg.__all__ if name != "__version__")
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", jasic_kg.__version__)


def test_exit_codes():
    from jasic_kg.errors import EXIT_CODES

    assert [jasic_kg.InputError.exit_code, jasic_kg.QueryError.exit_code, jasic_kg.NetworkError.exit_code,
            jasic_kg.FindingsError.exit_code, jasic_kg.JasicError.exit_code] == [2, 2, 3, 1, 4]
    assert sorted(EXIT_CODES) == [0, 1, 2, 3, 4, 130]


def test_api_end_to_end(small):
    store = jasic_kg.open_store()
    rows = jasic_kg.run_saved_query(store, "events-in-year", {"year": "2018"}).rows
    assert len(rows) == 2
    assert jasic_kg.validate_graph().conforms
    assert jasic_kg.describe_entity(store, "jid:he-pengchao")["label"] == "He Pengchao"
    assert jasic_kg.graph_stats(store)["triples"] == 140
    assert jasic_kg.export_graph(store, "nt").count(b"\n") == 140


def test_import_is_light():
    # `import jasic_kg` and the CLI module must not pull in rdflib, pyshacl or pyld (cold-start time).
    import subprocess
    import sys

    code = ("import sys, jasic_kg, jasic_kg.cli, jasic_kg.store, jasic_kg.queries; "
            "print(sorted(m for m in ('rdflib', 'pyshacl', 'pyld') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
