"""Placeholder pages (being built)."""
from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


inbox = request_list = request_new = request_detail = delegation_list = rules = type_list = _todo
