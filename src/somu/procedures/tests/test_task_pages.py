"""My tasks and the step page: completing with checklist, form and minutes, approvals,
reassigning, reopening, comments, attachments, conflicts and who may see what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from somu.core import tenancy
from somu.core.permissions import Role
from somu.procedures.models import EventKind, Run, Step, StepAttachment, StepEvent, StepState
from somu.procedures.selectors.steps import my_tasks_count
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

MY_TASKS = reverse("procedures:my_tasks")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


def url(name: str, step: Step) -> str:
    return reverse(f"procedures:{name}", args=[step.pk])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hr(make_user, org_a, people_a):  # type: ignore[no-untyped-def]
    return make_hr_staff(make_user, org_a, people_a)


@pytest.fixture
def run(org_a, people_a, hr) -> Run:  # type: ignore[no-untyped-def]
    """入社手続き for 鈴木 (employee_a's person): 鈴木 holds 「入社書類の提出」, 佐藤 (hr) the
    insurance notices, 山田 (manager_a) the accounts and the approval."""
    template = save(org_a, onboarding(), owner=people_a.yamada)
    with tenancy.activate(org_a):
        return run_services.run_launch(
            actor=hr, template=template,
            params={"入社者": people_a.suzuki.pk, "入社日": "2026-04-30"},
            start_date=dt.date(2026, 4, 1))


def step(org, run: Run, key: str) -> Step:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return Step.objects.get(run=run, key=key)


def finish(org, run: Run, *keys: str) -> None:  # type: ignore[no-untyped-def]
    """Complete task steps through the service (filling what they require)."""
    with tenancy.activate(org):
        for key in keys:
            target = Step.objects.get(run=run, key=key)
            step_services.step_complete(
                actor=None, step=target, checklist_done=[0, 1] if key == "docs" else None,
                form_values={"receipt_no": "R-1"} if key == "shaho" else None)


# ---- my tasks ----------------------------------------------------------------------------------


def test_my_tasks_sorts_a_persons_steps_into_overdue_today_this_week_later_and_waiting(  # type: ignore[no-untyped-def]
        client_as, make_user, org_a, people_a, tr) -> None:
    spec = onboarding(steps=[
        {"key": k, "name": name, "assignee": {"param": "入社者"}, **extra}
        for k, name, extra in (
            ("a", "昨日が期限", {}), ("b", "今日が期限", {}), ("c", "今週中", {}),
            ("d", "来月", {}), ("e", "待機中の手順", {"depends_on": ["a"]}),
        )])
    spec["name"] = "個人の手順"
    template = save(org_a, spec)
    today = dt.date.today()
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=None, template=template,
                                      params={"入社者": people_a.tanaka.pk, "入社日": "2026-04-30"})
        dues = {"a": today - dt.timedelta(days=1), "b": today,
                "c": today + dt.timedelta(days=6 - today.weekday()),
                "d": today + dt.timedelta(days=40), "e": today + dt.timedelta(days=3)}
        for key, due in dues.items():
            Step.objects.filter(run=run, key=key).update(due_date=due)
    user = make_user("tanaka", org_a, Role.EMPLOYEE, person=people_a.tanaka)
    page = client_as(user, org_a).get(MY_TASKS)
    assert page.status_code == 200
    text = body(page)
    sections = {key: text.index(f'id="{key}"') for key in ("overdue", "today", "later", "waiting")}
    assert sections["overdue"] < text.index("昨日が期限") < sections["today"]
    assert sections["today"] < text.index("今日が期限")
    assert sections["later"] < text.index("来月") < sections["waiting"] < text.index("待機中の手順")
    if today.weekday() < 6:  # on a Sunday "this week" is over
        assert text.index('id="this_week"') < text.index("今週中") < sections["later"]
    assert "step-due-late" in text
    assert shows(page, tr("due today"))
    with tenancy.activate(org_a):
        from somu.org.models import Membership
        counts = my_tasks_count(Membership.objects.get(user=user))
    assert counts is not None and counts.overdue == 1 and counts.ready == 4


def test_my_tasks_explains_an_account_without_a_person(  # type: ignore[no-untyped-def]
        client_as, staff_a, org_a, tr) -> None:
    page = client_as(staff_a, org_a).get(MY_TASKS)
    assert page.status_code == 200
    assert shows(page, tr("Your account is not linked to a person"))


def test_my_tasks_says_when_there_is_nothing_to_do(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, tr) -> None:
    assert shows(client_as(employee_a, org_a).get(MY_TASKS), tr("Nothing to do"))


def test_an_auditor_has_no_tasks_page(  # type: ignore[no-untyped-def]
        client_as, auditor_a, org_a) -> None:
    assert client_as(auditor_a, org_a).get(MY_TASKS).status_code == 403


def test_my_tasks_needs_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, people_a, hr, django_assert_max_num_queries) -> None:
    template = save(org_a, onboarding())
    client = client_as(employee_a, org_a)
    with tenancy.activate(org_a):
        run_services.run_launch(actor=None, template=template,
                                params={"入社者": people_a.suzuki.pk, "入社日": "2026-04-30"})
    # 12 for the steps, 3 for the other apps' panels (requests awaiting a decision).
    with django_assert_max_num_queries(15):
        assert client.get(MY_TASKS).status_code == 200
    with tenancy.activate(org_a):
        run_services.runs_bulk_launch(actor=None, template=template, param_sets=[
            {"入社者": people_a.suzuki.pk, "入社日": f"2026-05-{day:02d}"} for day in range(1, 21)])
    with django_assert_max_num_queries(15):
        page = client.get(MY_TASKS)
    assert body(page).count("入社書類の提出") == 21


# ---- working on a step -----------------------------------------------------------------------


def test_the_step_page_shows_instructions_checklist_and_the_runs_context(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run) -> None:
    docs = step(org_a, run, "docs")
    page = client_as(employee_a, org_a).get(url("step_detail", docs))
    assert page.status_code == 200
    text = body(page)
    assert "鈴木 花子さんは" in text  # {{入社者}} filled in
    assert 'name="checklist" value="0"' in text and "マイナンバー" in text
    assert f'name="revision" value="{docs.revision}"' in text
    assert run.name in text and "2026-04-24" in text


def test_completing_a_step_with_checklist_and_minutes_makes_its_dependents_ready(  # type: ignore[no-untyped-def]
        client_as, employee_a, hr, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(employee_a, org_a)
    response = client.post(url("step_complete", docs), {
        "checklist": ["0", "1"], "actual_minutes": "25", "revision": docs.revision})
    assert response.status_code == 302
    docs = step(org_a, run, "docs")
    assert docs.state == StepState.DONE and docs.actual_minutes == 25
    assert step(org_a, run, "shaho").state == StepState.READY
    assert step(org_a, run, "account").state == StepState.READY
    timeline = client_as(hr, org_a).get(reverse("procedures:run_detail", args=[run.pk]))
    assert shows(timeline, tr("Became ready"))
    assert shows(timeline, tr("Completed"))


def test_completing_a_step_with_its_form_through_the_page(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, run) -> None:
    finish(org_a, run, "docs")
    shaho = step(org_a, run, "shaho")
    client = client_as(hr, org_a)
    page = client.get(url("step_detail", shaho))
    assert 'name="f_0"' in body(page) and 'type="date"' in body(page)
    response = client.post(url("step_complete", shaho), {
        "f_0": "受付-123", "f_1": "2026-05-01", "actual_minutes": "30",
        "revision": shaho.revision})
    assert response.status_code == 302
    shaho = step(org_a, run, "shaho")
    assert shaho.state == StepState.DONE
    assert shaho.form_values == {"receipt_no": "受付-123", "submitted_on": "2026-05-01"}


def test_a_missing_required_form_field_is_shown_and_nothing_changes(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, run, tr) -> None:
    finish(org_a, run, "docs")
    shaho = step(org_a, run, "shaho")
    response = client_as(hr, org_a).post(url("step_complete", shaho), {
        "f_0": "", "f_1": "2026-05-01", "actual_minutes": "30", "revision": shaho.revision})
    assert response.status_code == 200
    assert shows(response, tr("This field is required."))
    assert 'value="2026-05-01"' in body(response)  # what was typed stays
    after = step(org_a, run, "shaho")
    assert after.state == StepState.READY and after.form_values == {} \
        and after.actual_minutes is None


def test_an_unticked_checklist_item_blocks_completion(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    response = client_as(employee_a, org_a).post(url("step_complete", docs), {
        "checklist": ["0"], "revision": docs.revision})
    assert response.status_code == 200
    assert shows(response, tr("Tick every checklist item first."))
    assert step(org_a, run, "docs").state == StepState.READY


def test_bad_minutes_are_refused_before_anything_is_saved(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    response = client_as(employee_a, org_a).post(url("step_save", docs), {
        "checklist": ["0"], "actual_minutes": "-5"})
    assert response.status_code == 200
    assert shows(response, tr("Enter the minutes spent as a whole number from 0 to %(max)s.")
                 % {"max": 100000})
    assert step(org_a, run, "docs").checklist_done == []


def test_saving_progress_keeps_the_step_open(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(employee_a, org_a)
    fragment = client.post(url("step_save", docs), {"checklist": ["1"], "actual_minutes": "5"},
                           HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in body(fragment)
    assert shows(fragment, tr("Saved"))
    docs = step(org_a, run, "docs")
    assert docs.state == StepState.READY and docs.checklist_done == [1] \
        and docs.actual_minutes == 5
    page = client.get(url("step_detail", docs))
    assert 'value="1" checked' in body(page)


def test_completing_an_already_completed_step_answers_409_with_the_reason(  # type: ignore[no-untyped-def]
        client_as, employee_a, hr, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    stale = docs.revision
    client_as(hr, org_a).post(url("step_complete", docs), {
        "checklist": ["0", "1"], "revision": stale})
    response = client_as(employee_a, org_a).post(url("step_complete", docs), {
        "checklist": ["0", "1"], "revision": stale})
    assert response.status_code == 409
    assert shows(response, tr("This step was completed by someone else first."))
    assert "step-conflict" in body(response)


def test_a_step_still_waiting_cannot_be_completed(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, run, tr) -> None:
    shaho = step(org_a, run, "shaho")
    response = client_as(hr, org_a).post(url("step_complete", shaho), {"f_0": "x"})
    assert response.status_code == 409
    assert shows(response, tr("This step is still waiting for earlier steps."))


def test_an_approver_approves_with_a_comment(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, run, tr) -> None:
    finish(org_a, run, "docs", "shaho", "koyo", "account")
    approval = step(org_a, run, "approve")
    client = client_as(manager_a, org_a)
    page = client.get(url("step_detail", approval))
    assert shows(page, tr("Approve")) and shows(page, tr("Send back / reject"))
    response = client.post(url("step_decide", approval), {
        "decision": "approve", "comment": "問題ありません", "revision": approval.revision})
    assert response.status_code == 302
    assert step(org_a, run, "approve").state == StepState.APPROVED
    with tenancy.activate(org_a):
        assert Run.objects.get(pk=run.pk).status == "completed"
        assert StepEvent.objects.filter(kind=EventKind.APPROVED, comment="問題ありません").exists()


def test_a_decided_approval_shows_its_decision_instead_of_the_form(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, run, tr) -> None:
    finish(org_a, run, "docs", "shaho", "koyo", "account")
    approval = step(org_a, run, "approve")
    client = client_as(manager_a, org_a)
    client.post(url("step_decide", approval), {
        "decision": "approve", "comment": "問題ありません", "revision": approval.revision})

    page = body(client.get(url("step_detail", approval)))

    heading = page[page.index("<h1>"):page.index("</h1>")]
    state = re.search(r'step-state-approved">([^<]+)<', heading)
    kind = re.search(r'step-kind-approval">([^<]+)<', heading)
    assert state and kind and state.group(1) != kind.group(1)  # not 「承認」「承認」
    assert state.group(1) == tr("Approved")
    decision = page[page.index("step-decision"):page.index("step-activity")]
    with tenancy.activate(org_a):
        event = StepEvent.objects.get(step=approval, kind=EventKind.APPROVED)
    assert event.actor_label and event.actor_label in decision
    assert "問題ありません" in decision
    assert 'name="decision"' not in page and "step-decide" not in page


def test_a_rejection_needs_a_comment_and_sends_the_step_back(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, run, tr) -> None:
    finish(org_a, run, "docs", "shaho", "koyo", "account")
    approval = step(org_a, run, "approve")
    client = client_as(manager_a, org_a)
    refused = client.post(url("step_decide", approval), {"decision": "reject", "comment": ""})
    assert refused.status_code == 200
    assert shows(refused, tr("Say why the step is sent back or rejected."))
    assert step(org_a, run, "approve").state == StepState.READY
    response = client.post(url("step_decide", approval), {
        "decision": "reject", "comment": "受付番号が違います", "revision": approval.revision})
    assert response.status_code == 302
    assert step(org_a, run, "shaho").state == StepState.READY  # on_reject: reopen:shaho
    assert step(org_a, run, "approve").state == StepState.WAITING


def test_staff_reassign_a_step_and_the_timeline_says_so(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, run, people_a) -> None:
    koyo = step(org_a, run, "koyo")
    client = client_as(hr, org_a)
    response = client.post(url("step_reassign", koyo), {
        "assignee": people_a.tanaka.pk, "comment": "休暇のため"})
    assert response.status_code == 302
    assert step(org_a, run, "koyo").assignee == people_a.tanaka
    page = client.get(url("step_detail", koyo))
    assert "休暇のため" in body(page)


def test_the_assignee_may_hand_their_own_step_to_someone_else(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, people_a) -> None:
    docs = step(org_a, run, "docs")
    response = client_as(employee_a, org_a).post(url("step_reassign", docs), {
        "assignee": people_a.tanaka.pk})
    assert response.status_code == 302 and response["Location"] == MY_TASKS
    assert step(org_a, run, "docs").assignee == people_a.tanaka


def test_someone_elses_step_cannot_be_reassigned_by_an_employee(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, people_a) -> None:
    koyo = step(org_a, run, "koyo")
    assert client_as(employee_a, org_a).post(url("step_reassign", koyo), {
        "assignee": people_a.suzuki.pk}).status_code == 403
    assert step(org_a, run, "koyo").assignee == people_a.sato


def test_reopening_a_done_step_needs_a_reason(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, tr) -> None:
    finish(org_a, run, "docs")
    docs = step(org_a, run, "docs")
    client = client_as(employee_a, org_a)
    refused = client.post(url("step_reopen", docs), {"reason": " "})
    assert refused.status_code == 200
    assert shows(refused, tr("Say why the step is reopened."))
    assert step(org_a, run, "docs").state == StepState.DONE
    assert client.post(url("step_reopen", docs), {"reason": "書類の差し替え"}).status_code == 302
    assert step(org_a, run, "docs").state == StepState.READY
    assert "書類の差し替え" in body(client.get(url("step_detail", docs)))


def test_comments_are_added_to_the_steps_activity(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(manager_a, org_a)  # may view procedures, not the assignee
    assert client.post(url("step_comment", docs), {"text": ""}).status_code == 200
    added = client.post(url("step_comment", docs), {"text": "明日までにお願いします"})
    assert added.status_code == 302
    assert "明日までにお願いします" in body(client.get(url("step_detail", docs)))


def test_an_auditor_reads_a_step_but_cannot_act_or_comment(  # type: ignore[no-untyped-def]
        client_as, auditor_a, org_a, run) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(auditor_a, org_a)
    page = client.get(url("step_detail", docs))
    assert page.status_code == 200 and 'name="checklist"' not in body(page)
    assert client.post(url("step_comment", docs), {"text": "x"}).status_code == 403
    assert client.post(url("step_complete", docs), {"checklist": ["0", "1"]}).status_code == 403


def test_an_attachment_is_uploaded_and_downloaded_only_by_those_who_see_the_step(  # type: ignore[no-untyped-def]
        client_as, employee_a, make_user, admin_b, org_a, org_b, run, people_a) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(employee_a, org_a)
    upload = SimpleUploadedFile("雇用契約書.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(url("step_attach", docs), {"file": upload}).status_code == 302
    with tenancy.activate(org_a):
        attachment = StepAttachment.objects.get(step=docs)
    download = reverse("procedures:attachment_download", args=[attachment.pk])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"  # type: ignore[attr-defined]
    assert "attachment" in response["Content-Disposition"]
    outsider = make_user("tanaka", org_a, Role.EMPLOYEE, person=people_a.tanaka)
    assert client_as(outsider, org_a).get(download).status_code == 403
    assert client_as(admin_b, org_b).get(download).status_code == 404


def test_attaching_without_a_file_says_so(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run, tr) -> None:
    docs = step(org_a, run, "docs")
    response = client_as(employee_a, org_a).post(url("step_attach", docs), {})
    assert response.status_code == 200
    assert shows(response, tr("Choose a file to attach."))


def test_an_employee_cannot_open_a_step_of_a_run_they_are_not_in(  # type: ignore[no-untyped-def]
        client_as, make_user, admin_b, org_a, org_b, run, people_a) -> None:
    docs = step(org_a, run, "docs")
    outsider = make_user("tanaka", org_a, Role.EMPLOYEE, person=people_a.tanaka)
    client = client_as(outsider, org_a)
    assert client.get(url("step_detail", docs)).status_code == 403
    assert client.post(url("step_save", docs), {"checklist": ["0"]}).status_code == 403
    assert client_as(admin_b, org_b).get(url("step_detail", docs)).status_code == 404


def test_step_actions_are_post_only(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, run) -> None:
    docs = step(org_a, run, "docs")
    client = client_as(employee_a, org_a)
    for name in ("step_save", "step_complete", "step_decide", "step_reassign", "step_reopen",
                 "step_comment", "step_attach"):
        assert client.get(url(name, docs)).status_code == 405, name

