"""/api/v1/plans/items: improvement items and the work they start. Thin: a permission, a
lookup, then a service — the page and the API refuse the same things in the same words (the
services' field names get the API's ``_id`` suffix where the API takes an id)."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, InputSchema, OneOf, PagePagination, QuerySchema, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.org.models import Person
from somu.plans import training
from somu.plans.measure import about_a_person
from somu.plans.models import FindingKind, Item, ItemKind, ItemStatus, Kpi
from somu.plans.permissions import MANAGE_PLAN, VIEW_PLAN
from somu.plans.services import items as services
from somu.plans.services.reports import sees_personal_hours

router = Router(tags=["plans"])

ItemId = Path(..., ge=1, le=MAX_ID)
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Kinds = Annotated[str, OneOf(*ItemKind.values)]
Statuses = Annotated[str, OneOf(*ItemStatus.values)]
Findings = Annotated[str, OneOf(*FindingKind.values)]
Amount = Annotated[Decimal, Field(ge=0, le=9_999_999, max_digits=9, decimal_places=2)]
Yen = Annotated[int, Field(ge=0, le=2_000_000_000)]
LINKS = {"owner": "owner_id", "kpi": "kpi_id", "task": "task_id", "person": "person_id",
         "round": "round_id", "learner": "learner_id", "teacher": "teacher_id"}
M = TypeVar("M", bound=Model)


def today() -> dt.date:
    return timezone.localdate()


class ItemOut(Schema):
    id: int
    number: int
    title: str
    kind: str
    status: str
    description: str
    owner_id: int | None
    due_on: dt.date | None
    kpi_id: int | None
    finding: str
    round_id: int | None
    task_id: int | None
    person_id: int | None
    scenario_id: int | None
    expected_hours: Decimal | None = Field(
        description="None for an executive or a manager when the item is about one person")
    expected_capable: int
    expected_cost: int | None = Field(
        description="None for an executive or a manager when the item is about one person")
    effort_hours: Decimal
    effort_cost: int
    template_id: int | None
    learner_id: int | None
    teacher_id: int | None
    target_level: int | None
    training_run_id: int | None
    vendor: str
    moves_on: dt.date | None
    done_on: dt.date | None

    @staticmethod
    def resolve_expected_hours(obj: Item, context: Any) -> Decimal | None:
        return None if _hidden(obj, context) else obj.expected_hours

    @staticmethod
    def resolve_expected_cost(obj: Item, context: Any) -> int | None:
        return None if _hidden(obj, context) else obj.expected_cost


def _hidden(item: Item, context: Any) -> bool:
    """An item about one person, read by someone outside the back office: no hours or cost."""
    request = (context or {}).get("request")
    return about_a_person(item) and not (
        request is not None and sees_personal_hours(getattr(request, "auth", None)))


class ItemIn(InputSchema):
    title: str = Field("", max_length=200)
    kind: Kinds = ""
    description: str = Field("", max_length=10_000)
    owner_id: Id | None = None
    due_on: dt.date | None = None
    kpi_id: Id | None = None
    finding: Findings = ""
    round_id: Id | None = None
    task_id: Id | None = None
    person_id: Id | None = None
    expected_hours: Amount = Decimal(0)
    expected_capable: Yen = 0
    expected_cost: Yen = 0
    effort_hours: Amount = Decimal(0)
    effort_cost: Yen = 0
    vendor: str = Field("", max_length=200)
    moves_on: dt.date | None = None


class ItemPatch(ItemIn):
    """Only the fields sent change."""


class MoveIn(InputSchema):
    status: Statuses
    from_status: Annotated[str | None, OneOf(*ItemStatus.values)] = None


class TrainingIn(InputSchema):
    learner_id: Id
    teacher_id: Id
    target_level: int = Field(..., ge=1, le=4)
    start_on: dt.date


class ItemQuery(QuerySchema):
    kind: Annotated[str | None, OneOf(*ItemKind.values)] = None
    status: Annotated[str | None, OneOf(*ItemStatus.values)] = None
    owner_id: Id | None = None
    kpi_id: Id | None = None


def _record(model: type[M], pk: int | None, field: str) -> M | None:
    """A record of this organization by id; another's or an unknown id is refused with the
    service's own message."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose one of this organization's records.")]})
    return found


def _service_data(payload: ItemIn, *, only_set: bool) -> dict[str, Any]:
    from somu.survey.models import SurveyRound, Task

    raw = payload.model_dump(exclude_unset=only_set)
    models: dict[str, type[Model]] = {"owner": Person, "kpi": Kpi, "task": Task,
                                      "person": Person, "round": SurveyRound}
    data: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.removesuffix("_id") if key in LINKS.values() else key
        data[name] = _record(models[name], value, key) if name in models else value
    return data


@contextmanager
def _api_fields() -> Iterator[None]:
    """The service's field names as the API names them (``owner`` → ``owner_id``)."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({LINKS.get(k, k): v for k, v in exc.message_dict.items()}
                                  ) from exc
        raise


def _item(item_id: int) -> Item:
    found = Item.objects.filter(pk=item_id).first()
    if found is None:
        raise Http404
    return found


def _call(fn: Callable[[], Any]) -> Any:
    with _api_fields():
        return fn()


@router.get("/items", response={200: list[ItemOut], **errors(403, 422)},
            summary="Improvement items, filtered by type, status, owner or KPI",
            operation_id="somu_plans_api_item_list")
@paginate(PagePagination)
def item_list(request: AuthedRequest, filters: Query[ItemQuery]) -> QuerySet[Item]:
    require(request.auth, VIEW_PLAN)
    items = Item.objects.order_by("-number")
    for field in ("kind", "status", "owner_id", "kpi_id"):
        value = getattr(filters, field)
        if value is not None:
            items = items.filter(**{field: value})
    return items


@router.post("/items", response={201: ItemOut, **errors(403, 422)},
             summary="Create an improvement item (numbered per organization; the owner is told)",
             operation_id="somu_plans_api_item_create")
def item_create(request: AuthedRequest, payload: ItemIn) -> Status[Any]:
    require(request.auth, MANAGE_PLAN)
    data = _service_data(payload, only_set=False)
    item = _call(lambda: services.item_create(actor=request.user, data=data, today=today()))
    return Status(201, item)


@router.get("/items/{item_id}", response={200: ItemOut, **errors(403, 404, 422)},
            summary="One improvement item", operation_id="somu_plans_api_item_get")
def item_get(request: AuthedRequest, item_id: int = ItemId) -> Item:
    require(request.auth, VIEW_PLAN)
    return _item(item_id)


@router.patch("/items/{item_id}", response={200: ItemOut, **errors(403, 404, 422)},
              summary="Change an improvement item's fields",
              operation_id="somu_plans_api_item_update")
def item_update(request: AuthedRequest, payload: ItemPatch, item_id: int = ItemId) -> Item:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    data = _service_data(payload, only_set=True)
    return _call(lambda: services.item_update(actor=request.user, item=item, data=data,
                                              today=today()))


@router.post("/items/{item_id}/move", response={200: ItemOut, **errors(403, 404, 409, 422)},
             summary="Move an item to another column of the board (409 if it moved meanwhile)",
             operation_id="somu_plans_api_item_move")
def item_move(request: AuthedRequest, payload: MoveIn, item_id: int = ItemId) -> Item:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    return _call(lambda: services.item_move(actor=request.user, item=item,
                                            status=payload.status,
                                            from_status=payload.from_status, today=today()))


@router.post("/items/{item_id}/standardize",
             response={200: ItemOut, **errors(403, 404, 422)},
             summary="標準化: link (or draft) the procedure template of the item's task",
             operation_id="somu_plans_api_item_standardize")
def item_standardize(request: AuthedRequest, item_id: int = ItemId) -> Item:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    _call(lambda: training.item_standardize(actor=request.user, item=item, today=today()))
    return _item(item_id)


@router.post("/items/{item_id}/training",
             response={200: ItemOut, **errors(403, 404, 409, 422)},
             summary="多能工化: launch the training run (learner, teacher, target level)",
             operation_id="somu_plans_api_item_training")
def item_training(request: AuthedRequest, payload: TrainingIn, item_id: int = ItemId) -> Item:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    learner = _record(Person, payload.learner_id, "learner_id")
    teacher = _record(Person, payload.teacher_id, "teacher_id")
    _call(lambda: training.item_training(
        actor=request.user, item=item, learner=learner, teacher=teacher,
        target_level=payload.target_level, start_on=payload.start_on, today=today()))
    return _item(item_id)


@router.post("/items/{item_id}/check", response={200: ItemOut, **errors(403, 404, 422)},
             summary="Close the item now if the work it started is done",
             operation_id="somu_plans_api_item_check")
def item_check(request: AuthedRequest, item_id: int = ItemId) -> Item:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    training.items_close_fulfilled(today=today(), items=[item], actor=request.user)
    return _item(item_id)


@router.delete("/items/{item_id}", response={204: None, **errors(403, 404, 422)},
               summary="Delete a proposed or cancelled item",
               operation_id="somu_plans_api_item_delete")
def item_delete(request: AuthedRequest, item_id: int = ItemId) -> Status[None]:
    require(request.auth, MANAGE_PLAN)
    item = _item(item_id)
    _call(lambda: services.item_delete(actor=request.user, item=item))
    return Status(204, None)
