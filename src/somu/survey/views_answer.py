"""The questionnaire (業務調査票): a person's own answers, and nobody else's.

There is no URL with a person in it: every page works on the logged-in user's person record
(``request.membership.person``), so another person's answers are out of reach by construction;
a round the person is not asked to answer is a 404.

The form is read field by field, because its rows are the inventory: for task 12, ``hours-12``
(monthly hours), ``varies-12`` with ``m-12-0`` … ``m-12-11`` (April … March), ``level-12``
(capability 0–4). Blank hours and no capability mean "I do not do this task". The twelve monthly
inputs are only on the page for rows that vary; ``survey.js`` adds them when the box is ticked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.requests import AuthedRequest
from somu.core.web import org_view
from somu.org.models import Person
from somu.survey import selectors, services
from somu.survey.forms import ProposalForm
from somu.survey.models import (
    FISCAL_MONTHS,
    CapabilityLevel,
    Respondent,
    ResponseStatus,
    RoundStatus,
    Task,
    TaskStatus,
)
from somu.survey.permissions import ANSWER_SURVEY
from somu.survey.services import Answer, parse_hours

LEVELS = [str(level) for level in CapabilityLevel.values]


@dataclass
class Row:
    """One task of the questionnaire, as stored or as just typed."""

    task: Task
    hours: str = ""
    varies: bool = False
    months: list[str] = field(default_factory=lambda: [""] * 12)
    level: str = ""
    errors: list[str] = field(default_factory=list)
    bad_months: set[int] = field(default_factory=set)

    @property
    def answered(self) -> bool:
        return bool(self.hours or (self.varies and any(self.months)) or self.level)

    @property
    def month_cells(self) -> list[tuple[int, str, str, bool]]:
        """(index, label, value, invalid) for the 12 monthly inputs, April first."""
        return [(i, capfirst(str(MONTHS_3[month])), self.months[i], i in self.bad_months)
                for i, month in enumerate(FISCAL_MONTHS)]

    @property
    def level_int(self) -> int | None:
        return int(self.level) if self.level in LEVELS else None

    @property
    def average(self) -> str:
        """hours(p, t) of the row: the hours, or the 12 monthly values / 12."""
        return _plain(services.monthly_average(self.monthly_values()))

    def monthly_values(self) -> list[Decimal]:
        """What the row adds to each month's total, ignoring what does not parse."""
        if self.varies:
            return [_lenient(v) for v in self.months]
        return [_lenient(self.hours)] * 12


@dataclass
class Group:
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    """The rows of one function (総務, 経理財務, …), grouped by 大分類 (中分類 on each row)."""

    function: str
    groups: list[Group] = field(default_factory=list)
    answered: int = 0
    count: int = 0
    open: bool = False


def _lenient(value: str) -> Decimal:
    try:
        return parse_hours(value) if value else Decimal(0)
    except ValueError:
        return Decimal(0)


def _plain(value: Decimal | str | None) -> str:
    """12.50 → "12.5", 10.00 → "10": hours as a person would type them."""
    if value is None or value == "":
        return ""
    return format(Decimal(str(value)).normalize(), "f")


def _respondent(request: AuthedRequest, round_id: int) -> Respondent:
    """The logged-in person's place in the round, or 404 (no person, other org, not asked)."""
    person: Person | None = request.membership.person
    if person is None:
        raise Http404
    survey_round = selectors.round_get(round_id=round_id)
    respondent = selectors.respondent_for_person(survey_round=survey_round, person=person)
    if respondent is None:
        raise Http404
    respondent.round = survey_round
    respondent.person = person
    return respondent


def _editable(respondent: Respondent) -> bool:
    return services.answers_lock_reason(respondent) is None


def _stored_rows(respondent: Respondent) -> list[Row]:
    answers = selectors.answers_of(survey_round=respondent.round, person=respondent.person)
    tasks = selectors.questionnaire_tasks(person=respondent.person, answered=answers)
    rows = []
    for task in tasks:
        answer = answers.get(task.pk)
        row = Row(task)
        if answer:
            monthly = answer.get("monthly")
            if isinstance(monthly, list) and len(monthly) == 12:
                row.varies = True
                row.months = [_plain(v) for v in monthly]
            else:
                row.hours = _plain(answer.get("hours"))  # type: ignore[arg-type]
            level = answer.get("level")
            row.level = "" if level is None else str(level)
        rows.append(row)
    return rows


def _posted_rows(
    respondent: Respondent, post: Mapping[str, str]
) -> tuple[list[Row], list[Answer]]:
    """The rows as typed, each with the errors of what does not parse, and the answers."""
    answered = selectors.answers_of(survey_round=respondent.round, person=respondent.person)
    tasks = selectors.questionnaire_tasks(person=respondent.person, answered=answered)
    rows: list[Row] = []
    answers: list[Answer] = []
    for task in tasks:
        pk = task.pk
        row = Row(
            task,
            hours=post.get(f"hours-{pk}", "").strip(),
            varies=post.get(f"varies-{pk}") == "on",
            months=[post.get(f"m-{pk}-{i}", "").strip() for i in range(12)],
            level=post.get(f"level-{pk}", "").strip(),
        )
        rows.append(row)
        hours: Decimal | None = None
        monthly: tuple[Decimal, ...] | None = None
        level: int | None = None
        if row.level:
            if row.level in LEVELS:
                level = int(row.level)
            else:
                row.errors.append(_("Choose a capability level from 0 to 4."))
        if row.varies and not any(row.months) and row.hours:
            # "Varies by month" ticked where the page could not add the twelve inputs (no
            # JavaScript): offer them, starting from the monthly figure typed.
            row.months = [row.hours] * 12
            row.errors.append(_("Enter 12 monthly values (April to March)."))
        elif row.varies and any(row.months):
            values = []
            for i, text in enumerate(row.months):
                if not text:
                    continue  # fewer than 12 values: the service says what is missing
                try:
                    values.append(parse_hours(text))
                except ValueError as exc:
                    row.bad_months.add(i)
                    label = capfirst(str(MONTHS_3[FISCAL_MONTHS[i]]))
                    row.errors.append(f"{label}: {exc}")
            monthly = tuple(values)
        elif not row.varies and row.hours:
            try:
                hours = parse_hours(row.hours)
            except ValueError as exc:
                row.errors.append(str(exc))
        if not row.errors and (hours is not None or monthly is not None or level is not None):
            answers.append(Answer(task_id=pk, hours=hours, monthly=monthly, level=level))
    return rows, answers


def _apply_answer_errors(rows: list[Row], exc: ValidationError) -> list[str]:
    """Put the service's errors on their rows; return those about the whole questionnaire."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    by_key = {f"task-{row.task.pk}": row for row in rows}
    general: list[str] = []
    for key, errors in exc.message_dict.items():
        row = by_key.get(key)
        if row is None:
            general.extend(errors)
        else:
            row.errors.extend(errors)
    return general


def _sections(rows: list[Row]) -> list[Section]:
    sections: list[Section] = []
    for row in rows:
        task = row.task
        if not sections or sections[-1].function != task.function:
            sections.append(Section(task.function))
        section = sections[-1]
        if not section.groups or section.groups[-1].title != task.category:
            section.groups.append(Group(task.category))
        section.groups[-1].rows.append(row)
        section.count += 1
        if row.answered:
            section.answered += 1
        if row.errors or row.answered or task.status == TaskStatus.PROPOSED:
            section.open = True
    return sections


def _totals(rows: list[Row]) -> tuple[list[tuple[str, Decimal]], Decimal]:
    """Hours per month (April … March) over every row, and their monthly average."""
    sums = [Decimal(0)] * 12
    for row in rows:
        for i, value in enumerate(row.monthly_values()):
            sums[i] += value
    labels = [capfirst(str(MONTHS_3[m])) for m in FISCAL_MONTHS]
    return list(zip(labels, sums, strict=True)), (sum(sums, Decimal(0)) / 12).quantize(
        Decimal("0.1"))


def _render(
    request: HttpRequest, respondent: Respondent, rows: list[Row], *,
    errors: list[str] | None = None, proposal: ProposalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = _editable(respondent)
    months, average = _totals(rows)
    answered = [row for row in rows if row.answered]
    functions = sorted({row.task.function for row in rows})
    categories = sorted({row.task.category for row in rows})
    return render(request, "survey/answer_form.html", {
        "respondent": respondent,
        "round": respondent.round,
        "sections": _sections(rows if editable else answered),
        "answered_count": len(answered),
        "task_count": len(rows),
        "editable": editable,
        "can_reopen": respondent.status == ResponseStatus.SUBMITTED
        and respondent.round.status == RoundStatus.OPEN,
        "errors": errors or [],
        "has_row_errors": any(row.errors for row in rows),
        "months": months,
        "average": average,
        "levels": CapabilityLevel.choices,
        "level_labels": dict(CapabilityLevel.choices),
        "proposal": proposal or ProposalForm(auto_id="propose-%s"),
        "proposal_open": proposal is not None,
        "function_options": functions,
        "category_options": categories,
        "max_hours": services.MAX_MONTHLY_HOURS,
    })


# ---- pages ---------------------------------------------------------------------------------------


@org_view(ANSWER_SURVEY)
def my_surveys(request: AuthedRequest) -> HttpResponse:
    person: Person | None = request.membership.person
    respondents = list(selectors.open_rounds_for_person(person=person)) if person else []
    return render(request, "survey/answer_list.html", {
        "person": person,
        "respondents": respondents,
    })


@org_view(ANSWER_SURVEY)
def questionnaire(request: AuthedRequest, round_id: int) -> HttpResponse:
    respondent = _respondent(request, round_id)
    if request.method != "POST":
        return _render(request, respondent, _stored_rows(respondent))
    action = request.POST.get("action", "save")
    here = reverse("survey:questionnaire", kwargs={"round_id": respondent.round.pk})
    if action == "reopen":
        try:
            services.reopen(actor=request.user, respondent=respondent)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, _("You can change your answers now. Submit them again when "
                                     "you are done."))
        return redirect(here)
    if not _editable(respondent):
        messages.error(request, _("These answers can no longer be changed."))
        return redirect(here)
    rows, answers = _posted_rows(respondent, request.POST)
    if any(row.errors for row in rows):
        return _render(request, respondent, rows)
    submit = action == "submit"
    try:
        services.answers_save(actor=request.user, respondent=respondent, answers=answers,
                              submit=submit)
    except services.AnswersSubmitted as exc:
        messages.error(request, str(exc))
        return redirect(here)
    except ValidationError as exc:
        general = _apply_answer_errors(rows, exc)
        return _render(request, respondent, rows, errors=general)
    if submit:
        messages.success(request, _("Thank you: your answers have been submitted."))
    else:
        messages.success(request, _("Your answers have been saved. You can come back and "
                                    "continue later."))
    return redirect(here)


@require_POST
@org_view(ANSWER_SURVEY)
def task_propose(request: AuthedRequest, round_id: int) -> HttpResponse:
    """Add a missing task; the questionnaire typed so far (if posted along) is saved with it."""
    respondent = _respondent(request, round_id)
    here = reverse("survey:questionnaire", kwargs={"round_id": respondent.round.pk})
    if not _editable(respondent):
        messages.error(request, _("These answers can no longer be changed."))
        return redirect(here)
    form = ProposalForm(request.POST, auto_id="propose-%s")
    # The proposal's button sits in the questionnaire form, so what was typed comes along and
    # is kept; a bare proposal (no "questionnaire" marker) leaves the saved answers alone.
    with_answers = request.POST.get("questionnaire") == "1"
    if with_answers:
        rows, answers = _posted_rows(respondent, request.POST)
    else:
        rows, answers = _stored_rows(respondent), []
    if not form.is_valid() or any(row.errors for row in rows):
        return _render(request, respondent, rows, proposal=form)
    stage = "propose"
    try:
        with transaction.atomic():
            task = services.task_propose(actor=request.user, respondent=respondent,
                                         **form.cleaned_data)
            if with_answers:
                stage = "answers"
                services.answers_save(actor=request.user, respondent=respondent,
                                      answers=answers)
    except ValidationError as exc:
        general: list[str] = []
        if stage == "propose":
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            general = _apply_answer_errors(rows, exc)
        return _render(request, respondent, rows, errors=general, proposal=form)
    messages.success(request, _(
        "“%(name)s” has been added to your questionnaire: enter your hours for it. "
        "An administrator will review the new task."
    ) % {"name": task.name})
    return redirect(f"{here}#task-{task.pk}")
