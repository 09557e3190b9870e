"""Expenses and payments (経費精算・仮払).

An expense claim and an advance (仮払) are approval requests
(:class:`somu.approvals.models.Request`) of a request type whose kind this app registers: the
approvals engine numbers them, routes them by the 決裁権限規程 and records every decision; this
app keeps what a claim *is* — its lines, receipts, the 規程チェック findings — and what follows
the approval: 締め (:class:`Period`), payments, 全銀 files and journals.

After approval nothing of a claim changes (電子帳簿保存法): its lines and receipts are marked
``locked`` in the approving transaction, the services refuse every write to a locked row, and a
database trigger refuses an UPDATE (and on PostgreSQL a DELETE) of one (migration 0002). A
correction is a new claim that names the one it corrects; both are kept for their retention
period.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.tenancy import TenantModel


class TaxRate(models.TextChoices):
    """The consumption-tax treatment of a line (税区分 as an employee knows it)."""

    STANDARD = "taxable_10", _("10%")
    REDUCED = "taxable_8_reduced", _("8% (reduced rate)")
    EXEMPT = "exempt", _("Tax-exempt (非課税)")
    OUT_OF_SCOPE = "out_of_scope", _("Not subject to tax (対象外・不課税)")


# Percent of the tax-included amount that is tax, as a fraction (10/110, 8/108).
TAX_PERCENT = {TaxRate.STANDARD: 10, TaxRate.REDUCED: 8}


class InvoiceException(models.TextChoices):
    """Why a line has no 適格請求書 and the 帳簿 alone keeps the input-tax credit
    (消費税法施行令 第49条第1項第1号, 同法施行規則 第15条の4; the NTA's インボイスQ&A), or that
    there is none and the 経過措置 applies."""

    PUBLIC_TRANSPORT = ("public_transport",
                        _("Public transport under ¥30,000 (公共交通機関特例)"))
    VENDING_MACHINE = "vending_machine", _("Vending machine or automatic service under ¥30,000")
    POSTAL = "postal", _("Postage dropped in a post box (郵便切手類)")
    TRAVEL = "travel", _("Travel, lodging or daily allowance paid to an employee (出張旅費等特例)")
    COMMUTING = "commuting", _("Commuting allowance (通勤手当)")
    ADMISSION = "admission", _("Admission ticket collected at the entrance (入場券等)")
    SMALL_AMOUNT = ("small_amount",
                    _("Under ¥10,000, small-business special rule (少額特例)"))
    NONE = "none", _("No qualified invoice (transitional credit, 経過措置)")


class AccountRole(models.TextChoices):
    """What the 規程チェック and the forms need to know about an account beyond its name."""

    PLAIN = "", _("Ordinary expense")
    ENTERTAINMENT = "entertainment", _("Entertainment (交際費: participants asked)")
    PER_DIEM = "per_diem", _("Daily allowance (日当)")
    LODGING = "lodging", _("Lodging (宿泊費)")
    TRANSPORT = "transport", _("Travel and transport (旅費交通費)")
    # Balance-sheet accounts the journals use; never chosen on a claim line.
    ADVANCE = "advance", _("Advances paid (仮払金)")
    PAYABLE = "payable", _("Accounts payable (未払金)")
    BANK = "bank", _("Bank account (普通預金)")


class Account(TenantModel):
    """A 勘定科目 of the organization's chart of accounts."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("use"), max_length=20, choices=AccountRole.choices, blank=True)
    default_tax_rate = models.CharField(_("default tax rate"), max_length=20,
                                        choices=TaxRate.choices, default=TaxRate.STANDARD)
    # The tax rates a line of this account may use (empty: any).
    allowed_tax_rates = models.JSONField(_("allowed tax rates"), default=list, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"],
                                               name="expense_account_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def on_claims(self) -> bool:
        return self.role not in (AccountRole.ADVANCE, AccountRole.PAYABLE, AccountRole.BANK)


class Vendor(models.TextChoices):
    YAYOI = "yayoi", _("弥生会計")
    MONEYFORWARD = "moneyforward", _("マネーフォワード クラウド会計")
    FREEE = "freee", _("freee会計")


class JournalName(TenantModel):
    """What one accounting product calls one of somu's accounts or tax categories (editable)."""

    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    # "account:<code>" or "tax:<tax key>" (tax keys: see expenses.journal_export).
    key = models.CharField(max_length=60)
    name = models.CharField(_("name in the product"), max_length=60)

    class Meta:
        ordering = ["vendor", "key"]
        constraints = [models.UniqueConstraint(fields=["organization", "vendor", "key"],
                                               name="expense_journal_name_unique")]


class Settings(TenantModel):
    """The organization's expense settings: retention, the payer's bank account for 全銀."""

    retention_years = models.PositiveSmallIntegerField(_("retention period (years)"), default=7)
    retention_basis = models.CharField(
        _("legal basis of the retention period"), max_length=300,
        default="法人税法 第126条・同法施行規則 第59条"
                "（7年。欠損金の繰越控除を受ける事業年度は10年）、電子帳簿保存法 第7条")
    entertainment_per_person = models.PositiveIntegerField(
        _("entertainment threshold per person (yen)"), default=10000)
    requester_code = models.CharField(_("全銀 依頼人コード"), max_length=10, blank=True)
    requester_name = models.CharField(_("依頼人名 (half-width kana)"), max_length=40, blank=True)
    bank_code = models.CharField(_("bank code"), max_length=4, blank=True)
    branch_code = models.CharField(_("branch code"), max_length=3, blank=True)
    account_kind = models.CharField(_("account type"), max_length=1, default="1")
    account_number = models.CharField(_("account number"), max_length=7, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"],
                                               name="expense_settings_one_per_org")]


class AccountKind(models.TextChoices):
    """預金種目 as the 全銀 format codes it."""

    ORDINARY = "1", _("普通")
    CURRENT = "2", _("当座")
    SAVINGS = "4", _("貯蓄")


class BankAccount(TenantModel):
    """Where a person's reimbursements are paid: seen only by them, accounting staff and admins."""

    person = models.OneToOneField("org.Person", on_delete=models.CASCADE,
                                  related_name="expense_bank_account")
    bank_code = models.CharField(_("bank code"), max_length=4)
    branch_code = models.CharField(_("branch code"), max_length=3)
    kind = models.CharField(_("account type"), max_length=1, choices=AccountKind.choices,
                            default=AccountKind.ORDINARY)
    number = models.CharField(_("account number"), max_length=7)
    holder = models.CharField(_("account holder (half-width kana)"), max_length=30)
    updated_at = models.DateTimeField()


class ClaimKind(models.TextChoices):
    CLAIM = "claim", _("Expense claim")
    ADVANCE = "advance", _("Advance")


class Claim(TenantModel):
    """An expense claim (経費精算) or an advance (仮払申請): what the approval request is about."""

    request = models.OneToOneField("approvals.Request", on_delete=models.PROTECT,
                                   related_name="expense_claim")
    kind = models.CharField(_("kind"), max_length=10, choices=ClaimKind.choices)
    # The advance this claim settles (精算): the difference is paid out or returned.
    advance = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="settlements", verbose_name=_("advance settled"))
    # The approved 出張申請 the trip lines must fall within.
    trip = models.ForeignKey("approvals.Request", on_delete=models.PROTECT, null=True,
                             blank=True, related_name="+", verbose_name=_("trip request"))
    # A correction of an approved claim names it; both are kept.
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="corrections", verbose_name=_("corrects"))
    # The 規程チェック at the last submission: [{rule, severity, text, line}].
    findings = models.JSONField(default=list, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    retain_until = models.DateField(_("retained until"), null=True, blank=True)
    # The 締め that paid it (or, for an advance, paid it out).
    period = models.ForeignKey("Period", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="claims")
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["organization", "kind", "period"])]

    def __str__(self) -> str:
        return str(self.request)


def receipt_path(instance: Receipt, filename: str) -> str:
    return f"expenses/{instance.organization_id}/{instance.claim_id}/{instance.key}"


class Receipt(TenantModel):
    """A receipt or invoice file (領収書・請求書), its SHA-256 taken on upload."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="receipts")
    key = models.CharField(max_length=40)  # the stored file's name: never the user's
    file = models.FileField(upload_to=receipt_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # What reading the receipt proposed (never applied without the user's confirmation).
    proposal = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField()
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class Region(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    OVERSEAS = "overseas", _("Overseas")


class Line(TenantModel):
    """One line of a claim: a payment the employee made for the company."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    number = models.PositiveSmallIntegerField()
    date = models.DateField(_("date"))
    payee = models.CharField(_("payee"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=300)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("account"))
    amount = models.BigIntegerField(_("amount (tax included)"))
    tax_rate = models.CharField(_("tax rate"), max_length=20, choices=TaxRate.choices)
    registration_number = models.CharField(_("registration number"), max_length=14, blank=True)
    exception = models.CharField(_("without a qualified invoice"), max_length=20,
                                 choices=InvoiceException.choices, blank=True)
    participants = models.PositiveSmallIntegerField(_("participants"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    region = models.CharField(_("region"), max_length=10, choices=Region.choices,
                              default=Region.DOMESTIC)
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="lines", verbose_name=_("receipt"))
    # The registry check of the registration number at the last save or submission.
    registry_status = models.CharField(max_length=20, blank=True)
    locked = models.BooleanField(default=False)

    class Meta:
        ordering = ["claim", "number"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "number"], name="expense_line_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_line_amount_positive"),
        ]
        indexes = [
            # The 電帳法 search: 取引年月日, 金額 and 取引先, in ranges and in combination.
            models.Index(fields=["organization", "date", "amount"]),
            models.Index(fields=["organization", "amount"]),
            models.Index(fields=["organization", "payee", "date"]),
        ]


class Period(TenantModel):
    """A 締め: the approved claims and advances up to ``cutoff`` not yet paid, locked and paid on
    ``payment_date``."""

    label = models.CharField(_("label"), max_length=60)
    cutoff = models.DateField(_("approved up to"))
    payment_date = models.DateField(_("payment date"))
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")

    class Meta:
        ordering = ["-cutoff", "-pk"]

    def __str__(self) -> str:
        return self.label


class Payment(TenantModel):
    """What one person gets (or gives back) in a period: claims less the advances they settle,
    plus the advances paid out."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="payments")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    # Positive: transferred to the person; negative: the person returns it (返金).
    amount = models.BigIntegerField(_("amount"))
    # The bank account as it was when the period closed (the 全銀 file is reproducible).
    bank_code = models.CharField(max_length=4, blank=True)
    branch_code = models.CharField(max_length=3, blank=True)
    account_kind = models.CharField(max_length=1, blank=True)
    account_number = models.CharField(max_length=7, blank=True)
    holder = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["period", "person__employee_number"]
        constraints = [models.UniqueConstraint(fields=["period", "person"],
                                               name="expense_payment_one_per_person")]


class PeriodFile(TenantModel):
    """A closed period's 全銀 file or journal as first exported: later exports serve these bytes,
    so a period's files never change (a later edit of the settings, names or mapping does not
    reach a period already exported)."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="files")
    what = models.CharField(max_length=20)  # "zengin" or a vendor
    name = models.CharField(max_length=100)
    data = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "what"],
                                               name="expense_period_file_once")]


class RuleKind(models.TextChoices):
    ACCOUNT_LIMIT = "account_limit", _("Limit per line for an account")
    PER_DIEM = "per_diem", pgettext_lazy("expense rule", "Daily allowance by position (旅費規程)")
    LODGING = "lodging", pgettext_lazy("expense rule", "Lodging per night by position (旅費規程)")
    RECEIPT_OVER = "receipt_over", _("Receipt required above an amount")
    REASON_REQUIRED = "reason_required", _("Reason required (e.g. taxis)")
    DUPLICATE = "duplicate", _("Same payee, date and amount twice")
    PER_DIEM_ONCE = "per_diem_once", _("One daily allowance per date")
    WITHIN_TRIP = "within_trip", _("Trip lines within the approved trip's dates")
    ENTERTAINMENT = "entertainment", _("Entertainment over the amount per person")


class Severity(models.TextChoices):
    ERROR = "error", _("Error (cannot submit)")
    WARNING = "warning", _("Warning (shown to the approvers)")


class Rule(TenantModel):
    """A 規程チェック the claims are checked against (see :mod:`somu.expenses.checks`)."""

    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    text = models.CharField(_("rule text"), max_length=300)
    # What the kind needs: accounts (codes), amount, limits by position, keywords, region.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["organization", "number"],
                                               name="expense_rule_unique_number")]


from somu.expenses.registry_models import Registrant, RegistryImport  # noqa: E402, F401
