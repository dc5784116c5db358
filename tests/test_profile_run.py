"""A province profile's templates and schemas reach every command, ``run`` and a province county task
(jingzhun.profile: packaged < profile < dataset < --templates, the first folder holding the file wins)."""

from __future__ import annotations

import pickle
from concurrent.futures import Future
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plan_frames import write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.errors import InputError
from jingzhun.params import Params, sources_for
from jingzhun.pipeline import RunOptions, run_pipeline
from jingzhun.profile import PROFILE_ENV, Folders
from jingzhun.resources import resource_dir
from jingzhun.schema.loader import load_schema, schema_path

NOTICE = "notice/notice.html"
REPORT = "report/index.html"


@pytest.fixture(autouse=True)
def no_env_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROFILE_ENV, raising=False)


def template(folder: Path, name: str, marker: str) -> None:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(marker + " {{ unit.name }}\n", encoding="utf-8")


def tight_households(folder: Path) -> Path:
    """The packaged households schema with 家庭人口数 at most 2 (instead of 20)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (resource_dir("schemas") / "households.yaml").read_text(encoding="utf-8")
    tight = text.replace("in_range: {min_value: 1, max_value: 20,", "in_range: {min_value: 1, max_value: 2,")
    assert tight != text
    (folder / "households.yaml").write_text(tight, encoding="utf-8")
    return folder / "households.yaml"


def with_profile(ds: Path, profile: str = "../hubei") -> Path:
    """Name the profile in the dataset's jingzhun.toml (a top-level key: before the first table)."""
    toml = ds / "jingzhun.toml"
    toml.write_text(f'profile = "{profile}"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    return ds


def notice_texts(folder: Path) -> set[str]:
    """The first word of every village notice (not the townships' combined files)."""
    files = [p for p in folder.glob("*.html") if not p.name.endswith("_all.html")]
    assert files, f"no notices in {folder}"
    return {p.read_text(encoding="utf-8").split()[0] for p in files}


def household_size_findings(findings_csv: Path) -> pd.DataFrame:
    f = pd.read_csv(findings_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return f[(f["code"] == "V-RANGE") & (f["column"] == "household_size")]


@pytest.fixture
def county(tmp_path: Path) -> Path:
    return with_profile(write_dataset(tmp_path / "ds"))


def _notice(ds: Path, out: Path, *extra: str) -> set[str]:
    args = [
        "notice",
        str(ds),
        "--kind",
        "identification",
        "--date",
        "2016-03-01",
        "--out",
        str(out),
        "--no-docx",
        "--jobs",
        "1",
    ]
    r = CliRunner().invoke(app, [*args, *extra])
    assert r.exit_code in (0, 1), r.output
    return notice_texts(out / "notice" / "identification")


def test_notice_templates_profile_then_dataset_then_run_folder(county, tmp_path):
    profile = tmp_path / "hubei"
    template(profile / "templates", NOTICE, "PROFILE")
    assert _notice(county, tmp_path / "o1") == {"PROFILE"}
    template(county / "templates", NOTICE, "DATASET")  # the dataset's own folder beats the profile's
    assert _notice(county, tmp_path / "o2") == {"DATASET"}
    template(tmp_path / "tpl", NOTICE, "RUN")  # --templates beats both
    assert _notice(county, tmp_path / "o3", "--templates", str(tmp_path / "tpl")) == {"RUN"}


def test_profile_from_the_environment_reaches_the_notices(tmp_path, monkeypatch):
    ds = write_dataset(tmp_path / "ds")
    template(tmp_path / "elsewhere" / "templates", NOTICE, "ENV")
    monkeypatch.setenv(PROFILE_ENV, str(tmp_path / "elsewhere"))
    assert _notice(ds, tmp_path / "o") == {"ENV"}


def test_a_missing_templates_folder_is_still_exit_3(county, tmp_path):
    (tmp_path / "hubei").mkdir()
    args = ["notice", str(county), "--date", "2016-03-01", "--out", str(tmp_path / "o"), "--no-docx", "--jobs", "1"]
    r = CliRunner().invoke(app, [*args, "--templates", str(tmp_path / "nowhere")])
    assert r.exit_code == 3 and "nowhere" in r.output


def test_a_profile_schema_changes_validate_findings(county, tmp_path):
    (tmp_path / "hubei").mkdir()
    r = CliRunner().invoke(app, ["validate", str(county), "--out", str(tmp_path / "o1"), "--no-xlsx", "--jobs", "1"])
    assert r.exit_code in (0, 1), r.output
    assert household_size_findings(tmp_path / "o1" / "validate" / "findings.csv").empty
    tight_households(tmp_path / "hubei" / "schemas")
    r = CliRunner().invoke(app, ["validate", str(county), "--out", str(tmp_path / "o2"), "--no-xlsx", "--jobs", "1"])
    assert r.exit_code == 1, r.output
    found = household_size_findings(tmp_path / "o2" / "validate" / "findings.csv")
    assert len(found) and set(found["detail"]) == {"[1, 2]"}


def test_schema_lookup_per_table_first_folder_wins(county, tmp_path):
    mine = tight_households(tmp_path / "hubei" / "schemas").resolve()
    folders = sources_for(county).folders().schemas
    assert schema_path("households", folders) == mine
    assert schema_path("members", folders) == resource_dir("schemas").resolve() / "members.yaml"
    check = load_schema("households", folders).columns["household_size"].checks[0]
    assert check.statistics["max_value"] == 2
    assert load_schema("households").columns["household_size"].checks[0].statistics["max_value"] == 20


CHECKED = "    checks:\n      in_range: {min_value: 1, max_value: 2,"
FLAT = "    in_range: {min_value: 1, max_value: 2,"  # a check beside checks: (pandera would drop it silently)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [(CHECKED, FLAT, "in_range"), ("columns:", "columns: [", "households.yaml"), ("V-RANGE", "V-RANGEE", "V-RANGEE")],
)
def test_an_invalid_profile_schema_is_exit_3_naming_the_file(county, tmp_path, old, new, said):
    path = tight_households(tmp_path / "hubei" / "schemas")
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_schema("households", sources_for(county).folders().schemas)
    assert str(path.resolve()) in e.value.message and said in e.value.message
    r = CliRunner().invoke(app, ["validate", str(county), "--out", str(tmp_path / "o"), "--no-xlsx", "--jobs", "1"])
    assert r.exit_code == 3 and "households.yaml" in r.output
    with pytest.raises(InputError):  # run stops before reading, as for a broken parameter file
        run_pipeline(county, tmp_path / "run", RunOptions(jobs=1))
    assert not (tmp_path / "run").exists()


def test_run_uses_the_profile_templates_and_schemas(county, tmp_path):
    template(tmp_path / "hubei" / "templates", NOTICE, "PROFILE")
    (tmp_path / "hubei" / "templates" / REPORT).parent.mkdir()
    (tmp_path / "hubei" / "templates" / REPORT).write_text("PROFILE-REPORT\n", encoding="utf-8")
    tight_households(tmp_path / "hubei" / "schemas")
    options = RunOptions(xlsx=False, docx=False, books=False, jobs=1, notice_date=date(2016, 3, 1))
    result = run_pipeline(county, tmp_path / "out", options)
    assert notice_texts(tmp_path / "out" / "notice" / "identification") == {"PROFILE"}
    assert (tmp_path / "out" / REPORT).read_text(encoding="utf-8") == "PROFILE-REPORT\n"
    found = household_size_findings(tmp_path / "out" / "validate" / "findings.csv")
    assert len(found) and set(found["detail"]) == {"[1, 2]"}
    assert result.exit_code == 1


def test_exclusion_sources_are_names_taken_whole_from_the_highest_layer(county, tmp_path):
    """They name crosscheck sources (车辆 …), not files: nothing is resolved against a folder; the
    dataset's list replaces the profile's, which replaces the default, and each records its file."""
    profile = tmp_path / "hubei"
    profile.mkdir()
    (profile / "params.toml").write_text("[identify]\nexclusion_sources = ['车辆', '商品房']\n", encoding="utf-8")
    p = Params.load(county)
    assert p.settings.identify.exclusion_sources == ("车辆", "商品房")
    assert p.origin_of("identify.exclusion_sources") == str(profile / "params.toml")
    toml = county / "jingzhun.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[identify]\nexclusion_sources = ['村干部']\n", "utf-8")
    q = Params.load(county)
    assert q.settings.identify.exclusion_sources == ("村干部",)
    assert q.origin_of("identify.exclusion_sources") == str(toml)


# ---- a province run: the driver resolves the folders once, every county task gets them ----------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from jingzhun.province.ingest import ingest
    from jingzhun.sample.build import build

    root = tmp_path_factory.mktemp("store")
    src = root / "src"
    src.mkdir()
    build(src, 10, [2016], 5, county="421121")
    ingest([src], root / "store")
    return root / "store"


class Recording:
    """An executor that keeps the county task specs it is given and runs none of them."""

    jobs = 1
    shares_memory = True

    def __init__(self) -> None:
        self.specs: list[Any] = []

    def submit(self, fn: Any, /, *args: Any) -> Future[Any]:
        from jingzhun.province.tasks import TaskResult

        self.specs.append(args[0])
        fut: Future[Any] = Future()
        fut.set_result(TaskResult(county=args[0].county, year=args[0].year, ok=False, error="not run"))
        return fut

    def map(self, fn: Any, items: Any) -> list[Any]:
        return [fn(i) for i in items]

    def close(self) -> None:
        return None

    def terminate(self) -> None:
        return None


def test_a_province_run_gives_its_county_tasks_the_run_folders(store, tmp_path, monkeypatch):
    from jingzhun.province.run import run_store
    from jingzhun.province.tasks import run_county

    profile = tmp_path / "hubei"
    (profile / "templates" / "report").mkdir(parents=True)
    (profile / "templates" / REPORT).write_text("PROFILE-REPORT\n", encoding="utf-8")
    tight_households(profile / "schemas")
    monkeypatch.setenv(PROFILE_ENV, str(profile))
    options = RunOptions(year=2016, xlsx=False, docx=False, books=False, notice_date=date(2016, 3, 1))
    recording = Recording()
    run_store(store, tmp_path / "out", options, recording, None)  # the driver resolves the folders once
    (spec,) = recording.specs
    assert spec.folders == sources_for(None).folders()
    spec = pickle.loads(pickle.dumps(replace(spec, stage=str(tmp_path / "stage"))))  # plain: any executor, machine
    monkeypatch.delenv(PROFILE_ENV)  # a worker without the driver's environment: the spec carries the folders
    assert run_county(spec).ok
    county = tmp_path / "stage" / "counties" / spec.county
    assert (county / REPORT).read_text(encoding="utf-8") == "PROFILE-REPORT\n"
    assert len(household_size_findings(county / "validate" / "findings.csv"))


def test_a_province_task_without_folders_uses_the_packaged_ones(store, tmp_path):
    from jingzhun.province.run import task_specs

    spec = task_specs(store, 2016, tmp_path, RunOptions(year=2016))[0]
    assert spec.folders == Folders() and (spec.templates, spec.schemas) == ((), ())
