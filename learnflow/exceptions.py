"""Every error under ``/api/`` is JSON: DRF's ``{"detail": ...}`` or ``{"field": ["msg"]}``."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


class Conflict(Exception):
    """A service refuses because of the object's current state (answered as 409)."""


class TooLarge(Exception):
    """Something sent is larger than its limit, e.g. an uploaded file (answered as 413). ``data``
    adds fields to the answer beside ``detail``, e.g. the storage left (``remaining_bytes``)."""

    def __init__(self, message: str = "", *, data: dict | None = None):
        super().__init__(message)
        self.data = data or {}


class StorageUnavailable(Exception):
    """The file storage failed to answer (S3 unreachable, timing out or refusing; a full or read-only
    disk): nothing was stored, the client may try again (answered as 503 with ``Retry-After``)."""

    default_message = "File storage is unavailable; try again shortly."

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)


class StorageUnavailableError(exceptions.APIException):
    status_code = 503
    default_detail = StorageUnavailable.default_message
    default_code = "storage_unavailable"
    #: Seconds a client waits before trying again (DRF sends them as ``Retry-After``).
    wait = 30


class ServiceUnavailableError(exceptions.APIException):
    """The database did not answer (restarting, unreachable, out of connections): the request's
    transaction, if any, was rolled back; the client may try again after ``Retry-After``."""

    status_code = 503
    default_detail = "The service is briefly unavailable; try again shortly."
    default_code = "service_unavailable"
    wait = 5


class TooLargeError(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is larger than the configured limit."
    default_code = "too_large"


class ConflictError(exceptions.APIException):
    status_code = 409
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def api_exception_handler(exc, context):
    """DRF's handler, plus the services' errors: Django's ``ValidationError`` as a 400 naming fields,
    ``Conflict`` as a 409, ``TooLarge`` as a 413 (with its ``data``) and ``StorageUnavailable`` as a
    503 with ``Retry-After``, and a database that does not answer (``OperationalError``,
    ``InterfaceError``: PostgreSQL restarting) as a 503 ``{"detail", "code": "service_unavailable"}``
    with ``Retry-After``. Every 400 body is an object (``FieldErrors`` in the schema)."""
    if isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    extra = {}
    if isinstance(exc, TooLarge):
        extra = exc.data
        exc = TooLargeError(str(exc))
    if isinstance(exc, StorageUnavailable):
        exc = StorageUnavailableError(str(exc))
    if isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc)
        extra = {"code": ServiceUnavailableError.default_code}
        exc = ServiceUnavailableError()
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # A refusal raised without a field (``ValidationError("...")``) still answers the documented
        # shape: an object of field errors.
        response.data = {"non_field_errors": response.data}
    if response is not None and extra:
        response.data.update(extra)
    return response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown paths under ``/api/`` answer a JSON 404 for every method, in debug mode too. The API
    authenticates with bearer tokens, never cookies, so there is no CSRF check to fail first."""
    return JsonResponse({"detail": "Not found."}, status=404)


def csrf_failure(request, reason=""):
    """A CSRF refusal under ``/api/`` is JSON like every other API error; the admin keeps Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"CSRF verification failed: {reason}"}, status=403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)


def handler404(request, exception=None):
    if request.path.startswith("/api/"):
        return api_not_found(request)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)
