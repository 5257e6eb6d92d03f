"""Pictures of the graph for people: a timeline of the events and a network of the actors.

Each view is a Vega-Lite chart built with Altair from the graph's own data and rendered by vl-convert: as SVG or
PNG, or as a complete HTML page that works offline (the Vega libraries are bundled into the page, nothing is
fetched from a CDN, and a `<noscript>` list carries the same content for readers without JavaScript).

`page_url(iri) -> str | None` says where an entity's page is, relative to the view's page (None: no page). The
default, `site_page_url`, follows the static site's layout: `https://w3id.org/jasic-kg/id/<name>` ->
`id/<name>.html`.

Altair, vl-convert and networkx load only when a view is built: the other commands never import them.
"""

from __future__ import annotations

import importlib

_LAZY = {
    "site_page_url": "jasic_kg.views.page",
    "ARTICLE_URL": "jasic_kg.terms",
    **{name: "jasic_kg.views.timeline" for name in ("timeline_data", "timeline_spec", "timeline_svg",
                                                    "timeline_png", "timeline_html")},
    **{name: "jasic_kg.views.network" for name in ("network_data", "network_spec", "network_svg", "network_png",
                                                   "network_html")},
}

__all__ = sorted(_LAZY)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'jasic_kg.views' has no attribute {name!r}")


def __dir__():
    return __all__
