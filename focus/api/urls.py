from focus.rooms.api.views import RoomViewSet
from learnflow.routers import OptionalSlashRouter, api_path

from .views import (
    CurrentSessionView,
    DailySummaryView,
    FocusSessionViewSet,
    ShutdownHistoryView,
    ShutdownReflectionView,
    ShutdownSummaryView,
    StudySessionViewSet,
    WeeklySummaryView,
)

router = OptionalSlashRouter()
router.register("focus-sessions", FocusSessionViewSet, basename="focus-session")
router.register("study-sessions", StudySessionViewSet, basename="study-session")
router.register("rooms", RoomViewSet, basename="room")

urlpatterns = [
    api_path("current-session", CurrentSessionView.as_view(), name="current-session"),
    api_path("daily-summary", DailySummaryView.as_view(), name="daily-summary"),
    api_path("weekly-summary", WeeklySummaryView.as_view(), name="weekly-summary"),
    api_path("dashboard/shutdown-summary", ShutdownSummaryView.as_view(), name="shutdown-summary"),
    api_path("dashboard/shutdown-reflection", ShutdownReflectionView.as_view(), name="shutdown-reflection"),
    api_path("dashboard/shutdown-history", ShutdownHistoryView.as_view(), name="shutdown-history"),
]
