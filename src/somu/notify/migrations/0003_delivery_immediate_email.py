"""A notification can be emailed at once: its delivery names it (once per notification), and the
once-a-day rule is for digests only. The index moved with the table gets a name of its own.

Going back, the rows of emails sent at once are deleted first: the old once-a-day rule cannot hold
beside them (a person may have had an immediate email and the digest on the same day).
"""

from typing import Any

from django.db import migrations, models


def _drop_immediate_emails(apps: Any, schema_editor: Any) -> None:
    delivery = apps.get_model("notify", "Delivery")
    delivery._base_manager.filter(notification_id__isnull=False).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0002_webhook_delivery_from_procedures'),
        ('org', '0003_organization_settings'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='delivery',
            name='delivery_email_once_per_day',
        ),
        migrations.RenameIndex(
            model_name='delivery',
            new_name='delivery_due',
            old_name='procedures__status_0ca82d_idx',
        ),
        migrations.AddField(
            model_name='delivery',
            name='notification_id',
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(('channel', 'email'), ('notification_id__isnull', True)), fields=('person', 'day'), name='delivery_email_once_per_day'),
        ),
        migrations.AddConstraint(
            model_name='delivery',
            constraint=models.UniqueConstraint(condition=models.Q(('notification_id__isnull', False)), fields=('notification_id',), name='delivery_notification_once'),
        ),
        migrations.RunPython(migrations.RunPython.noop, _drop_immediate_emails),
    ]
