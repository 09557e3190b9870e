"""`somu createadmin`: an administrator account, and the organization it administers."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services
from somu.org.models import Organization, User


class Command(BaseCommand):
    help = "Create an administrator. The password is asked, or read from SOMU_ADMIN_PASSWORD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--org", help="organization slug (created when missing)")
        parser.add_argument("--org-name", help="name of the organization to create")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        password = os.environ.get("SOMU_ADMIN_PASSWORD") or self._ask_password()
        try:
            validate_password(password, User(username=username, email=options["email"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        with transaction.atomic():
            user = services.user_create(actor=None, username=username, password=password,
                                        email=options["email"])
            slug = options["org"]
            if slug:
                organization = Organization.objects.filter(slug=slug).first()
                if organization is None:
                    organization = services.organization_create(
                        actor=user, name=options["org_name"] or slug, slug=slug
                    )
                with tenancy.activate(organization):
                    services.membership_set(actor=user, user=user, role=Role.ADMIN)
        where = f" of {slug!r}." if slug else "."
        self.stdout.write(f"Created administrator {username!r}{where}")

    def _ask_password(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ.")
        return first
