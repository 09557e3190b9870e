from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.registry import Command, Contribution, NavItem, NavSection
from somu.expenses import permissions as p


class ExpensesConfig(AppConfig):
    name = "somu.expenses"
    label = "expenses"
    verbose_name = _("Expenses and payments")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.expenses.urls",
        url_prefix="expenses/",
        api=(("/expenses", "somu.expenses.api:router"),),
        nav=(NavSection("expenses", pgettext_lazy("nav", "Expenses"), order=37, items=(
            NavItem(_("My expense claims"), "expenses:claim_list",
                    permissions=(p.SUBMIT_EXPENSES,), active=("/expenses/claims/",
                                                               "/expenses/lines/")),
            NavItem(_("New expense claim"), "expenses:claim_new",
                    permissions=(p.SUBMIT_EXPENSES,), exact=True),
            NavItem(_("New advance"), "expenses:advance_new",
                    permissions=(p.SUBMIT_EXPENSES,), exact=True),
            NavItem(_("Chart of accounts (勘定科目)"), "expenses:account_list",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES), active=("/expenses/accounts",)),
            NavItem(_("Expense rules (規程チェック)"), "expenses:rule_list",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES), active=("/expenses/rules",)),
            NavItem(_("Expense settings"), "expenses:settings",
                    (p.MANAGE_EXPENSES, p.PROCESS_EXPENSES),
                    active=("/expenses/settings", "/expenses/journal-names")),
            NavItem(_("Periods (締め)"), "expenses:period_list", (p.PROCESS_EXPENSES,),
                    active=("/expenses/periods",)),
            NavItem(_("Bank accounts"), "expenses:bank_list", (p.PROCESS_EXPENSES,),
                    active=("/expenses/bank-accounts",)),
            NavItem(_("Search stored claims (電帳法)"), "expenses:search",
                    (p.SEARCH_EXPENSES,), active=("/expenses/search",)),
        )),),
        permissions=p.PERMISSIONS,
        audit="somu.expenses.audit_vocabulary:VOCABULARY",
        isolation="somu.expenses.tests.isolation:records_of_b",
        demo="somu.expenses.demo:load_demo",
        demo_after=("approvals",),
        account_sections=("somu.expenses.views.banks:bank_section",
                          "somu.expenses.views.registry:account_section"),
        commands=(
            Command("expenses export-zengin",
                    "write a closed period's 全銀 総合振込 transfer file",
                    "expenses_export_zengin"),
            Command("expenses export-journals",
                    "write a closed period's journal CSV (--vendor yayoi|moneyforward|freee)",
                    "expenses_export_journals"),
            Command("expenses import-invoice-registry",
                    "import the NTA's 適格請求書発行事業者 files (full or daily difference CSV) "
                    "into the offline invoice registry",
                    "expenses_import_invoice_registry"),
        ),
    )

    def ready(self) -> None:
        from somu.approvals import kinds
        from somu.expenses import kinds as expense_kinds

        for kind in expense_kinds.KINDS:
            kinds.register(kind)
