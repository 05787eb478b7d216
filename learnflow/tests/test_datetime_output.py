"""The API's datetime output is DRF's, byte for byte, for any instant in any zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, available_timezones

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from learnflow.dates import DateTimeField

ZONES = sorted(available_timezones())


@settings(max_examples=300, deadline=None)
@given(
    naive=st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 12, 30)),
    zone=st.sampled_from([None, "UTC", *ZONES]),
)
def test_a_datetime_renders_as_drfs_does(naive, zone):
    # given: an aware value as the database returns it (UTC) or in any other zone
    value = naive.replace(tzinfo=UTC) if zone is None else naive.replace(tzinfo=ZoneInfo(zone))
    # when
    ours = DateTimeField().to_representation(value)
    # then
    assert ours == serializers.DateTimeField().to_representation(value)


def test_none_and_strings_render_as_drfs_do():
    assert DateTimeField().to_representation(None) is None
    assert DateTimeField().to_representation("2030-01-01T00:00:00Z") == "2030-01-01T00:00:00Z"
