"""The native engine's registry of SHACL Core constraint components: every Core component is compiled by an entry
with its section of the specification, or is one that the engine leaves to pySHACL on purpose."""

from rdflib.namespace import SH

from jasic_kg.validation.shacl_components import COMPILED_PARAMETERS, COMPONENTS, SPEC

# SHACL-SPARQL and SHACL-JS components are not SHACL Core: shapes using them are validated by pySHACL.
NOT_CORE = {"SPARQLConstraintComponent", "JSConstraintComponent", "ExpressionConstraintComponent"}
# Compiled without an entry of their own: sh:property recurses in the compiler; the qualified counts are
# reported under their own names by the sh:qualifiedValueShape entry.
REPORTED_BY_OTHERS = {"PropertyConstraintComponent", "QualifiedMinCountConstraintComponent",
                      "QualifiedMaxCountConstraintComponent"}


def test_every_core_component_has_an_entry():
    core = {n for n in SH.__annotations__ if n.endswith("ConstraintComponent") and n[0].isupper()
            and n != "ConstraintComponent"} - NOT_CORE
    registered = {c.name for c in COMPONENTS.values()}
    assert core - REPORTED_BY_OTHERS - {"QualifiedValueShapeConstraintComponent"} == registered - {
        "QualifiedValueShapeConstraintComponent"}
    assert "QualifiedValueShapeConstraintComponent" in registered


def test_each_entry_links_its_section_of_the_spec():
    for parameter, component in COMPONENTS.items():
        assert component.parameters[0] == parameter
        assert component.spec == SPEC + component.name
        assert str(parameter).startswith(str(SH))


def test_compiled_parameters_are_derived_from_the_registry():
    assert SH.flags in COMPILED_PARAMETERS and SH.ignoredProperties in COMPILED_PARAMETERS
    assert SH.property in COMPILED_PARAMETERS
    assert SH.sparql not in COMPILED_PARAMETERS
    names = {str(p).rsplit("#", 1)[1] for p in COMPILED_PARAMETERS}
    assert names == {
        "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
        "maxInclusive", "minLength", "maxLength", "pattern", "flags", "languageIn", "uniqueLang", "equals",
        "disjoint", "lessThan", "lessThanOrEquals", "not", "and", "or", "xone", "node", "property", "in",
        "hasValue", "closed", "ignoredProperties", "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint"}
