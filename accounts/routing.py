"""The accounts app's WebSocket routes (mounted by ``learnflow/asgi.py``)."""

from django.urls import re_path

from .consumers import NotificationConsumer

websocket_urlpatterns = [
    re_path(r"^ws/notifications/?$", NotificationConsumer.as_asgi()),
]
