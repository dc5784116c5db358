"""One override order for params, measures, templates and schemas (jingzhun.profile):
packaged < province profile < dataset < run file (--config / --measures / --templates)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jingzhun.errors import ConfigError
from jingzhun.params import Params, sources_for
from jingzhun.plan.measures import PACKAGED, rules_file
from jingzhun.profile import PROFILE_ENV, find_file


def make_profile(root: Path) -> Path:
    prof = root / "hubei"
    (prof / "templates" / "plan").mkdir(parents=True)
    (prof / "schemas").mkdir()
    (prof / "params.toml").write_text(
        "[identify]\nedge_multiplier = 1.6\nincome_tolerance = 3.0\nexclusion_sources = ['车辆']\n", encoding="utf-8"
    )
    (prof / "measures.csv").write_text("rule_id,when,measure,content\n", encoding="utf-8")
    (prof / "templates" / "plan" / "card.html").write_text("profile", encoding="utf-8")
    (prof / "templates" / "plan" / "only_profile.html").write_text("profile", encoding="utf-8")
    (prof / "schemas" / "households.yaml").write_text("profile", encoding="utf-8")
    return prof


def make_dataset(root: Path, toml: str) -> Path:
    ds = root / "county"
    (ds / "2016").mkdir(parents=True)
    (ds / "jingzhun.toml").write_text(toml, encoding="utf-8")
    return ds


@pytest.fixture
def layers(tmp_path, monkeypatch):
    monkeypatch.delenv(PROFILE_ENV, raising=False)
    prof = make_profile(tmp_path)
    ds = make_dataset(tmp_path, 'profile = "../hubei"\n[identify]\nincome_tolerance = 4.0\n')
    return tmp_path, prof, ds


def test_params_default_profile_dataset_run_file(layers):
    root, prof, ds = layers
    run = root / "run.toml"
    run.write_text("[identify]\nincome_tolerance = 5.0\n", encoding="utf-8")
    p = Params.load(ds)
    assert p.settings.identify.edge_multiplier == 1.6  # profile over default
    assert p.origin_of("identify.edge_multiplier") == str(prof / "params.toml")
    assert p.settings.identify.income_tolerance == 4.0  # dataset over profile
    assert p.settings.identify.exclusion_sources == ("车辆",)  # the profile's exclusion sources
    assert p.settings.identify.school_age_min == 7 and p.origin_of("identify.school_age_min") == "default"
    q = Params.load(ds, run)
    assert q.settings.identify.income_tolerance == 5.0 and q.origin_of("identify.income_tolerance") == str(run)


def test_measures_packaged_profile_dataset_run_file(layers):
    root, prof, ds = layers
    assert rules_file(None) == PACKAGED
    assert rules_file(ds) == prof / "measures.csv"  # the dataset has none: the profile's
    (ds / "measures.csv").write_text("rule_id,when,measure,content\n", encoding="utf-8")
    assert rules_file(ds) == ds / "measures.csv"
    assert rules_file(ds, root / "mine.csv") == root / "mine.csv"


def test_templates_run_folder_dataset_profile_packaged(layers):
    root, prof, ds = layers
    packaged = root / "packaged"
    (packaged / "plan").mkdir(parents=True)
    for name in ("card.html", "only_profile.html", "book.html"):
        (packaged / "plan" / name).write_text("packaged", encoding="utf-8")
    (ds / "templates" / "plan").mkdir(parents=True)
    (ds / "templates" / "plan" / "card.html").write_text("dataset", encoding="utf-8")
    run_dir = root / "tpl"
    (run_dir / "plan").mkdir(parents=True)
    (run_dir / "plan" / "book.html").write_text("run", encoding="utf-8")
    dirs = sources_for(ds, templates_dir=run_dir).template_dirs(packaged)
    assert find_file("plan/card.html", dirs) == ds / "templates" / "plan" / "card.html"
    assert find_file("plan/only_profile.html", dirs) == prof / "templates" / "plan" / "only_profile.html"
    assert find_file("plan/book.html", dirs) == run_dir / "plan" / "book.html"
    assert find_file("plan/book.html", sources_for(ds).template_dirs(packaged)) == packaged / "plan" / "book.html"


def test_schemas_dataset_profile_packaged(layers):
    root, prof, ds = layers
    packaged = root / "packaged_schemas"
    packaged.mkdir()
    for table in ("households", "members"):
        (packaged / f"{table}.yaml").write_text("packaged", encoding="utf-8")
    dirs = sources_for(ds).schema_dirs(packaged)
    assert find_file("households.yaml", dirs) == prof / "schemas" / "households.yaml"
    assert find_file("members.yaml", dirs) == packaged / "members.yaml"
    (ds / "schemas").mkdir()
    (ds / "schemas" / "households.yaml").write_text("dataset", encoding="utf-8")
    assert find_file("households.yaml", sources_for(ds).schema_dirs(packaged)) == ds / "schemas" / "households.yaml"


def test_profile_from_the_environment_and_a_missing_profile(tmp_path, monkeypatch):
    prof = make_profile(tmp_path)
    ds = make_dataset(tmp_path, "[identify]\nincome_tolerance = 4.0\n")
    monkeypatch.setenv(PROFILE_ENV, str(prof))
    assert Params.load(ds).settings.identify.edge_multiplier == 1.6
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert "nowhere" in e.value.message


def test_unknown_key_in_a_profile_names_the_profile_file(layers):
    root, prof, ds = layers
    (prof / "params.toml").write_text("[identify]\nedge_multipler = 1.6\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert "identify.edge_multipler" in e.value.message and str(prof / "params.toml") in e.value.message
