"""Short-lived file URLs (``learnflow.files.file_url``) on both storages: a presigned S3 URL, or a
signed ``/files/<token>`` link to our own view; both fetched over HTTP as a browser would."""

from datetime import timedelta

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from learnflow import files
from learnflow.testing import StoredFiles, image_bytes

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@pytest.fixture
def stored_pdf(file_storage):
    return files.object_save("resources/test/notes.pdf", PDF, content_type="application/pdf")


def test_a_file_url_fetches_the_file_as_an_attachment(file_storage, stored_pdf):
    # when
    url = files.file_url(stored_pdf, content_type="application/pdf", filename="Week 3 notes.pdf")
    status, headers, body = file_storage.fetch(url)
    # then
    assert (status, body) == (200, PDF)
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "Week 3 notes.pdf" in headers["content-disposition"]
    if file_storage.kind == "filesystem":
        assert url.startswith("/files/")
        assert headers["x-content-type-options"] == "nosniff"
    else:
        assert url.startswith(file_storage.storage.endpoint_url)
        assert "X-Amz-Signature=" in url


def test_an_image_url_is_shown_inline(file_storage):
    # given
    name = files.object_save("chat/test/photo.png", image_bytes("PNG", (20, 20)), content_type="image/png")
    # when
    status, headers, body = file_storage.fetch(files.file_url(name))
    # then
    assert (status, body[:4]) == (200, b"\x89PNG")
    assert headers["content-type"] == "image/png"
    assert not headers.get("content-disposition", "inline").startswith("attachment")


def test_a_file_url_expires(file_storage, stored_pdf, settings):
    # given
    url = files.file_url(stored_pdf)
    if file_storage.kind == "s3":
        # moto does not enforce a presigned URL's expiry (S3 and MinIO do): check what it asks for
        assert f"X-Amz-Expires={settings.LEARNFLOW_FILE_URL_SECONDS}&" in url
        return
    # when
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LEARNFLOW_FILE_URL_SECONDS + 5)):
        status, headers, body = file_storage.fetch(url)
    # then
    assert status == 403
    assert headers["content-type"] == "application/json"
    assert body == b'{"detail": "This file link has expired: ask for the file again."}'


def test_a_file_url_still_works_just_before_it_expires(file_storage, stored_pdf, settings):
    # given
    url = files.file_url(stored_pdf)
    # when
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.LEARNFLOW_FILE_URL_SECONDS - 30)):
        status, _, body = file_storage.fetch(url)
    # then
    assert (status, body) == (200, PDF)


@pytest.fixture
def filesystem_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return StoredFiles(kind="filesystem")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"), id="signature"),
        pytest.param(lambda token: "x" + token, id="payload"),
        pytest.param(lambda token: "not-a-token", id="garbage"),
        pytest.param(lambda token: "", id="empty"),
    ],
)
def test_a_tampered_token_is_403_never_a_500(filesystem_storage, tamper):
    # given
    name = files.object_save("resources/test/notes.pdf", PDF, content_type="application/pdf")
    token = files.file_url(name).removeprefix("/files/")
    # when
    status, headers, body = filesystem_storage.fetch("/files/" + tamper(token))
    # then
    assert status in (403, 404)
    assert headers["content-type"] in ("application/json", "text/html; charset=utf-8")
    assert PDF not in body


def test_a_token_for_a_file_no_longer_stored_is_404(filesystem_storage):
    # given
    name = files.object_save("resources/test/notes.pdf", PDF, content_type="application/pdf")
    url = files.file_url(name)
    filesystem_storage.storage.delete(name)
    # when
    status, _, body = filesystem_storage.fetch(url)
    # then
    assert status == 404
    assert b"no longer exists" in body


def test_a_token_signed_for_something_else_opens_nothing(filesystem_storage):
    # given: a valid signature of this site, but made for another purpose (another salt)
    name = files.object_save("resources/test/notes.pdf", PDF, content_type="application/pdf")
    token = signing.dumps({"n": name, "t": "application/pdf", "f": None}, compress=True)
    # when
    status, _, body = filesystem_storage.fetch(f"/files/{token}")
    # then
    assert status == 403
    assert b"not valid" in body


def test_only_get_and_head_are_served(filesystem_storage, client):
    # given
    name = files.object_save("resources/test/notes.pdf", PDF, content_type="application/pdf")
    # when
    response = client.post(files.file_url(name))
    # then
    assert response.status_code == 405
