"""Chat webhook URLs and tokens are encrypted at rest (see somu.core.crypto).

The columns become text (a Fernet token is longer than the value), then the existing rows are
encrypted in place with raw SQL: the historical model would already try to decrypt them.
Reversible: going back decrypts the rows before the columns are narrowed again.
"""

import django.core.validators
import somu.core.crypto
from django.db import migrations

SELECT = "SELECT id, url, token FROM procedures_webhook"
UPDATE = "UPDATE procedures_webhook SET url = %s, token = %s WHERE id = %s"


def _convert(schema_editor, convert):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SELECT)
        rows = cursor.fetchall()
        for pk, url, token in rows:
            cursor.execute(UPDATE, [convert(url) if url else url,
                                    convert(token) if token else token, pk])


def encrypt_rows(apps, schema_editor):
    _convert(schema_editor, somu.core.crypto.encrypt)


def decrypt_rows(apps, schema_editor):
    _convert(schema_editor, somu.core.crypto.decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('procedures', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='webhook',
            name='token',
            field=somu.core.crypto.EncryptedTextField(blank=True, validators=[django.core.validators.MaxLengthValidator(200)], verbose_name='API token'),
        ),
        migrations.AlterField(
            model_name='webhook',
            name='url',
            field=somu.core.crypto.EncryptedTextField(validators=[django.core.validators.URLValidator(), django.core.validators.MaxLengthValidator(500)], verbose_name='URL'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
