"""Coverage of a source text by the graph's quotes: which sentences no quote falls inside.

A curation tool for any article: split the text into sentences, find every `jkg:quote` of the graph in it, and
report each sentence that no quote covers. A reviewer then either adds claims for it or lists it in an
exclusions file with a reason (a heading, page furniture, a sidebar, a sentence that states nothing). The
exclusions file is checked too: an exclusion that no longer matches an uncovered sentence is reported as stale,
so the file cannot drift from the text or the graph.

Sentences. The text is cut into blocks at blank lines; a block that is not a heading ('#'), ends without
sentence-final punctuation and is followed by one that starts in lower case or with an opening quote is joined to
it (a page break inside a sentence, as in a text copied from a web page). Each block is split after '.', '!' or '?' (and any closing quote, bracket or '*')
when white space and an upper-case letter, a digit, an opening quote or '*' follow, except after a single
capital ('Vladimir I. Lenin'), a run of initials ('U.S.') or a common abbreviation ('e.g.', 'etc.', 'no.').
Reference-list entries are split at their periods like any other text ('Koo, Hagen.' / '2001.' / ...).

Covered. A sentence is covered when some quote occurrence overlaps it by at least half of the shorter of the
two: a quote inside the sentence covers it, a sentence inside a quote is covered, and a quote that only
touches a neighbouring sentence's first or last words does not cover that neighbour.

Exclusions file: UTF-8 TSV with the header `reason<TAB>sentence`; the sentence as the report prints it
(white space folded to single spaces). Lines starting with '#' are comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jasic_kg.errors import InputError
from jasic_kg.terms import JKG

_QUOTES = f"SELECT DISTINCT ?quote WHERE {{ ?claim <{JKG}quote> ?quote }}"

_ABBREVIATIONS = {"e.g", "i.e", "etc", "no", "vol", "pp", "p", "cf", "vs", "mr", "mrs", "ms", "dr", "prof", "ed",
                  "eds", "trans", "al", "st"}
# A candidate boundary: sentence-final punctuation, closers, then white space and a plausible sentence start.
_BOUNDARY = re.compile(r"""[.!?]['"’”)\]*]*(?=\s+['"‘“(\[*]*[A-Z0-9\u4e00-\u9fff])""")
_SENTENCE_END = re.compile(r"""[.!?:]['"’”)\]*]*\s*$""")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str  # white space folded (the form an exclusion names it by)


@dataclass
class CoverageReport:
    sentences: list[Sentence] = field(default_factory=list)
    covered: list[Sentence] = field(default_factory=list)
    excluded: dict[str, list[Sentence]] = field(default_factory=dict)  # reason -> sentences
    uncovered: list[Sentence] = field(default_factory=list)
    stale: list[tuple[str, str]] = field(default_factory=list)  # (reason, sentence) matching nothing uncovered
    quotes: int = 0
    quotes_not_found: int = 0

    @property
    def ok(self) -> bool:
        return not self.uncovered and not self.stale

    def summary(self) -> str:
        excluded = sum(len(v) for v in self.excluded.values())
        reasons = ", ".join(f"{len(v)} {k}" for k, v in sorted(self.excluded.items()))
        return (f"{len(self.sentences)} sentences: {len(self.covered)} covered by {self.quotes} quotes, "
                f"{excluded} excluded" + (f" ({reasons})" if reasons else "") +
                f", {len(self.uncovered)} uncovered; {len(self.stale)} stale exclusions")

    def as_json(self) -> dict:
        def s(x: Sentence) -> dict:
            return {"start": x.start, "end": x.end, "sentence": x.text}
        return {
            "sentences": len(self.sentences), "covered": len(self.covered), "quotes": self.quotes,
            "quotesNotFound": self.quotes_not_found,
            "excluded": {k: [s(x) for x in v] for k, v in sorted(self.excluded.items())},
            "uncovered": [s(x) for x in self.uncovered],
            "staleExclusions": [{"reason": r, "sentence": t} for r, t in self.stale],
        }


def _fold(text: str) -> str:
    return " ".join(text.split())


def _blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) of the blank-line separated blocks, with page breaks inside a sentence joined up."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"\S(?:.*\S)?(?:\n(?!\s*\n).*\S)*", text)]
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined:
            prev_start, prev_end = joined[-1]
            previous = text[prev_start:prev_end]
            if (not _SENTENCE_END.search(previous) and not previous.startswith("#")
                    and (text[start].islower() or text[start] in "'‘")):
                joined[-1] = (prev_start, end)
                continue
        joined.append((start, end))
    return joined


def _is_abbreviation(block: str, dot: int) -> bool:
    """True when the '.' at `dot` ends an abbreviation or an initial rather than a sentence."""
    if block[dot] != ".":
        return False
    word = re.search(r"([A-Za-z.]+)$", block[:dot])
    if not word:
        return False
    w = word.group(1)
    if len(w) == 1 and w.isupper():  # an initial: 'Vladimir I. Lenin'
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", w):  # 'U.S', 'e.g'
        return True
    return w.lower() in _ABBREVIATIONS


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text` with their code-point offsets (see the module docstring for the rules)."""
    out: list[Sentence] = []
    for b_start, b_end in _blocks(text):
        block = text[b_start:b_end]
        cut = 0
        for m in _BOUNDARY.finditer(block):
            if _is_abbreviation(block, m.start()):
                continue
            out.append((b_start + cut, b_start + m.end()))
            cut = m.end()
            while cut < len(block) and block[cut].isspace():
                cut += 1
        out.append((b_start + cut, b_end))
    return [Sentence(s, e, _fold(text[s:e])) for s, e in out if text[s:e].strip()]


def read_exclusions(path: str | Path, max_bytes: int = 200 * 1024 * 1024) -> list[tuple[str, str]]:
    """(reason, folded sentence) pairs of a reviewed exclusions TSV (at most `max_bytes` read: a FIFO or a
    device is no reason to hang or to exhaust memory)."""
    from jasic_kg.io.userfile import read_text_file

    path = Path(path)
    if path.is_dir():
        raise InputError("is a directory, not a TSV file", path)
    lines = read_text_file(path, max_bytes).splitlines()
    rows, header_seen = [], False
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            if line.split("\t") != ["reason", "sentence"]:
                raise InputError("the first line must be the header 'reason<TAB>sentence'", path, n)
            header_seen = True
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputError("expected 'reason<TAB>sentence'", path, n)
        rows.append((parts[0].strip(), _fold(parts[1])))
    return rows


def _occurrences(text: str, quote: str) -> list[tuple[int, int]]:
    found, at = [], text.find(quote)
    while at != -1:
        found.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return found


def coverage(quotes: list[str], text: str, exclusions: list[tuple[str, str]] = ()) -> CoverageReport:
    """Which sentences of `text` the `quotes` cover, and how the uncovered ones stand against `exclusions`."""
    report = CoverageReport(sentences=split_sentences(text), quotes=len(quotes))
    spans = []
    for q in quotes:
        where = _occurrences(text, q)
        report.quotes_not_found += not where
        spans += where
    spans.sort()
    uncovered = []
    for s in report.sentences:
        length = s.end - s.start
        covered = any(min(e, s.end) - max(b, s.start) >= min(length, e - b) / 2
                      for b, e in spans if b < s.end and e > s.start)
        (report.covered if covered else uncovered).append(s)
    reasons = {}
    for reason, sentence in exclusions:
        reasons.setdefault(sentence, reason)
    matched = set()
    for s in uncovered:
        if s.text in reasons:
            report.excluded.setdefault(reasons[s.text], []).append(s)
            matched.add(s.text)
        else:
            report.uncovered.append(s)
    report.stale = [(r, t) for r, t in exclusions if t not in matched]
    return report


def graph_quotes(store) -> list[str]:
    return sorted(row["quote"].value for row in store.select(_QUOTES))
