"""The one rule for dates and times that come in from outside: years 1900 to 2200.

A date (``YYYY-MM-DD``, a ``YYYY-MM`` month, an RRULE ``UNTIL``) is accepted when its year is 1900 to
2200; a datetime when the instant, in UTC, falls in those years. Anything else is a 400 naming the
parameter or field. The bound keeps every stored date and every date derived from one (local
midnights in any timezone from UTC-12 to UTC+14, the next week or month, a recurrence, a reminder
moved to another timezone) far inside what Python and PostgreSQL can represent, so no input reaches
an overflow. Serializers take ``DateField`` / ``DateTimeField`` from here (``ModelSerializer`` maps
model date fields to them), django-filter takes ``DateFilter``, and views read query parameters with
``date_param`` / ``month_param``.
"""

from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.settings import ISO_8601, api_settings

from .serializers import PrebuiltFields

MIN_YEAR = 1900
MAX_YEAR = 2200
MIN_DATE = date(MIN_YEAR, 1, 1)
MAX_DATE = date(MAX_YEAR, 12, 31)
MIN_DATETIME = datetime.combine(MIN_DATE, time.min, tzinfo=UTC)
MAX_DATETIME = datetime.combine(MAX_DATE, time.max, tzinfo=UTC)
OUT_OF_RANGE = f"Enter a date in the years {MIN_YEAR} to {MAX_YEAR}."
ZERO = timedelta(0)
OUT_OF_RANGE_DATETIME = f"Enter a date and time in the years {MIN_YEAR} to {MAX_YEAR} (UTC)."


def iso_utc(value: datetime) -> str:
    """An aware datetime as the API writes it: ISO 8601, ``Z`` for a UTC offset of zero (DRF's form)."""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def date_in_range(value: date) -> bool:
    return MIN_DATE <= value <= MAX_DATE


def datetime_in_range(value: datetime) -> bool:
    return MIN_DATETIME <= value <= MAX_DATETIME


def validate_date_range(value: date) -> None:
    """Validator for dates (Django and DRF both accept Django's ``ValidationError``)."""
    if isinstance(value, datetime):
        if not datetime_in_range(value):
            raise DjangoValidationError(OUT_OF_RANGE_DATETIME, code="date_range")
    elif not date_in_range(value):
        raise DjangoValidationError(OUT_OF_RANGE, code="date_range")


class DateField(serializers.DateField):
    """A serializer date in years 1900 to 2200."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_range)


class DateTimeField(serializers.DateTimeField):
    """A serializer datetime whose UTC instant is in years 1900 to 2200 (an instant that overflows
    on the way to UTC, such as ``0001-01-01T00:00:00+05:00``, gets the same answer)."""

    default_error_messages = {"overflow": OUT_OF_RANGE_DATETIME}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_date_range)

    def to_representation(self, value):
        """DRF's ISO 8601 output, read straight off a UTC value: the API's timezone is UTC (``TIME_ZONE``;
        no code activates another), so DRF's per-value lookup of the current timezone and its
        conversion to it change nothing; any other value goes DRF's way."""
        if (
            isinstance(value, datetime)
            and value.utcoffset() == ZERO
            and getattr(self, "format", api_settings.DATETIME_FORMAT) == ISO_8601
            and getattr(self, "timezone", None) is None
        ):
            return iso_utc(value)
        return super().to_representation(value)


class ModelSerializerDates:
    """Mixin for ``ModelSerializer``: model date fields become the range-checked fields above."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: DateField,
        models.DateTimeField: DateTimeField,
    }


class ModelSerializer(PrebuiltFields, ModelSerializerDates, serializers.ModelSerializer):
    """Every LearnFlow model serializer: DRF's, with the date range rule on model date fields, and
    its fields built once per class (``learnflow.serializers.PrebuiltFields``)."""


class _RangeDateFormField(forms.DateField):
    default_validators = [validate_date_range]


class DateFilter(django_filters.DateFilter):
    """django-filter's date filter, refusing dates outside years 1900 to 2200 (a 400 naming it)."""

    field_class = _RangeDateFormField


def parse_date_param(raw: str, name: str) -> date:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: ["Enter a date as YYYY-MM-DD."]}) from None
    if not date_in_range(value):
        raise ValidationError({name: [OUT_OF_RANGE]})
    return value


def date_param(request, name: str, default: date) -> date:
    """A ``YYYY-MM-DD`` query parameter in the date range; ``default`` when absent."""
    raw = request.query_params.get(name)
    return parse_date_param(raw, name) if raw else default


def month_param(request, name: str, default: date) -> date:
    """The first day of a ``YYYY-MM`` query parameter in the date range; ``default`` when absent."""
    raw = request.query_params.get(name)
    if not raw:
        return default
    try:
        first = datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        raise ValidationError({name: ["Enter a month as YYYY-MM."]}) from None
    if not date_in_range(first):
        raise ValidationError({name: [OUT_OF_RANGE]})
    return first
