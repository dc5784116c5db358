"""一户一策: measures per household from a rule table (data, overridable).

The packaged table ``jingzhun/plan/measures.csv`` has one rule per row:
``rule_id`` (recorded as ``why``), ``when`` (features joined by ``&``, each optionally
negated with ``!``; see :mod:`jingzhun.plan.features`), ``measure`` (the 帮扶措施 name of
domain.md §6.2), ``content`` (what the card says) and, optionally, ``label`` (the reason a card
prints in its 依据 column, e.g. 有搬迁意愿; a table without it prints the ``when`` text). A dataset overrides it with a
``measures.csv`` in its folder, a run with ``--measures FILE``.

Evaluation is vectorised: one boolean column per rule, then the set of rules that fired
is packed into a combination code; text is built once per distinct combination.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jingzhun.errors import ConfigError
from jingzhun.findings import Findings
from jingzhun.i18n import t
from jingzhun.params import sources_for
from jingzhun.plan.features import Features, known

PACKAGED = Path(__file__).with_name("measures.csv")
DATASET_FILE = "measures.csv"
REQUIRED = ("rule_id", "when", "measure")
SEP = ";"


@dataclass(frozen=True)
class MeasureRule:
    rule_id: str
    terms: tuple[tuple[str, bool], ...]  # (feature, wanted value)
    measure: str
    content: str
    label: str = ""

    @property
    def reason(self) -> str:
        """What a card prints for this rule: its label, else its condition text (never the id)."""
        return self.label or " 且 ".join(("非 " if not want else "") + name for name, want in self.terms)


def rules_file(dataset: str | Path | None = None, override: str | Path | None = None) -> Path:
    """The rule table in force: ``--measures FILE``, else the dataset's, else the profile's, else packaged."""
    return sources_for(dataset, measures_file=override).measures(PACKAGED)


def parse_when(text: str) -> tuple[tuple[str, bool], ...]:
    terms = []
    for raw in str(text).split("&"):
        term = raw.strip()
        if not term:
            continue
        want = not term.startswith("!")
        terms.append((term.lstrip("!").strip(), want))
    return tuple(terms)


def load_rules(path: str | Path) -> list[MeasureRule]:
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xls"):
            df = pd.read_excel(path, dtype=str, engine="calamine")
        else:
            df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except FileNotFoundError:
        raise ConfigError(t(f"找不到帮扶措施规则表 {path}", f"measure rule file {path} not found")) from None
    except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as e:
        raise ConfigError(
            t(f"帮扶措施规则表 {path} 无法读取: {e}", f"cannot read measure rule file {path}: {e}"),
            t(
                "请保存为 UTF-8 CSV, 列: rule_id, when, measure, content",
                "save it as UTF-8 CSV with columns rule_id, when, measure, content",
            ),
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ConfigError(
            t(
                f"帮扶措施规则表 {path} 缺少列: {', '.join(missing)}",
                f"measure rule file {path} lacks columns: {', '.join(missing)}",
            ),
            t("列: rule_id, when, measure, content", "columns: rule_id, when, measure, content"),
        )
    df = df.fillna("")
    labels = df["label"] if "label" in df.columns else pd.Series([""] * len(df))
    rules: list[MeasureRule] = []
    seen: set[str] = set()
    for i, (rid, when, measure, content, label) in enumerate(
        zip(
            df["rule_id"], df["when"], df["measure"], df.get("content", pd.Series([""] * len(df))), labels, strict=True
        ),
        start=1,
    ):
        rid, measure = str(rid).strip(), str(measure).strip()
        if not rid and not measure:
            continue
        terms = parse_when(when)
        bad = [f for f, _ in terms if not known(f)]
        if not rid or not measure or not terms or bad or rid in seen:
            what = (
                t(f"未知条件 {', '.join(bad)}", f"unknown condition {', '.join(bad)}")
                if bad
                else t(f"规则编号 {rid} 重复", f"rule id {rid} repeated")
                if rid in seen
                else t("rule_id、when、measure 不能为空", "rule_id, when and measure must be filled")
            )
            raise ConfigError(
                t(f"帮扶措施规则表 {path} 第 {i} 行: {what}", f"measure rule file {path} row {i}: {what}"),
                t(
                    "条件名见 jingzhun/plan/features.py 说明, 如 dangerous_house、cause:因病、!labour",
                    "condition names are listed in jingzhun/plan/features.py, e.g. dangerous_house, cause:"
                    "因病, !labour",
                ),
            )
        seen.add(rid)
        rules.append(MeasureRule(rid, terms, measure, str(content).strip(), str(label).strip()))
    return rules


@dataclass
class MeasureResult:
    """Per household (aligned to the input): the combination code, plus per-code text."""

    combo: np.ndarray  # int code per household
    measures: list[str]  # per code: measures joined by ';'
    why: list[str]  # per code: 'measure:rule,rule' joined by ';'
    items: list[list[dict[str, str]]]  # per code: [{measure, content, rules}]

    def column(self, which: str) -> np.ndarray:
        table = np.array(getattr(self, which), dtype=object)
        return table[self.combo]


def evaluate(features: Features, rules: list[MeasureRule]) -> tuple[MeasureResult, Findings]:
    """Fire every rule over every household at once."""
    findings = Findings()
    n = features.n
    fired = np.zeros((n, max(len(rules), 1)), dtype=bool)
    for j, r in enumerate(rules):
        mask = np.ones(n, dtype=bool)
        for name, want in r.terms:
            value = features.get(name)
            mask &= value if want else ~value
            if name in features.missing:
                findings.add(
                    "P-MEASURE-INPUT-MISSING", table="households", column=features.missing[name], key=r.rule_id
                )
        fired[:, j] = mask
    packed = np.packbits(fired, axis=1)
    view = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    uniq, combo = np.unique(view, return_inverse=True)
    measures: list[str] = []
    why: list[str] = []
    items: list[list[dict[str, str]]] = []
    for u in uniq:
        bits = np.unpackbits(np.frombuffer(u.tobytes(), dtype=np.uint8))[: len(rules)]
        by_measure: dict[str, list[MeasureRule]] = {}
        for pos in np.flatnonzero(bits):
            by_measure.setdefault(rules[pos].measure, []).append(rules[pos])
        measures.append(SEP.join(by_measure))
        why.append(SEP.join(f"{m}:{','.join(r.rule_id for r in rs)}" for m, rs in by_measure.items()))
        items.append(
            [
                {
                    "measure": m,
                    "content": "；".join(r.content for r in rs if r.content),
                    "rules": "、".join(dict.fromkeys(r.reason for r in rs)),
                }
                for m, rs in by_measure.items()
            ]
        )
    return MeasureResult(np.asarray(combo).reshape(-1), measures, why, items), _dedupe(findings)


def _dedupe(findings: Findings) -> Findings:
    frame = findings.frame()
    out = Findings()
    if frame.empty:
        return out
    frame = frame.drop_duplicates(["code", "column", "key"])
    out.add("P-MEASURE-INPUT-MISSING", table="households", column=frame["column"], key=frame["key"])
    return out
