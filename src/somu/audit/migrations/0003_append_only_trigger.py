"""On PostgreSQL the database itself refuses UPDATE and DELETE on audit events.

The hash chain *detects* an edited log; this trigger *prevents* one by anyone who is not the
table's owner playing with DDL. Row-level only: TRUNCATE (test flushes) and DROP (restores with
``pg_restore --clean``) are not row changes. SQLite has no such protection here; the chain and
``AuditEvent.save``/``delete`` still apply there.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION somu_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION somu_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS somu_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_actor_kept_when_user_deleted"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
