"""Helpers for tests of every app."""

from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken


def access_token_for(user) -> str:
    return str(AccessToken.for_user(user))


def client_for(user) -> APIClient:
    """An API client that sends a real access token for ``user``."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access_token_for(user)}")
    return client
