"""The jasic-kg command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the result. Library errors are
JasicError subclasses; base.JasicGroup.invoke turns them into one line on stderr and the documented exit code
(errors.EXIT_CODES). Nothing prints a traceback unless --debug is given.

One module per command family (validate_cmd, query_cmd, ...); a new command is a module with a click command
and one add_command line below. Imports are lazy: a command imports only the library modules it uses, so
`query` never loads rdflib or pyshacl.
"""

from __future__ import annotations

import click

from jasic_kg._version import __version__
from jasic_kg.cli.base import EPILOG, JasicGroup
from jasic_kg.cli.browse_cmd import describe, search, stats
from jasic_kg.cli.cache_cmd import cache
from jasic_kg.cli.evidence_cmd import evidence
from jasic_kg.cli.export_cmd import export
from jasic_kg.cli.link_cmd import link
from jasic_kg.cli.push_cmd import push
from jasic_kg.cli.query_cmd import queries, query
from jasic_kg.cli.serve_cmd import serve
from jasic_kg.cli.site_cmd import site
from jasic_kg.cli.validate_cmd import validate
from jasic_kg.cli.views_cmd import network, timeline

# --- the group ---------------------------------------------------------------------------------------------

@click.group(cls=JasicGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="jasic-kg")
@click.option("--debug", is_flag=True, help="Show the traceback of internal errors.")
@click.pass_context
def cli(ctx, debug):
    """jasic-kg: the knowledge graph of Yueran Zhang's "Leninists in a Chinese Factory" (2020), and tools to
    validate, query, export and cite it."""
    ctx.ensure_object(dict)["debug"] = debug


for command in (validate, query, queries, export, describe, search, stats, evidence, link, timeline, network,
                push, site, serve, cache):
    cli.add_command(command)


def main(argv=None):
    cli.main(args=argv, prog_name="jasic-kg")


if __name__ == "__main__":
    main()
