"""The workers' queue moves from the procedures app to its own app.

The table is created here and the rows of an existing deployment (queued, running and failed
jobs, and the failed scheduled launches admins see) are copied over with their ids, so nothing
queued is lost; procedures' migration that drops its table runs after this one. On a new
database procedures' Job is not in the migration state yet and there is nothing to copy.
"""

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

FIELDS = ("id", "organization_id", "kind", "key", "payload", "status", "run_after", "attempts",
          "locked_by", "locked_until", "last_error", "created_at", "finished_at")


def copy_jobs(apps, schema_editor):
    try:
        Old = apps.get_model("procedures", "Job")
    except LookupError:
        return
    New = apps.get_model("jobs", "Job")
    rows = Old.objects.using(schema_editor.connection.alias).values(*FIELDS).order_by("pk")
    New.objects.using(schema_editor.connection.alias).bulk_create(
        [New(**row) for row in rows.iterator()], batch_size=500
    )
    # The copied ids were set by hand: move PostgreSQL's sequence past them.
    sql = schema_editor.connection.ops.sequence_reset_sql(no_style(), [New])
    with schema_editor.connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("org", "0003_organization_settings"),
    ]

    operations = [
        migrations.CreateModel(
            name="Job",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("kind", models.CharField(max_length=40)),
                ("key", models.CharField(max_length=200, unique=True)),
                ("payload", models.JSONField(default=dict)),
                ("after", models.JSONField(blank=True, default=list)),
                ("status", models.CharField(
                    choices=[("queued", "Queued"), ("running", "Running"), ("done", "Done"),
                             ("failed", "Failed")],
                    default="queued", max_length=16)),
                ("run_after", models.DateTimeField()),
                ("attempts", models.PositiveIntegerField(default=0)),
                ("locked_by", models.CharField(blank=True, max_length=100)),
                ("locked_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("organization", models.ForeignKey(
                    blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                    related_name="+", to="org.organization")),
            ],
            options={
                "ordering": ["run_after", "pk"],
                "indexes": [models.Index(fields=["status", "run_after"],
                                         name="jobs_job_status_babf0b_idx")],
            },
        ),
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
    ]
