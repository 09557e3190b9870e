from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language

from somu.core import registry
from somu.core.api import api, register_routers
from somu.core.passwords import SetPasswordForm
from somu.shell import views as shell_views

register_routers()

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("login/", shell_views.login_view, name="login"),
    path("logout/", shell_views.logout_view, name="logout"),
    path("account/", shell_views.account, name="account"),
    path("account/password/", shell_views.password_change, name="password_change"),
    path("password-reset/", shell_views.PasswordReset.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
         name="password_reset_confirm"),
    path("account/tokens/", shell_views.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", shell_views.token_revoke, name="token_revoke"),
    path("switch-organization/", shell_views.switch_organization, name="switch_organization"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", shell_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/somu/favicon.svg", permanent=True)),
    # Each app's pages, at the prefix its registry entry declares.
    *(path(entry.contribution.url_prefix, include(entry.contribution.urls))
      for entry in registry.entries() if entry.contribution.urls),
    path("api/v1/", api.urls),
]

handler403 = "somu.shell.views.error_403"
handler404 = "somu.shell.views.error_404"
handler500 = "somu.shell.views.error_500"
