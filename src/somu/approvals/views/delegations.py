"""Placeholder: being built (every name here is routed in urls.py)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


delegation_list = _todo
delegation_revoke = _todo
