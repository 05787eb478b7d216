"""Every error under /api/ is JSON, whatever goes wrong."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from learnflow import urls as root_urls

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("unexpected")


def _plain_post(request):
    return HttpResponse("ok")


@api_view(["GET"])
@permission_classes([AllowAny])
def _refuse_without_a_field(request):
    raise ValidationError("Refused as a whole.")


urlpatterns = [
    path("api/boom/", _boom),
    path("api/plain/", _plain_post),
    path("api/refuse/", _refuse_without_a_field),
    *root_urls.urlpatterns,
]
handler500 = root_urls.handler500


def test_unknown_api_path_is_json_404(auth_client):
    response = auth_client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@override_settings(DEBUG=True)
def test_unknown_api_path_is_json_404_in_debug_mode_too(api_client):
    response = api_client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/nonexistent",
        "/api/tasks/not-a-uuid/",
        "/api/tasks/00000000-0000-0000-0000-000000000000/no-such-action",
        "/api/community/posts/%C2%84/",
    ],
)
def test_unsafe_methods_on_unknown_paths_are_json_404_not_a_csrf_page(user, method, path):
    # given: a client like curl or a browser, with CSRF checks enforced as in production
    client = APIClient(enforce_csrf_checks=True)
    # when
    response = getattr(client, method)(path, data={"x": 1}, format="json")
    # then
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


@override_settings(ROOT_URLCONF=__name__)
def test_csrf_refusal_under_api_is_json():
    response = APIClient(enforce_csrf_checks=True).post("/api/plain/", data={}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("CSRF verification failed")


@override_settings(ROOT_URLCONF=__name__)
def test_a_refusal_without_a_field_is_still_an_object_of_field_errors(api_client):
    response = api_client.get("/api/refuse/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Refused as a whole."]}


@pytest.mark.parametrize("path", ["/api/tasks/", "/api/groups/", "/api/resources/", "/api/study-sessions/"])
def test_a_null_character_in_search_is_400_naming_search(auth_client, path):
    response = auth_client.get(path, {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


def test_wrong_method_is_json_405(auth_client):
    response = auth_client.put("/api/users/me/", {}, format="json")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "PUT" not allowed.'}


def test_malformed_json_is_400(api_client):
    response = api_client.post("/api/user/", data='{"username": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/token/", "/api/token/refresh/", "/api/token/verify/", "/api/user/"])
def test_deeply_nested_json_is_400_naming_the_depth_without_a_token(api_client, path):
    # given: arrays nested 1100 deep, past Python's recursion limit
    body = "[" * 1100 + "]" * 1100
    # when
    response = api_client.post(path, data=body, content_type="application/json")
    # then
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - arrays and objects nest deeper than 32 levels."}


def test_deeply_nested_json_is_400_for_a_signed_in_user_too(auth_client):
    body = '{"title": "t", "tags": ' + "{" * 40 + "}" * 40 + "}"
    response = auth_client.post("/api/tasks/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "nest deeper than 32 levels" in response.json()["detail"]


def _nested(depth: int) -> dict:
    value: dict = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def test_json_nested_up_to_the_limit_is_accepted(auth_client, settings):
    # given: preferences nested so the whole body is exactly LEARNFLOW_JSON_MAX_DEPTH deep
    settings.LEARNFLOW_JSON_MAX_DEPTH = 8
    # when
    at_limit = auth_client.patch("/api/users/me/", data={"preferences": _nested(7)}, format="json")
    past_limit = auth_client.patch("/api/users/me/", data={"preferences": _nested(8)}, format="json")
    # then
    assert at_limit.status_code == 200
    assert at_limit.json()["preferences"] == _nested(7)
    assert past_limit.status_code == 400
    assert past_limit.json() == {"detail": "JSON parse error - arrays and objects nest deeper than 8 levels."}


def test_brackets_inside_json_strings_do_not_count_as_nesting(auth_client):
    title = '[{"\\"' * 30 + "]}" * 30
    response = auth_client.post("/api/tasks/", data={"title": title[:200]}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == title[:200]


def test_body_over_the_limit_is_json_413(api_client, settings):
    # given
    settings.LEARNFLOW_MAX_BODY_BYTES = 1000
    # when
    response = api_client.post("/api/user/", data={"username": "x" * 2000}, format="json")
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than 1000 bytes."}


def test_non_json_content_type_is_415(api_client):
    response = api_client.post("/api/user/", data="username=a", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_page_out_of_range_is_json_404(auth_client):
    response = auth_client.get("/api/users/?page=99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_page_size_is_capped_at_100(auth_client):
    from accounts.tests.factories import UserFactory

    UserFactory.create_batch(105)
    response = auth_client.get("/api/users/?page_size=500")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_paths_answer_with_and_without_trailing_slash(auth_client):
    assert auth_client.get("/api/users/me").status_code == 200
    assert auth_client.get("/api/users/me/").status_code == 200
    assert auth_client.get("/api/notifications").status_code == 200


def test_no_token_is_401_with_www_authenticate(api_client):
    response = api_client.get("/api/users/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"]


def test_garbage_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = api_client.get("/api/users/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_under_api_is_json_500(api_client):
    api_client.raise_request_exception = False
    response = api_client.get("/api/boom/")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


def test_openapi_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"
    assert "/api/users/me/" in document["paths"]
    assert api_client.get("/api/docs/").status_code == 200
    assert api_client.get("/api/redoc/").status_code == 200


@pytest.mark.parametrize("path", ["/api/users/profile/avatar", "/api/users/onboarding/complete", "/api/users/me/"])
def test_options_describes_the_view_without_failing(auth_client, path):
    response = auth_client.options(path)
    assert response.status_code == 200
    assert response.json()["renders"] == ["application/json"]
