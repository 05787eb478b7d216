"""learnflow.files when the storage fails, on both storages: writes raise ``StorageUnavailable``
and leave nothing, a missing object is still "missing", deletes after a commit never raise."""

import logging
import os
from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from learnflow import files
from learnflow.exceptions import StorageUnavailable

NOISE = os.urandom(64 * 1024)


def test_a_write_while_the_storage_is_down_raises_and_leaves_nothing(file_storage, settings):
    # when
    with file_storage.unavailable(settings), pytest.raises(StorageUnavailable):
        files.object_save("docs/notes.bin", NOISE, content_type="application/octet-stream")
    # then
    assert file_storage.names() == []


def test_a_file_is_stored_from_where_it_is(file_storage, tmp_path):
    # given: an upload's temporary file
    path = tmp_path / "upload.bin"
    path.write_bytes(NOISE)
    # when
    with open(path, "rb") as upload:
        name = files.object_save("docs/notes.bin", upload, content_type="application/octet-stream")
    # then
    assert file_storage.read(name) == NOISE
    assert path.read_bytes() == NOISE


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_deletes_after_a_commit_never_raise_and_stop_at_the_first_failure(file_storage, settings, caplog):
    # given
    names = [files.object_save(f"docs/{n}.bin", b"x", content_type="application/octet-stream") for n in range(3)]
    # when
    with file_storage.unavailable(settings), caplog.at_level(logging.WARNING, logger="learnflow.files"):
        files.objects_delete(names)
    # then: one attempt, logged; the objects wait for the orphan sweeper
    assert file_storage.names() == sorted(names)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"left 3 stored objects to the orphan sweeper: {names!r}"]
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_a_sweep_while_s3_is_down_fails_loudly_and_deletes_nothing(file_storage, settings, db):
    # given
    files.object_save("avatars/x/old-96.webp", b"x", content_type="image/webp")
    # when
    with file_storage.unavailable(settings), pytest.raises(StorageUnavailable):
        files.orphans_sweep(older_than=timezone.now() + timedelta(hours=1))
    # then
    assert file_storage.names() == ["avatars/x/old-96.webp"]


@pytest.mark.parametrize("file_storage", ["filesystem"], indirect=True)
def test_a_file_link_whose_file_cannot_be_opened_is_503_json(file_storage, client):
    # given: the stored file became unreadable (a symbolic link to itself: ELOOP on open)
    name = files.object_save("docs/notes.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    path = file_storage.storage.path(name)
    os.remove(path)
    os.symlink(path, path)
    token = signing.dumps({"n": name, "t": "application/pdf", "f": None}, salt=files.TOKEN_SALT, compress=True)
    # when
    response = client.get(reverse("file-download", args=[token]))
    # then
    assert response.status_code == 503
    assert response.json() == {"detail": "File storage is unavailable; try again shortly."}
    assert response["Retry-After"] == "30"


@pytest.mark.parametrize("file_storage", ["s3"], indirect=True)
def test_a_missing_s3_object_is_missing_not_unavailable(file_storage):
    # when / then
    with pytest.raises(FileNotFoundError), files.storage_errors("read", "docs/nothing.pdf"):
        file_storage.storage.open("docs/nothing.pdf", "rb").read()
