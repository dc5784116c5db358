"""Chart geometry for the report's inline SVG (no JavaScript): the template only draws.

Coordinates are SVG user units; the template scales the whole drawing to the page width.
"""

from __future__ import annotations

import math
from typing import Any

LABEL_W = 120  # room for the labels left of the bars
BAR_W = 420  # the longest bar
VALUE_W = 130  # room for the value right of a bar
ROW_H = 22


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def bars(
    labels: list[str], values: list[Any], texts: list[str], marker: float | None = None, marker_text: str = ""
) -> dict[str, Any]:
    """Horizontal bars; NA values get no bar but keep their row. ``marker``: a vertical line at that value."""
    nums = [_num(v) for v in values]
    top = max([v for v in nums if v is not None and v > 0] + ([marker] if marker else []), default=0.0)
    rows = []
    for i, (lab, v, txt) in enumerate(zip(labels, nums, texts, strict=True)):
        w = 0.0 if (v is None or top <= 0) else max(v, 0.0) / top * BAR_W
        rows.append({"label": lab, "text": txt, "y": i * ROW_H, "width": round(w, 1), "missing": v is None})
    mx = None if (marker is None or top <= 0) else round(LABEL_W + marker / top * BAR_W, 1)
    return {
        "rows": rows,
        "width": LABEL_W + BAR_W + VALUE_W,
        "height": len(rows) * ROW_H + (18 if mx is not None else 6),
        "x0": LABEL_W,
        "marker_x": mx,
        "marker_text": marker_text,
    }


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    out = [round(start, 10)]
    while out[-1] < hi - step * 1e-9:  # the last tick is at or above the highest value
        out.append(round(out[-1] + step, 10))
    return out


# Print-safe line styles (they survive a black-and-white printer): a dash pattern per
# series, then a second grey for more series than patterns. The county line is solid,
# black and thick; no township line is solid.
DASHES = ("6 3", "2 2", "9 3 2 3", "1 3", "12 4", "4 2 1 2", "8 2 2 2 2 2", "3 5")
SHADES = ("#333", "#888")
MAIN_STYLE = {"stroke": "#000", "dash": "", "width": 3.0}
LABEL_GAP = 13  # label lines at least this far apart (font 12px)


def line_style(k: int) -> dict[str, Any]:
    """The style of the k-th (0-based) non-main series."""
    return {"stroke": SHADES[(k // len(DASHES)) % len(SHADES)], "dash": DASHES[k % len(DASHES)], "width": 1.5}


def spread(anchors: list[float], gap: float = LABEL_GAP, low: float = -math.inf) -> list[float]:
    """Positions for labels wanted at ``anchors`` (ascending), at least ``gap`` apart and
    not above ``low``: overlapping labels form a block centred on their anchors (least
    squares), so each stays as close to its own line end as the others allow."""
    blocks: list[tuple[float, list[float]]] = []  # (top, anchors of the block)
    for a in anchors:
        blocks.append((a, [a]))
        while len(blocks) > 1 and blocks[-2][0] + len(blocks[-2][1]) * gap > blocks[-1][0]:
            (_, a1), (_, a2) = blocks[-2], blocks.pop()
            ys = a1 + a2
            blocks[-1] = (sum(y - k * gap for k, y in enumerate(ys)) / len(ys), ys)
    out = [top + k * gap for top, ys in blocks for k in range(len(ys))]
    for i, y in enumerate(out):  # keep inside the drawing, still ``gap`` apart
        out[i] = max(y, low if i == 0 else out[i - 1] + gap)
    return [round(y, 1) for y in out]


def lines(years: list[int], series: list[dict[str, Any]], fmt: str = "pct", max_labels: int = 12) -> dict[str, Any]:
    """A line chart: ``series`` = [{"name", "values": {year: value}, "main": bool}], y from 0.

    Every series has its own print-safe style (``stroke``, ``dash``, ``width``; the main
    one solid, black and bold) and its name at its line end; names that would overlap are
    spread around their line ends and joined to them by a short leader. With more than
    ``max_labels`` series only the main ones are labelled (the rest would be an
    unreadable pile of names); the drawing grows to fit the labels it shows.
    """
    left, right, top, bottom = 56, 136, 12, 28
    plot_w, plot_h = 480, 200
    vals = [_num(v) for s in series for v in s["values"].values()]
    hi = max([v for v in vals if v is not None], default=0.0)
    ticks = _ticks(0.0, hi if hi > 0 else 1.0)
    y_max = ticks[-1] if ticks[-1] > 0 else 1.0

    def x(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return round(left + (years.index(year)) / (len(years) - 1) * plot_w, 1)

    def y(v: float) -> float:
        return round(top + plot_h - v / y_max * plot_h, 1)

    out_series = []
    k = 0
    for s in series:
        pts = [(x(yr), y(v)) for yr in years if (v := _num(s["values"].get(yr))) is not None]
        if not pts:
            continue
        main = bool(s.get("main"))
        style = MAIN_STYLE if main else line_style(k)
        k += 0 if main else 1
        out_series.append(
            {
                "name": s["name"],
                "main": main,
                **style,
                "points": " ".join(f"{a},{b}" for a, b in pts),
                "dots": [{"x": a, "y": b} for a, b in pts],
                "end_x": pts[-1][0],
                "end_y": pts[-1][1],
                "label_x": pts[-1][0] + 22,
                "label_y": pts[-1][1] + 4,
                "leader": None,
                "labelled": main or len(series) <= max_labels,
            }
        )
    # Names at the line ends; overlapping ones spread around them (centre = baseline - 4).
    order = sorted(
        (i for i in range(len(out_series)) if out_series[i]["labelled"]), key=lambda i: (out_series[i]["end_y"], i)
    )
    centres = spread([out_series[i]["end_y"] for i in order], LABEL_GAP, low=top)
    last = 0.0
    for i, c in zip(order, centres, strict=True):
        s = out_series[i]
        s["label_y"] = round(c + 4, 1)
        s["leader"] = {"x1": s["end_x"] + 3, "y1": s["end_y"], "x2": s["label_x"] - 2, "y2": c}
        last = c + 4

    def label(v: float) -> str:
        return (
            f"{v * 100:.0f}%"
            if fmt == "pct" and y_max >= 0.05
            else (f"{v * 100:.1f}%" if fmt == "pct" else f"{v:,.0f}")
        )

    height = max(top + plot_h + bottom, math.ceil(last) + 6)
    return {
        "width": left + plot_w + right,
        "height": height,
        "unlabelled": sum(1 for s in out_series if not s["labelled"]),
        "left": left,
        "top": top,
        "plot_w": plot_w,
        "plot_h": plot_h,
        "bottom_y": top + plot_h,
        "yticks": [{"y": y(v), "label": label(v)} for v in ticks],
        "xticks": [{"x": x(yr), "label": str(yr)} for yr in years],
        "series": out_series,
    }
