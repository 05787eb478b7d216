"""Validation rules for account fields, shared by the model, the services and the API."""

import json
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.utils.deconstruct import deconstructible

AVATAR_URL_MAX_LENGTH = 500
PREFERENCES_MAX_BYTES = 16 * 1024

_http_url = URLValidator(schemes=["http", "https"])


@deconstructible
class UsernameValidator(RegexValidator):
    """Letters, digits and . + - _ only: no ``@``, so a login name is never mistaken for an email."""

    regex = r"^[\w.+-]+\Z"
    message = "Enter a username of letters, digits and . + - _ only."
    flags = 0


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_timezone(value: str) -> None:
    """A timezone is an IANA name such as ``Europe/Berlin`` (``UTC`` included)."""
    if value not in _timezones():
        raise ValidationError(
            "“%(value)s” is not an IANA timezone name such as Europe/Berlin.", params={"value": value}
        )


def validate_avatar_url(value: str) -> None:
    """An avatar is an http(s) URL or a site path such as ``/avatars/avatar-1.png``; never inline data."""
    if len(value) > AVATAR_URL_MAX_LENGTH:
        raise ValidationError(f"Ensure this value has at most {AVATAR_URL_MAX_LENGTH} characters.")
    if value.lower().startswith("data:"):
        raise ValidationError("Data URLs are not accepted: send the image's URL or path instead.")
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValidationError("An avatar URL cannot contain spaces or control characters.")
    if value.startswith("/") and not value.startswith("//"):
        return
    try:
        _http_url(value)
    except ValidationError:
        raise ValidationError("Enter an http(s) URL or a path starting with “/”.") from None


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def validate_preferences(value) -> None:
    """Preferences are a JSON object of modest size, without NUL characters (PostgreSQL's jsonb
    cannot store them)."""
    if not isinstance(value, dict):
        raise ValidationError("Preferences must be a JSON object.")
    if _has_nul(value):
        raise ValidationError("Preferences cannot contain NUL characters.")
    if len(json.dumps(value)) > PREFERENCES_MAX_BYTES:
        raise ValidationError(f"Preferences must be at most {PREFERENCES_MAX_BYTES} bytes of JSON.")
