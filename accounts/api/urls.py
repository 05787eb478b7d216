from rest_framework_simplejwt.views import TokenBlacklistView, TokenVerifyView

from learnflow.routers import OptionalSlashRouter, api_path

from .views import LoginView, NotificationViewSet, RefreshView, RegisterView, UserViewSet

router = OptionalSlashRouter()
router.register("users", UserViewSet, basename="user")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    api_path("user", RegisterView.as_view(), name="register"),
    api_path("auth/register", RegisterView.as_view(), name="auth-register"),
    api_path("token", LoginView.as_view(), name="token-obtain"),
    api_path("token/refresh", RefreshView.as_view(), name="token-refresh"),
    api_path("token/verify", TokenVerifyView.as_view(), name="token-verify"),
    api_path("token/blacklist", TokenBlacklistView.as_view(), name="token-blacklist"),
    api_path("auth/logout", TokenBlacklistView.as_view(), name="auth-logout"),
]
