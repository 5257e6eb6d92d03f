"""`jasic-kg link check | suggest | fetch | export`: the graph's links to Wikidata and other authorities.

Only these commands (not export) contact a network, and only the endpoint given (default: Wikidata's query
service). A failed request is one line on stderr and exit 3."""

from __future__ import annotations

import click

from jasic_kg.cli.base import EPILOG, _progress, _store, emit, output_option
from jasic_kg.errors import FindingsError

WIKIDATA = "https://query.wikidata.org/sparql"  # = linking.client.WIKIDATA (not imported: --help stays light)


def mappings_option(f):
    return click.option("--mappings", "mappings", metavar="FILE", type=click.Path(dir_okay=False),
                        help="The SSSOM mapping set of reviewed links (default: the shipped data/links.sssom.tsv).")(f)


def client_options(f):
    f = click.option("--contact", metavar="URL|EMAIL",
                     help="Your contact, added to the User-Agent (Wikidata asks heavy users for one).")(f)
    f = click.option("--cache-max-age", type=click.FloatRange(min=0), default=24 * 3600.0, show_default=True,
                     metavar="SECONDS", help="Reuse a cached answer younger than this.")(f)
    f = click.option("--no-cache", is_flag=True,
                     help="Neither read nor write the response cache (in the jasic-kg cache folder, sparql/).")(f)
    f = click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                     help="Retries after 429/503 (after the Retry-After asked for) and 502/504 (after a backoff).")(f)
    f = click.option("--max-wait", type=click.FloatRange(min=0), default=60.0, show_default=True, metavar="SECONDS",
                     help="The longest Retry-After or backoff to wait through; a longer one is an error.")(f)
    f = click.option("--max-bytes", type=click.IntRange(min=1), default=50 * 1024 * 1024, show_default=True,
                     help="Refuse a response larger than this.")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
                     metavar="SECONDS", help="Deadline for each whole response.")(f)
    return click.option("--endpoint", default=WIKIDATA, show_default=True, metavar="URL",
                        help="The SPARQL endpoint holding the authority's data (Wikidata-shaped: wd:, wdt:, "
                             "rdfs:label, skos:altLabel, schema:description).")(f)


def _client(endpoint, timeout, max_bytes, max_wait, retries, no_cache, cache_max_age, contact):
    from jasic_kg.linking.client import SparqlClient

    return SparqlClient(endpoint, timeout=timeout, max_bytes=max_bytes, max_wait=max_wait, retries=retries,
                        use_cache=not no_cache, max_age=cache_max_age, contact=contact)


def _links_file(mappings):
    from pathlib import Path

    from jasic_kg.linking.mappings import default_links_file

    return Path(mappings) if mappings else default_links_file()


def _batches(note):
    """A progress callback for the client: requests done out of all."""
    if note is None:
        return None
    return lambda done, total: note(f"{done}/{total} requests")


@click.group(epilog=EPILOG)
def link():
    """Check, suggest, fetch and export links to external authorities (Wikidata by default)."""


@link.command(epilog=EPILOG)
@click.option("--write", is_flag=True,
              help="Record each link's status in the mapping set's `other` column and regenerate generated/links.ttl beside it.")
@mappings_option
@client_options
def check(write, mappings, **client):
    """Is each linked Wikidata item still there (not redirected or deleted), of a compatible type, with a matching
    label? Exit 1 when a link has a problem."""
    from jasic_kg.linking.check import check_links, write_statuses

    links_file = _links_file(mappings)
    with _progress() as note:
        report = check_links(_client(**client), _store(), links_file, _batches(note))
    click.echo(report.text(), nl=False)
    if write:
        updated, regenerated = write_statuses(links_file, report)
        click.echo(f"wrote the status of {updated} links to {links_file}"
                   + (" and regenerated generated/links.ttl" if regenerated else ""), err=True)
    if report.problems:
        raise FindingsError(f"{len(report.problems)} of {len(report.checks)} links have problems")


@link.command(epilog=EPILOG)
@click.option("--type", "types", multiple=True, metavar="CLASS",
              type=click.Choice(["Person", "Organisation", "Place", "Book", "Article", "Periodical", "Work"]),
              help="Only entities of this local class (repeatable).")
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="At most this many candidates per entity, best first.")
@output_option
@client_options
def suggest(types, limit, output, **client):
    """Candidate items for the entities without a link, ranked (exact label > alias > fuzzy), as SSSOM rows with
    their evidence. Never written into links.sssom.tsv: review them, then move the good ones there by hand."""
    from jasic_kg.linking.suggest import suggest as run, sssom_tsv, summary, unlinked_entities

    store = _store()
    sparql = _client(**client)
    with _progress() as note:
        candidates, untyped = run(sparql, store, tuple(types), limit, _batches(note))
    emit(sssom_tsv(candidates, sparql.endpoint), output)
    click.echo(summary(candidates, untyped, len(unlinked_entities(store, tuple(types)))), err=True)


@link.command(epilog=EPILOG)
@mappings_option
@output_option
@client_options
def fetch(mappings, output, **client):
    """Labels (en, zh), descriptions, coordinates (P625), country (P17) and inception (P571) of the linked items,
    as a separate Turtle graph with its source and fetch time (prov:Entity). Query it with --data FILE."""
    from jasic_kg.linking.fetch import fetch_facts

    sparql = _client(**client)
    with _progress() as note:
        turtle, items, facts = fetch_facts(sparql, _links_file(mappings), _batches(note))
    emit(turtle, output)
    click.echo(f"fetched {facts} facts about {items} linked items from {sparql.endpoint}", err=True)


@link.command(epilog=EPILOG)
@click.option("--format", "fmt", type=click.Choice(["sssom", "rdf"]), default="sssom", show_default=True,
              help="sssom: the mapping set as TSV; rdf: the links and their provenance as Turtle.")
@mappings_option
@output_option
def export(fmt, mappings, output):
    """The reviewed links, as the SSSOM mapping set or as RDF. Offline."""
    from jasic_kg.linking.export import export_links

    emit(export_links(_links_file(mappings), fmt), output)
