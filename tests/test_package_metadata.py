"""Package metadata: the licence texts (and that the wheel ships them), CITATION.cff, pyproject's licence
expression and classifiers, and the VoID/DCAT description of the dataset from `stats --format turtle`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile

import pytest
import rdflib

from jasic_kg import __version__

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

from tests.conftest import REPO

LICENCE_FILES = ["LICENSE", "LICENSES/CC-BY-4.0.txt", "NOTICE"]
ARTICLE_URL = "https://madeinchinajournal.com/2020/06/25/leninists-in-a-chinese-factory"
CC_BY = rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DATASET = rdflib.URIRef("https://w3id.org/jasic-kg/void#dataset")
TURTLE = rdflib.URIRef("https://www.iana.org/assignments/media-types/text/turtle")
# SHA-256 of the CC BY 4.0 legal code as the SPDX License List ships it (npm spdx-license-list 6.12.0,
# licenses/CC-BY-4.0.json "licenseText", plus a final newline): the file is that text, unedited.
CC_BY_SHA256 = "d557539df68e771cc1eedcc91d13f70fca930e508d11eedcafa4b15db49e3744"


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- licence files ------------------------------------------------------------------------------------------

def test_licence_texts_are_the_standard_ones():
    mit = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert mit.startswith("MIT License\n\nCopyright (c) 2026 jasic-kg maintainers\n\nPermission is hereby granted")
    assert "<year>" not in mit and "<copyright holders>" not in mit
    assert mit.rstrip().endswith("OTHER DEALINGS IN THE SOFTWARE.")
    cc = REPO / "LICENSES" / "CC-BY-4.0.txt"
    assert _sha256(cc) == CC_BY_SHA256
    text = cc.read_text(encoding="utf-8")
    assert text.startswith("Creative Commons Attribution 4.0 International\n")
    for section in ("Section 1 – Definitions.", "Section 3 – License Conditions.", "Section 8 – Interpretation."):
        assert section in text


def test_notice_says_which_licence_applies_and_that_the_quotes_stay_the_authors():
    notice = " ".join((REPO / "NOTICE").read_text(encoding="utf-8").split())
    assert "MIT License: see LICENSE" in notice
    assert "CC BY 4.0): see LICENSES/CC-BY-4.0.txt" in notice
    assert "The article is (c) its author and published under CC BY-NC-ND 4.0" in notice
    assert "remain the article author's words: they are not licensed by this project under CC BY 4.0" in notice


def test_wheel_ships_the_licence_files(tmp_path):
    # pip builds the wheel with the build backend that pyproject.toml names (from the package index).
    p = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    (wheel,) = tmp_path.glob("jasic_kg-*.whl")
    with zipfile.ZipFile(wheel) as z:
        info = f"jasic_kg-{__version__}.dist-info"
        for name in LICENCE_FILES:
            assert z.read(f"{info}/licenses/{name}") == (REPO / name).read_bytes(), name
        metadata = z.read(f"{info}/METADATA").decode("utf-8").splitlines()
    assert "License-Expression: MIT AND CC-BY-4.0" in metadata
    assert [line for line in metadata if line.startswith("License-File: ")] == [
        f"License-File: {name}" for name in LICENCE_FILES]
    assert "Author: jasic-kg maintainers" in metadata


# --- CITATION.cff --------------------------------------------------------------------------------------------

CFF_SCHEMA = REPO / "tests" / "fixtures" / "cff" / "schema-1.2.0.json"


def _load_cff(text: str):
    """CITATION.cff as the schema sees it: YAML dates cast back to strings, as the schema's note asks."""
    import datetime as dt

    import yaml

    def cast(value):
        if isinstance(value, dict):
            return {k: cast(v) for k, v in value.items()}
        if isinstance(value, list):
            return [cast(v) for v in value]
        return value.isoformat() if isinstance(value, dt.date) else value

    return cast(yaml.safe_load(text))


def _cff_errors(cff) -> list:
    import json

    from jsonschema import Draft7Validator, FormatChecker

    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    return sorted(Draft7Validator(schema, format_checker=FormatChecker()).iter_errors(cff), key=lambda e: list(e.path))


def test_citation_cff_is_valid_cff_1_2_0_with_the_article():
    cff = _load_cff((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert [e.message for e in _cff_errors(cff)] == []  # the CFF 1.2.0 JSON schema
    assert cff["cff-version"] == "1.2.0"
    assert cff["type"] == "dataset"
    assert str(cff["version"]) == __version__
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    assert cff["authors"] == [{"name": "jasic-kg maintainers"}]
    assert cff["title"].startswith("jasic-kg: ")
    (article,) = cff["references"]
    assert article["type"] == "article"
    assert article["authors"] == [{"given-names": "Yueran", "family-names": "Zhang"}]
    assert article["title"] == "Leninists in a Chinese Factory: Reflections on the Jasic Labour Organising Strategy"
    assert article["journal"] == "Made in China Journal"
    assert article["issue-title"] == "Spectral Revolutions"
    assert str(article["date-published"]) == "2020-06-25"
    assert article["url"] == ARTICLE_URL
    # nothing the sources do not give: no DOI, ORCID or other identifier
    assert not {"doi", "identifiers", "orcid"} & (set(cff) | set(article))


def test_citation_cff_schema_check_catches_a_bad_date_and_an_unknown_key():
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    bad_date = _cff_errors(_load_cff(text.replace("date-published: 2020-06-25", "date-published: 25 June 2020")))
    assert sorted((list(e.path), e.validator) for e in bad_date) == [
        (["references", 0, "date-published"], "format"), (["references", 0, "date-published"], "pattern")]
    assert "'25 June 2020' is not a 'date'" in [e.message for e in bad_date]
    unknown = _cff_errors(_load_cff(text.replace("type: dataset", "type: dataset\nreleased: 2026")))
    assert [(list(e.path), e.validator) for e in unknown] == [([], "additionalProperties")]


# --- pyproject.toml ------------------------------------------------------------------------------------------

def test_pyproject_licence_expression_and_classifiers():
    from packaging.licenses import canonicalize_license_expression
    from trove_classifiers import classifiers as known

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT AND CC-BY-4.0"
    assert canonicalize_license_expression(project["license"]) == project["license"]
    assert project["license-files"] == ["LICENSE", "LICENSES/*.txt", "NOTICE"]
    assert project["authors"] == [{"name": "jasic-kg maintainers"}]
    assert {"RDF", "SHACL", "SPARQL", "Jasic"} <= set(project["keywords"])
    assert [c for c in project["classifiers"] if c not in known] == []
    # PEP 639: a licence expression replaces the License :: classifiers
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert project["urls"] == {"Source article": ARTICLE_URL}


# --- VoID and DCAT from `stats --format turtle` --------------------------------------------------------------

def _void(run, *args):
    r = run("stats", "--format", "turtle", *args)
    assert r.exit_code == 0, r.stderr
    return rdflib.Graph().parse(data=r.stdout, format="turtle")


def _distributions(g):
    return {g.value(d, DCAT.downloadURL): d for d in g.objects(DATASET, DCAT.distribution)}


def test_stats_turtle_describes_the_shipped_graph_in_void_and_dcat(run, shipped):
    from jasic_kg.io import resources

    g = _void(run)
    triples = int(run("stats").stdout.splitlines()[0].split()[-1])
    assert g.value(DATASET, VOID.triples).toPython() == triples
    assert set(g.objects(DATASET, rdflib.RDF.type)) == {VOID.Dataset, DCAT.Dataset}
    assert g.value(DATASET, rdflib.DCTERMS.title) == rdflib.Literal("The Jasic knowledge graph", lang="en")
    assert g.value(DATASET, rdflib.DCTERMS.license) == CC_BY
    creator = g.value(DATASET, rdflib.DCTERMS.creator)
    assert g.value(creator, rdflib.FOAF.name) == rdflib.Literal("jasic-kg maintainers")
    assert g.value(DATASET, rdflib.DCTERMS.source) == rdflib.URIRef(ARTICLE_URL)
    assert g.value(DATASET, DCAT.version) == rdflib.Literal(__version__)
    # one distribution per graph file read, each a dump with its media type and the graph's licence
    files = {rdflib.URIRef(p.resolve().as_uri()) for p in resources.graph_files()}
    assert set(g.objects(DATASET, VOID.dataDump)) == files
    dists = _distributions(g)
    assert set(dists) == files
    for dist in dists.values():
        assert g.value(dist, rdflib.RDF.type) == DCAT.Distribution
        assert g.value(dist, DCAT.mediaType) == TURTLE
        assert g.value(dist, rdflib.DCTERMS.license) == CC_BY


def test_stats_turtle_does_not_licence_the_users_files(run, small, tmp_path):
    mine = tmp_path / "my-notes.ttl"
    mine.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    g = _void(run, "--data", str(mine))
    assert g.value(DATASET, VOID.triples).toPython() == 141  # the small graph's 140 and the user's one
    # the merged graph is not the shipped one: no title, licence or creator is claimed for it
    for p in (rdflib.DCTERMS.title, rdflib.DCTERMS.license, rdflib.DCTERMS.creator):
        assert g.value(DATASET, p) is None
    dists = _distributions(g)
    user = dists.pop(rdflib.URIRef(mine.resolve().as_uri()))
    assert g.value(user, DCAT.mediaType) == TURTLE
    assert g.value(user, rdflib.DCTERMS.license) is None
    assert dists and all(g.value(d, rdflib.DCTERMS.license) == CC_BY for d in dists.values())
