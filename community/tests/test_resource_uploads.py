"""Resources with uploaded files, through the HTTP API on both storages (``file_storage`` runs each
test on the file system and on an S3-compatible server): what may be uploaded (decided by the
bytes), the per-type limits and the storage quota (413 with what remains, also for parallel
uploads), who is given the file's URLs, what deleting, moving, editing, the data export and account
deletion do with the files, the usage stats, and the list's query count."""

import struct
import threading
import zipfile
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from PIL import ExifTags, Image

from accounts.choices import Tier
from accounts.models import Upload, User
from accounts.tests.factories import DEFAULT_PASSWORD, UploadFactory, UserFactory
from community.choices import ResourceType
from community.models import Resource
from community.tests.factories import ResourceFactory, group_with
from learnflow import files
from learnflow.testing import client_for, count_queries, image_bytes, png_with_gps, upload

pytestmark = pytest.mark.django_db

RESOURCES = "/api/resources"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"% lecture notes\n" * 40 + b"%%EOF\n"


def mp4_bytes(padding: int = 64) -> bytes:
    """The start of an MP4 file: an ``ftyp`` box (brand isom) and an ``mdat`` box."""
    ftyp = struct.pack(">I", 24) + b"ftypisom" + struct.pack(">I", 512) + b"isomiso2"
    return ftyp + struct.pack(">I", 8 + padding) + b"mdat" + b"\x00" * padding


def webm_bytes() -> bytes:
    """An EBML header whose DocType is ``webm``."""
    return bytes.fromhex("1a45dfa3") + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 64


def docx_bytes() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def post_file(client, content: bytes, name: str = "notes.pdf", resource_type: str = "file", **fields):
    """POST a resource with its file, its Content-Type claimed ``text/plain`` (a claim never counts)."""
    data = {"title": name, "resource_type": resource_type, **fields, "file": upload(content, name, "text/plain")}
    return client.post(f"{RESOURCES}/", data, format="multipart")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


def fetch(file_storage, url: str) -> tuple[dict, bytes]:
    status, headers, body = file_storage.fetch(url)
    assert status == 200, (status, body[:200])
    return headers, body


def stats(client) -> dict:
    response = client.get(f"{RESOURCES}/stats/me")
    assert response.status_code == 200
    return response.json()["storage"]


def nothing_stored(file_storage) -> bool:
    return file_storage.names("uploads/") == [] and not Upload.objects.exists() and not Resource.objects.exists()


# --- what may be uploaded -------------------------------------------------------------------------


def test_a_pdf_is_stored_as_uploaded_and_its_url_downloads_it(file_storage, auth_client, user):
    # when
    body = created(post_file(auth_client, PDF, "Week 3 notes.pdf", description="Eigenvalues"))
    # then
    assert body["url"] == ""
    assert body["file_size"] == len(PDF)
    assert {key: body["file"][key] for key in ("name", "size", "content_type", "thumbnail_url")} == {
        "name": "Week 3 notes.pdf",
        "size": len(PDF),
        "content_type": "application/pdf",
        "thumbnail_url": None,
    }
    stored = Upload.objects.get(user=user)
    assert stored.object_name.startswith(f"uploads/{user.pk}/")
    assert file_storage.names("uploads/") == [stored.object_name]
    headers, content = fetch(file_storage, body["file"]["download_url"])
    assert content == PDF
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "Week 3 notes.pdf" in headers["content-disposition"]


def test_a_png_is_written_anew_without_its_exif_and_gets_a_thumbnail(file_storage, auth_client):
    # given
    photo = png_with_gps()
    assert Image.open(BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # when
    body = created(post_file(auth_client, photo, "board.png", resource_type="image"))
    # then
    assert body["file"]["content_type"] == "image/png"
    _, content = fetch(file_storage, body["file"]["download_url"])
    image = Image.open(BytesIO(content))
    assert (image.format, image.size) == ("PNG", (900, 600))
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(image.info)
    assert body["file"]["size"] == len(content)
    headers, thumbnail = fetch(file_storage, body["file"]["thumbnail_url"])
    thumb = Image.open(BytesIO(thumbnail))
    assert headers["content-type"] == "image/webp"
    assert (thumb.format, thumb.size) == ("WEBP", (320, 213))
    assert not thumb.getexif()
    assert len(file_storage.names("uploads/")) == 2


@pytest.mark.parametrize(
    ("content", "name", "resource_type", "content_type", "download_name"),
    [
        pytest.param(mp4_bytes(), "lecture.mp4", "video", "video/mp4", "lecture.mp4", id="mp4"),
        pytest.param(webm_bytes(), "lecture.webm", "video", "video/webm", "lecture.webm", id="webm"),
        pytest.param(
            docx_bytes(),
            "essay.docx",
            "file",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "essay.docx",
            id="docx",
        ),
        pytest.param("Week 3 — eigenvalues\n".encode(), "notes", "file", "text/plain", "notes.txt", id="utf8-text"),
        pytest.param(PDF, "../../etc/sneaky\u202egpj.pdf", "file", "application/pdf", "sneakygpj.pdf", id="bad-name"),
    ],
)
def test_videos_documents_and_text_are_stored_byte_for_byte(
    file_storage, auth_client, content, name, resource_type, content_type, download_name
):
    # when
    body = created(post_file(auth_client, content, name, resource_type=resource_type))
    # then
    assert body["resource_type"] == resource_type
    assert body["file"]["content_type"] == content_type
    assert body["file"]["name"] == download_name
    assert body["file"]["thumbnail_url"] is None
    _, fetched = fetch(file_storage, body["file"]["download_url"])
    assert fetched == content


def test_the_type_is_decided_by_the_bytes_not_the_name(file_storage, auth_client):
    # when: a GIF named like a PDF, as a file resource (a file may be an image)
    body = created(post_file(auth_client, image_bytes("GIF", (64, 48)), "slides.pdf"))
    # then: stored as what it is, its first frame written anew as a PNG
    assert body["file"]["content_type"] == "image/png"
    assert body["file"]["name"] == "slides.png"
    assert body["file"]["thumbnail_url"] is not None


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    ("content", "name", "resource_type"),
    [
        pytest.param(SVG, "diagram.svg", "image", id="svg-image"),
        pytest.param(SVG, "diagram.svg", "file", id="svg-file"),
        pytest.param(b"<?xml version='1.0'?>\n" + SVG, "diagram.txt", "file", id="svg-with-xml-declaration"),
        pytest.param(HTML, "notes.pdf", "file", id="html-named-pdf"),
        pytest.param(b"My notes\n" + HTML, "notes.txt", "file", id="html-after-some-text"),
        pytest.param(b"MZ\x90\x00\x03" + b"\x00" * 200, "setup.pdf", "file", id="exe"),
        pytest.param(image_bytes("GIF", (64, 64)), "clip.mp4", "video", id="gif-as-video"),
        pytest.param(PDF, "photo.jpg", "image", id="pdf-as-image"),
        pytest.param(mp4_bytes(), "clip.pdf", "file", id="video-as-file"),
        pytest.param(b"notes\x00\x01\x02", "notes.txt", "file", id="binary-with-nul"),
        pytest.param("naïve café".encode("latin-1"), "notes.txt", "file", id="not-utf8"),
        pytest.param(b"", "empty.pdf", "file", id="empty"),
    ],
)
def test_anything_else_is_400_naming_file_and_nothing_is_stored(
    file_storage, auth_client, content, name, resource_type
):
    # when
    response = post_file(auth_client, content, name, resource_type=resource_type)
    # then
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"file"}
    assert nothing_stored(file_storage)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(image_bytes("JPEG", (400, 400))[:600], id="truncated-jpeg"),
        pytest.param(image_bytes("PNG", (400, 400))[:80], id="truncated-png"),
    ],
)
def test_a_truncated_image_is_400_naming_file(file_storage, auth_client, content):
    # when
    response = post_file(auth_client, content, "photo.jpg", resource_type="image")
    # then
    assert response.status_code == 400
    assert response.json() == {"file": ["The image is corrupt or truncated."]}
    assert nothing_stored(file_storage)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"resource_type": "link"}, "resource_type", id="link"),
        pytest.param({"resource_type": "folder"}, "resource_type", id="folder"),
        pytest.param({"url": "https://example.com/notes.pdf"}, "url", id="url-too"),
        pytest.param({"title": ""}, "title", id="no-title"),
    ],
)
def test_bad_upload_fields_are_400_naming_the_field(file_storage, auth_client, fields, field):
    # when
    response = auth_client.post(
        f"{RESOURCES}/",
        {"title": "Notes", "resource_type": "file", **fields, "file": upload(PDF, "notes.pdf", "application/pdf")},
        format="multipart",
    )
    # then
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert nothing_stored(file_storage)


def test_a_multipart_body_without_a_file_is_400_naming_file(auth_client):
    response = auth_client.post(f"{RESOURCES}/", {"title": "Notes", "resource_type": "file"}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


def test_a_file_resource_can_still_be_a_url(auth_client):
    # when
    response = auth_client.post(
        f"{RESOURCES}/", {"title": "Notes", "resource_type": "file", "url": "https://example.com/n.pdf"}, format="json"
    )
    # then
    body = created(response)
    assert body["url"] == "https://example.com/n.pdf"
    assert body["file"] is None


def test_uploading_into_a_group_one_is_not_in_is_400_before_anything_is_stored(file_storage, auth_client):
    # given
    group = group_with(leader=UserFactory())
    # when
    response = post_file(auth_client, PDF, group_id=str(group.pk))
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"group_id"}
    assert nothing_stored(file_storage)


# --- size limits and the quota --------------------------------------------------------------------


def test_a_file_over_its_types_limit_is_413(file_storage, auth_client, settings):
    # given
    settings.LEARNFLOW_UPLOAD_MAX_BYTES = {"file": 500, "image": 500, "video": 5000}
    # when
    too_large = post_file(auth_client, PDF, "notes.pdf")
    video = post_file(auth_client, mp4_bytes(padding=2000), "clip.mp4", resource_type="video")
    # then
    assert too_large.status_code == 413
    assert too_large.json() == {"detail": "The file is larger than 500 bytes."}
    created(video)
    assert len(file_storage.names("uploads/")) == 1


def test_a_body_over_the_largest_limit_is_413_before_it_is_read(file_storage, auth_client, settings):
    # given: any type's limit plus the multipart allowance is less than the body
    settings.LEARNFLOW_UPLOAD_MAX_BYTES = {"file": 500, "image": 500, "video": 1000}
    content = mp4_bytes(padding=files.MULTIPART_ALLOWANCE_BYTES + 2000)
    # when
    response = post_file(auth_client, content, "clip.mp4", resource_type="video")
    # then
    assert response.status_code == 413
    assert response.json()["detail"].startswith("Request body is larger than")
    assert nothing_stored(file_storage)


def test_an_upload_over_the_quota_is_413_with_the_space_left(file_storage, auth_client, settings):
    # given
    settings.LEARNFLOW_STORAGE_QUOTA_BYTES = 2 * len(PDF) + 10
    created(post_file(auth_client, PDF, "one.pdf"))
    created(post_file(auth_client, PDF, "two.pdf"))
    # when
    response = post_file(auth_client, PDF, "three.pdf")
    # then
    assert response.status_code == 413
    body = response.json()
    assert body["remaining_bytes"] == 10
    assert body["quota_bytes"] == 2 * len(PDF) + 10
    assert body["detail"].startswith("Not enough storage left")
    assert len(file_storage.names("uploads/")) == 2
    assert Resource.objects.count() == 2


def test_premium_users_have_a_larger_quota(file_storage, settings):
    # given
    settings.LEARNFLOW_STORAGE_QUOTA_BYTES = len(PDF) + 10
    settings.LEARNFLOW_STORAGE_QUOTA_PREMIUM_BYTES = 10 * len(PDF)
    free, premium = client_for(UserFactory()), client_for(UserFactory(tier=Tier.PREMIUM))
    for client in (free, premium):
        created(post_file(client, PDF, "one.pdf"))
    # when
    refused, accepted = post_file(free, PDF, "two.pdf"), post_file(premium, PDF, "two.pdf")
    # then
    assert refused.status_code == 413
    created(accepted)
    assert stats(premium)["quota_bytes"] == 10 * len(PDF)
    assert stats(premium)["remaining_bytes"] == 8 * len(PDF)


@pytest.mark.django_db(transaction=True)
def test_parallel_uploads_never_take_more_than_the_quota(file_storage, settings, monkeypatch):
    # given: room for one PDF, and both uploads past the early check before either is recorded
    settings.LEARNFLOW_STORAGE_QUOTA_BYTES = len(PDF) + len(PDF) // 2
    owner = UserFactory()
    barrier = threading.Barrier(2)
    save = files.object_save

    def save_then_wait(*args, **kwargs):
        name = save(*args, **kwargs)
        barrier.wait(timeout=10)
        return name

    monkeypatch.setattr(files, "object_save", save_then_wait)
    statuses: list[int] = []
    lock = threading.Lock()

    def post(n):
        try:
            response = post_file(client_for(owner), PDF, f"notes {n}.pdf")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then
    assert sorted(statuses) == [201, 413]
    assert Upload.objects.filter(user=owner).count() == 1
    assert file_storage.names("uploads/") == [Upload.objects.get(user=owner).object_name]


# --- who gets the file ----------------------------------------------------------------------------


def test_a_personal_upload_is_nobody_elses(file_storage, auth_client, other_user):
    # given
    body = created(post_file(auth_client, PDF))
    other = client_for(other_user)
    # when
    response = other.get(f"{RESOURCES}/{body['id']}")
    listed = other.get(f"{RESOURCES}/all")
    # then
    assert response.status_code == 404
    assert listed.json()["results"] == []


def test_group_members_get_the_file_and_outsiders_do_not(file_storage, auth_client, user):
    # given
    member, outsider = UserFactory(), UserFactory()
    group = group_with(leader=user, members=[member])
    body = created(post_file(auth_client, PDF, group_id=str(group.pk)))
    # when
    seen = client_for(member).get(f"{RESOURCES}/{body['id']}")
    library = client_for(member).get(f"{RESOURCES}/group/{group.pk}")
    refused = client_for(outsider).get(f"{RESOURCES}/{body['id']}")
    # then
    assert seen.status_code == 200
    _, content = fetch(file_storage, seen.json()["file"]["download_url"])
    assert content == PDF
    assert [row["file"]["name"] for row in library.json()["results"]] == ["notes.pdf"]
    assert refused.status_code == 404


# --- deleting, moving, editing --------------------------------------------------------------------


def test_deleting_the_resource_deletes_its_files_after_commit_and_frees_the_quota(
    file_storage, auth_client, django_capture_on_commit_callbacks
):
    # given
    body = created(post_file(auth_client, image_bytes("PNG", (64, 64)), "board.png", resource_type="image"))
    assert stats(auth_client)["file_count"] == 1
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = auth_client.delete(f"{RESOURCES}/{body['id']}")
    still_there = file_storage.names("uploads/")
    for callback in callbacks:
        callback()
    # then
    assert response.status_code == 204
    assert len(still_there) == 2
    assert file_storage.names("uploads/") == []
    assert stats(auth_client)["used_bytes"] == 0
    resource = Resource.objects.get(pk=body["id"])
    assert resource.is_deleted and resource.upload is None


def test_a_leader_deleting_a_folder_deletes_the_members_uploads_in_it(
    file_storage, user, django_capture_on_commit_callbacks
):
    # given
    member = UserFactory()
    group = group_with(leader=user, members=[member])
    folder = ResourceFactory(uploaded_by=user, group=group, folder=True)
    created(post_file(client_for(member), PDF, group_id=str(group.pk), parent_folder_id=str(folder.pk)))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).delete(f"{RESOURCES}/{folder.pk}")
    # then
    assert response.status_code == 204
    assert file_storage.names("uploads/") == []
    assert stats(client_for(member))["used_bytes"] == 0


def test_sharing_and_taking_back_keep_the_same_file_on_the_uploaders_quota(file_storage, auth_client, user):
    # given
    member = UserFactory()
    group = group_with(leader=user, members=[member])
    body = created(post_file(auth_client, PDF))
    upload_before = Upload.objects.get()
    # when
    shared = auth_client.post(f"{RESOURCES}/{body['id']}/share", {"group_id": str(group.pk)}, format="json")
    seen = client_for(member).get(f"{RESOURCES}/{body['id']}")
    back = auth_client.post(f"{RESOURCES}/{body['id']}/make-personal", {}, format="json")
    # then
    assert shared.status_code == back.status_code == 200
    _, content = fetch(file_storage, seen.json()["file"]["download_url"])
    assert content == PDF
    assert Upload.objects.get() == upload_before
    assert Upload.objects.get().user == user
    assert stats(auth_client)["used_bytes"] == len(PDF)
    assert stats(client_for(member))["used_bytes"] == 0


def test_editing_keeps_the_file_and_refuses_a_url_another_type_or_size(file_storage, auth_client):
    # given
    body = created(post_file(auth_client, PDF))
    path = f"{RESOURCES}/{body['id']}"
    # when
    renamed = auth_client.patch(path, {"title": "Week 3", "url": ""}, format="json")
    refusals = {
        field: auth_client.patch(path, {field: value}, format="json")
        for field, value in (("url", "https://example.com/x.pdf"), ("resource_type", "video"), ("file_size", 1))
    }
    # then
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Week 3"
    assert renamed.json()["file"]["name"] == "notes.pdf"
    for field, response in refusals.items():
        assert response.status_code == 400, response.content
        assert set(response.json()) == {field}


# --- usage, export, account deletion --------------------------------------------------------------


def test_stats_show_what_the_uploads_take_of_the_quota(file_storage, auth_client, settings):
    # given
    settings.LEARNFLOW_STORAGE_QUOTA_BYTES = 10**6
    pdf = created(post_file(auth_client, PDF))
    png = created(post_file(auth_client, image_bytes("PNG", (64, 64)), "a.png", resource_type="image"))
    other_pdf = created(post_file(auth_client, PDF + b"\n", "b.pdf"))
    created(post_file(client_for(UserFactory()), PDF))
    sizes = {name: body["file"]["size"] for name, body in (("pdf", pdf), ("png", png), ("other", other_pdf))}
    # when
    storage = stats(auth_client)
    # then
    used = sum(sizes.values())
    assert storage == {
        "used_bytes": used,
        "quota_bytes": 10**6,
        "remaining_bytes": 10**6 - used,
        "file_count": 3,
        "by_type": {
            "application/pdf": {"files": 2, "bytes": sizes["pdf"] + sizes["other"]},
            "image/png": {"files": 1, "bytes": sizes["png"]},
        },
    }


def test_the_data_export_lists_uploads_with_download_urls_fresh_when_read(
    file_storage, auth_client, user, django_capture_on_commit_callbacks
):
    # given
    kept = created(post_file(auth_client, PDF, "kept.pdf"))
    gone = created(post_file(auth_client, PDF, "gone.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        export = auth_client.post("/api/users/me/export")
    auth_client.delete(f"{RESOURCES}/{gone['id']}")
    # when: read after the URLs stored in the document have expired
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        document = auth_client.get(f"/api/users/me/export/{export.json()['id']}").json()["document"]
        status, _, content = file_storage.fetch(document["uploads"][0]["download_url"])
    # then
    rows = {row["name"]: row for row in document["uploads"]}
    assert set(rows) == {"kept.pdf", "gone.pdf"}
    assert {key: rows["kept.pdf"][key] for key in ("size", "content_type", "purpose")} == {
        "size": len(PDF),
        "content_type": "application/pdf",
        "purpose": "resource",
    }
    assert rows["kept.pdf"]["id"] == str(Upload.objects.get().pk)
    assert rows["gone.pdf"]["download_url"] is None
    assert (status, content) == (200, PDF)
    resource_rows = {row["id"]: row for row in document["resources"]["resources"]}
    assert resource_rows[kept["id"]]["upload_id"] == rows["kept.pdf"]["id"]


def test_deleting_the_account_deletes_its_uploads_group_ones_included(
    file_storage, auth_client, user, django_capture_on_commit_callbacks
):
    # given
    member = UserFactory()
    group = group_with(leader=member, members=[user])
    created(post_file(auth_client, PDF, "mine.pdf"))
    created(post_file(auth_client, PDF, "shared.pdf", group_id=str(group.pk)))
    kept = created(post_file(client_for(member), PDF, "theirs.pdf", group_id=str(group.pk)))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.delete("/api/users/me", {"password": DEFAULT_PASSWORD}, format="json")
    # then
    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    theirs = Upload.objects.get()
    assert theirs.user == member
    assert file_storage.names("uploads/") == [theirs.object_name]
    library = client_for(member).get(f"{RESOURCES}/group/{group.pk}").json()["results"]
    assert [row["id"] for row in library] == [kept["id"]]


# --- the admin ------------------------------------------------------------------------------------


def test_staff_deleting_an_uploaded_resource_deletes_its_file_which_then_cannot_be_restored(
    file_storage, admin_client, auth_client, django_capture_on_commit_callbacks
):
    # given
    body = created(post_file(auth_client, PDF))
    changelist = "/admin/community/resource/"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        deleted = admin_client.post(changelist, {"action": "soft_delete", "_selected_action": [body["id"]]})
    restored = admin_client.post(changelist, {"action": "restore", "_selected_action": [body["id"]]}, follow=True)
    # then
    assert deleted.status_code == 302
    assert file_storage.names("uploads/") == []
    assert not Upload.objects.exists()
    assert "Not restored, their uploaded file is gone: 1." in restored.content.decode()
    assert Resource.objects.get(pk=body["id"]).is_deleted


def test_staff_see_uploads_and_deleting_one_deletes_its_objects_and_resource(
    file_storage, admin_client, auth_client, django_capture_on_commit_callbacks
):
    # given
    body = created(post_file(auth_client, image_bytes("PNG", (64, 64)), "a.png", resource_type="image"))
    stored = Upload.objects.get()
    # when
    pages = [
        admin_client.get(path) for path in ("/admin/accounts/upload/", f"/admin/accounts/upload/{stored.pk}/change/")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        deleted = admin_client.post(f"/admin/accounts/upload/{stored.pk}/delete/", {"post": "yes"})
    # then
    assert [page.status_code for page in pages] == [200, 200]
    assert deleted.status_code == 302
    assert file_storage.names("uploads/") == []
    assert not Resource.objects.filter(pk=body["id"]).exists()


# --- query counts ---------------------------------------------------------------------------------


def test_the_list_costs_the_same_queries_for_one_uploaded_resource_or_twenty(file_storage, user):
    # given: one in each library (an empty page skips the prefetch)
    client = client_for(user)
    group = group_with(leader=user)
    paths = [f"{RESOURCES}/all", f"{RESOURCES}/personal", f"{RESOURCES}/group/{group.pk}"]

    def uploaded(group=None):
        return ResourceFactory(
            uploaded_by=user, group=group, resource_type=ResourceType.FILE, url="", upload=UploadFactory(user=user)
        )

    uploaded(), uploaded(group)
    one = [count_queries(client, path) for path in paths]
    # when
    for n in range(18):
        uploaded(group if n % 2 else None)
    twenty = [count_queries(client, path) for path in paths]
    # then: /all holds 20 (a full page), each library 10: each page's count comes with the page
    assert twenty == one
    listed = client.get(f"{RESOURCES}/all").json()["results"]
    assert len(listed) == 20
    assert all(row["file"]["download_url"] for row in listed)


def test_an_upload_while_the_storage_is_down_is_a_503_that_leaves_nothing(file_storage, auth_client, settings):
    # given: a document larger than what the failing storage lets through
    big = PDF + b"%" + b"n" * 8192 + b"\n%%EOF\n"

    # when
    with file_storage.unavailable(settings):
        response = post_file(auth_client, big)

    # then: a 503 with Retry-After, no resource, no upload row, no stored object, no quota used
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": "File storage is unavailable; try again shortly."}
    assert response["Retry-After"]
    assert not Resource.objects.exists() and not Upload.objects.exists()
    assert nothing_stored(file_storage)
    assert stats(auth_client)["used_bytes"] == 0
