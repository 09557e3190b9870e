"""Placeholder: being built (every name here is routed in urls.py)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


type_list = _todo
type_create = _todo
type_edit = _todo
