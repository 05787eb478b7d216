"""``learnflow.rendering.row_renderer``: a row rendered without DRF's field objects is what the
serializer renders for the same values, value for value and type for type, on every branch of every
converter, and on the project's own serializers over seeded rows; a serializer it cannot render that
way gets no renderer."""

import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from rest_framework import serializers

from learnflow.dates import DateField, DateTimeField
from learnflow.rendering import row_renderer
from learnflow.serializers import Serializer
from learnflow.tests.test_serializer_representation import MODEL_SERIALIZERS
from tasks.api.serializers import GoalSerializer, TaskSerializer


class Everything(Serializer):
    text = serializers.CharField()
    email = serializers.EmailField()
    flag = serializers.BooleanField()
    number = serializers.IntegerField()
    anything = serializers.ReadOnlyField()
    key = serializers.UUIDField()
    choice = serializers.ChoiceField(choices=[("low", "Low"), ("1", "One")])
    moment = DateTimeField()
    day = DateField()
    clock = serializers.TimeField()
    words = serializers.ListField(child=serializers.CharField())
    counts = serializers.ListField(child=serializers.IntegerField())
    renamed = serializers.CharField(source="original")


def typed(data: dict) -> dict:
    return {name: (type(value), value) for name, value in data.items()}


FAST = {
    "text": "plain", "email": "ada@example.com", "flag": True, "number": 42, "anything": {"a": [1]},
    "key": uuid.UUID("12345678-1234-5678-1234-567812345678"), "choice": "low",
    "moment": datetime(2026, 3, 29, 1, 30, 0, 5, tzinfo=UTC), "day": date(2026, 12, 7), "clock": time(7, 5, 3),
    "words": ["a", "b"], "counts": [1, 2], "original": "source, not name",
}  # fmt: skip
ROWS = [
    FAST,
    # every value DRF's own representation handles: another type, another zone, a whole second, None
    {
        "text": 5, "email": None, "flag": 0, "number": "7", "anything": None, "key": "not-a-uuid", "choice": 1,
        "moment": datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))), "day": "2026-12-07",
        "clock": "07:05", "words": [None, 3, "c"], "counts": [True, "4", None], "original": None,
    },
    {
        **FAST, "flag": "false", "number": True, "choice": "unknown", "moment": datetime(2026, 1, 1, tzinfo=UTC),
        "day": None, "clock": time(0, 0, 0, 1), "words": [],
    },
    {**FAST, "moment": datetime(2026, 10, 25, 1, 0, tzinfo=ZoneInfo("UTC")), "choice": ""},
    {**FAST, "moment": datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Berlin"))},
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=range(len(ROWS)))
def test_a_row_renders_as_the_serializer_renders_the_same_values(row):
    render = row_renderer(Everything)

    assert render is not None
    assert typed(render(row)) == typed(Everything(row).data)


class WithMethod(Serializer):
    name = serializers.CharField()
    shout = serializers.SerializerMethodField()

    def get_shout(self, row) -> str:
        return row["name"].upper()


class Nested(Serializer):
    name = serializers.CharField()
    child = Everything()


class Dotted(Serializer):
    name = serializers.CharField(source="owner.name")


class Whole(Serializer):
    name = serializers.CharField(source="*")


class Money(Serializer):
    amount = serializers.DecimalField(max_digits=6, decimal_places=2)


class Shouting(serializers.CharField):
    def to_representation(self, value):
        return str(value).upper()


class OwnField(Serializer):
    name = Shouting()


class OwnRepresentation(Serializer):
    name = serializers.CharField()

    def to_representation(self, instance):
        return {"name": "!"}


class NotPrebuilt(serializers.Serializer):
    name = serializers.CharField()


class Formatted(Serializer):
    moment = DateTimeField(format="%Y")


@pytest.mark.parametrize(
    "serializer_class",
    [WithMethod, Nested, Dotted, Whole, Money, OwnField, OwnRepresentation, NotPrebuilt, Formatted, GoalSerializer],
)
def test_a_serializer_it_cannot_render_exactly_gets_no_renderer(serializer_class):
    assert row_renderer(serializer_class) is None


def test_the_tasks_list_is_rendered_without_field_objects():
    assert row_renderer(TaskSerializer) is not None


@pytest.mark.django_db
def test_every_renderable_model_serializer_renders_its_model_rows_as_drf_does():
    # given: the demo's rows
    call_command("seed_demo", "--users", "4", "--seed", "5")
    compared = []
    for serializer_class in MODEL_SERIALIZERS:
        render = row_renderer(serializer_class)
        if render is None:
            continue
        model = serializer_class.Meta.model
        sources = [field.source for field in serializer_class()._readable_fields]
        if not set(sources) <= {field.name for field in model._meta.concrete_fields}:
            continue  # (a property or an annotation: not a column of values())
        objects = list(model.objects.order_by("pk")[:40])
        # when
        rendered = [render(row) for row in model.objects.order_by("pk").values(*sources)[:40]]
        # then
        assert [typed(data) for data in rendered] == [typed(data) for data in serializer_class(objects, many=True).data]
        compared.append((serializer_class.__name__, len(objects)))
    assert ("TaskSerializer", 40) in compared, compared
