"""Write 户有卡、村有册、乡有簿、县有档: one file per village, township and county.

``plan/books/<township_code>/<village_code>.html`` (+ ``.docx``) holds the village
summary and every household card; ``plan/books/<township_code>/index.html`` is the
township register; ``plan/books/index.html`` the county archive index. Templates are
compiled once and reused for every village.
"""

from __future__ import annotations

from pathlib import Path

from jingzhun.plan.docs import DocModel
from jingzhun.render import get_template, render_template, write_docx, write_text


def write_books(model: DocModel, books: Path, templates: str | Path | None = None, docx: bool = True) -> list[Path]:
    """Render every document of ``model`` under ``books``; returns the files written."""
    village_html = get_template("plan/village_book.html", templates)
    village_docx = get_template("plan/village_book.docx.xml", templates) if docx else None
    township_html = get_template("plan/township_register.html", templates)
    county_html = get_template("plan/county_index.html", templates)
    written: list[Path] = []
    books.mkdir(parents=True, exist_ok=True)
    townships = []
    for tcode, ctx in model.townships():
        folder = books / tcode
        folder.mkdir(exist_ok=True)
        for v in ctx["villages"]:
            vctx = model.village_context(v["village_code"])
            path = folder / f"{v['village_code']}.html"
            write_text(path, render_template(village_html, vctx))
            written.append(path)
            if village_docx is not None:
                dpath = folder / f"{v['village_code']}.docx"
                title = f"{v['township_name']}{v['village_name']} {model.year}年 精准扶贫村册"
                write_docx(dpath, render_template(village_docx, vctx), title)
                written.append(dpath)
        path = folder / "index.html"
        write_text(path, render_template(township_html, ctx))
        written.append(path)
        townships.append({**ctx["township"], "villages": ctx["villages"]})
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
