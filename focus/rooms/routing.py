"""The focus rooms' WebSocket routes (mounted by ``learnflow/asgi.py``)."""

from django.urls import re_path

from learnflow.routers import UUID_REGEX

from .consumers import RoomConsumer

websocket_urlpatterns = [
    re_path(rf"^ws/rooms/(?P<room_id>{UUID_REGEX})/?$", RoomConsumer.as_asgi()),
]
