"""Reading and writing RDF: format detection, size/depth checks and atomic writes (rdfio), JSON-LD context
resolution without the network (jsonld_contexts), where the shipped files live (resources), input limits (limits)."""
