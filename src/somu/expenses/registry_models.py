"""The インボイス registry kept offline: the NTA's published 適格請求書発行事業者, as imported from
its download files, and the record of each import.

Unlike every other record of somu these are **not** per organization (not ``TenantModel``): the
registry is public data, the same for every organization of the deployment, imported once by
the deployment's operators (superusers) and read by every organization's claims. Nothing in it
belongs to, or says anything about, one organization.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PersonKind(models.IntegerChoices):
    """人格区分."""

    INDIVIDUAL = 1, _("Individual (個人)")
    CORPORATION = 2, _("Corporation (法人)")


class Residence(models.IntegerChoices):
    """国内外区分."""

    DOMESTIC = 1, _("Domestic business (国内事業者)")
    FOREIGN = 2, _("Foreign business (国外事業者)")
    SPECIFIED_FOREIGN = 3, _("Specified foreign business (特定国外事業者)")


class Process(models.IntegerChoices):
    """事業者処理区分 of the registrant's latest record."""

    NEW = 1, pgettext_lazy("registry", "New registration (新規)")
    CHANGE = 2, pgettext_lazy("registry", "Change (変更)")
    EXPIRY = 3, pgettext_lazy("registry", "Expiry (失効)")
    CANCELLATION = 4, pgettext_lazy("registry", "Cancellation (取消)")


class ImportKind(models.TextChoices):
    FULL = "full", _("Full files (全件データ)")
    DIFF = "diff", _("Difference files (差分データ)")


class RegistryImport(models.Model):
    """One run of the registry import: the files read (name, size, SHA-256, rows), what the run
    changed, when and by whom. Only runs that succeeded are kept — a refused file changes
    nothing, this record included."""

    kind = models.CharField(_("kind"), max_length=4, choices=ImportKind.choices)
    # [{"name": "…csv", "bytes": 123, "sha256": "…", "rows": 1000, "encoding": "utf-8-sig"}]
    files = models.JSONField(_("files"), default=list)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    written = models.PositiveIntegerField(_("registrants added or updated"), default=0)
    deleted = models.PositiveIntegerField(_("registrants deleted"), default=0)
    skipped = models.PositiveIntegerField(_("history rows skipped"), default=0)
    total = models.PositiveIntegerField(_("registrants after the import"), default=0)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("imported by"))
    actor_label = models.CharField(_("imported by"), max_length=150)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("registry import")

    def __str__(self) -> str:
        names = ", ".join(f["name"] for f in self.files)
        return f"{self.get_kind_display()}: {names}"


class Registrant(models.Model):
    """A 適格請求書発行事業者 as the NTA's registry publishes it: its 登録番号, name, kind and the
    dates that say whether its registration is in force on a given day."""

    # "T" + 13 digits; the key every lookup uses.
    number = models.CharField(_("registration number"), max_length=14, primary_key=True)
    kind = models.PositiveSmallIntegerField(_("kind (人格区分)"), choices=PersonKind.choices,
                                            null=True, blank=True)
    residence = models.PositiveSmallIntegerField(_("domestic or foreign (国内外区分)"),
                                                 choices=Residence.choices, null=True,
                                                 blank=True)
    process = models.PositiveSmallIntegerField(_("latest change (事業者処理区分)"),
                                               choices=Process.choices)
    name = models.CharField(_("name (氏名又は名称)"), max_length=300)
    name_kana = models.CharField(_("name in kana"), max_length=500, blank=True)
    # nta_registry.name_key(name): what a name search compares by prefix (see Meta).
    name_key = models.CharField(max_length=300)
    trade_name = models.CharField(_("trade name (屋号)"), max_length=200, blank=True)
    # The 法人's head office, else the address published on request, else the domestic office of
    # a foreign business.
    address = models.CharField(_("address"), max_length=600, blank=True)
    registered_on = models.DateField(_("registered on"))
    updated_on = models.DateField(_("updated on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on (取消年月日)"), null=True, blank=True)
    expired_on = models.DateField(_("expired on (失効年月日)"), null=True, blank=True)
    # The import that last wrote the row. No index and no database constraint: it is only read
    # from one registrant, and a check per row would slow a 2,500,000-row import; imports are
    # never deleted.
    last_import = models.ForeignKey(RegistryImport, on_delete=models.PROTECT, related_name="+",
                                    db_index=False, db_constraint=False,
                                    verbose_name=_("registry import"))

    class Meta:
        ordering = ["number"]
        verbose_name = _("registered invoice issuer")
        # The name search's index, (name_key, number) compared byte by byte so that a prefix is
        # a range, is made by the migration for each database (PostgreSQL needs COLLATE "C").

    def __str__(self) -> str:
        return f"{self.number} {self.name}"
