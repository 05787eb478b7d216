"""``/ws/notifications/``: the signed-in user's inbox, live."""

from channels.db import database_sync_to_async

from learnflow.live import CLOSE_UNAUTHENTICATED, LiveConsumer

from . import live


class NotificationConsumer(LiveConsumer):
    """On connect, ``{"type": "notifications.snapshot", "unread_count": N}``; then each notification
    created for the user (``notification.created``, with the notification as the REST API shows it
    and the new unread count) and each change of the count by marking read
    (``notifications.unread``). A user only ever joins their own group. When the account is deleted
    its sockets get ``account.deleted`` and close with 4401."""

    async def authorize(self) -> list[str]:
        return [live.notifications_group(self.scope["user"].pk)]

    async def on_connected(self) -> None:
        await self.send_event(await database_sync_to_async(live.snapshot)(user=self.scope["user"]))

    async def live_event(self, message: dict) -> None:
        await super().live_event(message)
        if message["event"].get("type") == live.ACCOUNT_DELETED:
            await self.close(CLOSE_UNAUTHENTICATED)
