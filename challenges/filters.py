import django_filters

from .choices import AchievementCategory
from .models import Achievement


class AchievementFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=AchievementCategory.choices)

    class Meta:
        model = Achievement
        fields = ("category",)
