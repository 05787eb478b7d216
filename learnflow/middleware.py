from django.conf import settings
from django.http import JsonResponse


class RequestBodyLimitMiddleware:
    """An API request whose declared body is over ``LEARNFLOW_MAX_BODY_BYTES`` is refused with 413.

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
            limit = settings.LEARNFLOW_MAX_BODY_BYTES
            if length > limit:
                return JsonResponse({"detail": f"Request body is larger than {limit} bytes."}, status=413)
        return self.get_response(request)
