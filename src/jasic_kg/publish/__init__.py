"""Publishing the graph to a triplestore: `jasic-kg push`.

The triples go into one named graph, by the SPARQL 1.1 Graph Store HTTP Protocol (GSP,
https://www.w3.org/TR/sparql11-http-rdf-update/): the first batch is a PUT (it replaces the graph, so a re-push is
idempotent), the next ones POSTs (they add). Where a server has no GSP, SPARQL 1.1 Update does the same: DROP SILENT
GRAPH, then one INSERT per batch. Batches are N-Triples; the triples that share a blank node always travel in the
same batch, because a blank node label means one node only within one request.

Afterwards the graph's triples are counted on the server (a COUNT query) and, on request, the server's graph is
fetched back and compared with the local one up to blank-node renaming (RDF canonicalization, RDFC-1.0).

A failure partway says what the server now holds (a COUNT after the failure) and raises NetworkError (exit 3).
Secrets come from the environment (JASIC_KG_PASSWORD, JASIC_KG_TOKEN), never from arguments, and never appear in
messages.

Modules: endpoints (URLs, credentials), http (the client), batches, gsp and update (the two protocols),
verify (the count and the comparison), upload (push itself).
"""

from jasic_kg.publish.batches import BATCH_TRIPLES, UPDATE_BATCH_TRIPLES, batches
from jasic_kg.publish.endpoints import Credentials, Service, service_urls
from jasic_kg.publish.upload import DEFAULT_GRAPH, PushResult, local_triples, push
from jasic_kg.publish.verify import graph_differences

__all__ = ["DEFAULT_GRAPH", "BATCH_TRIPLES", "UPDATE_BATCH_TRIPLES", "Credentials", "PushResult", "Service", "batches",
           "graph_differences", "local_triples", "push", "service_urls"]
