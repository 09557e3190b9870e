"""Chat webhooks and deliveries come over from procedures: its 0005_webhook_delivery_move_to_notify
renamed the tables (rows kept); here they only enter notify's state, exactly as they were."""

import django.core.validators
import django.db.models.deletion
import somu.core.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notify', '0001_initial'),
        ('org', '0003_organization_settings'),
        ('procedures', '0005_webhook_delivery_move_to_notify'),
    ]

    operations = [migrations.SeparateDatabaseAndState(database_operations=[], state_operations=[
        migrations.CreateModel(
            name='Webhook',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('kind', models.CharField(choices=[('slack', 'Slack'), ('teams', 'Microsoft Teams'), ('chatwork', 'Chatwork')], max_length=16, verbose_name='service')),
                ('url', somu.core.crypto.EncryptedTextField(validators=[django.core.validators.URLValidator(), django.core.validators.MaxLengthValidator(500)], verbose_name='URL')),
                ('token', somu.core.crypto.EncryptedTextField(blank=True, validators=[django.core.validators.MaxLengthValidator(200)], verbose_name='API token')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organization')),
            ],
            options={
                'ordering': ['name', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('email', 'Email'), ('webhook', 'Chat webhook')], max_length=16)),
                ('day', models.DateField()),
                ('step_ids', models.JSONField(default=list)),
                ('subject', models.CharField(blank=True, max_length=300)),
                ('body', models.TextField(blank=True)),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('sending', 'Sending'), ('failed', 'Failed, will retry'), ('gave_up', 'Failed'), ('uncertain', 'Outcome unknown')], default='pending', max_length=16)),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('uncertain_attempts', models.PositiveSmallIntegerField(default=0)),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                ('last_error', models.TextField(blank=True)),
                ('sent_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('organization', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.organization')),
                ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='org.person')),
                ('webhook', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='notify.webhook')),
            ],
            options={
                'ordering': ['-day', '-pk'],
                'indexes': [models.Index(fields=['status', 'next_attempt_at'], name='procedures__status_0ca82d_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('channel', 'email')), fields=('person', 'day'), name='delivery_email_once_per_day'), models.UniqueConstraint(condition=models.Q(('channel', 'webhook')), fields=('webhook', 'day'), name='delivery_webhook_once_per_day')],
            },
        ),
    ])]
