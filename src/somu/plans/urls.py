"""The plan's pages; each area's views module declares its own ``urlpatterns``."""

from django.urls import include, path

app_name = "plans"

urlpatterns = [
    path("", include("somu.plans.views.strategy")),  # the plan page, vision, KPIs, reviews
    path("", include("somu.plans.views.items")),  # the items board and items
    path("", include("somu.plans.views.scenarios")),  # scenarios and the optimizer
    path("", include("somu.plans.views.reports")),  # 活動報告 and the dashboards
]
