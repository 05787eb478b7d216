from django.core.paginator import EmptyPage, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from rest_framework import pagination


class ShortPagePaginator(DjangoPaginator):
    """Django's paginator that reads the page before it counts: when the page comes back short (fewer
    rows than a page holds, and not empty unless it is the first), it is the last page, so the total
    is the rows before it plus its own, and the ``COUNT(*)`` query is saved. Most users' lists fit
    in one page, so most list requests cost one query fewer. A full page still counts (there may be
    more), and so does an empty page after the first (it may be past the end: a 404)."""

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
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if len(rows) < self.per_page and (rows or number == 1):
            self.__dict__["count"] = bottom + len(rows)  # the cached_property ``count``, known now
            return self._get_page(rows, number, self)
        number = self.validate_number(number)  # counts
        return self._get_page(rows, number, self)


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (default 20, at most 100); a short page costs no ``COUNT``."""

    django_paginator_class = ShortPagePaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
