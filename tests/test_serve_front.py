"""The front of `jasic-kg serve` without a server: how it knows an answer of the Oxigraph child is whole."""

from __future__ import annotations

import pytest

from jasic_kg.serve.front import _streamed_error


@pytest.mark.parametrize("body, failure", [
    (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a"}}]}}', None),
    (b'{"head":{"vars":["x"]},"results":{"bindings":[]}}\n', None),
    (b'{"head":{},"boolean":true}', None),
    (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a"}},'
     b'The SPARQL operation has been cancelled', "The SPARQL operation has been cancelled"),
    (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a ]}}', '"value":"a ]}}'),
    (b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"a"', '"value":"a"'),
])
def test_a_json_answer_cut_short_is_a_failure_a_whole_one_is_not(body, failure):
    """Whole answers are known by their end (parsing 27 MB to find them whole took 0.24 s); the rest is parsed."""
    assert _streamed_error(body, "application/sparql-results+json") == failure
