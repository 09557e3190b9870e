"""The workers' queue moved to the jobs app, whose first migration copied the rows: drop ours."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("procedures", "0003_delivery_uncertain"),
        ("jobs", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Job"),
    ]
