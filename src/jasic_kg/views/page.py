"""What the views share: where an entity's page is, and turning a Vega-Lite spec into SVG, PNG or an offline page."""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Callable

from jasic_kg.terms import JID

PageUrl = Callable[[str], "str | None"]


def site_page_url(iri: str) -> str | None:
    """The static site's page of an entity, relative to the site's root (jid:<name> -> id/<name>.html): the
    site's own scheme (site.pages.page_url), for entities only."""
    from jasic_kg.site.pages import page_url

    return page_url(iri) if iri.startswith(JID) else None


def local_name(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _vl_convert():
    import vl_convert

    return vl_convert


# vl-convert's Vega loader resolves relative links against this base (for its example data sets); our links are
# relative to the page, so the SVG gets them back as they were written
_VL_CONVERT_BASE = "https://vega.github.io/vega-datasets/"


def to_svg(spec: dict) -> str:
    # allowed_base_urls=[]: the spec carries its data inline, so nothing may be fetched while rendering
    svg = _vl_convert().vegalite_to_svg(spec, allowed_base_urls=[])
    return svg.replace(f'xlink:href="{_VL_CONVERT_BASE}', 'xlink:href="')


def to_png(spec: dict, scale: float = 1.0) -> bytes:
    return _vl_convert().vegalite_to_png(spec, scale=scale, allowed_base_urls=[])


@functools.lru_cache(maxsize=1)
def _javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed (with its tooltip handler) as one script, taken from vl-convert (1.4 s: kept
    for the process, so that a site with two views builds it once)."""
    return _vl_convert().javascript_bundle()


def _script_json(value) -> str:
    """JSON safe inside a <script> element: no "</" can close it early, no "<!--" can open a comment."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/").replace("<!--", "<\\!--")


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff;
       margin: 0 auto; padding: 1rem; max-width: 80rem; line-height: 1.45; }
a { color: #0b4f9c; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
.intro { max-width: 60rem; }
.chart { overflow-x: auto; margin: 1rem 0; }
noscript ol li { margin-bottom: .6rem; }
#vg-tooltip-element { max-width: 34rem; }
#vg-tooltip-element table tr td.value { max-width: 28rem; white-space: normal; overflow-wrap: anywhere; }
"""


def html_page(title: str, intro_html: str, spec: dict, fallback_html: str, list_summary: str) -> str:
    """A complete page that works offline: the chart (Vega bundled inline, links open in the same window, no
    editor link), and `fallback_html` inside <noscript> for readers without JavaScript. With JavaScript the same
    list is offered, closed, under `list_summary`: the chart's marks take no keyboard focus, the list's links do."""
    options = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False, "editor": False},
               "loader": {"target": "_self"}}
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n<div class=\"intro\">{intro_html}</div>\n"
        f"<div id=\"chart\" class=\"chart\"></div>\n<noscript>\n{fallback_html}\n</noscript>\n"
        f"<details id=\"as-list\" hidden>\n<summary>{html.escape(list_summary)}</summary>\n{fallback_html}\n"
        "</details>\n<script>document.getElementById(\"as-list\").hidden = false;</script>\n"
        f"<script>{_javascript_bundle()}</script>\n"
        f"<script>vegaEmbed(\"#chart\", {_script_json(spec)}, {_script_json(options)})"
        ".catch(function (e) { console.error(e); });</script>\n"
        "</main>\n</body>\n</html>\n")
