"""Links to external authorities, live: `jasic-kg link check | suggest | fetch | export`.

client.py is the polite SPARQL client; mappings.py reads the SSSOM sets and the local graph; check.py, suggest.py,
fetch.py and export.py are the four commands' libraries. Nothing here is imported, and nothing contacts a network,
unless a `link` command runs.
"""
