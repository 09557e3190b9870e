"""Where an approver learns that a request waits: the home page and My tasks."""

from __future__ import annotations

import time_machine

from somu.approvals.tests.builders import NOW, purchase


def test_the_approver_sees_the_request_on_the_home_page_and_in_my_tasks(world, client_as):
    request = purchase(world, amount=50_000, title="会議用モニター")
    with time_machine.travel(NOW, tick=False):
        client = client_as(world.users["ito"], world.org)
        home = client.get("/").content.decode()
        tasks = client.get("/procedures/my/").content.decode()
    assert "会議用モニター" in home
    assert f"/approvals/requests/{request.pk}/" in tasks
    assert "会議用モニター" in tasks


def test_the_requester_has_nothing_to_decide(world, client_as):
    purchase(world, amount=50_000, title="会議用モニター")
    with time_machine.travel(NOW, tick=False):
        tasks = client_as(world.users["suzuki"], world.org).get("/procedures/my/")
    assert "会議用モニター" not in tasks.content.decode()
