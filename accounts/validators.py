"""Validation rules for account fields, shared by the model, the services and the API."""

import json
import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible

from learnflow.validators import validate_web_url

from .choices import ProfileVisibility

AVATAR_URL_MAX_LENGTH = 500
PREFERENCES_MAX_BYTES = 16 * 1024


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


# Avatars follow the rule of every URL field (learnflow.validators); migration 0001 names this one.
validate_avatar_url = validate_web_url


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
    cannot store them). ``profile_visibility``, when present, is one of ``ProfileVisibility``."""
    if not isinstance(value, dict):
        raise ValidationError("Preferences must be a JSON object.")
    visibility = value.get("profile_visibility", ProfileVisibility.PUBLIC)
    if not isinstance(visibility, str) or visibility not in ProfileVisibility.values:
        raise ValidationError(
            "profile_visibility must be one of: %(choices)s.", params={"choices": ", ".join(ProfileVisibility.values)}
        )
    if _has_nul(value):
        raise ValidationError("Preferences cannot contain NUL characters.")
    if len(json.dumps(value)) > PREFERENCES_MAX_BYTES:
        raise ValidationError(f"Preferences must be at most {PREFERENCES_MAX_BYTES} bytes of JSON.")
