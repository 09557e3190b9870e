"""Reads of the expenses app for pages, the API and exports (no writes): claims and who may read
them (:mod:`.claims`, re-exported here), and the 電帳法 search (:mod:`.search`)."""

from somu.expenses.selectors.claims import (
    accounts,
    approved_trips,
    claim_accounts,
    claim_lines,
    claim_receipts,
    claims_list,
    journal_table,
    may_read,
    my_claims,
    open_advances,
    readable_claim,
    readable_receipt,
    rules,
    sees_every_claim,
    tax_totals,
)

__all__ = [
    "accounts", "approved_trips", "claim_accounts", "claim_lines", "claim_receipts",
    "claims_list", "journal_table", "may_read", "my_claims", "open_advances", "readable_claim",
    "readable_receipt", "rules", "sees_every_claim", "tax_totals",
]
