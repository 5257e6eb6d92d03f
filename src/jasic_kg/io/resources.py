"""Where the shipped ontology, shapes, checks, data and saved queries live.

An installed wheel carries them under jasic_kg/_resources/ (pyproject force-include); an editable install or a
checkout has them at the repository root. Run from inside a jasic-kg checkout (the working directory or one of
its parents holds the project's pyproject.toml and ontology/), the checkout's files win over an installed copy,
so an edit to data/*.ttl is what `validate` checks; elsewhere the installed copy is used. JASIC_KG_RESOURCES
overrides both (tests point it at a fixture tree with the same layout).
"""

from __future__ import annotations

import os
from pathlib import Path

from jasic_kg.errors import JasicError

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/jasic_kg (this module lives in jasic_kg/io/)
RDF_EXTENSIONS = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".json", ".rdf", ".xml", ".owl")
CONTEXT_FILE = PACKAGE_DIR / "jasic-context.jsonld"


def _is_checkout(folder: Path) -> bool:
    try:
        project = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return (folder / "ontology").is_dir() and 'name = "jasic-kg"' in project


def checkout_root(start: Path | None = None) -> Path | None:
    """The jasic-kg checkout containing `start` (default: the working directory), if any."""
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:  # the working directory was removed
        return None
    for folder in (here, *here.parents):
        if _is_checkout(folder):
            return folder
    return None


def root() -> Path:
    override = os.environ.get("JASIC_KG_RESOURCES")
    if override:
        return Path(override)
    checkout = checkout_root()
    if checkout is not None:
        return checkout
    installed = PACKAGE_DIR / "_resources"
    if (installed / "ontology").is_dir():
        return installed
    checkout = PACKAGE_DIR.parent.parent
    if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise JasicError("the shipped ontology/data/queries were not found (broken installation?)")


def _files(folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of `folder` whose names end with one of `suffixes`, sorted. A listing and a suffix test, not
    Path.glob: compiling its patterns was 6 ms of every command's cold start."""
    base = root() / folder
    try:
        names = os.listdir(base)
    except OSError:  # missing, or not a folder
        return []
    found = [base / name for name in names if name.endswith(suffixes)]
    return sorted(p for p in found if p.is_file())


def ontology_files() -> list[Path]:
    """The ontology and the SKOS vocabulary (ontology/*.ttl)."""
    return _files("ontology", (".ttl",))


def shape_files() -> list[Path]:
    return _files("ontology/shapes", (".ttl",))


def check_files() -> list[Path]:
    """ROBOT-style checks: any row returned by ontology/checks/*-violation.rq is a finding."""
    return _files("ontology/checks", ("-violation.rq",))


def data_files() -> list[Path]:
    """data/*: the hand-edited files; data/generated/*: the files `python -m jasic_kg.generate` writes."""
    return sorted(_files("data", RDF_EXTENSIONS) + _files("data/generated", RDF_EXTENSIONS))


def graph_files() -> list[Path]:
    """Everything that makes up the shipped graph: ontology, vocabulary, data."""
    return ontology_files() + data_files()


def query_files() -> list[Path]:
    return _files("queries", (".rq",))


def expected_dir() -> Path:
    return root() / "queries" / "expected"
