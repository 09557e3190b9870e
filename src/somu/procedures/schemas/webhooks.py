"""API schemas of chat webhooks and their deliveries."""

import datetime as dt
import urllib.parse
from typing import Any, Literal

from ninja import Field, Schema

from somu.core.api import InputSchema, QuerySchema, optional
from somu.procedures.schemas.common import (
    DeliveryChannelChoice,
    DeliveryStatusChoice,
    WebhookKindChoice,
)

# ---- notifications -------------------------------------------------------------------------------


class WebhookOut(Schema):
    id: int
    name: str
    kind: WebhookKindChoice
    url: str  # masked: the path of a webhook URL is its secret
    has_token: bool  # the token itself is never returned
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        parts = urllib.parse.urlsplit(obj.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"

    @staticmethod
    def resolve_has_token(obj: Any) -> bool:
        return bool(obj.token)


class WebhookUpdateIn(InputSchema):
    """A change to a webhook: fields left out keep their value (the token too)."""

    name: str = optional(min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"] = optional()
    url: str = optional(max_length=500)
    # Chatwork's API token: write-only, never returned.
    token: str | None = Field(None, max_length=200)
    active: bool = optional()


class WebhookIn(WebhookUpdateIn):
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"]
    url: str = Field(..., max_length=500)
    active: bool = True


class DeliveryOut(Schema):
    id: int
    channel: DeliveryChannelChoice
    person_id: int | None
    person_name: str
    webhook_id: int | None
    webhook_name: str
    day: dt.date
    step_ids: list[int]
    subject: str
    status: DeliveryStatusChoice
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name if obj.person_id else ""

    @staticmethod
    def resolve_webhook_name(obj: Any) -> str:
        return obj.webhook.name if obj.webhook_id else ""


class DeliveryQuery(QuerySchema):
    problems_only: bool = False  # failed and given-up deliveries only
