"""Handover (引継ぎ) pages, for admins: past handovers, a new one (preview, then execute), and
the 引継書 (handover document) as a printable page and an Excel file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from somu.core.uploads import SPREADSHEET_TYPES
from somu.core.web import apply_errors, org_view
from somu.procedures.engine.render import render_markdown
from somu.procedures.forms_admin import HandoverForm
from somu.procedures.permissions import HANDOVER, VIEW_HANDOVER
from somu.procedures.services import handover as ho

SECTIONS = (
    # (title, predicate): the 引継書's sections, in reading order.
    ("moving_steps", lambda i: i.kind == "step" and i.moves),
    ("staying_steps", lambda i: i.kind == "step" and not i.moves),
    ("rules", lambda i: i.kind == "template_rule"),
    ("templates", lambda i: i.kind == "template_owner"),
    ("schedules", lambda i: i.kind == "schedule_owner"),
)


@dataclass(frozen=True)
class ItemRow:
    """One item as the pages show it."""

    item: ho.HandoverItem
    change: str
    instructions_html: SafeString


def _rows(items: list[ho.HandoverItem], *, from_name: str, to_name: str) -> list[ItemRow]:
    # Instructions were filled with escaped parameter values: the Markdown renders safely.
    return [ItemRow(item=i, change=ho.item_change(i, from_name=from_name, to_name=to_name),
                    instructions_html=mark_safe(render_markdown(i.instructions)))  # noqa: S308
            for i in items]


def _sections(rows: list[ItemRow]) -> dict[str, list[ItemRow]]:
    return {name: [r for r in rows if test(r.item)] for name, test in SECTIONS}


@org_view(VIEW_HANDOVER)
def handover_list(request: HttpRequest) -> HttpResponse:
    # Handovers are a few a year: the list is not paginated.
    handovers = ho.handover_list().defer("note")
    return render(request, "procedures/handover_list.html", {
        "handovers": [(h, len(h.items), sum(1 for i in h.items if not i.get("moves", True)))
                      for h in handovers],
    })


@org_view(HANDOVER)
def handover_new(request: HttpRequest) -> HttpResponse:
    """The form; 「プレビュー」 lists the plan, 「実行」 (confirm=1) executes what was shown.

    The preview's digest travels with the confirmation: if what the predecessor holds changed
    in between (a step was completed, a template edited), the new plan is shown instead of
    executing one nobody has seen.
    """
    data = request.POST if request.method == "POST" else None
    initial: dict[str, Any] = {"effective_date": timezone.localdate()}
    if request.GET.get("from", "").isdigit():
        initial["from_person"] = request.GET["from"]
    form = HandoverForm(data, initial=initial)
    plan: ho.HandoverPlan | None = None
    changed = False
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        kwargs = {"from_person": d["from_person"], "to_person": d["to_person"],
                  "effective_date": d["effective_date"]}
        if request.POST.get("confirm") == "1":
            try:
                executed = ho.handover_execute(
                    actor=request.user, note=d["note"].strip(),
                    expected_digest=request.POST.get("digest", ""), **kwargs)
            except ho.HandoverChanged as exc:
                plan, changed = exc.plan, True
            except ValidationError as exc:
                apply_errors(form, exc)
                plan = ho.handover_preview(**kwargs)
            else:
                messages.success(request, _(
                    "The handover from %(from)s to %(to)s has been executed.") % {
                    "from": executed.from_person.name, "to": executed.to_person.name})
                return redirect("procedures:handover_detail", handover_id=executed.pk)
        else:
            plan = ho.handover_preview(**kwargs)
    context: dict[str, Any] = {"form": form, "plan": plan, "changed": changed}
    if plan is not None:
        rows = _rows(plan.items, from_name=plan.from_person.name, to_name=plan.to_person.name)
        context.update({"rows": rows, "counts": plan.counts(),
                        "roles_kept": ho.role_uses_by_role(plan.roles_kept),
                        "moving": len(plan.moving), "staying": len(plan.staying)})
    return render(request, "procedures/handover_form.html", context)


@require_GET
@org_view(VIEW_HANDOVER)
def handover_detail(request: HttpRequest, handover_id: int) -> HttpResponse:
    handover = ho.handover_get(handover_id=handover_id)
    items = ho.handover_items(handover)
    rows = _rows(items, from_name=handover.from_person.name, to_name=handover.to_person.name)
    return render(request, "procedures/handover_detail.html", {
        "handover": handover,
        "rows": rows,
        "sections": _sections(rows),
        "moving": sum(1 for i in items if i.moves),
        "staying": sum(1 for i in items if not i.moves),
        # As the account stands now: once the admin changed the role, the notice goes.
        "roles_kept": ho.role_uses_by_role(ho.role_uses(handover.from_person)),
    })


def _safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "handover"


@require_GET
@org_view(VIEW_HANDOVER)
def handover_xlsx(request: HttpRequest, handover_id: int) -> HttpResponse:
    from somu.procedures.handover_excel import handover_workbook  # XlsxWriter: load on demand

    handover = ho.handover_get(handover_id=handover_id)
    content = handover_workbook(handover)
    filename = (f"引継書_{_safe_name(handover.from_person.name)}_"
                f"{handover.effective_date.isoformat()}.xlsx")
    fallback = f"handover-{handover.pk}-{handover.effective_date.isoformat()}.xlsx"
    response = HttpResponse(content, content_type=SPREADSHEET_TYPES["xlsx"])
    # The real (Japanese) name per RFC 5987, with an ASCII name for old clients.
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}")
    return response
