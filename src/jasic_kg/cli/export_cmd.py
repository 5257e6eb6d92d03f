"""`jasic-kg export`: the graph in every RDF format, JSON-LD frames and CSV tables."""

from __future__ import annotations

from pathlib import Path

import click

from jasic_kg.cli.base import EPILOG, _store, emit, emit_files, format_option, output_option, pick_format, store_options
from jasic_kg.errors import InputError

# --- export -----------------------------------------------------------------------------------------------


@click.command(epilog=EPILOG)
@format_option(EXPORT_FORMATS := ["turtle", "nt", "nq", "trig", "jsonld", "xml", "csv"], "turtle",
               help="RDF format, or csv tables.")
@click.option("--frame", type=click.Choice(["event", "person", "organisation"]),
              help="JSON-LD only: one framed document per entity of this kind (with --output DIR: one file each).")
@click.option("--table", type=click.Choice(["events", "people", "organisations", "places", "claims"]),
              help="CSV only: which table (without it, --output DIR gets all of them).")
@output_option
@store_options
def export(fmt, frame, table, output, **store):
    """Export the graph: deterministic, round-trips to an isomorphic graph."""
    from jasic_kg.export.exporters import export as run

    fmt = pick_format(fmt, output, EXPORT_FORMATS, "turtle")
    if frame and fmt != "jsonld":
        raise InputError("--frame needs --format jsonld")
    if table and fmt != "csv":
        raise InputError("--table needs --format csv")
    split = bool(output) and Path(output).is_dir() or (bool(output) and output.endswith("/"))
    out = run(_store(**store), fmt, frame=frame, table=table, split=split)
    if isinstance(out, dict):
        emit_files(out, output)
    else:
        emit(out, output)
