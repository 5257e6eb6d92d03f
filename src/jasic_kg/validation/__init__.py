"""Validation: the report, its renderers and the built-in checks (validate), the native SHACL Core engine
(shacl_native), with pySHACL as the fallback for what the native engine does not compile."""
