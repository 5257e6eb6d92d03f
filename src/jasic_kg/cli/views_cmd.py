"""`jasic-kg timeline` and `network`: the graph as pictures (HTML pages that work offline, SVG, PNG)."""

from __future__ import annotations

import click

from jasic_kg.cli.base import EPILOG, _store, emit, format_option, output_option, pick_format, store_options

VIEW_FORMATS = ["html", "svg", "png"]


def _scale_option(f):
    return click.option("--scale", type=click.FloatRange(min=0.25, max=8), default=1.0, show_default=True,
                        help="PNG only: pixels per chart unit (2 for a sharp picture on a high-density screen).")(f)


def _render(renderers, fmt, scale, store):
    if fmt == "png":
        return renderers["png"](store, scale=scale)
    return renderers[fmt](store)


@click.command(epilog=EPILOG)
@format_option(VIEW_FORMATS, "html")
@_scale_option
@output_option
@store_options
def timeline(fmt, scale, output, **store):
    """Every dated event on a time axis, vague dates as the intervals they are, coloured by event type.

    HTML is one page that works offline (Vega bundled in, nothing fetched; an ordered list for readers without
    JavaScript), with the article's words on hover; SVG and PNG are the picture alone.

    \b
    Examples:
      jasic-kg timeline -o timeline.html
      jasic-kg timeline -o docs/timeline.png --scale 1.5

    Each event links to its page in the layout of the static site (id/NAME.html, relative to the file): written
    at the root of a site built by `jasic-kg site`, the links open those pages; in a file on its own they point
    nowhere (the page's introduction links to the article).
    """
    from jasic_kg.views.timeline import RENDERERS

    fmt = pick_format(fmt, output, VIEW_FORMATS, "html")
    emit(_render(RENDERERS, fmt, scale, _store(**store)), output)


@click.command(epilog=EPILOG)
@format_option(VIEW_FORMATS, "html")
@_scale_option
@output_option
@store_options
def network(fmt, scale, output, **store):
    """Actors, organisations and groups with their memberships, influences and the part they took in events.

    The layout is networkx's ForceAtlas2 layout with a fixed seed: the same graph gives the same picture.

    \b
    Examples:
      jasic-kg network -o network.html
      jasic-kg network -o network.svg

    Each node links to its page in the layout of the static site (id/NAME.html, relative to the file), as for
    `jasic-kg timeline`: the links work in a file written at the root of a site built by `jasic-kg site`.
    """
    from jasic_kg.views.network import RENDERERS

    fmt = pick_format(fmt, output, VIEW_FORMATS, "html")
    emit(_render(RENDERERS, fmt, scale, _store(**store)), output)
