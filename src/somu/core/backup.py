"""`somu backup` / `somu restore`: the database, uploaded files and the secret key in one archive.

The archive is a ``.tar.gz`` holding:

- ``manifest.json``: format, somu version, database engine, creation time, the applied
  migrations and every table's row count (taken from the same snapshot as the dump);
- ``database.sqlite3`` (SQLite, copied with its online backup API, safe while somu runs) or
  ``database.pgdump`` (PostgreSQL, ``pg_dump -Fc`` from one exported snapshot);
- ``media/…``: uploaded files (step attachments) under ``MEDIA_ROOT``;
- ``secret_key``: the key sessions, password-reset links and encrypted webhook settings
  depend on. The archive is therefore as secret as the database itself (written mode 0600).

Restoring refuses a target that already holds data unless ``force`` is given, then compares
every table's row count with the manifest and verifies the audit chain.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader

import somu

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PGDUMP_MEMBER = "database.pgdump"
SECRET_MEMBER = "secret_key"  # noqa: S105 (a file name)
MEDIA_PREFIX = "media/"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    # Tables whose row count differs from the manifest: {table: (expected, found)}.
    mismatched: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    audit_ok: bool = False
    audit_output: str = ""
    # Migrations this somu has that the archive lacks: `somu migrate` applies them.
    pending_migrations: list[str] = field(default_factory=list)
    # Migrations in the archive this somu does not know: the archive is from a newer version.
    unknown_migrations: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatched and self.audit_ok and not self.unknown_migrations


# --- helpers ---------------------------------------------------------------------------------


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Unsupported database engine: {vendor}")
    return vendor


def _row_counts(cursor: Any, tables: list[str], quote: Callable[[str], str]) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected names)
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _applied_migrations(cursor: Any) -> dict[str, list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _pg_env(using: str) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never appears on a command line."""
    conf = connections[using].settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"),
                     ("PGPASSWORD", "PASSWORD")):
        if conf.get(key):
            env[var] = str(conf[key])
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} was not found on PATH; install the PostgreSQL client "
            f"(e.g. apt-get install postgresql-client-15)."
        )
    return path


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


# --- backup ----------------------------------------------------------------------------------


def _dump_sqlite(using: str, workdir: Path) -> tuple[Path, dict[str, int], dict[str, list[str]]]:
    target = workdir / SQLITE_MEMBER
    conn = connections[using]
    conn.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot even while somu writes.
        conn.connection.backup(dest)
    finally:
        dest.close()
    # Count rows in the copy, so the manifest describes exactly what the archive holds.
    copy = sqlite3.connect(target)
    try:
        cursor = copy.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = _row_counts(cursor, tables, lambda name: '"' + name.replace('"', '""') + '"')
        migrations = _applied_migrations(cursor)
    finally:
        copy.close()
    return target, counts, migrations


def _dump_postgresql(
    using: str, workdir: Path
) -> tuple[Path, dict[str, int], dict[str, list[str]]]:
    target = workdir / PGDUMP_MEMBER
    pg_dump = _pg_tool("pg_dump")
    conn = connections[using]
    # One REPEATABLE READ snapshot, exported to pg_dump: the counts and the dump agree.
    with transaction.atomic(using=using), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = conn.introspection.table_names(cursor)
        counts = _row_counts(cursor, tables, conn.ops.quote_name)
        migrations = _applied_migrations(cursor)
        result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={target}",
             f"--dbname={conn.settings_dict['NAME']}"],
            env=_pg_env(using), capture_output=True, text=True, check=False,
        )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target, counts, migrations


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(mtime)
    tar.addfile(info, io.BytesIO(data))


def backup_create(*, out: Path, now: datetime, using: str = "default") -> dict[str, Any]:
    """Write one archive of the database, the uploaded files and the secret key to ``out``.

    ``out`` may be a directory (the file is named after ``now``). Returns the manifest.
    """
    if out.is_dir():
        out = out / f"somu-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if not out.parent.is_dir():
        raise BackupError(f"The directory {out.parent} does not exist.")
    vendor = _vendor(using)
    media = _media_root()
    with tempfile.TemporaryDirectory(prefix="somu-backup-") as tmp:
        workdir = Path(tmp)
        if vendor == "sqlite":
            db_file, counts, migrations = _dump_sqlite(using, workdir)
        else:
            db_file, counts, migrations = _dump_postgresql(using, workdir)
        files = _media_files(media)
        manifest = {
            "format": FORMAT,
            "somu_version": somu.__version__,
            "database_engine": vendor,
            "created_at": now.isoformat(),
            "migrations": migrations,
            "tables": counts,
            "media_files": len(files),
            "secret_key": True,
        }
        partial = out.with_name(out.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                stamp = now.timestamp()
                _add_bytes(tar, MANIFEST,
                           json.dumps(manifest, ensure_ascii=False, indent=2).encode(), stamp)
                tar.add(db_file, arcname=db_file.name)
                _add_bytes(tar, SECRET_MEMBER, settings.SECRET_KEY.encode(), stamp)
                for path in files:
                    tar.add(path, arcname=MEDIA_PREFIX + path.relative_to(media).as_posix())
            # Only a complete archive gets the final name: a crash leaves a .partial, never a
            # truncated file that looks like a backup.
            os.replace(partial, out)
        finally:
            if partial.exists():
                partial.unlink()
    manifest["path"] = str(out)
    return manifest


# --- restore ---------------------------------------------------------------------------------


def _target_tables(using: str) -> list[str]:
    conn = connections[using]
    with conn.cursor() as cursor:
        return list(conn.introspection.table_names(cursor))


def restore_target_problems(*, using: str = "default") -> list[str]:
    """What already lives where a restore would write (empty list: safe to restore)."""
    problems = []
    tables = _target_tables(using)
    if tables:
        problems.append(f"the database already has {len(tables)} tables")
    files = _media_files(_media_root())
    if files:
        problems.append(f"{_media_root()} already holds {len(files)} files")
    return problems


@contextmanager
def _opened(archive: Path) -> Iterator[tuple[tarfile.TarFile, dict[str, Any]]]:
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 (closed by the `with` below)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive} is not a somu backup archive: {exc}") from None
    with tar:
        try:
            member = tar.extractfile(MANIFEST)
        except KeyError:
            member = None
        if member is None:
            raise BackupError(f"{archive} has no {MANIFEST}: not a somu backup archive.")
        manifest = json.loads(member.read().decode())
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unsupported backup format: {manifest.get('format')!r}")
        yield tar, manifest


def _restore_sqlite(using: str, source: Path) -> None:
    conn = connections[using]
    conn.close()
    conn.ensure_connection()
    src = sqlite3.connect(source)
    try:
        # The backup API replaces every page of the target: tables that are not in the archive
        # do not survive, and the copy is atomic for other readers.
        src.backup(conn.connection)
    finally:
        src.close()
    conn.close()


def _restore_postgresql(using: str, source: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    conn = connections[using]
    conn.close()
    result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "--exit-on-error",
         f"--dbname={conn.settings_dict['NAME']}", str(source)],
        env=_pg_env(using), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_media(tar: tarfile.TarFile, workdir: Path) -> None:
    media = _media_root()
    members = [m for m in tar.getmembers() if m.name.startswith(MEDIA_PREFIX) and m.isfile()]
    # The "data" filter refuses absolute paths, "..", links and device files in the archive.
    tar.extractall(workdir, members=members, filter="data")
    if media.exists():
        shutil.rmtree(media)
    extracted = workdir / MEDIA_PREFIX.rstrip("/")
    if extracted.exists():
        shutil.move(str(extracted), media)
    else:
        media.mkdir(parents=True, exist_ok=True)


def _restore_secret_key(tar: tarfile.TarFile, report: RestoreReport) -> None:
    member = tar.extractfile(SECRET_MEMBER)
    if member is None:
        report.warnings.append("the archive holds no secret key")
        return
    key = member.read().decode().strip()
    env_key = os.environ.get("SECRET_KEY")
    if env_key is not None:
        if env_key != key:
            report.warnings.append(
                "SECRET_KEY is set in the environment and differs from the archived key: set "
                "SECRET_KEY to the archived key (or add it to SOMU_OLD_SECRET_KEYS), otherwise "
                "encrypted webhook settings cannot be read"
            )
        return
    path = Path(settings.DATA_DIR) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)


def _compare_migrations(manifest: dict[str, Any], report: RestoreReport, using: str) -> None:
    archived = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    known = set(MigrationLoader(connections[using], ignore_no_migrations=True).disk_migrations)
    report.unknown_migrations = sorted(f"{a}.{n}" for a, n in archived - known)
    report.pending_migrations = sorted(f"{a}.{n}" for a, n in known - archived)


def backup_restore(*, archive: Path, force: bool = False, using: str = "default") -> RestoreReport:
    """Restore ``archive`` into the configured database and data directory.

    Refuses a target that already holds data unless ``force``; then checks the result against
    the manifest (row counts per table) and verifies every organization's audit chain.
    """
    vendor = _vendor(using)
    with _opened(archive) as (tar, manifest):
        if manifest["database_engine"] != vendor:
            raise BackupError(
                f"The archive holds a {manifest['database_engine']} database; this somu is "
                f"configured for {vendor}."
            )
        problems = restore_target_problems(using=using)
        if problems and not force:
            raise BackupError(
                "The target is not empty (" + "; ".join(problems) + "). Restore into an empty "
                "data directory / database, or pass --force to replace what is there."
            )
        report = RestoreReport(manifest=manifest)
        with tempfile.TemporaryDirectory(prefix="somu-restore-") as tmp:
            workdir = Path(tmp)
            member = SQLITE_MEMBER if vendor == "sqlite" else PGDUMP_MEMBER
            try:
                tar.extract(member, workdir, filter="data")
            except KeyError:
                raise BackupError(f"The archive has no {member}.") from None
            if vendor == "sqlite":
                _restore_sqlite(using, workdir / member)
            else:
                _restore_postgresql(using, workdir / member)
            _restore_media(tar, workdir)
            _restore_secret_key(tar, report)

    conn = connections[using]
    with conn.cursor() as cursor:
        found = _row_counts(cursor, _target_tables(using), conn.ops.quote_name)
    for table, expected in manifest["tables"].items():
        if found.get(table) != expected:
            report.mismatched[table] = (expected, found.get(table))
    _compare_migrations(manifest, report, using)
    out = io.StringIO()
    try:
        call_command("audit_verify", stdout=out)
        report.audit_ok = True
    except CommandError as exc:
        out.write(f"{exc}\n")
    report.audit_output = out.getvalue()
    return report
