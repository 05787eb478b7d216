import django_filters

from .choices import GroupType, Visibility
from .models import Group


class GroupFilter(django_filters.FilterSet):
    group_type = django_filters.ChoiceFilter(choices=GroupType.choices)
    visibility = django_filters.ChoiceFilter(choices=Visibility.choices)
    only_joined = django_filters.BooleanFilter(method="filter_only_joined", label="only groups you belong to")

    class Meta:
        model = Group
        fields = ("group_type", "visibility", "only_joined")

    def filter_only_joined(self, queryset, name, value):
        return queryset.filter(is_member=True) if value else queryset
