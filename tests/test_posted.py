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
