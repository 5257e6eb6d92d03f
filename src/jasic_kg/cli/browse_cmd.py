"""`jasic-kg describe`, `search` and `stats`: looking around the graph."""

from __future__ import annotations

import sys

import click

from jasic_kg.cli.base import (
    EPILOG,
    _store,
    emit,
    format_option,
    output_option,
    pick_format,
    store_options,
    terminal_width,
)
from jasic_kg.errors import EXIT_FINDINGS

# --- describe ---------------------------------------------------------------------------------------------

@click.command(epilog=EPILOG)
@click.argument("entity")
@format_option(DESCRIBE_FORMATS := ["text", "json", "turtle"], "text")
@output_option
@store_options
def describe(entity, fmt, output, **store):
    """Everything about one entity (IRI, CURIE or label), with each claim's quote, voice and source."""
    from jasic_kg.describe import RENDERERS
    from jasic_kg.describe import describe as run

    fmt = pick_format(fmt, output, DESCRIBE_FORMATS, "text")
    emit(RENDERERS[fmt](run(_store(**store), entity)), output)


# --- search -----------------------------------------------------------------------------------------------

@click.command(epilog=EPILOG)
@click.argument("text")
@format_option(SEARCH_FORMATS := ["text", "json"], "text")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many hits.")
@output_option
@store_options
def search(text, fmt, limit, output, **store):
    """Find entities by label, alternative label or quote: substring (any case) or near spelling.

    \b
    Examples:
      jasic-kg search police
      jasic-kg search "He Pengchoa"
    """
    from jasic_kg.search import RENDERERS
    from jasic_kg.search import search as run

    hits = run(_store(**store), text, limit=limit)
    emit(RENDERERS[pick_format(fmt, output, SEARCH_FORMATS, "text")](hits), output)
    if not hits:
        click.echo(f"jasic-kg: nothing matches {text!r}", err=True)
        sys.exit(EXIT_FINDINGS)


# --- stats ------------------------------------------------------------------------------------------------

@click.command(epilog=EPILOG)
@format_option(STATS_FORMATS := ["text", "turtle", "json"], "text")
@output_option
@store_options
def stats(fmt, output, **store):
    """VoID statistics: triples, classes, properties, external links, and claims with evidence."""
    from jasic_kg.stats import RENDERERS
    from jasic_kg.stats import stats as run

    fmt = pick_format(fmt, output, STATS_FORMATS, "text")
    payload = RENDERERS[fmt](run(_store(**store)))
    width = terminal_width(output)
    if fmt == "text" and width:
        from jasic_kg.results import _cut

        payload = "".join(_cut(line, width) + "\n" for line in payload.decode("utf-8").splitlines()).encode()
    emit(payload, output)
