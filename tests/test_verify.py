"""manifest.json and `jingzhun verify`: changed, missing and extra files are caught."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jingzhun.cli import app
from jingzhun.manifest import build_manifest, write_manifest

runner = CliRunner()


def _make(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    (out / "validate").mkdir(parents=True)
    (out / "validate" / "findings.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    (out / "report").mkdir()
    (out / "report" / "index.html").write_text("<html></html>", encoding="utf-8")
    m = build_manifest(
        out, command="run", dataset=tmp_path, year=2016, inputs=[], parameters=[], started="s", finished="f"
    )
    write_manifest(out, m)
    return out


def test_manifest_lists_outputs_with_hashes(tmp_path: Path):
    out = _make(tmp_path)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [o["path"] for o in m["outputs"]] == ["report/index.html", "validate/findings.csv"]
    assert all(len(o["sha256"]) == 64 for o in m["outputs"])


def test_verify_accepts_untouched(tmp_path: Path):
    out = _make(tmp_path)
    r = runner.invoke(app, ["verify", str(out), "--json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_verify_reports_changed_missing_extra(tmp_path: Path):
    out = _make(tmp_path)
    (out / "validate" / "findings.csv").write_text("a,b\n1,3\n", encoding="utf-8")
    (out / "report" / "index.html").unlink()
    (out / "report" / "new.html").write_text("x", encoding="utf-8")
    r = runner.invoke(app, ["verify", str(out), "--json"])
    assert r.exit_code == 1
    codes = sorted(p["code"] for p in json.loads(r.stdout)["problems"])
    assert codes == ["R-VERIFY-CHANGED", "R-VERIFY-EXTRA", "R-VERIFY-MISSING"]


def test_verify_without_manifest_is_input_error(tmp_path: Path):
    r = runner.invoke(app, ["verify", str(tmp_path)])
    assert r.exit_code == 3
    assert "manifest.json" in r.stderr


def test_verify_counts_hidden_files_and_ignores_only_the_top_run_log(tmp_path: Path):
    out = _make(tmp_path)
    (out / "run.log").write_text("2016-03-01 00:00:00 start\n", encoding="utf-8")
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0  # the log of --log <out>/run.log
    (out / "report" / ".evil.html").write_text("<script>", encoding="utf-8")
    (out / "report" / "run.log").write_text("x", encoding="utf-8")
    (out / ".lock").write_text("1", encoding="utf-8")
    r = runner.invoke(app, ["verify", str(out), "--json"])
    assert r.exit_code == 1
    extra = sorted(p["value"] for p in json.loads(r.stdout)["problems"] if p["code"] == "R-VERIFY-EXTRA")
    assert extra == [".lock", "report/.evil.html", "report/run.log"]
