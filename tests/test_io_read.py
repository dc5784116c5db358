"""Reading real-looking exports: encodings, title/total rows, headers, values, damaged IDs, bad files."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import xlsxwriter

from jingzhun.errors import InputError, UsageError
from jingzhun.io.read import detect_encoding, read_table
from jingzhun.schema import columns as reg

HEAD = (
    "户编号,行政村代码,户主姓名,户主身份证号,家庭人口数,是否建档立卡,工资性收入,生产经营性收入,财产性收入,"
    "生产经营性支出,是否危房户,饮水是否安全"
)
ROW1 = "42112110000101,421121100201,张三,421121199001011236,3,是,1000,0,0,0,否,是"
ROW2 = "42112110000102,421121100201,李四,421121199001011252,2,否,2000,0,0,0,否,是"


def _csv(tmp_path, text, name="households.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def codes(res):
    return res.findings.frame()["code"].tolist()


# ---- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_detected(tmp_path, encoding):
    p = _csv(tmp_path, f"{HEAD}\n{ROW1}\n{ROW2}\n", encoding=encoding)
    res = read_table(p)
    assert res.info.table == "households"
    assert res.frame["head_name"].tolist() == ["张三", "李四"]
    assert codes(res) == []


def test_gbk_file_with_characters_outside_gb2312(tmp_path):
    # 镕 and 喆 are in GBK but not GB2312; 䶮 is only in GB18030.
    text = f"{HEAD}\n{ROW1.replace('张三', '朱镕喆')}\n{ROW2.replace('李四', '刘䶮')}\n"
    p = _csv(tmp_path, text, encoding="gb18030")
    assert detect_encoding(p) == "gb18030"
    res = read_table(p)
    assert res.frame["head_name"].tolist() == ["朱镕喆", "刘䶮"]


def test_encoding_override(tmp_path):
    p = _csv(tmp_path, f"{HEAD}\n{ROW1}\n", encoding="gbk")
    assert read_table(p, encoding="gbk").frame["head_name"].tolist() == ["张三"]
    with pytest.raises(UsageError):
        read_table(p, encoding="no-such-codec")


@pytest.mark.parametrize("delim", [",", "\t", ";"])
def test_delimiter_sniffed(tmp_path, delim):
    p = _csv(tmp_path, f"{HEAD}\n{ROW1}\n".replace(",", delim))
    res = read_table(p)
    assert res.info.delimiter == delim
    assert res.frame["household_size"].tolist() == [3]


# ---- title, header, total rows ------------------------------------------------------------


def _xlsx(path, rows, merge=None):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("花名册")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is None:
                continue
            if isinstance(v, int | float):
                ws.write_number(i, j, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(i, j, dt.datetime.combine(v, dt.time()), wb.add_format({"num_format": "yyyy-mm-dd"}))
            else:
                ws.write_string(i, j, v)
    for m in merge or []:
        ws.merge_range(*m)
    wb.close()
    return path


def test_xlsx_title_row_and_total_row_skipped(tmp_path):
    head = HEAD.split(",")
    rows = [
        ["团风县2016年建档立卡贫困户花名册"] + [None] * (len(head) - 1),
        head,
        ROW1.split(","),
        ROW2.split(","),
        ["合计", None, None, None, 5],
    ]
    p = _xlsx(tmp_path / "贫困户.xlsx", rows)
    res = read_table(p)
    assert res.info.table == "households"
    assert len(res.frame) == 2
    assert res.frame["_row"].tolist() == [1, 2]
    assert res.info.header_row == 2
    assert res.info.skipped_rows == [1, 5]
    c = codes(res)
    assert "V-READ-TITLE-ROWS" in c and "V-READ-TOTAL-ROW" in c
    f = res.findings.frame().set_index("code")
    assert f.loc["V-READ-TITLE-ROWS", "value"] == "团风县2016年建档立卡贫困户花名册"
    assert f.loc["V-READ-TOTAL-ROW", "row"] == 3


def test_no_title_no_total_gives_no_warning(tmp_path):
    p = _xlsx(tmp_path / "households.xlsx", [HEAD.split(","), ROW1.split(",")])
    res = read_table(p)
    assert codes(res) == []
    assert res.info.skipped_rows == []


def test_csv_title_and_total_rows(tmp_path):
    p = _csv(tmp_path, f"团风县花名册,,,\n{HEAD}\n{ROW1}\n总计,,,,3,,,,,,,\n", encoding="gbk")
    res = read_table(p)
    assert len(res.frame) == 1
    assert {"V-READ-TITLE-ROWS", "V-READ-TOTAL-ROW"} <= set(codes(res))


def test_two_row_merged_header_combined(tmp_path):
    top = [
        "户编号",
        "行政村代码",
        "户主姓名",
        "户主身份证号",
        "家庭人口数",
        "是否建档立卡",
        "家庭收入情况",
        None,
        None,
        None,
        "是否危房户",
        "饮水是否安全",
    ]
    sub = [
        None,
        None,
        None,
        None,
        None,
        None,
        "工资性收入",
        "生产经营性收入",
        "财产性收入",
        "生产经营性支出",
        None,
        None,
    ]
    merges = [(0, 6, 0, 9, "家庭收入情况")] + [(0, j, 1, j, top[j]) for j in (0, 1, 2, 3, 4, 5, 10, 11)]
    p = _xlsx(tmp_path / "households.xlsx", [top, sub, ROW1.split(",")], merge=merges)
    res = read_table(p)
    assert res.frame["wage_income"].tolist() == [1000.0]
    assert res.frame["household_id"].tolist() == ["42112110000101"]
    assert "V-READ-TWO-ROW-HEADER" in codes(res)
    assert "V-COLUMN-UNKNOWN" not in codes(res)
    assert res.frame["_row"].tolist() == [1]


# ---- headers -------------------------------------------------------------------------------


def test_header_variants_codes_and_brackets(tmp_path):
    text = (
        "AAC001,村代码,AAC029, 户主证件号码 ,AAC017,是否建档立卡,工资性收入（元）,AAC071,财产性收入,AAC074,"
        "是否危房户,饮水是否安全,乡（镇）\n"
    )
    text += ROW1 + ",团风镇\n"
    res = read_table(_csv(tmp_path, text))
    assert {
        "household_id",
        "village_code",
        "head_name",
        "head_id_number",
        "household_size",
        "wage_income",
        "business_income",
        "business_expense",
        "township_name",
    } <= set(res.frame.columns)
    assert codes(res) == []


def test_unknown_duplicate_and_missing_columns(tmp_path):
    text = "户编号,户主姓名,备注,户编号\n1,张三,x,2\n"
    res = read_table(_csv(tmp_path, text), "households")
    c = codes(res)
    assert "V-COLUMN-UNKNOWN" in c and "V-COLUMN-DUPLICATE" in c
    assert "备注" not in res.frame.columns  # reported, not read
    assert res.frame["household_id"].tolist() == ["1"]  # the first one is kept
    missing = set(res.findings.frame().query("code == 'V-COLUMN-MISSING'")["column"])
    assert missing == set(reg.required_columns("households")) - {"household_id", "head_name"}
    assert res.frame["head_id_number"].isna().all()
    assert res.frame["wage_income"].dtype == "Float64"
    dup = res.findings.frame().query("code == 'V-COLUMN-DUPLICATE'")["detail"].iloc[0]
    assert "1" in dup and "4" in dup


def test_table_inferred_from_headers_or_asked(tmp_path):
    res = read_table(_csv(tmp_path, f"{HEAD}\n{ROW1}\n", name="export.csv"))
    assert res.info.table == "households"
    with pytest.raises(UsageError):
        read_table(_csv(tmp_path, "a,b\n1,2\n", name="other.csv"))


# ---- values --------------------------------------------------------------------------------


def test_bool_values_all_forms(tmp_path):
    vals = ["是", "否", "有", "无", "Y", "N", "1", "0", "true", "false", "√", "×", "Ｙ", "maybe"]
    text = "证件号码,是否参加大病保险\n" + "".join(f"x{i},{v}\n" for i, v in enumerate(vals))
    res = read_table(_csv(tmp_path, text, name="members.csv"))
    got = res.frame["critical_illness_insurance"].tolist()
    assert got[:13] == [True, False, True, False, True, False, True, False, True, False, True, False, True]
    assert pd.isna(got[13])
    bad = res.findings.frame().query("code == 'V-VALUE-NOT-BOOL'")
    assert bad[["row", "value", "key"]].values.tolist() == [[14, "maybe", "x13"]]


def test_dates_mixed_formats_in_one_column(tmp_path):
    vals = [
        "2016-03-01",
        "2016/3/1",
        "2016年3月1日",
        "20160301",
        "42430",
        "2016.3.1",
        "２０１６-03-01",
        "2016-03-01 00:00:00",
        "2016-02-30",
        "昨天",
    ]
    text = "证件号码,出生日期\n" + "".join(f"x{i},{v}\n" for i, v in enumerate(vals))
    res = read_table(_csv(tmp_path, text, name="members.csv"))
    d = res.frame["birth_date"]
    assert (d.iloc[:8] == pd.Timestamp("2016-03-01")).all()
    assert d.iloc[8:].isna().all()
    bad = res.findings.frame().query("code == 'V-VALUE-NOT-DATE'")
    assert bad["value"].tolist() == ["2016-02-30", "昨天"]
    assert bad["row"].tolist() == [9, 10]


def test_excel_date_cells(tmp_path):
    p = _xlsx(tmp_path / "members.xlsx", [["证件号码", "出生日期"], ["a", dt.date(1990, 1, 1)], ["b", 32874]])
    d = read_table(p).frame["birth_date"].tolist()
    assert d == [pd.Timestamp("1990-01-01"), pd.Timestamp("1990-01-01")]


def test_money_int_year_values(tmp_path):
    text = "户编号,工资性收入,家庭人口数,首次识别年度\n"
    text += 'a,"1,234.50",３,2014年\nb,1234.5元,2.0,2015\nc,１２３,2.5,16\nd,abc,x,\n'
    res = read_table(_csv(tmp_path, text), "households")
    f = res.frame
    assert f["wage_income"].tolist()[:3] == [1234.5, 1234.5, 123.0]
    assert pd.isna(f["wage_income"].iloc[3])
    assert f["household_size"].tolist()[:2] == [3, 2]
    assert f["household_size"].iloc[2:].isna().all()
    assert f["identified_year"].tolist()[:2] == [2014, 2015]
    got = res.findings.frame()
    assert got.query("code == 'V-VALUE-NOT-NUMBER'")["value"].tolist() == ["abc"]
    assert got.query("code == 'V-VALUE-NOT-INT'")["value"].tolist() == ["2.5", "x"]
    assert got.query("code == 'V-VALUE-NOT-YEAR'")["value"].tolist() == ["16"]


def test_negative_money_is_a_number(tmp_path):
    res = read_table(_csv(tmp_path, "户编号,生产经营性收入\na,-500\n"), "households")
    assert res.frame["business_income"].tolist() == [-500.0]


def test_enum_variants_and_unknown(tmp_path):
    text = "户编号,贫困户属性,脱贫状态,主要致贫原因,其他致贫原因\n"
    text += 'a,五保贫困户,0,09,"因病、缺劳动力"\n'
    text += "b,一般贫困户,已脱贫（享受政策）,因学致贫,其它；因病\n"
    text += 'c,富裕户,4,飞,"因病,外星"\n'
    res = read_table(_csv(tmp_path, text), "households")
    f = res.frame
    assert f["category"].tolist()[:2] == ["特困供养贫困户", "一般贫困户"]
    assert f["status"].tolist() == ["未脱贫", "已脱贫(享受政策)", "已脱贫(不再享受政策)"]
    assert f["main_cause"].tolist()[:2] == ["缺资金", "因学"]
    assert f["other_causes"].tolist() == ["因病,缺劳力", "因病,其他", "因病"]
    bad = res.findings.frame().query("code == 'V-ENUM-UNKNOWN'")
    assert sorted(bad["value"].tolist()) == ["因病,外星", "富裕户", "飞"]
    assert set(bad["row"]) == {3}


def test_relation_variant_and_brackets(tmp_path):
    text = "证件号码,与户主关系,务工状况\na,本人,乡镇内务工\nb,配偶,乡(镇)外县内务工\n"
    f = read_table(_csv(tmp_path, text, name="members.csv")).frame
    assert f["relation"].tolist() == ["户主", "配偶"]
    assert f["work_status"].tolist() == ["乡（镇）内务工", "乡（镇）外县内务工"]


# ---- identifiers --------------------------------------------------------------------------


def test_excel_damaged_ids_reported(tmp_path):
    text = (
        "户编号,证件号码,姓名\n1,4.21121E+17,a\n1,421121199001011000,b\n1,421121199001011236,c\n1,"
        "421121199001011236.0,d\n"
    )
    res = read_table(_csv(tmp_path, text, name="members.csv"))
    bad = res.findings.frame().query("code == 'V-ID-EXCEL-DAMAGED'")
    assert bad["row"].tolist() == [1, 2, 4]
    assert res.frame["id_number"].tolist()[0] == "4.21121E+17"  # kept as read


def test_ids_from_excel_number_cells(tmp_path):
    p = _xlsx(
        tmp_path / "members.xlsx",
        [
            ["户编号", "证件号码", "姓名"],
            [42112110000101, 421121199001011236, "a"],
            ["42112110000101", "421121199001011236", "b"],
        ],
    )
    res = read_table(p)
    assert res.frame["household_id"].tolist() == ["42112110000101", "42112110000101"]
    bad = res.findings.frame().query("code == 'V-ID-EXCEL-DAMAGED'")
    assert bad["row"].tolist() == [1]
    assert res.frame["id_number"].iloc[1] == "421121199001011236"


def test_dot0_on_household_id_repaired(tmp_path):
    text = "户编号,户主姓名\n42112110000101.0,a\n42112110000102,b\n"
    res = read_table(_csv(tmp_path, text), "households")
    assert res.frame["household_id"].tolist() == ["42112110000101", "42112110000102"]
    rep = res.findings.frame().query("code == 'V-ID-DOT0-REPAIRED'")
    assert rep["row"].tolist() == [1]
    assert rep["value"].tolist() == ["42112110000101.0"]


def test_identifiers_keep_leading_zeros_and_are_trimmed(tmp_path):
    text = "户编号,户主姓名,联系电话\n 0012 ,a,013800000000\n"
    f = read_table(_csv(tmp_path, text), "households").frame
    assert f["household_id"].tolist() == ["0012"]
    assert f["phone"].tolist() == ["013800000000"]


def test_hyperlink_formula_read_as_text(tmp_path):
    text = '证件号码,姓名\na,"=HYPERLINK(""http://x"",""张三"")"\n'
    f = read_table(_csv(tmp_path, text, name="members.csv")).frame
    assert f["name"].tolist() == ['=HYPERLINK("http://x","张三")']


# ---- bad files -----------------------------------------------------------------------------


def test_empty_file(tmp_path):
    res = read_table(_csv(tmp_path, ""), None)
    assert codes(res) == ["V-READ-EMPTY-FILE"]
    assert set(reg.required_columns("households")) <= set(res.frame.columns)
    with pytest.raises(InputError):
        read_table(_csv(tmp_path, "", name="unknown.csv"))


def test_header_only(tmp_path):
    res = read_table(_csv(tmp_path, HEAD + "\n"))
    assert codes(res) == ["V-READ-NO-ROWS"]
    assert len(res.frame) == 0
    assert res.frame["household_size"].dtype == "Int64"


def test_png_renamed_csv(tmp_path):
    p = tmp_path / "households.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
    with pytest.raises(InputError) as e:
        read_table(p)
    assert "households.csv" in e.value.message


def test_unreadable_xlsx(tmp_path):
    p = tmp_path / "households.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(InputError):
        read_table(p)


def test_bad_line_reported_not_lost(tmp_path):
    p = _csv(tmp_path, "户编号,户主姓名\n1,a\n2,b,extra,more\n3,c\n")
    res = read_table(p, "households")
    assert res.frame["household_id"].tolist() == ["1", "3"]
    assert res.frame["_row"].tolist() == [1, 3]
    bad = res.findings.frame().query("code == 'V-READ-BAD-LINE'")
    assert bad[["row", "value"]].values.tolist() == [[2, "2,b,extra,more"]]


def test_parquet_typed_columns(tmp_path):
    df = pd.DataFrame(
        {
            "household_id": [42112110000101, 42112110000102],
            "工资性收入": [1.5, -2.0],
            "家庭人口数": [3, 4],
            "是否危房户": [True, False],
            "户主姓名": ["张三", "李四"],
        }
    )
    p = tmp_path / "households.parquet"
    df.to_parquet(p)
    f = read_table(p).frame
    assert f["household_id"].tolist() == ["42112110000101", "42112110000102"]
    assert f["wage_income"].tolist() == [1.5, -2.0]
    assert f["household_size"].dtype == "Int64"
    assert f["dangerous_house"].tolist() == [True, False]


def test_sheet_override(tmp_path):
    p = tmp_path / "households.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    wb.add_worksheet("说明").write_string(0, 0, "本表说明")
    ws = wb.add_worksheet("数据")
    for j, h in enumerate(HEAD.split(",")):
        ws.write_string(0, j, h)
        ws.write_string(1, j, ROW1.split(",")[j])
    wb.close()
    assert read_table(p, sheet="数据").frame["head_name"].tolist() == ["张三"]
    assert read_table(p, sheet=1).info.sheet == "数据"
    with pytest.raises(UsageError):
        read_table(p, sheet="无此表")


def test_parallel_conversion_same_as_serial(tmp_path, monkeypatch):
    import jingzhun.io.read as read_mod

    text = "户编号,证件号码,姓名,性别,出生日期,与户主关系\n" + "".join(
        f"{i},4211211990010112{i % 10}{i % 7},"
        f"n{i},{'男女X'[i % 3]},{'2016-01-0' + str(i % 9 + 1) if i % 4 else 'bad'},本人\n"
        for i in range(60)
    )
    p = _csv(tmp_path, text, name="members.csv")
    monkeypatch.setattr(read_mod, "PARALLEL_ROWS", 10**9)
    serial = read_table(p)
    monkeypatch.setattr(read_mod, "PARALLEL_ROWS", 1)
    parallel = read_table(p)
    pd.testing.assert_frame_equal(serial.frame, parallel.frame)
    pd.testing.assert_frame_equal(serial.findings.frame(), parallel.findings.frame())
    assert {"V-ENUM-UNKNOWN", "V-VALUE-NOT-DATE"} <= set(codes(serial))


def test_parquet_text_is_trimmed_once_per_distinct_value(tmp_path):
    """Dictionary-encoded Parquet text is trimmed in its dictionary (not per row), with the same result."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jingzhun.findings import Findings
    from jingzhun.io.read import Limits, _read_parquet_grid, read_table

    p = tmp_path / "members.parquet"
    names = pa.array([" 张三 ", "李四", "", "  ", None, " 张三 "], pa.string())
    sex = pa.array(["男 ", "女", "男", "女", "男", "男"], pa.string())
    pq.write_table(pa.table({"姓名": names, "性别": sex}), p, use_dictionary=True)
    grid = _read_parquet_grid(p, p.read_bytes(), "members", Limits(), Findings())
    assert grid.trimmed == {0, 1}
    frame = read_table(p, "members").frame
    assert frame["name"].tolist()[:2] == ["张三", "李四"] and frame["name"].isna().tolist()[2:5] == [True] * 3
    assert frame["sex"].tolist() == ["男", "女", "男", "女", "男", "男"]
