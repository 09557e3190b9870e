"""The audit log's vocabulary: what each recorded action, object type and change key is called.

The presenter (:mod:`somu.audit.presenters`) reads model field labels (``verbose_name``) and
choices itself; the vocabulary holds only what the models cannot say: the operations, the
object types, and the keys a service records that are not model fields (counts, files) or whose
field has no translated label.

This module holds the organization module's words; every other app declares a
:class:`Vocabulary` of its own in its registry entry (``audit="somu.<app>.audit_vocabulary:
VOCABULARY"``), and the names below (``catalogue.ACTIONS``, …) are the union of all of them.
``test_every_action_the_code_records_has_a_label`` keeps ``ACTIONS`` complete: a service that
records a new action fails it until its app names it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from somu.core import registry


@dataclass(frozen=True)
class Vocabulary:
    """One app's words for the audit log; each attribute is described where the organization
    module's own is defined below (``_ACTIONS``, ``_OBJECT_TYPES``, …)."""

    actions: dict[str, Promise] = field(default_factory=dict)
    verbs: dict[str, Promise] = field(default_factory=dict)
    object_types: dict[str, Promise] = field(default_factory=dict)
    fields: dict[str, Promise] = field(default_factory=dict)
    fields_by_type: dict[tuple[str, str], Promise] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    plain: frozenset[tuple[str, str]] = frozenset()
    secrets: frozenset[tuple[str, str]] = frozenset()
    yen: frozenset[tuple[str, str]] = frozenset()
    formatters: dict[tuple[str, str], str] = field(default_factory=dict)
    batch_formatters: dict[tuple[str, str], str] = field(default_factory=dict)
    prefixed: dict[str, tuple[Promise, str, str]] = field(default_factory=dict)
    value_labels: dict[str, dict[str, Promise]] = field(default_factory=dict)
    repr_codes: dict[str, tuple[str, str]] = field(default_factory=dict)
    detail_urls: dict[str, str] = field(default_factory=dict)

# Every action a service records, named as an operation a person did (「定期実行の作成」).
_ACTIONS: dict[str, Promise] = {
    # org
    "organization.create": _("Organization created"),
    "organization.update": _("Organization updated"),
    "membership.create": _("Account added to the organization"),
    "membership.update": _("Account role changed"),
    "membership.deactivate": _("Account deactivated"),
    "invitation.create": _("Invitation sent"),
    "invitation.revoke": _("Invitation cancelled"),
    "invitation.accept": _("Invitation accepted"),
    "user.password_set": _("Password set by an administrator"),
    "api_token.create": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
    "department.create": _("Department created"),
    "department.update": _("Department updated"),
    "department.reorder": _("Department moved"),
    "department.delete": _("Department deleted"),
    "person.create": _("Person registered"),
    "person.update": _("Person updated"),
    "person.retire": _("Person retired"),
    "person.reinstate": _("Person reinstated"),
    "person.skill": _("Person's skill level set"),
    "person.import": _("People imported"),
    "grade.create": _("Grade created"),
    "grade.update": _("Grade updated"),
    "grade.delete": _("Grade deleted"),
    "position.create": _("Position created"),
    "position.update": _("Position updated"),
    "position.delete": _("Position deleted"),
    "skill.create": _("Skill created"),
    "skill.update": _("Skill updated"),
    "company_holiday.create": _("Company holiday added"),
    "company_holiday.update": _("Company holiday updated"),
    "company_holiday.delete": _("Company holiday deleted"),
}

# The last part of an action, for an action not in ACTIONS (a readable label, never the code).
_VERBS: dict[str, Promise] = {
    "create": _("creation"),
    "update": _("change"),
    "delete": _("deletion"),
    "import": _("import"),
}

# What the record an event is about is called (the object type is the model's app.model label).
_OBJECT_TYPES: dict[str, Promise] = {
    "org.organization": _("Organization"),
    "org.membership": _("Account"),
    "org.invitation": _("Invitation"),
    "org.apitoken": _("API token"),
    "org.department": _("department"),
    "org.grade": _("grade"),
    "org.position": _("position"),
    "org.skill": _("skill"),
    "org.person": _("person"),
    "org.companyholiday": _("Company holidays"),
}

# Change keys that are not model fields, or whose field has no translated label. A key means the
# same wherever it appears; FIELDS_BY_TYPE names the few that mean something else on one type.
_FIELDS: dict[str, Promise] = {
    "accepted_by": _("accepted by"),
    "comment": _("comment"),
    "created": _("records added"),
    "departments_created": _("departments added"),
    "errors": _("errors"),
    "file": _("file"),
    "people": _("people"),
    "position": _("order"),
    "revoked_at": _("revoked at"),
    "rows": _("rows read"),
    "skills_created": _("skills added"),
    "status": _("status"),
    "unchanged": _("unchanged"),
    "updated": _("records updated"),
}
_FIELDS_BY_TYPE: dict[tuple[str, str], Promise] = {}

# Keys that name another record although they are not a foreign key of the event's model.
_REFERENCES: dict[str, str] = {}
# Keys whose model field is a foreign key but whose recorded value is not an id: a run records
# the version *number* it was launched with.
_PLAIN: frozenset[tuple[str, str]] = frozenset()
# Secrets a service records (a chat webhook's URL carries its key): the pages say that it was set
# or changed, never the value. (The hash chain needs the recorded value; the API, for admins and
# auditors, returns it as recorded.)
_SECRETS: frozenset[tuple[str, str]] = frozenset()
# Amounts of money: shown as ¥1,234.
_YEN: frozenset[tuple[str, str]] = frozenset({("org.grade", "hourly_cost")})
# Values with their own reading, by dotted path to a function of the raw value returning text.
_FORMATTERS: dict[tuple[str, str], str] = {}
# Values read together for a whole page (their reading needs other records), by dotted path to
# a function of ``[(event, value), …]`` returning one text per item.
_BATCH_FORMATTERS: dict[tuple[str, str], str] = {}
# Keys made of a prefix and a name (``skill:Excel``): their label, and the model field whose
# choices name the values.
_PREFIXED: dict[str, tuple[Promise, str, str]] = {
    "skill:": (_("Skill: %(name)s"), "org.personskill", "level"),
}
# Values of plain keys that are codes (the layout of an imported file).
_VALUE_LABELS: dict[str, dict[str, Promise]] = {}

# Object names recorded as "name (code)", by the field whose choices name the code: a membership
# is recorded as "sato (admin)" and shown as "sato (管理者)".
_REPR_CODES: dict[str, tuple[str, str]] = {
    "org.membership": ("org.membership", "role"),
}

# The page that shows a record of this type; the audit log links to it while the record exists.
_DETAIL_URLS: dict[str, str] = {
    "org.person": "org:person_detail",
}


_FOUNDATION = Vocabulary(
    actions=_ACTIONS, verbs=_VERBS, object_types=_OBJECT_TYPES, fields=_FIELDS,
    fields_by_type=_FIELDS_BY_TYPE, references=_REFERENCES, plain=_PLAIN, secrets=_SECRETS,
    yen=_YEN, formatters=_FORMATTERS, batch_formatters=_BATCH_FORMATTERS, prefixed=_PREFIXED,
    value_labels=_VALUE_LABELS, repr_codes=_REPR_CODES, detail_urls=_DETAIL_URLS,
)


@cache
def vocabulary() -> Vocabulary:
    """The organization module's words and every registered app's, merged. Two apps giving one
    key different meanings is a mistake in their declarations, refused here."""
    merged: dict[str, Any] = {f.name: {} for f in fields(Vocabulary)}
    sources = [("org", _FOUNDATION)] + [
        (entry.label, registry.resolve(entry.contribution.audit))
        for entry in registry.entries() if entry.contribution.audit
    ]
    for label, vocab in sources:
        for f in fields(Vocabulary):
            value = getattr(vocab, f.name)
            target = merged[f.name]
            items = value.items() if isinstance(value, dict) else ((k, True) for k in value)
            for key, meaning in items:
                if key in target and target[key] != meaning:
                    raise ValueError(
                        f"{label} gives the audit {f.name} key {key!r} another meaning.")
                target[key] = meaning
    arguments: dict[str, Any] = {
        name: frozenset(value) if isinstance(getattr(_FOUNDATION, name), frozenset) else value
        for name, value in merged.items()
    }
    return Vocabulary(**arguments)


def __getattr__(name: str) -> Any:
    # ``catalogue.ACTIONS`` and the like: the merged vocabulary's attribute.
    if name.isupper() and name.lower() in {f.name for f in fields(Vocabulary)}:
        return getattr(vocabulary(), name.lower())
    raise AttributeError(name)
