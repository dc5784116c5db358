"""One resolver for where parameters, measure rules, templates and schemas come from.

A *province profile* is a folder a province (or prefecture) keeps for all its counties::

    hubei/
      params.toml      parameters, same form as a dataset's jingzhun.toml (incl. [identify] exclusion_sources)
      measures.csv     the measure rule table (帮扶措施规则)
      templates/       template files overriding packaged ones of the same name
      schemas/         table schema files overriding packaged ones of the same name

A dataset names its profile with a top-level ``profile = "../hubei"`` line in its
``jingzhun.toml`` (relative to the dataset folder), or a run with ``JINGZHUN_PROFILE``.

The one override order, lowest first, the same for every kind::

    packaged defaults < profile < dataset < run file (--config / --measures / --templates) < command-line options

Parameters merge key by key across the layers; a measure rule table is taken whole from
the highest layer that has one; templates and schemas are looked up file by file, the
highest layer that has the file winning.

The command layer resolves a run's :class:`Sources` once and hands the template and schema
folders down as :class:`Folders` (plain tuples of paths, picklable: worker processes and the
county tasks of a province run get the same); the renderer and the schema loader only walk
the list they are given, first folder holding the file wins.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jingzhun.errors import ConfigError
from jingzhun.i18n import t
from jingzhun.resources import resource_dir

PROFILE_ENV = "JINGZHUN_PROFILE"
PROFILE_KEY = "profile"  # top-level key of a dataset's jingzhun.toml
DATASET_PARAMS = "jingzhun.toml"
PROFILE_PARAMS = "params.toml"
MEASURES = "measures.csv"
LAYERS = ("packaged", "profile", "dataset", "run")  # lowest first


# One folder (a run's ``--templates``) or a list of folders, most specific first.
FolderList = str | Path | Sequence[str | Path] | None


@dataclass(frozen=True)
class Folders:
    """Where a run looks up templates and schemas, each most specific first, ending in the packaged folder.

    Empty tuples mean the packaged folders only (a library call with no run around it)."""

    templates: tuple[Path, ...] = ()
    schemas: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Sources:
    """The folders and files of one run; each method lists a kind's candidates in :data:`LAYERS` order."""

    dataset: Path | None = None
    profile: Path | None = None
    params_file: Path | None = None  # --config
    measures_file: Path | None = None  # --measures
    templates_dir: Path | None = None  # --templates
    schemas_dir: Path | None = None

    def params_files(self, packaged: Path) -> list[tuple[Path, str]]:
        """(file, origin) to merge in this order; only files that exist, the run file always (it must)."""
        out = [(packaged, "default")]
        for p in (
            self.profile / PROFILE_PARAMS if self.profile else None,
            self.dataset / DATASET_PARAMS if self.dataset else None,
        ):
            if p is not None and p.is_file():
                out.append((p, str(p)))
        if self.params_file is not None:
            out.append((self.params_file, str(self.params_file)))
        return out

    def measures(self, packaged: Path) -> Path:
        """The measure rule table in force: the highest layer's."""
        found = packaged
        for p in (
            self.profile / MEASURES if self.profile else None,
            self.dataset / MEASURES if self.dataset else None,
        ):
            if p is not None and p.is_file():
                found = p
        return self.measures_file if self.measures_file is not None else found

    def template_dirs(self, packaged: Path) -> list[Path]:
        """Template folders, searched in this order (highest layer first)."""
        return self._folders("templates", self.templates_dir, packaged)

    def schema_dirs(self, packaged: Path) -> list[Path]:
        """Schema folders, searched in this order (highest layer first)."""
        return self._folders("schemas", self.schemas_dir, packaged)

    def folders(self) -> Folders:
        """The template and schema folders of this run (the packaged ones found by :mod:`jingzhun.resources`)."""
        return Folders(
            templates=tuple(self.template_dirs(resource_dir("templates"))),
            schemas=tuple(self.schema_dirs(resource_dir("schemas"))),
        )

    def _folders(self, name: str, run: Path | None, packaged: Path) -> list[Path]:
        layered = [base / name for base in (self.dataset, self.profile) if base is not None]
        found = [p for p in layered if p.is_dir()]
        return ([run] if run is not None else []) + found + [packaged]


def with_packaged(given: FolderList, packaged: Path) -> tuple[Path, ...]:
    """``given`` (one run folder, or a list from :meth:`Sources.folders`) as resolved paths ending in ``packaged``.

    A single folder is the run layer alone (the ``--templates`` of a library call): it is
    searched before the packaged folder, as before profiles existed."""
    if given is None:
        items: list[Path] = []
    elif isinstance(given, (str, Path)):
        items = [Path(given)]
    else:
        items = [Path(p) for p in given]
    out = [p.resolve() for p in items]
    home = packaged.resolve()
    return tuple(out if out and out[-1] == home else [*out, home])


def find_file(name: str, folders: Sequence[Path]) -> Path | None:
    """The first ``folder / name`` that exists (folders from :meth:`Sources.template_dirs` or ``schema_dirs``)."""
    for base in folders:
        if (base / name).is_file():
            return base / name
    return None


def resolve(
    dataset: str | Path | None = None,
    *,
    profile: str | Path | None = None,
    params_file: str | Path | None = None,
    measures_file: str | Path | None = None,
    templates_dir: str | Path | None = None,
    schemas_dir: str | Path | None = None,
    declared: str | None = None,
) -> Sources:
    """The run's :class:`Sources`; the profile is ``profile``, else $JINGZHUN_PROFILE, else ``declared``.

    ``declared`` is the ``profile`` value of the dataset's ``jingzhun.toml`` (relative to the dataset).
    """
    ds = Path(dataset) if dataset is not None and Path(dataset).is_dir() else None
    chosen: Path | None = None
    if profile is not None:
        chosen = Path(profile)
    elif os.environ.get(PROFILE_ENV):
        chosen = Path(os.environ[PROFILE_ENV])
    elif declared:
        chosen = Path(os.path.normpath(ds / declared)) if ds is not None else Path(declared)
    if chosen is not None and not chosen.is_dir():
        raise ConfigError(
            t(f"找不到省级配置文件夹 {chosen}", f"province profile folder {chosen} not found"),
            t(
                f"检查数据集 jingzhun.toml 中的 {PROFILE_KEY} 或环境变量 {PROFILE_ENV}",
                f"check {PROFILE_KEY} in the dataset's jingzhun.toml or ${PROFILE_ENV}",
            ),
        )
    return Sources(
        dataset=ds,
        profile=chosen,
        params_file=Path(params_file) if params_file is not None else None,
        measures_file=Path(measures_file) if measures_file is not None else None,
        templates_dir=Path(templates_dir) if templates_dir is not None else None,
        schemas_dir=Path(schemas_dir) if schemas_dir is not None else None,
    )
