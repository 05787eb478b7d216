"""The orjson renderer answers what DRF's JSON renderer answered."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from learnflow.renderers import ORJSONRenderer

SAMPLE = {
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "when": dt.datetime(2026, 12, 6, 20, 1, 2, 345678, tzinfo=dt.UTC),
    "day": dt.date(2026, 12, 6),
    "amount": Decimal("2.50"),
    "label": gettext_lazy("Tasks"),
    "name": "Zoë ✓",
    "nested": [{"n": 1, "ok": True, "none": None, "ratio": 0.25}],
    7: "an int key",
}


def test_the_output_is_drfs():
    assert ORJSONRenderer().render(SAMPLE) == JSONRenderer().render(SAMPLE)


def test_an_integer_beyond_64_bits_is_rendered_as_drf_did():
    data = {"preferences": {"big": 2**70, "list": [-(2**80)]}}
    assert (
        ORJSONRenderer().render(data)
        == JSONRenderer().render(data)
        == b'{"preferences":{"big":1180591620717411303424,"list":[-1208925819614629174706176]}}'
    )


def test_nothing_renders_as_empty():
    assert ORJSONRenderer().render(None) == b""


def test_indented_json_on_request_is_drfs():
    # when
    rendered = ORJSONRenderer().render(SAMPLE, "application/json; indent=2")
    # then
    assert rendered == JSONRenderer().render(SAMPLE, "application/json; indent=2")
    assert b'\n  "id"' in rendered


@pytest.mark.django_db
def test_api_answers_are_rendered_by_orjson(auth_client):
    # when
    response = auth_client.get("/api/tasks/")
    # then
    assert isinstance(response.accepted_renderer, ORJSONRenderer)
    assert response.json()["count"] == 0
