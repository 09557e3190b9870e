from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from tests.registry_app.apps import VIEW_TINY

from somu.core.web import org_view

app_name = "tiny"


@org_view(VIEW_TINY)
def page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {})


urlpatterns = [path("", page, name="page")]
