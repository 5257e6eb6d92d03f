"""Quotes as evidence: anchoring each claim's quote in the reference text, and checking the anchors.

Every `jkg:quote` of a claim is anchored by a W3C Web Annotation (https://www.w3.org/TR/annotation-model/):
an `oa:TextQuoteSelector` (exact, prefix, suffix; section 4.2.4) and an `oa:TextPositionSelector` (start, end
in Unicode code points; section 4.2.5) on `jid:article-text`, the reference text identified by its SHA-256.

`anchor` computes them from a copy of the text and renders `data/generated/anchors.ttl` (a generated file);
`verify` re-reads a copy of the text and reports every quote that is missing, has moved or is ambiguous. Fuzzy
re-anchoring is deliberately absent: a quote that is not found verbatim is reported, never guessed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from jasic_kg.errors import InputError
from jasic_kg.terms import JID, JKG, OA

TEXT_IRI = JID + "article-text"
SOURCE_MAX_BYTES = 200 * 1024 * 1024  # as --max-bytes: a source text is far smaller
CONTEXT_CHARS = 32  # prefix/suffix length: long enough to disambiguate every quote of this article

_QUOTES = f"""
SELECT ?claim ?quote WHERE {{ ?claim <{JKG}quote> ?quote }} ORDER BY ?claim ?quote
"""

_ANCHORS = f"""
PREFIX oa: <{OA}>
SELECT ?claim ?annotation ?exact ?prefix ?suffix ?start ?end ?source WHERE {{
  ?annotation a oa:Annotation ; oa:hasBody ?claim ; oa:hasTarget ?target .
  OPTIONAL {{ ?target oa:hasSource ?source }}
  ?target oa:hasSelector ?qs, ?ps .
  ?qs a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL {{ ?qs oa:prefix ?prefix }} OPTIONAL {{ ?qs oa:suffix ?suffix }}
  ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
}} ORDER BY ?annotation
"""

_TEXT_SHA = f"SELECT ?sha WHERE {{ <{TEXT_IRI}> <{JKG}sha256> ?sha }}"


def read_source(path: str | Path, max_bytes: int = SOURCE_MAX_BYTES) -> tuple[str, str]:
    """The reference text (decoded as UTF-8, offsets count code points) and the SHA-256 of its bytes.

    At most `max_bytes` are read, whatever the path is: a regular file is checked by its size first, anything
    else (a FIFO, /dev/zero, a symlink to a device) is read up to the cap, so no input can exhaust memory. A FIFO
    is opened without waiting for a writer: with none it reads as empty."""
    from jasic_kg.io.userfile import read_capped_file

    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a text file", path)
    data = read_capped_file(path, max_bytes)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from None
    return text, hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Anchor:
    claim: str
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int
    source: str = TEXT_IRI  # the jkg:TextRepresentation the offsets count in

    @property
    def iri(self) -> str:
        # Stable: derived from the claim and the quote, so adding a quote never renames another anchor.
        # In the claim's own namespace: a user's claim gets a user's annotation IRI, not one of the project's.
        base, slug = self.claim.rsplit("/", 1) if "/" in self.claim else (JID.rstrip("/"), self.claim)
        return f"{base}/evidence-{slug}-{hashlib.sha1(self.exact.encode()).hexdigest()[:8]}"


@dataclass
class Finding:
    kind: str  # missing | moved | ambiguous | unanchored | orphan
    claim: str
    exact: str
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {_curie(self.claim)}: {self.detail}: {_short(self.exact)}"


@dataclass
class EvidenceReport:
    quotes: int = 0
    anchors: int = 0
    findings: list[Finding] = field(default_factory=list)
    source_sha256: str = ""
    expected_sha256: str | None = None
    other_sources: int = 0  # anchors into texts that were not given (not checked)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    @property
    def ok(self) -> bool:
        return not self.findings

    def summary(self) -> str:
        kinds = ("missing", "moved", "ambiguous", "unanchored", "orphan")
        counts = ", ".join(f"{self.count(k)} {k}" for k in kinds)
        other = f"; {self.other_sources} anchors into other texts not checked" if self.other_sources else ""
        return f"{self.quotes} quotes, {self.anchors} anchors: {counts}{other}"


def _curie(iri: str) -> str:
    for prefix, ns in (("jid:", JID), ("jkg:", JKG)):
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return f"<{iri}>"


def _short(text: str, width: int = 70) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _occurrences(text: str, exact: str) -> list[int]:
    found, at = [], text.find(exact)
    while at != -1:
        found.append(at)
        at = text.find(exact, at + 1)
    return found


def anchor(store, text: str) -> tuple[list[Anchor], list[Finding]]:
    """Anchor every quote of the graph in `text`. A quote found 0 or 2+ times is a finding, not an anchor."""
    anchors, findings = [], []
    for row in store.select(_QUOTES):
        claim, exact = row["claim"].value, row["quote"].value
        where = _occurrences(text, exact)
        if len(where) != 1:
            kind = "missing" if not where else "ambiguous"
            detail = "not in the text" if not where else f"found {len(where)} times; quote more words"
            findings.append(Finding(kind, claim, exact, detail))
            continue
        start = where[0]
        end = start + len(exact)
        anchors.append(Anchor(claim, exact, text[max(0, start - CONTEXT_CHARS):start],
                              text[end:end + CONTEXT_CHARS], start, end))
    return anchors, findings


_TEXTS = f"SELECT ?text ?sha WHERE {{ ?text <{JKG}sha256> ?sha }} ORDER BY ?text"


def declared_texts(store) -> dict[str, str]:
    """SHA-256 -> the text (IRI) that declares it with jkg:sha256."""
    declared: dict[str, str] = {}
    for row in store.select(_TEXTS):
        declared.setdefault(row["sha"].value, row["text"].value)
    return declared


def texts_by_sha(store, shas: list[str]) -> dict[str, str]:
    """The jkg:TextRepresentation IRI of each source, found by its SHA-256 in the graph (the user's --data
    declares their own texts); InputError naming what to add when a source is not declared."""
    declared = declared_texts(store)
    for sha in shas:
        if sha not in declared:
            raise InputError(f"no text in the graph has the SHA-256 {sha} of a --source: declare it in your --data, "
                             f'e.g. <your-text> a jkg:TextRepresentation ; jkg:sha256 "{sha}" ; '
                             "jkg:representationOf <your-work> .")
    return {sha: declared[sha] for sha in shas}


def quotes_in_files(paths, max_bytes: int | None = None) -> list[tuple[str, str]]:
    """(claim IRI, quote) of the claims stated in these files only: `anchor --data` anchors the user's claims,
    not the shipped ones again."""
    from jasic_kg.io.rdfio import DEFAULT_MAX_BYTES, read_quads

    pairs = set()
    for path in paths:
        for q in read_quads(path, max_bytes or DEFAULT_MAX_BYTES):
            if q.predicate.value == JKG + "quote" and q.subject.__class__.__name__ == "NamedNode":
                pairs.add((q.subject.value, q.object.value))
    return sorted(pairs)


def anchor_quotes(pairs, sources: list[tuple[str, str]]) -> tuple[list[Anchor], list[Finding]]:
    """Anchor each (claim, quote) in the one source (text IRI, text) that holds it exactly once. A quote in no
    source, twice in one, or in two sources is a finding: evidence is never guessed."""
    anchors, findings = [], []
    for claim, exact in pairs:
        hits = [(iri, text, at) for iri, text in sources for at in _occurrences(text, exact)]
        if len(hits) != 1:
            if not hits:
                findings.append(Finding("missing", claim, exact, "not in the text" if len(sources) == 1
                                        else f"in none of the {len(sources)} sources"))
            else:
                where = sorted({_curie(iri) for iri, _, _ in hits})
                findings.append(Finding("ambiguous", claim, exact, f"found {len(hits)} times (in "
                                        f"{', '.join(where)}); quote more words"))
            continue
        iri, text, start = hits[0]
        end = start + len(exact)
        anchors.append(Anchor(claim, exact, text[max(0, start - CONTEXT_CHARS):start],
                              text[end:end + CONTEXT_CHARS], start, end, iri))
    return anchors, findings


def _literal(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def _term(iri: str) -> str:
    """jid:slug where the slug is a plain Turtle local name, else <iri>."""
    local = iri[len(JID):] if iri.startswith(JID) else ""
    if local and all(c.isalnum() or c in "-_" for c in local) and local[0].isalnum():
        return "jid:" + local
    return f"<{iri}>"


def render_anchors(anchors: list[Anchor], sha256: str | list[str]) -> str:
    """The Turtle of data/generated/anchors.ttl: deterministic (sorted by annotation IRI)."""
    shas = [sha256] if isinstance(sha256, str) else list(sha256)
    out = [
        "# GENERATED by `jasic-kg evidence anchor` (python -m jasic_kg.generate) — do not edit; edit the jkg:quote of the claims instead.",
        *(f"# Reference text SHA-256: {sha}" for sha in shas),
        f"@prefix oa: <{OA}> .",
        f"@prefix jkg: <{JKG}> .",
        f"@prefix jid: <{JID}> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
    ]
    for a in sorted(anchors, key=lambda a: a.iri):
        out += [
            f"{_term(a.iri)} a oa:Annotation ;",
            "    oa:motivatedBy oa:describing ;",
            f"    oa:hasBody {_term(a.claim)} ;",
            "    oa:hasTarget [ a oa:SpecificResource ;",
            f"        oa:hasSource {_term(a.source)} ;",
            "        oa:hasSelector [ a oa:TextQuoteSelector ;",
            f"            oa:exact {_literal(a.exact)} ;",
            f"            oa:prefix {_literal(a.prefix)} ;",
            f"            oa:suffix {_literal(a.suffix)} ] ,",
            "          [ a oa:TextPositionSelector ;",
            f'            oa:start {a.start} ;',
            f'            oa:end {a.end} ] ] .',
            f"{_term(a.claim)} jkg:hasEvidence {_term(a.iri)} .",
            "",
        ]
    return "\n".join(out)


def verify(store, text: str, sha256: str = "", texts: dict[str, str] | None = None) -> EvidenceReport:
    """Check every anchored quote of the graph against `text` (a copy of the reference text).

    missing:    the exact quote is nowhere in the text;
    moved:      found once, but not at the recorded position (the text was edited around it);
    ambiguous:  not at the recorded position and found several times, prefix/suffix do not single one out;
    unanchored: a claim's quote with no annotation (run `jasic-kg evidence anchor`);
    orphan:     an annotation whose exact text is no longer a quote of its claim.

    `texts` (text IRI -> text): check each anchor in the text its oa:hasSource names (several sources);
    anchors into a text not given are counted, not checked. Without it, every anchor is checked in `text`.
    """
    report = EvidenceReport(source_sha256=sha256)
    shas = store.select(_TEXT_SHA)
    report.expected_sha256 = shas[0]["sha"].value if shas else None
    quotes = {(r["claim"].value, r["quote"].value) for r in store.select(_QUOTES)}
    report.quotes = len(quotes)
    anchored = set()
    for row in store.select(_ANCHORS):
        report.anchors += 1
        claim, exact = row["claim"].value, row["exact"].value
        anchored.add((claim, exact))
        if (claim, exact) not in quotes:
            report.findings.append(Finding("orphan", claim, exact, "annotation for a quote the claim no longer has"))
        here = text if texts is None else texts.get(row["source"].value if "source" in row else "")
        if here is None:
            report.other_sources += 1
            continue
        start, end = int(row["start"].value), int(row["end"].value)
        if here[start:end] == exact:
            continue
        where = _occurrences(here, exact)
        if not where:
            report.findings.append(Finding("missing", claim, exact, "not in the text"))
            continue
        prefix = row["prefix"].value if "prefix" in row else ""
        suffix = row["suffix"].value if "suffix" in row else ""
        fitting = [at for at in where
                   if here[:at].endswith(prefix) and here[at + len(exact):].startswith(suffix)]
        candidates = fitting or where
        if len(candidates) == 1:
            report.findings.append(Finding("moved", claim, exact, f"recorded at {start}, found at {candidates[0]}"))
        else:
            at = ", ".join(str(c) for c in candidates)
            report.findings.append(Finding("ambiguous", claim, exact, f"recorded at {start}, found at {at}"))
    for claim, exact in sorted(quotes - anchored):
        report.findings.append(Finding("unanchored", claim, exact, "no annotation anchors this quote"))
    report.findings.sort(key=lambda f: (f.kind, f.claim, f.exact))
    return report
