from django.urls import re_path

from learnflow.routers import UUID_REGEX, OptionalSlashRouter

from .views import AchievementViewSet, ChallengeViewSet, UserAchievementsView

router = OptionalSlashRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("achievements", AchievementViewSet, basename="achievement")

urlpatterns = [
    re_path(
        rf"^users/(?P<user_id>{UUID_REGEX})/achievements/?$", UserAchievementsView.as_view(), name="user-achievements"
    ),
]
