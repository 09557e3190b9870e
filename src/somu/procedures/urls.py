from django.urls import path

from somu.procedures.views import handover as views_handover
from somu.procedures.views import runs as views_runs
from somu.procedures.views import schedules as views_schedules
from somu.procedures.views import steps as views_tasks
from somu.procedures.views import templates as views_templates

app_name = "procedures"

urlpatterns = [
    # my tasks and working on a step
    path("my/", views_tasks.my_tasks, name="my_tasks"),
    path("steps/<int:step_id>/", views_tasks.step_detail, name="step_detail"),
    path("steps/<int:step_id>/save/", views_tasks.step_save, name="step_save"),
    path("steps/<int:step_id>/complete/", views_tasks.step_complete, name="step_complete"),
    path("steps/<int:step_id>/decide/", views_tasks.step_decide, name="step_decide"),
    path("steps/<int:step_id>/reassign/", views_tasks.step_reassign, name="step_reassign"),
    path("steps/<int:step_id>/reopen/", views_tasks.step_reopen, name="step_reopen"),
    path("steps/<int:step_id>/comment/", views_tasks.step_comment, name="step_comment"),
    path("steps/<int:step_id>/attach/", views_tasks.step_attach, name="step_attach"),
    path("attachments/<int:attachment_id>/", views_tasks.attachment_download,
         name="attachment_download"),
    # templates
    path("templates/", views_templates.template_list, name="template_list"),
    path("templates/new/", views_templates.template_edit, name="template_create"),
    path("templates/import/", views_templates.template_import, name="template_import"),
    path("templates/library/", views_templates.library, name="library"),
    path("templates/library/<str:key>/adopt/", views_templates.library_adopt,
         name="library_adopt"),
    path("templates/<int:template_id>/", views_templates.template_detail,
         name="template_detail"),
    path("templates/<int:template_id>/edit/", views_templates.template_edit,
         name="template_edit"),
    path("templates/<int:template_id>/yaml/", views_templates.template_yaml_edit,
         name="template_yaml_edit"),
    path("templates/<int:template_id>/export.yaml", views_templates.template_export,
         name="template_export"),
    path("templates/<int:template_id>/versions/<int:number>/",
         views_templates.template_version, name="template_version"),
    path("templates/<int:template_id>/tasks/", views_templates.template_tasks,
         name="template_tasks"),
    path("templates/<int:template_id>/archive/", views_templates.template_archive,
         name="template_archive"),
    path("templates/<int:template_id>/launch/", views_runs.run_launch, name="run_launch"),
    # runs, the board, the calendar, survey comparison
    path("runs/", views_runs.run_list, name="run_list"),
    path("runs/<int:run_id>/", views_runs.run_detail, name="run_detail"),
    path("runs/<int:run_id>/cancel/", views_runs.run_cancel, name="run_cancel"),
    path("board/", views_runs.board, name="board"),
    path("calendar/", views_runs.due_calendar, name="calendar"),
    path("insights/", views_runs.insights, name="insights"),
    # schedules
    path("schedules/", views_schedules.schedule_list, name="schedule_list"),
    path("schedules/new/", views_schedules.schedule_edit, name="schedule_create"),
    path("schedules/<int:schedule_id>/edit/", views_schedules.schedule_edit,
         name="schedule_edit"),
    path("schedules/<int:schedule_id>/delete/", views_schedules.schedule_delete,
         name="schedule_delete"),
    # handover (引継ぎ)
    path("handover/", views_handover.handover_list, name="handover_list"),
    path("handover/new/", views_handover.handover_new, name="handover_new"),
    path("handover/<int:handover_id>/", views_handover.handover_detail,
         name="handover_detail"),
    path("handover/<int:handover_id>/handover.xlsx", views_handover.handover_xlsx,
         name="handover_xlsx"),
]
