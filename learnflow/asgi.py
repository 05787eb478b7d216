"""ASGI entry point (the live rooms' WebSockets will be mounted here)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")

application = get_asgi_application()
