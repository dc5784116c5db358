"""The audit finds every anomaly kind that ``jingzhun sample --anomalies`` injects."""

from __future__ import annotations

import numpy as np
import pytest

from jingzhun.audit.core import audit
from jingzhun.audit.truth import score
from jingzhun.params import Params
from jingzhun.sample.anomalies import PAYEE_KINDS, PROJECT_KINDS, inject
from jingzhun.sample.generate import generate


@pytest.fixture(scope="module")
def injected():
    params = Params.load()
    ys = next(generate(1500, [2017], 5))
    base = audit(ys.tables, params, 2017)
    frames, truth = inject(ys.tables, np.random.default_rng(3), 0.01, params)
    return base, audit(frames, params, 2017), truth


def test_every_kind_is_injected_and_found(injected):
    base, result, truth = injected
    assert set(truth["kind"]) == set(PAYEE_KINDS) | set(PROJECT_KINDS)
    s = score(result.findings, truth).set_index("expected_code")
    assert set(s.index) == set(PAYEE_KINDS.values()) | set(PROJECT_KINDS.values())
    assert (s["recall"] == 1.0).all(), s[s["recall"] < 1.0]


def test_no_new_false_positives_against_the_clean_baseline(injected):
    base, result, truth = injected
    f = result.findings
    seen = set(zip(base.findings["code"], base.findings["table"], base.findings["key"], strict=True))
    new = f[[k not in seen for k in zip(f["code"], f["table"], f["key"], strict=True)]]
    s = score(new, truth)
    assert (s["false_positive"] == 0).all(), s[s["false_positive"] > 0]


def test_injection_is_deterministic():
    ys = next(generate(300, [2017], 9))
    a = inject(ys.tables, np.random.default_rng(1), 0.02)[1]
    b = inject(ys.tables, np.random.default_rng(1), 0.02)[1]
    assert a.equals(b) and len(a) > 0


def test_clean_sample_raises_none_of_the_new_checks(injected):
    """Recurring-measure duplicates, amount outliers and negative-list patterns (issue 15) stay
    silent on the generator's clean ledger."""
    base, _, _ = injected
    assert not set(base.findings["code"]) & {"A-DUPLICATE-PAYMENT", "A-AMOUNT-OUTLIER", "A-NEGATIVE-LIST"}


def test_paraphrased_purposes_are_missed_by_the_keyword_list_and_found_by_the_patterns(injected):
    _, result, truth = injected
    para = set(truth.loc[truth["kind"] == "negative_list_paraphrase", "payment_id"])
    assert para
    f = result.findings
    assert para <= set(f.loc[f["code"] == "A-NEGATIVE-LIST", "key"])
