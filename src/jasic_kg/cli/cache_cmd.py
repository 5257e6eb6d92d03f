"""`jasic-kg cache list | clear`: the on-disk store cache and its memos (jasic_kg.cache, jasic_kg.memo)."""

from __future__ import annotations

import time

import click

from jasic_kg.cli.base import EPILOG


def _folder_option(f):
    return click.option("--cache-dir", type=click.Path(file_okay=False), default=None, metavar="DIR",
                        help="The cache folder (default: $JASIC_KG_CACHE_DIR, else $XDG_CACHE_HOME/jasic-kg, "
                             "else ~/.cache/jasic-kg).")(f)


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


@click.group(epilog=EPILOG)
def cache():
    """The on-disk store cache: the shipped graph, and inputs of 2 MiB or more, are parsed once into an entry kept
    here, as are validate's compiled shapes, beside three memos (parsed query headers, entry names by stat
    signature, for inputs and for shapes). Entries unused for 30 days
    ($JASIC_KG_CACHE_MAX_AGE_DAYS) are removed, then the least recently used above 2 GiB in total
    ($JASIC_KG_CACHE_MAX_BYTES), each time an entry is built."""


@cache.command("list", epilog=EPILOG)
@_folder_option
def list_(cache_dir):
    """Entries and memos (least recently used first), their size and last use; builds in progress and stale ones."""
    from jasic_kg.cache import default_cache_dir, entries

    folder = cache_dir or default_cache_dir()
    found = entries(folder)
    for e in found:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.last_used))
        click.echo(f"{e.path.name}\t{e.kind}\t{_mb(e.size)}\t{used}")
    total = sum(e.size for e in found)
    click.echo(f"{folder}: {sum(e.kind == 'entry' for e in found)} entries, {_mb(total)}", err=True)


@cache.command(epilog=EPILOG)
@_folder_option
def clear(cache_dir):
    """Remove every entry, stale build and memo; nothing else in the folder is touched."""
    from jasic_kg.cache import clear as run
    from jasic_kg.cache import default_cache_dir

    folder = cache_dir or default_cache_dir()
    removed = run(folder)
    click.echo(f"{folder}: removed {len(removed)} (entries and stale builds), {_mb(sum(e.size for e in removed))}",
               err=True)
