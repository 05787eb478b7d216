from django.urls import re_path

from learnflow.routers import UUID_REGEX, OptionalSlashRouter, api_path

from .forum_views import CommentLikeView, CommentView, PostViewSet
from .messaging_views import (
    ConversationListView,
    ConversationMessagesView,
    ConversationReadView,
    SendView,
    UnreadCountView,
)
from .resource_views import ResourceViewSet
from .views import GroupViewSet, InvitationViewSet

router = OptionalSlashRouter()
router.register("groups", GroupViewSet, basename="group")
router.register("invitations", InvitationViewSet, basename="invitation")
router.register("community/posts", PostViewSet, basename="post")
router.register("resources", ResourceViewSet, basename="resource")

urlpatterns = [
    api_path("messages/send", SendView.as_view(), name="message-send"),
    api_path("messages/conversations", ConversationListView.as_view(), name="conversation-list"),
    re_path(
        rf"^messages/conversations/(?P<conversation_id>{UUID_REGEX})/?$",
        ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    re_path(
        rf"^messages/conversations/(?P<conversation_id>{UUID_REGEX})/read/?$",
        ConversationReadView.as_view(),
        name="conversation-read",
    ),
    api_path("messages/unread-count", UnreadCountView.as_view(), name="message-unread-count"),
    re_path(rf"^community/comments/(?P<comment_id>{UUID_REGEX})/?$", CommentView.as_view(), name="comment-detail"),
    re_path(
        rf"^community/comments/(?P<comment_id>{UUID_REGEX})/like/?$", CommentLikeView.as_view(), name="comment-like"
    ),
]
