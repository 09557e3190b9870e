import datetime as dt
from typing import Any

from django.urls import reverse
from tests.registry_app.apps import VIEW_TINY

from somu.core.home import Attention
from somu.core.permissions import has_perm


def attention(*, membership: Any, today: dt.date) -> list[Attention]:
    if not has_perm(membership, VIEW_TINY):
        return []
    return [Attention("小さな数字", "42", reverse("tiny:page"))]
