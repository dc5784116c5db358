"""Write 户有卡、村有册、乡有簿、县有档: one file per village, township and county.

``plan/books/<township_code>/<village_code>.html`` (+ ``.docx``) holds the village
summary and every household card; ``plan/books/<township_code>/index.html`` is the
township register; ``plan/books/index.html`` the county archive index. Templates are
compiled once per process and reused for every village. With ``jobs > 1`` townships
are rendered by forked worker processes (the model is inherited, not pickled); the
files are the same whatever the number of jobs.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from jingzhun.plan.docs import DocModel
from jingzhun.render import get_template, render_template, write_docx, write_text

_WORK: dict[str, Any] = {}  # set in the parent right before forking workers


def _render_townships(tcodes: list[str], model: DocModel, books: Path, templates: str | Path | None, docx: bool) -> list[tuple[str, dict[str, Any], list[str]]]:
    village_html = get_template("plan/village_book.html", templates)
    village_docx = get_template("plan/village_book.docx.xml", templates) if docx else None
    township_html = get_template("plan/township_register.html", templates)
    done = []
    for tcode in tcodes:
        ctx = model.township_context(tcode)
        folder = books / tcode
        folder.mkdir(exist_ok=True)
        written: list[str] = []
        for v in ctx["villages"]:
            vctx = model.village_context(v["village_code"])
            path = folder / f"{v['village_code']}.html"
            write_text(path, render_template(village_html, vctx))
            written.append(str(path))
            if village_docx is not None:
                dpath = folder / f"{v['village_code']}.docx"
                title = f"{v['township_name']}{v['village_name']} {model.year}年 精准扶贫村册"
                write_docx(dpath, render_template(village_docx, vctx), title)
                written.append(str(dpath))
        path = folder / "index.html"
        write_text(path, render_template(township_html, ctx))
        written.append(str(path))
        done.append((tcode, ctx["township"], written))
    return done


def _worker(tcodes: list[str]) -> list[tuple[str, dict[str, Any], list[str]]]:
    return _render_townships(tcodes, _WORK["model"], _WORK["books"], _WORK["templates"], _WORK["docx"])


def default_jobs() -> int:
    return max(1, min(8, (os.cpu_count() or 1)))


def write_books(model: DocModel, books: Path, templates: str | Path | None = None, docx: bool = True, jobs: int = 1) -> list[Path]:
    """Render every document of ``model`` under ``books``; returns the files written."""
    county_html = get_template("plan/county_index.html", templates)  # fail on a bad template before any work
    get_template("plan/village_book.html", templates)
    get_template("plan/township_register.html", templates)
    if docx:
        get_template("plan/village_book.docx.xml", templates)
    books.mkdir(parents=True, exist_ok=True)
    tcodes = model.township_codes()
    if jobs > 1 and len(tcodes) > 1 and "fork" in multiprocessing.get_all_start_methods():
        _WORK.update(model=model, books=books, templates=templates, docx=docx)
        chunks = [tcodes[i::jobs * 4] for i in range(min(len(tcodes), jobs * 4))]
        try:
            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                results = [r for part in pool.map(_worker, chunks) for r in part]
        finally:
            _WORK.clear()
    else:
        results = _render_townships(tcodes, model, books, templates, docx)
    results.sort(key=lambda r: r[0])
    written = [Path(p) for _, _, files in results for p in files]
    townships = [{**info, "villages": model.township_context(t)["villages"]} for t, info, _ in results]
    v = model.villages
    totals = {
        "households": int(v["households"].sum()) if len(v) else 0,
        "population": int(v["population"].sum()) if len(v) else 0,
        "villages": int(len(v)),
        "unpaired": int(v["unpaired"].sum()) if len(v) else 0,
    }
    path = books / "index.html"
    write_text(path, render_template(county_html, {"year": model.year, "county": model.county, "townships": townships, "totals": totals, "docx": docx}))
    written.append(path)
    return written


def render_card(card: dict, year: int, county: dict, templates: str | Path | None = None) -> str:
    """One household's card as a page of its own (tests and single-card printing)."""
    return render_template(get_template("plan/card.html", templates), {"household": card, "year": year, "county": county})
