"""From a checkout, the checkout's files win: an edit to data/*.ttl is what `validate` checks, whichever copy
of the package is installed; regenerating the generated files never writes into an installed package."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jasic_kg import generate
from jasic_kg.io import resources

SMALL = Path(__file__).parent / "fixtures" / "small"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """A second jasic-kg checkout (the small graph) as the working directory, no override set."""
    root = tmp_path / "my-checkout"
    shutil.copytree(SMALL, root)
    (root / "pyproject.toml").write_text('[project]\nname = "jasic-kg"\n', encoding="utf-8")
    monkeypatch.delenv("JASIC_KG_RESOURCES", raising=False)
    monkeypatch.chdir(root / "data")  # anywhere inside it
    return root


def test_the_checkout_of_the_working_directory_wins(run, checkout):
    assert resources.root() == checkout.resolve()
    r = run("validate")
    assert r.exit_code == 0 and r.stdout.splitlines()[1].startswith(f"read {checkout.resolve()}: ")
    # the user's edit is what is validated: an event without its required properties
    with (checkout / "data" / "small.ttl").open("a", encoding="utf-8") as f:
        f.write("\n<https://w3id.org/jasic-kg/id/my-strike> a <https://w3id.org/jasic-kg/ontology#Event> .\n")
    r = run("validate", "--format", "json")
    assert r.exit_code == 1
    assert "https://w3id.org/jasic-kg/id/my-strike" in r.stdout or "jid:my-strike" in r.stdout


def test_a_folder_that_is_not_a_checkout_uses_the_package(tmp_path, monkeypatch):
    monkeypatch.delenv("JASIC_KG_RESOURCES", raising=False)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    (tmp_path / "ontology").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resources.checkout_root() is None
    assert resources.root() != tmp_path


def test_generated_files_are_written_into_the_checkout_never_the_installed_package(checkout, tmp_path, monkeypatch):
    assert generate.checkout() == checkout.resolve()
    # an installed package (site-packages) and no checkout around: refused, nothing written
    site = tmp_path / "site-packages" / "jasic_kg"
    site.mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE_DIR", site)
    monkeypatch.setattr(resources, "CONTEXT_FILE", site / "jasic-context.jsonld")
    monkeypatch.chdir(tmp_path)
    from jasic_kg.errors import InputError

    with pytest.raises(InputError, match="needs a jasic-kg checkout"):
        generate.checkout()
    assert list(site.iterdir()) == []
