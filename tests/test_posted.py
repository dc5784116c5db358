"""What is posted stays clean (issue 17, items 1, 2, 3 and 5): notices alone in the posted
folder, one final scan of every value a notice prints, no absurd numbers on public
decisions, and templates that cannot run commands."""

from __future__ import annotations

from pathlib import Path

from plan_frames import write_dataset
from typer.testing import CliRunner

from jingzhun.cli import app

PAYLOAD = '{{ cycler.__init__.__globals__.os.popen("echo PWNED-$((6*7))").read() }}\n'


def _notice(ds: Path, out: Path, kind: str = "identification", *extra: str):
    return CliRunner().invoke(app, ["notice", str(ds), "--kind", kind, "--date", "2016-03-01", "--out", str(out), *extra])


def test_user_template_cannot_run_commands(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    user = tmp_path / "tpl" / "notice"
    user.mkdir(parents=True)
    (user / "notice.html").write_text(PAYLOAD, encoding="utf-8")
    r = _notice(ds, tmp_path / "out", "identification", "--templates", str(tmp_path / "tpl"))
    assert r.exit_code == 3, r.output
    assert "PWNED-42" not in r.output
    assert "notice.html" in r.output and "不安全" in r.output
    assert not list((tmp_path / "out").rglob("*.html"))


# ---- item 1: the posted folder holds notices only ----------------------------------------

def test_notice_folder_holds_only_notices_findings_are_internal(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    hh = ds / "2016" / "households.csv"
    text = hh.read_text(encoding="utf-8").splitlines()
    text[1] = text[1].replace("一般贫困户", "干儿子户", 1)  # an unknown enum label: a reading finding quoting the row
    hh.write_text("\n".join(text) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    for kind in ("identification", "exit", "projects"):
        r = _notice(ds, out, kind)
        assert r.exit_code in (0, 1), r.output
        posted = sorted(p.name for p in (out / "notice" / kind).iterdir())
        assert posted and all(p.endswith((".html", ".docx")) for p in posted), posted
        kept = out / "notice-internal" / kind
        assert (kept / "findings.csv").is_file() and (kept / "summary.csv").is_file()
    findings = (out / "notice-internal" / "identification" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "V-ENUM-UNKNOWN" in findings
    assert "notice-internal" in r.output


def test_run_keeps_the_same_layout(tmp_path):
    ds = write_dataset(tmp_path / "ds")
    out = tmp_path / "out"
    r = CliRunner().invoke(app, ["run", str(ds), "--out", str(out), "--date", "2016-03-01", "--jobs", "1"])
    assert r.exit_code in (0, 1), r.output
    for kind in ("identification", "exit"):
        assert all(p.suffix in (".html", ".docx") for p in (out / "notice" / kind).iterdir())
        assert (out / "notice-internal" / kind / "summary.csv").is_file()
