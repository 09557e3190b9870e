"""`somu demo`: one deterministic demo deployment, loaded once and reused.

The organization module creates the demo organizations and their accounts; then every app
that declares a demo loader in its registry entry loads its part into the sample organization,
after the apps it names in ``demo_after``. The generated admin password is kept in the data dir.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

DEMO_ADMIN = "admin"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    created: bool
    # The demo's other accounts (one per role); they share the admin's password.
    role_usernames: tuple[str, ...] = ()


def _password_file() -> Path:
    return Path(settings.DATA_DIR) / "demo-login.txt"


def _demo_password() -> str:
    path = _password_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    # Random per data dir: a demo started with --host 0.0.0.0 must not have a known password.
    password = f"somu-{secrets.token_urlsafe(9)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def ensure_demo(*, today: dt.date) -> DemoLogin:
    """Load the demo organizations unless they are already there; return the admin login.

    ``today`` is the day the date-relative parts (procedure runs, due steps) are built around:
    ``somu demo`` passes the real date, tests a fixed one."""
    from somu.core import registry, tenancy
    from somu.org import demo as org_demo
    from somu.org.models import Organization, User

    password = _demo_password()
    role_usernames = tuple(username for username, _role, _person in org_demo.ROLE_ACCOUNTS)
    existing = Organization.objects.filter(slug=org_demo.DEMO_SLUG).first()
    if existing is not None:
        # A demo made by an earlier version gets what later modules add (idempotent).
        with transaction.atomic(), tenancy.activate(existing):
            for _label, loader in registry.demo_loaders():
                loader(existing, today=today, fresh=False)
            admin = User.objects.filter(username=DEMO_ADMIN).first()
            if admin is not None:
                org_demo.ensure_admin_person(existing, admin=admin)
        return DemoLogin(DEMO_ADMIN, password, created=False, role_usernames=role_usernames)
    with transaction.atomic():
        admin = User.objects.filter(username=DEMO_ADMIN).first()
        if admin is None:
            admin = User(username=DEMO_ADMIN, email="admin@example.com")
        admin.set_password(password)
        admin.save()
        org_demo.load(admin=admin, password=password)
        sample = Organization.objects.get(slug=org_demo.DEMO_SLUG)
        with tenancy.activate(sample):
            for _label, loader in registry.demo_loaders():
                loader(sample, today=today, fresh=True)
    return DemoLogin(DEMO_ADMIN, password, created=True, role_usernames=role_usernames)
