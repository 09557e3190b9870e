"""Request kinds: a request type whose content another app owns (経費精算's lines, 仮払).

An app that builds on approvals registers a :class:`RequestKind` (in its ``AppConfig.ready``);
a :class:`~somu.approvals.models.RequestType` with that ``kind`` is then numbered, routed and
decided by approvals as any other, while its content is entered and shown by the owning app:
approvals' own form refuses it (the service says where to go), its request page shows the app's
section, its submission runs the app's check first, and its final approval tells the app. approvals
never imports the app: it only calls what was registered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.http import HttpRequest

    from somu.approvals.models import Request, RequestType


@dataclass(frozen=True)
class RequestKind:
    """What the owning app provides for its request types.

    - ``new_url(request_type)`` / ``edit_url(request)``: where the requester fills it in;
    - ``section(http_request, request)``: HTML shown on the request page and the 稟議書;
    - ``before_submit(request, today)``: called inside the submitting transaction before the
      route is resolved; raises ``ValidationError`` to refuse (it may update the request's
      amount and its own records, e.g. the 規程チェック's warnings);
    - ``on_approved(request, now)``: called inside the transaction that approves it.
    """

    key: str
    label: str | Promise
    new_url: Callable[[RequestType], str]
    edit_url: Callable[[Request], str]
    section: Callable[[HttpRequest, Request], str] | None = None
    before_submit: Callable[[Request, dt.date], None] | None = None
    on_approved: Callable[[Request, dt.datetime], None] | None = None


_KINDS: dict[str, RequestKind] = {}


def register(kind: RequestKind) -> None:
    existing = _KINDS.get(kind.key)
    if existing is not None and existing != kind:
        raise ValueError(f"The request kind {kind.key!r} is registered twice.")
    _KINDS[kind.key] = kind


def kind_of(request_type: RequestType) -> RequestKind | None:
    """The kind that owns this type's content, or None for a plain form."""
    return _KINDS.get(request_type.kind) if request_type.kind else None
