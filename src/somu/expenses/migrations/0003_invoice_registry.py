"""The offline インボイス registry: the NTA's 適格請求書発行事業者 (global, not per organization) and
the record of each import. The name search's index is made per database: a prefix of
``name_key`` must be a byte-wise range, which PostgreSQL's default collation is not."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _name_index(apps, schema_editor):  # noqa: ANN001, ANN202
    collate = ' COLLATE "C"' if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute("CREATE INDEX expenses_registrant_name_key ON expenses_registrant "
                          f"(name_key{collate}, number)")


def _drop_name_index(apps, schema_editor):  # noqa: ANN001, ANN202
    schema_editor.execute("DROP INDEX IF EXISTS expenses_registrant_name_key")


class Migration(migrations.Migration):

    dependencies = [
        ('expenses', '0002_locked_rows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RegistryImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('full', 'Full files (全件データ)'), ('diff', 'Difference files (差分データ)')], max_length=4, verbose_name='kind')),
                ('files', models.JSONField(default=list, verbose_name='files')),
                ('rows', models.PositiveIntegerField(default=0, verbose_name='rows read')),
                ('written', models.PositiveIntegerField(default=0, verbose_name='registrants added or updated')),
                ('deleted', models.PositiveIntegerField(default=0, verbose_name='registrants deleted')),
                ('skipped', models.PositiveIntegerField(default=0, verbose_name='history rows skipped')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='registrants after the import')),
                ('started_at', models.DateTimeField(verbose_name='started')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
                ('actor_label', models.CharField(max_length=150, verbose_name='imported by')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='imported by')),
            ],
            options={
                'verbose_name': 'registry import',
                'ordering': ['-started_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Registrant',
            fields=[
                ('number', models.CharField(max_length=14, primary_key=True, serialize=False, verbose_name='registration number')),
                ('kind', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'Individual (個人)'), (2, 'Corporation (法人)')], null=True, verbose_name='kind (人格区分)')),
                ('residence', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'Domestic business (国内事業者)'), (2, 'Foreign business (国外事業者)'), (3, 'Specified foreign business (特定国外事業者)')], null=True, verbose_name='domestic or foreign (国内外区分)')),
                ('process', models.PositiveSmallIntegerField(choices=[(1, 'New registration (新規)'), (2, 'Change (変更)'), (3, 'Expiry (失効)'), (4, 'Cancellation (取消)')], verbose_name='latest change (事業者処理区分)')),
                ('name', models.CharField(max_length=300, verbose_name='name (氏名又は名称)')),
                ('name_kana', models.CharField(blank=True, max_length=500, verbose_name='name in kana')),
                ('name_key', models.CharField(max_length=300)),
                ('trade_name', models.CharField(blank=True, max_length=200, verbose_name='trade name (屋号)')),
                ('address', models.CharField(blank=True, max_length=600, verbose_name='address')),
                ('registered_on', models.DateField(verbose_name='registered on')),
                ('updated_on', models.DateField(blank=True, null=True, verbose_name='updated on')),
                ('cancelled_on', models.DateField(blank=True, null=True, verbose_name='cancelled on (取消年月日)')),
                ('expired_on', models.DateField(blank=True, null=True, verbose_name='expired on (失効年月日)')),
                ('last_import', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='expenses.registryimport', verbose_name='registry import')),
            ],
            options={
                'verbose_name': 'registered invoice issuer',
                'ordering': ['number'],
            },
        ),
        migrations.RunPython(_name_index, _drop_name_index),
    ]
