"""Avatars: where an uploaded one is stored, the URL every reader shows, and the generated default.

Avatars are public. Every user has one URL, ``User.avatar_url``, never ``null``:

* an **uploaded** avatar is stored as two square WebP renditions, ``avatars/<user id>/<random>-512.webp``
  and ``-96.webp``; its URL is our public endpoint ``/api/users/<id>/avatar?v=<random>``, which
  streams the file (file system) or redirects to a fresh presigned URL (S3). The URL is stable while
  the avatar is (presigned URLs expire within minutes, so none is ever stored), and changes with
  the avatar, so browsers may cache it for long;
* an **external** avatar (an ``http(s)`` URL or a path the user gave) is shown as given;
* without either, a **generated default**: the user's initials on a colour derived from their id,
  an SVG served by the same endpoint (``?v=`` changes when the initials do).
"""

import base64
import colorsys
import hashlib
import secrets

from django.utils.html import escape

from learnflow import files

#: Rendition sizes in pixels (square); the first is the one ``avatar_url`` shows.
AVATAR_SIZES = (512, 96)

#: Types an uploaded avatar may be (decided by its bytes), as named in a refusal.
AVATAR_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}

#: The content type every stored rendition has.
RENDITION_TYPE = "image/webp"


def new_key(user_id) -> str:
    """The stem of a new upload's objects; random, so a replaced avatar never shares a URL."""
    return f"avatars/{user_id}/{secrets.token_hex(8)}"


def object_name(key: str, size: int) -> str:
    return f"{key}-{size}.webp"


def object_names(key: str) -> list[str]:
    return [object_name(key, size) for size in AVATAR_SIZES]


#: The prefix of every stored avatar object (the orphan sweeper's, ``hooks.stored_object_owners``).
PREFIX = "avatars/"


def objects_in_use(*, names: list[str]) -> set[str]:
    """Of the stored objects ``names`` (under ``avatars/``), those a user's current avatar is made of;
    the rest are orphans (a replaced avatar whose delete failed, a deleted account's, an upload whose
    transaction rolled back). One query, by the user ids the names carry."""
    from accounts.models import User

    user_ids = files.owner_ids(names)
    keys = User.objects.filter(pk__in=user_ids).exclude(avatar_key="").values_list("avatar_key", flat=True)
    current = {name for key in keys for name in object_names(key)}
    return current & set(names)


def endpoint_path(user_id) -> str:
    return f"/api/users/{user_id}/avatar"


def initials(*, username: str, full_name: str) -> str:
    """Up to two letters or digits: the first of the full name's first and last words, else the
    first of the username (``?`` when there is none)."""
    firsts = [next((c for c in word if c.isalnum()), "") for word in (full_name or "").split()]
    firsts = [c for c in firsts if c]
    if len(firsts) >= 2:
        return (firsts[0] + firsts[-1]).upper()
    if firsts:
        return firsts[0].upper()
    return next((c for c in username or "" if c.isalnum()), "?").upper()


def colour(user_id) -> str:
    """A colour of the user's own, stable for the account's life: a hue from a hash of the id,
    dark enough for white initials to read."""
    hue = int(hashlib.sha256(str(user_id).encode()).hexdigest()[:8], 16) % 360
    red, green, blue = colorsys.hls_to_rgb(hue / 360, 0.38, 0.55)
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def default_version(*, username: str, full_name: str) -> str:
    return "d" + hashlib.sha256(initials(username=username, full_name=full_name).encode()).hexdigest()[:8]


def default_svg(*, user_id, username: str, full_name: str) -> bytes:
    """The generated default avatar: initials (escaped) on the user's colour."""
    text = escape(initials(username=username, full_name=full_name))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">'
        f'<rect width="512" height="512" fill="{colour(user_id)}"/>'
        '<text x="256" y="256" dy="0.35em" text-anchor="middle" fill="#ffffff" '
        'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="200" '
        f'font-weight="600">{text}</text></svg>'
    ).encode()


#: The avatar of an account that was deleted (its posts and messages stay): a neutral silhouette,
#: inline, as nobody's files or endpoint may name it.
DELETED_AVATAR_URL = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(
        b'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">'
        b'<rect width="96" height="96" fill="#9ca3af"/><circle cx="48" cy="38" r="16" fill="#e5e7eb"/>'
        b'<path d="M16 88c4-18 16-26 32-26s28 8 32 26z" fill="#e5e7eb"/></svg>'
    ).decode()
)


def avatar_url(user) -> str:
    """The URL that shows ``user``'s avatar (module docstring)."""
    if user.avatar_key:
        return files.public_url(f"{endpoint_path(user.pk)}?v={version(user)}")
    if user.avatar_source:
        return user.avatar_source
    return files.public_url(f"{endpoint_path(user.pk)}?v={version(user)}")


def version(user) -> str:
    """What ``?v=`` holds for the avatar the endpoint serves now: the upload's random part, or a
    digest of the default's initials."""
    if user.avatar_key:
        return user.avatar_key.rsplit("/", 1)[-1]
    return default_version(username=user.username, full_name=user.full_name)
