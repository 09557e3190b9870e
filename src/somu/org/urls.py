from django.urls import path

from somu.org import views, views_import, views_members, views_settings

app_name = "org"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/search/", views.person_search, name="person_search"),
    path("people/export/", views_import.people_export, name="people_export"),
    path("people/import/", views_import.people_import, name="people_import"),
    path("people/import/template.<str:fmt>", views_import.people_import_template,
         name="people_import_template"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/retire/", views.person_retire, name="person_retire"),
    path("people/<int:person_id>/reinstate/", views.person_reinstate, name="person_reinstate"),
    path("people/<int:person_id>/skills/", views.person_skill_set, name="person_skill_set"),
    path("departments/", views.department_tree, name="department_tree"),
    path("departments/new/", views.department_create, name="department_create"),
    path("departments/<int:department_id>/edit/", views.department_edit, name="department_edit"),
    path("departments/<int:department_id>/move/", views.department_move, name="department_move"),
    path("departments/<int:department_id>/delete/", views.department_delete,
         name="department_delete"),
    path("grades/", views.grade_list, name="grade_list"),
    path("grades/new/", views.grade_edit, name="grade_create"),
    path("grades/<int:grade_id>/edit/", views.grade_edit, name="grade_edit"),
    path("grades/<int:grade_id>/delete/", views.grade_delete, name="grade_delete"),
    path("skills/", views.skill_list, name="skill_list"),
    path("skills/new/", views.skill_edit, name="skill_create"),
    path("skills/<int:skill_id>/edit/", views.skill_edit, name="skill_edit"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/holidays/<int:holiday_id>/delete/", views.company_holiday_delete,
         name="company_holiday_delete"),
    path("settings/", views_settings.organization_settings, name="settings"),
    path("members/", views_members.member_list, name="member_list"),
    path("members/<int:membership_id>/", views_members.member_update, name="member_update"),
    path("members/invitations/<int:invitation_id>/cancel/", views_members.invitation_revoke,
         name="invitation_revoke"),
    path("invitations/<str:token>/", views_members.invitation_accept, name="invitation_accept"),
    path("members/<int:membership_id>/password/", views_members.member_password,
         name="member_password"),
]
