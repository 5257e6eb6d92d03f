"""One benchmark operation per process, run by benchmarks/run.py (so each figure is a fresh process).

    python benchmarks/peers.py OPERATION [ARGS...]

prints one JSON object on stdout: the in-process timings (``load_s``, ``op_s``) and a result summary (row count,
finding count, a digest of the rows) that run.py uses to check every engine gave the same answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _digest(rows) -> str:
    h = hashlib.sha256()
    for r in sorted(rows):
        h.update(("\t".join(r) + "\n").encode("utf-8"))
    return h.hexdigest()[:16]


def _ox_term(t) -> str:
    return "" if t is None else str(t)


def _rdflib_term(t) -> str:
    """rdflib term in the N-Triples form pyoxigraph uses (plain literal == xsd:string)."""
    from rdflib import BNode, Literal, URIRef

    if t is None:
        return ""
    if isinstance(t, URIRef):
        return f"<{t}>"
    if isinstance(t, BNode):
        return f"_:{t}"
    if isinstance(t, Literal):
        import pyoxigraph as ox

        if t.language:
            return str(ox.Literal(str(t), language=t.language))
        if t.datatype is not None:
            return str(ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype))))
        return str(ox.Literal(str(t)))
    return str(t)


def _ox_format(path: str):
    import pyoxigraph as ox

    return ox.RdfFormat.from_extension(Path(path).suffix.lstrip("."))


# --- pyoxigraph ---------------------------------------------------------------------------------------------

def _files(data: str) -> list[str]:
    """DATA is one file or several joined with os.pathsep (the shipped graph beside the synthetic data)."""
    return data.split(os.pathsep)


def ox_load(data):
    import pyoxigraph as ox

    t = time.perf_counter()
    s = ox.Store()
    for f in _files(data):
        s.bulk_load(path=f, format=_ox_format(f))
    return s, time.perf_counter() - t


def op_pyoxigraph_load(data):
    s, t = ox_load(data)
    return {"load_s": t, "triples": len(s)}


def op_pyoxigraph_query(data, query_file):
    s, tl = ox_load(data)
    q = Path(query_file).read_text(encoding="utf-8")
    t = time.perf_counter()
    res = s.query(q)
    vars_ = [v.value for v in res.variables]
    rows = [tuple(_ox_term(sol[v]) for v in vars_) for sol in res]
    return {"load_s": tl, "op_s": time.perf_counter() - t, "rows": len(rows), "digest": _digest(rows)}


def op_pyoxigraph_queries(data, *query_files):
    """Load once, run every query (query-only times; whole-process figures come from pyoxigraph-query)."""
    s, tl = ox_load(data)
    out = {"load_s": tl, "queries": {}}
    for qf in query_files:
        q = Path(qf).read_text(encoding="utf-8")
        t = time.perf_counter()
        res = s.query(q)
        vars_ = [v.value for v in res.variables]
        rows = [tuple(_ox_term(sol[v]) for v in vars_) for sol in res]
        out["queries"][Path(qf).stem] = {"op_s": time.perf_counter() - t, "rows": len(rows), "digest": _digest(rows)}
        del res, rows  # no engine's previous result stays alive (the cycle collector would walk it) during the next
    return out


def op_pyoxigraph_jsonld(data, out):
    import pyoxigraph as ox

    s, tl = ox_load(data)
    t = time.perf_counter()
    s.dump(output=out, format=ox.RdfFormat.JSON_LD, from_graph=ox.DefaultGraph())
    return {"load_s": tl, "op_s": time.perf_counter() - t, "bytes": Path(out).stat().st_size}


def op_pyoxigraph_turtle(data, out):
    import pyoxigraph as ox

    s, tl = ox_load(data)
    t = time.perf_counter()
    s.dump(output=out, format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())
    return {"load_s": tl, "op_s": time.perf_counter() - t, "bytes": Path(out).stat().st_size}


# --- rdflib / pyshacl ---------------------------------------------------------------------------------------

def rdflib_load(data):
    import rdflib

    t = time.perf_counter()
    g = rdflib.Graph()
    for f in _files(data):
        g.parse(f)
    return g, time.perf_counter() - t


def op_rdflib_load(data):
    g, t = rdflib_load(data)
    return {"load_s": t, "triples": len(g)}


def op_rdflib_queries(data, *query_files):
    """Load once, run every query (rdflib is too slow to reload per query at 1M)."""
    g, tl = rdflib_load(data)
    out = {"load_s": tl, "queries": {}}
    for qf in query_files:
        q = Path(qf).read_text(encoding="utf-8")
        t = time.perf_counter()
        res = g.query(q)
        vars_ = [str(v) for v in res.vars]
        rows = [tuple(_rdflib_term(r[v]) for v in vars_) for r in res]
        out["queries"][Path(qf).stem] = {"op_s": time.perf_counter() - t, "rows": len(rows), "digest": _digest(rows)}
        del res, rows
    return out


def op_rdflib_jsonld(data, out):
    g, tl = rdflib_load(data)
    t = time.perf_counter()
    g.serialize(destination=out, format="json-ld", auto_compact=True)
    return {"load_s": tl, "op_s": time.perf_counter() - t, "bytes": Path(out).stat().st_size}


def op_rdflib_turtle(data, out):
    g, tl = rdflib_load(data)
    t = time.perf_counter()
    g.serialize(destination=out, format="turtle")
    return {"load_s": tl, "op_s": time.perf_counter() - t, "bytes": Path(out).stat().st_size}


def op_pyshacl(data, shapes):
    import pyshacl
    import rdflib
    from rdflib.namespace import RDF, SH

    g, tl = rdflib_load(data)
    sg = rdflib.Graph().parse(shapes)
    t = time.perf_counter()
    conforms, rg, _ = pyshacl.validate(g, shacl_graph=sg)
    n = len(list(rg.subjects(RDF.type, SH.ValidationResult)))
    return {"load_s": tl, "op_s": time.perf_counter() - t, "conforms": bool(conforms), "findings": n}


def op_native_shacl(data, shapes):
    """The project's SPARQL-compiled SHACL engine (jasic_kg.validation.shacl_native) on a pyoxigraph store."""
    import pyoxigraph as ox
    import rdflib

    from jasic_kg.validation import shacl_native

    t = time.perf_counter()
    s = ox.Store()
    s.bulk_load(path=data, format=_ox_format(data))
    tl = time.perf_counter() - t
    sg = rdflib.Graph().parse(shapes)
    t = time.perf_counter()
    rep = shacl_native.validate(s, sg)
    keys = [tuple("" if x is None else str(x) for x in f.key()) for f in rep.findings]
    return {"load_s": tl, "op_s": time.perf_counter() - t, "conforms": rep.conforms, "findings": len(rep.findings),
            "fallback": [str(s) for s, _ in rep.fallback_shapes], "digest": _digest(keys), "queries": rep.queries}


def op_pyld_compact(data, out):
    """pyoxigraph expanded JSON-LD + pyld compaction: the plain-Python way to a compacted document."""
    import pyoxigraph as ox
    from pyld import jsonld

    s, tl = ox_load(data)
    t = time.perf_counter()
    expanded = json.loads(s.dump(format=ox.RdfFormat.JSON_LD, from_graph=ox.DefaultGraph()))
    ctx = {"jkg": "https://w3id.org/jasic-kg/ontology#", "jid": "https://w3id.org/jasic-kg/id/",
           "jv": "https://w3id.org/jasic-kg/vocab/", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
           "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#"}
    doc = jsonld.compact(expanded, ctx)
    Path(out).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return {"load_s": tl, "op_s": time.perf_counter() - t, "bytes": Path(out).stat().st_size}


# --- the toolkit as a library ---------------------------------------------------------------------------------

def op_toolkit_load(data, cache="0"):
    from jasic_kg.store import LocalStore

    t = time.perf_counter()
    st = LocalStore(_files(data), cache=cache == "1")
    return {"load_s": time.perf_counter() - t, "triples": st.count()}


def op_toolkit_query(data, query_file, cache="0"):
    from jasic_kg.store import LocalStore

    t = time.perf_counter()
    st = LocalStore(_files(data), cache=cache == "1")
    tl = time.perf_counter() - t
    q = Path(query_file).read_text(encoding="utf-8")
    t = time.perf_counter()
    res = st.query(q)
    rows = [tuple(_ox_term(x) for x in r) for r in res.rows]
    return {"load_s": tl, "op_s": time.perf_counter() - t, "rows": len(rows), "digest": _digest(rows)}


def op_toolkit_queries(data, cache, *query_files):
    from jasic_kg.store import LocalStore

    t = time.perf_counter()
    st = LocalStore(_files(data), cache=cache == "1")
    out = {"load_s": time.perf_counter() - t, "queries": {}}
    for qf in query_files:
        q = Path(qf).read_text(encoding="utf-8")
        t = time.perf_counter()
        res = st.query(q)
        rows = [tuple(_ox_term(x) for x in r) for r in res.rows]
        out["queries"][Path(qf).stem] = {"op_s": time.perf_counter() - t, "rows": len(rows), "digest": _digest(rows)}
        del res, rows  # as in pyoxigraph-queries: nothing of the previous query alive during the next
    return out


OPS = {name[3:].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("op_")}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in OPS:
        print("operations: " + ", ".join(sorted(OPS)), file=sys.stderr)
        return 2
    t = time.perf_counter()
    out = OPS[argv[0]](*argv[1:])
    out["process_inner_s"] = time.perf_counter() - t
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
