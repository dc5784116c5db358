"""Policy parameters: defaults, dataset and run overrides, origins, errors (contract §4)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.errors import ConfigError
from jingzhun.params import DATASET_FILE, Params


def dataset(tmp_path, toml: str | None = None, years=(2016,)):
    for y in years:
        (tmp_path / str(y)).mkdir()
    if toml is not None:
        (tmp_path / DATASET_FILE).write_text(toml, encoding="utf-8")
    return tmp_path


def test_defaults_keyed_by_income_year():
    p = Params.load()
    assert p.poverty_line(2013) == 2736
    assert p.poverty_line(2020) == 4000
    assert p.exit_line(2013) == 2736  # defaults to the poverty line
    assert p.get("identify.edge_multiplier") == 1.5
    assert "pension_benefit" not in p.get("identify.counted_transfers")
    assert p.origin_of("poverty_line.2013") == "default"


def test_run_file_beats_dataset_file_beats_default(tmp_path):
    ds = dataset(tmp_path, "[identify]\nedge_multiplier = 1.8\nincome_tolerance = 2.0\n[poverty_line]\n2016 = 3000\n")
    run = tmp_path / "run.toml"
    run.write_text("[identify]\nedge_multiplier = 2.0\n", encoding="utf-8")
    p = Params.load(ds, run)
    assert p.get("identify.edge_multiplier") == 2.0 and p.origin_of("identify.edge_multiplier") == str(run)
    assert p.get("identify.income_tolerance") == 2.0
    assert p.origin_of("identify.income_tolerance") == str(ds / DATASET_FILE)
    assert p.poverty_line(2016) == 3000
    assert p.get("identify.school_age_min") == 7 and p.origin_of("identify.school_age_min") == "default"
    recs = {r["name"]: r for r in p.records()}
    assert recs["identify.edge_multiplier"] == {"name": "identify.edge_multiplier", "value": 2.0, "origin": str(run)}
    assert [r["name"] for r in p.records()] == sorted(recs)


def test_open_tables_accept_new_keys(tmp_path):
    run = tmp_path / "run.toml"
    run.write_text("[poverty_line]\n2021 = 4200\n[exit_line]\n2021 = 4500\n", encoding="utf-8")
    p = Params.load(None, run)
    assert p.poverty_line(2021) == 4200 and p.exit_line(2021) == 4500


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[identify]\nedge_multipler = 1.5\n", "identify.edge_multipler"),  # unknown key
        ('[identify]\nedge_multiplier = "1.5"\n', "identify.edge_multiplier"),  # text for a number
        ("[identify]\nexempt_disabled_home_schooling = 1\n", "identify.exempt_disabled_home_schooling"),
        ("[identify]\nschool_age_min = 7.5\n", "identify.school_age_min"),  # fraction for a whole number
        ('[identify]\ncounted_transfers = "dibao_benefit"\n', "identify.counted_transfers"),
        ('[poverty_line]\n2016 = "high"\n', "poverty_line.2016"),
        ('[cadre_caps]\n"县处级" = 2.5\n', "cadre_caps.县处级"),
        ("[nonsense]\nx = 1\n", "nonsense.x"),
    ],
)
def test_bad_override_is_config_error_naming_the_key(tmp_path, text, needle):
    ds = dataset(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert needle in e.value.message


def test_invalid_toml_is_config_error(tmp_path):
    ds = dataset(tmp_path, "[identify\n")
    with pytest.raises(ConfigError, match="TOML|格式"):
        Params.load(ds)


def test_missing_run_file_is_config_error(tmp_path):
    with pytest.raises(ConfigError):
        Params.load(None, tmp_path / "nope.toml")


def test_year_without_line_names_the_parameter():
    with pytest.raises(ConfigError) as e:
        Params.load().poverty_line(2009)
    assert "poverty_line.2009" in e.value.message


def test_whole_number_given_as_float_is_accepted(tmp_path):
    run = tmp_path / "r.toml"
    run.write_text("[identify]\nschool_age_max = 16.0\n", encoding="utf-8")
    assert Params.load(None, run).get("identify.school_age_max") == 16


runner = CliRunner()


def test_params_command_shows_values_and_origins(tmp_path):
    ds = dataset(tmp_path, "[poverty_line]\n2015 = 2900\n", years=(2015, 2016))
    r = runner.invoke(app, ["params", str(ds), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["data_year"] == 2016 and out["income_year"] == 2015
    assert out["poverty_line"] == 2900
    rec = {x["name"]: x for x in out["parameters"]}
    assert rec["poverty_line.2015"]["origin"].endswith(DATASET_FILE)
    r = runner.invoke(app, ["params", str(ds), "--year", "2015", "--json"])
    assert json.loads(r.stdout)["poverty_line"] == 2800  # income year 2014


def test_params_command_exit_3_on_bad_dataset_file(tmp_path):
    ds = dataset(tmp_path, "[identify]\nbogus = 1\n")
    r = runner.invoke(app, ["params", str(ds)])
    assert r.exit_code == 3
    assert "identify.bogus" in r.stderr


def test_params_command_exit_3_without_line_for_the_year(tmp_path):
    ds = dataset(tmp_path, years=(2031,))
    r = runner.invoke(app, ["params", str(ds)])
    assert r.exit_code == 3
    assert "poverty_line.2030" in r.stderr


def test_params_command_missing_year_is_usage_error(tmp_path):
    ds = dataset(tmp_path)
    r = runner.invoke(app, ["params", str(ds), "--year", "2014"])
    assert r.exit_code == 2


# ---- ranges (issue 17 item 4) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "value", "allowed"),
    [
        ("[notice_days]\nhouseholds = 0\n", "notice_days.households", "0", "[1, 365]"),  # days
        ("[notice_days]\nprojects = -5\n", "notice_days.projects", "-5", "[1, 365]"),
        ("[notice_days]\nhouseholds = 99999999\n", "notice_days.households", "99999999", "[1, 365]"),
        ("[poverty_line]\n2015 = -1\n", "poverty_line.2015", "-1", "(0, 1e+09]"),  # money > 0
        ("[poverty_line]\n2015 = nan\n", "poverty_line.2015", "nan", "(0, 1e+09]"),  # not finite
        ('[subsidy_caps]\n"新措施" = inf\n', "subsidy_caps.新措施", "inf", "(0, 1e+09]"),  # open table, new key
        ("[audit]\ncontract_threshold = -inf\n", "audit.contract_threshold", "-inf", "[0, 1e+09]"),
        ("[region]\nexit_incidence = 1.5\n", "region.exit_incidence", "1.5", "[0, 1]"),  # fraction
        ("[match]\nname_confirm = -0.1\n", "match.name_confirm", "-0.1", "[0, 1]"),
        ("[village_rule]\nincidence_multiple = 0\n", "village_rule.incidence_multiple", "0", "(0, 100]"),  # multiplier
        ("[identify]\nedge_multiplier = 0.5\n", "identify.edge_multiplier", "0.5", "[1, 10]"),
        ('[cadre_caps]\n"村干部" = 0\n', "cadre_caps.村干部", "0", "[1, 1000]"),  # count
        ("[plan]\nfinal_exit_year = 20200\n", "plan.final_exit_year", "20200", "[2000, 2100]"),  # year
        ('[county]\ncode = "4211211"\n', "county.code", "4211211", "2, 4 or 6 digits"),  # text form
        ('[village_rule]\nmode = "some"\n', "village_rule.mode", "some", "all / two_of_three"),
    ],
)
def test_out_of_range_parameter_names_key_value_range_and_file(tmp_path, text, key, value, allowed):
    ds = dataset(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    msg = e.value.message
    assert key in msg and value in msg and allowed in msg and str(ds / DATASET_FILE) in msg


def test_out_of_range_in_run_file_names_the_run_file(tmp_path):
    run = tmp_path / "run.toml"
    run.write_text("[notice_days]\nhouseholds = -5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        Params.load(None, run)
    assert str(run) in e.value.message


def test_values_at_the_bounds_are_accepted(tmp_path):
    ds = dataset(
        tmp_path,
        "[notice_days]\nhouseholds = 365\nprojects = 1\n[region]\nexit_incidence = 0\n"
        '[match]\nname_confirm = 1.0\n[county]\ncode = "42"\n',
    )
    p = Params.load(ds)
    assert p.get("notice_days.households") == 365 and p.get("county.code") == "42"


def test_every_numeric_default_has_a_range_and_lies_in_it():
    from jingzhun.params import range_of

    p = Params.load()
    numeric = [k for k, v in p.values.items() if isinstance(v, (int, float)) and not isinstance(v, bool)]
    assert numeric
    missing = [k for k in numeric if range_of(k) is None]
    assert missing == []
    assert all(range_of(k).ok(float(p.values[k])) for k in numeric)


def test_cli_exit_3_on_out_of_range_parameter(tmp_path):
    ds = dataset(tmp_path, "[notice_days]\nhouseholds = -5\n")
    r = runner.invoke(app, ["params", str(ds)])
    assert r.exit_code == 3
    assert "notice_days.households" in r.stderr and "-5" in r.stderr and "[1, 365]" in r.stderr


def test_school_age_min_above_max_is_config_error(tmp_path):
    ds = dataset(tmp_path, "[identify]\nschool_age_min = 16\n")
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert "identify.school_age_min = 16" in e.value.message and "identify.school_age_max = 15" in e.value.message
    assert str(ds / DATASET_FILE) in e.value.message


# ---- typed settings -------------------------------------------------------------------------


def test_settings_sections_match_the_packaged_file():
    """Every key of params_default.toml is a typed field, and every field has a default."""
    import typing
    from dataclasses import fields

    from jingzhun.params import DEFAULTS_FILE, OPEN_TABLES, Settings, _read_toml

    raw = _read_toml(DEFAULTS_FILE)
    hints = typing.get_type_hints(Settings)
    for f in fields(Settings):
        assert f.name in raw, f.name
        if f.name not in OPEN_TABLES:
            assert {g.name for g in fields(hints[f.name])} == set(raw[f.name]), f.name
    assert {f.name for f in fields(Settings)} == set(raw)


def test_settings_are_typed_and_frozen(tmp_path):
    from dataclasses import FrozenInstanceError

    ds = dataset(tmp_path, "[audit]\nidle_days = 400.0\n[identify]\ncounted_transfers = ['dibao_benefit']\n")
    s = Params.load(ds).settings
    assert s.audit.idle_days == 400 and isinstance(s.audit.idle_days, int)  # 400.0 in the file, a whole number
    assert isinstance(s.identify.edge_multiplier, float) and s.identify.edge_multiplier == 1.5
    assert s.identify.counted_transfers == ("dibao_benefit",)
    assert s.poverty_line[2016] == 2952.0 and s.cadre_caps["县处级"] == 8
    with pytest.raises(FrozenInstanceError):
        s.audit.idle_days = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.cadre_caps["县处级"] = 1  # type: ignore[index]


def test_settings_follow_a_changed_value():
    """A value derived after loading (the county from the data) shows in the settings."""
    p = Params.load()
    assert p.settings.county.code == ""
    p.values["county.code"] = "421121"
    assert p.settings.county.code == "421121"


def test_settings_survive_pickling():
    """Params go to worker processes by pickle (spawn): values, origins and settings come back."""
    import pickle

    p = Params.load()
    p.values["audit.idle_days"] = 30
    q = pickle.loads(pickle.dumps(p))
    assert q.settings.audit.idle_days == 30 and q.origins == p.origins
    q.values["audit.idle_days"] = 31
    assert q.settings.audit.idle_days == 31 and p.settings.audit.idle_days == 30


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[audit]\nidle_dayz = 3\n", ("未知参数 audit.idle_dayz",)),
        ('[audit]\nidle_days = "a year"\n', ("参数 audit.idle_days 类型错误", "整数")),
        ("[identify]\nexempt_disabled_home_schooling = 1\n", ("identify.exempt_disabled_home_schooling", "true/false")),
    ],
)
def test_unknown_key_and_wrong_type_name_the_key_and_the_file(tmp_path, text, words):
    ds = dataset(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert str(ds / DATASET_FILE) in e.value.message
    for w in words:
        assert w in e.value.message


def test_a_poverty_line_key_that_is_not_a_year_names_key_and_file(tmp_path):
    ds = dataset(tmp_path, '[poverty_line]\n"2016年" = 3000\n')
    with pytest.raises(ConfigError) as e:
        Params.load(ds)
    assert "poverty_line.2016年" in e.value.message and str(ds / DATASET_FILE) in e.value.message
