from django.http import HttpRequest
from ninja import Router
from tests.registry_app.apps import VIEW_TINY

from somu.core.permissions import require

router = Router(tags=["tiny"])


@router.get("/ping", response=dict[str, str])
def ping(request: HttpRequest) -> dict[str, str]:
    require(request.auth, VIEW_TINY)
    return {"answer": "pong"}
