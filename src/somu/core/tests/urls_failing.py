"""The site's routes plus one page that fails, for the server-error page's tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from somu.urls import urlpatterns as site_urlpatterns

handler500 = "somu.shell.views.error_500"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
