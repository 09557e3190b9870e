"""The test client of /api/v1/ and the checks of its one error body, for every app's API tests.

``api_as(user)`` (a fixture in the root conftest) gives an :class:`Api` with a fresh token;
``api_client()`` with ``**bearer(raw)`` is for calls that build their own requests.
"""

from __future__ import annotations

from typing import Any

from django.test import Client

API = "/api/v1"


def api_client() -> Client:
    # Enforcing CSRF proves bearer calls do not need it.
    return Client(enforce_csrf_checks=True)


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def assert_error(response: Any, status: int, code: str,
                 extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """The API's one error shape: {"error": {"code", "message", "fields"}}.

    ``extra`` names the keys an error adds to it (an import's ``rows``).
    """
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields", *extra}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], list)
    return body["error"]


def field_names(error: dict[str, Any]) -> list[str]:
    return [f["field"] for f in error["fields"]]


class Api:
    """A bearer-token client of one user (CSRF enforced: tokens must not need it).

    Paths are relative to ``prefix`` (``/api/v1``, or an app's ``/api/v1/survey``).
    """

    def __init__(self, raw: str, prefix: str = API) -> None:
        self.client = api_client()
        self.auth = bearer(raw)
        self.prefix = prefix

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"{self.prefix}{path}", params, **self.auth)

    def post(self, path: str, body: Any = None, **extra: Any) -> Any:
        if isinstance(body, dict) and any(hasattr(v, "read") for v in body.values()):
            return self.client.post(f"{self.prefix}{path}", body, **self.auth, **extra)  # a file
        return self.client.post(f"{self.prefix}{path}", body if body is not None else {},
                                content_type="application/json", **self.auth, **extra)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(f"{self.prefix}{path}", body, content_type="application/json",
                                 **self.auth)

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(f"{self.prefix}{path}", body, content_type="application/json",
                               **self.auth)

    def delete(self, path: str) -> Any:
        return self.client.delete(f"{self.prefix}{path}", **self.auth)
