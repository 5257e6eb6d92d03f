"""`jasic-kg query` and `jasic-kg queries list|show|test`."""

from __future__ import annotations

import sys

import click

from jasic_kg.cli.base import (
    EPILOG,
    JasicGroup,
    _store,
    emit,
    format_option,
    output_option,
    param_option,
    pick_format,
    store_options,
    terminal_width,
)
from jasic_kg.errors import EXIT_FINDINGS, InputError

# --- query ------------------------------------------------------------------------------------------------


def _complete_saved_query(ctx, param, incomplete):
    """Shell completion: the saved-query names (the file names of queries/*.rq, nothing parsed)."""
    from jasic_kg.io import resources

    try:
        names = [p.stem for p in resources.query_files()]
    except Exception:  # completion must never print an error into the user's shell
        return []
    return [n for n in names if n.startswith(incomplete)]


@click.command(epilog=EPILOG)
@click.argument("query", required=False, shell_complete=_complete_saved_query)
@click.option("--sparql", "sparql_text", metavar="TEXT", help="SPARQL query text (instead of NAME or FILE; - reads it from stdin).")
@param_option
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="rdfs: query the RDFS closure (subclasses, subproperties, domains, ranges), e.g. to find "
                   "schema:Event and schema:startDate.")
@format_option(QUERY_FORMATS := ["table", "csv", "tsv", "json", "xml", "turtle", "jsonld", "nt"],
               help="table|csv|tsv|json|xml for SELECT/ASK (default table); turtle|jsonld|nt for "
                    "CONSTRUCT/DESCRIBE (default turtle).")
@output_option
@store_options
def query(query, sparql_text, params, fmt, inference, output, **store):
    """Run a SPARQL query: a saved query NAME, a .rq FILE, SPARQL text, or - for stdin.

    \b
    Examples:
      jasic-kg query cq13-detained-27-july
      jasic-kg query timeline --param from=2018-08-01 --param to=2018-08-31 --format csv
      jasic-kg query --inference rdfs --sparql 'PREFIX schema: <https://schema.org/>
        SELECT ?e ?start WHERE { ?e a schema:Event ; schema:startDate ?start }'
    """
    from jasic_kg.queries import load_query, parse_param_options, read_capped, resolve_query, run_saved_query
    from jasic_kg.results import write_result

    if (query is None) == (sparql_text is None):
        raise InputError("give a saved query NAME, a FILE, SPARQL text or --sparql TEXT (exactly one)")
    if sparql_text == "-":
        sparql_text = read_capped(sys.stdin.buffer, "<stdin>")
    saved = load_query(sparql_text, "--sparql") if sparql_text is not None else resolve_query(query)
    values = parse_param_options(params)
    saved.bindings(values)  # parameter errors before any file is parsed
    if inference == "rdfs":
        store["no_cache"] = True  # the closure is added to the store: an in-memory one, never the shared cache
    graph = _store(**store)
    if inference == "rdfs":
        if not hasattr(graph, "oxigraph"):
            raise InputError("--inference rdfs works on the local graph, not on an --endpoint")
        from jasic_kg.inference import rdfs_closure

        rdfs_closure(graph.oxigraph)
    result = run_saved_query(graph, saved, values)
    emit(write_result(result, pick_format(fmt, output, QUERY_FORMATS, None), terminal_width(output)), output)


# --- queries ----------------------------------------------------------------------------------------------

@click.group(cls=JasicGroup)
def queries():
    """The saved queries (queries/*.rq): list, show, test against queries/expected/."""


@queries.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries_list(fmt):
    """List the saved queries with their summary and parameters."""
    import json

    from jasic_kg.queries import load_saved_queries

    saved = load_saved_queries()
    if fmt == "json":
        doc = [{"name": q.name, "summary": q.summary, "tags": q.tags,
                "params": [{"name": p.name, "type": p.type_label, "required": p.required} for p in q.params]}
               for q in saved.values()]
        emit(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", None)
        return
    width = max((len(n) for n in saved), default=0)
    for q in saved.values():
        params = " ".join(f"{p.name}={p.type_label}{'' if p.required else '?'}" for p in q.params)
        click.echo(f"{q.name.ljust(width)}  {q.summary}" + (f"  [{params}]" if params else ""))


@queries.command("show")
@click.argument("name", shell_complete=_complete_saved_query)
def queries_show(name):
    """Show one saved query: metadata, parameters and SPARQL."""
    from jasic_kg.queries import resolve_query

    q = resolve_query(name)
    click.echo(f"name: {q.name}")
    for key in ("summary", "description"):
        if q.meta.get(key):
            click.echo(f"{key}: {str(q.meta[key]).strip()}")
    if q.tags:
        click.echo("tags: " + ", ".join(q.tags))
    for p in q.params:
        default = q.defaults.get(p.name)
        click.echo(f"param: {p.name} ({p.type_label}, {'required' if p.required else 'optional'}"
                   + (f", default {default}" if default is not None else "") + f") ?{p.variable}")
    click.echo("")
    click.echo(q.text.rstrip("\n"))


@queries.command("test")
@click.argument("names", nargs=-1, shell_complete=_complete_saved_query)
@store_options
def queries_test(names, **store):
    """Run saved queries with their defaults and compare with queries/expected/NAME.srj (exit 1 on a diff)."""
    from jasic_kg.queries import test_queries

    results = test_queries(_store(**store), list(names) or None)
    for t in results:
        click.echo(f"{'ok  ' if t.ok else 'FAIL'}  {t.name}" + (f"  ({t.rows} rows)" if t.ok else ""))
        for line in t.details:
            click.echo(f"      {line}")
    failed = sum(not t.ok for t in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        sys.exit(EXIT_FINDINGS)
