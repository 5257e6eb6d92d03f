"""What every command shares: the group class that turns library errors into one line and an exit code, the
options that mean the same thing in every command, and the output helpers (stdout or an atomic file)."""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from pathlib import Path

import click

from jasic_kg.errors import (
    EXIT_CODES,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    InputError,
    JasicError,
)

EPILOG = "Exit codes: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()) + "."


class JasicGroup(click.Group):
    """A group whose `lazy_commands` (name -> "module:attribute") are imported only when one is invoked or
    listed (click's documented lazy-loading pattern), and whose errors end as one line and an exit code."""

    def __init__(self, *args, lazy_commands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            import importlib

            module, attribute = self.lazy_commands[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)  # loaded once
        return super().get_command(ctx, cmd_name)

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
    from jasic_kg.io.inputs import opened

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
        from jasic_kg.io.atomic import write_bytes

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
    from jasic_kg.io.atomic import write_bytes

    for name, payload in sorted(files.items()):
        write_bytes(folder / name, payload)
    click.echo(f"wrote {len(files)} files to {folder}", err=True)
