"""The static site of the graph (`jasic-kg site -o DIR`): one page per entity with its claims, quotes and
voices, an index with an offline search box, and the ontology's documentation. Jinja2 templates; no asset
is fetched from the network when the pages are viewed."""

from jasic_kg.site.build import build_site
from jasic_kg.site.pages import page_url

__all__ = ["build_site", "page_url"]
