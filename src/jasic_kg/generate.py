"""The generated files of a checkout, and the one command that regenerates them all.

    python -m jasic_kg.generate [--source ARTICLE] [--check]

Hand-edited files are the source of truth; these are derived from them and never edited by hand:

- data/generated/links.ttl: the links as RDF, from the SSSOM mapping sets data/*.sssom.tsv;
- data/generated/anchors.ttl: each quote's Web Annotation anchor in the article (needs --source, the article's
  reference text, which is not shipped);
- src/jasic_kg/jasic-context.jsonld: the JSON-LD context, from the ontology.

--check writes nothing and exits 1 when a file is stale (the tests run it). Files are written atomically, and
only into a checkout: an installed package is never rewritten.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jasic_kg.errors import EXIT_FINDINGS, EXIT_OK, InputError, JasicError


@dataclass(frozen=True)
class Generated:
    path: str  # relative to the checkout
    what: str
    build: Callable[[Path, str | None], str | None]  # (checkout, article path) -> text, None: cannot build here


def _links(checkout: Path, source: str | None) -> str:
    from jasic_kg.links import links_turtle

    return links_turtle(checkout / "data")


def _anchors(checkout: Path, source: str | None) -> str | None:
    if source is None:
        return None
    from jasic_kg import evidence
    from jasic_kg.store import open_store

    text, sha = evidence.read_source(source)
    anchors, findings = evidence.anchor(open_store(), text)
    if findings:
        raise InputError(f"{len(findings)} quote(s) could not be anchored, e.g. {findings[0].line()}")
    return evidence.render_anchors(anchors, sha)


def _context(checkout: Path, source: str | None) -> str:
    from jasic_kg.export.context import build_context, render_context
    from jasic_kg.io import resources
    from jasic_kg.store import LocalStore

    return render_context(build_context(LocalStore(resources.ontology_files())))


GENERATED = (
    Generated("data/generated/links.ttl", "the links, from data/*.sssom.tsv", _links),
    Generated("data/generated/anchors.ttl", "the quotes' anchors in the article", _anchors),
    Generated("src/jasic_kg/jasic-context.jsonld", "the JSON-LD context, from the ontology", _context),
)


def checkout() -> Path:
    """The checkout to regenerate: the working directory's, else this package's own if it is one."""
    from jasic_kg.io.resources import PACKAGE_DIR, checkout_root

    found = checkout_root() or checkout_root(PACKAGE_DIR)
    if found is None:
        raise InputError("regenerating needs a jasic-kg checkout: run this inside one "
                         f"(an installed package at {PACKAGE_DIR} is never rewritten)")
    return found


def regenerate(root: Path, source: str | None = None, *, check: bool = False) -> list[tuple[str, str]]:
    """Each generated file as (path, status): 'written', 'unchanged', 'stale' (with check) or 'skipped'."""
    from jasic_kg.io.rdfio import write_bytes

    statuses = []
    for g in GENERATED:
        text = g.build(root, source)
        target = root / g.path
        if text is None:
            statuses.append((g.path, "skipped (give --source ARTICLE)"))
            continue
        old = target.read_text(encoding="utf-8") if target.is_file() else None
        if old == text:
            statuses.append((g.path, "unchanged"))
        elif check:
            statuses.append((g.path, "stale"))
        else:
            write_bytes(target, text.encode("utf-8"))
            statuses.append((g.path, "written"))
    return statuses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jasic_kg.generate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", metavar="ARTICLE", help="the article's reference text (for the anchors)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file is stale")
    args = parser.parse_args(argv)
    try:
        statuses = regenerate(checkout(), args.source, check=args.check)
    except JasicError as e:
        print(f"jasic-kg: error: {e}", file=sys.stderr)
        return e.exit_code
    for path, status in statuses:
        print(f"{status:>9}  {path}" if len(status) <= 9 else f"{path}: {status}")
    return EXIT_FINDINGS if any(s == "stale" for _, s in statuses) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
