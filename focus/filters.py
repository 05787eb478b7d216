from datetime import timedelta

import django_filters

from learnflow.dates import DateFilter
from learnflow.timeutils import local_midnight, user_zone

from .choices import SessionSource, SessionStatus, SessionType
from .models import StudySession


class StudySessionFilter(django_filters.FilterSet):
    date_from = DateFilter(method="filter_date_from", label="started on or after this local date")
    date_to = DateFilter(method="filter_date_to", label="started on or before this local date")
    topic = django_filters.CharFilter(lookup_expr="icontains")
    session_type = django_filters.ChoiceFilter(choices=SessionType.choices)
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)
    source = django_filters.ChoiceFilter(choices=SessionSource.choices)
    verified = django_filters.BooleanFilter()
    group = django_filters.UUIDFilter(field_name="group", label="sessions in this group (kept after leaving it)")

    class Meta:
        model = StudySession
        fields = ("date_from", "date_to", "topic", "session_type", "status", "source", "verified", "group")

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=local_midnight(user_zone(self.request.user), value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=local_midnight(user_zone(self.request.user), value + timedelta(days=1)))
