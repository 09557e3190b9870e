"""Request types (申請種別): the built-in five, and the admin's edits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals import permissions as p
from somu.approvals.models import RequestType
from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.org.models import Membership
from somu.rules import forms as rule_forms

# (code, name, number prefix, categories, has amount, form fields as key:label:type lines)
BUILT_IN: Final[tuple[tuple[str, str, str, tuple[str, ...], bool, str], ...]] = (
    ("ringi", "稟議（一般）", "稟議", ("設備投資", "業務委託", "その他"), True,
     "purpose:目的・理由:textarea:required\n"
     "effect:期待される効果:textarea\n"
     "due:希望実施日:date"),
    ("purchase", "購入申請", "購入", ("備品", "消耗品", "ソフトウェア"), True,
     "item:品名:text:required\n"
     "quantity:数量:number:required\n"
     "vendor:購入先:text\n"
     "needed_by:希望納期:date\n"
     "reason:購入理由:textarea:required"),
    ("travel", "出張申請", "出張", ("国内", "海外"), True,
     "destination:出張先:text:required\n"
     "start:出発日:date:required\n"
     "end:帰着日:date:required\n"
     "purpose:用務:textarea:required\n"
     "advance:仮払希望:boolean"),
    ("seal", "押印申請", "押印", ("実印", "銀行印", "社印・角印"), False,
     "document:文書名:text:required\n"
     "counterparty:提出先:text:required\n"
     "copies:部数:number:required\n"
     "purpose:用途:textarea"),
    ("contract", "契約締結申請", "契約", (), True,
     "contract_kind:契約種別:choice:required:NDA|業務委託|売買|賃貸借|その他\n"
     "counterparty:契約相手:text:required\n"
     "start:契約開始日:date:required\n"
     "term:契約期間:text\n"
     "summary:契約概要:textarea:required"),
)


def field_dicts(fields: Sequence[rule_forms.FormFieldSpec]) -> list[dict[str, Any]]:
    out = []
    for f in fields:
        item: dict[str, Any] = {"key": f.key, "label": f.label, "type": f.type}
        if f.required:
            item["required"] = True
        if f.choices:
            item["choices"] = list(f.choices)
        if f.help:
            item["help"] = f.help
        out.append(item)
    return out


def ensure_built_in_types() -> list[RequestType]:
    """The five built-in request types, created once per organization (names kept if edited)."""
    existing = {t.code: t for t in RequestType.objects.all()}
    out = []
    for order, (code, name, prefix, categories, has_amount, text) in enumerate(BUILT_IN):
        if code in existing:
            out.append(existing[code])
            continue
        out.append(RequestType.objects.create(
            code=code, name=name, number_prefix=prefix, categories=list(categories),
            has_amount=has_amount, fields=field_dicts(rule_forms.parse_form_fields(
                text, types=rule_forms.REQUEST_FIELD_TYPES)),
            sort_order=(order + 1) * 10))
    return out


TYPE_FIELDS: Final = ("name", "description", "number_prefix", "fields", "categories",
                      "has_amount", "allows_attachments", "follow_up_template",
                      "follow_up_params", "is_active", "sort_order")


def _check(request_type: RequestType) -> None:
    errors: dict[str, str] = {}
    if not request_type.name.strip():
        errors["name"] = _("Enter a name.")
    prefix = request_type.number_prefix.strip()
    if not prefix or any(c in prefix for c in "/\\ \t"):
        errors["number_prefix"] = _("Enter a prefix without spaces or slashes, e.g. 稟議.")
    keys = [f.get("key") for f in request_type.fields]
    if len(set(keys)) != len(keys):
        errors["fields"] = _("Two form fields have the same key.")
    if request_type.follow_up_template_id:
        params = request_type.follow_up_params or {}
        allowed = set(keys) | {"@title", "@amount", "@number", "@requester", "@department"}
        unknown = [v for v in params.values() if v not in allowed]
        if unknown:
            errors["follow_up_params"] = _("Unknown form field: %(keys)s.") % {
                "keys": "、".join(map(str, unknown))}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_type_save(*, membership: Membership, data: Mapping[str, Any],
                      request_type: RequestType | None = None,
                      now: dt.datetime | None = None) -> RequestType:
    """Create a request type, or change one; its code never changes once made."""
    require(membership, p.MANAGE_APPROVALS)
    created = request_type is None
    if request_type is None:
        code = str(data.get("code") or "").strip()
        if not code:
            raise ValidationError({"code": _("Enter a code (letters, digits, - and _).")})
        if RequestType.objects.filter(code=code).exists():
            raise Conflict(_("The code “%(code)s” is already used.") % {"code": code})
        request_type = RequestType(code=code)
    before = {name: getattr(request_type, name) for name in TYPE_FIELDS}
    for name in TYPE_FIELDS:
        if name in data:
            setattr(request_type, name, data[name])
    _check(request_type)
    request_type.full_clean(exclude=["organization", "follow_up_template"])
    request_type.save()
    changes = {k: [None if created else before[k], getattr(request_type, k)]
               for k in ("name", "number_prefix", "is_active") if created
               or before[k] != getattr(request_type, k)}
    audit_record(actor=audit_actor(membership), action="approval_type.save", obj=request_type,
                 changes=changes)
    return request_type

