"""Chat webhooks and deliveries belong to the notify app now: their tables are renamed (rows,
ids and secrets kept) and the models leave procedures' state; notify's
0002_webhook_delivery_from_procedures takes them into its state without touching the database.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("procedures", "0004_job_moves_to_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="webhook", table="notify_webhook"),
                migrations.AlterModelTable(name="delivery", table="notify_delivery"),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="delivery"),
                migrations.DeleteModel(name="webhook"),
            ],
            database_operations=[],
        ),
    ]
