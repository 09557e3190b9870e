"""The app registry: what each app adds to the whole, declared in the app's own folder.

An app's ``AppConfig`` names a :class:`Contribution` in its ``somu`` attribute (built in its
``apps.py``; everything that would import the app's code is a dotted ``"module:name"`` string,
resolved on first use). The URL root, the API, the navigation, the home page, the permission
check, ``somu demo``, the ``somu`` command and the isolation tests iterate the registry; core
never names a feature app, so adding one touches its own folder and one line of settings.

Declarations are checked once, when first read: two apps may not declare the same permission,
navigation section key, API prefix or CLI sub-command (the second would silently win).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Text = str | Promise  # a label, usually gettext_lazy


@dataclass(frozen=True)
class NavItem:
    """One link of the side navigation.

    ``permissions``: shown to whoever holds any of them (empty: every member). ``active``: the
    page is "current" when the request path contains one of these fragments.
    """

    label: Text
    url_name: str
    permissions: tuple[str, ...] = ()
    active: tuple[str, ...] = ()
    # Current only on the item's own address (the home page, whose path is in every other).
    exact: bool = False


@dataclass(frozen=True)
class NavSection:
    """A titled group of links; sections are ordered by ``order`` across apps."""

    key: str
    label: Text
    items: tuple[NavItem, ...]
    order: int = 50


@dataclass(frozen=True)
class Permission:
    """A thing a user can be allowed to do; ``grants`` names the roles that hold it."""

    name: str
    description: Text
    grants: tuple[str, ...] = ()
    # Held by managers only over people in their own department subtree.
    manager_scoped: bool = False


@dataclass(frozen=True)
class Command:
    """A ``somu <name> …`` sub-command that runs the Django management command ``target``."""

    name: str
    help: str  # English, like the rest of the command line's help
    target: str


@dataclass(frozen=True)
class Isolation:
    """What an app's isolation hook built in a second organization: the id of one record per
    path parameter its routes take (``{"round_id": 7}``), and texts of those records that must
    never appear in another organization's pages and answers."""

    ids: Mapping[str, int]
    texts: tuple[str, ...] = ()


EMAIL_MODES = ("off", "immediate", "digest")


@dataclass(frozen=True)
class NotificationKind:
    """Something an app tells a person about (「ステップが担当になりました」), with the channels it
    uses for someone who never chose: ``in_app`` (the bell and /notifications/) and ``email``
    (``"off"``, ``"immediate"`` or ``"digest"``, the daily summary)."""

    key: str  # "<app>.<what>", e.g. "procedures.step_assigned"
    label: Text
    in_app: bool = True
    email: str = "digest"


@dataclass(frozen=True)
class DigestSection:
    """Overdue and due-soon items an app adds to the daily digest: each person's own in their
    email, the whole organization's in the chat summary. Dotted references as in Contribution.

    - ``items``: a function ``(*, organization, day, person_ids=None, item_ids=None)`` returning
      :class:`somu.notify.chat.DigestItem` values, most urgent first (``person_ids``: only the
      items assigned to them; ``item_ids``: exactly these, as they are now, in this order);
    - ``link``: the URL name of the page where a person sees all their items;
    - ``after``: a function ``(organization_id, day) -> str`` naming the key prefix of the jobs
      the day's digest runs after (the launches that create the day's items).
    """

    items: str
    link: str
    after: str | None = None


@dataclass(frozen=True)
class Contribution:
    """Everything an app adds to the whole. Dotted references are ``"package.module:attribute"``.

    - ``urls``: the app's URLconf module, mounted at ``url_prefix``;
    - ``api``: ``(prefix, router)`` pairs mounted under /api/v1/;
    - ``home_leads`` / ``home_waiting`` / ``home_attention``: functions ``(membership=, today=)``
      returning :mod:`somu.core.home` items for the home page;
    - ``demo``: a loader ``(organization, *, today, fresh)`` run inside the demo organization,
      after the apps named in ``demo_after`` (``fresh``: a new demo, else an existing one that
      gets what a later version adds, so the loader must be idempotent);
    - ``audit``: the app's :class:`somu.audit.catalogue.Vocabulary` for the audit log;
    - ``commands``: ``somu`` sub-commands, each running one of the app's management commands;
    - ``isolation``: a function ``(*, organization, admin, people) -> Isolation`` that builds one
      of each of the app's records in a second organization, for the isolation walker
      (``tests/test_isolation.py``), which then asks every page and API operation for them;
    - ``notification_kinds``: what the app notifies people about (see :class:`NotificationKind`);
    - ``header``: functions ``(request)`` returning HTML (or "") shown in the top bar next to the
      account link, such as the notification bell; evaluated only when a full page renders;
    - ``account_sections``: functions ``(request)`` returning HTML sections of the account page;
    - ``digest_sections``: what the app adds to the daily digest (see :class:`DigestSection`);
    - ``task_panels``: functions ``(membership=, today=)`` returning
      :class:`somu.core.home.TaskPanel` items shown on "My tasks" (e.g. requests awaiting a
      decision), so one page lists everything that waits for a person;
    - ``finding_actions``: functions ``(finding, *, membership)`` returning ``(label, url)``
      pairs: what can be done about a finding of the survey analysis (a
      :class:`somu.core.home.Finding`: a person-dependent task, an overloaded person …), shown
      next to it — plans offers "make an improvement item" there.
    """

    urls: str | None = None
    url_prefix: str = ""
    api: tuple[tuple[str, str], ...] = ()
    nav: tuple[NavSection, ...] = ()
    permissions: tuple[Permission, ...] = ()
    home_leads: tuple[str, ...] = ()
    home_waiting: tuple[str, ...] = ()
    home_attention: tuple[str, ...] = ()
    demo: str | None = None
    demo_after: tuple[str, ...] = ()
    audit: str | None = None
    isolation: str | None = None
    commands: tuple[Command, ...] = ()
    notification_kinds: tuple[NotificationKind, ...] = ()
    header: tuple[str, ...] = ()
    account_sections: tuple[str, ...] = ()
    digest_sections: tuple[DigestSection, ...] = ()
    task_panels: tuple[str, ...] = ()
    finding_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    label: str  # the Django app label ("survey")
    contribution: Contribution


def resolve(reference: str) -> Any:
    """The object a ``"module:attribute"`` reference names."""
    module, _, attribute = reference.partition(":")
    if not attribute:
        raise ImproperlyConfigured(f"{reference!r} is not of the form 'module:attribute'.")
    return getattr(import_module(module), attribute)


@cache
def entries() -> tuple[Entry, ...]:
    """The installed apps' contributions, in ``INSTALLED_APPS`` order, checked for clashes."""
    found = tuple(
        Entry(config.label, config.somu)  # type: ignore[attr-defined]
        for config in apps.get_app_configs()
        if isinstance(getattr(config, "somu", None), Contribution)
    )
    _check(found)
    return found


def _check(found: tuple[Entry, ...]) -> None:
    seen: dict[tuple[str, str], str] = {}

    def claim(kind: str, name: str, label: str) -> None:
        owner = seen.setdefault((kind, name), label)
        if owner != label:
            raise ImproperlyConfigured(
                f"The {kind} {name!r} is declared by both {owner!r} and {label!r}."
            )

    for entry in found:
        c = entry.contribution
        for permission in c.permissions:
            claim("permission", permission.name, entry.label)
        for section in c.nav:
            claim("navigation section", section.key, entry.label)
        for prefix, _router in c.api:
            claim("API prefix", prefix, entry.label)
        for command in c.commands:
            claim("command", command.name, entry.label)
        for kind in c.notification_kinds:
            claim("notification kind", kind.key, entry.label)
            if kind.email not in EMAIL_MODES:
                raise ImproperlyConfigured(f"The notification kind {kind.key!r} has the email "
                                           f"mode {kind.email!r}; use one of {EMAIL_MODES}.")
        for name in c.demo_after:
            if name not in {e.label for e in found}:
                raise ImproperlyConfigured(f"{entry.label!r} loads its demo after {name!r}, "
                                           "which is not installed.")


def permissions() -> tuple[Permission, ...]:
    return tuple(p for e in entries() for p in e.contribution.permissions)


def notification_kinds() -> dict[str, NotificationKind]:
    """Every app's notification kinds by key, in ``INSTALLED_APPS`` order."""
    return {k.key: k for e in entries() for k in e.contribution.notification_kinds}


def digest_sections() -> list[DigestSection]:
    return [s for e in entries() for s in e.contribution.digest_sections]


def nav_sections() -> list[NavSection]:
    return sorted((s for e in entries() for s in e.contribution.nav), key=lambda s: s.order)


def functions(attribute: str) -> list[Callable[..., Any]]:
    """The resolved functions of one list attribute (``"home_waiting"``, …) across apps."""
    return [resolve(ref) for e in entries() for ref in getattr(e.contribution, attribute)]


def demo_loaders() -> list[tuple[str, Callable[..., Any]]]:
    """The apps' demo loaders, each after the apps it depends on (a stable topological order)."""
    pending = [e for e in entries() if e.contribution.demo]
    ordered: list[Entry] = []
    done: set[str] = {e.label for e in entries() if not e.contribution.demo}
    while pending:
        ready = [e for e in pending if set(e.contribution.demo_after) <= done]
        if not ready:
            names = ", ".join(e.label for e in pending)
            raise ImproperlyConfigured(f"The demo loaders of {names} depend on each other.")
        for entry in ready:
            ordered.append(entry)
            done.add(entry.label)
            pending.remove(entry)
    return [(e.label, resolve(e.contribution.demo or "")) for e in ordered]
