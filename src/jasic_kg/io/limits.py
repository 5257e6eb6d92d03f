"""Limits on input, shared by the RDF reader (rdfio) and the JSON-LD context resolver (jsonld_contexts), which
rdfio calls: kept here so that neither imports the other back."""

MAX_NESTING = 1000  # brackets ( [ { << in Turtle/TriG/N-Triples/N-Quads, JSON arrays/objects, XML elements
