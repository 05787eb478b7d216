"""Helpers for tests of every app."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


def client_for(user) -> APIClient:
    """An API client that sends a real access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client
