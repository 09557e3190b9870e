"""Placeholder: being built (every name here is routed in urls.py)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


inbox = _todo
request_list = _todo
request_new = _todo
request_create = _todo
route_preview_new = _todo
request_detail = _todo
request_edit = _todo
route_preview = _todo
request_submit = _todo
request_recall = _todo
request_delete = _todo
request_decide = _todo
request_seen = _todo
participant_add = _todo
attachment_add = _todo
attachment_download = _todo
attachment_delete = _todo
post_review = _todo
