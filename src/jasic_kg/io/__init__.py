"""Reading and writing RDF: format detection and size/depth limits (rdfio), JSON-LD context resolution without
the network (jsonld_contexts), where the shipped files live (resources), and atomic writes (rdfio.atomic_write)."""
