"""Validation in three stages, reported for people (or CI).

(a) syntax: every input file parsed strictly by pyoxigraph (FILE:LINE:COLUMN); a syntax error stops the run
    (exit 2) because validating a partial graph would report nonsense.
(b) SHACL: data graph = ontology + vocabulary + data + the user's --data files; shapes = ontology/shapes/*.ttl.
    The engine is pluggable (ENGINES): the native SPARQL-compiled engine (shacl_native.py; default, several times
    faster, results proven identical to pySHACL's by tests/test_shacl_native.py) or pyshacl (the reference).
    Inference defaults to "none": SHACL's sh:targetClass and sh:class already follow rdfs:subClassOf in the data
    graph (https://www.w3.org/TR/shacl/#dfn-shacl-instance), and the ontology is in the data graph, so subclass
    instances are validated without inference; RDFS inference would also *add* rdf:type triples from
    rdfs:domain/range and so hide a missing type. "--inference rdfs" is there for users who want it.
(c) checks: each ontology/checks/*-violation.rq; every row it returns is a finding (ODK/ROBOT convention).
Plus meta-checks for the ways SHACL passes silently: a shape whose targets match no node, a jkg: class used in
the data that no shape covers, and IRIs in shapes files that look like a mistyped sh: namespace or term.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Store

from jasic_kg.io import resources
from jasic_kg.errors import EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, InputError
from jasic_kg.io.rdfio import DEFAULT_MAX_BYTES, check_file, load_graph, parser_input, rdf_format, read_quads
from jasic_kg.terms import JKG, PREFIXES, RDF, RDFS, SH, show

SEVERITIES = ("Violation", "Warning", "Info")  # Violation and Warning fail the run; Info does not


@dataclass
class ValidationFinding:
    """One problem. Terms are pyoxigraph terms; `path` is a NamedNode or the BlankNode of a complex SHACL path
    in the shapes graph."""

    stage: str  # "syntax" | "shacl" | "check" | "meta"
    severity: str  # "Violation" | "Warning" | "Info"
    message: str
    focus: object = None
    path: object = None
    value: object = None
    shape: object = None  # sh:sourceShape
    component: object = None  # sh:sourceConstraintComponent
    check: str | None = None  # the check query or meta-check name
    file: str | None = None
    line: int | None = None
    column: int | None = None


@dataclass
class ValidationReport:
    findings: list[ValidationFinding] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0
    shapes: int = 0
    checks: list[str] = field(default_factory=list)
    engine: str = "native"
    inference: str = "none"
    data: Store | None = None  # for labels in reports
    shapes_graph: Store | None = None  # for shape names and complex paths
    # top-level shapes the native engine could not compile, validated by pySHACL instead: (shape, reason)
    fallback_shapes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(f.severity in ("Violation", "Warning") for f in self.findings)

    @property
    def exit_code(self) -> int:
        if any(f.stage == "syntax" for f in self.findings):
            return EXIT_INPUT
        return EXIT_OK if self.conforms else EXIT_FINDINGS

    def summary(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}
        what = ", ".join(f"{n} {s.lower()}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        head = "conforms" if self.conforms else "does not conform"
        return (f"{head}: {len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}"
                + (f" ({what})" if what else "")
                + f"; {len(self.files)} files, {self.triples} triples, {self.shapes} shapes, "
                f"{len(self.checks)} checks; engine {self.engine}, inference {self.inference}"
                + (f" ({len(self.fallback_shapes)} shape{'s' if len(self.fallback_shapes) != 1 else ''} by pySHACL: "
                   f"{', '.join(s for s, _ in self.fallback_shapes)})" if self.fallback_shapes else ""))


# --- SHACL engines ----------------------------------------------------------------------------------------

def _to_rdflib_graph(store: Store):
    import rdflib

    from jasic_kg.terms import to_rdflib

    g = rdflib.Graph()
    for q in store:
        g.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return g


def _sev(term) -> str:
    name = str(term).rsplit("#", 1)[-1] if term is not None else "Violation"
    return name if name in SEVERITIES else "Violation"


def rdfs_entailed(graph):
    """The graph with its RDFS entailments (owlrl), keeping every literal exactly as stated.

    owlrl's closure is generalised RDF and rewrites literals through their values: it adds triples about literals
    ("..." a xsd:string), writes "true"^^xsd:boolean back as "1"^^xsd:integer beside the original and mixes up
    "x"@en with "x", which made every boolean and single-valued shape fail. In RDFS a literal object is only
    entailed by rdfs7 (subproperty), unchanged, so a literal-valued entailment is kept only when the subject
    states that very literal (lexical form, datatype, language) with the property or one of its subproperties."""
    import owlrl
    import rdflib

    def key(literal):
        return str(literal), literal.datatype, literal.language

    closed = rdflib.Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.RDFS_Semantics).expand(closed)
    stated = {}  # (subject, literal) -> the properties that state it
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal):
            stated.setdefault((s, key(o)), set()).add(p)
    sub_property = rdflib.RDFS.subPropertyOf
    out = rdflib.Graph()
    for triple in graph:
        out.add(triple)
    for s, p, o in closed:
        if isinstance(s, rdflib.Literal):
            continue
        if isinstance(o, rdflib.Literal) and not any(
                q == p or (q, sub_property, p) in closed for q in stated.get((s, key(o)), ())):
            continue
        out.add((s, p, o))
    return out


def run_pyshacl(data: Store, shapes: Store, inference: str = "none") -> list[ValidationFinding]:
    """pySHACL, shape by shape, so result terms stay those of the data and shapes graphs (pySHACL's report graph
    copies blank nodes under new ids, which would lose the link from a property shape to its node shape)."""
    from pyshacl import Validator
    from pyshacl.graph_abstraction import DataGraph

    from jasic_kg.terms import from_rdflib

    sh = "http://www.w3.org/ns/shacl#"
    dg = _to_rdflib_graph(data)
    if inference == "rdfs":
        dg = rdfs_entailed(dg)
    data_graph = DataGraph.from_rdflib(dg)
    validator = Validator(data_graph, shacl_graph=_to_rdflib_graph(shapes), options={"inference": "none"})
    executor = validator.make_executor()
    out = []
    for shape in validator.shacl_graph.shapes:
        _, reports = shape.validate(executor, data_graph)
        for _desc, result_node, triples in reports:
            fields, messages = {}, []
            for s, p, o in triples:
                # The triples also describe the nested results of sh:node/sh:property detail; keep the result's own.
                if s != result_node:
                    continue
                o = o[1] if isinstance(o, tuple) else o
                if str(p) == sh + "resultMessage":
                    messages.append(str(o))
                else:
                    fields[str(p)] = o
            out.append(ValidationFinding(
                "shacl", _sev(fields.get(sh + "resultSeverity")), "; ".join(messages),
                focus=from_rdflib(fields.get(sh + "focusNode")), path=from_rdflib(fields.get(sh + "resultPath")),
                value=from_rdflib(fields.get(sh + "value")), shape=from_rdflib(fields.get(sh + "sourceShape")),
                component=from_rdflib(fields.get(sh + "sourceConstraintComponent"))))
    return out


def run_native(data: Store, shapes: Store, inference: str = "none",
               fallback: list | None = None) -> list[ValidationFinding]:
    """The SPARQL-compiled engine of shacl_native.py (its findings carry rdflib terms). The shapes it hands
    to pySHACL are appended to `fallback` as (shape, reason)."""
    if inference != "none":
        raise InputError("--inference rdfs needs --engine pyshacl (the native engine validates the graph as stated)")
    from jasic_kg.validation import shacl_native
    from jasic_kg.terms import from_rdflib

    out = []
    result = shacl_native.validate(data, _to_rdflib_graph(shapes))
    if fallback is not None:
        fallback.extend((show(from_rdflib(shape), PREFIXES), reason) for shape, reason in result.fallback_shapes)
    for f in result.findings:
        out.append(ValidationFinding(
            "shacl", _sev(f.severity), f.message or "", focus=from_rdflib(f.focus_node),
            path=from_rdflib(f.result_path), value=from_rdflib(f.value), shape=from_rdflib(f.source_shape),
            component=from_rdflib(f.constraint_component)))
    return out


# name -> engine(data, shapes, inference) -> findings. --engine choices come from here.
ENGINES: dict[str, Callable[[Store, Store, str], list[ValidationFinding]]] = {
    "pyshacl": run_pyshacl,
    "native": run_native,
}


# --- meta-checks: where SHACL passes silently -------------------------------------------------------------

def _shacl_terms() -> frozenset[str]:
    """The SHACL vocabulary's local names, from rdflib's SH (SHACL Core, SHACL-SPARQL and SHACL-AF, e.g.
    sh:resultAnnotation), plus the SHACL 1.2 drafts' terms it does not have yet."""
    from rdflib.namespace import SH as RDFLIB_SH

    names = set(RDFLIB_SH.__annotations__) | {n for n in RDFLIB_SH._extras if "-" not in n}
    # SHACL 1.2 Core/Node Expressions drafts (https://www.w3.org/TR/shacl12-core/), not in rdflib 7.
    return frozenset(names | {"memberShape", "reificationRequired", "reifierShape", "singleLine",
                              "targetValidator", "values"})
_SHACLISH = re.compile(r"(?i)(w3c?\.org/ns/shacl|/shacl[#/]?$|/shacl#)")


def meta_findings(data: Store, shapes: Store, shape_files: dict) -> list[ValidationFinding]:
    out = []
    # 1. SHACL namespace and term typos: an unknown sh: term or a near-miss namespace is silently ignored.
    seen, shacl_terms = set(), _shacl_terms()
    for q in shapes:
        for term in (q.subject, q.predicate, q.object, getattr(q.object, "datatype", None)):
            if not isinstance(term, NamedNode) or term.value in seen:
                continue
            seen.add(term.value)
            iri = term.value
            where = shape_files.get(iri)
            if iri.startswith(SH):
                local = iri[len(SH):]
                if local not in shacl_terms and not local.endswith("ConstraintComponent"):
                    hint = difflib.get_close_matches(local, sorted(shacl_terms), 1)
                    out.append(ValidationFinding(
                        "meta", "Violation", f"sh:{local} is not a SHACL term"
                        + (f" (did you mean sh:{hint[0]}?)" if hint else "") + "; SHACL engines ignore it",
                        focus=term, check="shacl-vocabulary", file=where))
            elif _SHACLISH.search(iri.rsplit("#", 1)[0] + ("#" if "#" in iri else "")) or _SHACLISH.search(iri):
                out.append(ValidationFinding(
                    "meta", "Violation", f"<{iri}> looks like a mistyped SHACL namespace (it must be {SH}); "
                    "SHACL engines ignore it", focus=term, check="shacl-vocabulary", file=where))
    # 2. Shapes whose targets match nothing: they "conform" without checking anything.
    targets = {"targetClass": "?x a/rdfs:subClassOf* {t}", "targetSubjectsOf": "?x {t} ?o",
               "targetObjectsOf": "?s {t} ?x", "targetNode": "{{ {t} ?p ?o }} UNION {{ ?s ?p {t} }}"}
    for kind, pattern in targets.items():
        for q in shapes.quads_for_pattern(None, NamedNode(SH + kind), None):
            shape, target = q.subject, q.object
            if _deactivated(shapes, shape):
                continue
            term = target.value if isinstance(target, NamedNode) else None
            if term is None:
                continue
            if not data.query("ASK { " + pattern.format(t=f"<{term}>") + " }", prefixes=PREFIXES):
                out.append(ValidationFinding(
                    "meta", "Warning", f"sh:{kind} {show(target)} matches no node in the data: the shape checks "
                    "nothing", shape=shape, focus=target, check="shape-targets"))
    # 3. jkg: classes with instances that no shape covers (directly or through a superclass).
    covered = {q.object.value for q in shapes.quads_for_pattern(None, NamedNode(SH + "targetClass"), None)
               if isinstance(q.object, NamedNode) and not _deactivated(shapes, q.subject)}
    covered |= {q.subject.value for q in shapes.quads_for_pattern(None, NamedNode(RDF + "type"), NamedNode(SH + "NodeShape"))
                if isinstance(q.subject, NamedNode) and _is_class(shapes, q.subject)}
    rows = data.query(f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c .
        FILTER (STRSTARTS(STR(?c), "{JKG}")) }} GROUP BY ?c ORDER BY ?c""")
    for row in rows:
        cls = row["c"]
        supers = {r["s"].value for r in data.query(f"SELECT ?s WHERE {{ <{cls.value}> rdfs:subClassOf* ?s }}",
                                                   prefixes=PREFIXES)}
        supers.add(cls.value)
        if not supers & covered:
            out.append(ValidationFinding(
                "meta", "Warning", f"no shape covers class {show(cls)} ({row['n'].value} instances): "
                "they are not validated", focus=cls, check="class-coverage"))
    return out


def _deactivated(shapes: Store, shape) -> bool:
    return any(q.object == Literal("true", datatype=NamedNode(PREFIXES["xsd"] + "boolean"))
               for q in shapes.quads_for_pattern(shape, NamedNode(SH + "deactivated"), None))


def _is_class(shapes: Store, node) -> bool:
    """Implicit class target (https://www.w3.org/TR/shacl/#implicit-targetClass)."""
    classes = (RDFS + "Class", PREFIXES["owl"] + "Class")
    return any(q.object.value in classes for q in shapes.quads_for_pattern(node, NamedNode(RDF + "type"), None))


# --- checks: ontology/checks/*-violation.rq ---------------------------------------------------------------

def check_findings(data: Store, check_files: Iterable[Path]) -> list[ValidationFinding]:
    from jasic_kg.queries import load_query_file
    from jasic_kg.store import sparql_error

    out = []
    for path in check_files:
        query = load_query_file(path)
        name = path.stem
        try:
            result = data.query(query.text, prefixes=PREFIXES)
        except SyntaxError as e:
            out.append(ValidationFinding("syntax", "Violation", sparql_error(e, query.text), file=str(path), check=name))
            continue
        variables = [v.value for v in getattr(result, "variables", [])]
        message = query.summary or query.meta.get("description") or name
        severity = str(query.meta.get("severity", "Violation")).capitalize()
        for row in result:
            got = {v: row[v] for v in variables if row[v] is not None}
            focus_var = next((v for v in ("entity", "focus", "this", "s") if v in got), variables[0] if variables else None)
            out.append(ValidationFinding(
                "check", severity if severity in SEVERITIES else "Violation",
                got["message"].value if "message" in got else str(message),
                focus=got.get(focus_var), path=got.get("property", got.get("path")), value=got.get("value"),
                check=name, file=str(path)))
    return out


JKG = "https://w3id.org/jasic-kg/ontology#"
ORDER_PROPERTIES = ("follows", "causedBy", "subEventOf")


def _nodes_on_cycles(edges: dict) -> set:
    """The nodes that lie on a cycle of a directed graph (Tarjan's strongly connected components, iterative so
    that a chain of a million events does not exhaust the recursion limit). Linear in nodes + edges."""
    index, low, on_stack, stack, found = {}, {}, set(), [], set()
    counter = 0
    for root in list(edges):
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.update(component)
    return found


def order_cycle_findings(data: Store) -> list[ValidationFinding]:
    """Built-in check "order-cycle": an event that (transitively) jkg:follows itself, is jkg:causedBy itself or is
    a jkg:subEventOf itself. Narrative and causal order must be acyclic, or sorting events and bounding their dates
    from the narrative is impossible. A SPARQL `?x jkg:follows+ ?x` is quadratic on long chains; this is linear."""
    out = []
    for name in ORDER_PROPERTIES:
        edges: dict = {}
        for q in data.quads_for_pattern(None, NamedNode(JKG + name), None, DefaultGraph()):
            edges.setdefault(q.subject, []).append(q.object)
        for node in sorted(_nodes_on_cycles(edges), key=str):
            out.append(ValidationFinding(
                "check", "Violation",
                f"event is in a cycle of jkg:{name} links: following them from it leads back to it",
                focus=node, path=NamedNode(JKG + name), check="order-cycle"))
    return out


SKOS = "http://www.w3.org/2004/02/skos/core#"
_AGENT_CLASSES = f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS}subClassOf>* <{JKG}Agent> }}"


def duplicate_label_findings(data: Store) -> list[ValidationFinding]:
    """Built-in check "duplicate-label": two different agents (jkg:Agent or a subclass, via rdfs:subClassOf* in
    the graph) that share an English rdfs:label, or one agent's English label being another's skos:altLabel
    (compared case-insensitively): usually the same person or group written twice (the 'two authors' pitfall),
    which splits its claims and memberships. Grouping by the lower-cased label is linear; the same check as a
    SPARQL join on a computed key is a cartesian product in pyoxigraph (13 s at a million triples)."""
    label, alt = NamedNode(RDFS + "label"), NamedNode(SKOS + "altLabel")
    agents = set()
    for row in data.query(_AGENT_CLASSES):
        agents.update(q.subject for q in data.quads_for_pattern(None, NamedNode(RDF + "type"), row["c"],
                                                                DefaultGraph()))
    english: dict[str, list] = {}  # lower-cased label -> [(agent, label)]
    names: dict[str, list] = {}  # lower-cased label or altLabel -> [(agent, property)]
    for agent in agents:
        for q in data.quads_for_pattern(agent, label, None, DefaultGraph()):
            if isinstance(q.object, Literal) and _english(q.object):
                key = q.object.value.lower()
                english.setdefault(key, []).append((agent, q.object))
                names.setdefault(key, []).append((agent, label))
        for q in data.quads_for_pattern(agent, alt, None, DefaultGraph()):
            text = q.object.value if isinstance(q.object, (Literal, NamedNode)) else None
            if text is not None:
                names.setdefault(text.lower(), []).append((agent, alt))
    rows = set()
    for key, labelled in english.items():
        for focus, text in labelled:
            for other, prop in names.get(key, ()):
                if other != focus:
                    rows.add((focus, other, text, prop))
    out = []
    for focus, other, text, prop in sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[2]), str(r[3]))):
        where = "rdfs:label" if prop == label else "skos:altLabel"
        out.append(ValidationFinding(
            "check", "Violation",
            f'agent\'s English label "{text.value}" is also the {where} of agent <{other.value}>: the same agent '
            "written twice? merge them or make the labels distinct",
            focus=focus, check="duplicate-label"))
    return out


def _english(literal: Literal) -> bool:
    """SPARQL langMatches(lang(?l), "en")."""
    lang = (literal.language or "").lower()
    return lang == "en" or lang.startswith("en-")


# Words that attribute an agent or a circumstance to what the article narrates. In a label, definition or comment of
# the ontology or a vocabulary they must be words some quote of the graph states: "state-produced", "in state
# custody" and "in retaliation" were once written into definitions although the article never says so.
UNQUOTED_TERM_LEXICON = ("custody", "state-produced", "coerced", "coercion", "forced", "retaliation", "retaliate",
                         "search", "intelligence", "surveillance", "interrogation", "prison", "court", "sentenced",
                         "charged", "torture", "government", "communist party", "security services", "arrested",
                         "in detention", "detained activist")
_VOCABULARY_NAMESPACES = (JKG, "https://w3id.org/jasic-kg/vocab/")
_VOCABULARY_TEXT = tuple(NamedNode(p) for p in (
    SKOS + "definition", RDFS + "label", RDFS + "comment", SKOS + "prefLabel", SKOS + "altLabel",
    SKOS + "scopeNote", SKOS + "note"))


def definition_unquoted_term_findings(data: Store) -> list[ValidationFinding]:
    """Built-in check "definition-unquoted-term": a label, definition or comment of an ontology or vocabulary
    term (jkg:, jv:) that uses a word of UNQUOTED_TERM_LEXICON which no jkg:quote of the graph contains (as a
    whole word, case-insensitively). Vocabulary text must not state what the article does not. Linear: each
    lexicon word is searched once in the quotes, then once in each vocabulary text (as SPARQL, a REGEX built per
    row over every quote took 31 s on the shipped graph)."""
    quotes = "\n".join(q.object.value.lower() for q in data.quads_for_pattern(None, NamedNode(JKG + "quote"), None,
                                                                             DefaultGraph())
                       if isinstance(q.object, Literal))
    patterns = {w: re.compile(r"\b" + re.escape(w) + r"\b") for w in UNQUOTED_TERM_LEXICON}
    unquoted = {w: rx for w, rx in patterns.items() if not rx.search(quotes)}
    out = []
    for prop in _VOCABULARY_TEXT:
        for q in data.quads_for_pattern(None, prop, None, DefaultGraph()):
            if not (isinstance(q.subject, NamedNode) and q.subject.value.startswith(_VOCABULARY_NAMESPACES)
                    and isinstance(q.object, Literal)):
                continue
            text = q.object.value.lower()
            for word, rx in unquoted.items():
                if rx.search(text):
                    out.append(ValidationFinding(
                        "check", "Violation",
                        f"{prop.value.rsplit('#', 1)[-1]} names '{word}', which no quote of the graph states: "
                        f'"{q.object.value}"',
                        focus=q.subject, path=prop, value=q.object, check="definition-unquoted-term"))
    return sorted(out, key=lambda f: (f.focus.value, f.message))


# Checks written in Python because SPARQL cannot do them in linear time; the rest are ontology/checks/*.rq.
BUILTIN_CHECKS: dict[str, Callable[[Store], list[ValidationFinding]]] = {
    "order-cycle": order_cycle_findings,
    "duplicate-label": duplicate_label_findings,
    "definition-unquoted-term": definition_unquoted_term_findings,
}


# --- the run ----------------------------------------------------------------------------------------------

def validate(data: Iterable[str | Path] = (), *, engine: str = "native", inference: str = "none",
             max_bytes: int = DEFAULT_MAX_BYTES, graph_files: list[Path] | None = None,
             shape_files: list[Path] | None = None, check_files: list[Path] | None = None,
             allow_contexts: Sequence[str] = (), progress: Callable[[str], None] | None = None) -> ValidationReport:
    """Validate the shipped graph plus `data` files. Returns a report; the caller decides the exit code.
    `allow_contexts`: http(s) prefixes under which remote JSON-LD contexts of `data` files may be fetched.
    `progress`: called with a short note as each stage starts (the CLI shows them on a terminal)."""
    step = progress or (lambda note: None)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r} (engines: {', '.join(ENGINES)})")
    if inference not in ("none", "rdfs"):
        raise InputError(f"unknown inference {inference!r} (none, rdfs)")
    user = [check_file(p, max_bytes) for p in data]  # a missing --data file is a usage error, not a finding
    graph = (resources.graph_files() if graph_files is None else list(graph_files)) + user
    shape_paths = resources.shape_files() if shape_files is None else list(shape_files)
    checks = resources.check_files() if check_files is None else list(check_files)
    report = ValidationReport(files=[str(p) for p in graph + shape_paths], engine=engine, inference=inference,
                              checks=[p.stem for p in checks] + [f"{name}-violation" for name in BUILTIN_CHECKS])

    # (a) syntax
    data_store, shapes_store, shape_files_of = Store(), Store(), {}
    for path, target in [(p, data_store) for p in graph] + [(p, shapes_store) for p in shape_paths]:
        step(f"reading {Path(path).name}")
        try:
            # --max-bytes is the user's limit on their own files; the shipped ones keep the default
            limit = max_bytes if path in user else DEFAULT_MAX_BYTES
            if target is data_store:
                # the store's loader: named graphs merged, as `query` and `stats` see them
                checked = check_file(path, limit)
                fmt = rdf_format(checked)
                load_graph(data_store, checked, fmt, parser_input(checked, fmt, allow_contexts))
                continue
            quads = read_quads(path, limit, allow_contexts=allow_contexts)
        except InputError as e:
            report.findings.append(ValidationFinding("syntax", "Violation", e.message, file=e.path,
                                                     line=e.line, column=e.column))
            continue
        target.extend(Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads)
        if target is shapes_store:
            for q in quads:
                for t in (q.subject, q.predicate, q.object):
                    if isinstance(t, NamedNode):
                        shape_files_of.setdefault(t.value, str(path))
    report.triples = len(data_store)
    report.data, report.shapes_graph = data_store, shapes_store
    report.shapes = len({q.subject for q in shapes_store.quads_for_pattern(None, NamedNode(RDF + "type"), None)
                         if q.object.value in (SH + "NodeShape", SH + "PropertyShape")}
                        | {q.object for q in shapes_store.quads_for_pattern(None, NamedNode(SH + "property"), None)})
    if report.findings:
        return report  # a partial graph would give misleading SHACL results

    # (b) SHACL, (c) checks, meta
    if len(shapes_store):
        step(f"SHACL ({engine}) on {report.triples} triples")
        if engine == "native":
            report.findings += run_native(data_store, shapes_store, inference, fallback=report.fallback_shapes)
        else:
            report.findings += ENGINES[engine](data_store, shapes_store, inference)
    step(f"{len(checks)} check quer{'y' if len(checks) == 1 else 'ies'}")
    report.findings += check_findings(data_store, checks)
    for name, builtin in BUILTIN_CHECKS.items():
        step(f"check {name}")
        report.findings += builtin(data_store)
    step("meta checks")
    report.findings += meta_findings(data_store, shapes_store, shape_files_of)
    return report


validate_graph = validate  # the public API name (jasic_kg.validation.validate is the module)


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
