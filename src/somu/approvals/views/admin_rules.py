"""Placeholder: being built (every name here is routed in urls.py)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=501)


rules = _todo
rule_version = _todo
rule_edit = _todo
rule_test = _todo
rule_import = _todo
rule_export = _todo
