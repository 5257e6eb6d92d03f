"""`jasic-kg serve`: the graph as a read-only SPARQL 1.1 endpoint with dereferenceable IRIs, kept warm in memory.

Two processes. Oxigraph's own server (the `oxigraph` package's binary) holds the graph in memory on an internal
loopback port and answers the SPARQL protocol; no protocol is written here. In front of it, a small standard-
library HTTP server on the public port:

- `/query` (GET and POST, SPARQL 1.1 Protocol section 2.1) is forwarded to Oxigraph after the project's own
  query checks (size, nesting, SERVICE unless allowed: sparql.check_query). SPARQL Update is refused (403): the
  endpoint is read-only. A query that does not finish within the timeout is stopped (503). Oxigraph streams its
  results, so an error met while streaming would reach a client as a 200 with a truncated body; the front reads
  the whole answer first and turns such a body into a 503. Answers are kept (the graph cannot change while
  served), so a repeated query costs only HTTP.
- `/id/<local>`, the path of `https://w3id.org/jasic-kg/id/<local>`, answers 303 See Other to a document about
  the entity chosen by the Accept header (HTML, Turtle or JSON-LD): the "303 URIs forwarding to different
  documents" recipe of the W3C note "Cool URIs for the Semantic Web" (section 4.3); the entity is not a document.
  `/doc/<local>.html|.ttl|.jsonld` are those documents.
- `/` and `/.well-known/void` (RFC 8615 and VoID section 7.2): the VoID and DCAT description (title, licence,
  creator, dump, endpoint) in HTML, Turtle or JSON-LD by content negotiation; `/dump.nt` the whole graph.

Oxigraph's read-write in-memory server is used (its read-only mode needs an on-disk store, 3-6 times slower
for queries that scan the graph; BENCHMARKS.md): the graph is loaded through its Graph Store endpoint, and the
front never forwards a write. Its internal port is on 127.0.0.1 only.

Modules: `server` (the two processes, started and stopped together), `front` (the public port's answers),
`pages` (the dataset description and entity pages).
"""


from jasic_kg.serve.front import negotiate
from jasic_kg.serve.pages import entity_html
from jasic_kg.serve.server import Terminated, parse_bind, serve_forever, serving

__all__ = ["serving", "serve_forever", "negotiate", "parse_bind", "entity_html", "Terminated"]
