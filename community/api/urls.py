from django.urls import re_path

from learnflow.routers import UUID_REGEX, OptionalSlashRouter

from .forum_views import CommentLikeView, CommentView, PostViewSet
from .views import GroupViewSet, InvitationViewSet

router = OptionalSlashRouter()
router.register("groups", GroupViewSet, basename="group")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("community/posts", PostViewSet, basename="post")

urlpatterns = [
    re_path(rf"^community/comments/(?P<comment_id>{UUID_REGEX})/?$", CommentView.as_view(), name="comment-detail"),
    re_path(
        rf"^community/comments/(?P<comment_id>{UUID_REGEX})/like/?$", CommentLikeView.as_view(), name="comment-like"
    ),
]
