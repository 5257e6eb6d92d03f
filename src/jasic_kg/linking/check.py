"""`link check`: is each linked Wikidata item still there, of a compatible type, under a matching label?

One query per batch of items asks, for each item: does it have any triple at all (a deleted item has none), an
owl:sameAs (how the query service shows a redirect: the old item is owl:sameAs the new one), its en/zh labels,
and which of the compatible classes (mappings.TYPE_RULES) it is an instance of (wdt:P31/wdt:P279*).

Statuses, as written by --write into the mapping set's `other` column (SSSOM's slot for properties the standard
does not have, `key=value` pairs separated by `|`): link_status=ok | redirected | deleted | type-mismatch |
label-mismatch (several joined by `+`), link_checked=DATE, link_checked_at=ENDPOINT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from jasic_kg.linking.client import SparqlClient, iri_terms
from jasic_kg.linking.mappings import (
    ALL_CLASSES,
    LANGUAGES,
    WD_PREFIXES,
    Mapping,
    curie,
    local_entities,
    normalise,
    read_mappings,
    rules_for,
)

CHECK_QUERY = WD_PREFIXES + """
SELECT ?item ?exists ?redirect ?label ?class WHERE {
  VALUES ?item {}
  BIND (EXISTS { ?item ?anyProperty ?anyValue } AS ?exists)
  OPTIONAL { ?item owl:sameAs ?redirect }
  OPTIONAL { ?item rdfs:label ?label FILTER (LANG(?label) IN (%(langs)s)) }
  OPTIONAL { VALUES ?class { %(classes)s } ?item wdt:P31/wdt:P279* ?class }
}
"""


@dataclass
class LinkCheck:
    mapping: Mapping
    status: str  # ok, or the problems joined by +
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def line(self) -> str:
        m = self.mapping
        head = f"{self.status:<14} {curie(m.object):<12} {curie(m.subject)} ({m.subject_label})"
        return head + "".join(f"\n    {p}" for p in self.problems)


@dataclass
class CheckReport:
    endpoint: str
    checks: list[LinkCheck]
    skipped: list[Mapping]  # links that are not Wikidata items (ISBN, ISSN): nothing to ask the endpoint

    @property
    def problems(self) -> list[LinkCheck]:
        return [c for c in self.checks if not c.ok]

    def text(self) -> str:
        lines = [c.line() for c in self.checks]
        lines += [f"{'not checked':<14} {m.row.get('object_id', m.object):<12} {curie(m.subject)} (not a Wikidata item)"
                  for m in self.skipped]
        bad = len(self.problems)
        lines.append(f"{len(self.checks)} Wikidata links checked against {self.endpoint}: "
                     f"{len(self.checks) - bad} ok, {bad} with problems; {len(self.skipped)} other links not checked")
        return "\n".join(lines) + "\n"


def check_links(client: SparqlClient, store, links_file: Path, progress=None) -> CheckReport:
    _, _, mappings = read_mappings(links_file)
    wikidata = [m for m in mappings if m.is_wikidata]
    local = local_entities(store, sorted({m.subject for m in wikidata}))
    query = CHECK_QUERY % {"langs": ", ".join(f'"{lang}"' for lang in LANGUAGES),
                           "classes": " ".join(f"wd:{c.qid}" for c in ALL_CLASSES)}
    items = sorted({m.object for m in wikidata})
    result = client.select_batched(query, iri_terms(items), progress,
                                   expect=("item", "exists", "redirect", "label", "class"))
    seen: dict[str, dict] = {i: {"exists": False, "redirect": set(), "labels": set(), "classes": set()} for i in items}
    for item, exists, redirect, label, cls in result.rows:
        entry = seen.get(item.value if item is not None else "")
        if entry is None:
            continue  # the endpoint answered for an item we did not ask about: ignore it
        entry["exists"] |= exists is not None and exists.value in ("true", "1")
        if redirect is not None:
            entry["redirect"].add(redirect.value)
        if label is not None:
            entry["labels"].add((label.value, label.language))
        if cls is not None:
            entry["classes"].add(cls.value)
    checks = [_judge(m, seen[m.object], local[m.subject]) for m in wikidata]
    return CheckReport(client.endpoint, checks, [m for m in mappings if not m.is_wikidata])


def _judge(m: Mapping, remote: dict, local: dict) -> LinkCheck:
    if remote["redirect"]:
        targets = ", ".join(curie(t) for t in sorted(remote["redirect"]))
        return LinkCheck(m, "redirected", [f"the item now redirects to {targets}: link to the target instead"])
    if not remote["exists"]:
        return LinkCheck(m, "deleted", ["the endpoint has no triple about the item (deleted, or never existed)"])
    statuses, problems = [], []
    wanted = rules_for(local["classes"])
    if wanted and not remote["classes"] & {c.iri for c in wanted}:
        statuses.append("type-mismatch")
        names = ", ".join(f"{c.label} (wd:{c.qid})" for c in wanted)
        problems.append(f"not an instance of {names}, as a {_local_class(local)} must be")
    expected = {normalise(m.object_label)} | {normalise(text) for text, _, _ in local["labels"]}
    expected.discard("")
    found = {normalise(text) for text, _ in remote["labels"]}
    if not found & expected:
        statuses.append("label-mismatch")
        shown = "; ".join(f'"{t}"@{lang}' for t, lang in sorted(remote["labels"])) or "none in en or zh"
        problems.append(f"its labels ({shown}) match neither the mapping's object_label nor the entity's labels")
    return LinkCheck(m, "+".join(statuses) or "ok", problems)


def _local_class(local: dict) -> str:
    names = [c.rsplit("#", 1)[-1] for c in local["classes"]]
    return " / ".join(names) if names else "entity"


def write_statuses(links_file: Path, report: CheckReport, today: dt.date | None = None) -> tuple[int, bool]:
    """Record each checked link's status in the mapping set's `other` column (added if missing) and regenerate
    generated/links.ttl beside it (when the file is a data folder's links.sssom.tsv, with its candidates set). Only the
    link_* keys of `other` change; the header and every other cell stay as they were. Returns the number of rows
    updated and whether links.ttl was regenerated."""
    from jasic_kg import links as links_module
    from jasic_kg.io.atomic import write_bytes

    today = (today or dt.date.today()).isoformat()
    lines = links_file.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    columns = next(line for line in lines if not line.startswith("#") and line.strip()).split("\t")
    if "other" not in columns:
        columns.append("other")
    _, rows, mappings = read_mappings(links_file)
    checks = {(c.mapping.subject, c.mapping.predicate, c.mapping.object): c for c in report.checks}
    body, updated = [], 0
    for row, m in zip(rows, mappings):
        check = checks.get((m.subject, m.predicate, m.object))
        if check is not None:
            row = dict(row, other=_set_other(row.get("other") or "", {
                "link_status": check.status, "link_checked": today, "link_checked_at": report.endpoint}))
            updated += 1
        body.append("\t".join(row.get(c) or "" for c in columns))
    write_bytes(links_file, ("\n".join(header + ["\t".join(columns)] + body) + "\n").encode("utf-8"))
    folder = links_file.parent
    regenerate = links_file.name in links_module.LINK_SETS and all(
        (folder / name).is_file() for name in links_module.LINK_SETS + links_module.CANDIDATE_SETS)
    if regenerate:
        (folder / "generated").mkdir(exist_ok=True)
        write_bytes(folder / "generated" / "links.ttl", links_module.links_turtle(folder).encode("utf-8"))
    return updated, regenerate


def _set_other(other: str, values: dict[str, str]) -> str:
    pairs = [p for p in other.split("|") if p and p.split("=", 1)[0] not in values]
    return "|".join(pairs + [f"{k}={v}" for k, v in values.items()])
