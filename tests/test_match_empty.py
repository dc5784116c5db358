"""``match`` on a households table without rows (a header-only export): members stay unlinked, no crash."""

from __future__ import annotations

from match_frames import A1, V1, dibao, households, members, row

from jingzhun.match import match
from jingzhun.match.prepare import persons
from jingzhun.params import Params


def test_persons_without_households_have_no_household_fields():
    p = persons(households().iloc[:0], members())
    assert len(p) == len(members())
    assert p["village_code"].isna().all() and p["head_name"].isna().all()
    assert p["registered"].isna().all()


def test_match_on_header_only_households_reports_the_roster_instead_of_crashing():
    res = match(
        {"households": households().iloc[:0], "members": members(), "dibao": dibao([row("R1", "张伟", A1, V1)])},
        Params.load(),
        2016,
    )
    assert len(res.pairs) <= 1
    assert len(res.findings.frame()) > 0
