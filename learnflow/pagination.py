from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import IntegerField, QuerySet, Subquery
from django.db.models.query import ModelIterable, ValuesIterable
from rest_framework import pagination

#: The page query's column holding the size of the whole filtered list (read, then dropped from each row).
TOTAL = "_learnflow_page_total"


class _ListSize(Subquery):
    """``(SELECT COUNT(*) FROM (<the list's query>))`` in the page query's select list: PostgreSQL
    runs it once (an InitPlan, the plan of a separate ``COUNT``), and the page keeps its own plan
    (an index read stopping at the LIMIT). ``COUNT(*) OVER ()`` would say the same, but makes the
    database build every matching row in full (joins, subqueries of the select list) before the
    LIMIT: ten times the separate ``COUNT`` on a forum of 200,000 posts."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _learnflow_list)"
    output_field = IntegerField()


def _countable_in_page(object_list) -> bool:
    """Whether the page query can carry the list's size: a plain filtered queryset of model instances
    or ``values()`` dicts, with no DISTINCT, grouping, aggregate, slice or combinator (those keep
    Django's own ``COUNT``), and no field or annotation of the column's name."""
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
    )


def with_list_size(queryset: QuerySet) -> QuerySet:
    """``queryset`` whose rows also carry the size of the whole list (the ``TOTAL`` column) where the
    page query can say it (see ``_countable_in_page``), else ``queryset`` itself: for a list read from
    a compiled query (``learnflow.views.CompiledListMixin``), which the paginator cannot annotate."""
    if not _countable_in_page(queryset):
        return queryset
    return queryset.annotate(**{TOTAL: _ListSize(queryset.order_by().values("pk"))})


class ShortPagePaginator(DjangoPaginator):
    """Django's paginator that never runs a separate ``COUNT(*)`` where the page query can say it:
    the page query carries the size of the whole filtered list (``_ListSize``), so a non-empty page
    knows the total from its first row; an empty page after the first is past the end (a 404), an
    empty first page an empty list. A list the page query cannot count (DISTINCT, grouped or
    aggregated rows, a union, a plain list) is read first: a short page (the last) is counted as the
    rows before it plus its own, and only a full page still counts with a query."""

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
        object_list = self.object_list
        if counted:
            object_list = object_list.annotate(**{TOTAL: _ListSize(object_list.order_by().values("pk"))})
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
