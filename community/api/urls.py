from learnflow.routers import OptionalSlashRouter

from .views import GroupViewSet, InvitationViewSet

router = OptionalSlashRouter()
router.register("groups", GroupViewSet, basename="group")
router.register("invitations", InvitationViewSet, basename="invitation")

urlpatterns = []
