"""`somu manage reencrypt_secrets`: re-encrypt every encrypted field under the current SECRET_KEY.

Run it after rotating ``SECRET_KEY`` (with the previous key still in ``SOMU_OLD_SECRET_KEYS``);
afterwards the old key can be dropped from ``SOMU_OLD_SECRET_KEYS``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from somu.core import tenancy
from somu.core.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt stored secrets (chat webhook URLs, tokens) under the current SECRET_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        with tenancy.unscoped(), transaction.atomic():
            for model in apps.get_models():
                names = [f.name for f in model._meta.concrete_fields
                         if isinstance(f, EncryptedTextField)]
                if not names:
                    continue
                manager = model._base_manager
                for obj in manager.select_for_update().only("pk", *names):
                    # Reading decrypted under any known key; the update encrypts under the new.
                    manager.filter(pk=obj.pk).update(**{n: getattr(obj, n) for n in names})
                    total += 1
                self.stdout.write(f"{model._meta.label}: {manager.count()} rows")
        self.stdout.write(f"Re-encrypted {total} rows under the current SECRET_KEY.")
