"""两公示一公告: who is announced, notice periods, and privacy of every rendered notice."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from frames import table_frame, with_columns
from plan_frames import T1, V1, V3, households, write_dataset
from tuanfeng import tuanfeng
from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.plan.notices import common, exit_candidates, household_notices, newly_identified

ROOT = Path(__file__).resolve().parent.parent
PRIVATE = [
    (re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])"), "18-digit ID"),
    (re.compile(r"(?<![0-9])[0-9]{15}(?![0-9])"), "15-digit ID"),
    (re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"), "mobile phone"),
    (re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])"), "bank account"),
    (re.compile("长期慢性病|患有大病|残疾"), "health detail"),
]


def test_newly_identified_by_year_or_previous_folder():
    h = households()
    prev = h[h["household_id"].isin(["H002", "H004", "H005", "H006"])]
    by_year = set(h.loc[newly_identified(h, None, 2016), "household_id"])
    assert by_year == {"H001", "H003", "H007"}
    with_prev = set(h.loc[newly_identified(h, prev, 2016), "household_id"])
    assert with_prev == {"H001", "H003", "H007"}
    prev2 = prev.copy()
    prev2.loc[prev2["household_id"] == "H006", "registered"] = False  # not registered last year → new now
    assert "H006" in set(h.loc[newly_identified(h, prev2, 2016), "household_id"])
    assert "H005" not in set(h.loc[newly_identified(h, prev2, 2016), "household_id"])  # not registered now


def test_a_file_without_the_registered_column_announces_every_new_household():
    h = table_frame("households", household_id=["A", "B"], identified_year=[2016, 2015])
    assert newly_identified(h, None, 2016).tolist() == [True, False]
    h = with_columns(h, registered=pd.array([None, None], dtype="boolean"))  # the column there, empty
    assert newly_identified(h, None, 2016).tolist() == [False, False]


def test_exit_candidates_come_from_identification():
    h = households()
    ident = pd.DataFrame({"household_id": ["H001", "H006"], "exit_ready": pd.array([True, False], dtype="boolean")})
    assert set(h.loc[exit_candidates(h, ident), "household_id"]) == {"H001"}
    assert not exit_candidates(h, None).any()


def test_period_phones_and_issuer():
    p = tuanfeng()
    p.values["supervision_phones.county"] = "0713-5312345"
    nc = common("identification", p, 2016, date(2016, 3, 1))
    assert (nc.start, nc.end, nc.days) == (date(2016, 3, 1), date(2016, 3, 7), 7)
    assert ("县扶贫办", "0713-5312345") in nc.phones and ("全国扶贫监督举报电话", "12317") in nc.phones
    assert "township" not in dict(nc.phones)  # empty numbers are left out
    assert nc.issuer == p.get("county.issuer")
    assert common("projects", p, 2016, date(2016, 3, 1)).end == date(2016, 3, 10)
    assert "2,855" in nc.standard  # 2015 income line for data year 2016


def test_village_with_nothing_is_listed_not_written():
    h = households()
    ns = household_notices("identification", h, None, 2016)
    units = ns.units.set_index("unit_code")
    assert units.loc[T1 + "002", "count"] == 0
    assert "P-NOTICE-EMPTY" in ns.findings.codes()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    ds = write_dataset(tmp_path_factory.mktemp("ds"))
    out = tmp_path_factory.mktemp("out")
    for kind in ("identification", "exit", "projects"):
        r = CliRunner().invoke(app, ["notice", str(ds), "--kind", kind, "--date", "2016-03-01", "--out", str(out)])
        assert r.exit_code == 0, r.output
    return out / "notice"


def test_notice_files_per_village_and_township(rendered):
    ident = rendered / "identification"
    assert (ident / f"{V1}.html").is_file() and (ident / f"{V1}.docx").is_file()
    assert (ident / f"{T1}_all.html").is_file()
    assert not (ident / f"{T1}002.html").exists()
    summary = pd.read_csv(
        rendered.parent / "notice-internal" / "identification" / "summary.csv",
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
    )
    assert summary.set_index("unit_code").loc[T1 + "002", "file"] == ""
    html = (ident / f"{V1}.html").read_text(encoding="utf-8")
    assert "团风县回龙山镇回龙村2016年拟识别建档立卡贫困户名单公示" in html
    assert "2016年3月1日至2016年3月7日" in html and "12317" in html and "团风县扶贫开发领导小组办公室" in html
    for col in ("序号", "组", "户主姓名", "家庭人口数", "贫困户属性", "主要致贫原因", "识别标准"):
        assert f">{col}<" in html
    assert "王䶮" in html
    proj = (rendered / "projects" / f"{T1}.html").read_text(encoding="utf-8")
    assert "回龙村产业路硬化" in proj and "2016年3月10日" in proj and "杜皮乡安全饮水工程" not in proj
    assert "全县雨露计划补助" in (rendered / "projects" / "421121.html").read_text(encoding="utf-8")
    assert (rendered / "exit" / f"{V3}.html").is_file()  # H007 is exit-ready


def _texts(folder: Path):
    for p in sorted(folder.rglob("*")):
        if p.suffix == ".html":
            yield p, p.read_text(encoding="utf-8")
        elif p.suffix == ".docx":
            with zipfile.ZipFile(p) as z:
                yield p, z.read("word/document.xml").decode("utf-8")


def _scan(folder: Path) -> list[str]:
    bad = []
    n = 0
    for path, text in _texts(folder):
        n += 1
        body = re.sub(r"<[^>]+>", " ", text)  # markup (CSS numbers, XML attributes) is not content
        for rx, what in PRIVATE:
            for m in rx.finditer(body):
                bad.append(f"{path.name}: {what} {m.group(0)}")
    assert n > 0
    return bad


def test_notices_never_show_private_data(rendered):
    assert _scan(rendered) == []


def test_scan_catches_private_data(tmp_path):
    (tmp_path / "x.html").write_text(
        "<td>421121199001011234</td><td>13812345678</td><td>患有大病</td>", encoding="utf-8"
    )
    kinds = {b.split(": ")[1].rsplit(" ", 1)[0] for b in _scan(tmp_path)}
    assert {"18-digit ID", "mobile phone", "health detail"} <= kinds


@pytest.mark.skipif(not (ROOT / "data-sample").is_dir(), reason="data-sample/ not generated yet (jingzhun sample)")
def test_data_sample_notices_are_private(tmp_path):
    for kind in ("identification", "exit", "projects"):
        r = CliRunner().invoke(
            app, ["notice", str(ROOT / "data-sample"), "--kind", kind, "--date", "2016-03-01", "--out", str(tmp_path)]
        )
        assert r.exit_code in (0, 1), r.output
    assert _scan(tmp_path / "notice") == []


def test_without_date_the_notice_is_dated_1_december_of_the_data_year_not_today(tmp_path):
    """The demo's 2016 notices said 公示期 2026年: the default followed the clock."""
    import json

    ds = write_dataset(tmp_path / "ds")
    r = CliRunner().invoke(
        app, ["notice", str(ds), "--kind", "exit", "--out", str(tmp_path / "o"), "--json", "--no-docx"]
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["date"] == "2016-12-01" and not summary["date_given"]
    assert summary["period"] == ["2016-12-01", "2016-12-07"]
    html = next((tmp_path / "o" / "notice" / "exit").rglob("*.html")).read_text(encoding="utf-8")
    assert "公示期：2016年12月1日至2016年12月7日" in html and str(date.today().year) + "年" not in html.replace(
        "2016年", ""
    )
    assert "12 月 1 日" in r.stderr


def test_bad_date_and_kind_are_usage_errors(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    r = CliRunner().invoke(app, ["notice", str(ds), "--date", "2016/3/1", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output
    r = CliRunner().invoke(app, ["notice", str(ds), "--kind", "other", "--out", str(tmp_path / "o")])
    assert r.exit_code == 2


def test_notices_are_the_same_bytes_with_one_or_two_workers(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    digests = []
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        for kind in ("identification", "exit", "projects"):
            r = CliRunner().invoke(
                app, ["notice", str(ds), "--kind", kind, "--date", "2016-03-01", "--out", str(out), "--jobs", str(jobs)]
            )
            assert r.exit_code == 0, r.output
        digests.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert digests[0] == digests[1]
    assert sum(name.endswith("_all.html") for name in digests[0]) >= 2  # combined files of more than one township
