"""The API's URL patterns grouped by first segment resolve every path exactly as the flat list does."""

import re

import pytest
from django.urls import URLResolver, include, re_path
from django.urls.resolvers import RegexPattern
from drf_spectacular.generators import SchemaGenerator

from learnflow.routers import SegmentPattern, by_first_segment
from learnflow.urls import api_urlpatterns, api_urlpatterns_in_order


def resolver(patterns) -> URLResolver:
    return URLResolver(RegexPattern(r"^/"), [re_path(r"^api/", include(patterns))])


def answer(resolver_, path):
    match = resolver_.resolve(path)
    return match.func, match.args, match.kwargs, match.url_name, match.route


def sample_paths() -> list[str]:
    """Every documented path with its parameters filled in both ways (an id and a number), with and
    without the trailing slash, and a few that no pattern names."""
    paths = ["/api/", "/api/nope", "/api/tasks.json", "/api/tasksx/", "/api/task", "/api/users/me/extra"]
    for template in SchemaGenerator().get_schema(request=None, public=True)["paths"]:
        for value in ("0b0e8f4c-7d57-4a51-9c33-6a1b8e0f2d11", "7"):
            path = re.sub(r"\{[^}]+\}", value, template).rstrip("/")
            paths += [path, path + "/"]
    return paths


@pytest.mark.parametrize("path", sample_paths())
def test_a_path_resolves_as_with_the_flat_patterns(path):
    assert answer(resolver(api_urlpatterns), path) == answer(resolver(api_urlpatterns_in_order), path)


def test_a_pattern_without_a_first_segment_keeps_its_place():
    # given: a catch-all between two patterns of the same segment
    first = re_path(r"^a/?$", lambda request: None, name="first")
    catch_all = re_path(r"^(?P<anything>.*)$", lambda request: None, name="catch-all")
    shadowed = re_path(r"^a/b/?$", lambda request: None, name="shadowed")
    # when
    grouped = by_first_segment([first, re_path(r"^a/c/?$", lambda r: None, name="c"), catch_all, shadowed])
    # then: the catch-all still answers a/b
    assert isinstance(grouped[0], URLResolver) and isinstance(grouped[0].pattern, SegmentPattern)
    assert resolver(grouped).resolve("/api/a/b").url_name == "catch-all"
    assert resolver(grouped).resolve("/api/a/c").url_name == "c"
    assert resolver(grouped).resolve("/api/a").url_name == "first"


def test_the_api_is_grouped():
    assert len(api_urlpatterns) < len(api_urlpatterns_in_order) / 3
