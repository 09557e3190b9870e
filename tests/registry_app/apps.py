"""A tiny app that exists only to show the registry at work: it adds a router, a navigation
entry, a permission and a home panel, touching nothing outside this folder but one settings line
(``settings.py`` here)."""

from django.apps import AppConfig

from somu.core.permissions import Role
from somu.core.registry import Contribution, NavItem, NavSection, Permission

VIEW_TINY = "view_tiny"


class TinyConfig(AppConfig):
    name = "tests.registry_app"
    label = "tiny"
    somu = Contribution(
        urls="tests.registry_app.urls",
        url_prefix="tiny/",
        api=(("/tiny", "tests.registry_app.api:router"),),
        permissions=(Permission(VIEW_TINY, "See the tiny page", grants=(Role.STAFF,)),),
        nav=(NavSection("tiny", "小さなアプリ", order=40, items=(
            NavItem("小さなページ", "tiny:page", (VIEW_TINY,), active=("/tiny/",)),
        )),),
        home_attention=("tests.registry_app.home:attention",),
    )
