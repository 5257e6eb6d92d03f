"""The jasic-kg command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Library errors are
JasicError subclasses; base.JasicGroup.invoke turns them into one line on stderr and the documented exit code
(errors.EXIT_CODES). Nothing prints a traceback unless --debug is given.

One module per command family (validate_cmd, query_cmd, ...); a new command is a module with a click command
and one line in COMMANDS below. Commands are loaded lazily (click's lazy-loading group pattern): `jasic-kg query`
imports query_cmd and nothing of the other commands, and each command imports only the library modules it
uses, so `query` never loads rdflib, pyshacl or PyYAML's parser for a header it does not need.
"""

from __future__ import annotations

import os
import sys

import click

from jasic_kg._version import __version__
from jasic_kg.cli.base import EPILOG, JasicGroup

# name -> "module:attribute" of the click command, imported only when the command is invoked (or listed by --help)
COMMANDS = {
    "validate": "jasic_kg.cli.validate_cmd:validate",
    "query": "jasic_kg.cli.query_cmd:query",
    "queries": "jasic_kg.cli.query_cmd:queries",
    "export": "jasic_kg.cli.export_cmd:export",
    "describe": "jasic_kg.cli.browse_cmd:describe",
    "search": "jasic_kg.cli.browse_cmd:search",
    "stats": "jasic_kg.cli.browse_cmd:stats",
    "evidence": "jasic_kg.cli.evidence_cmd:evidence",
    "link": "jasic_kg.cli.link_cmd:link",
    "timeline": "jasic_kg.cli.views_cmd:timeline",
    "network": "jasic_kg.cli.views_cmd:network",
    "push": "jasic_kg.cli.push_cmd:push",
    "site": "jasic_kg.cli.site_cmd:site",
    "serve": "jasic_kg.cli.serve_cmd:serve",
    "cache": "jasic_kg.cli.cache_cmd:cache",
}


# --- the group ---------------------------------------------------------------------------------------------

@click.group(cls=JasicGroup, lazy_commands=COMMANDS, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="jasic-kg")
@click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
@click.pass_context
def cli(ctx, debug):
    """jasic-kg: the knowledge graph of Yueran Zhang's "Leninists in a Chinese Factory" (2020), and tools to
    validate, query, export and cite it."""
    ctx.ensure_object(dict)["debug"] = debug
    global _invoked
    _invoked = ctx.invoked_subcommand


# Commands that only read and print. When one ends, its output flushed and the atexit handlers run (the memos are
# saved there), the process exits without the interpreter's teardown of every module: 5-8 ms of their cold start
# (BENCHMARKS.md, "Cold start on the shipped graph"). They hold no on-disk store, open file or worker to finish
# (validate's -o report and cache entries are written atomically, its temporary inputs removed, before it returns).
QUICK_EXIT = {"query", "describe", "stats", "search", "validate"}
_invoked: str | None = None


def main(argv=None):
    try:
        cli.main(args=argv, prog_name="jasic-kg")  # standalone mode: always ends in SystemExit
    except SystemExit as e:
        if _invoked in QUICK_EXIT and (e.code is None or isinstance(e.code, int)):
            _quick_exit(e.code or 0)
        raise


def _quick_exit(code: int) -> None:
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: the interpreter's own exit deals with it
        return
    import atexit

    atexit._run_exitfuncs()
    os._exit(code)


def __getattr__(name):
    """`from jasic_kg.cli import export`: a command object by its name, loaded on first use."""
    if name in COMMANDS:
        return cli.get_command(None, name)
    raise AttributeError(f"module 'jasic_kg.cli' has no attribute {name!r}")


if __name__ == "__main__":
    main()
