"""The built-in template library (テンプレートライブラリ): real Japanese back-office procedures.

Each ``library/<key>.yaml`` is a complete procedure in the template format (see
:mod:`somu.procedures.engine.spec`) — 入社手続き, 退職手続き, 月次決算, 年末調整, 定時株主総会,
請求書発行, PCキッティング・アカウント発行, 備品発注, 健康診断 and a weekly 経費精算チェック — with
statutory deadlines expressed as due rules and the law and a public source cited in the notes.

The files are plain data shipped with the package: read and validated once per process,
and adopted into an organization as an ordinary template (version 1) remembering its
``library_key``. Their assignee rules only use rules that resolve in any organization (a role
without a department, a parameter, a manager, the starter) and fall back to the template
owner, so an adopted template launches without editing.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from somu.core.errors import Conflict
from somu.org.models import Person
from somu.org.services import Actor
from somu.procedures.engine.parse import parse_spec_dict, spec_dict
from somu.procedures.engine.spec import ParameterSpec, SpecError, SpecProblem, TemplateSpec
from somu.procedures.engine.yamlio import load_yaml
from somu.procedures.models import Template

LIBRARY_DIR: Final = Path(__file__).resolve().parent.parent / "library"
# Display order: the people procedures first, then accounting, then the yearly company events.
ORDER: Final = (
    "onboarding", "offboarding", "health_check", "year_end_adjustment", "monthly_close",
    "invoicing", "weekly_expense_check", "agm", "supplies_order", "pc_kitting",
    "contract_signing",
)


@dataclass(frozen=True)
class LibraryEntry:
    """One procedure of the library: its file's key, the validated spec and its canonical dict.

    ``spec`` is the parsed :class:`TemplateSpec` (what pages and the API show); ``data`` is the
    canonical dict a template version stores. Treat both as read-only: they are shared.
    """

    key: str
    spec: TemplateSpec
    data: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def category(self) -> str:
        return self.spec.category

    @property
    def description(self) -> str:
        return self.spec.description

    @property
    def notes(self) -> str:
        """The template's notes: how it counts deadlines and the sources it cites."""
        return self.spec.notes

    @property
    def step_count(self) -> int:
        return len(self.spec.steps)

    @property
    def parameters(self) -> tuple[ParameterSpec, ...]:
        return self.spec.parameters

    @property
    def statutory_steps(self) -> list[tuple[str, str]]:
        """(step name, notes) of the steps whose notes give a legal basis or source."""
        return [(s.name, s.notes) for s in self.spec.steps if s.notes.strip()]


def _load(path: Path) -> LibraryEntry:
    try:
        spec = parse_spec_dict(load_yaml(path.read_bytes()))
    except SpecError as exc:
        # A broken library file is a packaging bug: say which file, not just what.
        raise SpecError([SpecProblem(f"{path.name}: {p.path}", p.message)
                         for p in exc.problems]) from exc
    return LibraryEntry(key=path.stem, spec=spec, data=spec_dict(spec))


@lru_cache(maxsize=1)
def _entries() -> tuple[LibraryEntry, ...]:
    paths = {path.stem: path for path in LIBRARY_DIR.glob("*.yaml")}
    keys = [key for key in ORDER if key in paths] + sorted(set(paths) - set(ORDER))
    return tuple(_load(paths[key]) for key in keys)


def library_entries() -> list[LibraryEntry]:
    """Every library procedure, in display order (read and validated once per process)."""
    return list(_entries())


def library_entry(key: str) -> LibraryEntry:
    """The library procedure ``key`` (the file name without ``.yaml``); KeyError if none."""
    for entry in _entries():
        if entry.key == key:
            return entry
    raise KeyError(key)


class AlreadyAdopted(Conflict):
    """The organization adopted this library procedure already (HTTP 409); ``template`` is it."""

    def __init__(self, template: Template) -> None:
        super().__init__(f"This procedure was adopted already as template {template.pk}.")
        self.template = template


def library_adopt(*, actor: Actor, key: str, owner: Person | None = None) -> Template:
    """Adopt library procedure ``key`` as a new template of the active organization.

    The template starts at version 1 with the library's definition and remembers ``key``;
    ``owner`` takes the steps whose assignee rule finds nobody. Raises KeyError for an unknown
    key, :class:`AlreadyAdopted` when the organization adopted it before, and
    ``ValidationError`` on ``name`` when the organization already has a template of that name
    (rename or archive it first: adopting never overwrites a template). Ask :func:`role_needs`
    what to set up before launching it.
    """
    from somu.procedures.services import templates as template_services

    entry = library_entry(key)
    existing = Template.objects.filter(library_key=key).order_by("pk").first()
    if existing is not None:
        raise AlreadyAdopted(existing)
    if Template.objects.filter(name=entry.name).exists():
        raise ValidationError({"name": ValidationError(
            _("A template named “%(name)s” already exists. Rename it, then adopt the library "
              "procedure again.") % {"name": entry.name},
            code="unique",
        )})
    return template_services.template_save(
        actor=actor, template=None, spec=copy.deepcopy(entry.data),
        note=_("Adopted from the library"), owner=owner, library_key=key,
    )
