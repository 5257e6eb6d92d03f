"""jasic-kg: a linked-data toolkit over the knowledge graph of Yueran Zhang, "Leninists in a Chinese Factory"
(Made in China Journal, 2020).

The public API is small and pinned by tests/test_api.py. Attributes are resolved lazily (PEP 562) so that
`import jasic_kg` (and every CLI command) stays fast: rdflib, pyshacl and pyld load only when used.
"""

from __future__ import annotations

import importlib

from jasic_kg._version import __version__
from jasic_kg.errors import FindingsError, InputError, JasicError, NetworkError, QueryError

_LAZY = {
    "open_store": "jasic_kg.store",
    "GraphStore": "jasic_kg.store",
    "load_saved_queries": "jasic_kg.queries",
    "run_saved_query": "jasic_kg.queries",
    "test_queries": "jasic_kg.queries",
    "QueryResult": "jasic_kg.results",
    "validate_graph": "jasic_kg.validation.validate",
    "ValidationReport": "jasic_kg.validation.report",
    "ValidationFinding": "jasic_kg.validation.report",
    "export_graph": "jasic_kg.export.exporters",
    "describe_entity": "jasic_kg.describe",
    "graph_stats": "jasic_kg.stats",
    "build_site": "jasic_kg.site.build",
}
# The functions are not called validate/export/describe/stats here: those are the submodules' names, and
# importing a submodule rebinds the package attribute of the same name to the module.

__all__ = sorted([*_LAZY, "__version__", "JasicError", "InputError", "QueryError", "NetworkError",
                  "FindingsError"])


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jasic_kg' has no attribute {name!r}")


def __dir__():
    return __all__
