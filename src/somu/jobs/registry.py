"""What apps add to the worker: a handler per job kind, and periodic sources of due jobs.

Apps register from their ``AppConfig.ready()``; the jobs app never names them::

    from somu.jobs.registry import DueJob, handler, periodic

    @handler("schedules", atomic=False)
    def handle_schedules(job: Job, now: datetime) -> None: ...

    @periodic
    def due_schedules(now: datetime) -> Iterable[DueJob]:
        yield DueJob("schedules", f"schedules:{org_id}:…", {"date": …}, org_id)

``atomic=True`` (the default): the handler's whole effect is in the database, so it runs in the
transaction that marks its job done — exactly once. ``atomic=False``: the handler is idempotent by
itself (it sends a message it claimed on its own, or commits in steps it can resume) and its job is
marked done after it returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from somu.jobs.models import Job


@dataclass(frozen=True)
class Handler:
    """What a job kind does (see the module docstring for ``atomic``)."""

    run: Callable[[Job, dt.datetime], None]
    atomic: bool = True


class DueJob(NamedTuple):
    """A job a periodic source wants queued; ``after``: key prefixes it must run after."""

    kind: str
    key: str
    payload: Mapping[str, Any]
    organization_id: int | None
    after: Sequence[str] = ()


Source = Callable[[dt.datetime], Iterable[DueJob | tuple[Any, ...]]]

HANDLERS: dict[str, Handler] = {}
SOURCES: list[Source] = []


def register_handler(kind: str, run: Callable[[Job, dt.datetime], None], *,
                     atomic: bool = True) -> None:
    """Declare what runs a job of ``kind``; a kind belongs to one app, so it is declared once."""
    known = HANDLERS.get(kind)
    if known is not None and known.run is not run:
        raise ValueError(f"Job kind {kind!r} already has a handler.")
    HANDLERS[kind] = Handler(run, atomic)


def handler(kind: str, *, atomic: bool = True) -> Callable[
    [Callable[[Job, dt.datetime], None]], Callable[[Job, dt.datetime], None]
]:
    """Decorator form of :func:`register_handler`."""

    def register(run: Callable[[Job, dt.datetime], None]) -> Callable[[Job, dt.datetime], None]:
        register_handler(kind, run, atomic=atomic)
        return run

    return register


def periodic(source: Source) -> Source:
    """Register a function ``(now) -> iterable of DueJob`` (or ``(kind, key, payload, org_id)``
    tuples) that every worker calls every tick; keys make repeated answers free."""
    if source not in SOURCES:
        SOURCES.append(source)
    return source


def due_jobs(now: dt.datetime) -> list[DueJob]:
    """Every registered source's due jobs at ``now``."""
    return [DueJob(*item) for source in SOURCES for item in source(now)]
