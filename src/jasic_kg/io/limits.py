"""Limits on input, shared by the RDF reader (rdfio, guards), the JSON-LD context resolver (jsonld_contexts) and
the SPARQL checks (sparql): kept here, free of imports, so that none of them imports another back.

Nesting is counted the same way for RDF files and queries: the text is reduced to one byte per bracket, OPEN or
CLOSE (BRACKETS, with NOT_BRACKETS deleted, is the bytes.translate for ( [ { and their closers), and max_depth
finds the deepest point of that string.
"""

MAX_NESTING = 1000  # brackets ( [ { << in Turtle/TriG/N-Triples/N-Quads, JSON arrays/objects, XML elements

OPEN, CLOSE = b"\x01", b"\xff"
BRACKETS = bytes.maketrans(b"([{)]}", OPEN * 3 + CLOSE * 3)
NOT_BRACKETS = bytes(b for b in range(256) if b not in b"([{)]}\x01\xff")


def max_depth(marks: bytes) -> int:
    """Deepest nesting of a string of OPEN/CLOSE bytes (stray closers do not hide later depth)."""
    from array import array
    from itertools import accumulate

    steps = array("b", marks)
    if not steps:
        return 0
    sums = list(accumulate(steps))
    if min(sums) >= 0:
        return max(sums)
    return max(accumulate(steps, lambda depth, step: max(depth + step, 0)))
