from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic.base import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language

from somu.core import views as core_views
from somu.core.api import api, register_routers
from somu.core.passwords import SetPasswordForm

register_routers()

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.login_view, name="login"),
    path("logout/", core_views.logout_view, name="logout"),
    path("account/", core_views.account, name="account"),
    path("account/password/", core_views.password_change, name="password_change"),
    path("password-reset/", core_views.PasswordReset.as_view(), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("password-reset/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordForm),
         name="password_reset_confirm"),
    path("account/tokens/", core_views.token_create, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", core_views.token_revoke, name="token_revoke"),
    path("switch-organization/", core_views.switch_organization, name="switch_organization"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url="/static/somu/favicon.svg", permanent=True)),
    path("org/", include("somu.org.urls")),
    path("audit/", include("somu.audit.urls")),
    path("survey/", include("somu.survey.urls")),
    path("procedures/", include("somu.procedures.urls")),
    path("api/v1/", api.urls),
]

handler403 = "somu.core.views.error_403"
handler404 = "somu.core.views.error_404"
handler500 = "somu.core.views.error_500"
