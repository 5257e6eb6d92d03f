"""`jasic-kg validate`: syntax, SHACL shapes and the SPARQL checks."""

from __future__ import annotations

import sys

import click

from jasic_kg.cli.base import (
    EPILOG,
    _allowed_contexts,
    _progress,
    data_option,
    emit,
    format_option,
    max_bytes_option,
    output_option,
    pick_format,
)

# --- validate ---------------------------------------------------------------------------------------------


@click.command(epilog=EPILOG)
@data_option
@format_option(VALIDATE_FORMATS := ["text", "turtle", "json", "junit"], "text",
               help="Report format (junit: JUnit XML for CI).")
@output_option
@click.option("--engine", type=click.Choice(["native", "pyshacl"]), default="native", show_default=True,
              help="SHACL engine: native (SHACL Core compiled to SPARQL on the store; the tests prove its results "
                   "identical to pySHACL's) or pyshacl (the reference engine; needed for --inference rdfs).")
@click.option("--inference", type=click.Choice(["none", "rdfs"]), default="none", show_default=True,
              help="Entailment before SHACL (none: the data must state its types; see docs).")
@max_bytes_option
@click.option("--endpoint", metavar="URL",
              help="Validate the graph on this SPARQL endpoint instead: the shipped shapes and checks are read "
                   "here and run there as SPARQL queries (native engine); the data is the endpoint's default graph "
                   "or --graph.")
@click.option("--graph", metavar="IRI", help="With --endpoint: validate this named graph (e.g. the one `jasic-kg "
              "push` wrote, https://w3id.org/jasic-kg/graph) instead of the endpoint's default graph.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True,
              metavar="SECONDS", help="With --endpoint: give up on one query after this many seconds.")
def validate(data, allow_context, input_format, fmt, output, engine, inference, max_bytes, endpoint, graph, timeout):
    """Check syntax, SHACL shapes and ontology/checks/*-violation.rq queries (exit 1 on findings).

    With --endpoint, the data is read on the endpoint, not locally (the shapes and checks are the shipped ones).
    """
    from jasic_kg.io.inputs import opened
    from jasic_kg.validation.render import RENDERERS
    from jasic_kg.validation.validate import validate as run

    fmt = pick_format(fmt, output, VALIDATE_FORMATS, "text")
    if endpoint or graph:
        _validate_endpoint(endpoint, graph, data, engine, inference, fmt, output, timeout, max_bytes)
        return
    with opened(data, input_format, max_bytes) as inputs:
        with _progress() as progress:
            report = run(inputs.paths, engine=engine, inference=inference, max_bytes=max_bytes,
                         allow_contexts=_allowed_contexts(allow_context), progress=progress)
        # name the user's inputs (stdin, x.ttl.gz), not their temporary copies
        report.files = [inputs.user_name(f) or f for f in report.files]
        for f in report.findings:
            f.file = inputs.user_name(f.file) or f.file
    syntax = [f for f in report.findings if f.stage == "syntax"]
    if syntax and fmt == "text":
        # Unreadable input is a usage error: one line each on stderr, as for every other command (exit 2);
        # the machine formats still carry it in their report.
        for f in syntax:
            where = "".join(f":{x}" for x in (f.line, f.column) if x is not None)
            click.echo(f"jasic-kg: error: {f.file}{where}: {f.message}", err=True)
        sys.exit(report.exit_code)
    emit(RENDERERS[fmt](report), output)
    if report.exit_code:
        if output or fmt != "text":
            click.echo(f"jasic-kg: {report.summary()}", err=True)
        sys.exit(report.exit_code)


def _validate_endpoint(endpoint, graph, data, engine, inference, fmt, output, timeout, max_bytes):
    from jasic_kg.errors import InputError
    from jasic_kg.validation.remote import validate_endpoint
    from jasic_kg.validation.render import RENDERERS

    if not endpoint:
        raise InputError("--graph needs --endpoint")
    if data:
        raise InputError("--data and --endpoint cannot be combined (push the files into the endpoint's graph)")
    if engine != "native" or inference != "none":
        raise InputError("--endpoint validates with the native engine and no inference (the shapes run as SPARQL "
                         "on the server)")
    with _progress() as progress:
        report = validate_endpoint(endpoint, graph=graph, timeout=timeout, max_bytes=max_bytes, progress=progress)
        payload = RENDERERS[fmt](report)  # labels for the report are looked up on the endpoint too
    emit(payload, output)
    if report.exit_code:
        if output or fmt != "text":
            click.echo(f"jasic-kg: {report.summary()}", err=True)
        sys.exit(report.exit_code)
