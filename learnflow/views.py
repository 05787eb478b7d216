"""View pieces every app shares."""

import uuid

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from learnflow.compiled import CompiledRows, CompiledValues
from learnflow.pagination import TOTAL, with_list_size
from learnflow.rendering import row_renderer

#: The query parameters of a plain list: the page's.
PAGE_PARAMETERS = frozenset({"page", "page_size"})


class Row:
    """A compiled row (a dict) as an object, its fields as attributes: plain ``__dict__`` reads, which
    ``learnflow.serializers.PrebuiltFields`` takes without DRF's attribute walk."""

    def __init__(self, fields: dict):
        self.__dict__.update(fields)


class OwnedQuerysetMixin:
    """The queryset starts from what the caller owns (``owned_queryset``), so another user's object is
    simply not found: a 404, never a 403. While the OpenAPI schema is generated there is no caller,
    and the view answers an empty queryset of ``owned_model``."""

    owned_model = None

    def owned_queryset(self, user):
        raise ImproperlyConfigured(f"{type(self).__name__} must say which rows its caller owns")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.owned_model.objects.none()
        return self.owned_queryset(self.request.user)


class CompiledListMixin:
    """A list view whose plain list (no query parameter but the page's: no filter, search or
    ordering), the one a screen loads, is read from a compiled query (``learnflow.compiled``) of
    ``compiled_list_query(user=<the caller's id>)``: a ``values()`` queryset of the rows the
    serializer shows, in the list's order, which also carries the list's size where the page query
    can (``learnflow.pagination.with_list_size``). Any other list goes the queryset's way. A row is
    rendered straight from its values where the serializer allows it (``learnflow.rendering``), else
    the serializer reads it as it reads a model instance (``compiled_row``: its fields as attributes,
    or whatever object a view makes of it)."""

    compiled_list: CompiledValues

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Rows the view does not turn into objects of its own are rendered without DRF's field objects
        # where the serializer allows it (learnflow.rendering).
        cls.renders_plain_rows = cls.compiled_row is CompiledListMixin.compiled_row
        query = cls.compiled_list_query
        cls.compiled_list = CompiledValues(lambda *, user: with_list_size(query(user=user)), user=uuid.UUID)

    @staticmethod
    def compiled_list_query(*, user) -> QuerySet:
        raise ImproperlyConfigured("a CompiledListMixin view says its plain list's query")

    def compiled_row(self, row: dict) -> Row:
        """A row as the serializer reads it."""
        return Row(row)

    def list(self, request, *args, **kwargs):
        if request.query_params.keys() - PAGE_PARAMETERS or not request.user.is_authenticated:
            return super().list(request, *args, **kwargs)
        rows = CompiledRows(self.compiled_list, total=TOTAL, user=request.user.pk)
        page = self.paginate_queryset(rows)
        render = row_renderer(self.get_serializer_class()) if self.renders_plain_rows else None
        if render is not None:
            return self.get_paginated_response([render(row) for row in page])
        serializer = self.get_serializer([self.compiled_row(row) for row in page], many=True)
        return self.get_paginated_response(serializer.data)
