"""The OpenAPI schema documents every status an operation can answer, not only its success.

drf-spectacular documents success responses; :class:`AutoSchema` adds the errors, once for the whole
API, from what the view really does:

* **400** (field errors) for an operation that takes a body or query parameters;
* **401** for an operation with authentication (an invalid token is refused even where no login is
  needed);
* **404** for a path with an id, and for a paginated list (a page past the end);
* **411** (a body sent chunked, without Content-Length), **413** (body over ``LEARNFLOW_MAX_BODY_BYTES``)
  and **415** (not JSON) for an operation with a body;
* **414** for an operation with query parameters: a URL longer than the web server takes (gunicorn:
  4094 bytes for the request line) is refused by the server, as plain text, before Django sees it;
* **429** with ``Retry-After`` for an operation with a throttle;
* **503** with ``Retry-After`` for every operation: the database does not answer (PostgreSQL restarting;
  ``code`` is ``service_unavailable``), or the file storage is down where a view stores files;
* **403** and **409**, which only a service
  knows it raises, declared on the view method with :func:`errors` (or
  ``@extend_schema(responses={409: ...})``).

drf-standardized-errors would do this too, but it replaces the error bodies with its own format,
and the SPA contract (SPEC) reads DRF's ``{"detail": ...}`` / ``{"field": ["msg"]}``.
"""

import re

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent

#: What a client reads in ``detail`` for each status (the example in the schema).
ERROR_EXAMPLES = {
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    409: "The request conflicts with the current state.",
    411: "Send the request body with a Content-Length header, not chunked.",
    413: "Request body is larger than 1048576 bytes.",
    415: 'Unsupported media type "text/plain" in request.',
    429: "Request was throttled. Expected available in 60 seconds.",
    503: "The service is briefly unavailable; try again shortly.",
}

#: Why each error status is answered; the response's description in the schema.
ERROR_DESCRIPTIONS = {
    400: "Invalid input: each field names its errors (`non_field_errors` for the whole body); "
    "a body that is not valid JSON gives `detail`.",
    401: "No valid access token (missing, expired, malformed or blacklisted).",
    403: "Signed in, but the caller's role does not allow this.",
    404: "Not found, or not the caller's to see.",
    409: "Refused in the object's current state.",
    411: "The body was sent without a Content-Length (chunked transfer encoding): send its length.",
    413: "The request body is larger than the configured limit.",
    414: "The URL is longer than the web server accepts; answered by the server as plain text.",
    415: "The body is not JSON (`Content-Type: application/json`).",
    429: "Too many requests: `Retry-After` says how many seconds to wait.",
    503: "A service LearnFlow depends on did not answer (the database restarting, the file storage down): "
    "nothing was changed; `Retry-After` says when to try again.",
}


def _component(name: str, schema: dict) -> ResolvedComponent:
    return ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)


DETAIL = _component(
    "ErrorDetail",
    {
        "type": "object",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
        "example": {"detail": "Not found."},
    },
)

FIELD_ERRORS = _component(
    "FieldErrors",
    {
        "type": "object",
        "description": "Field name → its messages; a nested field gives an object of the same shape, a "
        "list field the errors of its items; `detail` when the body is not valid JSON.",
        "additionalProperties": {
            "anyOf": [
                {"type": "array", "items": {}},
                {"type": "object", "additionalProperties": {}},
                {"type": "string"},
            ]
        },
        "example": {"title": ["This field is required."]},
    },
)

#: The hook of a generic viewset action, where a view calls the service that may refuse.
PERFORM_HOOKS = {
    "create": "perform_create",
    "update": "perform_update",
    "partial_update": "perform_update",
    "destroy": "perform_destroy",
}

RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the next request is allowed."}
}

RETRY_LATER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds after which to try again."}}


def errors(*statuses: int):
    """Declare error statuses a view method answers that the schema cannot see from its shape,
    e.g. ``@errors(403, 409)`` where a service raises ``PermissionDenied`` or ``Conflict``."""

    def decorate(func):
        func.api_error_statuses = frozenset(getattr(func, "api_error_statuses", ())) | set(statuses)
        return func

    return decorate


def body_on_delete(func):
    """Mark a view method whose ``DELETE`` takes a JSON body (its declared request serializer), such
    as a password confirming an account deletion: drf-spectacular documents bodies only for
    ``POST``, ``PUT`` and ``PATCH``."""
    func.api_delete_body = True
    return func


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the error responses each operation can give (module docstring)."""

    def _delete_takes_body(self) -> bool:
        action = getattr(self.view, "action", None) or self.method.lower()
        return self.method == "DELETE" and getattr(getattr(self.view, action, None), "api_delete_body", False)

    def _get_request_body(self, direction="request"):
        if not self._delete_takes_body():
            return super()._get_request_body(direction)
        self.method = "POST"  # documented like a POST body; restored at once
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in sorted(self.error_statuses()):
            responses.setdefault(str(status), self._error_response(status))
        return responses

    def error_statuses(self) -> set[int]:
        statuses = set(self._declared_statuses())
        has_body = (
            self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None
        ) or self._delete_takes_body()
        takes_query = bool(self._get_parameters_in("query"))
        if has_body or takes_query:
            statuses.add(400)
        if takes_query:
            statuses.add(414)
        if self.view.get_authenticators():
            statuses.add(401)
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            statuses.add(404)
        if has_body:
            statuses |= {411, 413, 415}
        if self.view.get_throttles():
            statuses.add(429)
        statuses.add(503)
        return statuses

    def _declared_statuses(self) -> frozenset[int]:
        """What the handler, the ``perform_*`` hook a generic action calls, and the view declare."""
        action = getattr(self.view, "action", None) or self.method.lower()
        places = [self.view, getattr(self.view, action, None), getattr(self.view, PERFORM_HOOKS.get(action, ""), None)]
        return frozenset().union(*(getattr(place, "api_error_statuses", ()) for place in places))

    def _get_parameters_in(self, location: str) -> list[dict]:
        return [p for p in self._get_parameters() if p.get("in") == location]

    def _error_response(self, status: int) -> dict:
        if status == 414:
            return {"description": ERROR_DESCRIPTIONS[status]}
        component = FIELD_ERRORS if status == 400 else DETAIL
        self.registry.register_on_missing(component)
        example = FIELD_ERRORS.schema["example"] if status == 400 else {"detail": ERROR_EXAMPLES[status]}
        response = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": component.ref, "example": example}},
        }
        if status == 429:
            response["headers"] = RETRY_AFTER
        if status == 503:
            response["headers"] = RETRY_LATER
        return response


#: The operations a created resource's id leads to; a POST under it is an action (``/{id}/complete/``).
LINKED_METHODS = ("get", "put", "patch", "delete", "post")
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _created_fields(document: dict, operation: dict) -> set[str]:
    """The properties of the body a create operation answers with its 201, if it answers JSON."""
    created = operation.get("responses", {}).get("201", {})
    schema = created.get("content", {}).get("application/json", {}).get("schema")
    return set(_resolve(document, schema).get("properties", {})) if schema else set()


def add_links(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: OpenAPI ``links`` from each create to what its id opens.

    A ``POST`` on a collection (``/api/tasks/``) that answers 201 with an ``id`` links to every
    operation of the collection's item paths (``/api/tasks/{id}/``, ``/api/rooms/{id}/timer/start/``),
    the item's parameter taken from the created body (``$response.body#/id``) and the collection's
    own path parameters from the request (``$request.path.id``). An item path with a further
    parameter (``/members/{user_id}/``) is not linked: nothing in the created body names it.
    Clients and schemathesis's stateful tests follow these links from a created resource to its
    reads, updates and deletes.
    """
    paths = result.get("paths", {})
    for collection, item in paths.items():
        create = item.get("post")
        if not create:
            continue
        if "id" not in _created_fields(result, create):
            continue
        own = _PATH_PARAMETER.findall(collection)
        links = {}
        for path, target_item in paths.items():
            rest = path.removeprefix(collection)
            if rest == path or not rest.startswith("{"):
                continue
            new = _PATH_PARAMETER.findall(rest)
            if len(new) != 1 or not rest.startswith("{" + new[0] + "}"):
                continue
            parameters = {f"path.{name}": f"$request.path.{name}" for name in own}
            parameters[f"path.{new[0]}"] = "$response.body#/id"
            for method in LINKED_METHODS:
                target = target_item.get(method)
                if target:
                    links[target["operationId"]] = {"operationId": target["operationId"], "parameters": parameters}
        if links:
            create["responses"]["201"]["links"] = links
    return result
