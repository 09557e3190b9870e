"""`somu backup` / `somu restore`: one archive brings back the same data in an empty place.

The backup runs in the test process (against the test database, with committed data); each
restore runs the real `somu restore` command in a child process pointed at a fresh data
directory (SQLite) or a fresh second database (PostgreSQL), as an operator would.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection

from somu.core.backup import BackupError, backup_create, backup_restore

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 12, 1, 2, 30, tzinfo=dt.UTC)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    folder = settings.MEDIA_ROOT / "procedures" / "1" / "2"
    folder.mkdir(parents=True)
    (folder / "請求書.pdf").write_bytes(b"%PDF-1.4 test attachment")
    return settings.MEDIA_ROOT


@pytest.fixture
def target(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment of an empty somu installation to restore into."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="somu.settings", SOMU_DATA_DIR=str(tmp_path / "restored"))
    if connection.vendor != "postgresql":
        yield env
        return
    conf = connection.settings_dict
    name = f"{conf['NAME']}_restore"
    admin = psycopg.connect(host=conf["HOST"], port=conf["PORT"] or 5432, user=conf["USER"],
                            password=conf["PASSWORD"] or None, dbname="postgres",
                            autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = (f"postgres://{conf['USER']}:{conf['PASSWORD'] or ''}@"
                           f"{conf['HOST']}:{conf['PORT'] or 5432}/{name}")
    try:
        yield env
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def restore(archive: Path, env: dict[str, str], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "somu.cli", "restore", str(archive), *extra],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def restored_person_names(env: dict[str, str]) -> list[str]:
    sql = "SELECT name FROM org_person ORDER BY employee_number"
    if "DATABASE_URL" in env:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return [row[0] for row in conn.execute(sql)]
    with sqlite3.connect(Path(env["SOMU_DATA_DIR"]) / "somu.sqlite3") as conn:
        return [row[0] for row in conn.execute(sql)]


def test_a_backup_restored_into_an_empty_place_gives_the_same_data(
    people_a, media, target, tmp_path
):
    manifest = backup_create(out=tmp_path, now=NOW)
    archive = Path(manifest["path"])
    assert archive.name == "somu-backup-20261201-023000.tar.gz"
    assert archive.stat().st_mode & 0o777 == 0o600  # it holds the secret key
    assert manifest["database_engine"] == connection.vendor
    assert manifest["created_at"] == "2026-12-01T02:30:00+00:00"
    assert manifest["tables"]["org_person"] == 4
    assert "0003_append_only_trigger" in manifest["migrations"]["audit"]

    result = restore(archive, target)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"all {len(manifest['tables'])} tables match the manifest" in result.stdout
    assert "OK      org-a: " in result.stdout
    assert "audit chain verified" in result.stdout
    assert restored_person_names(target) == ["山田 太郎", "鈴木 花子", "佐藤 健", "田中 美咲"]
    restored = Path(target["SOMU_DATA_DIR"])
    assert (restored / "secret_key").read_text() == django_settings.SECRET_KEY
    assert (restored / "media/procedures/1/2/請求書.pdf").read_bytes() == (
        b"%PDF-1.4 test attachment")


def test_restore_refuses_a_target_that_holds_data_unless_forced(
    people_a, media, target, tmp_path
):
    archive = Path(backup_create(out=tmp_path / "b.tar.gz", now=NOW)["path"])
    assert restore(archive, target).returncode == 0

    again = restore(archive, target)
    assert again.returncode == 1
    assert "Error: The target is not empty (the database already has" in again.stderr
    assert "or pass --force to replace what is there." in again.stderr

    forced = restore(archive, target, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "tables match the manifest" in forced.stdout
    assert restored_person_names(target)[0] == "山田 太郎"


def test_restore_names_a_table_whose_row_count_differs_from_the_manifest(
    people_a, media, target, tmp_path
):
    archive = Path(backup_create(out=tmp_path / "b.tar.gz", now=NOW)["path"])
    # An archive whose manifest promises one more person than its database holds.
    doctored = tmp_path / "doctored.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(doctored, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["tables"]["org_person"] = 5
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))

    result = restore(doctored, target)

    assert result.returncode == 1
    assert "MISMATCH org_person: 5 rows in the archive, 4 restored" in result.stdout


def test_restore_rejects_a_file_that_is_not_a_backup(tmp_path):
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("not an archive")
    with pytest.raises(BackupError, match="is not a somu backup archive"):
        backup_restore(archive=bogus)


def test_a_backup_into_a_missing_directory_says_so(tmp_path):
    with pytest.raises(BackupError, match="does not exist"):
        backup_create(out=tmp_path / "nowhere" / "b.tar.gz", now=NOW)
