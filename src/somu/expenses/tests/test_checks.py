"""規程チェック (pure): each rule on one line, and the rules that look across lines and claims."""

from __future__ import annotations

import datetime as dt

from somu.expenses.checks import (
    ClaimFacts,
    EarlierLine,
    LineFact,
    RuleSpec,
    check,
    normalized_payee,
    params_problems,
    tax_totals,
)

D = dt.date(2026, 6, 10)


def line(number: int, *, role: str = "", amount: int = 1000, day: dt.date = D,
         payee: str = "店", code: str = "7430", **kw) -> LineFact:
    return LineFact(number=number, date=day, payee=payee, purpose=kw.pop("purpose", "用途"),
                    account_code=code, account_name=kw.pop("account_name", "科目"),
                    account_role=role, amount=amount, **kw)


def found(rule: RuleSpec, facts: ClaimFacts) -> list[int | None]:
    return [f.line for f in check(facts, [rule])]


def test_an_account_limit_flags_only_lines_of_its_accounts_over_the_amount():
    rule = RuleSpec(1, "account_limit", "warning", "消耗品は5万円まで",
                    {"accounts": ["7430"], "amount": 50_000})
    facts = ClaimFacts((line(1, amount=50_000), line(2, amount=50_001),
                        line(3, amount=90_000, code="7440")))
    assert found(rule, facts) == [2]


def test_the_daily_allowance_limit_depends_on_the_claimant_s_position_and_region():
    rule = RuleSpec(2, "per_diem", "warning", "日当",
                    {"limits": {"部長": 3000}, "default": 2000, "region": "domestic"})
    lines = (line(1, role="per_diem", amount=2500),
             line(2, role="per_diem", amount=2500, region="overseas",
                  day=D + dt.timedelta(days=1)))
    assert found(rule, ClaimFacts(lines, position="一般")) == [1]
    assert found(rule, ClaimFacts(lines, position="部長")) == []


def test_lodging_is_checked_per_night_against_the_position_s_limit():
    rule = RuleSpec(3, "lodging", "warning", "宿泊費", {"limits": {"課長": 11000}})
    facts = ClaimFacts((line(1, role="lodging", amount=11_000),
                        line(2, role="lodging", amount=12_100)), position="課長")
    assert found(rule, facts) == [2]
    assert found(rule, ClaimFacts(facts.lines, position="一般")) == []  # no limit, no default


def test_a_receipt_is_needed_above_the_amount_unless_the_law_needs_none():
    rule = RuleSpec(4, "receipt_over", "error", "1万円超は領収書", {"amount": 10_000})
    facts = ClaimFacts((line(1, amount=10_000), line(2, amount=10_001),
                        line(3, amount=20_000, has_receipt=True),
                        line(4, amount=25_000, exception="public_transport")))
    assert found(rule, facts) == [2]


def test_a_taxi_needs_a_reason_found_by_keyword_in_payee_or_purpose():
    rule = RuleSpec(5, "reason_required", "error", "タクシーは理由",
                    {"accounts": ["7410"], "keywords": ["タクシー"]})
    facts = ClaimFacts((line(1, code="7410", payee="日本交通ﾀｸｼｰ"),
                        line(2, code="7410", purpose="タクシー", reason="終電後"),
                        line(3, code="7410", payee="JR東日本"),
                        line(4, code="7430", payee="タクシー用品店")))
    assert found(rule, facts) == [1]  # half-width ﾀｸｼｰ matches too


def test_the_same_payment_twice_is_found_in_the_claim_and_in_earlier_claims():
    rule = RuleSpec(6, "duplicate", "warning", "重複", {})
    facts = ClaimFacts(
        (line(1, payee="株式会社 丸善", amount=3300), line(2, payee="（株）丸善", amount=3300),
         line(3, payee="アスクル", amount=500)),
        earlier=(EarlierLine("経費-2026-00003", False, D, "アスクル株式会社", 500, ""),))
    results = check(facts, [rule])
    assert [(f.line, f.detail) for f in results] == [
        (2, "Same payee, date and amount as line 1."),
        (3, "Same payee, date and amount as a line of 経費-2026-00003.")]
    assert normalized_payee("株式会社　ＡＢＣ") == normalized_payee("(株)abc")


def test_two_daily_allowances_on_one_date_are_found_here_and_in_one_s_earlier_claims():
    rule = RuleSpec(7, "per_diem_once", "error", "日当は1日1回", {})
    next_day = D + dt.timedelta(days=1)
    facts = ClaimFacts(
        (line(1, role="per_diem"), line(2, role="per_diem"), line(3, role="per_diem",
                                                                  day=next_day)),
        earlier=(EarlierLine("経費-2026-00001", True, next_day, "日当", 2000, "per_diem"),
                 EarlierLine("経費-2026-00002", False, D, "日当", 2000, "per_diem")))
    assert found(rule, facts) == [2, 3]  # someone else's allowance on D does not count


def test_trip_lines_must_fall_within_the_approved_trip():
    rule = RuleSpec(8, "within_trip", "warning", "出張期間内", {})
    trip = (D, D + dt.timedelta(days=1))
    lines = (line(1, role="transport"), line(2, role="lodging", day=D + dt.timedelta(days=2)),
             line(3, role="", day=D + dt.timedelta(days=5)))
    assert found(rule, ClaimFacts(lines, trip=trip)) == [2]
    assert found(rule, ClaimFacts(lines)) == []  # no trip linked: nothing to compare with


def test_entertainment_needs_participants_and_is_checked_per_person():
    rule = RuleSpec(9, "entertainment", "warning", "1人1万円", {"amount": 10_000})
    facts = ClaimFacts((line(1, role="entertainment", amount=30_000, participants=3),
                        line(2, role="entertainment", amount=30_001, participants=3),
                        line(3, role="entertainment", amount=5_000)))
    results = check(facts, [rule])
    assert [f.line for f in results] == [2, 3]
    assert results[0].detail == "¥10,000 per person is over ¥10,000."


def test_findings_carry_the_rule_s_own_words_and_severity():
    rule = RuleSpec(10, "account_limit", "error", "経費精算規程 第8条", {"amount": 100})
    [finding] = check(ClaimFacts((line(1, amount=101),)), [rule])
    assert (finding.rule, finding.severity, finding.text) == (10, "error", "経費精算規程 第8条")


def test_rule_parameters_are_checked_by_kind():
    assert params_problems("account_limit", {}) == {"amount": "Give an amount."}
    assert "limits" in params_problems("per_diem", {})
    assert "limits" in params_problems("lodging", {"limits": {"部長": -1}})
    assert "region" in params_problems("per_diem", {"default": 1, "region": "mars"})
    assert params_problems("duplicate", {}) == {}
    assert "kind" in params_problems("nonsense", {})


def test_tax_is_computed_once_per_rate_on_the_total_rounded_down():
    totals = tax_totals([("taxable_10", 1099), ("taxable_10", 1099), ("taxable_8_reduced", 540),
                         ("exempt", 300)])
    # 2,198 × 10/110 = 199.8 → 199 (per line it would be 99 + 99 = 198)
    assert totals == {"taxable_10": (2198, 199), "taxable_8_reduced": (540, 40),
                      "exempt": (300, 0)}
