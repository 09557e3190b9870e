"""The invoice registry's import page: for the deployment's operators (superusers) only, since
the registry is shared by every organization. Members look numbers up on the claim screens and
through the API."""

from __future__ import annotations

from contextlib import ExitStack
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from somu.core.web import render_page
from somu.expenses.registry_models import ImportKind
from somu.expenses.services import registry
from somu.org.models import User

# A full file per 人格区分 is a few hundred megabytes unzipped.
MAX_BYTES = int(getattr(settings, "SOMU_REGISTRY_MAX_BYTES", 2 * 1024 ** 3))


def operator_view(view: Any) -> Any:
    """A page of the deployment rather than of an organization: superusers only."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied(_("Only the deployment's operators (superusers) can import "
                                     "the invoice registry: it is shared by every "
                                     "organization."))
        return view(request, *args, **kwargs)

    return wrapper


def _context(**extra: Any) -> dict[str, Any]:
    return {"state": registry.registry_state(), "imports": list(registry.recent_imports(10)),
            "kinds": ImportKind.choices, "max_bytes": MAX_BYTES, **extra}


@operator_view
def registry_import_page(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    result = None
    kind = request.POST.get("kind", ImportKind.FULL)
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        too_large = [u.name for u in uploads if (u.size or 0) > MAX_BYTES]
        if too_large:
            errors.append(_("%(files)s: too large, at most %(size)s. Import it with the "
                            "command line.") % {"files": ", ".join(str(n) for n in too_large),
                                                "size": filesizeformat(MAX_BYTES)})
        else:
            with ExitStack() as stack:
                files = [registry.RegistryFile(str(u.name), stack.enter_context(u.open("rb")))
                         for u in uploads]
                try:
                    result = registry.registry_import(files=files, kind=kind,
                                                      actor=cast(User, request.user))
                except registry.RegistryFileRefused as exc:
                    errors.append(exc.text)
                except ValidationError as exc:
                    errors.extend(exc.messages)
    context = _context(errors=errors, result=result, kind=kind)
    return render_page(request, "expenses/registry.html", context,
                       partial="expenses/_registry_result.html",
                       status=422 if errors else 200)


def account_section(request: HttpRequest) -> SafeString:
    """On a superuser's account page: the way to the registry's import page (a page of the
    deployment, so it has no place in an organization's navigation)."""
    if not request.user.is_superuser:
        return SafeString("")
    return render_to_string("expenses/_registry_account.html",
                            {"state": registry.registry_state()}, request=request)
