"""Write the notices: one HTML + DOCX per village (or township/county for projects),
one combined printable HTML per township, and ``summary.csv`` listing every unit
(those with nothing to announce have an empty ``file``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from jingzhun.plan.notices import NoticeCommon, NoticeSet
from jingzhun.render import get_template, render_template, write_docx, write_text


def _slices(rows: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Rows (sorted by unit) as record lists per unit, made in one pass."""
    if rows.empty:
        return {}
    records = rows.to_dict("records")
    units = rows["unit"].to_numpy(dtype=object)
    cut = np.flatnonzero(np.r_[True, units[1:] != units[:-1], True])
    return {str(units[a]): records[a:b] for a, b in zip(cut[:-1], cut[1:], strict=True)}


def write_notices(nset: NoticeSet, common: NoticeCommon, folder: Path, templates: str | Path | None = None,
                  docx: bool = True) -> tuple[pd.DataFrame, list[Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    html_t = get_template("notice/notice.html", templates)
    combined_t = get_template("notice/combined.html", templates)
    docx_t = get_template("notice/notice.docx.xml", templates) if docx else None
    n = common.context()
    county = str(common.county["name"])
    per_unit = _slices(nset.rows.sort_values("unit", kind="stable")) if nset.kind == "projects" else _slices(nset.rows)
    units = nset.units.copy()
    files: list[str] = []
    written: list[Path] = []
    by_township: dict[str, list[dict[str, Any]]] = {}
    for u in units.to_dict("records"):
        rows = per_unit.get(u["unit_code"], [])
        if not rows:
            files.append("")
            continue
        if nset.kind == "projects":
            place = county if u["unit_code"] == str(common.county["code"]) else county + u["unit_name"]
            total = f"{sum(r['budget_value'] for r in rows):,.2f}"
        else:
            place = county + u["township_name"] + u["unit_name"]
            total = ""
        unit = {"code": u["unit_code"], "name": u["unit_name"], "place": place, "total": total,
                "township_code": u["township_code"], "township_name": u["township_name"]}
        item = {"unit": unit, "rows": rows}
        path = folder / f"{u['unit_code']}.html"
        write_text(path, render_template(html_t, {"n": n, "unit": unit, "rows": rows}))
        written.append(path)
        if docx_t is not None:
            dpath = folder / f"{u['unit_code']}.docx"
            write_docx(dpath, render_template(docx_t, {"n": n, "items": [item]}), f"{place}{common.year}年{n['title']}")
            written.append(dpath)
        files.append(path.name)
        if nset.kind != "projects":
            by_township.setdefault(u["township_code"], []).append(item)
    for tcode, items in sorted(by_township.items()):
        township = {"code": tcode, "place": county + items[0]["unit"]["township_name"]}
        path = folder / f"{tcode}_all.html"
        write_text(path, render_template(combined_t, {"n": n, "township": township, "items": items}))
        written.append(path)
    units["file"] = files
    return units, written
