"""Write 户有卡、村有册、乡有簿、县有档: one file per village, township and county.

``plan/books/<township_code>/<village_code>.html`` (+ ``.docx``; names through
:func:`jingzhun.safename.safe_filename`) holds the village
summary, the 农户名册 (every surveyed household of the village) and a card for every
carded household (see :mod:`jingzhun.plan.docs` for who gets one);
``plan/books/<township_code>/index.html`` is the township register;
``plan/books/index.html`` the county archive index.

Each village book is one template call. The cards inside it come from
:mod:`jingzhun.plan.cardtext` (the packaged card templates as column operations, made
once per township) unless a user's template folder overrides the village book or card
template, in which case every card is rendered through the Jinja macros. Townships are
units for the executor the caller gives (:mod:`jingzhun.executors`); the files are the
same wherever they are rendered.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from markupsafe import Markup

from jingzhun.executors import SERIAL, Executor, chunks
from jingzhun.plan import cardtext
from jingzhun.plan.docs import CARD_FIELDS, ROSTER_FIELDS, DocModel, records
from jingzhun.render import Templates, environment, get_template, render_template, template_path, write_docx, write_text
from jingzhun.safename import safe_filename

HTML_TEMPLATES = ("plan/village_book.html", "plan/_card.html")
DOCX_TEMPLATES = ("plan/village_book.docx.xml", "plan/_card.docx.xml")


def packaged(names: tuple[str, ...], templates: Templates) -> bool:
    """True when none of ``names`` is overridden by the user's template folder."""
    if templates is None:
        return True
    packaged_dir = Path(environment(None).loader.searchpath[-1])  # type: ignore[union-attr]
    return all(template_path(n, templates).parent.resolve().is_relative_to(packaged_dir.resolve()) for n in names)


def _render_townships(
    tcodes: list[str], *, model: DocModel, books: Path, templates: Templates, docx: bool
) -> list[tuple[str, dict[str, Any], list[str]]]:
    village_html = get_template("plan/village_book.html", templates)
    village_docx = get_template("plan/village_book.docx.xml", templates) if docx else None
    township_html = get_template("plan/township_register.html", templates)
    fast_html = packaged(HTML_TEMPLATES, templates)
    fast_register = packaged(("plan/township_register.html",), templates)
    fast_docx = docx and packaged(DOCX_TEMPLATES, templates)
    done = []
    for tcode in tcodes:
        vrows = model.township_villages(tcode)
        a = model.village_bounds[vrows[0]["village_code"]][0]
        b = model.village_bounds[vrows[-1]["village_code"]][1]
        plain = records(model.cards.iloc[a:b][CARD_FIELDS])
        ra = model.roster_bounds.get(vrows[0]["village_code"], (0, 0))[0]
        rb = model.roster_bounds.get(vrows[-1]["village_code"], (0, 0))[1]
        roster = records(model.roster.iloc[ra:rb][ROSTER_FIELDS])
        html_frags = cardtext.html_cards(model, a, b) if fast_html else None
        docx_frags = cardtext.docx_cards(model, a, b) if fast_docx else None
        html_rows = cardtext.html_roster(model, ra, rb) if fast_html else None
        docx_rows = cardtext.docx_roster(model, ra, rb) if fast_docx else None
        folder = books / safe_filename(tcode)
        folder.mkdir(exist_ok=True)
        written: list[str] = []
        for v in vrows:
            code = v["village_code"]
            va, vb = model.village_bounds[code]
            xa, xb = model.roster_bounds.get(code, (ra, ra))
            full = None if (fast_html and (fast_docx or not docx)) else model.card_records(va, vb)
            ctx: dict[str, Any] = {
                "year": model.year,
                "county": model.county,
                "village": v,
                "cards": plain[va - a : vb - a] if full is None else full,
                "households": roster[xa - ra : xb - ra],
            }
            html_ctx = ctx
            if html_frags is not None and html_rows is not None and vb > va:
                html_ctx = {
                    **ctx,
                    "cards_html": Markup("".join(html_frags[va - a : vb - a])),
                    "roster_html": Markup("".join(html_rows[xa - ra : xb - ra])),
                }
            path = folder / f"{v['stem']}.html"
            write_text(path, render_template(village_html, html_ctx))
            written.append(str(path))
            if village_docx is not None:
                if docx_frags is not None and docx_rows is not None and vb > va:
                    dctx = {
                        **ctx,
                        "cards_docx": Markup("".join(docx_frags[va - a : vb - a])),
                        "roster_docx": Markup("".join(docx_rows[xa - ra : xb - ra])),
                    }
                else:
                    dctx = {**ctx, "cards": full if full is not None else model.card_records(va, vb)}
                dpath = folder / f"{v['stem']}.docx"
                title = f"{v['township_name']}{v['village_name']} {model.year}年 精准扶贫村册"
                write_docx(dpath, render_template(village_docx, dctx), title)
                written.append(str(dpath))
        ctx = model.township_context(tcode, plain)
        page = {**ctx, "register_html": Markup("".join(cardtext.html_register(model, a, b)))} if fast_register else ctx
        path = folder / "index.html"
        write_text(path, render_template(township_html, page))
        written.append(str(path))
        done.append((tcode, ctx["township"], written))
    return done


def write_books(
    model: DocModel,
    books: Path,
    templates: Templates = None,
    docx: bool = True,
    executor: Executor = SERIAL,
) -> list[Path]:
    """Render every document of ``model`` under ``books``; returns the files written.

    The townships are dealt into one unit per job of ``executor`` (the model goes to each
    worker once)."""
    county_html = get_template("plan/county_index.html", templates)  # fail on a bad template before any work
    get_template("plan/village_book.html", templates)
    get_template("plan/township_register.html", templates)
    if docx:
        get_template("plan/village_book.docx.xml", templates)
    books.mkdir(parents=True, exist_ok=True)
    tcodes = model.township_codes()
    render = functools.partial(_render_townships, model=model, books=books, templates=templates, docx=docx)
    parts = executor.map(render, chunks(tcodes, executor.jobs))
    results = [r for part in parts for r in part]
    results.sort(key=lambda r: r[0])
    written = [Path(p) for _, _, files in results for p in files]
    townships = [{**info, "villages": model.township_villages(t)} for t, info, _ in results]
    v = model.villages
    totals = {
        "households": int(v["households"].sum()) if len(v) else 0,
        "population": int(v["population"].sum()) if len(v) else 0,
        "villages": int(len(v)),
        "unpaired": int(v["unpaired"].sum()) if len(v) else 0,
    }
    path = books / "index.html"
    write_text(
        path,
        render_template(
            county_html,
            {"year": model.year, "county": model.county, "townships": townships, "totals": totals, "docx": docx},
        ),
    )
    written.append(path)
    return written


def render_card(card: dict, year: int, county: dict, templates: Templates = None) -> str:
    """One household's card as a page of its own (tests and single-card printing)."""
    return render_template(
        get_template("plan/card.html", templates), {"household": card, "year": year, "county": county}
    )
