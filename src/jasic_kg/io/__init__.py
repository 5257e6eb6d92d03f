"""Reading and writing RDF: format detection, size checks and the one loader (rdfio), the guards against
pathological files (guards: nesting depth, XML entity bombs), atomic writes (atomic), pyoxigraph's SPARQL on a
big-stack thread under a deadline and a memory bound (native), JSON-LD context resolution without the network
(jsonld_contexts), where the shipped files live (resources), input limits (limits)."""
