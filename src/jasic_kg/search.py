"""Finding things by approximate name: "did you mean" for names, and a search over labels and quotes.

`nearest(word, names)` ranks names by substring and then by difflib similarity (the standard library's
sequence matcher, enough for typos such as "timelin" or "He Pengchoa"). `search(store, text)` runs one query
for the labels, alternative labels and quotes of the graph and ranks them the same way; `describe` uses it to
list candidates when a label matches nothing exactly.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass

from pyoxigraph import Literal

from jasic_kg.terms import JKG, PREFIXES, RDFS, curie

FUZZY_CUTOFF = 0.75  # difflib ratio: "He Pengchoa" vs "He Pengchao" is 0.91, "Zhang" vs "Wang" 0.67


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def similarity(query: str, text: str) -> float:
    """1.0 for a substring (any case), else the best difflib ratio against the text or one of its words."""
    q, t = _fold(query), _fold(text)
    if not q:
        return 0.0
    if q in t:
        return 1.0
    words = t.split()
    spans = [" ".join(words[i:i + n]) for n in {len(q.split())} for i in range(max(1, len(words) - n + 1))]
    return max(difflib.SequenceMatcher(None, q, s).ratio() for s in [t, *spans])


def nearest(word: str, names, limit: int = 3) -> list[str]:
    """The names nearest to `word`: substrings first, then typos (at least FUZZY_CUTOFF similar)."""
    scored = sorted(((similarity(word, n), n) for n in names), key=lambda x: (-x[0], x[1]))
    return [n for score, n in scored if score >= FUZZY_CUTOFF][:limit]


def did_you_mean(word: str, names) -> str:
    """" (did you mean 'x'?)" or "" — for the end of an error line."""
    close = nearest(word, names)
    return f" (did you mean {' or '.join(repr(n) for n in close)}?)" if close else ""


@dataclass(frozen=True)
class Hit:
    entity: str  # CURIE or <IRI>
    field: str   # label | prefLabel | altLabel | quote
    text: str
    score: float

    def line(self) -> str:
        text = self.text if len(self.text) <= 100 else self.text[:99] + "…"
        return f"{self.entity}  {self.field}: {text}"


_NAMES = f"""SELECT ?e ?p ?l WHERE {{
  VALUES ?p {{ <{RDFS}label> <{PREFIXES['skos']}prefLabel> <{PREFIXES['skos']}altLabel> <{JKG}quote> }}
  ?e ?p ?l . FILTER (isIRI(?e) && isLiteral(?l))
}}"""


def search(store, text: str, limit: int = 20) -> list[Hit]:
    """Labels, alternative labels and quotes matching `text` (substring or typo), best first."""
    hits = []
    for row in store.select(_NAMES):
        label = row["l"]
        if not isinstance(label, Literal):
            continue
        score = similarity(text, label.value)
        if score >= FUZZY_CUTOFF:
            iri = row["e"].value
            field = row["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            hits.append(Hit(curie(iri) or f"<{iri}>", field, label.value, round(score, 3)))
    # exact substrings first, labels before quotes, then by entity: a stable order for scripts and tests
    order = {"label": 0, "prefLabel": 0, "altLabel": 1, "quote": 2}
    # (the whole-label likeness puts "He Pengchao" before "He Pengchao's confession video")
    hits.sort(key=lambda h: (-h.score, order.get(h.field, 3),
                             -difflib.SequenceMatcher(None, _fold(text), _fold(h.text)).ratio(), h.entity, h.text))
    return hits[:limit]


def render_text(hits: list[Hit]) -> bytes:
    return "".join(h.line() + "\n" for h in hits).encode("utf-8")


def render_json(hits: list[Hit]) -> bytes:
    return (json.dumps([asdict(h) for h in hits], indent=1, ensure_ascii=False) + "\n").encode("utf-8")


RENDERERS = {"text": render_text, "json": render_json}
