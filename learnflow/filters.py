"""Filter backends every app's lists share."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError


class SearchFilter(filters.SearchFilter):
    """DRF's ``?search=``, whose refusal (a NUL character) names the parameter like every other 400."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except ValidationError as error:
            raise ValidationError({self.search_param: error.detail}) from None


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds the filterset and its form only when the request names
    one of its filters: a list read without filter parameters (most are) skips a form's worth of
    Python per request and gets the same rows, as every filter passes an absent value through. A
    parameter counts as naming a filter when it starts with the filter's name (range filters read
    ``<name>_after`` / ``<name>_min`` ...)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        if not any(param.startswith(names) for param in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
