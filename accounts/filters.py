import django_filters

from .choices import NotificationKind
from .models import Notification


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Only unread (true) or read (false)"
    )
    kind = django_filters.MultipleChoiceFilter(choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ("unread", "kind")
