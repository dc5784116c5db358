"""load_year / load_file and the column registry."""

from __future__ import annotations

import hashlib
import time

import pandas as pd
import pytest

from jingzhun.catalogue import CATALOGUE
from jingzhun.dataset import Dataset, load_file, load_year
from jingzhun.errors import InputError, JingzhunError, UsageError
from jingzhun.schema import columns as reg
from jingzhun.tables import TABLES

HH = "户编号,户主姓名\n1,张三\n2,李四\n"
MM = "户编号,证件号码,姓名\n1,421121199001011236,张三\n"


def make(tmp_path, files):
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("gbk") if rel.endswith(".csv") else text.encode())
    return Dataset.open(tmp_path)


def test_load_year_frames_sources_and_optional_tables(tmp_path):
    ds = make(tmp_path, {"2016/农户信息.csv": HH, "2016/家庭成员.csv": MM, "2016/notes.txt.bak": "x"})
    yd = load_year(ds, 2016)
    assert yd.year == 2016
    assert set(yd.frames) == {"households", "members"}  # optional tables absent, not empty
    src = yd.sources["households"]
    raw = (tmp_path / "2016/农户信息.csv").read_bytes()
    assert src.sha256 == hashlib.sha256(raw).hexdigest()
    assert src.size == len(raw) and src.rows == 2 and src.format == "csv" and src.encoding == "gb18030"
    assert src.header_row == 1
    assert [d["table"] for d in yd.manifest_inputs()] == ["households", "members"]
    # missing required columns are findings, not exceptions
    assert "V-COLUMN-MISSING" in set(yd.findings.frame()["code"])


def test_load_year_subset_of_tables(tmp_path):
    ds = make(tmp_path, {"2016/households.csv": HH, "2016/members.csv": MM})
    assert set(load_year(ds, 2016, ["members"]).frames) == {"members"}
    with pytest.raises(UsageError):
        load_year(ds, 2016, ["nope"])


def test_missing_required_table_named(tmp_path):
    ds = make(tmp_path, {"2016/households.csv": HH})
    with pytest.raises(InputError) as e:
        load_year(ds, 2016)
    assert "members" in e.value.message
    assert set(load_year(ds, 2016, ["households"]).frames) == {"households"}


def test_missing_year_folder(tmp_path):
    ds = make(tmp_path, {"2016/households.csv": HH, "2016/members.csv": MM})
    with pytest.raises(JingzhunError) as e:
        load_year(ds, 2017)
    assert "2017" in e.value.message


def test_two_files_for_one_table(tmp_path):
    ds = make(tmp_path, {"2016/households.csv": HH, "2016/农户信息.csv": HH, "2016/members.csv": MM})
    with pytest.raises(InputError) as e:
        load_year(ds, 2016)
    assert "households.csv" in e.value.message and "农户信息.csv" in e.value.message


def test_load_file_with_table_option(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UsageError):
        load_file(p)
    yd = load_file(p, "households")
    assert yd.year is None and set(yd.frames) == {"households"}
    assert {"V-COLUMN-UNKNOWN", "V-COLUMN-MISSING"} <= set(yd.findings.frame()["code"])


# ---- registry ---------------------------------------------------------------------------------


def test_registry_covers_every_table_with_valid_types():
    assert set(reg.COLUMNS) == set(TABLES)
    for table, cols in reg.COLUMNS.items():
        assert reg.key_column(table) in cols
        for c in cols.values():
            assert c.type in reg.TYPES
            assert (c.type in ("enum", "multi")) == bool(c.labels), (table, c.name)
            for v, target in c.variants.items():
                if c.type in ("enum", "multi"):
                    assert target in c.labels, (table, c.name, v, target)


def test_registry_facts_of_the_contract():
    assert reg.enum_labels("households", "category") == ("一般贫困户", "低保贫困户", "特困供养贫困户")
    assert "main_cause" not in reg.required_columns("households")
    assert reg.conditional_columns("households") == {"main_cause": "registered"}
    assert {"household_id", "village_code", "head_id_number", "phone", "bank_account", "cadre_id"} <= set(
        reg.identifier_columns("households")
    )
    assert "payee_id_number" in reg.identifier_columns("payments")
    assert reg.header_map("households")[reg.key("AAC001")] == "household_id"
    assert reg.header_map("members")[reg.key("AAB004")] == "id_number"
    assert reg.header_map("households")[reg.key("乡（镇）")] == "township_name"
    assert reg.normalize_label("members", "relation", "本人") == "户主"
    assert reg.normalize_label("households", "status", "3") == "返贫"
    assert reg.normalize_label("households", "main_cause", "09") == "缺资金"
    assert reg.normalize_label("households", "main_cause", "9") == "缺资金"
    assert reg.normalize_label("households", "main_cause", "外星") is None
    s = pd.Series(["五保贫困户", None, "x"], dtype="str")
    out = reg.normalize_labels("households", "category", s)
    assert out.iloc[0] == "特困供养贫困户" and out.iloc[1:].isna().all()


def test_header_aliases_do_not_collide_within_a_table():
    for table in TABLES:
        seen: dict[str, str] = {}
        for c in reg.columns(table).values():
            for h in (c.name, *c.aliases, *c.codes):
                k = reg.key(h)
                assert seen.get(k, c.name) == c.name, (table, h, seen.get(k), c.name)
                seen[k] = c.name


def test_io_codes_catalogued():
    for code in (
        "V-READ-TITLE-ROWS",
        "V-READ-TOTAL-ROW",
        "V-COLUMN-MISSING",
        "V-ENUM-UNKNOWN",
        "V-ID-EXCEL-DAMAGED",
        "V-ID-DOT0-REPAIRED",
        "V-READ-EMPTY-FILE",
        "V-READ-NO-ROWS",
        "V-READ-BAD-LINE",
    ):
        r = CATALOGUE[code]
        assert r.zh and r.en and r.basis_zh


def _messy_year(tmp_path):
    """Two required tables and two optional ones, each with its own reading findings."""
    return make(
        tmp_path,
        {
            "2016/households.csv": "户编号,户主姓名,不认识的列\n1,张三,x\n2,李四,y\n合计,,\n",
            "2016/members.csv": "户编号,证件号码,姓名,另一列\n1,421121199001011236,张三,z\n",
            "2016/villages.csv": "村代码,村名称,多余\n421121100001,甲村,q\n",
            "2016/dibao.csv": "证件号码,姓名,怪列\n421121199001011236,张三,w\n",
        },
    )


def test_tables_read_on_threads_give_what_one_by_one_gives(tmp_path, monkeypatch):
    import jingzhun.dataset as dataset

    ds = _messy_year(tmp_path)
    monkeypatch.setattr(dataset, "READ_THREADS", 1)
    serial = load_year(ds, 2016)
    monkeypatch.setattr(dataset, "READ_THREADS", 4)
    read_table = dataset.read_table

    def first_last(path, table, **kw):  # the first table asked for finishes last
        if table == "households":
            time.sleep(0.3)
        return read_table(path, table, **kw)

    monkeypatch.setattr(dataset, "read_table", first_last)
    threaded = load_year(ds, 2016)
    assert list(threaded.frames) == list(serial.frames) == ["households", "members", "villages", "dibao"]
    for tb in serial.frames:
        pd.testing.assert_frame_equal(threaded.frames[tb], serial.frames[tb])
    pd.testing.assert_frame_equal(threaded.findings.frame(), serial.findings.frame())
    # the findings come table by table, in the order the tables were asked for
    tables = list(dict.fromkeys(threaded.findings.frame()["table"]))
    assert tables == ["households", "members", "villages", "dibao"]
    assert threaded.manifest_inputs() == serial.manifest_inputs()


def test_threaded_reading_raises_the_first_tables_error(tmp_path, monkeypatch):
    import jingzhun.dataset as dataset

    monkeypatch.setattr(dataset, "READ_THREADS", 4)
    read_table = dataset.read_table

    def members_last(path, table, **kw):  # the first failing table finishes after the second
        if table == "members":
            time.sleep(0.3)
        return read_table(path, table, **kw)

    monkeypatch.setattr(dataset, "read_table", members_last)
    ds = _messy_year(tmp_path)
    (tmp_path / "2016/households.csv").write_bytes(b"")  # an empty required file reads as a finding
    (tmp_path / "2016/members.parquet").write_bytes(b"PAR1 not parquet")
    (tmp_path / "2016/members.csv").unlink()
    (tmp_path / "2016/dibao.csv").unlink()
    (tmp_path / "2016/dibao.parquet").write_bytes(b"PAR1 broken too")
    with pytest.raises(InputError) as e:
        load_year(ds, 2016)
    assert "members.parquet" in e.value.message  # the first failing table in order, not whichever finished first
    # tolerant: the optional table is left out with its error, the rest are read; a required one still stops
    (tmp_path / "2016/members.parquet").unlink()
    (tmp_path / "2016/members.csv").write_text("户编号,证件号码,姓名\n1,421121199001011236,张三\n", encoding="utf-8")
    yd = load_year(ds, 2016, tolerant=True)
    assert set(yd.frames) == {"households", "members", "villages"}
    assert "dibao.parquet" in yd.broken["dibao"]
