"""Every finding code used anywhere in the package (and the schemas) is catalogued."""

from __future__ import annotations

import re
from pathlib import Path

from jingzhun.catalogue import CATALOGUE
from jingzhun.catalogue import validate as validate_catalogue

ROOT = Path(__file__).resolve().parent.parent
CODE_LITERAL = re.compile(r"""["']([VIMPAR]-[A-Z0-9]+(?:-[A-Z0-9]+)*)["']""")
YAML_CODE = re.compile(r"error:\s*([VIMPAR]-[A-Z0-9-]+)")


def used_codes() -> dict[str, set[str]]:
    uses: dict[str, set[str]] = {}
    for path in sorted((ROOT / "jingzhun").rglob("*.py")):
        for code in CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            uses.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    for path in sorted((ROOT / "schemas").glob("*.yaml")):
        for code in YAML_CODE.findall(path.read_text(encoding="utf-8")):
            uses.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return uses


def test_every_code_used_is_catalogued():
    uses = used_codes()
    assert "V-ID-CHECKSUM" in uses and "V-RANGE" in uses  # the scan sees code and YAML
    missing = {code: sorted(files) for code, files in uses.items() if code not in CATALOGUE}
    assert missing == {}


def test_validation_codes_are_complete_and_cited():
    for rule in validate_catalogue.RULES:
        assert rule.code.startswith("V-")
        assert rule.zh and rule.en and rule.basis_zh and rule.basis_en, rule.code
        # templates only use the finding fields
        for text in (rule.zh, rule.en):
            assert set(re.findall(r"{(\w+)}", text)) <= {"table", "row", "column", "value", "key", "detail"}


def test_every_validation_code_is_used():
    uses = used_codes()
    unused = [r.code for r in validate_catalogue.RULES if r.code not in uses]
    assert unused == []
