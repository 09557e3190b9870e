from django.urls import path

from somu.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("preferences/", views.preferences_update, name="preferences"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("<int:notification_id>/open/", views.notification_open, name="open"),
]
