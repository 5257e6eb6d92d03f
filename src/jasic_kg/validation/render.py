"""The report for people and machines: text, JSON, Turtle (a SHACL validation report) and JUnit XML
(RENDERERS is the registry that the CLI's --format choices are tested against)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from jasic_kg.io import resources
from jasic_kg.terms import PREFIXES, RDF, RDFS, SH, show
from jasic_kg.validation.report import ValidationFinding, ValidationReport

# --- rendering --------------------------------------------------------------------------------------------

class _Names:
    """Labels and CURIEs for people: never a full IRI where a CURIE fits, never a blank-node id."""

    def __init__(self, report: ValidationReport):
        self.data = report.data or Store()
        self.shapes = report.shapes_graph or Store()

    def label(self, term) -> str | None:
        if not isinstance(term, (NamedNode, BlankNode)):
            return None
        best = None
        for p in (RDFS + "label", PREFIXES["skos"] + "prefLabel"):
            for q in self.data.quads_for_pattern(term, NamedNode(p), None):
                if q.object.language in (None, "en"):
                    return q.object.value
                best = best or q.object.value
        return best

    def node(self, term) -> str:
        if term is None:
            return "-"
        if isinstance(term, BlankNode):
            # Describe a blank node by how it is reached: "[the jkg:hasEvidence of jid:claim-x]".
            for store in (self.data, self.shapes):
                for q in store.quads_for_pattern(None, None, term):
                    if not isinstance(q.subject, BlankNode):
                        return f"[the {show(q.predicate)} of {show(q.subject)}]"
            return "[a blank node]"
        if isinstance(term, Literal):
            text = term.value if len(term.value) <= 60 else term.value[:59] + "…"
            return json.dumps(text, ensure_ascii=False)
        return show(term)

    def node_with_label(self, term) -> str:
        label = self.label(term)
        return self.node(term) + (f" ({label})" if label else "")

    def path(self, term) -> str:
        """SHACL property paths (https://www.w3.org/TR/shacl/#property-paths) in SPARQL notation."""
        if term is None:
            return "-"
        if isinstance(term, NamedNode):
            return show(term)

        def one(p):
            return next((q.object for q in self.shapes.quads_for_pattern(term, NamedNode(p), None)), None)

        for key, fmt in (("inversePath", "^{}"), ("zeroOrMorePath", "{}*"), ("oneOrMorePath", "{}+"),
                         ("zeroOrOnePath", "{}?")):
            inner = one(SH + key)
            if inner is not None:
                return fmt.format(self.path(inner))
        alt = one(SH + "alternativePath")
        if alt is not None:
            return "(" + "|".join(self.path(p) for p in self._list(alt)) + ")"
        if one(RDF + "first") is not None:
            return "/".join(self.path(p) for p in self._list(term))
        return "[complex path]"

    def _list(self, head):
        items = []
        while head is not None and head != NamedNode(RDF + "nil") and len(items) < 100:
            first = next((q.object for q in self.shapes.quads_for_pattern(head, NamedNode(RDF + "first"), None)), None)
            items.append(first)
            head = next((q.object for q in self.shapes.quads_for_pattern(head, NamedNode(RDF + "rest"), None)), None)
        return items

    def message(self, f: ValidationFinding) -> str:
        shape = f.shape
        if f.stage in ("check", "meta"):
            # check queries write IRIs as <...>; a person reads CURIEs
            return _IRI_IN_TEXT.sub(lambda m: self._curie(m.group(1)), f.message or "finding")
        if f.stage != "shacl" or shape is None or f.component is None:
            return f.message or "finding"
        if any(True for _ in self.shapes.quads_for_pattern(shape, NamedNode(SH + "message"), None)):
            return f.message
        comp = _component(f.component)
        template = _DEFAULT_MESSAGES.get(comp)
        if template is None:
            return f"{comp} constraint violated"
        param = next((q.object for q in self.shapes.quads_for_pattern(shape, NamedNode(SH + comp), None)), None)
        shown = param.value if isinstance(param, Literal) else self.node(param)
        return template.format(shown if "{}" in template else "")

    def _curie(self, iri: str) -> str:
        try:
            return self.node(NamedNode(iri))
        except ValueError:  # not a valid IRI: leave the text as the check wrote it
            return f"<{iri}>"

    def shape(self, f: ValidationFinding) -> str:
        """"jks:ClaimShape › jkg:quote" for a property shape, the check name for a check."""
        if f.stage == "syntax":
            return "syntax"
        if f.stage in ("check", "meta"):
            return f"{f.stage} {f.check}" + (f" ({show(f.shape)})" if isinstance(f.shape, NamedNode) else "")
        shape = f.shape
        if isinstance(shape, BlankNode):
            parent = next((q.subject for q in self.shapes.quads_for_pattern(None, NamedNode(SH + "property"), shape)),
                          None)
            path = next((q.object for q in self.shapes.quads_for_pattern(shape, NamedNode(SH + "path"), None)), None)
            return f"{self.node(parent) if parent is not None else '[property shape]'} › {self.path(path)}"
        return self.node(shape)


def _component(term) -> str:
    if term is None:
        return ""
    name = term.value.rsplit("#", 1)[-1].replace("ConstraintComponent", "")
    return name[:1].lower() + name[1:]


# Messages for results whose shape has no sh:message: pySHACL's defaults print full IRIs and blank-node ids.
# "{}" is the shape's value for the parameter of the same name.
_DEFAULT_MESSAGES = {
    "minCount": "needs at least {} value(s)",
    "maxCount": "allows at most {} value(s)",
    "datatype": "value must be a {} literal",
    "class": "value must be an instance of {}",
    "nodeKind": "value must be a {}",
    "pattern": "value must match the pattern {}",
    "minLength": "value must be at least {} characters long",
    "maxLength": "value must be at most {} characters long",
    "minInclusive": "value must be >= {}",
    "maxInclusive": "value must be <= {}",
    "minExclusive": "value must be > {}",
    "maxExclusive": "value must be < {}",
    "hasValue": "must have the value {}",
    "in": "value is not one of the allowed values",
    "languageIn": "value must have one of the allowed language tags",
    "uniqueLang": "has two values with the same language tag",
    "node": "value must conform to the shape {}",
    "equals": "values must equal those of {}",
    "disjoint": "values must differ from those of {}",
    "lessThan": "value must be less than the values of {}",
    "lessThanOrEquals": "value must be at most the values of {}",
    "closed": "property not allowed by the closed shape",
    "qualifiedValueShape": "wrong number of values conforming to the qualified shape",
    "qualifiedMinCount": "too few values conforming to the qualified shape",
    "qualifiedMaxCount": "too many values conforming to the qualified shape",
    "not": "value must not conform to the negated shape",
    "and": "value must conform to all the listed shapes",
    "or": "value must conform to at least one of the listed shapes",
    "xone": "value must conform to exactly one of the listed shapes",
}


_IRI_IN_TEXT = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]*:[^<>\s\"]*)>")


def read_files_line(files: list[str]) -> str:
    """Which files were read: the shipped ones relative to their root (a checkout or an installed copy)."""
    base = resources.root().resolve()
    shipped, other = [], []
    for f in files:
        try:
            shipped.append(Path(f).resolve().relative_to(base).as_posix())
        except ValueError:
            other.append(f)
    return f"read {base}: {' '.join(shipped)}" + (f"; and {' '.join(other)}" if other else "")


def render_text(report: ValidationReport) -> bytes:
    names = _Names(report)
    lines = [f"jasic-kg validate: {report.summary()}", read_files_line(report.files)]
    groups: dict[str, list[ValidationFinding]] = {}
    for f in report.findings:
        groups.setdefault(names.shape(f), []).append(f)
    for title in sorted(groups, key=lambda t: (t != "syntax", t)):
        items = groups[title]
        lines += ["", f"{title}  [{len(items)}]"]
        if title == "syntax":
            lines += [f"  {f.file}" + "".join(f":{x}" for x in (f.line, f.column) if x is not None)
                      + f": {f.message}" for f in items]
            continue
        by_focus: dict[str, list[ValidationFinding]] = {}
        for f in items:
            by_focus.setdefault(names.node_with_label(f.focus), []).append(f)
        for focus in sorted(by_focus):
            lines.append(f"  {focus}")
            for f in by_focus[focus]:
                detail = []
                if f.path is not None:
                    detail.append(f"path {names.path(f.path)}")
                if f.value is not None:
                    detail.append(f"value {names.node(f.value)}")
                if f.component is not None:
                    detail.append(f"sh:{_component(f.component)}")
                lines.append(f"    {f.severity}: {names.message(f)}" + (f"  ({', '.join(detail)})" if detail else ""))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _finding_json(f: ValidationFinding, names: _Names) -> dict:
    def term(t):
        return None if t is None else (names.node(t) if not isinstance(t, Literal) else t.value)

    return {
        "stage": f.stage, "severity": f.severity, "source": names.shape(f), "focus": term(f.focus),
        "focus_label": names.label(f.focus), "path": None if f.path is None else names.path(f.path),
        "value": term(f.value), "message": names.message(f),
        "component": None if f.component is None else show(f.component),
        "file": f.file, "line": f.line, "column": f.column,
    }


def render_json(report: ValidationReport) -> bytes:
    names = _Names(report)
    doc = {"conforms": report.conforms, "summary": report.summary(), "files": report.files,
           "triples": report.triples, "shapes": report.shapes, "checks": report.checks,
           "engine": report.engine, "inference": report.inference,
           "fallback_shapes": [{"shape": s, "reason": r} for s, r in report.fallback_shapes],
           "findings": [_finding_json(f, names) for f in report.findings]}
    import orjson  # only for this format: its import is 2 ms of a cold text report

    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


def render_turtle(report: ValidationReport) -> bytes:
    """A SHACL validation report graph (https://www.w3.org/TR/shacl/#validation-report); checks and meta-checks
    appear as results whose sh:sourceShape is urn:jasic-kg:check:NAME."""
    from pyoxigraph import Triple

    from jasic_kg.export.exporters import serialize_triples

    def sh(local):
        return NamedNode(SH + local)

    names = _Names(report)
    boolean = NamedNode(PREFIXES["xsd"] + "boolean")
    rep = BlankNode()
    triples = [Triple(rep, NamedNode(RDF + "type"), sh("ValidationReport")),
               Triple(rep, sh("conforms"), Literal("true" if report.conforms else "false", datatype=boolean))]
    copied = set()
    for f in report.findings:
        r = BlankNode()
        triples += [Triple(rep, sh("result"), r), Triple(r, NamedNode(RDF + "type"), sh("ValidationResult")),
                    Triple(r, sh("resultSeverity"), sh(f.severity)),
                    Triple(r, sh("resultMessage"), Literal(names.message(f)))]
        source = f.shape if f.stage == "shacl" else NamedNode(f"urn:jasic-kg:{f.stage}:{f.check or 'file'}")
        for p, o in (("focusNode", f.focus), ("resultPath", f.path), ("value", f.value), ("sourceShape", source),
                     ("sourceConstraintComponent", f.component)):
            if o is not None:
                triples.append(Triple(r, sh(p), o))
                if isinstance(o, BlankNode) and o not in copied and report.shapes_graph is not None:
                    copied.add(o)
                    triples += _closure(report.shapes_graph, o) or _closure(report.data, o)
    return serialize_triples(triples, "turtle")


def _closure(store: Store | None, node) -> list:
    """The triples describing a blank node (a path, a property shape), recursively."""
    out, todo, seen = [], [node], set()
    while todo and store is not None:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in store.quads_for_pattern(n, None, None):
            out.append(q.triple)
            if isinstance(q.object, BlankNode):
                todo.append(q.object)
    return out


def render_junit(report: ValidationReport) -> bytes:
    """JUnit XML for CI: one test suite per stage, one test case per file / shape / check."""
    import xml.etree.ElementTree as ET

    names = _Names(report)
    suites = ET.Element("testsuites", name="jasic-kg validate")
    cases: dict[str, dict[str, list[ValidationFinding]]] = {"syntax": {}, "shacl": {}, "check": {}, "meta": {}}
    for path in report.files:
        cases["syntax"].setdefault(path, [])
    if not any(f.stage == "syntax" for f in report.findings):
        for q in (report.shapes_graph or Store()).quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(SH + "NodeShape")):
            cases["shacl"].setdefault(names.node(q.subject), [])
        for name in report.checks:
            cases["check"].setdefault(name, [])
        for name in ("shacl-vocabulary", "shape-targets", "class-coverage"):
            cases["meta"].setdefault(name, [])
    for f in report.findings:
        key = {"syntax": f.file, "check": f.check, "meta": f.check}.get(f.stage) or names.shape(f).split(" › ")[0]
        cases[f.stage].setdefault(key, []).append(f)
    total = failures = 0
    for stage, tests in cases.items():
        failed = sum(1 for fs in tests.values() if any(f.severity in ("Violation", "Warning") for f in fs))
        suite = ET.SubElement(suites, "testsuite", name=stage, tests=str(len(tests)), failures=str(failed))
        for name, fs in sorted(tests.items()):
            case = ET.SubElement(suite, "testcase", classname=f"validate.{stage}", name=name)
            blocking = [f for f in fs if f.severity in ("Violation", "Warning")]
            if blocking:
                text = "\n".join(f"{names.node_with_label(f.focus)}: {f.severity}: {names.message(f)}"
                                 if f.stage != "syntax" else
                                 f"{f.file}:{f.line}:{f.column}: {f.message}" for f in blocking)
                failure = ET.SubElement(case, "failure", message=f"{len(blocking)} finding(s)", type="validation")
                failure.text = text
        total += len(tests)
        failures += failed
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    ET.indent(suites)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="utf-8") + b"\n")


RENDERERS = {"text": render_text, "turtle": render_turtle, "json": render_json, "junit": render_junit}
