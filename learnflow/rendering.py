"""Rendering a compiled list's rows without DRF's field objects.

A plain list (``learnflow.views.CompiledListMixin``) reads its page as ``values()`` rows. Handing them to
the serializer costs, per request, a copy of every field for the serializer instance, and per value a
call of the field's ``to_representation`` through DRF's generic loop: on the tasks list (10 rows of 14
fields) about 0.6 ms of CPU, a quarter of the request.

``row_renderer(serializer_class)`` builds, once per class, a function that renders a row (a dict keyed by
the fields' sources) into exactly what the serializer gives for the same values: for each readable field
a converter taken from the field itself, which returns the common case's value directly (a ``str`` for a
``CharField``, a ``bool`` for a ``BooleanField``, a UTC datetime's ISO text for ``learnflow.dates
.DateTimeField`` ...) and hands anything else to that field's own ``to_representation``. A ``None`` is
``None``, as in DRF. A serializer with any field it has no converter for (a method field, a nested
serializer, a dotted or ``*`` source, a field class that overrides its representation), or with its own
``to_representation`` or list serializer, gets no renderer (``None``), and its rows go DRF's way.
``learnflow/tests/test_rendering.py`` compares the output with DRF's, branch by branch.
"""

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime, time

from rest_framework import serializers
from rest_framework.settings import ISO_8601, api_settings

from .dates import DateTimeField, iso_utc
from .serializers import PrebuiltFields, plain_source


def _same_type(kind: type, slow: Callable) -> Callable:
    """The value itself when it is exactly of ``kind`` (what the field's representation returns then)."""
    return lambda value: value if value.__class__ is kind else slow(value)


def _iso(kind: type, slow: Callable) -> Callable:
    return lambda value: value.isoformat() if value.__class__ is kind else slow(value)


def _utc_datetime(slow: Callable) -> Callable:
    """learnflow.dates.DateTimeField's own fast path, without its checks of the field per value."""

    def convert(value):
        return iso_utc(value) if value.__class__ is datetime and value.tzinfo is UTC else slow(value)

    return convert


def _converter(field) -> Callable | None:
    """A function giving ``field.to_representation(value)`` for any value but ``None``; ``None`` if the
    field's class is not one this module knows (by the very function it represents values with)."""
    represent = type(field).to_representation
    slow = field.to_representation
    if represent is serializers.CharField.to_representation:
        return _same_type(str, slow)
    if represent is serializers.BooleanField.to_representation:
        return _same_type(bool, slow)
    if represent is serializers.IntegerField.to_representation:
        return _same_type(int, slow)
    if represent is serializers.ReadOnlyField.to_representation:
        return lambda value: value
    if represent is serializers.UUIDField.to_representation and field.uuid_format == "hex_verbose":
        return str
    if represent is serializers.ChoiceField.to_representation:
        choices = field.choice_strings_to_values
        return lambda value: choices.get(value, value) if value.__class__ is str else slow(value)
    if represent is DateTimeField.to_representation:
        iso = getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        return _utc_datetime(slow) if iso and getattr(field, "timezone", None) is None else None
    if represent is serializers.DateField.to_representation:
        iso = getattr(field, "format", api_settings.DATE_FORMAT) == ISO_8601
        return _iso(date, slow) if iso else None
    if represent is serializers.TimeField.to_representation:
        iso = getattr(field, "format", api_settings.TIME_FORMAT) == ISO_8601
        return _iso(time, slow) if iso else None
    if represent is serializers.ListField.to_representation:
        item = _converter(field.child)
        if item is None:
            return None
        return lambda value: [None if element is None else item(element) for element in value]
    return None


@functools.cache
def row_renderer(serializer_class: type) -> Callable[[dict], dict] | None:
    """A function rendering a row as ``serializer_class`` renders an object of the same values, or
    ``None`` when the class is not plain enough (see the module)."""
    if not issubclass(serializer_class, PrebuiltFields) or (
        serializer_class.to_representation is not PrebuiltFields.to_representation
        or getattr(getattr(serializer_class, "Meta", None), "list_serializer_class", None) is not None
    ):
        return None
    plan = []
    for field in serializer_class()._readable_fields:
        source, convert = plain_source(field), _converter(field)
        if source is None or convert is None:
            return None
        plan.append((field.field_name, source, convert))
    plan = tuple(plan)

    def render(row: dict) -> dict:
        return {name: None if (value := row[source]) is None else convert(value) for name, source, convert in plan}

    return render
