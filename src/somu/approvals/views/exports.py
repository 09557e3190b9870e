"""Placeholder: being built (every name here is routed in urls.py)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


request_print = _todo
request_pdf = _todo
request_export = _todo
