from django.urls import path

from somu.notify import views, views_settings

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("preferences/", views.preferences_update, name="preferences"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
    # the admins' settings: chat webhooks and the deliveries made
    path("settings/", views_settings.notification_settings, name="settings"),
    path("settings/webhooks/new/", views_settings.webhook_edit, name="webhook_create"),
    path("settings/webhooks/<int:webhook_id>/edit/", views_settings.webhook_edit,
         name="webhook_edit"),
    path("settings/webhooks/<int:webhook_id>/delete/", views_settings.webhook_delete,
         name="webhook_delete"),
    path("settings/webhooks/<int:webhook_id>/test/", views_settings.webhook_test,
         name="webhook_test"),
    path("settings/deliveries/<int:delivery_id>/retry/", views_settings.delivery_retry,
         name="delivery_retry"),
]
