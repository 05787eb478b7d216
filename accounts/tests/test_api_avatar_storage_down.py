"""Avatars when the file storage fails, on both storages: an upload is a quick 503 that changes
nothing, the public endpoint never answers a 500, and files a failed delete leaves are the sweeper's."""

import os
import time
from io import BytesIO

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone
from PIL import Image

from accounts import avatars, services
from accounts.models import User
from learnflow import jobs
from learnflow.testing import image_bytes, upload

AVATAR = "/api/users/profile/avatar"
UNAVAILABLE = {"detail": "File storage is unavailable; try again shortly."}


def put_file(client, content: bytes):
    return client.put(AVATAR, {"file": upload(content, "me.jpg", "image/jpeg")}, format="multipart")


def noisy_jpeg() -> bytes:
    """A photo whose renditions are tens of kilobytes (noise does not compress)."""
    out = BytesIO()
    Image.effect_noise((700, 700), 90).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def test_an_upload_while_the_storage_is_down_is_a_quick_503_that_changes_nothing(
    file_storage, auth_client, user, settings, django_capture_on_commit_callbacks
):
    # given: an avatar uploaded earlier
    with django_capture_on_commit_callbacks(execute=True):
        assert put_file(auth_client, image_bytes()).status_code == 200
    before = User.objects.get(pk=user.pk)
    stored = file_storage.names()
    # when
    with file_storage.unavailable(settings), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = put_file(auth_client, noisy_jpeg())
        elapsed = time.monotonic() - started
    # then
    assert response.status_code == 503, response.content
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert elapsed < 5
    after = User.objects.get(pk=user.pk)
    assert (after.avatar_key, after.avatar_source, after.updated_at) == (
        before.avatar_key,
        before.avatar_source,
        before.updated_at,
    )
    # no rendition, and on the file system no partly written file, is left behind
    assert file_storage.names() == stored
    assert auth_client.get("/api/users/me/").json()["avatar_url"] == avatars.avatar_url(before)


def test_renditions_are_deleted_again_when_the_profile_cannot_be_saved(file_storage, auth_client, user, monkeypatch):
    # given: the database refuses the profile change after the renditions were stored
    def refuse(**kwargs):
        raise DatabaseError("could not serialize access due to concurrent update")

    monkeypatch.setattr(services, "_avatar_replace", refuse)
    # when
    with pytest.raises(DatabaseError):
        put_file(auth_client, image_bytes())
    # then
    assert file_storage.names() == []
    assert User.objects.get(pk=user.pk).avatar_key == ""


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_an_avatar_url_set_while_s3_is_down_is_saved_and_the_old_files_are_swept_later(
    file_storage, auth_client, user, settings, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        put_file(auth_client, image_bytes())
    old = file_storage.names()
    assert len(old) == 2
    # when: the change needs no storage; deleting the replaced files after the commit fails
    with file_storage.unavailable(settings), django_capture_on_commit_callbacks(execute=True):
        started = time.monotonic()
        response = auth_client.put(AVATAR, {"avatar_url": "https://cdn.example.com/me.png"})
        elapsed = time.monotonic() - started
    # then: the request succeeds and the files wait for the sweeper
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"] == "https://cdn.example.com/me.png"
    assert elapsed < 5
    assert file_storage.names() == old
    # when: the sweeper runs once S3 is back and the grace has passed
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        swept = jobs.sweep_orphaned_files.delay().get()
    # then
    assert swept["avatars/"] == 2
    assert file_storage.names() == []


# --- the public endpoint ------------------------------------------------------------------------


@pytest.mark.parametrize("file_storage", ["filesystem"], indirect=True)
def test_the_public_avatar_is_503_when_the_file_system_cannot_open_it(file_storage, auth_client, api_client, user):
    # given: the stored rendition became unreadable (a symbolic link to itself: ELOOP on open)
    avatar_url = put_file(auth_client, image_bytes()).json()["avatar_url"]
    path = file_storage.storage.path(avatars.object_name(User.objects.get(pk=user.pk).avatar_key, 512))
    os.remove(path)
    os.symlink(path, path)
    # when
    response = api_client.get(avatar_url, HTTP_ACCEPT="image/webp")
    # then
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("file_storage", ["filesystem"], indirect=True)
def test_the_public_avatar_of_lost_files_is_still_the_default(file_storage, auth_client, api_client, user):
    # given
    avatar_url = put_file(auth_client, image_bytes()).json()["avatar_url"]
    os.remove(file_storage.storage.path(avatars.object_name(User.objects.get(pk=user.pk).avatar_key, 512)))
    # when
    response = api_client.get(avatar_url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_the_public_avatar_redirects_without_asking_s3_so_s3_down_is_no_500(
    file_storage, auth_client, api_client, user, settings
):
    # given
    avatar_url = put_file(auth_client, image_bytes()).json()["avatar_url"]
    # when
    with file_storage.unavailable(settings):
        dead_endpoint = settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]
        response = api_client.get(avatar_url)
    # then: signed locally (asking S3 would have failed: a 503); the browser's fetch of it fails
    assert response.status_code == 302
    assert response["Location"].startswith(dead_endpoint + "/")


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_the_public_avatar_is_503_when_s3_urls_cannot_be_signed(
    file_storage, auth_client, api_client, user, settings, monkeypatch
):
    # given: an avatar, then the storage loses its credentials (no keys, no profile, no instance role)
    avatar_url = put_file(auth_client, image_bytes()).json()["avatar_url"]
    options = dict(settings.STORAGES["default"]["OPTIONS"])
    del options["access_key"], options["secret_key"]
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": options}}
    # when
    response = api_client.get(avatar_url)
    # then
    assert response.status_code == 503
    assert response.json() == UNAVAILABLE


def test_health_does_not_depend_on_the_file_storage(db, file_storage, api_client, settings):
    # when
    with file_storage.unavailable(settings):
        response = api_client.get("/health/")
    # then
    assert response.status_code == 200
    assert "storage" not in response.json()["checks"]
