"""The live transport: WebSockets under ``/ws/`` (Django Channels), one piece every app shares.

An app declares its consumers (subclasses of ``LiveConsumer``) and their routes (``<app>/routing.py``
with ``websocket_urlpatterns``; ``learnflow/asgi.py`` lists the routing modules). Its services announce
events with ``send_after_commit(group_name(kind, key), {"type": ..., ...})``.

The protocol every socket speaks (also in the README and ``docs/product-rules.md``):

* **Authentication** by the access JWT, checked once when the socket opens, exactly as the HTTP side
  checks it (signature, expiry, token type, an active user). Browsers cannot set headers on a
  WebSocket, so the token comes as the ``token`` query parameter (``/ws/notifications/?token=...``)
  or, kept out of every URL, as a subprotocol: the client offers ``["learnflow.jwt", "<token>"]``
  and the server selects ``learnflow.jwt`` (a browser drops a socket whose server selects none of
  the offered subprotocols). When both are sent, the subprotocol's token counts.
* **Origin**: a browser's socket must come from one of the SPA's origins (``CORS_ALLOWED_ORIGINS``)
  or from a page of this site (a host in ``ALLOWED_HOSTS``); a client that sends no ``Origin`` (not
  a browser) is not limited by it. The token stays the actual credential: no cookie is ever read.
* **Refusals** accept the handshake and close at once, so that a browser can read the code: 4401 no,
  invalid or expired token, or an inactive user; 4403 not allowed (including a foreign Origin); 4404
  no such path or object.
* **Server frames** are JSON objects with a ``type`` and ``server_time`` (ISO 8601, UTC ``Z``); events
  of one stream may carry the ``seq`` their sender numbered them with.
* **Client frames** are JSON objects with a string ``type``. ``ping`` is answered with ``pong``.
  Any frame the consumer does not take (an unknown type, not JSON, not an object, no type, binary,
  over ``MAX_MESSAGE_BYTES``, nested deeper than ``LEARNFLOW_JSON_MAX_DEPTH``) is answered with
  ``{"type": "error", "code": ..., "detail": ...}``; the socket stays open, and other sockets never
  notice.
"""

import asyncio
import json
import logging
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from asgiref.sync import async_to_sync
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from channels.middleware import BaseMiddleware
from channels.routing import URLRouter
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http.request import validate_host
from django.urls import re_path
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.utils.encoders import JSONEncoder
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from learnflow.dates import iso_utc
from learnflow.parsers import json_depth_exceeds

logger = logging.getLogger(__name__)

#: The subprotocol a client offers, followed by its access token, to authenticate without a URL.
SUBPROTOCOL = "learnflow.jwt"

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
#: The server failed (e.g. the channel layer is unreachable): the client should retry later.
CLOSE_SERVER_ERROR = 1011

#: The largest client frame a consumer reads, in UTF-8 bytes (the ASGI server closes the socket on
#: frames over its own, larger, limit: ``--ws-max-size``).
MAX_MESSAGE_BYTES = 64 * 1024

_GROUP_NAME = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_GROUP_NAME_MAX_LENGTH = 99


def now_iso() -> str:
    """The server's clock as the API writes times: ISO 8601 in UTC, with ``Z``."""
    return iso_utc(timezone.now())


def group_name(kind: str, key) -> str:
    """The channel-layer group of one thing: ``group_name("room", room.pk)`` is ``"room.<uuid>"``,
    ``group_name("user", 5)`` is ``"user.5"``. A kind is letters, digits, ``-`` and ``_``; so is a
    key (UUIDs and numbers are); anything else is a ``ValueError``, never a silently shared group."""
    name = f"{kind}.{key}"
    if len(name) > _GROUP_NAME_MAX_LENGTH or not _GROUP_NAME.fullmatch(name):
        raise ValueError(f"Not a valid live group name: {name!r}")
    return name


def send_after_commit(group: str, message: dict | Callable[[], dict | None]) -> None:
    """Send an event (``{"type": "timer.changed", ...}``) to every socket in ``group`` once the current
    transaction commits: never for a rollback, at once outside a transaction.

    ``server_time`` is added at send time unless the event has one; a caller that numbers its events
    puts its own ``seq`` in. ``message`` may also be a function, called after the commit to build the
    event from committed data (``None``: send nothing). Values are made JSON-safe (UUIDs, datetimes,
    decimals become strings).

    Sending never fails the caller: a broken or slow channel layer (Redis down) is logged and given up
    after ``LEARNFLOW_LIVE_SEND_TIMEOUT_SECONDS``, and the write that caused the event stands; a client
    catches up from the snapshot it gets when it reconnects. Call it from sync code: a view, a service,
    a job, or code a consumer runs through ``database_sync_to_async``.
    """
    transaction.on_commit(lambda: _send(group, message))


def as_sent(event: dict) -> dict:
    """The event as clients receive it: JSON, with UUIDs and datetimes written as the REST API writes
    them (DRF's encoder: ISO 8601, UTC as ``Z``, microseconds kept)."""
    return json.loads(json.dumps(event, cls=JSONEncoder))


def _send(group: str, message: dict | Callable[[], dict | None]) -> None:
    kind = None
    try:
        event = message() if callable(message) else message
        if event is None:
            return
        kind = event.get("type")
        event = as_sent(event)
        event.setdefault("server_time", now_iso())
        async_to_sync(_group_send)(group, {"type": "live.event", "event": event})
    except Exception:
        logger.exception("live event %s for group %s was not sent", kind, group)


async def _group_send(group: str, payload: dict) -> None:
    timeout = settings.LEARNFLOW_LIVE_SEND_TIMEOUT_SECONDS
    await asyncio.wait_for(get_channel_layer().group_send(group, payload), timeout=timeout)


# --- Handshake: token, origin, refusals -------------------------------------------------------------


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def offered_token(scope) -> str | None:
    """The access token a socket offers: the entry after ``learnflow.jwt`` among its subprotocols,
    else its ``token`` query parameter."""
    protocols = list(scope.get("subprotocols") or [])
    if SUBPROTOCOL in protocols[:-1]:
        return protocols[protocols.index(SUBPROTOCOL) + 1]
    for key, value in parse_qsl(scope.get("query_string", b"").decode("latin-1")):
        if key == "token":
            return value
    return None


def accepted_subprotocol(scope) -> str | None:
    """``learnflow.jwt`` when the client offered it (the server must select one it offered)."""
    return SUBPROTOCOL if SUBPROTOCOL in (scope.get("subprotocols") or []) else None


def origin_allowed(origin: str | None) -> bool:
    """Whether a socket from ``origin`` may open: no Origin (not a browser), one of
    ``CORS_ALLOWED_ORIGINS`` (the SPA), or a page of this site (its host in ``ALLOWED_HOSTS``, as
    Django checks the Host of an HTTP request)."""
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin in {allowed.lower().rstrip("/") for allowed in settings.CORS_ALLOWED_ORIGINS}:
        return True
    try:
        host = urlsplit(origin).hostname
    except ValueError:
        return False
    if not host:
        return False
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = [".localhost", "127.0.0.1", "[::1]"]
    return validate_host(f"[{host}]" if ":" in host else host, allowed_hosts)


@database_sync_to_async
def _user_for_token(raw: str):
    authentication = JWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw))
    except (InvalidToken, AuthenticationFailed, TokenError):
        return AnonymousUser()


class JWTAuthMiddleware(BaseMiddleware):
    """Puts the user the offered access token names in ``scope["user"]`` (``AnonymousUser`` for none,
    a bad or expired token, or an inactive user); consumers refuse anonymous sockets with 4401."""

    async def __call__(self, scope, receive, send):
        token = offered_token(scope)
        user = await _user_for_token(token) if token else AnonymousUser()
        return await super().__call__(dict(scope, user=user), receive, send)


def refuse(code: int):
    """An ASGI app that accepts the handshake and closes at once with ``code``: a browser sees the
    close code only of a socket whose handshake succeeded."""

    async def refused(scope, receive, send):
        if (await receive())["type"] != "websocket.connect":
            return
        await send({"type": "websocket.accept", "subprotocol": accepted_subprotocol(scope)})
        await send({"type": "websocket.close", "code": code})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    return refused


class OriginCheck(BaseMiddleware):
    """Refuses (4403) a browser socket from an origin the site does not allow (``origin_allowed``)."""

    async def __call__(self, scope, receive, send):
        if not origin_allowed(_header(scope, b"origin")):
            return await refuse(CLOSE_FORBIDDEN)(scope, receive, send)
        return await super().__call__(scope, receive, send)


def websocket_application(urlpatterns):
    """The ASGI app for every WebSocket: the origin check, the JWT, then the apps' routes; a path no
    route matches is refused with 4404."""
    return OriginCheck(JWTAuthMiddleware(URLRouter([*urlpatterns, re_path(r"", refuse(CLOSE_NOT_FOUND))])))


# --- Consumers ------------------------------------------------------------------------------------


class FrameError(Exception):
    """A client frame the server cannot take; answered with an error frame carrying ``code``."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_client_frame(text_data: str | None, bytes_data: bytes | None) -> tuple[str, dict]:
    """A client frame as ``(type, content)``, or ``FrameError`` saying what is wrong with it."""
    if text_data is None:
        raise FrameError("binary_frame", "Frames are JSON text; binary frames are not read.")
    if len(text_data) > MAX_MESSAGE_BYTES or len(text_data.encode()) > MAX_MESSAGE_BYTES:
        raise FrameError("too_large", f"A message is at most {MAX_MESSAGE_BYTES} bytes.")
    max_depth = settings.LEARNFLOW_JSON_MAX_DEPTH
    if json_depth_exceeds(text_data, max_depth):
        raise FrameError("too_deep", f"Arrays and objects nest deeper than {max_depth} levels.")
    try:
        content = json.loads(text_data, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise FrameError("invalid_json", "The message is not valid JSON.") from None
    if not isinstance(content, dict) or not isinstance(content.get("type"), str) or not content["type"]:
        raise FrameError("invalid_message", 'A message is a JSON object with a "type" string.')
    return content["type"], content


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """The base of every app's consumer.

    On connect: an anonymous socket (no valid token) is refused with 4401; then ``authorize()``
    returns the groups to join, or a close code (4403, 4404) to refuse with; the socket is accepted
    (selecting ``learnflow.jwt`` when the client offered it), joins its groups, and ``on_connected()``
    sends the subclass's snapshot. Events sent to a group with ``send_after_commit`` arrive at
    ``live_event``, pass ``personalize()`` and go out with ``send_event``. Client frames are parsed
    here: ``ping`` is answered (then ``on_ping()``), other types go to ``on_message()``, and whatever
    is not taken gets an error frame. ``self.scope["user"]`` is the user; ``self.scope["url_route"]
    ["kwargs"]`` the path's arguments. Database work goes through ``database_sync_to_async``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.live_groups: list[str] = []
        self.live_connected = False

    async def authorize(self) -> list[str] | int:
        """The groups this socket joins, or a close code to refuse it with."""
        return []

    async def on_connected(self) -> None:
        """After the socket joined its groups: send the snapshot the client starts from."""

    async def on_disconnected(self) -> None:
        """After a connected socket closed and left its groups."""

    async def on_message(self, type: str, content: dict) -> bool:
        """Handle a client message; ``False`` when its type is unknown (an error frame answers it)."""
        return False

    async def on_ping(self) -> None:
        """After a ``ping`` was answered (rooms count it as presence)."""

    def personalize(self, event: dict) -> dict | None:
        """This receiver's version of a group event (``None``: not for this receiver)."""
        return event

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        result = await self.authorize()
        if isinstance(result, int):
            await self._refuse(result)
            return
        await self.accept(accepted_subprotocol(self.scope))
        try:
            for group in result:
                await self.channel_layer.group_add(group, self.channel_name)
                self.live_groups.append(group)
        except Exception:
            logger.exception("%s could not join its live groups", type(self).__name__)
            await self.close(CLOSE_SERVER_ERROR)
            return
        self.live_connected = True
        await self.on_connected()

    async def _refuse(self, code: int) -> None:
        await self.accept(accepted_subprotocol(self.scope))
        await self.close(code)

    async def disconnect(self, code):
        for group in self.live_groups:
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:
                logger.exception("%s could not leave live group %s", type(self).__name__, group)
        self.live_groups = []
        if self.live_connected:
            self.live_connected = False
            await self.on_disconnected()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self.live_connected:
            return
        try:
            kind, content = parse_client_frame(text_data, bytes_data)
        except FrameError as error:
            await self.send_error(error.code, error.detail)
            return
        try:
            if kind == "ping":
                await self.send_event({"type": "pong"})
                await self.on_ping()
                return
            handled = await self.on_message(kind, content)
        except Exception:
            logger.exception("%s failed on a %r message", type(self).__name__, kind[:64])
            await self.send_error("server_error", "The server could not handle this message.")
            return
        if not handled:
            await self.send_error("unknown_type", f"Unknown message type {kind[:64]!r}.")

    async def dispatch(self, message):
        """Channels' dispatch without its hop to the sync thread before every message.

        Channels closes stale database connections before each message it dispatches, through the one
        thread all of a process's sync code shares: a group event to N sockets queues N hops there,
        behind whatever database work the other sockets are doing (connects, presence), and holds up
        delivery for all of them. A live consumer reaches the database only through
        ``database_sync_to_async``, which closes stale connections around each call itself, so the
        hop does nothing for it."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def live_event(self, message: dict) -> None:
        """A ``send_after_commit`` event for one of this socket's groups."""
        if not self.live_connected:
            return
        event = self.personalize(message["event"])
        if event is not None:
            await self.send_event(event)

    async def send_event(self, event: dict) -> None:
        """Send a server frame, stamped with ``server_time`` unless it has one."""
        if "server_time" not in event:
            event = {**event, "server_time": now_iso()}
        await self.send_json(event)

    async def send_error(self, code: str, detail: str) -> None:
        await self.send_event({"type": "error", "code": code, "detail": detail})

    @classmethod
    async def encode_json(cls, content) -> str:
        return json.dumps(content, cls=JSONEncoder)
