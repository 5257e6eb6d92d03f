"""`jasic-kg evidence anchor|verify|coverage`: quotes as evidence."""

from __future__ import annotations

import sys

import click

from jasic_kg.cli.base import JasicGroup, _store, data_option, emit, max_bytes_option, output_option
from jasic_kg.errors import EXIT_FINDINGS, InputError, JasicError

# --- evidence ---------------------------------------------------------------------------------------------

@click.group(cls=JasicGroup)
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
    """Compute the Web Annotation anchors of every quote (the content of data/generated/anchors.ttl); with --data, of the
    quotes of those files only (your claims), in whichever --source holds each."""
    ev = _evidence_module()
    read = [ev.read_source(source, max_bytes) for source in sources]
    store = _store(data=data, max_bytes=max_bytes, allow_context=allow_context, input_format=input_format)
    if data:
        from jasic_kg.io.inputs import opened

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
    excluded = cov.read_exclusions(exclusions, max_bytes) if exclusions else []
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
