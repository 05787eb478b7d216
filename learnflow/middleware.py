import json

from django.conf import settings
from django.http import JsonResponse

from learnflow.files import MULTIPART_ALLOWANCE_BYTES, upload_limit


def body_limit_for(*, path: str, content_type: str) -> int:
    """The largest body a request may send: for a multipart upload to a path that takes one
    (``hooks.upload_limits``) its file limit plus room for the framing, else
    ``LEARNFLOW_MAX_BODY_BYTES``."""
    if content_type == "multipart/form-data":
        file_limit = upload_limit(path=path)
        if file_limit is not None:
            return file_limit + MULTIPART_ALLOWANCE_BYTES
    return settings.LEARNFLOW_MAX_BODY_BYTES


def body_limit(request) -> int:
    return body_limit_for(path=request.path, content_type=request.content_type)


def too_large_detail(limit: int) -> str:
    return f"Request body is larger than {limit} bytes."


LENGTH_REQUIRED_DETAIL = "Send the request body with a Content-Length header, not chunked."


class RequestBodyLimitMiddleware:
    """An API request whose declared body is over its limit (:func:`body_limit`) is refused with 413,
    and one whose body comes without a length (``Transfer-Encoding: chunked``) with 411.

    DRF parses from the request stream, which skips Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    check, so the limit is enforced here before anything is read. Django reads exactly
    Content-Length bytes of a body (a body that is longer is not read; the server drops the rest with
    the connection) and nothing of a body without one, which would otherwise look empty: a chunked
    upload would be "no file". ``learnflow.files.UploadLimitHandler`` counts the file bytes as they
    are parsed, and :class:`AsgiBodyLimit` guards uvicorn, which reads a body before Django starts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
            if not request.META.get("CONTENT_LENGTH") and request.META.get("HTTP_TRANSFER_ENCODING"):
                return JsonResponse({"detail": LENGTH_REQUIRED_DETAIL}, status=411)
            limit = body_limit(request)
            if length > limit:
                return JsonResponse({"detail": too_large_detail(limit)}, status=413)
        return self.get_response(request)


class AsgiBodyLimit:
    """The body limit in front of Django's ASGI handler (uvicorn: ``make run`` and the WebSocket
    service), which reads a request's whole body into a temporary file before any middleware runs.

    An API request whose Content-Length is over its limit (:func:`body_limit_for`) is answered 413
    before its body is read; a body that turns out longer than its limit (sent chunked, or longer
    than declared) is cut off as soon as it passes it, Django sees a client that went away, and the
    answer is the same 413. Everything else goes to Django untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        limit = body_limit_for(path=scope["path"], content_type=content_type)
        try:
            declared = int(headers.get("content-length") or 0)
        except ValueError:
            declared = 0  # RequestBodyLimitMiddleware answers 400
        if declared > limit:
            return await self._refuse(send, limit)
        received = 0
        cut_off = False

        async def limited_receive():
            nonlocal received, cut_off
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut_off = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited_receive, send)
        if cut_off:
            await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send, limit: int) -> None:
        body = json.dumps({"detail": too_large_detail(limit)}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
