import django_filters
from django.db.models import F

from focus.rooms.models import Room


class RoomFilter(django_filters.FilterSet):
    group = django_filters.UUIDFilter(field_name="group", label="rooms of this group")
    has_free_seats = django_filters.BooleanFilter(method="filter_free", label="rooms with a free seat (or full ones)")

    class Meta:
        model = Room
        fields = ("group", "visibility", "has_free_seats")

    def filter_free(self, queryset, name, value):
        if value:
            return queryset.filter(participant_count__lt=F("max_participants"))
        return queryset.filter(participant_count__gte=F("max_participants"))
