"""The jasic-kg command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Library errors are
JasicError subclasses; JasicGroup.invoke turns them into one line on stderr and the documented exit code
(errors.EXIT_CODES). Nothing prints a traceback unless --debug is given.

Imports are lazy: a command imports only the modules it uses, so `query` never loads rdflib or pyshacl.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

import click

from jasic_kg._version import __version__
from jasic_kg.errors import (EXIT_CODES, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED, InputError,
                             JasicError)

EPILOG = "Exit codes: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()) + "."


class JasicGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except JasicError as e:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"jasic-kg: error: {e}", err=True)
            ctx.exit(e.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            sys.stderr.close()  # `jasic-kg ... | head`: the reader left, nothing to report
            ctx.exit(0)
        except KeyboardInterrupt:  # Ctrl-C: no traceback, no partial output file (atomic writes clean up)
            _silence_stdout()
            click.echo("jasic-kg: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except OSError as e:
            if e.errno not in _OUTPUT_ERRNOS:  # only a failed write to standard output is the user's to fix
                _internal_error(ctx, e)
            _silence_stdout()
            click.echo(f"jasic-kg: error: cannot write the output: {e.strerror or e}", err=True)
            ctx.exit(EXIT_INPUT)
        except Exception as e:  # a bug: one line, the traceback only on request
            _internal_error(ctx, e)


def _internal_error(ctx, e: Exception) -> None:
    """A bug: one line and exit 4, or the traceback with --debug (called inside the except block)."""
    if ctx.obj and ctx.obj.get("debug"):
        raise e
    click.echo(f"jasic-kg: internal error: {type(e).__name__}: {e} (rerun with --debug for the traceback)", err=True)
    ctx.exit(EXIT_INTERNAL)


_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EPIPE}


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null, so the interpreter's final flush of what could not be written
    raises nothing more at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# --- shared options: the same name means the same thing in every command ----------------------------------

class FormatChoice(click.Choice):
    """A format name or one of its aliases (ttl, ntriples, json-ld, ...: jasic_kg.formats.ALIASES)."""

    def convert(self, value, param, ctx):
        from jasic_kg.formats import canonical

        found = canonical(str(value), self.choices) if isinstance(value, str) else None
        return found if found is not None else super().convert(value, param, ctx)


def format_option(choices, default=None, help=None):
    """--format: the named format, else the one the -o file name asks for (x.nt), else `default`."""
    def decorate(f):
        return click.option("--format", "fmt", type=FormatChoice(choices), default=None,
                            help=(help + " " if help else "") + "Aliases such as ttl, ntriples, json-ld are "
                            "accepted; without --format, the -o file's extension decides"
                            + (f" (default {default})." if default else "."))(f)
    return decorate


def pick_format(fmt, output, choices, default):
    from jasic_kg.formats import from_filename

    return fmt or from_filename(output, choices) or default


def data_option(f):
    f = click.option("--input-format", "input_format", type=FormatChoice(["turtle", "nt", "nq", "trig", "jsonld", "xml"]),
                     help="The format of --data files whose extension does not say it, and of --data - "
                          "(standard input; default turtle).")(f)
    f = click.option("--allow-context", "allow_context", multiple=True, metavar="URL-PREFIX",
                     help="Fetch remote JSON-LD @context documents of --data files under this http(s) prefix "
                          "(repeatable; none are fetched by default; contexts in the file's own folder are read).")(f)
    return click.option("--data", "data", multiple=True, metavar="FILE",
                        help="Add an RDF file to the shipped graph (repeatable; .ttl .nt .nq .trig .jsonld .rdf, each "
                             "also gzipped as .gz; - reads standard input).")(f)


def _allowed_contexts(prefixes) -> list[str]:
    if not prefixes:
        return []  # (without importing urllib's HTTP stack: a tenth of a cold start)
    from jasic_kg.io.jsonld_contexts import check_allowed_prefixes

    return check_allowed_prefixes(prefixes)


def endpoint_option(f):
    return click.option("--endpoint", metavar="URL",
                        help="Query a SPARQL 1.1 endpoint instead of the local graph.")(f)


def max_bytes_option(f):
    from_default = 200 * 1024 * 1024
    return click.option("--max-bytes", type=click.IntRange(min=1), default=from_default, show_default=True,
                        help="Refuse input files (and --endpoint responses) larger than this many bytes.")(f)


def output_option(f):
    return click.option("--output", "-o", metavar="FILE|DIR",
                        help="Write here (atomically) instead of stdout.")(f)


def param_option(f):
    return click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
                        help="Query parameter (grlc style: ?_year_integer -> --param year=2018).")(f)


def store_options(f):
    f = click.option("--no-cache", is_flag=True, help="Never use the on-disk store cache for big inputs.")(f)
    f = click.option("--allow-service", is_flag=True,
                     help="Let SPARQL SERVICE clauses of local queries contact other endpoints (off by default).")(f)
    f = click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
                     help="Give up on a query after this many seconds (default: 60 for --endpoint, 300 local).")(f)
    return data_option(endpoint_option(max_bytes_option(f)))


def _store(endpoint=None, data=(), max_bytes=None, no_cache=False, allow_service=False, timeout=None,
           allow_context=(), input_format=None, **extra):
    from jasic_kg.store import open_store

    if timeout is not None:
        extra.update(timeout=timeout, local_timeout=timeout)
    if not data:
        return open_store(endpoint, data, max_bytes=max_bytes, cache=False if no_cache else None,
                          allow_service=allow_service, allow_contexts=_allowed_contexts(allow_context), **extra)
    from jasic_kg.inputs import opened

    with opened(data, input_format, max_bytes or 200 * 1024 * 1024) as inputs:
        return open_store(endpoint, inputs.paths, max_bytes=max_bytes, cache=False if no_cache else None,
                          allow_service=allow_service, allow_contexts=_allowed_contexts(allow_context), **extra)


def terminal_width(output: str | None) -> int | None:
    """The terminal's width when the output goes to one; None (full width) for files and pipes."""
    if output and output != "-" or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


@contextlib.contextmanager
def _progress():
    """A progress line on a terminal's stderr: the current stage and the seconds so far, redrawn twice a second
    by a ticker thread (a million-triple file takes seconds to read) and cleared at the end; nothing for pipes
    and files, so logs and scripts see only the result."""
    if not sys.stderr.isatty():
        yield None
        return
    import threading
    import time

    started, stage, done, shown = time.monotonic(), [""], threading.Event(), [False]

    def tick():
        while not done.wait(0.5):
            sys.stderr.write(f"\r\x1b[Kjasic-kg: {time.monotonic() - started:4.0f}s {stage[0]}")
            sys.stderr.flush()
            shown[0] = True

    ticker = threading.Thread(target=tick, daemon=True)
    ticker.start()
    try:
        yield lambda note: stage.__setitem__(0, note)
    finally:
        done.set()
        ticker.join()
        if shown[0]:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def emit(payload: bytes | str, output: str | None) -> None:
    """stdout, or an atomically written file."""
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    if output:
        from jasic_kg.io.rdfio import write_bytes

        write_bytes(output, payload)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()


def emit_files(files: dict[str, bytes], output: str | None) -> None:
    """Several documents: into a folder (one atomic write each)."""
    if not output:
        raise InputError("this export writes several files: give --output DIR")
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise InputError("is a file; --output must be a folder for this export", folder)
    folder.mkdir(parents=True, exist_ok=True)
    from jasic_kg.io.rdfio import write_bytes

    for name, payload in sorted(files.items()):
        write_bytes(folder / name, payload)
    click.echo(f"wrote {len(files)} files to {folder}", err=True)


# --- the group --------------------------------------------------------------------------------------------

@click.group(cls=JasicGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="jasic-kg")
@click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
@click.pass_context
def cli(ctx, debug):
    """jasic-kg: the knowledge graph of Yueran Zhang's "Leninists in a Chinese Factory" (2020), and tools to
    validate, query, export and cite it."""
    ctx.ensure_object(dict)["debug"] = debug


# --- validate ---------------------------------------------------------------------------------------------

def _validate_formats():
    from jasic_kg.validation.validate import RENDERERS

    return list(RENDERERS)


@cli.command(epilog=EPILOG)
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
def validate(data, allow_context, input_format, fmt, output, engine, inference, max_bytes):
    """Check syntax, SHACL shapes and ontology/checks/*-violation.rq queries (exit 1 on findings)."""
    from jasic_kg.inputs import opened
    from jasic_kg.validation.validate import RENDERERS, validate as run

    fmt = pick_format(fmt, output, VALIDATE_FORMATS, "text")
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


# --- query ------------------------------------------------------------------------------------------------

def _result_format_help():
    from jasic_kg.results import format_help

    return format_help()


def _complete_saved_query(ctx, param, incomplete):
    """Shell completion: the saved-query names (the file names of queries/*.rq, nothing parsed)."""
    from jasic_kg.io import resources

    try:
        names = [p.stem for p in resources.query_files()]
    except Exception:  # completion must never print an error into the user's shell
        return []
    return [n for n in names if n.startswith(incomplete)]


@cli.command(epilog=EPILOG)
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

@cli.group(cls=JasicGroup)
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
            click.echo(f"{key}: {q.meta[key]}")
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


# --- export -----------------------------------------------------------------------------------------------

def _export_help():
    from jasic_kg.export.exporters import EXPORTERS

    return "; ".join(f"{name}: {e.help}" for name, e in EXPORTERS.items())


@cli.command(epilog=EPILOG)
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


# --- describe ---------------------------------------------------------------------------------------------

@cli.command(epilog=EPILOG)
@click.argument("entity")
@format_option(DESCRIBE_FORMATS := ["text", "json", "turtle"], "text")
@output_option
@store_options
def describe(entity, fmt, output, **store):
    """Everything about one entity (IRI, CURIE or label), with each claim's quote, voice and source."""
    from jasic_kg.describe import RENDERERS, describe as run

    fmt = pick_format(fmt, output, DESCRIBE_FORMATS, "text")
    emit(RENDERERS[fmt](run(_store(**store), entity)), output)


# --- search -----------------------------------------------------------------------------------------------

@cli.command(epilog=EPILOG)
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
    from jasic_kg.search import RENDERERS, search as run

    hits = run(_store(**store), text, limit=limit)
    emit(RENDERERS[pick_format(fmt, output, SEARCH_FORMATS, "text")](hits), output)
    if not hits:
        click.echo(f"jasic-kg: nothing matches {text!r}", err=True)
        sys.exit(EXIT_FINDINGS)


# --- stats ------------------------------------------------------------------------------------------------

@cli.command(epilog=EPILOG)
@format_option(STATS_FORMATS := ["text", "turtle", "json"], "text")
@output_option
@store_options
def stats(fmt, output, **store):
    """VoID statistics: triples, classes, properties, external links, and claims with evidence."""
    from jasic_kg.stats import RENDERERS, stats as run

    fmt = pick_format(fmt, output, STATS_FORMATS, "text")
    payload = RENDERERS[fmt](run(_store(**store)))
    width = terminal_width(output)
    if fmt == "text" and width:
        from jasic_kg.results import _cut

        payload = "".join(_cut(line, width) + "\n" for line in payload.decode("utf-8").splitlines()).encode()
    emit(payload, output)


# --- evidence ---------------------------------------------------------------------------------------------

@cli.group(cls=JasicGroup)
def evidence():
    """Quotes as evidence: anchor each claim's quote in the article text, and verify the anchors."""


def _evidence_module():
    try:
        from jasic_kg import evidence as module
    except ImportError as e:
        raise JasicError(f"the evidence module is not available: {e}") from None
    return module


@evidence.command("anchor")
@click.option("--source", "sources", required=True, multiple=True, metavar="FILE",
              help="A source text (UTF-8), identified by its SHA-256: the article's reference text, or with "
                   "--data your own texts, each declared in your data (repeatable).")
@output_option
@data_option
@max_bytes_option
def evidence_anchor(sources, output, data, allow_context, input_format, max_bytes):
    """Compute the Web Annotation anchors of every quote (the content of data/anchors.ttl); with --data, of the
    quotes of those files only (your claims), in whichever --source holds each."""
    ev = _evidence_module()
    read = [ev.read_source(source, max_bytes) for source in sources]
    store = _store(data=data, max_bytes=max_bytes, allow_context=allow_context, input_format=input_format)
    if data:
        from jasic_kg.inputs import opened

        texts = ev.texts_by_sha(store, [sha for _, sha in read])
        with opened(data, input_format, max_bytes) as inputs:
            pairs = ev.quotes_in_files(inputs.paths, max_bytes)
        if not pairs:
            raise InputError("the --data files state no jkg:quote of a claim: nothing to anchor")
        anchors, findings = ev.anchor_quotes(pairs, [(texts[sha], text) for text, sha in read])
        sha = [sha for _, sha in read]
    elif len(read) > 1:
        raise InputError("several --source texts anchor the claims of --data files; the shipped graph's quotes "
                         "are anchored in the article's one reference text")
    else:
        text, sha = read[0]
        anchors, findings = ev.anchor(store, text)
    for f in findings:
        click.echo(f.line(), err=True)
    if findings:
        # Writing the other anchors would leave a partial file that looks complete: refuse instead.
        click.echo(f"jasic-kg: {len(findings)} quote(s) could not be anchored; nothing written", err=True)
        sys.exit(EXIT_FINDINGS)
    emit(ev.render_anchors(anchors, sha), output)
    if output:
        click.echo(f"anchored {len(anchors)} quotes in {output}", err=True)


@evidence.command("verify")
@click.option("--source", "sources", required=True, multiple=True, metavar="FILE",
              help="The article's reference text (UTF-8); with several (your own texts, declared in your --data "
                   "by SHA-256), each anchor is checked in the text it names.")
@data_option
@max_bytes_option
def evidence_verify(sources, data, allow_context, input_format, max_bytes):
    """Check every anchored quote against the reference text (exit 1 on missing/moved/ambiguous quotes)."""
    ev = _evidence_module()
    read = [ev.read_source(source, max_bytes) for source in sources]
    store = _store(data=data, max_bytes=max_bytes, allow_context=allow_context, input_format=input_format)
    # One source whose SHA-256 no text of the graph declares (an edited copy of the article): every anchor is
    # checked in it, and a note says the SHA-256 differs. Otherwise each anchor is checked in the text it names.
    single = len(read) == 1 and read[0][1] not in ev.declared_texts(store)
    if single:
        text, sha = read[0]
        report = ev.verify(store, text, sha)
    else:
        by_sha = ev.texts_by_sha(store, [sha for _, sha in read])
        report = ev.verify(store, "", "", texts={by_sha[sha]: text for text, sha in read})
    for f in report.findings:
        click.echo(f.line())
    if single and report.expected_sha256 and report.expected_sha256 != report.source_sha256:
        click.echo(f"note: the source's SHA-256 {report.source_sha256} differs from the recorded "
                   f"{report.expected_sha256}")
    click.echo(report.summary())
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


@evidence.command("coverage")
@click.option("--source", required=True, metavar="FILE", help="The article's reference text (UTF-8).")
@click.option("--exclusions", metavar="FILE",
              help="Reviewed exclusions: a TSV 'reason<TAB>sentence' of sentences left uncovered on purpose.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@data_option
@max_bytes_option
def evidence_coverage(source, exclusions, fmt, data, allow_context, input_format, max_bytes):
    """Report every sentence of the source that no quote of the graph covers (exit 1 if any, or a stale exclusion)."""
    from jasic_kg import coverage as cov
    ev = _evidence_module()
    text, _ = ev.read_source(source, max_bytes)
    excluded = cov.read_exclusions(exclusions) if exclusions else []
    quotes = cov.graph_quotes(_store(data=data, max_bytes=max_bytes, allow_context=allow_context, input_format=input_format))
    report = cov.coverage(quotes, text, excluded)
    if fmt == "json":
        import json
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
    else:
        for s in report.uncovered:
            click.echo(f"uncovered: {s.start}-{s.end}: {s.text}")
        for reason, sentence in report.stale:
            click.echo(f"stale exclusion ({reason}): {sentence}")
        click.echo(report.summary())
    if not report.ok:
        sys.exit(EXIT_FINDINGS)


def main(argv=None):
    cli.main(args=argv, prog_name="jasic-kg")


if __name__ == "__main__":
    main()
