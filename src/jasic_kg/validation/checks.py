"""The checks beside SHACL: meta-checks for the ways SHACL passes silently, the SPARQL checks of
ontology/checks/*-violation.rq, and the built-in checks written in Python (BUILTIN_CHECKS)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, Store

from jasic_kg.terms import JKG, JV, PREFIXES, RDF, RDFS, SH, SKOS, show
from jasic_kg.validation.report import SEVERITIES, ValidationFinding

# --- meta-checks: where SHACL passes silently -------------------------------------------------------------

# The SHACL vocabulary's local names as rdflib 7 knows them (SHACL Core, SHACL-SPARQL and SHACL-AF, e.g.
# sh:resultAnnotation; tests/test_checks.py keeps this list equal to rdflib's SH), written out so that `validate`
# need not import rdflib; plus the SHACL 1.2 drafts' terms rdflib does not have yet
# (https://www.w3.org/TR/shacl12-core/).
RDFLIB_SHACL_TERMS = frozenset("""
    AbstractResult AndConstraintComponent BlankNode BlankNodeOrIRI BlankNodeOrLiteral ClassConstraintComponent
    ClosedConstraintComponent ConstraintComponent DatatypeConstraintComponent DisjointConstraintComponent
    EqualsConstraintComponent ExpressionConstraintComponent Function HasValueConstraintComponent IRI
    IRIOrLiteral InConstraintComponent Info JSConstraint JSConstraintComponent JSExecutable JSFunction JSLibrary
    JSRule JSTarget JSTargetType JSValidator LanguageInConstraintComponent LessThanConstraintComponent
    LessThanOrEqualsConstraintComponent Literal MaxCountConstraintComponent MaxExclusiveConstraintComponent
    MaxInclusiveConstraintComponent MaxLengthConstraintComponent MinCountConstraintComponent
    MinExclusiveConstraintComponent MinInclusiveConstraintComponent MinLengthConstraintComponent
    NodeConstraintComponent NodeKind NodeKindConstraintComponent NodeShape NotConstraintComponent
    OrConstraintComponent Parameter Parameterizable PatternConstraintComponent PrefixDeclaration
    PropertyConstraintComponent PropertyGroup PropertyShape QualifiedMaxCountConstraintComponent
    QualifiedMinCountConstraintComponent ResultAnnotation Rule SPARQLAskExecutable SPARQLAskValidator
    SPARQLConstraint SPARQLConstraintComponent SPARQLConstructExecutable SPARQLExecutable SPARQLFunction
    SPARQLRule SPARQLSelectExecutable SPARQLSelectValidator SPARQLTarget SPARQLTargetType SPARQLUpdateExecutable
    Severity Shape Target TargetType TripleRule UniqueLangConstraintComponent ValidationReport ValidationResult
    Validator Violation Warning XoneConstraintComponent alternativePath and annotationProperty annotationValue
    annotationVarName ask class closed condition conforms construct datatype deactivated declare defaultValue
    description detail disjoint entailment equals expression filterShape flags focusNode group hasValue
    ignoredProperties in intersection inversePath js jsFunctionName jsLibrary jsLibraryURL labelTemplate
    languageIn lessThan lessThanOrEquals maxCount maxExclusive maxInclusive maxLength message minCount
    minExclusive minInclusive minLength name namespace node nodeKind nodeValidator nodes not object
    oneOrMorePath optional or order parameter path pattern predicate prefix prefixes property propertyValidator
    qualifiedMaxCount qualifiedMinCount qualifiedValueShape qualifiedValueShapesDisjoint result resultAnnotation
    resultMessage resultPath resultSeverity returnType rule select severity shapesGraph shapesGraphWellFormed
    sourceConstraint sourceConstraintComponent sourceShape sparql subject suggestedShapesGraph target
    targetClass targetNode targetObjectsOf targetSubjectsOf this union uniqueLang update validator value xone
    zeroOrMorePath zeroOrOnePath
""".split())
SHACL_12_TERMS = frozenset({"memberShape", "reificationRequired", "reifierShape", "singleLine", "targetValidator",
                            "values"})
SHACL_TERMS = RDFLIB_SHACL_TERMS | SHACL_12_TERMS
_SHACLISH = re.compile(r"(?i)(w3c?\.org/ns/shacl|/shacl[#/]?$|/shacl#)")


def meta_findings(data: Store, shapes: Store, shape_files: dict) -> list[ValidationFinding]:
    out = []
    # 1. SHACL namespace and term typos: an unknown sh: term or a near-miss namespace is silently ignored.
    seen, shacl_terms = set(), SHACL_TERMS
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
                    import difflib  # only for a typo's hint

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
    from jasic_kg.queries import read_query_text
    from jasic_kg.query_headers import parse_header
    from jasic_kg.sparql import sparql_error

    out = []
    for path in check_files:
        # the text and its header only: a check query has no parameters to find (1.5 ms of a cold validate)
        text = read_query_text(Path(path))
        meta = parse_header(text, path)
        name = path.stem
        try:
            result = data.query(text, prefixes=PREFIXES)
        except SyntaxError as e:
            out.append(ValidationFinding("syntax", "Violation", sparql_error(e, text), file=str(path), check=name))
            continue
        variables = [v.value for v in getattr(result, "variables", [])]
        message = str(meta.get("summary") or "").strip() or meta.get("description") or name  # SavedQuery.summary
        severity = str(meta.get("severity", "Violation")).capitalize()
        for row in result:
            got = {v: row[v] for v in variables if row[v] is not None}
            focus_var = next((v for v in ("entity", "focus", "this", "s") if v in got), variables[0] if variables else None)
            out.append(ValidationFinding(
                "check", severity if severity in SEVERITIES else "Violation",
                got["message"].value if "message" in got else str(message),
                focus=got.get(focus_var), path=got.get("property", got.get("path")), value=got.get("value"),
                check=name, file=str(path)))
    return out


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


def _has_word(text: str, word: str) -> bool:
    """Whether text has word as a whole word (re \\b<word>\\b), faster on long texts: a match can only start
    where str.find finds the word (a regex that begins with \\b scans every position of the 30 kB of quotes, 20 ms
    for the lexicon), and the regex is compiled only for a word that is there at all (most are not)."""
    at = text.find(word)
    if at == -1:
        return False
    rx = _whole_word(word)
    while at != -1:
        if rx.match(text, at):
            return True
        at = text.find(word, at + 1)
    return False


def _whole_word(word: str) -> re.Pattern:
    return re.compile(r"\b" + re.escape(word) + r"\b")


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
_VOCABULARY_NAMESPACES = (JKG, JV)
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
    unquoted = [w for w in UNQUOTED_TERM_LEXICON if not _has_word(quotes, w)]
    # One pass over a text finds whether any unquoted word is in it (most texts have none); only those are
    # searched word by word.
    any_unquoted = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in unquoted) + r")\b") if unquoted else None
    out = []
    for prop in _VOCABULARY_TEXT:
        for q in data.quads_for_pattern(None, prop, None, DefaultGraph()):
            if not (isinstance(q.subject, NamedNode) and q.subject.value.startswith(_VOCABULARY_NAMESPACES)
                    and isinstance(q.object, Literal)):
                continue
            text = q.object.value.lower()
            if any_unquoted is None or not any_unquoted.search(text):
                continue
            for word in unquoted:
                if _has_word(text, word):
                    out.append(ValidationFinding(
                        "check", "Violation",
                        f"{prop.value.rsplit('#', 1)[-1]} names '{word}', which no quote of the graph states: "
                        f'"{q.object.value}"',
                        focus=q.subject, path=prop, value=q.object, check="definition-unquoted-term"))
    return sorted(out, key=lambda f: (f.focus.value, f.message))


_DATED = f"""SELECT ?focus ?edtf ?earliest ?latest WHERE {{
  ?focus <{JKG}edtf> ?edtf .
  OPTIONAL {{ ?focus <{JKG}earliestDate> ?earliest }}
  OPTIONAL {{ ?focus <{JKG}latestDate> ?latest }} }}"""


def edtf_findings(data: Store) -> list[ValidationFinding]:
    """jkg:edtf values read as EDTF (jasic_kg.dates, with the edtf package as its reference), and
    jkg:earliestDate / jkg:latestDate checked against the days the value admits: for A/B, the earliest date lies
    in A and the latest in B; a full day (YYYY-MM-DD) needs both bounds, that day."""
    import datetime

    from jasic_kg.dates import NotEDTF, edtf_spans

    out = []
    edtf_property = NamedNode(JKG + "edtf")
    for row in data.query(_DATED):
        focus, text = row["focus"], row["edtf"].value

        def finding(message, prop=edtf_property, value=row["edtf"]):
            out.append(ValidationFinding("check", "Violation", message, focus=focus, path=prop, value=value,
                                         check="edtf"))

        try:
            start, end, interval = edtf_spans(text)
        except NotEDTF:
            finding(f'jkg:edtf "{text}" is not an EDTF value (such as 2018-07-27, 2018-06, 2015~, 200X or '
                    "2018-06/2018-07-27)")
            continue
        if interval and start and end and start[0] > end[1]:
            finding(f'jkg:edtf "{text}" ends before it starts')
            continue
        for side, span in (("earliest", start), ("latest", end)):
            bound, prop = row[side], NamedNode(JKG + side + "Date")
            if bound is None:
                if not interval and len(text) == 10 and span and span[0] == span[1]:
                    finding(f'jkg:edtf "{text}" is a full day but {side}Date is missing; both bounds should be '
                            "that day", prop, None)
                continue
            if span is None:
                continue
            try:
                day = datetime.date.fromisoformat(bound.value[:10])
            except ValueError:
                continue  # not a date: the shapes report the datatype
            if not span[0] <= day <= span[1]:
                part = f"the {'start' if side == 'earliest' else 'end'} of " if interval else ""
                finding(f'{side}Date {bound.value} falls outside {part}jkg:edtf "{text}" ({span[0]} to {span[1]})',
                        prop, bound)
    return sorted(out, key=lambda f: (f.focus.value, str(f.path), f.message))


# Checks written in Python because SPARQL cannot do them in linear time; the rest are ontology/checks/*.rq.
BUILTIN_CHECKS: dict[str, Callable[[Store], list[ValidationFinding]]] = {
    "order-cycle": order_cycle_findings,
    "duplicate-label": duplicate_label_findings,
    "definition-unquoted-term": definition_unquoted_term_findings,
    "edtf": edtf_findings,
}
