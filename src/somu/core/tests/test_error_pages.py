"""A server error shows the request id, so the person who saw it can quote it and an operator
can find the matching log line."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from somu.core.requestid import RequestIdLogFilter


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.urls("somu.core.tests.urls_failing")
def test_the_500_page_shows_the_request_id_of_the_header_and_the_log_line(client, caplog, settings):
    settings.DEBUG = False
    caplog.handler.addFilter(RequestIdLogFilter())
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/broken/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    body = response.content.decode()
    assert f'<code id="request-id" style="font-size: 1.1rem;">{request_id}</code>' in body
    assert "リクエストID" in body
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert [r.request_id for r in logged] == [request_id]  # type: ignore[attr-defined]
    assert "RuntimeError" not in body  # no traceback for the visitor


@pytest.mark.urls("somu.core.tests.urls_failing")
def test_each_failing_request_gets_its_own_id(client, settings):
    settings.DEBUG = False
    first = client.get("/broken/")
    second = client.get("/broken/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert second["X-Request-ID"] in second.content.decode()
    assert first["X-Request-ID"] not in second.content.decode()
