import django_filters
from rest_framework.exceptions import ValidationError

from .choices import DueDateRange, GoalCategory, Priority
from .models import Goal, Task
from .selectors import task_due_range_q, task_tags_any_q


class ChoiceInFilter(django_filters.BaseInFilter, django_filters.ChoiceFilter):
    """``?priority=high`` or ``?priority=high,medium``."""


class TaskFilter(django_filters.FilterSet):
    completed = django_filters.BooleanFilter()
    priority = ChoiceInFilter(choices=Priority.choices, lookup_expr="in")
    tags = django_filters.CharFilter(method="filter_tags", label="Tasks having any of these comma-separated tags")
    due_date_range = django_filters.ChoiceFilter(
        choices=DueDateRange.choices, method="filter_due_date_range", label="today, upcoming or overdue (your timezone)"
    )
    ordering = django_filters.OrderingFilter(
        fields=(("due_date", "due_date"), ("priority_rank", "priority"), ("created_at", "created_at")),
    )

    class Meta:
        model = Task
        fields = ("completed", "priority", "tags", "due_date_range")

    def filter_tags(self, queryset, name, value):
        tags = [tag.strip().lower() for tag in value.split(",") if tag.strip()]
        if not tags:
            return queryset
        if len(tags) > 20:
            raise ValidationError({"tags": ["Filter by at most 20 tags."]})
        return queryset.filter(task_tags_any_q(tags))

    def filter_due_date_range(self, queryset, name, value):
        return queryset.filter(task_due_range_q(user=self.request.user, due_range=value))


class GoalFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=GoalCategory.choices)
    is_complete = django_filters.BooleanFilter()

    class Meta:
        model = Goal
        fields = ("category", "is_complete")
