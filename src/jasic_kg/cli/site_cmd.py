"""`jasic-kg site`: the static HTML site of the graph."""

from __future__ import annotations

import time

import click

from jasic_kg.cli.base import EPILOG, _store, store_options


@click.command(epilog=EPILOG)
@click.option("--output", "-o", metavar="DIR", required=True,
              help="The site's folder: new, empty, or a site jasic-kg built before (which is replaced).")
@click.option("--force", is_flag=True,
              help="Rebuild a previous site even when files were added to it since; they are kept in the new "
                   "site. Never deletes anything jasic-kg did not write, never writes into another folder.")
@store_options
def site(output, force, **store):
    """Build a static HTML site: a page per entity with every claim's quote and voice, an index with an offline
    search box, and the ontology's documentation. Open DIR/index.html, or publish DIR as it is (GitHub Pages).

    \b
    The site is built in a temporary folder beside DIR and renamed into place when complete. DIR must be new,
    empty, or a site jasic-kg built (its .jasic-kg-site.json lists the files it wrote); anything else is
    refused (exit 2).
    """
    from jasic_kg.site.build import build_site

    started = time.monotonic()
    result = build_site(_store(**store), output, keep_added=force)
    kept = f"; kept {len(result['kept'])} added file(s)" if result["kept"] else ""
    click.echo(f"wrote {result['pages']} entity pages ({result['files']} files) to {output} in "
               f"{time.monotonic() - started:.1f}s{kept}", err=True)
