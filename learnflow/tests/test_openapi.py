"""The schema documents every status an operation can answer, with its JSON shape."""

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")
# UploadTooLarge: an upload's 413, ``detail`` plus the storage left when over the quota.
ERROR_SHAPES = {
    "#/components/schemas/ErrorDetail",
    "#/components/schemas/FieldErrors",
    "#/components/schemas/UploadTooLarge",
}


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _codes(document, path, method) -> set[str]:
    return set(document["paths"][path][method]["responses"])


def test_every_error_response_has_a_json_error_shape(document):
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("4") and code != "414":
                schema = response["content"]["application/json"]["schema"]
                assert schema["$ref"] in ERROR_SHAPES, (method, path, code)


def test_every_operation_with_a_token_documents_401_and_with_an_id_404(document):
    for path, method, operation in _operations(document):
        if operation.get("security") and {} not in operation["security"]:
            assert "401" in operation["responses"], (method, path)
        if "{" in path:
            assert "404" in operation["responses"], (method, path)


def test_input_documents_400_and_a_body_413_and_415(document):
    assert {"400", "413", "415"} <= _codes(document, "/api/tasks/", "post")
    assert "400" in _codes(document, "/api/tasks/", "get")  # filters
    assert "413" not in _codes(document, "/api/tasks/", "get")


def test_an_upload_documents_its_413_with_the_storage_left(document):
    operation = document["paths"]["/api/resources/"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    response = operation["responses"]["413"]["content"]["application/json"]["schema"]
    assert response["$ref"] == "#/components/schemas/UploadTooLarge"
    shape = document["components"]["schemas"]["UploadTooLarge"]
    assert set(shape["properties"]) == {"detail", "remaining_bytes", "quota_bytes"}
    assert shape["required"] == ["detail"]


def test_a_url_too_long_for_the_web_server_is_documented_where_there_is_a_query(document):
    assert "414" in _codes(document, "/api/tasks/", "get")
    assert "414" not in _codes(document, "/api/users/me/", "get")


def test_throttled_operations_document_429_with_retry_after(document):
    for path, method in [("/api/token/", "post"), ("/api/user/", "post"), ("/api/weekly-review/", "post")]:
        response = document["paths"][path][method]["responses"]["429"]
        assert "Retry-After" in response["headers"], path
    assert "429" not in _codes(document, "/api/tasks/", "post")


def test_registration_takes_no_token_so_never_answers_401(document):
    assert "401" not in _codes(document, "/api/user/", "post")


def test_token_endpoints_document_401_for_a_bad_token_or_password(document):
    for path in ("/api/token/", "/api/token/refresh/", "/api/token/verify/", "/api/token/blacklist/"):
        assert "401" in _codes(document, path, "post"), path


def test_refusals_a_service_raises_are_documented(document):
    assert {"403", "409"} <= _codes(document, "/api/groups/{id}/members/role/", "patch")
    assert "403" in _codes(document, "/api/community/posts/{id}/", "put")  # perform_update
    assert "409" in _codes(document, "/api/focus-sessions/start/", "post")


def test_leaving_a_challenge_documents_what_it_answers(document):
    responses = document["paths"]["/api/challenges/{id}/leave/"]["delete"]["responses"]
    assert set(responses) == {"200", "401", "404", "409", "503"}
    assert responses["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Left")


def _links(document, path):
    return document["paths"][path]["post"]["responses"]["201"].get("links", {})


def test_a_create_links_to_the_operations_of_what_it_created(document):
    links = _links(document, "/api/tasks/")
    assert set(links) == {"tasks_retrieve", "tasks_update", "tasks_partial_update", "tasks_destroy"}
    assert links["tasks_retrieve"] == {"operationId": "tasks_retrieve", "parameters": {"path.id": "$response.body#/id"}}
    # An action on the item is linked; the id goes into the parameter the path names.
    assert "rooms_timer_start_create" in _links(document, "/api/rooms/")
    assert _links(document, "/api/goals/")["goals_progress_create"]["parameters"] == {
        "path.goal_number": "$response.body#/id"
    }


def test_a_nested_create_passes_on_its_own_path_parameters(document):
    links = _links(document, "/api/goals/{goal_number}/progress/")
    assert links["goals_progress_retrieve"]["parameters"] == {
        "path.goal_number": "$request.path.goal_number",
        "path.number": "$response.body#/id",
    }


def test_links_point_at_real_operations_with_every_path_parameter(document):
    operations = {operation["operationId"]: (path, operation) for path, _, operation in _operations(document)}
    total = 0
    for path, method, operation in _operations(document):
        for link in operation["responses"].get("201", {}).get("links", {}).values():
            total += 1
            target_path, target = operations[link["operationId"]]
            required = {f"path.{p['name']}" for p in target.get("parameters", []) if p["in"] == "path"}
            assert set(link["parameters"]) == required, (method, path, link)
            assert target_path.startswith(path), (method, path, target_path)
    assert total >= 60


def test_no_link_where_the_created_body_does_not_name_the_item(document):
    # A member of a group is named by a user id the created group does not carry.
    assert "groups_members_destroy" not in _links(document, "/api/groups/")
    # Joining a group answers 201 with a membership that has no id of its own.
    assert "links" not in document["paths"]["/api/groups/{id}/join/"]["post"]["responses"]["201"]


def test_the_schema_with_its_links_validates(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", validate=True, fail_on_warn=True, file=str(tmp_path / "schema.yaml"))
    assert "links:" in (tmp_path / "schema.yaml").read_text()
