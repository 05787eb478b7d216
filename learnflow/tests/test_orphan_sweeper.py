"""The orphan sweeper, on both storages: stored objects that no row refers to are deleted once they
are older than the grace, in batches, and a sweep racing another is harmless."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts import avatars
from accounts.models import User
from learnflow import files, hooks, jobs
from learnflow.hooks import Registry
from learnflow.testing import image_bytes, upload


def store(name: str) -> str:
    return files.object_save(name, b"RIFF0000WEBPVP8 ", content_type="image/webp")


@pytest.fixture
def orphans(file_storage, other_user):
    """What failures leave under ``avatars/``: a replaced avatar whose delete failed, a deleted
    account's avatar, and a name no user could have."""
    return sorted(
        [
            *(store(name) for name in avatars.object_names(f"avatars/{other_user.pk}/00000000000000aa")),
            store(f"avatars/{uuid.uuid4()}/00000000000000bb-96.webp"),
            store("avatars/not-a-user/stray.webp"),
        ]
    )


def test_unreferenced_avatar_files_are_deleted_once_past_the_grace(file_storage, auth_client, user, orphans):
    # given: the user's current avatar, and an object under a prefix nobody registered
    response = auth_client.put("/api/users/profile/avatar", {"file": upload(image_bytes())}, format="multipart")
    assert response.status_code == 200
    current = sorted(avatars.object_names(User.objects.get(pk=user.pk).avatar_key))
    elsewhere = store("elsewhere/keep.webp")
    now = timezone.now()
    # when: within the grace (an upload may still be committing)
    with time_machine.travel(now + timedelta(minutes=50)):
        early = jobs.sweep_orphaned_files.delay().get()
    # then
    assert early == {"avatars/": 0, "uploads/": 0}
    assert file_storage.names("avatars/") == sorted([*current, *orphans])
    # when: past the grace
    with time_machine.travel(now + timedelta(minutes=70)):
        swept = jobs.sweep_orphaned_files.delay().get()
        again = jobs.sweep_orphaned_files.delay().get()
    # then
    assert swept == {"avatars/": len(orphans), "uploads/": 0}
    assert again == {"avatars/": 0, "uploads/": 0}
    assert file_storage.names() == sorted([*current, elsewhere])


def test_the_sweep_asks_and_deletes_a_batch_at_a_time(file_storage, orphans, django_assert_num_queries):
    # given
    older_than = timezone.now() + timedelta(minutes=1)
    # when: one query per batch of 2 names (nothing is stored under uploads/)
    with django_assert_num_queries(2):
        swept = files.orphans_sweep(older_than=older_than, batch_size=2)
    # then
    assert swept == {"avatars/": 4, "uploads/": 0}
    assert file_storage.names() == []


def test_a_sweep_racing_another_is_harmless(file_storage, monkeypatch):
    # given: while this sweep asks about its batch, another sweep deletes the same objects
    names = [store(f"race/{n}.bin") for n in range(3)]

    def deleted_meanwhile(*, names):
        files.objects_delete(names)
        return set()

    owners = Registry("stored object owner")
    owners.register("race/", deleted_meanwhile)
    monkeypatch.setattr(hooks, "stored_object_owners", owners)
    # when
    swept = files.orphans_sweep(older_than=timezone.now() + timedelta(minutes=1))
    # then
    assert swept == {"race/": len(names)}
    assert file_storage.names() == []


def test_objects_an_app_still_refers_to_are_never_deleted(file_storage, monkeypatch):
    # given: an app that refers to one of its two objects
    kept, orphan = store("docs/kept.pdf"), store("docs/orphan.pdf")
    owners = Registry("stored object owner")
    owners.register("docs/", lambda *, names: {kept} & set(names))
    monkeypatch.setattr(hooks, "stored_object_owners", owners)
    # when
    swept = files.orphans_sweep(older_than=timezone.now() + timedelta(minutes=1))
    # then
    assert swept == {"docs/": 1}
    assert file_storage.names() == [kept]
    assert orphan not in file_storage.names()


def test_the_sweep_job_is_scheduled_hourly():
    from learnflow.schedules import periodic_job_get

    job = periodic_job_get("sweep_orphaned_files")
    assert (job.task, job.crontab) == ("learnflow.sweep_orphaned_files", {"minute": "47"})


def test_upload_files_no_row_names_are_swept_and_a_resources_file_is_kept(file_storage, auth_client, user):
    # given: a resource's uploaded PDF (with its row), and what a rolled-back upload left behind
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    response = auth_client.post(
        "/api/resources/",
        {"title": "Notes", "resource_type": "file", "file": upload(pdf, "notes.pdf", "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    kept = file_storage.names("uploads/")
    stray = files.object_save(f"uploads/{user.pk}/{'ab' * 16}.pdf", pdf, content_type="application/pdf")
    # when: past the grace
    with time_machine.travel(timezone.now() + timedelta(minutes=70)):
        swept = jobs.sweep_orphaned_files.delay().get()
    # then
    assert swept["uploads/"] == 1
    assert file_storage.names("uploads/") == kept
    assert stray not in file_storage.names()
