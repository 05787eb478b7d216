"""Routing helpers: every path under ``/api/`` works with and without its trailing slash."""

from django.urls import re_path
from rest_framework.routers import DefaultRouter, SimpleRouter


class OptionalSlashRouter(SimpleRouter):
    """An app's router; the root router takes over its registry."""

    def __init__(self):
        super().__init__(trailing_slash=True)
        self.trailing_slash = "/?"


class OptionalSlashRootRouter(DefaultRouter):
    """The root router: an index at ``/api/`` and every app's viewsets beneath it."""

    include_format_suffixes = False

    def __init__(self):
        super().__init__(trailing_slash=True)
        self.trailing_slash = "/?"


def api_path(route: str, view, name: str):
    """A non-router API path that answers with and without its trailing slash."""
    return re_path(rf"^{route}/?$", view, name=name)


#: A UUID in a path; a viewset sets ``lookup_value_regex = UUID_REGEX`` so ``/users/me`` never reads
#: as an id and a malformed id is a plain 404.
UUID_REGEX = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
