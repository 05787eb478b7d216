"""What the inbox pushes to ``/ws/notifications/``: the user's new notifications and unread count.

Each user's sockets share one group; events go out after the commit that made them (never for a
rollback), with the unread count read after that commit, so the badge a client shows is the count
the REST API would answer at that moment.
"""

from learnflow import live

from . import selectors
from .models import Notification, User

SNAPSHOT = "notifications.snapshot"
CREATED = "notification.created"
UNREAD = "notifications.unread"
ACCOUNT_DELETED = "account.deleted"


def notifications_group(user_id) -> str:
    return live.group_name("notifications", user_id)


def snapshot(*, user: User) -> dict:
    """What a socket receives first: the unread count it starts from."""
    return {"type": SNAPSHOT, "unread_count": selectors.notification_unread_count(user=user)}


def notification_created(*, notification: Notification) -> None:
    """Push a new notification (as the REST API shows it) and the new unread count."""
    from .api.serializers import NotificationSerializer

    def event() -> dict:
        return {
            "type": CREATED,
            "notification": NotificationSerializer(notification).data,
            "unread_count": selectors.notification_unread_count(user=notification.user_id),
        }

    live.send_after_commit(notifications_group(notification.user_id), event)


def unread_changed(*, user_id) -> None:
    """Push the unread count after notifications were marked read."""
    live.send_after_commit(
        notifications_group(user_id),
        lambda: {"type": UNREAD, "unread_count": selectors.notification_unread_count(user=user_id)},
    )


def account_deleted(*, user_id) -> None:
    """Tell the user's open sockets that the account is gone; they close with 4401 (as a socket whose
    token names no user is refused)."""
    live.send_after_commit(notifications_group(user_id), {"type": ACCOUNT_DELETED})
