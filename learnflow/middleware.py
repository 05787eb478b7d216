from django.conf import settings
from django.http import JsonResponse

from learnflow import hooks
from learnflow.files import MULTIPART_ALLOWANCE_BYTES


def body_limit(request) -> int:
    """The largest body ``request`` may declare: for a multipart upload to a path that takes one
    (``hooks.upload_limits``) its file limit plus room for the framing, else
    ``LEARNFLOW_MAX_BODY_BYTES``."""
    if request.content_type == "multipart/form-data":
        for _, upload_limit in hooks.upload_limits.items():
            file_limit = upload_limit(path=request.path)
            if file_limit is not None:
                return file_limit + MULTIPART_ALLOWANCE_BYTES
    return settings.LEARNFLOW_MAX_BODY_BYTES


class RequestBodyLimitMiddleware:
    """An API request whose declared body is over its limit (:func:`body_limit`) is refused with 413.

    DRF parses from the request stream, which skips Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    check, so the limit is enforced here before anything is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return JsonResponse({"detail": "Invalid Content-Length header."}, status=400)
            limit = body_limit(request)
            if length > limit:
                return JsonResponse({"detail": f"Request body is larger than {limit} bytes."}, status=413)
        return self.get_response(request)
