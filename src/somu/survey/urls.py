from django.urls import path

from somu.survey import (
    views_analysis,
    views_answer,
    views_compare,
    views_drill,
    views_import,
    views_inventory,
    views_rounds,
)

app_name = "survey"

urlpatterns = [
    # the inventory (業務一覧)
    path("tasks/", views_inventory.task_list, name="task_list"),
    path("tasks/new/", views_inventory.task_edit, name="task_create"),
    path("tasks/starter/", views_inventory.starter_adopt, name="starter_adopt"),
    path("tasks/<int:task_id>/edit/", views_inventory.task_edit, name="task_edit"),
    path("tasks/<int:task_id>/delete/", views_inventory.task_delete, name="task_delete"),
    path("tasks/export.xlsx", views_import.task_export, name="task_export"),
    path("tasks/import/", views_import.task_import, name="task_import"),
    # rounds, respondents
    path("rounds/", views_rounds.round_list, name="round_list"),
    path("rounds/new/", views_rounds.round_edit, name="round_create"),
    path("rounds/<int:round_id>/", views_rounds.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/edit/", views_rounds.round_edit, name="round_edit"),
    path("rounds/<int:round_id>/delete/", views_rounds.round_delete, name="round_delete"),
    path("rounds/<int:round_id>/invite/", views_rounds.round_invite, name="round_invite"),
    path("rounds/<int:round_id>/remind/", views_rounds.round_remind, name="round_remind"),
    # survey data import (long and wide formats)
    path("rounds/<int:round_id>/import/", views_import.hours_import, name="hours_import"),
    path("import/template-<str:layout>.<str:fmt>", views_import.hours_import_template,
         name="hours_import_template"),
    # the questionnaire
    path("answer/", views_answer.my_surveys, name="my_surveys"),
    path("answer/<int:round_id>/", views_answer.questionnaire, name="questionnaire"),
    path("answer/<int:round_id>/propose/", views_answer.task_propose, name="task_propose"),
    # the analysis
    path("rounds/<int:round_id>/analysis/", views_analysis.dashboard, name="analysis"),
    path("rounds/<int:round_id>/analysis/rows/", views_drill.drill_rows, name="analysis_rows"),
    path("rounds/<int:round_id>/analysis/print/", views_analysis.print_report,
         name="analysis_print"),
    path("rounds/<int:round_id>/analysis/report.xlsx", views_analysis.xlsx_report,
         name="analysis_xlsx"),
    path("compare/", views_compare.compare, name="compare"),
]
