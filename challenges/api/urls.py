from learnflow.routers import OptionalSlashRouter

from .views import AchievementViewSet, ChallengeViewSet

router = OptionalSlashRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("achievements", AchievementViewSet, basename="achievement")

urlpatterns = []
