"""Write the notices: one HTML + DOCX per village (or township/county for projects) and
one combined printable HTML per township. Every value passed the last scan
(:func:`jingzhun.plan.notices.screen`) first; a withheld unit gets no file. The units
table returned lists every unit (those with nothing to announce, or withheld, have an
empty ``file``)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from jingzhun.executors import SERIAL, Executor, chunks
from jingzhun.plan.notices import RECORD_KEYS, NoticeCommon, NoticeSet, screen
from jingzhun.render import Templates, get_template, render_template, write_docx, write_text
from jingzhun.safename import safe_filename


def _slices(rows: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Rows (sorted by unit) as record lists per unit, made in one pass."""
    if rows.empty:
        return {}
    records = cast(list[dict[str, Any]], rows.to_dict("records"))
    units = rows["unit"].to_numpy(dtype=object)
    cut = np.flatnonzero(np.r_[True, units[1:] != units[:-1], True])
    return {str(units[a]): records[a:b] for a, b in zip(cut[:-1], cut[1:], strict=True)}


def _township(unit: dict[str, Any]) -> str:
    code = unit.get("township_code")
    return "" if code is None or pd.isna(code) else str(code)


def _render_units(
    tcodes: list[str],
    *,
    nset: NoticeSet,
    common: NoticeCommon,
    folder: Path,
    templates: Templates,
    docx: bool,
    units: list[dict[str, Any]],
    per_unit: dict[str, list[dict[str, Any]]],
) -> list[tuple[int, str, list[str]]]:
    """The notices of the units of townships ``tcodes`` (and those townships' combined files).

    Returns ``(position, file name, files written)``: a unit's position in ``units``, and
    ``len(units) + k`` for the combined file of a township (k: its rank among townships)."""
    html_t = get_template("notice/notice.html", templates)
    combined_t = get_template("notice/combined.html", templates)
    docx_t = get_template("notice/notice.docx.xml", templates) if docx else None
    n = common.context()
    county = str(common.county["name"])
    wanted = set(tcodes)
    order = sorted({_township(u) for u in units})
    done: list[tuple[int, str, list[str]]] = []
    by_township: dict[str, list[dict[str, Any]]] = {}
    for i, u in enumerate(units):
        if _township(u) not in wanted:
            continue
        rows = per_unit.get(u["unit_code"], [])
        if not rows:
            done.append((i, "", []))
            continue
        if nset.kind == "projects":
            place = county if u["unit_code"] == str(common.county["code"]) else county + u["unit_name"]
            total = f"{sum(r['budget_value'] for r in rows):,.2f}"
        else:
            place = county + u["township_name"] + u["unit_name"]
            total = ""
        unit = {
            "code": u["unit_code"],
            "name": u["unit_name"],
            "place": place,
            "total": total,
            "township_code": u["township_code"],
            "township_name": u["township_name"],
        }
        item = {"unit": unit, "rows": rows}
        stem = safe_filename(u["unit_code"])
        path = folder / f"{stem}.html"
        write_text(path, render_template(html_t, {"n": n, "unit": unit, "rows": rows}))
        written = [str(path)]
        if docx_t is not None:
            dpath = folder / f"{stem}.docx"
            write_docx(dpath, render_template(docx_t, {"n": n, "items": [item]}), f"{place}{common.year}年{n['title']}")
            written.append(str(dpath))
        done.append((i, path.name, written))
        if nset.kind != "projects":
            by_township.setdefault(_township(u), []).append(item)
    for tcode, items in by_township.items():
        township = {"code": tcode, "place": county + items[0]["unit"]["township_name"]}
        path = folder / f"{safe_filename(tcode)}_all.html"
        write_text(path, render_template(combined_t, {"n": n, "township": township, "items": items}))
        done.append((len(units) + order.index(tcode), "", [str(path)]))
    return done


def write_notices(
    nset: NoticeSet,
    common: NoticeCommon,
    folder: Path,
    templates: Templates = None,
    docx: bool = True,
    executor: Executor = SERIAL,
) -> tuple[pd.DataFrame, list[Path]]:
    """Every notice of ``nset`` under ``folder``; townships are units for ``executor``, one per job."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("notice/notice.html", "notice/combined.html") + (("notice/notice.docx.xml",) if docx else ()):
        get_template(name, templates)  # fail on a bad template before any work
    nset = screen(nset, common)
    rows = nset.rows.drop(columns=[c for c in RECORD_KEYS if c in nset.rows.columns])
    rows = rows[~rows["unit"].isin(set(nset.units.loc[nset.units["withheld"] != "", "unit_code"]))]
    per_unit = _slices(rows.sort_values("unit", kind="stable")) if nset.kind == "projects" else _slices(rows)
    units = nset.units.copy()
    records = cast(list[dict[str, Any]], units.to_dict("records"))
    tcodes = sorted({_township(u) for u in records})
    render = functools.partial(
        _render_units,
        nset=nset,
        common=common,
        folder=folder,
        templates=templates,
        docx=docx,
        units=records,
        per_unit=per_unit,
    )
    parts = executor.map(render, chunks(tcodes, executor.jobs))
    done = sorted((r for part in parts for r in part), key=lambda r: r[0])
    files = {i: name for i, name, _ in done if i < len(records)}
    units["file"] = [files.get(i, "") for i in range(len(records))]
    return units, [Path(p) for _, _, paths in done for p in paths]
