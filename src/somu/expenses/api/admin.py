"""/api/v1/expenses/ endpoints of the set-up: the chart of accounts (勘定科目), the 規程チェック
rules and the expense settings. Everyone who files or processes claims reads the accounts and
the rules; changing them, and the settings, needs MANAGE_EXPENSES (経理 reads the settings)."""


from typing import Any

from ninja import Path, Query, Router
from ninja.responses import Status

import somu.expenses.api.common as common
from somu.core.api import MAX_ID, QuerySchema, errors
from somu.core.requests import AuthedRequest
from somu.expenses import permissions as p
from somu.expenses import selectors
from somu.expenses.api.common import require_any
from somu.expenses.models import Account, Rule
from somu.expenses.schemas import (
    AccountIn,
    AccountOut,
    AccountUpdateIn,
    RuleIn,
    RuleMoveIn,
    RuleOut,
    RuleUpdateIn,
    SettingsOut,
    SettingsUpdateIn,
)
from somu.expenses.services import admin as services
from somu.expenses.services import setup

router = Router(tags=["expenses"])

AccountId = Path(..., ge=1, le=MAX_ID)
RuleId = Path(..., ge=1, le=MAX_ID)

READERS = (p.SUBMIT_EXPENSES, p.PROCESS_EXPENSES, p.SEARCH_EXPENSES, p.MANAGE_EXPENSES)


class ListQuery(QuerySchema):
    include_inactive: bool = False


# ---- the chart of accounts --------------------------------------------------------------------


@router.get("/accounts", response={200: list[AccountOut], **errors(403, 422)},
            summary="The chart of accounts (勘定科目) in order",
            operation_id="somu_expenses_api_account_list")
def account_list(request: AuthedRequest, filters: Query[ListQuery]) -> Any:
    require_any(request.auth, *READERS)
    return list(selectors.accounts(active_only=not filters.include_inactive))


@router.post("/accounts", response={201: AccountOut, **errors(403, 409, 422)},
             summary="Add an account (a code or name already used is a 409 naming the field)",
             operation_id="somu_expenses_api_account_create")
def account_create(request: AuthedRequest, payload: AccountIn) -> Status[Account]:
    created = services.account_save(membership=request.auth, data=payload.dict(),
                                    now=common.now())
    return Status(201, created)


@router.get("/accounts/{expense_account_id}", response={200: AccountOut, **errors(403, 404, 422)},
            summary="An account", operation_id="somu_expenses_api_account_get")
def account_get(request: AuthedRequest, expense_account_id: int = AccountId) -> Account:
    found = Account.objects.get(pk=expense_account_id)
    require_any(request.auth, *READERS)
    return found


@router.patch("/accounts/{expense_account_id}",
              response={200: AccountOut, **errors(403, 404, 409, 422)},
              summary="Change an account; is_active false takes it out of use (its lines keep "
                      "it)",
              operation_id="somu_expenses_api_account_update")
def account_update(request: AuthedRequest, payload: AccountUpdateIn,
                   expense_account_id: int = AccountId) -> Account:
    found = Account.objects.get(pk=expense_account_id)
    data = {**services.account_values(found),
            **{k: getattr(payload, k) for k in payload.model_fields_set}}
    return services.account_save(membership=request.auth, data=data, account=found.pk,
                                 now=common.now())


@router.delete("/accounts/{expense_account_id}", response={204: None, **errors(403, 404, 409, 422)},
               summary="Delete an account no line or rule uses (else 409: take it out of use)",
               operation_id="somu_expenses_api_account_delete")
def account_delete(request: AuthedRequest, expense_account_id: int = AccountId) -> Any:
    found = Account.objects.get(pk=expense_account_id)
    services.account_delete(membership=request.auth, account=found.pk)
    return Status(204, None)


# ---- the 規程チェック ---------------------------------------------------------------------------


@router.get("/rules", response={200: list[RuleOut], **errors(403, 422)},
            summary="The 規程チェック rules in the order they run",
            operation_id="somu_expenses_api_rule_list")
def rule_list(request: AuthedRequest, filters: Query[ListQuery]) -> Any:
    require_any(request.auth, *READERS)
    return list(selectors.rules(active_only=not filters.include_inactive))


@router.post("/rules", response={201: RuleOut, **errors(403, 422)},
             summary="Add a rule (numbered after the last); its parameters are checked by kind",
             description="A wrong parameter is a 422 naming it (an unknown account code or "
                         "position, a per-position rule with no limit …).",
             operation_id="somu_expenses_api_rule_create")
def rule_create(request: AuthedRequest, payload: RuleIn) -> Status[Rule]:
    created = services.rule_save(membership=request.auth, data=payload.dict(), now=common.now())
    return Status(201, created)


@router.get("/rules/{expense_rule_id}", response={200: RuleOut, **errors(403, 404, 422)},
            summary="A rule", operation_id="somu_expenses_api_rule_get")
def rule_get(request: AuthedRequest, expense_rule_id: int = RuleId) -> Rule:
    found = Rule.objects.get(pk=expense_rule_id)
    require_any(request.auth, *READERS)
    return found


@router.patch("/rules/{expense_rule_id}", response={200: RuleOut, **errors(403, 404, 422)},
              summary="Change a rule; is_active false takes it out of use",
              operation_id="somu_expenses_api_rule_update")
def rule_update(request: AuthedRequest, payload: RuleUpdateIn,
                expense_rule_id: int = RuleId) -> Rule:
    found = Rule.objects.get(pk=expense_rule_id)
    data = {"kind": found.kind, "severity": found.severity, "text": found.text,
            "is_active": found.is_active, **found.params,
            **{k: getattr(payload, k) for k in payload.model_fields_set}}
    return services.rule_save(membership=request.auth, data=data, rule=found.pk,
                              now=common.now())


@router.post("/rules/{expense_rule_id}/move",
             response={200: list[RuleOut], **errors(403, 404, 422)},
             summary="Move a rule up or down; answers the rules in their new order",
             operation_id="somu_expenses_api_rule_move")
def rule_move(request: AuthedRequest, payload: RuleMoveIn,
              expense_rule_id: int = RuleId) -> Any:
    found = Rule.objects.get(pk=expense_rule_id)
    services.rule_move(membership=request.auth, rule=found.pk, up=payload.direction == "up")
    return list(selectors.rules())


# ---- settings ---------------------------------------------------------------------------------


@router.get("/settings", response={200: SettingsOut, **errors(403, 422)},
            summary="The expense settings: retention, the 交際費 threshold, the payer of the "
                    "全銀 file",
            operation_id="somu_expenses_api_settings_get")
def settings_get(request: AuthedRequest) -> Any:
    require_any(request.auth, p.MANAGE_EXPENSES, p.PROCESS_EXPENSES)
    return setup.settings_of()


@router.patch("/settings", response={200: SettingsOut, **errors(403, 422)},
              summary="Change the settings; fields left out keep their value",
              description="A wrong value is a 422 naming the field (a 依頼人コード that is not "
                          "10 digits, a 依頼人名 not in half-width katakana …).",
              operation_id="somu_expenses_api_settings_update")
def settings_update(request: AuthedRequest, payload: SettingsUpdateIn) -> Any:
    return services.settings_save(
        membership=request.auth,
        data={k: getattr(payload, k) for k in payload.model_fields_set}, now=common.now())
