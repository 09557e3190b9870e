"""Run by ``tests/test_registry_app.py`` in its own process with this folder's settings."""

from somu.core.permissions import Role


def test_the_router_answers_under_the_api(client_as, org_a, make_user):
    staff = make_user("tiny_staff", org_a, Role.STAFF)
    client = client_as(staff, org_a)
    assert client.get("/api/v1/tiny/ping").json() == {"answer": "pong"}
    assert "/api/v1/tiny/ping" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_nav_entry_and_the_home_panel_show_for_whoever_holds_the_permission(
        client_as, org_a, make_user):
    staff = make_user("tiny_staff", org_a, Role.STAFF)
    home = client_as(staff, org_a).get("/").content.decode()
    assert '<a href="/tiny/"' in home
    assert "小さなアプリ" in home
    assert "小さな数字" in home
    page = client_as(staff, org_a).get("/tiny/").content.decode()
    assert '<a href="/tiny/" aria-current="page">小さなページ</a>' in page


def test_the_permission_follows_its_role_grants(client_as, org_a, make_user):
    employee = make_user("tiny_employee", org_a, Role.EMPLOYEE)
    client = client_as(employee, org_a)
    home = client.get("/").content.decode()
    assert "小さなアプリ" not in home
    assert "小さな数字" not in home
    assert client.get("/tiny/").status_code == 403
    assert client.get("/api/v1/tiny/ping").status_code == 403
