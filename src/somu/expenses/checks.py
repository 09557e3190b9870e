"""規程チェック: a claim checked against the organization's expense rules — pure, no Django.

A rule looks at one line (an account's limit, the 旅費規程's 日当 by position, a receipt above an
amount, a reason for a taxi), or **across lines and claims** (the same payee, date and amount
twice, two 日当 on one date, trip lines outside the approved 出張申請's dates, 交際費 over the
amount per person). Each finding carries the rule's own text, so the approver reads the 規程's
words, and a sentence saying what was found; sentences are English msgids translated by the
``translate`` the caller passes (gettext), as :func:`somu.rules.forms.clean_values` does.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"

# Roles of accounts (expenses.models.AccountRole values) the rules read.
PER_DIEM = "per_diem"
LODGING = "lodging"
TRANSPORT = "transport"
ENTERTAINMENT = "entertainment"
TRIP_ROLES = (PER_DIEM, LODGING, TRANSPORT)


def gettext_noop(message: str) -> str:
    """Marks a sentence for the catalogue; the caller's ``translate`` translates it."""
    return message


@dataclass(frozen=True)
class LineFact:
    number: int
    date: dt.date
    payee: str
    purpose: str
    account_code: str
    account_name: str
    account_role: str
    amount: int
    participants: int | None = None
    reason: str = ""
    region: str = "domestic"
    has_receipt: bool = False
    exception: str = ""


@dataclass(frozen=True)
class EarlierLine:
    """A line of another claim (not rejected), for the rules that look across claims."""

    claim_label: str  # its number, e.g. 経費-2026-00012
    same_person: bool
    date: dt.date
    payee: str
    amount: int
    account_role: str


@dataclass(frozen=True)
class ClaimFacts:
    lines: tuple[LineFact, ...]
    position: str = ""  # the claimant's 役職 name ("" when none)
    trip: tuple[dt.date, dt.date] | None = None  # the approved 出張申請's first and last day
    earlier: tuple[EarlierLine, ...] = ()


@dataclass(frozen=True)
class RuleSpec:
    number: int
    kind: str
    severity: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    rule: int
    severity: str
    text: str  # the rule's own words
    detail: str  # what was found, translated
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "text": self.text,
                "detail": self.detail, "line": self.line}


Translate = Callable[[str], str]


def normalized_payee(name: str) -> str:
    """株式会社　ＡＢＣ and (株)abc compare equal: NFKC, no spaces, no company-form words, case."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for word in ("株式会社", "有限会社", "合同会社", "(株)", "(有)", "(同)", "㈱", "㈲"):
        text = text.replace(unicodedata.normalize("NFKC", word).casefold(), "")
    return "".join(text.split())


def yen(amount: int) -> str:
    return f"¥{amount:,}"


def _accounts(rule: RuleSpec) -> set[str]:
    return {str(code) for code in rule.params.get("accounts", ()) or ()}


def _applies(rule: RuleSpec, line: LineFact) -> bool:
    codes = _accounts(rule)
    return not codes or line.account_code in codes


def _limit_for(rule: RuleSpec, position: str) -> int | None:
    limits = rule.params.get("limits") or {}
    value = limits.get(position, rule.params.get("default"))
    return int(value) if value not in (None, "") else None


def _region_matches(rule: RuleSpec, line: LineFact) -> bool:
    region = rule.params.get("region") or "any"
    return region == "any" or region == line.region


def check(claim: ClaimFacts, rules: Sequence[RuleSpec], *,
          translate: Translate = gettext_noop) -> list[Finding]:
    """Every finding of every rule, in rule order, then line order."""
    found: list[Finding] = []
    for rule in rules:
        for line, detail in _CHECKS[rule.kind](rule, claim, translate):
            found.append(Finding(rule.number, rule.severity, rule.text, detail,
                                 line.number if line else None))
    return found


Hits = Iterable[tuple[LineFact | None, str]]


def _account_limit(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    limit = int(rule.params.get("amount") or 0)
    for line in claim.lines:
        if _applies(rule, line) and limit and line.amount > limit:
            message = gettext_noop("%(account)s %(amount)s is over the limit of %(limit)s.")
            yield line, _(message) % {
                "account": line.account_name, "amount": yen(line.amount), "limit": yen(limit)}


def _by_position(role: str) -> Callable[[RuleSpec, ClaimFacts, Translate], Hits]:
    def run(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
        limit = _limit_for(rule, claim.position)
        if limit is None:
            return
        for line in claim.lines:
            if line.account_role == role and _region_matches(rule, line) and line.amount > limit:
                yield line, _(gettext_noop(
                    "%(amount)s is over %(limit)s, the limit for %(position)s.")) % {
                    "amount": yen(line.amount), "limit": yen(limit),
                    "position": claim.position or _(gettext_noop("no position"))}
    return run


# Lines that the law lets go without a receipt (the 帳簿 alone suffices).
NO_RECEIPT_NEEDED = ("public_transport", "vending_machine", "postal", "travel", "commuting")


def _receipt_over(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    amount = int(rule.params.get("amount") or 0)
    for line in claim.lines:
        if (_applies(rule, line) and line.amount > amount and not line.has_receipt
                and line.exception not in NO_RECEIPT_NEEDED):
            yield line, _(gettext_noop("A receipt is needed above %(amount)s.")) % {
                "amount": yen(amount)}


def _reason_required(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    words = [unicodedata.normalize("NFKC", str(w)) for w in rule.params.get("keywords", ()) or ()]
    for line in claim.lines:
        if not _applies(rule, line) or line.reason.strip():
            continue
        text = unicodedata.normalize("NFKC", f"{line.payee} {line.purpose}")
        if not words or any(word and word in text for word in words):
            yield line, _(gettext_noop("Give the reason for this line."))


def _duplicate(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    seen: dict[tuple[str, dt.date, int], int] = {}
    earlier: dict[tuple[str, dt.date, int], str] = {}
    for old in claim.earlier:
        earlier.setdefault((normalized_payee(old.payee), old.date, old.amount), old.claim_label)
    for line in claim.lines:
        key = (normalized_payee(line.payee), line.date, line.amount)
        if key in seen:
            yield line, _(gettext_noop("Same payee, date and amount as line %(line)s.")) % {
                "line": seen[key]}
        elif key in earlier:
            yield line, _(gettext_noop(
                "Same payee, date and amount as a line of %(claim)s.")) % {"claim": earlier[key]}
        seen.setdefault(key, line.number)


def _per_diem_once(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    first: dict[dt.date, str] = {}
    for old in claim.earlier:
        if old.same_person and old.account_role == PER_DIEM:
            first.setdefault(old.date, old.claim_label)
    lines_on: dict[dt.date, int] = {}
    for line in claim.lines:
        if line.account_role != PER_DIEM:
            continue
        if line.date in lines_on:
            yield line, _(gettext_noop("A second daily allowance on %(date)s (line %(line)s)."
                                       )) % {"date": line.date.isoformat(),
                                             "line": lines_on[line.date]}
        elif line.date in first:
            yield line, _(gettext_noop(
                "A daily allowance on %(date)s was already claimed in %(claim)s.")) % {
                "date": line.date.isoformat(), "claim": first[line.date]}
        lines_on.setdefault(line.date, line.number)


def _within_trip(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    if claim.trip is None:
        return
    start, end = claim.trip
    for line in claim.lines:
        if line.account_role in TRIP_ROLES and not start <= line.date <= end:
            yield line, _(gettext_noop(
                "%(date)s is outside the trip (%(start)s to %(end)s).")) % {
                "date": line.date.isoformat(), "start": start.isoformat(),
                "end": end.isoformat()}


def _entertainment(rule: RuleSpec, claim: ClaimFacts, _: Translate) -> Hits:
    threshold = int(rule.params.get("amount") or 0)
    for line in claim.lines:
        if line.account_role != ENTERTAINMENT:
            continue
        if not line.participants:
            yield line, _(gettext_noop("Give the number of participants."))
        elif threshold and line.amount / line.participants > threshold:
            yield line, _(gettext_noop(
                "%(per_person)s per person is over %(threshold)s.")) % {
                "per_person": yen(line.amount // line.participants),
                "threshold": yen(threshold)}


_CHECKS: dict[str, Callable[[RuleSpec, ClaimFacts, Translate], Hits]] = {
    "account_limit": _account_limit,
    "per_diem": _by_position(PER_DIEM),
    "lodging": _by_position(LODGING),
    "receipt_over": _receipt_over,
    "reason_required": _reason_required,
    "duplicate": _duplicate,
    "per_diem_once": _per_diem_once,
    "within_trip": _within_trip,
    "entertainment": _entertainment,
}
KINDS = tuple(_CHECKS)


def params_problems(kind: str, params: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with a rule's parameters, by parameter (English msgids, untranslated)."""
    problems: dict[str, str] = {}
    if kind not in _CHECKS:
        return {"kind": gettext_noop("Unknown kind of rule.")}
    needs_amount = kind in ("account_limit", "receipt_over")
    for key in ("amount", "default"):
        value = params.get(key)
        if value in (None, ""):
            if key == "amount" and needs_amount:
                problems[key] = gettext_noop("Give an amount.")
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems[key] = gettext_noop("Give a whole number of yen, 0 or more.")
    limits = params.get("limits") or {}
    if not isinstance(limits, Mapping) or any(
            isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in limits.values()):
        problems["limits"] = gettext_noop("Give a whole number of yen for each position.")
    if kind in ("per_diem", "lodging") and not limits and params.get("default") in (None, ""):
        problems["limits"] = gettext_noop("Give the limit for at least one position, or a default.")
    if params.get("region", "any") not in ("any", "domestic", "overseas"):
        problems["region"] = gettext_noop("Choose domestic, overseas or both.")
    return problems


def tax_totals(lines: Iterable[tuple[str, int]]) -> dict[str, tuple[int, int]]:
    """Totals per tax rate as on an invoice: {rate key: (tax-included total, tax in it)}.

    The tax is computed once per rate on the total (適格請求書's rule: one rounding per rate),
    rounded down: 10/110 of the 10% total, 8/108 of the 8% total, 0 for the others.
    """
    sums: dict[str, int] = defaultdict(int)
    for rate, amount in lines:
        sums[rate] += amount
    percent = {"taxable_10": 10, "taxable_8_reduced": 8}
    return {rate: (total, total * percent[rate] // (100 + percent[rate]) if rate in percent else 0)
            for rate, total in sums.items()}
