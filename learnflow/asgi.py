"""ASGI entry point: HTTP through Django, WebSockets under ``/ws/`` through ``learnflow.live``.

Production serves HTTP with gunicorn (``learnflow.wsgi``, faster for this sync API) and WebSockets
with uvicorn on this application; ``make run`` serves both with uvicorn. Each app declares its
WebSocket routes in its ``routing.py`` (``websocket_urlpatterns``); they are listed here, like the
API's URL modules in ``learnflow/urls.py``. HTTP bodies pass ``AsgiBodyLimit`` first: Django's ASGI
handler reads a whole body before any middleware could refuse it.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

# Django is set up (apps loaded) before any consumer module is imported.
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from accounts import routing as accounts_routing  # noqa: E402
from focus.rooms import routing as rooms_routing  # noqa: E402
from learnflow.live import websocket_application  # noqa: E402
from learnflow.logging import redact_server_logs  # noqa: E402
from learnflow.middleware import AsgiBodyLimit  # noqa: E402

WEBSOCKET_ROUTING_MODULES = (accounts_routing, rooms_routing)

redact_server_logs()

application = ProtocolTypeRouter(
    {
        "http": AsgiBodyLimit(django_application),
        "websocket": websocket_application(
            [pattern for module in WEBSOCKET_ROUTING_MODULES for pattern in module.websocket_urlpatterns]
        ),
    }
)
