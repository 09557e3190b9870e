"""The 電帳法 search's "payee contains" on PostgreSQL: a trigram index (pg_trgm) on the payee as
Django's case-insensitive ``icontains`` compares it (``UPPER(payee::text) LIKE UPPER(%s)``), so
a search by part of a 取引先 name does not read every line. SQLite has no such index (a small
installation's search reads the date/amount indexes, then the payees)."""

from django.db import migrations

PG_FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS expense_line_payee_trgm ON expenses_line
    USING gin (UPPER(payee::text) gin_trgm_ops);
"""
PG_BACKWARD = "DROP INDEX IF EXISTS expense_line_payee_trgm;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("expenses", "0003_invoice_registry"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
