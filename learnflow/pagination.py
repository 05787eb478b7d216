from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable, ValuesIterable
from rest_framework import pagination

#: The page query's column holding the size of the whole filtered list (read, then dropped from each row).
TOTAL = "_learnflow_page_total"


def _countable_in_page(object_list) -> bool:
    """Whether ``COUNT(*) OVER ()`` on the page query counts exactly what ``.count()`` would: a plain
    filtered queryset of model instances or ``values()`` dicts, with no DISTINCT, grouping, aggregate
    or combinator (there the window would count something else, or Django could not add it), on a
    database with window functions (PostgreSQL; SQLite since 3.25)."""
    if not isinstance(object_list, QuerySet) or object_list._iterable_class not in (ModelIterable, ValuesIterable):
        return False
    query = object_list.query
    return not (
        query.distinct
        or query.combinator
        or query.group_by is not None
        or query.is_sliced
        or query.select_for_update
        or any(getattr(annotation, "contains_aggregate", False) for annotation in query.annotations.values())
        or TOTAL in query.annotations
        or TOTAL in query.extra
        or any(TOTAL in (field.name, getattr(field, "attname", None)) for field in query.model._meta.get_fields())
        or not connections[object_list.db].features.supports_over_clause
    )


class ShortPagePaginator(DjangoPaginator):
    """Django's paginator that reads the page before it counts, and never runs a separate
    ``COUNT(*)`` where the page query can say it: the page query carries ``COUNT(*) OVER ()`` (the
    size of the whole filtered list, computed before LIMIT/OFFSET), so a non-empty page knows the total
    from its first row. A short page (fewer rows than a page holds) is the last one, so its total is
    also the rows before it plus its own; an empty page after the first is past the end (a 404); an
    empty first page is an empty list. Only a full page of a list the window cannot count (DISTINCT,
    grouped or aggregated rows, a union, a plain list) still counts with a query."""

    def page(self, number):
        if self.orphans:
            return super().page(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page
        counted = _countable_in_page(self.object_list)
        object_list = self.object_list.annotate(**{TOTAL: Window(Count("*"))}) if counted else self.object_list
        rows = list(object_list[bottom : bottom + self.per_page])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        if counted:
            for row in rows:
                total = (row if isinstance(row, dict) else row.__dict__).pop(TOTAL)
            self.__dict__["count"] = total if rows else 0  # the cached_property ``count``, known now
        elif len(rows) < self.per_page:
            self.__dict__["count"] = bottom + len(rows)
        else:
            self.validate_number(number)  # counts
        return self._get_page(rows, number, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (default 20, at most 100); the total comes with the page (see
    ``ShortPagePaginator``), so a page costs one query."""

    django_paginator_class = ShortPagePaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
