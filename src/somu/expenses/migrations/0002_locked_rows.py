"""The database itself refuses to change an approved claim's lines and receipts (電子帳簿保存法).

The services refuse every write to a locked row; these triggers make the rule hold also for code
that bypasses them (a shell, a future bug). A locked line or receipt cannot be updated; a locked
claim keeps its content (only its 締め may be set, once). On PostgreSQL deleting a locked row is refused
too (TRUNCATE, which test flushes use, is not a row change); on SQLite, whose test flushes DELETE
every row, deletion is left to the services and the PROTECT foreign keys.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION somu_expenses_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.locked THEN
        RAISE EXCEPTION 'approved expense records cannot be deleted (%)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.locked THEN
        IF TG_TABLE_NAME <> 'expenses_claim' OR
           (to_jsonb(NEW) - 'period_id') IS DISTINCT FROM (to_jsonb(OLD) - 'period_id') OR
           (to_jsonb(OLD) ->> 'period_id' IS NOT NULL AND
            to_jsonb(NEW) -> 'period_id' IS DISTINCT FROM to_jsonb(OLD) -> 'period_id') THEN
            RAISE EXCEPTION 'approved expense records cannot be changed (%)', TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_locked BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION somu_expenses_locked();
""" for table in ("expenses_claim", "expenses_line", "expenses_receipt"))

PG_BACKWARD = "".join(f"DROP TRIGGER IF EXISTS {table}_locked ON {table};\n" for table in (
    "expenses_claim", "expenses_line", "expenses_receipt")) + \
    "DROP FUNCTION IF EXISTS somu_expenses_locked();"

_CLAIM_CONTENT = ("request_id", "kind", "advance_id", "trip_id", "corrects_id", "findings",
                  "approved_on", "retain_until", "locked", "organization_id")
SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_locked BEFORE UPDATE ON {table} WHEN OLD.locked {extra}
    BEGIN SELECT RAISE(ABORT, 'approved expense records cannot be changed ({table})'); END;"""
    for table, extra in (
        ("expenses_line", ""), ("expenses_receipt", ""),
        ("expenses_claim", "AND (" + " OR ".join(
            f"NEW.{c} IS NOT OLD.{c}" for c in _CLAIM_CONTENT)
         + " OR (OLD.period_id IS NOT NULL AND NEW.period_id IS NOT OLD.period_id))"))]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_locked;" for table in (
    "expenses_claim", "expenses_line", "expenses_receipt")]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("expenses", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
