"""The audit log as a person reads it: operations, field labels, names and choice labels.

The log stores raw values (ids, codes, ISO dates) and the API returns them unchanged; the pages
(the audit log, an event's page, a person's 変更履歴) show them through :func:`present_events`,
the one place a change set becomes text. Names of referenced records are loaded in one query per
model for a whole page of events, so a longer page costs no more queries.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.audit import catalogue
from somu.audit.models import AuditEvent

EMPTY = "—"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shown:
    """One value as a person reads it, with a link to the record it names while that exists."""

    text: str
    url: str = ""


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: Shown | None  # None: nothing to compare with (the record was created)
    after: Shown
    known: bool  # False when the key has no label and its code was humanized


@dataclass(frozen=True)
class EventView:
    event: AuditEvent
    action: str  # the operation, translated
    action_known: bool  # False when the action is missing from the catalogue
    actor: str
    object_type: str  # what kind of record, translated
    object: Shown
    changes: list[ChangeRow]

    @property
    def known(self) -> bool:
        return self.action_known and all(row.known for row in self.changes)


# ---- labels ----------------------------------------------------------------------------------


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def object_type_label(object_type: str) -> str:
    """「人員」 for ``org.person``; a generic word, never the code, for an unknown type."""
    if object_type in catalogue.OBJECT_TYPES:
        return capfirst(str(catalogue.OBJECT_TYPES[object_type]))
    model = _model(object_type)
    if model is not None and isinstance(model._meta.verbose_name, Promise):
        return capfirst(str(model._meta.verbose_name))
    return _("Record")


def action_label(action: str, object_type: str = "") -> tuple[str, bool]:
    """The operation's name, and whether the catalogue knows it (else a generic label)."""
    if action in catalogue.ACTIONS:
        return str(catalogue.ACTIONS[action]), True
    subject = object_type_label(object_type) if object_type else _("Record")
    verb = catalogue.VERBS.get(action.rpartition(".")[2])
    if verb is not None:
        return _("%(verb)s of %(object)s") % {"object": subject, "verb": verb}, False
    return _("Operation on %(object)s") % {"object": subject}, False


# ---- how one key of one object type is shown -------------------------------------------------


@dataclass(frozen=True)
class _Key:
    label: str
    known: bool
    refers_to: str = ""  # object type of the record an id names
    choices: Mapping[Any, Any] | None = None
    value_labels: Mapping[str, Promise] | None = None
    formatter: Callable[[Any], str] | None = None
    batch: str = ""  # dotted path of a formatter that reads a page's values at once
    yen: bool = False
    secret: bool = False
    moment: bool = False  # a stored datetime: shown in local time


def _key(object_type: str, key: str) -> _Key:
    model = _model(object_type)
    for prefix, (template, choice_model, choice_field) in catalogue.PREFIXED.items():
        if key.startswith(prefix):
            field = _field(_model(choice_model), choice_field)
            return _Key(label=str(template) % {"name": key[len(prefix):]}, known=True,
                        choices=dict(field.flatchoices) if field and field.choices else None)
    field = _field(model, key)
    label: str | None = None
    if (object_type, key) in catalogue.FIELDS_BY_TYPE:
        label = str(catalogue.FIELDS_BY_TYPE[object_type, key])
    elif field is not None and isinstance(field.verbose_name, Promise):
        label = str(field.verbose_name)
    elif key in catalogue.FIELDS:
        label = str(catalogue.FIELDS[key])
    known = label is not None
    label = capfirst(label or key.replace("_", " "))
    formatter = None
    if (object_type, key) in catalogue.FORMATTERS:
        formatter = import_string(catalogue.FORMATTERS[object_type, key])
    refers_to = catalogue.REFERENCES.get(key, "")
    if field is not None and field.is_relation and (object_type, key) not in catalogue.PLAIN:
        related = field.related_model
        if isinstance(related, type):
            refers_to = related._meta.label_lower
    return _Key(
        label=label or "", known=known, refers_to=refers_to,
        choices=dict(field.flatchoices) if field is not None and field.choices else None,
        value_labels=catalogue.VALUE_LABELS.get(key),
        formatter=formatter,
        batch=catalogue.BATCH_FORMATTERS.get((object_type, key), ""),
        yen=(object_type, key) in catalogue.YEN,
        secret=(object_type, key) in catalogue.SECRETS,
        moment=isinstance(field, models.DateTimeField) or key.endswith("_at"),
    )


# ---- values ----------------------------------------------------------------------------------


def readable(value: Any) -> str:
    """Any stored JSON value as text: はい/いいえ, lists and mappings spelled out."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Mapping):
        if not value:
            return _("(none)")
        return _(", ").join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if not value:
            return _("(none)")
        return _(", ").join(readable(v) for v in value)
    return str(value)


def count_of(value: Any) -> str:
    """A list recorded for its length (the checklist items ticked)."""
    n = len(value) if isinstance(value, list | tuple) else 0
    return ngettext("%(n)d item", "%(n)d items", n) % {"n": n}


def _moment(value: Any) -> str:
    if not isinstance(value, str):
        return readable(value)
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return date_format(parsed, "Y-m-d H:i")


_NAME_AND_CODE = re.compile(r"^(?P<name>.*) \((?P<code>[^()]+)\)$")


def _object_name(object_type: str, recorded: str) -> str:
    """The recorded name of an event's record, with a code in it replaced by its label."""
    if object_type not in catalogue.REPR_CODES or not (match := _NAME_AND_CODE.match(recorded)):
        return recorded or EMPTY
    model_label, field_name = catalogue.REPR_CODES[object_type]
    field = _field(_model(model_label), field_name)
    label = dict(field.flatchoices).get(match["code"]) if field is not None else None
    return f"{match['name']} ({label})" if label is not None else recorded


def _pk(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class _Names:
    """Names and links of the records a page of events refers to, loaded one query per model."""

    def __init__(self, wanted: Mapping[str, set[int]], linked: Mapping[str, set[int]]) -> None:
        self.names: dict[tuple[str, int], str] = {}
        self.existing: set[tuple[str, int]] = set()
        for object_type, pks in wanted.items():
            model = _model(object_type)
            if model is None or not pks:
                continue
            # The default manager: a tenant model's is scoped to the active organization.
            for obj in model._default_manager.select_related().filter(pk__in=pks):
                self.names[object_type, obj.pk] = str(obj)
                self.existing.add((object_type, obj.pk))
        for object_type, pks in linked.items():
            model = _model(object_type)
            if model is None or not pks:
                continue
            pks = {pk for pk in pks if (object_type, pk) not in self.existing}
            if pks:
                rows = model._default_manager.filter(pk__in=pks).values_list("pk", flat=True)
                self.existing.update((object_type, pk) for pk in rows)

    def link(self, object_type: str, pk: int | None) -> str:
        if pk is None or (object_type, pk) not in self.existing:
            return ""
        url_name = catalogue.DETAIL_URLS.get(object_type)
        if url_name is None:
            return ""
        try:
            return reverse(url_name, args=[pk])
        except NoReverseMatch:
            return ""

    def show(self, object_type: str, value: Any) -> Shown:
        pk = _pk(value)
        if pk is None:
            return Shown(readable(value))
        name = self.names.get((object_type, pk))
        if name is None:
            return Shown(_("(deleted)"))
        return Shown(name, self.link(object_type, pk))


def _show(value: Any, key: _Key, names: _Names, batched: str | None = None) -> Shown:
    if value is None or value == "":
        return Shown(EMPTY)
    if key.secret:
        return Shown(_("(set, not shown)"))
    if batched is not None:
        return Shown(batched)
    if key.formatter is not None:
        try:
            return Shown(key.formatter(value))
        except Exception:  # an old or odd value must not break the log page; the log says why
            # The value itself is not logged: it may be personal data.
            logger.warning("audit: a %s value could not be read", type(value).__name__,
                           exc_info=True)
            return Shown(readable(value))
    if key.refers_to:
        return names.show(key.refers_to, value)
    if key.choices is not None and not isinstance(value, list | dict):
        label = key.choices.get(value)
        return Shown(str(label) if label is not None else readable(value))
    if key.value_labels is not None and isinstance(value, str) and value in key.value_labels:
        return Shown(str(key.value_labels[value]))
    if key.yen and isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            return Shown(f"¥{int(float(value)):,}")
        except ValueError:
            return Shown(readable(value))
    if key.moment:
        return Shown(_moment(value))
    return Shown(readable(value))


def _pairs(changes: Any) -> list[tuple[str, Any, Any]]:
    """``(key, before, after)`` of a stored change set; anything malformed still shows."""
    if not isinstance(changes, Mapping):
        return [("", None, changes)] if changes not in (None, "") else []
    pairs = []
    for key, pair in changes.items():
        if isinstance(pair, list | tuple) and len(pair) == 2:
            pairs.append((str(key), pair[0], pair[1]))
        else:
            pairs.append((str(key), None, pair))
    return pairs


# ---- events ----------------------------------------------------------------------------------


def present_events(events: Iterable[AuditEvent]) -> list[EventView]:
    """The events, each with its operation, record and changes in words."""
    events = list(events)
    keys: dict[tuple[str, str], _Key] = {}
    wanted: dict[str, set[int]] = defaultdict(set)
    linked: dict[str, set[int]] = defaultdict(set)
    pending: dict[str, list[tuple[AuditEvent, str, int, Any]]] = defaultdict(list)
    for event in events:
        if event.object_type in catalogue.DETAIL_URLS and (pk := _pk(event.object_id)):
            linked[event.object_type].add(pk)
        for key, before, after in _pairs(event.changes):
            spec = keys.get((event.object_type, key))
            if spec is None:
                spec = keys[event.object_type, key] = _key(event.object_type, key)
            if spec.batch:
                for side, value in enumerate((before, after)):
                    if value is not None and value != "":
                        pending[spec.batch].append((event, key, side, value))
            elif spec.refers_to and spec.formatter is None:
                wanted[spec.refers_to].update(
                    pk for pk in (_pk(before), _pk(after)) if pk is not None)
    names = _Names(wanted, linked)
    batched: dict[tuple[int, str, int], str] = {}
    for path, items in pending.items():
        texts = _batch_texts(path, [(event, value) for event, _k, _s, value in items])
        for (event, key, side, _v), text in zip(items, texts, strict=True):
            batched[id(event), key, side] = text
    return [_present(event, keys, names, batched) for event in events]


def _batch_texts(path: str, items: list[tuple[AuditEvent, Any]]) -> list[str]:
    try:
        texts = list(import_string(path)(items))
        if len(texts) == len(items):
            return texts
    except Exception:  # an old or odd value must not break the log page; the log says why
        logger.warning("audit: %s could not read a page of values", path, exc_info=True)
    return [readable(value) for _event, value in items]


def present_event(event: AuditEvent) -> EventView:
    return present_events([event])[0]


def _present(event: AuditEvent, keys: Mapping[tuple[str, str], _Key], names: _Names,
             batched: Mapping[tuple[int, str, int], str]) -> EventView:
    pairs = _pairs(event.changes)
    created = all(before is None for _key_, before, _after in pairs)
    rows = []
    for key, before, after in pairs:
        spec = keys.get((event.object_type, key)) or _key(event.object_type, key)
        rows.append(ChangeRow(
            label=spec.label, known=spec.known,
            before=None if created else _show(before, spec, names,
                                              batched.get((id(event), key, 0))),
            after=_show(after, spec, names, batched.get((id(event), key, 1))),
        ))
    label, known = action_label(event.action, event.object_type)
    object_pk = _pk(event.object_id)
    return EventView(
        event=event,
        action=label,
        action_known=known,
        actor=_("System (automatic)") if event.actor_id is None and event.actor_label == "system"
        else event.actor_label,
        object_type=object_type_label(event.object_type) if event.object_type else EMPTY,
        object=Shown(_object_name(event.object_type, event.object_repr),
                     names.link(event.object_type, object_pk)),
        changes=rows,
    )


def choices_of(codes: Sequence[str], label: Callable[[str], str]) -> list[tuple[str, str]]:
    """Filter options: each code with its label, sorted as a person reads them."""
    return sorted(((code, label(code)) for code in codes), key=lambda c: c[1])
