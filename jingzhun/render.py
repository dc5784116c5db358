"""The one Jinja2 environment for every document (cards, books, notices, reports).

- ``StrictUndefined``: a misspelt or missing field fails instead of printing blank.
- Autoescape for ``.html`` and ``.xml`` templates (DOCX bodies are WordprocessingML).
- Loader: the run's template folders, most specific first, then the packaged
  ``templates/`` found through :func:`jingzhun.resources.resource_dir`: the first folder
  holding a file of that relative name wins. The command layer gives the list
  (:meth:`jingzhun.profile.Sources.folders`: ``--templates`` < dataset < province profile
  < packaged, most specific first); a single folder is searched before the packaged one.
- Every template problem (syntax error, unknown field, missing file) becomes a
  :class:`jingzhun.errors.TemplateError` (exit 3) naming the template file and line.
- Sandboxed (``jinja2.sandbox.ImmutableSandboxedEnvironment``), packaged and user
  templates alike: a template can read the fields it is given, never reach Python
  internals (``__globals__``, ``os``) nor change the data; an attempt is a TemplateError.

DOCX files are made the same way: a template renders ``word/document.xml`` (the body),
and :func:`write_docx` packs it with fixed styles into a .docx that Word and WPS open.
The zip entries carry a fixed timestamp so the same inputs give byte-identical files.
"""

from __future__ import annotations

import functools
import math
import re
import traceback
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
import pandas as pd
from markupsafe import Markup, escape

from jingzhun.errors import TemplateError
from jingzhun.i18n import t
from jingzhun.profile import FolderList, with_packaged
from jingzhun.resources import resource_dir

TEMPLATE_SUFFIXES = (".html", ".htm", ".xml", ".css", ".j2", ".txt")

# Characters XML 1.0 forbids (Word refuses the whole file when one slips in).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# ---- filters ---------------------------------------------------------------------------


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _clean(v: str) -> str:
    # isprintable() is a fast C check; only unusual strings pay for the regex.
    return v if v.isprintable() else _XML_BAD.sub("", v)


def _finalize(v: Any) -> Any:
    """Missing values print as empty text; forbidden control characters are dropped."""
    cls = v.__class__
    if cls is str:
        return _clean(v)
    if cls is int or cls is Markup:
        return v
    if _is_missing(v):
        return ""
    return v


def money(v: Any, digits: int = 2) -> str:
    """``1234.5`` → ``1,234.50``; missing → empty."""
    if _is_missing(v) or v == "":
        return ""
    return f"{float(v):,.{digits}f}"


def cn_date(v: Any) -> str:
    """A date as ``2016年3月1日``; text ``2016-03-01`` is accepted; missing → empty."""
    if _is_missing(v) or v == "":
        return ""
    if isinstance(v, str):
        v = datetime.strptime(v[:10], "%Y-%m-%d").date()
    if isinstance(v, datetime):
        v = v.date()
    if isinstance(v, date):
        return f"{v.year}年{v.month}月{v.day}日"
    return str(v)


def mask_id(v: Any) -> str:
    """Mask an ID for public documents: ``421121********1234`` (contract §6)."""
    if _is_missing(v):
        return ""
    s = str(v).strip()
    if len(s) >= 15:
        return s[:6] + "********" + s[-4:]
    return "******" if s else ""


def mask_phone(v: Any) -> str:
    """``13812345678`` → ``138****5678``."""
    if _is_missing(v):
        return ""
    s = str(v).strip()
    return s[:3] + "****" + s[-4:] if len(s) >= 7 else ("****" if s else "")


def dash(v: Any, empty: str = "—") -> Any:
    """Show a placeholder where a value is missing or empty."""
    return empty if _is_missing(v) or v == "" else v


class Docx:
    """WordprocessingML pieces for DOCX body templates (global ``w`` in every template).

    Python, not Jinja macros: a village book has tens of thousands of table cells, and
    a function call is an order of magnitude cheaper than a macro call.
    """

    @staticmethod
    def _t(v: Any) -> str:
        if v.__class__ is not str:
            if v.__class__ is Markup:  # already escaped (``lines``, ``keep_hyphens``, text joined with ``~`` to Markup)
                return _clean(str(v))
            if _is_missing(v):
                return ""
            v = str(v)
        return str(escape(_clean(v)))

    def p(self, text: Any, style: str = "") -> Markup:
        ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
        return Markup(f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{self._t(text)}</w:t></w:r></w:p>')

    _RUN_SPLIT = '</w:t>{}<w:t xml:space="preserve">'

    def lines(self, *parts: Any) -> Markup:
        """Text with a line break between the parts and none inside them (a title that
        wraps between place and name, never inside a word)."""
        return Markup(self._RUN_SPLIT.format("<w:br/>").join(self._t(x) for x in parts))

    def keep_hyphens(self, text: Any) -> Markup:
        """Text whose hyphens never end a line (dates like 2016-03-01 stay whole)."""
        return Markup(self._t(text).replace("-", self._RUN_SPLIT.format("<w:noBreakHyphen/>")))

    def page_break(self) -> Markup:
        return Markup('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')

    # Body cells are bare: width comes from the fixed grid, spacing and size from the
    # table style. That keeps a village book's XML (and its render time) small.
    _HEAD = (
        '<w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="E8E8E8"/></w:tcPr><w:p><w:r><w:rPr><w:b/></w:'
        'rPr><w:t xml:space="preserve">'
    )
    _BODY = '<w:tc><w:p><w:r><w:t xml:space="preserve">'
    _END = "</w:t></w:r></w:p></w:tc>"
    _SPAN3 = '<w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t xml:space="preserve">'

    def _cell(self, text: Any, width: int = 0, head: bool = False) -> str:
        return (self._HEAD if head else self._BODY) + self._t(text) + self._END

    def table_start(self, headers: Sequence[Any], widths: Sequence[int]) -> Markup:
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        head = "".join(self._cell(h, w, True) for h, w in zip(headers, widths, strict=False))
        return Markup(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:'
            f'tblLayout w:type="fixed"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>"
            + (f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{head}</w:tr>" if headers else "")
        )

    def row(self, values: list[Any], widths: list[int] = (), head: bool = False) -> Markup:  # type: ignore[assignment]
        start, t, end = (self._HEAD if head else self._BODY), self._t, self._END
        cells = "".join([start + t(v) + end for v in values])
        return Markup(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")

    def span_row(self, text: Any, columns: int) -> Markup:
        """One centred cell across ``columns`` grid columns (\"no rows\" lines, like HTML's colspan)."""
        return Markup(
            f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="{columns}"/></w:tcPr>'
            f'<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">{self._t(text)}</w:'
            f"t></w:r></w:p></w:tc></w:tr>"
        )

    def table_end(self) -> Markup:
        return Markup("</w:tbl><w:p/>")

    def table(self, headers: list[Any], rows: list[list[Any]], widths: list[int]) -> Markup:
        return Markup(
            str(self.table_start(headers, widths)) + "".join(str(self.row(r, widths)) for r in rows) + "</w:tbl><w:p/>"
        )

    def kv(self, pairs: list[tuple[Any, Any]], widths: list[int] = (1500, 3000, 1500, 3000)) -> Markup:  # type: ignore[assignment]
        """Label/value pairs, two pairs per row, labels shaded; a last odd pair's value spans the rest of its row."""
        body = []
        for i in range(0, len(pairs), 2):
            chunk = list(pairs[i : i + 2])
            cells = "".join(
                self._cell(k, widths[j * 2], True) + self._cell(v, widths[j * 2 + 1]) for j, (k, v) in enumerate(chunk)
            )
            if len(chunk) == 1:
                cells = self._cell(chunk[0][0], 0, True) + self._SPAN3 + self._t(chunk[0][1]) + self._END
            body.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
        return Markup(str(self.table_start([], widths)) + "".join(body) + "</w:tbl><w:p/>")


FILTERS = {"money": money, "cn_date": cn_date, "mask_id": mask_id, "mask_phone": mask_phone, "dash": dash}


# ---- the environment -------------------------------------------------------------------


def _autoescape(name: str | None) -> bool:
    return name is not None and name.rsplit(".", 1)[-1].lower() in ("html", "htm", "xml")


# The template folders a renderer is given: one folder (``--templates``), or the run's list
# (:attr:`jingzhun.profile.Folders.templates`), or None for the packaged templates only.
Templates = FolderList


def _check_folder(p: Path) -> None:
    if not p.is_dir():
        raise TemplateError(
            t(f"找不到模板文件夹 {p}", f"template folder {p} not found"),
            t(
                "--templates 应指向一个文件夹, 其中的同名文件覆盖内置模板",
                "--templates must name a folder whose files override the packaged ones",
            ),
        )


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[str, ...]) -> jinja2.sandbox.ImmutableSandboxedEnvironment:
    for p in folders[:-1]:  # the last is the packaged folder (resource_dir found it)
        _check_folder(Path(p))
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(list(folders), encoding="utf-8"),
        undefined=jinja2.StrictUndefined,
        autoescape=_autoescape,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        cache_size=-1,
    )
    env.filters.update(FILTERS)
    env.globals["w"] = Docx()
    return env


def template_folders(templates: Templates = None) -> tuple[Path, ...]:
    """The folders searched for a template, in order (the packaged one last)."""
    return with_packaged(templates, resource_dir("templates"))


def environment(templates: Templates = None) -> jinja2.Environment:
    """The shared environment (one per folder list); earlier folders override later ones and the packaged."""
    return _environment(tuple(str(p) for p in template_folders(templates)))


def template_path(name: str, templates: Templates = None) -> Path:
    """Where template ``name`` is read from (the first folder that has it)."""
    env = environment(templates)
    loader = env.loader
    assert isinstance(loader, jinja2.FileSystemLoader)
    for base in loader.searchpath:
        p = Path(base) / name
        if p.is_file():
            return p
    return Path(loader.searchpath[-1]) / name


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that lies in a template file (Jinja rewrites them)."""
    found: tuple[str | None, int | None] = (None, None)
    for fr in traceback.extract_tb(exc.__traceback__):
        if fr.filename.endswith(TEMPLATE_SUFFIXES) or fr.filename == "<template>":
            found = (fr.filename, fr.lineno)
    return found


def _field_of(message: str) -> str:
    m = re.search(r"has no attribute '([^']+)'", message) or re.search(r"'([^']+)' is undefined", message)
    return m.group(1) if m else message


def get_template(name: str, templates: Templates = None) -> jinja2.Template:
    """A compiled template; problems become TemplateError with file and line."""
    env = environment(templates)
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as e:
        where = e.filename or name
        raise TemplateError(
            t(
                f"模板 {where} 第 {e.lineno} 行语法错误: {e.message}",
                f"template {where} line {e.lineno}: syntax error: {e.message}",
            ),
            t("请检查 {{ }} 和 {% %} 是否成对", "check that {{ }} and {% %} are balanced"),
        ) from None
    except jinja2.TemplateNotFound as e:
        raise TemplateError(
            t(f"找不到模板 {e.name}", f"template {e.name} not found"),
            t(
                "用户模板文件夹中的文件名须与内置模板相同",
                "a user template must have the same relative name as the packaged one",
            ),
        ) from None


def render(name: str, context: Mapping[str, Any], templates: Templates = None) -> str:
    """Render template ``name`` with ``context``; any failure is a TemplateError."""
    return render_template(get_template(name, templates), context)


def render_template(template: jinja2.Template, context: Mapping[str, Any]) -> str:
    """Render a template got from :func:`get_template` (reuse it across many villages)."""
    try:
        return template.render(context)
    except jinja2.UndefinedError as e:
        file, line = _template_line(e)
        where = file or template.filename or template.name
        field = _field_of(str(e))
        raise TemplateError(
            t(
                f"模板 {where} 第 {line} 行使用了未知字段 {field}",
                f"template {where} line {line}: unknown field {field}",
            ),
            t("可用字段见 docs 中的模板说明; 请检查拼写", "see the template fields in the docs; check the spelling"),
        ) from None
    except jinja2.sandbox.SecurityError as e:
        file, line = _template_line(e)
        where = file or template.filename or template.name
        raise TemplateError(
            t(
                f"模板 {where} 第 {line} 行试图访问不安全的内容, 已拒绝: {e}",
                f"template {where} line {line}: unsafe access refused: {e}",
            ),
            t(
                "模板只能使用提供给它的字段, 不能调用系统功能; 请检查这个模板的来源",
                "a template may only use the fields it is given, never system functions; check where this "
                "template came from",
            ),
        ) from None
    except jinja2.TemplateSyntaxError as e:  # an {% include %} of a broken file
        raise TemplateError(
            t(
                f"模板 {e.filename or e.name} 第 {e.lineno} 行语法错误: {e.message}",
                f"template {e.filename or e.name} line {e.lineno}: syntax error: {e.message}",
            ),
        ) from None
    except jinja2.TemplateError as e:
        file, line = _template_line(e)
        where = file or template.filename or template.name
        raise TemplateError(t(f"模板 {where} 第 {line} 行出错: {e}", f"template {where} line {line}: {e}")) from None
    except (TypeError, ValueError, AttributeError) as e:
        file, line = _template_line(e)
        if file is None:
            raise
        raise TemplateError(t(f"模板 {file} 第 {line} 行出错: {e}", f"template {file} line {line}: {e}")) from None


def write_text(path: str | Path, text: str) -> None:
    """Write a rendered document as UTF-8 with LF line ends (byte-stable)."""
    Path(path).write_text(text, encoding="utf-8", newline="\n")


# ---- DOCX ------------------------------------------------------------------------------

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml"\
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/word/styles.xml"\
 ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>
"""

_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"\
 Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"\
 Target="docProps/core.xml"/>
</Relationships>
"""

_DOC_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"\
 Target="styles.xml"/>
</Relationships>
"""

_CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"\
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>{title}</dc:title>
<dc:creator>jingzhun</dc:creator>
</cp:coreProperties>
"""

# Styles: SimSun body (宋体, what county offices print with), SimHei headings, a grid table.
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults>
<w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New\
 Roman"/><w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>
<w:pPrDefault><w:pPr><w:spacing w:after="60" w:line="300" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/>\
<w:jc w:val="center"/><w:spacing w:before="120" w:after="240"/></w:pPr><w:rPr><w:rFonts w:eastAsia="SimHei"/><w:b/>\
<w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr>\
<w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts\
 w:eastAsia="SimHei"/><w:b/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr>\
<w:keepNext/><w:spacing w:before="120" w:after="60"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:rFonts\
 w:eastAsia="SimHei"/><w:b/><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr>\
<w:keepNext/><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="444444"/><w:sz w:val="18"/><w:szCs w:val="18"/>\
</w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/>\
</w:pPr><w:rPr><w:color w:val="444444"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Right"><w:name w:val="Right"/><w:basedOn w:val="Normal"/><w:pPr><w:jc\
 w:val="right"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Cell"><w:name w:val="Cell"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing\
 w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:pPr><w:spacing w:after="0" w:line="240"\
 w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr><w:tblPr><w:tblBorders><w:top\
 w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>\
<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:right w:val="single" w:sz="4" w:space="0"\
 w:color="000000"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/><w:insideV w:val="single" w:sz="4"\
 w:space="0" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80"\
 w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>
"""


def _xml_text(s: str) -> str:
    return str(Markup.escape(_XML_BAD.sub("", s)))


def docx_bytes_parts(body_xml: str, title: str = "") -> list[tuple[str, str]]:
    """The parts of a .docx package around a rendered ``word/document.xml``."""
    return [
        ("[Content_Types].xml", _CONTENT_TYPES),
        ("_rels/.rels", _RELS),
        ("docProps/core.xml", _CORE.format(title=_xml_text(title))),
        ("word/_rels/document.xml.rels", _DOC_RELS),
        ("word/styles.xml", _STYLES),
        ("word/document.xml", body_xml),
    ]


def write_docx(path: str | Path, body_xml: str, title: str = "") -> None:
    """Pack a rendered WordprocessingML body into a .docx (deterministic bytes)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in docx_bytes_parts(body_xml, title):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, text.encode("utf-8"), compresslevel=1)


def render_docx(
    name: str, context: Mapping[str, Any], path: str | Path, templates: Templates = None, title: str = ""
) -> None:
    """Render the body template ``name`` (``….docx.xml``) and write the .docx to ``path``."""
    write_docx(path, render(name, context, templates), title)
