"""JWT authentication with the token's user cached for a short while.

simplejwt's ``JWTAuthentication`` reads the user row for every request: on a typical list that was one
of its three queries. ``CachedUserJWTAuthentication`` keeps the user (the whole row, as the API reads
it from ``request.user``) in the cache for ``LEARNFLOW_AUTH_USER_CACHE_SECONDS`` (30; 0 turns it off),
and refuses an inactive or deleted user exactly as simplejwt does.

The rule that keeps it fresh: every change to a user row drops its entry *at once* when the change
commits (``post_save`` / ``post_delete``, and ``users_changed`` for bulk ``QuerySet.update``), so a
deactivated or deleted account, a new password or another tier is seen by the very next request.
Dropping writes a tombstone rather than deleting the key, and only ``cache.add`` (set if absent)
fills the cache: a request that read the old row just before the change committed cannot put it back
afterwards; the user is read from the database until the tombstone expires.

The token itself is verified once per process: PyJWT's check of the signature and the claims costs
more Python than the rest of the authentication, so a verified access token is kept (in memory, the
last ``VERIFIED_TOKENS`` of them) and each later request with the same token only checks that it has
not expired since. A token that fails verification is never kept.

The cache is an optimisation only: any cache error (Redis down) falls back to the database, never a
500. A change made while Redis is unreachable cannot write its tombstone, so an entry cached before
that outage may then outlive the change by at most the cache lifetime (30 s).
"""

import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import aware_utcnow

from learnflow.cache import CacheReads

logger = logging.getLogger(__name__)

_TOMBSTONE = "changed"
VERIFIED_TOKENS = 4096


@functools.lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(raw_token: bytes):
    """The token of ``raw_token`` as simplejwt verifies it (raising, and then not cached, if invalid)."""
    return JWTAuthentication().get_validated_token(raw_token)


def _key(user_id) -> str:
    return f"auth-user:{user_id}"


def users_changed(user_ids) -> None:
    """Drop the cached users ``user_ids`` now and again when the current transaction commits.
    Call it after changing users without ``save()`` / ``delete()`` (``QuerySet.update``)."""
    keys = [_key(user_id) for user_id in user_ids]
    if not keys or not settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS:
        return

    def drop():
        try:
            cache.set_many(dict.fromkeys(keys, _TOMBSTONE), timeout=settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS)
        except Exception:
            logger.warning("auth user cache: could not drop %d user(s)", len(keys), exc_info=True)

    drop()  # before the commit too: a request from now on reads the database (this transaction's own ...)
    transaction.on_commit(drop)  # ... and none can put back a row it read before the commit


def user_saved_or_deleted(sender, instance, created=False, **kwargs) -> None:
    if not created:  # nobody can have cached a user just created
        users_changed([instance.pk])


class CachedUserJWTAuthentication(JWTAuthentication):
    """``JWTAuthentication`` reading the token's user from the cache first (see the module).

    A view whose response is mostly a cache read can have it read in the same round trip as the user:
    its ``cache_prefetch_keys(user_id)`` names the keys, and the view finds what the cache held in
    ``self.cache_reads`` (a ``learnflow.cache.CacheReads``), so a cached answer costs one round trip in
    all."""

    def get_validated_token(self, raw_token):
        token = _verified(raw_token)
        try:
            token.check_exp(current_time=aware_utcnow())
        except TokenError:
            return super().get_validated_token(raw_token)  # refused with simplejwt's own answer
        return token

    def authenticate(self, request):
        self._view = (request.parser_context or {}).get("view")
        return super().authenticate(request)

    def _read(self, key: str, user_id):
        """The cache's value of ``key``, with the view's prefetch keys in the same round trip."""
        view = getattr(self, "_view", None)
        prefetch = getattr(view, "cache_prefetch_keys", None)
        if prefetch is None:
            return cache.get(key)
        extra = prefetch(user_id)
        found = cache.get_many([key, *extra])
        view.cache_reads = CacheReads(found, extra)
        return found.get(key)

    def get_user(self, validated_token):
        seconds = settings.LEARNFLOW_AUTH_USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError as exc:
            raise InvalidToken("Token contained no recognizable user identification") from exc
        key = _key(user_id)
        try:
            cached = self._read(key, user_id)
        except Exception:
            logger.warning("auth user cache: read failed, using the database", exc_info=True)
            return super().get_user(validated_token)
        if isinstance(cached, self.user_model) and str(cached.pk) == str(user_id):
            if not cached.is_active:  # never cached so, but refuse it as simplejwt would
                raise AuthenticationFailed("User is inactive", code="user_inactive")
            return cached
        user = super().get_user(validated_token)  # raises for a missing or inactive user
        if cached is None:
            try:
                cache.add(key, user, timeout=seconds)
            except Exception:
                logger.warning("auth user cache: write failed", exc_info=True)
        return user


class CachedUserJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of ``CachedUserJWTAuthentication``: simplejwt's own (``jwtAuth``)."""

    target_class = "accounts.authentication.CachedUserJWTAuthentication"
