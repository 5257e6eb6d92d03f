"""`link export`: the reviewed links as the SSSOM mapping set (TSV) or as RDF (Turtle, as data/generated/links.ttl)."""

from __future__ import annotations

from pathlib import Path

from jasic_kg.errors import InputError

FORMATS = ("sssom", "rdf")


def export_links(links_file: Path, fmt: str) -> bytes:
    from jasic_kg.linking.mappings import read_mappings
    from jasic_kg.links import CANDIDATE_SETS, LinksError, links_turtle

    read_mappings(links_file)  # a file that does not parse is an input error, not a copy of garbage
    if fmt == "sssom":
        return links_file.read_bytes()
    if fmt == "rdf":
        folder = links_file.parent
        missing = [n for n in CANDIDATE_SETS if not (folder / n).is_file()]
        if links_file.name != "links.sssom.tsv" or missing:
            raise InputError("the RDF export reads a data folder's links.sssom.tsv with "
                             f"{', '.join(CANDIDATE_SETS)} beside it", links_file)
        try:
            return links_turtle(folder).encode("utf-8")
        except LinksError as e:
            raise InputError(str(e), links_file) from None
    raise InputError(f"unknown link export format {fmt!r} (choose from {', '.join(FORMATS)})")
