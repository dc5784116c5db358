"""The documents of ``jingzhun run data-sample`` printed by headless Chromium (issue 11, "Done when").

Each document is printed to PDF as a person would (A4, no header/footer); the PDF is read
back with poppler (``pdfinfo``, ``pdftotext -bbox``) and checked for: the number of
pages; no word outside the page's margins (a table wider than the page, clipped text);
no two words of one line on top of each other (text overflowing its cell into the next,
chart labels piled up); no heading as the last line of a page; notice titles broken
only between place and name; dates whole.

Needs Debian's ``chromium``, ``fonts-noto-cjk`` and ``poppler-utils`` (.ci/run installs
them); skipped without them.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jingzhun.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data-sample"
CHROMIUM = Path("/usr/bin/chromium")
MM = 72 / 25.4  # PDF points per millimetre

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")  # fonts-noto-cjk: page counts assume it

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists()
        or not CJK_FONT.exists()
        or shutil.which("pdftotext") is None
        or shutil.which("pdfinfo") is None,
        reason="needs /usr/bin/chromium, fonts-noto-cjk and poppler-utils (apt-get install chromium fonts-noto-cjk "
        "poppler-utils; .ci/run does)",
    ),
]


# ---- printing and reading back ---------------------------------------------------------


def print_pdf(page: Path, pdf: Path) -> Path:
    """``page`` printed by headless Chromium to ``pdf`` (a fresh profile, no network, no header/footer)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                str(CHROMIUM),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf}",
                "--no-pdf-header-footer",
                page.as_uri(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=180,
            check=False,
        )
    assert pdf.is_file() and pdf.stat().st_size > 0, f"Chromium printed nothing for {page}"
    return pdf


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def mid(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Page:
    width: float
    height: float
    words: list[Word]

    def lines(self) -> list[list[Word]]:
        """Words grouped into lines (vertical centres within a third of the word height), top to bottom."""
        out: list[list[Word]] = []
        for w in sorted(self.words, key=lambda w: (w.mid, w.x0)):
            if out and abs(out[-1][0].mid - w.mid) < (w.y1 - w.y0) / 3:
                out[-1].append(w)
            else:
                out.append([w])
        return [sorted(line, key=lambda w: w.x0) for line in out]


def read_pdf(pdf: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        words = [
            Word(float(a), float(b), float(c), float(d), html.unescape(t))
            for a, b, c, d, t in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', m.group(3)
            )
        ]
        pages.append(Page(float(m.group(1)), float(m.group(2)), words))
    n = int(
        re.search(
            r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        ).group(1)
    )
    assert n == len(pages)
    return pages


# ---- what every printed page must satisfy ------------------------------------------------


def inside_margins(pages: list[Page], margin_mm: float, name: str) -> None:
    """Every word lies between the left and right page margins (1 mm tolerance)."""
    lo = (margin_mm - 1) * MM
    for i, p in enumerate(pages, 1):
        out = [w.text for w in p.words if w.x0 < lo or w.x1 > p.width - lo]
        assert not out, f"{name} page {i}: text beyond the margin: {out[:5]}"


# Full-width punctuation that Chromium sets half-width next to another one (）。 ，「):
# its box overlaps by half a character.
CJK_PUNCT = set("（）。，、；：！？「」『』《》【】“”‘’")


def no_overlaps(pages: list[Page], name: str) -> None:
    """No two words of a line overlap (more than a fifth of the narrower one; half a
    character at squeezed CJK punctuation)."""
    for i, p in enumerate(pages, 1):
        for line in p.lines():
            for a, b in zip(line, line[1:], strict=False):
                overlap = a.x1 - b.x0
                allowed = 0.2 * min(a.x1 - a.x0, b.x1 - b.x0) + 0.5
                if a.text[-1:] in CJK_PUNCT or b.text[:1] in CJK_PUNCT:
                    allowed = max(allowed, 0.6 * min((w.x1 - w.x0) / max(len(w.text), 1) for w in (a, b)))
                assert overlap <= allowed, f"{name} page {i}: {a.text!r} overlaps {b.text!r}"


def headings(page_html: str) -> set[str]:
    return {re.sub(r"<[^>]+>|\s", "", h) for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", page_html, re.S)}


def no_stranded_heading(pages: list[Page], page_html: str, name: str) -> None:
    """No page but the last ends with a heading, or a heading and one line (it belongs
    with the text that follows)."""
    heads = headings(page_html)
    for i, p in enumerate(pages[:-1], 1):
        for line in p.lines()[-2:]:
            text = "".join(w.text for w in line)
            assert text not in heads, f"{name} page {i} ends with the heading {text!r}"


def check(pdf: Path, page_html: str, name: str, margin_mm: float = 16) -> list[Page]:
    pages = read_pdf(pdf)
    inside_margins(pages, margin_mm, name)
    no_overlaps(pages, name)
    no_stranded_heading(pages, page_html, name)
    return pages


# ---- the documents ------------------------------------------------------------------------


def _card_page(book: str) -> str:
    """The first card of a village book as a page of its own (what printing one card gives)."""
    head = book[: book.index("<body>") + len("<body>")]
    start = book.index('<section class="card page"')
    return head + "\n" + book[start : book.index("</section>", start) + len("</section>")] + "\n</body>\n</html>\n"


def _big_register(register: str, households: int) -> str:
    """A township register with ``households`` rows, made by repeating the sample's rows."""
    head, rest = register.split("二、建档立卡户名册", 1)
    body_start = rest.index("<tbody>") + len("<tbody>\n")
    body_end = rest.index("</tbody>")
    rows = rest[body_start:body_end].splitlines(keepends=True)
    many = [rows[i % len(rows)] for i in range(households)]
    return head + "二、建档立卡户名册" + rest[:body_start] + "".join(many) + rest[body_end:]


def _by_title(folder: Path, words: str, required: bool = True) -> list[Path]:
    """The HTML files under ``folder`` whose <title> holds ``words`` (file names are not relied on)."""
    found = []
    for p in sorted(folder.rglob("*.html")):
        m = re.search(r"<title>(.*?)</title>", p.read_text(encoding="utf-8"), re.S)
        if m and words in m.group(1):
            found.append(p)
    assert found or not required, f"no document titled …{words}… under {folder}"
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, str, int]]:
    """name -> (pdf, the printed HTML, sections or cards it holds) for each document."""
    if not SAMPLE.is_dir():
        pytest.skip("data-sample/ not generated (jingzhun sample)")
    base = tmp_path_factory.mktemp("print")
    out = base / "out"
    r = CliRunner().invoke(app, ["run", str(SAMPLE), "--out", str(out), "--date", "2016-03-01", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    books = out / "plan" / "books"
    township = _by_title(books, "精准扶贫乡簿")[0]
    village = _by_title(township.parent, "精准扶贫村册")[0]
    docs: dict[str, Path] = {
        "report": out / "report" / "index.html",
        "audit": out / "audit" / "report.html",
        "village_book": village,
        "township_book": township,
    }
    (base / "card.html").write_text(_card_page(village.read_text(encoding="utf-8")), encoding="utf-8")
    docs["card"] = base / "card.html"
    (base / "township455.html").write_text(_big_register(township.read_text(encoding="utf-8"), 455), encoding="utf-8")
    docs["township_455"] = base / "township455.html"
    for kind in ("identification", "exit", "projects"):
        folder = out / "notice" / kind
        combined = _by_title(folder, "（汇总打印）", required=False)
        single = sorted(set(_by_title(folder, "")) - set(combined))
        assert single, f"no {kind} notice in data-sample's run"
        docs[f"notice_{kind}"] = single[0]
        if combined and kind == "identification":  # one township's combined print is enough (each takes seconds)
            docs[f"notice_{kind}_all"] = combined[0]
    jobs = max(1, min(2, os.cpu_count() or 1))
    with ThreadPoolExecutor(jobs) as pool:
        pdfs = dict(zip(docs, pool.map(lambda kv: print_pdf(kv[1], base / f"{kv[0]}.pdf"), docs.items()), strict=True))
    result = {}
    for name, page in docs.items():
        text = page.read_text(encoding="utf-8")
        sections = (
            text.count('<section class="card page"')
            if "book" in name or name == "card"
            else text.count('<section class="page notice">')
        )
        result[name] = (pdfs[name], text, sections)
    return result


def test_monitoring_report(printed):
    pdf, text, _ = printed["report"]
    pages = check(pdf, text, "report")
    assert 2 <= len(pages) <= 6


def test_audit_report(printed):
    pdf, text, _ = printed["audit"]
    pages = check(pdf, text, "audit")
    assert 3 <= len(pages) <= 9


def test_village_book_one_page_per_card(printed):
    pdf, text, cards = printed["village_book"]
    pages = check(pdf, text, "village book")
    assert cards >= 1
    assert cards + 1 <= len(pages) <= cards + 2  # the village summary and roster, then one page per card


def test_card_fits_one_page(printed):
    pdf, text, cards = printed["card"]
    assert cards == 1
    assert len(check(pdf, text, "card")) == 1


def _register_rows(page_html: str) -> int:
    return len(re.findall(r'<tr><td class="num">', page_html.split("二、建档立卡户名册", 1)[1]))


def test_township_book(printed):
    pdf, text, _ = printed["township_book"]
    households = _register_rows(text)
    pages = check(pdf, text, "township book", margin_mm=12)
    assert len(pages) <= 1 + households // 20


def test_township_book_of_455_households_within_25_pages(printed):
    pdf, text, _ = printed["township_455"]
    assert _register_rows(text) == 455
    pages = check(pdf, text, "township book (455)", margin_mm=12)
    assert len(pages) <= 25


def _title_lines(page: Page) -> list[str]:
    """The lines set in the page's largest type (the title)."""
    big = max(w.y1 - w.y0 for w in page.words)
    return ["".join(w.text for w in line) for line in page.lines() if line[0].y1 - line[0].y0 > 0.9 * big]


@pytest.mark.parametrize("kind", ["identification", "exit", "projects"])
def test_notices(printed, kind):
    margin = 12 if kind == "projects" else 16
    pdf, text, sections = printed[f"notice_{kind}"]
    pages = check(pdf, text, f"{kind} notice", margin_mm=margin)
    assert len(pages) == sections == 1
    title = re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", text).group(1))
    place, name = re.fullmatch(r"(.*?)(\d{4}年.*)", title).groups()
    lines = _title_lines(pages[0])
    assert "".join(lines) == place + name
    assert all(line in (place, name, place + name) for line in lines), f"{kind} title broken inside a word: {lines}"
    body = "\n".join(" ".join(w.text for w in line) for p in pages for line in p.lines())
    assert not re.search(r"\d{4}-(\d\d-?)?(\s|$)", body), f"{kind} notice: a date broken at a hyphen"
    if f"notice_{kind}_all" in printed:
        pdf, text, sections = printed[f"notice_{kind}_all"]
        pages = check(pdf, text, f"{kind} notices of a township", margin_mm=margin)
        assert len(pages) == sections  # one page per village


def test_trend_chart_of_many_townships(tmp_path):
    """A sample county with many townships: every township line named at its end, no names piled up."""
    runner = CliRunner()
    r = runner.invoke(app, ["sample", str(tmp_path / "ds"), "--households", "600", "--years", "2015-2016", "--quiet"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["report", str(tmp_path / "ds"), "--out", str(tmp_path / "out"), "--quiet"])
    assert r.exit_code in (0, 1), r.output
    page = tmp_path / "out" / "report" / "index.html"
    text = page.read_text(encoding="utf-8")
    trend = text[text.index("<polyline") :]
    trend = trend[: trend.index("</svg>")]
    assert trend.count("<polyline") >= 8 and len(set(re.findall(r'stroke-dasharray="([^"]+)"', trend))) >= 7
    pages = check(print_pdf(page, tmp_path / "report.pdf"), text, "report (many townships)")
    names = [w.text for p in pages[:2] for w in p.words]
    assert all(any(n.startswith(t) for n in names) for t in re.findall(r'class="slab[^"]*">([^<…]+)', trend))
