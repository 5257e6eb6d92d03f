"""SPARQL JSON results from an endpoint into terms: the fast reading (pyoxigraph's parser) gives exactly the terms
the plain reading (json + term_from_json) gives, and refuses what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from jasic_kg.queries import resolve_query, run_saved_query
from jasic_kg.results import QueryResult, write_result
from jasic_kg.store import open_store

XSD = "http://www.w3.org/2001/XMLSchema#"
BOOLEAN = NamedNode(XSD + "boolean")


def doc(bindings, variables=("x",)) -> bytes:
    return json.dumps({"head": {"vars": list(variables)}, "results": {"bindings": bindings}}).encode()


CASES = {
    "Oxigraph's own forms": (doc([{"x": {"type": "uri", "value": "https://w3id.org/jasic-kg/id/he-pengchao"},
                                    "y": {"type": "literal", "value": "何鹏超", "xml:lang": "zh"}},
                                   {"x": {"type": "literal", "value": "12", "datatype": XSD + "integer"}}],
                                  ("x", "y")),
                              [(NamedNode("https://w3id.org/jasic-kg/id/he-pengchao"), Literal("何鹏超", language="zh")),
                               (Literal("12", datatype=NamedNode(XSD + "integer")), None)]),
    "Virtuoso's blank node label": (doc([{"x": {"type": "bnode", "value": "nodeID://b10000"}}]),
                                    [(BlankNode("xnodeID-3a--2f--2f-b10000"),)]),
    "Virtuoso's typed-literal and 1/0 booleans": (
        doc([{"x": {"type": "typed-literal", "value": "1", "datatype": XSD + "boolean"},
              "y": {"type": "literal", "value": "0", "datatype": XSD + "integer"}},
             {"y": {"datatype": XSD + "integer", "type": "literal", "value": "1"},
              "x": {"datatype": XSD + "boolean", "type": "typed-literal", "value": "0"}}], ("x", "y")),
        [(Literal("true", datatype=BOOLEAN), Literal("0", datatype=NamedNode(XSD + "integer"))),
         (Literal("false", datatype=BOOLEAN), Literal("1", datatype=NamedNode(XSD + "integer")))]),
    "a boolean escaped": (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"\\u0031",'
                          b'"datatype":"' + XSD.encode() + b'boolean"}}]}}', [(Literal("true", datatype=BOOLEAN),)]),
    "canonical booleans beside the number 1": (
        doc([{"x": {"type": "literal", "value": "true", "datatype": XSD + "boolean"},
              "y": {"type": "literal", "value": "1", "datatype": XSD + "integer"}}], ("x", "y")),
        [(Literal("true", datatype=BOOLEAN), Literal("1", datatype=NamedNode(XSD + "integer")))]),
    "a variable the head does not declare": (doc([{"x": {"type": "literal", "value": "a"},
                                                   "z": {"type": "literal", "value": "b"}}]), [(Literal("a"),)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_fast_reading_gives_the_plain_readings_terms(name):
    raw, rows = CASES[name]
    fast = QueryResult.from_json_bytes(raw)
    assert fast == QueryResult.from_json(json.loads(raw))
    assert fast.rows == rows


def test_ask():
    assert QueryResult.from_json_bytes(b'{"head":{},"boolean":false}') == QueryResult("ask", boolean=False)


@pytest.mark.parametrize("raw, error", [
    (b"[1]", "expected a JSON object, got list"),
    (b'{"head":', "Expecting value: line 1 column 9 (char 8)"),
    (doc([{"x": {"type": "uri", "value": "not an iri"}}]), "Invalid IRI code point ' '"),
    (doc([{"x": {"type": "triple", "value": {"subject": {"type": "uri", "value": "http://a.example/s"},
                                               "predicate": {"type": "uri", "value": "http://a.example/p"},
                                               "object": {"type": "uri", "value": "http://a.example/o"}}}}]),
     "The literal value must be a str, an int, a float or a bool"),
])
def test_what_the_plain_reading_refuses_is_refused(raw, error):
    """With the message EndpointStore.query turns into `malformed SPARQL JSON results (...)`, exit 3."""
    with pytest.raises(ValueError) as fast:
        QueryResult.from_json_bytes(raw)
    assert str(fast.value) == error


def test_the_quantities_of_the_graph_read_back_as_they_were():
    """Every quantity (booleans, numbers, bounds, unbound optionals) as an endpoint would send it."""
    local = run_saved_query(open_store(), resolve_query("quantities"))
    raw = json.dumps(local.to_json()).encode()
    checked = json.loads((Path(__file__).parents[1] / "queries" / "expected" / "quantities.srj").read_text())
    assert len(local.rows) == len(checked["results"]["bindings"]) > 50
    read = QueryResult.from_json_bytes(raw)
    assert read == local
    assert read.source_json is raw
    assert write_result(read, "csv") == write_result(local, "csv")


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("fmt", ["csv", "tsv", "xml"])
def test_the_answer_read_again_writes_what_the_rows_write(name, fmt):
    """CSV, TSV and XML are written from the endpoint's own answer when it holds the rows' terms, and are the
    same bytes as when written from the rows (Virtuoso's 1/0 booleans: from the canonical rows)."""
    raw, _ = CASES[name]
    fast = QueryResult.from_json_bytes(raw)
    plain = QueryResult.from_json(json.loads(raw))
    assert plain.source_json is None
    assert write_result(fast, fmt) == write_result(plain, fmt)


def test_canonical_booleans_are_written_from_the_rows():
    raw, _ = CASES["Virtuoso's typed-literal and 1/0 booleans"]
    result = QueryResult.from_json_bytes(raw)
    assert result.source_json is None
    assert write_result(result, "csv").decode().splitlines() == ["x,y", "true,0", "false,1"]


def test_a_refused_answer_leaves_nothing_to_drop_on_another_thread(monkeypatch):
    """pyoxigraph's parsed results may be dropped only on the thread that made them: an answer the fast reading
    refuses must not keep them alive (in the frames of the error the plain reading raises), to be collected later
    on some other thread with an 'unsendable' message."""
    import gc
    import sys
    import threading

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    def refuse() -> str:  # its frame and the error it keeps become garbage on return
        with pytest.raises(ValueError) as refused:
            QueryResult.from_json_bytes(doc([{"x": {"type": "uri", "value": "not an iri"}}]))
        return str(refused.value)

    assert refuse() == "Invalid IRI code point ' '"
    collector = threading.Thread(target=gc.collect)
    collector.start()
    collector.join()
    assert [str(u.exc_value) for u in unraisable] == []
