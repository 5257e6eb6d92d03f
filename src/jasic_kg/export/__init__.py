"""Export: whole-graph serialisations and their registry (exporters), and the JSON-LD context derived from the
ontology (context)."""
