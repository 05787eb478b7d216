"""Routing helpers: every path under ``/api/`` works with and without its trailing slash."""

import re

from django.urls import URLResolver, re_path
from django.urls.resolvers import RegexPattern
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


_FIRST_SEGMENT = re.compile(r"\^([A-Za-z0-9_-]+)(?=/|\$)")


def _first_segment(pattern) -> str | None:
    """The literal first path segment every path ``pattern`` matches starts with (``tasks`` for
    ``^tasks/?$``), or ``None`` when it is not a plain word followed by ``/`` or the end."""
    if isinstance(pattern, URLResolver):
        return None
    found = _FIRST_SEGMENT.match(str(pattern.pattern))
    return found.group(1) if found else None


class SegmentPattern(RegexPattern):
    """Matches a path whose first segment is ``segment`` and consumes nothing of it, so the patterns
    behind it see the whole path; it reads as nothing in routes, reversed URLs and the schema."""

    def __init__(self, segment: str):
        super().__init__("")
        self.segment = segment

    def match(self, path):
        if path.startswith(self.segment) and path[len(self.segment) : len(self.segment) + 1] in ("", "/"):
            return path, (), {}
        return None


def by_first_segment(patterns: list) -> list:
    """``patterns`` (path regexes under one prefix) with those sharing a literal first segment put
    behind one pattern matching that segment only. Django tries a path against its URL patterns one
    by one; with some 140 under ``/api/`` that cost up to half a millisecond per request. Now a path
    is tried against the ~30 segments and then its own few patterns.

    The result matches, and reverses, as ``patterns`` did. The segment pattern consumes nothing, so
    the patterns behind it see the same path and reverse to the same URL. Two patterns of different
    segments never match the same path, so moving them past each other changes nothing; a pattern
    without a literal first segment (the catch-all) could, so it keeps its place: only the patterns
    between two such are grouped, each segment at its first appearance."""
    grouped, buckets = [], {}

    def flush():
        for segment, bucket in buckets.items():
            if len(bucket) == 1:
                grouped.extend(bucket)
            else:
                grouped.append(URLResolver(SegmentPattern(segment), bucket))
        buckets.clear()

    for pattern in patterns:
        segment = _first_segment(pattern)
        if segment is None:
            flush()
            grouped.append(pattern)
        else:
            buckets.setdefault(segment, []).append(pattern)
    flush()
    return grouped
