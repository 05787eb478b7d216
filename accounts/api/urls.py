from learnflow.routers import OptionalSlashRouter, api_path

from .views import (
    DataExportViewSet,
    LoginView,
    LogoutView,
    NotificationViewSet,
    RefreshView,
    RegisterView,
    UserViewSet,
    VerifyView,
)

router = OptionalSlashRouter()
router.register("users/me/export", DataExportViewSet, basename="data-export")
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    api_path("user", RegisterView.as_view(), name="register"),
    api_path("auth/register", RegisterView.as_view(), name="auth-register"),
    api_path("token", LoginView.as_view(), name="token-obtain"),
    api_path("token/refresh", RefreshView.as_view(), name="token-refresh"),
    api_path("token/verify", VerifyView.as_view(), name="token-verify"),
    api_path("token/blacklist", LogoutView.as_view(), name="token-blacklist"),
    api_path("auth/logout", LogoutView.as_view(), name="auth-logout"),
]
