"""``PrebuiltFields.to_representation`` (a plain field of a model instance read from its ``__dict__``,
the readable fields listed once per serializer) renders exactly what DRF's own renders: for every
model serializer of the project on seeded rows, and for the cases the shortcut must leave to DRF."""

import functools

import pytest
from django.core.management import call_command
from django.db.models.query_utils import DeferredAttribute
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

import learnflow.urls  # noqa: F401  (imports every app's serializers)
from accounts.models import User
from community import forum
from community.models import Post
from learnflow.serializers import PrebuiltFields
from tasks import selectors as task_selectors
from tasks.models import Goal, Task


def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


MODEL_SERIALIZERS = sorted(
    {
        cls
        for cls in subclasses(PrebuiltFields)
        if issubclass(cls, serializers.ModelSerializer) and getattr(getattr(cls, "Meta", None), "model", None)
    },
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)


def drf_only(monkeypatch):
    """While active, ``PrebuiltFields`` renders with DRF's ``Serializer.to_representation``."""
    monkeypatch.delattr(PrebuiltFields, "to_representation")


def render(serializer_class, rows, context):
    try:
        return serializer_class(rows, many=True, context=context).data
    except Exception as exc:  # noqa: BLE001 (compared: both ways must fail alike)
        return ("raised", type(exc))


def rows_of(serializer_class, user) -> list:
    model = serializer_class.Meta.model
    if model is Goal:
        return list(task_selectors.goal_list(user=user))
    if model is Post:
        return list(forum.posts_visible(reader=user)[:30])
    rows = list(model.objects.all()[:30])
    if model is Task:
        rows += list(Task.objects.only("id", "title")[:5])  # deferred columns: read by DRF's path
    return rows


@pytest.mark.django_db
def test_every_model_serializer_renders_as_drf_does(monkeypatch):
    # given: the demo's rows, a request by one of its users
    call_command("seed_demo", "--users", "6", "--seed", "11")
    user = User.objects.filter(username__startswith="demo").first()
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    context = {"request": request, "view": None, "format": None}
    compared, mismatched = [], []
    for serializer_class in MODEL_SERIALIZERS:
        rows = rows_of(serializer_class, user)
        if not rows:
            continue
        # when
        fast = render(serializer_class, rows, context)
        with monkeypatch.context() as patch:
            drf_only(patch)
            reference = render(serializer_class, rows, context)
        # then
        if fast != reference:
            mismatched.append(serializer_class.__qualname__)
        elif not isinstance(reference, tuple):
            compared.append(serializer_class.__name__)
    assert not mismatched
    assert {"TaskSerializer", "GoalSerializer", "PostSerializer"} <= set(compared)
    assert len(compared) >= 15, compared


class Descriptor:
    """A data descriptor: ``getattr`` answers it, whatever the instance's ``__dict__`` holds."""

    def __get__(self, instance, owner=None):
        return "from the descriptor"

    def __set__(self, instance, value):
        raise AttributeError


class Wrapping(DeferredAttribute):
    """Like Django's ``FileDescriptor``: a ``DeferredAttribute`` that does not answer the raw value."""

    def __get__(self, instance, owner=None):
        return f"wrapped {instance.__dict__['wrapped']}"

    def __set__(self, instance, value):
        instance.__dict__["wrapped"] = value


class Row:
    described = Descriptor()
    wrapped = Wrapping(type("F", (), {"attname": "wrapped"})())

    def __init__(self):
        self.__dict__.update(
            plain="plain",
            nothing=None,
            number=7,
            call=lambda: "called",
            partial=functools.partial(lambda text: text, "partial"),
            described="from the dict",
            wrapped="raw",
        )

    @property
    def computed(self):
        return "from the property"

    def method(self):
        return "from the method"


class RowSerializer(PrebuiltFields, serializers.Serializer):
    plain = serializers.CharField()
    nothing = serializers.CharField(allow_null=True)
    number = serializers.IntegerField()
    renamed = serializers.IntegerField(source="number")
    call = serializers.CharField()
    partial = serializers.CharField()
    described = serializers.CharField()
    wrapped = serializers.CharField()
    computed = serializers.CharField()
    method = serializers.CharField()
    missing = serializers.CharField(required=False)
    missing_default = serializers.CharField(default="the default")
    whole = serializers.SerializerMethodField()
    secret = serializers.CharField(write_only=True)

    def get_whole(self, row):
        return type(row).__name__


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([Row(), Row()], id="objects"),
        pytest.param([{"plain": "p", "nothing": None, "number": 1, "call": "c", "partial": "x"}], id="dicts"),
    ],
)
def test_the_cases_left_to_drf_render_as_drf_does(monkeypatch, rows):
    # when
    fast = render(RowSerializer, rows, {})
    with monkeypatch.context() as patch:
        drf_only(patch)
        reference = render(RowSerializer, rows, {})
    # then
    assert fast == reference
    if isinstance(rows[0], Row):
        assert fast[0] == {
            "plain": "plain", "nothing": None, "number": 7, "renamed": 7, "call": "called", "partial": "partial",
            "described": "from the descriptor", "wrapped": "wrapped raw", "computed": "from the property",
            "method": "from the method", "missing_default": "the default", "whole": "Row",
        }  # fmt: skip


def test_fields_changed_after_a_render_are_rendered(monkeypatch):
    # given
    serializer = RowSerializer(context={})
    first = serializer.to_representation(Row())
    # when
    serializer.fields.pop("plain")
    second = serializer.to_representation(Row())
    # then
    assert "plain" in first and "plain" not in second
