"""Exports: one registry of formats (the --format choices come from it).

Every RDF export is deterministic: blank nodes get canonical labels (RDFC-1.0, https://www.w3.org/TR/rdf-canon/),
quads are sorted, and only the prefixes the output uses are declared. Every RDF export parses back to a graph
isomorphic to the source (tests/test_export.py checks each format).

JSON-LD is compacted with the shipped context (context.py derives it from the ontology): directly from the quads
(jsonld_direct) when the context and the graph allow, else by pyld, which never fetches anything (its document
loader serves only the shipped context). CSV gives spreadsheet tables of the main
entity kinds.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyoxigraph import (
    Quad,
    RdfFormat,
    Triple,
)

from jasic_kg.errors import InputError

from jasic_kg.export.jsonld import FRAME_CLASSES, _dump, compact_jsonld, framed_jsonld
from jasic_kg.export.rdf import _rdf, canonical_quads
from jasic_kg.export.tables import TABLES, csv_table

# --- the registry -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exporter:
    name: str
    help: str
    extension: str
    write: Callable[[list[Quad]], bytes] | None  # None: handled specially (jsonld frames, csv)


EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    Exporter("turtle", "Turtle", ".ttl", _rdf(RdfFormat.TURTLE, False)),
    Exporter("nt", "N-Triples (canonical form)", ".nt", _rdf(RdfFormat.N_TRIPLES, False)),
    Exporter("nq", "N-Quads", ".nq", _rdf(RdfFormat.N_QUADS, True)),
    Exporter("trig", "TriG", ".trig", _rdf(RdfFormat.TRIG, True)),
    Exporter("jsonld", "JSON-LD compacted with the shipped context (--frame for one document per entity)",
             ".jsonld", lambda quads: _dump(compact_jsonld(quads))),
    Exporter("xml", "RDF/XML", ".rdf", _rdf(RdfFormat.RDF_XML, False)),
    Exporter("csv", "CSV tables: " + ", ".join(TABLES), ".csv", None),
)}


def serialize_triples(triples: Iterable[Triple], fmt: str, *, timeout: float | None = None) -> bytes:
    """A graph (e.g. a CONSTRUCT result) in one of the RDF export formats."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None or exporter.write is None:
        raise InputError(f"not an RDF export format: {fmt}")
    return _write(fmt, canonical_quads(triples, timeout=timeout))


def _write(fmt: str, quads: list[Quad]) -> bytes:
    if fmt == "jsonld" and any(isinstance(q.object, Triple) for q in quads):
        # pyoxigraph's JSON-LD writer refuses them with an OSError (was exit 4): the user's data, not a bug
        raise InputError("JSON-LD cannot hold triple terms (RDF 1.2 '<<( ... )>>'); export as turtle, trig, nt "
                         "or nq")
    return EXPORTERS[fmt].write(quads)


def export(store, fmt: str = "turtle", *, frame: str | None = None, table: str | None = None,
           split: bool = False) -> bytes | dict[str, bytes]:
    """The graph in `fmt`: bytes, or {file name: bytes} when the export is several documents."""
    if fmt not in EXPORTERS:
        raise InputError(f"unknown export format {fmt!r} (formats: {', '.join(EXPORTERS)})")
    if fmt == "csv":
        if table:
            return csv_table(store, table)
        if not split:
            raise InputError("--format csv writes several tables: give --table NAME or --output DIR "
                             f"(tables: {', '.join(TABLES)})")
        return {f"{name}.csv": csv_table(store, name) for name in TABLES}
    if fmt == "jsonld" and frame:
        if frame not in FRAME_CLASSES:
            raise InputError(f"unknown frame {frame!r} (frames: {', '.join(FRAME_CLASSES)})")
        docs = framed_jsonld(store, frame)
        if split:
            return {f"{slug}.jsonld": _dump(doc) for slug, doc in docs.items()}
        graph = [{k: v for k, v in doc.items() if k != "@context"} for doc in docs.values()]
        context = next(iter(docs.values()))["@context"] if docs else {}
        return _dump({"@context": context, "@graph": graph})
    with _no_cycle_collection():
        return _write(fmt, canonical_quads(store.quads(), timeout=getattr(store, "timeout", None)))


@contextlib.contextmanager
def _no_cycle_collection():
    """A whole-graph export allocates millions of short dicts and terms and no reference cycles worth
    collecting; Python's cycle collector would rescan them all again and again (a quarter of the time of a
    million-triple JSON-LD export). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


export_graph = export  # the public API name (jasic_kg.export.exporters is the module)
