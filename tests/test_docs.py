"""The documentation covers the whole public API (the check the -W Sphinx build also runs).

Runs without Sphinx: ``docs/_ext/skmetalpka_docs.py`` imports nothing from it at module level.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def docs_ext():
    spec = importlib.util.spec_from_file_location(
        "skmetalpka_docs", ROOT / "docs" / "_ext" / "skmetalpka_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["skmetalpka_docs"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("skmetalpka_docs", None)


@pytest.fixture(scope="module")
def api(docs_ext):
    return docs_ext.build_model()


def test_every_public_name_is_documented(docs_ext, api):
    assert docs_ext.api_problems(api) == []


def test_every_name_of_every_all_has_a_canonical_page(docs_ext, api):
    pages = {m for _, entries in docs_ext.API_SECTIONS for m, _ in entries}
    documented = pages | {s for subs in api.pages.values() for s in subs}
    for m, names in api.names.items():
        for name in names:
            canon = api.canonical[(m, name)]
            home = canon.rsplit(".", 1)[0]
            assert home in documented, f"{m}.{name} -> {canon}: no API page shows {home}"


def test_check_catches_an_undocumented_name_and_a_missing_module(docs_ext, api, monkeypatch):
    # a public function without a docstring is reported ...
    groups = api.modules["skmetalpka.groups"]

    def undocumented_helper():
        pass

    undocumented_helper.__module__ = "skmetalpka.groups"
    monkeypatch.setattr(groups, "undocumented_helper", undocumented_helper, raising=False)
    monkeypatch.setattr(groups, "__all__", [*groups.__all__, "undocumented_helper"])
    problems = docs_ext.api_problems(docs_ext.build_model())
    assert any("skmetalpka.groups.undocumented_helper has no documentation" in p for p in problems)
    # ... and so is a top-level module that no API page lists
    sections = [
        (t, [e for e in es if e[0] != "skmetalpka.plots"]) for t, es in docs_ext.API_SECTIONS
    ]
    monkeypatch.setattr(docs_ext, "API_SECTIONS", sections)
    problems = docs_ext.api_problems(docs_ext.build_model())
    assert any("skmetalpka.plots is in no API page" in p for p in problems)


def test_aliases_resolve_to_the_one_documented_object(docs_ext, api):
    resolver = docs_ext.AliasResolver(api)
    assert resolver.candidates("skmetalpka.default_pipeline") == [
        "skmetalpka.pipelines.default_pipeline"
    ]
    assert resolver.candidates("skmetalpka.featurize.SitePredictor") == [
        "skmetalpka.sites.SitePredictor"
    ]
    assert resolver.candidates("fetch_nist46") == ["skmetalpka.datasets.fetch_nist46"]
    assert resolver.candidates("skmetalpka.no_such_name") == []


def test_every_example_runs_in_the_docs_build_on_tiny_settings(docs_ext):
    assert docs_ext.gallery_problems(ROOT / "examples") == []
    for script in docs_ext.GALLERY_ARGS:
        assert (ROOT / "examples" / script).is_file(), f"GALLERY_ARGS names a missing {script}"


def test_guide_toctree_lists_every_guide_page_once(docs_ext, tmp_path):
    guide = tmp_path / "guide"
    guide.mkdir()
    for name in ("index", "data", "pipeline", "zz_new"):
        (guide / f"{name}.md").write_text(f"# {name}\n", encoding="utf-8")

    class App:
        srcdir = str(tmp_path)

    source = ["```{toctree}\n\ndata\npipeline\n/command_line\n*\n```\n"]
    docs_ext._guide_toctree(App(), "guide/index", source)
    assert source[0] == "```{toctree}\n\ndata\npipeline\n/command_line\nzz_new\n```\n"


def test_result_file_headings_sit_below_the_page_title(docs_ext):
    text = "intro\n\n### a\n\n```\n# not a heading\n```\n\n#### b\n"
    assert docs_ext._headings_below_title(text) == (
        "intro\n\n## a\n\n```\n# not a heading\n```\n\n### b\n"
    )
