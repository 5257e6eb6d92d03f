"""Format names as a user types them: aliases (ttl, ntriples, json-ld, ...) and the format an -o file name asks
for (`-o graph.nt` writes N-Triples). Each command keeps its own list of formats; this maps onto it."""

from __future__ import annotations

from pathlib import PurePath

ALIASES = {
    "ttl": "turtle", "n3": "turtle", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
    "json-ld": "jsonld", "rdfxml": "xml", "rdf/xml": "xml", "rdf": "xml", "owl": "xml", "txt": "text",
    "srj": "json", "srx": "xml",
}
# File extension -> format, in the order a command's formats are tried (".json" is JSON-LD for an RDF export
# and SPARQL JSON for query results: the first listed that the command knows wins).
EXTENSIONS = {
    ".ttl": ("turtle",), ".nt": ("nt",), ".nq": ("nq",), ".trig": ("trig",), ".jsonld": ("jsonld",),
    ".json": ("json", "jsonld"), ".srj": ("json",), ".rdf": ("xml",), ".owl": ("xml",), ".xml": ("junit", "xml"),
    ".srx": ("xml",), ".csv": ("csv",), ".tsv": ("tsv",), ".txt": ("text", "table"),
    ".html": ("html",), ".htm": ("html",), ".svg": ("svg",), ".png": ("png",),
}


def canonical(name: str, choices) -> str | None:
    """The command's format for `name` or one of its aliases, or None."""
    name = name.lower()
    name = name if name in choices else ALIASES.get(name, name)
    return name if name in choices else None


def from_filename(path: str | None, choices) -> str | None:
    """The format that an output file name asks for, if the command has it ("-" and folders ask for none)."""
    if not path or path == "-" or path.endswith("/"):
        return None
    suffix = PurePath(path).suffix.lower()
    return next((f for f in EXTENSIONS.get(suffix, ()) if f in choices), None)
