"""`jasic-kg serve`: the graph as a local, read-only SPARQL endpoint with dereferenceable IRIs."""

from __future__ import annotations

import click

from jasic_kg.cli.base import EPILOG, _store, data_option, max_bytes_option
from jasic_kg.errors import EXIT_OK


@click.command(epilog=EPILOG + " Ctrl-C stops the server with exit 130 (interrupted), SIGTERM with exit 0.")
@click.option("--bind", default="127.0.0.1:7878", show_default=True, metavar="HOST:PORT",
              help="Listen here (port 0: any free port, printed at start). Loopback only unless "
                   "--allow-non-loopback.")
@click.option("--allow-non-loopback", is_flag=True,
              help="Allow a --bind address other than loopback (the endpoint is then open to the network).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", help="Stop a query after this many seconds (HTTP 503).")
@click.option("--allow-service", is_flag=True,
              help="Let SPARQL SERVICE clauses contact other endpoints (refused with HTTP 400 by default).")
@click.option("--site", "site_dir", metavar="DIR",
              help="Also serve the site `jasic-kg site -o DIR` built, at its own paths: an entity IRI's HTML is "
                   "then its page there (build the site from the same graph).")
@data_option
@max_bytes_option
def serve(bind, allow_non_loopback, timeout, allow_service, site_dir, **data):
    """Serve the graph (plus --data files) over HTTP, read-only and warm in memory: a SPARQL 1.1 endpoint at
    /query (Oxigraph's server), entity IRIs /id/NAME by content negotiation (HTML, Turtle, JSON-LD), the
    VoID/DCAT description at / and /.well-known/void, and the dump at /dump.nt.

    \b
    Examples:
      jasic-kg serve
      jasic-kg serve --data notes.ttl --bind 127.0.0.1:8080 --timeout 10
      jasic-kg query cq13-detained-27-july --endpoint http://127.0.0.1:7878/query
    """
    import sys

    from jasic_kg.serve import Terminated, parse_bind, serve_forever, serving
    from jasic_kg.serve.pages import site_files

    parse_bind(bind, allow_non_loopback)  # a bad --bind or --site before any file is read
    site = site_files(site_dir) if site_dir else None
    # An in-memory graph (never the on-disk cache): the Oxigraph child gets an N-Triples dump of it.
    with serving(_store(no_cache=True, **data), bind=bind, timeout=timeout, allow_service=allow_service,
                 allow_non_loopback=allow_non_loopback, shipped_only=not data.get("data"), site=site) as httpd:
        click.echo(f"jasic-kg: serving {httpd.triples} triples at {httpd.url}/ (SPARQL endpoint {httpd.url}/query; "
                   f"read-only; Oxigraph server pid {httpd.oxigraph_pid}; Ctrl-C stops)", err=True)
        sys.stderr.flush()
        try:
            serve_forever(httpd)
        except Terminated:
            click.echo("jasic-kg: stopped (SIGTERM)", err=True)
    sys.exit(EXIT_OK)
