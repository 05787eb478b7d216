from learnflow.routers import OptionalSlashRouter, api_path

from .views import StatsView, WeeklyReviewNowView, WeeklyReviewViewSet

router = OptionalSlashRouter()
router.register("weekly-reviews", WeeklyReviewViewSet, basename="weekly-review")

urlpatterns = [
    api_path("stats", StatsView.as_view(), name="stats"),
    api_path("weekly-review", WeeklyReviewNowView.as_view(), name="weekly-review-now"),
]
