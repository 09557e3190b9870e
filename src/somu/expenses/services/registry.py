"""The インボイス registry kept offline: importing the NTA's published files, and what it says
about a 登録番号 on a date.

- :func:`registry_import` reads one or more files (full files per 人格区分, or daily difference
  files) and applies them all or nothing: the first line not in the NTA layout refuses the run
  (:class:`RegistryFileRefused`, naming the file, line, column and reason) and nothing changes.
- :func:`lookup` / :func:`lookup_many` answer a :class:`RegistryStatus` — format and check digit,
  registered, and in force on the line's date; without any import only the format and check
  digit are checked (``unchecked``) and the status says so.
- :func:`search_by_name` suggests registrants for a payee's name (prefix of the normalized name).

The registry is the deployment's, not an organization's (see :mod:`..registry_models`): only
its operators (superusers) import; every member may look up. Each import is recorded in every
organization's audit log, since every organization's checks read it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.audit.services import audit_record
from somu.expenses.formats import nta_registry as layout
from somu.expenses.formats import tnumber
from somu.expenses.registry_models import ImportKind, Registrant, RegistryImport
from somu.expenses.services.registry_writers import Writer, writer_for
from somu.org.models import Organization, User

# The status codes, the values of expenses' Line.registry_status (services.registry_check).
INVALID: Final = "invalid"  # format or check digit wrong
UNCHECKED: Final = "unchecked"  # well-formed; no registry imported to check it against
VALID: Final = "valid"  # registered and in force on the date
NOT_REGISTERED: Final = "not_registered"  # not in the registry
NOT_YET: Final = "not_yet"  # registered only after the date
CANCELLED: Final = "cancelled"  # cancelled (取消) or expired (失効) on or before the date
WARNINGS: Final = frozenset({NOT_REGISTERED, NOT_YET, CANCELLED})

PROGRESS_EVERY = 100_000
Progress = Callable[[str, int], None]  # (file name, records read so far in it)

_REASONS = {
    "empty": gettext_lazy("the file is empty"),
    "no_records": gettext_lazy("the file holds no records"),
    "encoding": gettext_lazy("the bytes are neither UTF-8 nor Shift_JIS text"),
    "csv": gettext_lazy("not valid CSV (%(detail)s)"),
    "columns": gettext_lazy("has %(found)s columns; the NTA layout has %(expected)s"),
    "header": gettext_lazy("is not a number: the NTA files have no header line"),
    "not_number": gettext_lazy("is not a number"),
    "number_form": gettext_lazy("is not a 登録番号 (T and 13 digits)"),
    "check_digit": gettext_lazy("has a wrong check digit"),
    "code": gettext_lazy("is not one of %(allowed)s"),
    "date": gettext_lazy("is not a date written YYYY-MM-DD"),
    "required": gettext_lazy("is empty (allowed only on a 削除 record)"),
    "too_long": gettext_lazy("is longer than %(limit)s characters"),
    "code_width": gettext_lazy("is not a %(width)s-digit code"),
}


class RegistryFileRefused(ValidationError):
    """A file of the run is not in the NTA layout; the run changed nothing."""

    def __init__(self, file_name: str, error: layout.RegistryFileError) -> None:
        self.file_name = file_name
        self.code = error.code  # a key of nta_registry.REASONS
        self.line = error.line
        self.column = error.column
        self.value = error.value
        self.reason = str(_REASONS[error.code] % error.params)
        if error.column:
            where = _("%(file)s, line %(line)s, column %(column)s") % {
                "file": file_name, "line": error.line, "column": error.column}
        else:
            where = _("%(file)s, line %(line)s") % {"file": file_name, "line": error.line}
        shown = f" “{error.value}”" if error.value else ""
        message = _("%(where)s:%(value)s %(reason)s. Nothing was imported.") % {
            "where": where, "value": shown, "reason": self.reason}
        super().__init__({"files": [message]})
        self.text = message


@dataclass(frozen=True)
class RegistryFile:
    """A file handed to the import: its name (for messages and the record) and its bytes."""

    name: str
    stream: IO[bytes]


def _is_operator(actor: User | None) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False))


def registry_import(*, files: Sequence[RegistryFile], kind: str, actor: User | None,
                    now: datetime | None = None,
                    progress: Progress | None = None) -> RegistryImport:
    """Apply NTA registry files, all of them or nothing.

    ``kind`` is ``full`` or ``diff`` (recorded; both apply the same way: each record adds or
    replaces its registrant, a 削除 record deletes it, a history record — 最新履歴 0 — is
    skipped). ``actor`` is the superuser importing, or None for the command line (the
    deployment's operator). ``progress`` is told every 100,000 records."""
    if not _is_operator(actor):
        raise PermissionDenied(_("Only the deployment's operators (superusers) can import the "
                                 "invoice registry: it is shared by every organization."))
    if kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose full or difference files.")]})
    if not files:
        raise ValidationError({"files": [_("Choose one or more registry files (.csv).")]})
    started = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # one import at a time
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('somu.expenses.registry'))")
        run = RegistryImport.objects.create(
            kind=kind, started_at=started, actor=actor,
            actor_label=actor.get_username() if actor is not None else "system")
        writer = writer_for(connection, run.pk)
        try:
            described = [_read_file(file, writer, progress) for file in files]
        except BaseException:
            writer.abort()
            raise
        writer.finish()
        run.files = described
        run.rows = sum(f["rows"] for f in described)
        run.skipped = sum(f["history"] for f in described)
        run.written, run.deleted = writer.written, writer.deleted
        run.total = Registrant.objects.count()
        run.finished_at = timezone.now() if now is None else now
        run.save()
        _audit(run, actor)
    return run


def _read_file(file: RegistryFile, writer: Writer, progress: Progress | None) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = [0]
    add = writer.add
    rows = history = 0
    try:
        for record in layout.read_records(_Hashing(file.stream, digest, size)):
            rows += 1
            if not record.latest:
                history += 1
            else:
                add(record)
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(file.name, rows)
    except layout.RegistryFileError as error:
        raise RegistryFileRefused(file.name, error) from error
    if progress is not None:
        progress(file.name, rows)
    return {"name": file.name, "bytes": size[0], "sha256": digest.hexdigest(), "rows": rows,
            "history": history}


class _Hashing:
    """The stream, hashed as it is read (the record keeps each file's SHA-256)."""

    def __init__(self, stream: IO[bytes], digest: hashlib._Hash, size: list[int]) -> None:
        self._stream, self._digest, self._size = stream, digest, size

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self._digest.update(data)
        self._size[0] += len(data)
        return data


def _audit(run: RegistryImport, actor: User | None) -> None:
    changes = {"kind": run.kind, "files": [f["name"] for f in run.files], "rows": run.rows,
               "written": run.written, "deleted": run.deleted}
    for organization_id in Organization.objects.values_list("pk", flat=True):
        audit_record(actor=actor, action="invoice_registry.import",
                     object_type="expenses.registryimport", object_id=str(run.pk),
                     object_repr=str(run)[:200], changes=changes,
                     organization_id=organization_id)


# --- reading -------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegistryStatus:
    """What the registry says about a 登録番号 on a date."""

    code: str  # INVALID, UNCHECKED, VALID, NOT_REGISTERED, NOT_YET or CANCELLED
    number: str  # normalized ("T" + 13 digits) when well-formed, else as given
    on: date
    name: str = ""
    registered_on: date | None = None
    cancelled_on: date | None = None
    expired_on: date | None = None
    ended: str = ""  # "cancelled" or "expired" when code is CANCELLED

    @property
    def is_warning(self) -> bool:
        """Registered-number problems the approver sees (not an error that stops the line)."""
        return self.code in WARNINGS

    @property
    def message(self) -> str:
        values = {"number": self.number, "name": self.name, "on": self.on,
                  "registered": self.registered_on,
                  "ended": self.cancelled_on if self.ended == "cancelled" else self.expired_on}
        texts = {
            INVALID: _("%(number)s is not a registration number: T and 13 digits whose first "
                       "digit checks the others."),
            UNCHECKED: _("%(number)s is well-formed. No invoice registry has been imported, so "
                         "only its format and check digit were checked."),
            VALID: _("%(number)s %(name)s is a registered invoice issuer on %(on)s."),
            NOT_REGISTERED: _("%(number)s is not in the invoice registry."),
            NOT_YET: _("%(number)s %(name)s was registered only on %(registered)s, after "
                       "%(on)s."),
        }
        if self.code == CANCELLED:
            text = (_("The registration of %(number)s %(name)s was cancelled on %(ended)s.")
                    if self.ended == "cancelled" else
                    _("The registration of %(number)s %(name)s expired on %(ended)s."))
        else:
            text = texts[self.code]
        return text % values


_LOOKUP_FIELDS = ("number", "name", "registered_on", "cancelled_on", "expired_on")


def registry_imported() -> bool:
    """Whether any registry file has been imported (else only format and digit are checked)."""
    return RegistryImport.objects.exists()


def lookup(number: str, on: date) -> RegistryStatus:
    """The registry's answer for ``number`` (as written on a receipt: ``Ｔ1234-5678…`` is
    normalized) on the day ``on``. One indexed query (two when the number is unknown)."""
    return lookup_many([(number, on)])[0]


def lookup_many(items: Iterable[tuple[str, date]]) -> list[RegistryStatus]:
    """:func:`lookup` for many lines at once, in one query; answers in the order asked."""
    wanted = [(text, tnumber.normalize(text or ""), on) for text, on in items]
    numbers = {n for _text, n, _on in wanted if n is not None and tnumber.is_valid(n)}
    found = {row[0]: row for row in Registrant.objects.filter(pk__in=numbers)
             .order_by().values_list(*_LOOKUP_FIELDS)} if numbers else {}
    imported: bool | None = None
    answers = []
    for text, number, on in wanted:
        if number is None or number not in numbers:
            answers.append(RegistryStatus(INVALID, text, on))
            continue
        row = found.get(number)
        if row is None:
            if imported is None:
                imported = registry_imported()
            answers.append(RegistryStatus(NOT_REGISTERED if imported else UNCHECKED, number, on))
            continue
        answers.append(_status(number, on, row))
    return answers


def _status(number: str, on: date, row: tuple[object, ...]) -> RegistryStatus:
    _n, name, registered_on, cancelled_on, expired_on = row
    validity = layout.validity_on(on, registered_on=registered_on,  # type: ignore[arg-type]
                                  cancelled_on=cancelled_on,  # type: ignore[arg-type]
                                  expired_on=expired_on)  # type: ignore[arg-type]
    code = {layout.Validity.VALID: VALID, layout.Validity.NOT_YET_REGISTERED: NOT_YET,
            layout.Validity.CANCELLED: CANCELLED, layout.Validity.EXPIRED: CANCELLED}[validity]
    ended = {layout.Validity.CANCELLED: "cancelled",
             layout.Validity.EXPIRED: "expired"}.get(validity, "")
    return RegistryStatus(code, number, on, str(name), registered_on,  # type: ignore[arg-type]
                          cancelled_on, expired_on, ended)  # type: ignore[arg-type]


SEARCH_LIMIT = 50


def search_by_name(text: str, *, limit: int = 10) -> list[Registrant]:
    """Registrants whose name starts like ``text`` (width, spaces and legal forms such as
    株式会社 ignored: "ｿﾆｰ" finds ソニーグループ株式会社), by name; a 登録番号 finds its registrant.
    Index-friendly: a prefix range on the normalized name."""
    limit = max(1, min(limit, SEARCH_LIMIT))
    number = tnumber.normalize(text or "")
    if number is not None:
        return list(Registrant.objects.filter(pk=number))
    key = layout.name_key(text or "")
    if not key:
        return []
    # A prefix is a range of the key compared byte by byte (U+10FFFF sorts after every
    # character), served by the index the migration makes: (name_key, number) on SQLite,
    # (name_key COLLATE "C", number) on PostgreSQL, whose default collation is not bytewise.
    rows = Registrant.objects.all()
    if connection.vendor == "postgresql":
        rows = rows.annotate(key=Collate("name_key", "C"))
        rows = rows.filter(key__gte=key, key__lt=key + "\U0010ffff").order_by("key", "number")
    else:
        rows = rows.filter(name_key__gte=key, name_key__lt=key + "\U0010ffff")
        rows = rows.order_by("name_key", "number")
    return list(rows[:limit])


@dataclass(frozen=True)
class RegistryState:
    """What the import page and the claims screens say about the registry."""

    imported: bool
    registrants: int
    last: RegistryImport | None
    last_full: RegistryImport | None


def registry_state() -> RegistryState:
    last = RegistryImport.objects.select_related("actor").first()
    if last is None:
        return RegistryState(False, 0, None, None)
    return RegistryState(True, last.total, last,
                         RegistryImport.objects.filter(kind=ImportKind.FULL).first())


def recent_imports(limit: int = 20) -> Iterator[RegistryImport]:
    return iter(RegistryImport.objects.select_related("actor")[:limit])
