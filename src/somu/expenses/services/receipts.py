"""Receipts (領収書・請求書): checked by content, hashed on upload (the hash goes into the
hash-chained audit log), read for a proposal the user confirms, locked with the claim."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core import sniff
from somu.core.attachments import check_attachment, max_attachment_bytes
from somu.expenses import reading
from somu.expenses.models import Line, Receipt
from somu.expenses.services.claims import check_editable, check_owner, locked_claim
from somu.org.models import Membership

RECEIPT_TYPES: Final = ("pdf", "jpg", "jpeg", "png")


def proposal_dict(proposal: reading.Proposal) -> dict[str, Any]:
    """What reading the receipt proposed, as stored on the receipt (JSON)."""
    fields = proposal.fields
    out: dict[str, Any] = {"source": proposal.source,
                           "problem": str(proposal.problem) if proposal.problem else ""}
    for name in ("date", "amount", "payee", "registration_number"):
        found = getattr(fields, name)
        if found is not None:
            value = found.value.isoformat() if isinstance(found.value, dt.date) else found.value
            out[name] = {"value": value, "confidence": round(found.confidence, 2)}
    if fields.tax_subtotals:
        out["tax_subtotals"] = [{"rate": t.rate, "amount": t.amount, "tax": t.tax}
                                for t in fields.tax_subtotals]
    return out


def receipt_add(*, membership: Membership, claim: int, upload: UploadedFile,
                now: dt.datetime, read: bool = True) -> Receipt:
    """Attach a receipt to a claim that can still be changed; its content must be a PDF, JPEG or
    PNG. Reading it (which may take seconds for a photo) happens before the claim is locked and
    only proposes values: nothing of the claim changes until the person confirms them."""
    proposal: dict[str, Any] = {}
    if read and (upload.size or 0) <= max_attachment_bytes():
        data = upload.read()
        upload.seek(0)
        try:
            kind = sniff.check(sniff.clean_filename(upload.name or "receipt"),
                               data[:sniff.HEAD_BYTES])
        except sniff.WrongType:
            kind = ""  # refused below, with the reason
        if kind:
            proposal = proposal_dict(reading.read_receipt(data, kind))
    return _receipt_store(membership=membership, claim=claim, upload=upload, now=now,
                          proposal=proposal)


@transaction.atomic
def _receipt_store(*, membership: Membership, claim: int, upload: UploadedFile,
                   now: dt.datetime, proposal: dict[str, Any]) -> Receipt:
    found = locked_claim(claim)
    by = check_owner(membership, found)
    check_editable(found)
    checked = check_attachment(upload, default_name="receipt", extensions=RECEIPT_TYPES,
                               wrong_extension=_("A receipt is a PDF, JPEG or PNG file."))
    filename = checked.filename
    receipt = Receipt(claim=found, key=uuid.uuid4().hex, filename=filename,
                      content_type=checked.content_type, size=checked.size,
                      sha256=checked.sha256, proposal=proposal, uploaded_by=by,
                      uploaded_at=now)
    receipt.file.save(receipt.key, upload, save=False)
    receipt.save()
    audit_record(actor=audit_actor(membership), action="expense_receipt.add", obj=receipt,
                 changes={"filename": [None, filename], "sha256": [None, receipt.sha256],
                          "claim": [None, str(found.request)]})
    return receipt


@transaction.atomic
def receipt_remove(*, membership: Membership, receipt: Receipt | int) -> None:
    pk = receipt.pk if isinstance(receipt, Receipt) else receipt
    found = Receipt.objects.get(pk=pk)
    claim = locked_claim(found.claim_id)
    check_owner(membership, claim)
    check_editable(claim)
    Line.objects.filter(receipt=found).update(receipt=None)
    audit_record(actor=audit_actor(membership), action="expense_receipt.remove", obj=found,
                 changes={"filename": [found.filename, None], "sha256": [found.sha256, None]})
    shared = Receipt.objects.filter(key=found.key).exclude(pk=found.pk).exists()
    name, storage = found.file.name, found.file.storage
    found.delete()
    if name and not shared:  # a correction's copy shares the original's stored file
        transaction.on_commit(lambda: storage.delete(name))


def receipt_downloaded(*, membership: Membership, receipt: Receipt) -> None:
    audit_record(actor=audit_actor(membership), action="expense_receipt.download", obj=receipt,
                 changes={"sha256": [None, receipt.sha256]})
