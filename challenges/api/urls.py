from learnflow.routers import OptionalSlashRouter

from .views import ChallengeViewSet

router = OptionalSlashRouter()
router.register("challenges", ChallengeViewSet, basename="challenge")

urlpatterns = []
