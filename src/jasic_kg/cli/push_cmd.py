"""`jasic-kg push`: upload the graph into a named graph of a triplestore (library: jasic_kg.publish)."""

from __future__ import annotations

import sys

import click

from jasic_kg.cli.base import EPILOG, _progress, _store, data_option, max_bytes_option


@click.command(epilog=EPILOG)
@click.option("--endpoint", required=True, metavar="URL",
              help="The triplestore's SPARQL query endpoint (Oxigraph http://HOST/query, Virtuoso http://HOST/sparql, "
                   "Fuseki http://HOST/DATASET/query); the update and graph-store URLs are derived from it.")
@click.option("--graph", default=None, metavar="IRI",
              help="The named graph to replace (default https://w3id.org/jasic-kg/graph).")
@data_option
@click.option("--only-data", is_flag=True, help="Push only the --data files, not the shipped graph with them.")
@click.option("--protocol", type=click.Choice(["auto", "gsp", "update"]), default="auto", show_default=True,
              help="gsp: SPARQL 1.1 Graph Store Protocol (PUT, then POST per batch); update: SPARQL Update (DROP "
                   "SILENT GRAPH, then INSERT per batch); auto: GSP, or Update where the server has no graph store.")
@click.option("--update-url", metavar="URL", help="The SPARQL Update URL, where it is not derived from --endpoint.")
@click.option("--store-url", metavar="URL", help="The graph-store URL, where it is not derived from --endpoint.")
@click.option("--user", metavar="NAME",
              help="User for basic or digest auth (or env JASIC_KG_USER); the password is read from env "
                   "JASIC_KG_PASSWORD only. A bearer token: env JASIC_KG_TOKEN.")
@click.option("--batch-size", type=click.IntRange(min=1), default=None, metavar="TRIPLES",
              help="Triples per request (default 50000 by GSP, 1000 by SPARQL Update).")
@click.option("--verify", is_flag=True,
              help="Fetch the server's graph back and compare it with the local one (up to blank-node names).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=120.0, show_default=True,
              metavar="SECONDS", help="Give up on one request (one batch) after this many seconds.")
@max_bytes_option
def push(endpoint, graph, data, allow_context, input_format, only_data, protocol, update_url, store_url, user,
         batch_size, verify, timeout, max_bytes):
    """Upload the shipped graph (plus --data files) into a named graph of a triplestore, replacing it.

    Afterwards the triples of the graph are counted on the server; exit 1 if the count (or, with --verify, the
    graph) differs from what was sent. A failure partway says what the server then holds (exit 3).

    \b
    Examples:
      jasic-kg push --endpoint http://127.0.0.1:7878/query
      JASIC_KG_PASSWORD=... jasic-kg push --endpoint http://127.0.0.1:8890/sparql --user loader --verify
    """
    from jasic_kg.errors import InputError
    from jasic_kg.publish import DEFAULT_GRAPH, Credentials, local_triples
    from jasic_kg.publish import push as run

    if only_data and not data:
        raise InputError("--only-data needs --data files")
    credentials = Credentials.from_env(user)
    with _progress() as progress:
        note = progress or (lambda text: None)
        note("reading the graph")
        store = _store(data=data, max_bytes=max_bytes, allow_context=allow_context, input_format=input_format,
                       shipped=not only_data)
        result = run(local_triples(store), endpoint, graph=graph or DEFAULT_GRAPH, protocol=protocol,
                     update_url=update_url, store_url=store_url, credentials=credentials, batch_size=batch_size,
                     timeout=timeout, verify=verify, progress=progress)
    click.echo(result.summary())
    if not result.ok:
        sys.exit(1)
