"""The CLI's --format choices are literals (so that `--help` and a cold start import no library module); this
test keeps them equal to the library's registries, so a new renderer or exporter cannot be forgotten in the CLI."""

import pytest

from jasic_kg.cli import cli


def _format_choices(*path):
    command = cli
    for name in path:
        command = command.get_command(None, name)
    (param,) = [p for p in command.params if p.name == "fmt"]
    return list(param.type.choices)


@pytest.mark.parametrize("command, registry", [
    ("validate", "jasic_kg.validation.render:RENDERERS"),
    ("describe", "jasic_kg.describe:RENDERERS"),
    ("search", "jasic_kg.search:RENDERERS"),
    ("stats", "jasic_kg.stats:RENDERERS"),
    ("export", "jasic_kg.export.exporters:EXPORTERS"),
    ("timeline", "jasic_kg.views.timeline:RENDERERS"),
    ("network", "jasic_kg.views.network:RENDERERS"),
])
def test_format_choices_are_the_registry(command, registry):
    import importlib

    module, name = registry.split(":")
    assert sorted(_format_choices(command)) == sorted(getattr(importlib.import_module(module), name))


def test_query_formats_are_the_result_writers():
    from jasic_kg.results import GRAPH_FORMATS, SELECT_FORMATS

    assert sorted(_format_choices("query")) == sorted([*SELECT_FORMATS, *GRAPH_FORMATS])


def test_every_command_is_registered_once():
    assert cli.list_commands(None) == ["cache", "describe", "evidence", "export", "link", "network", "push", "queries",
                                    "query", "search", "serve", "site", "stats", "timeline", "validate"]
