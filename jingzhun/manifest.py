"""``manifest.json``: what produced an output folder, and checking it again (contract §6)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jingzhun import __version__
from jingzhun.errors import InputError
from jingzhun.findings import Findings
from jingzhun.i18n import t

MANIFEST = "manifest.json"
# Files at the top of an output folder that are not results: the manifest itself and the
# log of ``jingzhun run --log <out>/run.log``. Every other file counts, hidden ones too
# (jingzhun never writes a hidden name).
NOT_OUTPUTS = {MANIFEST, "run.log"}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def output_files(root: Path) -> list[Path]:
    """Every file under root (relative, sorted), hidden ones too, except the top manifest and run.log."""
    files = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_dir() and rel.as_posix() not in NOT_OUTPUTS:
            files.append(rel)
    return files


def relative_inputs(inputs: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    """Input records with each path relative to the dataset folder ``root`` (posix), so that
    moving the dataset does not change what is recorded."""
    base = Path(root).resolve()
    out = []
    for rec in inputs:
        path = Path(rec["path"]).resolve()
        out.append({**rec, "path": path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name})
    return out


def build_manifest(
    root: Path,
    *,
    command: str,
    dataset: Path,
    year: int,
    inputs: list[dict[str, Any]],
    parameters: list[dict[str, Any]],
    started: str,
    finished: str,
    steps: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    outputs = [
        {"path": rel.as_posix(), "sha256": sha256_file(root / rel), "size": (root / rel).stat().st_size}
        for rel in output_files(root)
    ]
    return {
        "jingzhun_version": __version__,
        "command": command,
        "dataset": str(dataset),
        "year": year,
        "started": started,
        "finished": finished,
        "inputs": inputs,
        "parameters": parameters,
        "steps": steps or [],
        "outputs": outputs,
    }


def write_manifest(root: Path, manifest: dict[str, Any]) -> Path:
    path = root / MANIFEST
    path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    return path


@dataclass
class VerifyResult:
    checked: int
    findings: Findings


def verify(root: Path) -> VerifyResult:
    """Re-hash every output listed in the manifest; report changed, missing, extra files."""
    path = root / MANIFEST
    if not path.is_file():
        raise InputError(
            t(f"{root} 中没有 {MANIFEST}", f"no {MANIFEST} in {root}"),
            t("请指向 jingzhun run 的输出文件夹", "point to an output folder of jingzhun run"),
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        listed = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    except (ValueError, KeyError, TypeError) as e:
        raise InputError(t(f"{MANIFEST} 已损坏: {e}", f"{MANIFEST} is damaged: {e}")) from None
    findings = Findings()
    present = {rel.as_posix() for rel in output_files(root)}
    checked = len(listed)
    for part in manifest.get("counties") or []:  # a province run: each county's folder has its own manifest
        if not part.get("ok", True):
            continue
        sub = str(part["path"]).rstrip("/")
        present = {p for p in present if not p.startswith(sub + "/") or p == f"{sub}/{MANIFEST}"}
        if not (root / sub / MANIFEST).is_file():
            continue  # reported missing through the top manifest
        inner = verify(root / sub)
        checked += inner.checked
        theirs = inner.findings.frame()
        theirs["value"] = sub + "/" + theirs["value"].astype("str")
        theirs["key"] = theirs["value"]
        findings.extend(Findings.from_frame(theirs))
    for rel, digest in sorted(listed.items()):
        if rel not in present:
            findings.add("R-VERIFY-MISSING", table="outputs", value=rel, key=rel)
        elif sha256_file(root / rel) != digest:
            findings.add("R-VERIFY-CHANGED", table="outputs", value=rel, key=rel)
    for rel in sorted(present - set(listed)):
        findings.add("R-VERIFY-EXTRA", table="outputs", value=rel, key=rel)
    return VerifyResult(checked=checked, findings=findings)
