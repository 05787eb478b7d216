"""Images in the group chat, through the HTTP API on both storages (``file_storage`` runs each test
on the file system and on an S3-compatible server): members post a JPEG, PNG, WebP or GIF (decided
by the bytes) with an optional caption, written anew without metadata with a thumbnail, on the
sender's quota; only members are given its URLs; deleting the message, the sender's account or the
message in the admin deletes the image; text messages are JSON as before."""

from io import BytesIO

import pytest
from PIL import ExifTags, Image

from accounts.models import Upload
from accounts.tests.factories import DEFAULT_PASSWORD, UploadFactory, UserFactory
from community.choices import MessageType, Visibility
from community.models import GroupMessage
from community.tests.factories import group_with
from learnflow import files
from learnflow.testing import client_for, count_queries, image_bytes, png_with_gps, upload

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def chat(group) -> str:
    return f"/api/groups/{group.pk}/messages"


def post_image(client, group, image: bytes, name: str = "board.png", **fields):
    """POST an image message, its Content-Type claimed ``image/jpeg`` whatever it is (a claim never counts)."""
    data = {"message_type": "image", **fields, "file": upload(image, name, "image/jpeg")}
    return client.post(chat(group), data, format="multipart")


def created(response) -> dict:
    assert response.status_code == 201, response.content
    return response.json()


def fetch(file_storage, url: str) -> tuple[dict, bytes]:
    status, headers, body = file_storage.fetch(url)
    assert status == 200, (status, body[:200])
    return headers, body


def used_bytes(client) -> int:
    return client.get("/api/resources/stats/me").json()["storage"]["used_bytes"]


def nothing_stored(file_storage) -> bool:
    return file_storage.names("uploads/") == [] and not Upload.objects.exists() and not GroupMessage.objects.exists()


def noise_png(size=(200, 200)) -> bytes:
    """A PNG that stays large once written anew (noise does not compress)."""
    out = BytesIO()
    Image.effect_noise(size, 100).convert("RGB").save(out, format="PNG")
    return out.getvalue()


# --- posting and seeing ---------------------------------------------------------------------------


def test_a_member_posts_a_photo_another_member_sees_it_without_its_gps(file_storage, user, other_user):
    # given
    group = group_with(leader=user, members=[other_user])
    photo = png_with_gps()
    assert Image.open(BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # when
    posted = created(post_image(client_for(user), group, photo, "Whiteboard.PNG", content="Today's board"))
    rows = client_for(other_user).get(chat(group)).json()["results"]
    # then
    assert [row["id"] for row in rows] == [posted["id"]]
    message = rows[0]
    assert (message["message_type"], message["content"], message["sender"]["username"]) == (
        "image",
        "Today's board",
        user.username,
    )
    image = message["image"]
    assert {key: image[key] for key in ("name", "content_type", "width", "height")} == {
        "name": "Whiteboard.png",
        "content_type": "image/png",
        "width": 900,
        "height": 600,
    }
    headers, content = fetch(file_storage, image["url"])
    stored = Image.open(BytesIO(content))
    assert headers["content-type"] == "image/png"
    assert (stored.format, stored.size) == ("PNG", (900, 600))
    assert not stored.getexif()
    assert not {"exif", "xmp", "icc_profile"} & set(stored.info)
    assert image["size"] == len(content)
    headers, thumbnail = fetch(file_storage, image["thumbnail_url"])
    thumb = Image.open(BytesIO(thumbnail))
    assert (headers["content-type"], thumb.format, thumb.size) == ("image/webp", "WEBP", (320, 213))
    assert not thumb.getexif()
    assert posted["image"]["name"] == "Whiteboard.png"
    upload_row = Upload.objects.get()
    assert (upload_row.user, upload_row.purpose) == (user, "chat_image")
    assert used_bytes(client_for(user)) == len(content)
    assert used_bytes(client_for(other_user)) == 0


@pytest.mark.parametrize(
    ("fmt", "content_type", "name"),
    [("JPEG", "image/jpeg", "photo.jpg"), ("WEBP", "image/webp", "photo.webp"), ("GIF", "image/png", "photo.png")],
)
def test_jpeg_webp_and_gif_are_accepted_a_gif_as_the_png_of_its_first_frame(
    file_storage, user, fmt, content_type, name
):
    # when
    body = created(post_image(client_for(user), group_with(leader=user), image_bytes(fmt, (64, 48)), "photo.bin"))
    # then
    assert body["content"] == ""
    assert {key: body["image"][key] for key in ("content_type", "name", "width", "height")} == {
        "content_type": content_type,
        "name": name,
        "width": 64,
        "height": 48,
    }


def test_text_messages_stay_json_with_no_image(user):
    # when
    body = created(client_for(user).post(chat(group_with(leader=user)), {"content": "Library at 6?"}, format="json"))
    # then
    assert (body["message_type"], body["content"], body["image"]) == ("text", "Library at 6?", None)


def test_an_image_message_in_json_is_400_naming_file(user):
    group = group_with(leader=user)
    response = client_for(user).post(chat(group), {"message_type": "image", "content": "look"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


def test_an_image_can_reply_and_only_within_the_group(file_storage, user):
    # given
    group, other_group = group_with(leader=user), group_with(leader=user)
    question = created(client_for(user).post(chat(group), {"content": "Which one?"}, format="json"))
    elsewhere = GroupMessage.objects.create(group=other_group, sender=user, content="x")
    # when
    reply = post_image(client_for(user), group, image_bytes("PNG", (32, 32)), reply_to_id=question["id"])
    stray = post_image(client_for(user), group, image_bytes("PNG", (32, 32)), reply_to_id=str(elsewhere.pk))
    # then
    assert created(reply)["reply_to_id"] == question["id"]
    assert stray.status_code == 400
    assert set(stray.json()) == {"reply_to_id"}
    assert Upload.objects.count() == 1
    assert len(file_storage.names("uploads/")) == 2


# --- who may ----------------------------------------------------------------------------------------


def test_outsiders_can_neither_post_nor_see_images(file_storage, user, other_user):
    # given
    public = group_with(leader=other_user)
    private = group_with(leader=other_user, visibility=Visibility.PRIVATE)
    created(post_image(client_for(other_user), public, image_bytes("PNG", (32, 32))))
    stored_before = file_storage.names("uploads/")
    client = client_for(user)
    # when
    posts = [post_image(client, group, image_bytes("PNG", (32, 32))).status_code for group in (public, private)]
    reads = [client.get(chat(group)).status_code for group in (public, private)]
    # then
    assert posts == [403, 404]
    assert reads == [403, 404]
    assert file_storage.names("uploads/") == stored_before
    assert Upload.objects.filter(user=user).count() == 0


def test_posting_an_image_needs_a_token(api_client, user):
    group = group_with(leader=user)
    response = api_client.post(chat(group), {"file": upload(image_bytes("PNG", (8, 8)), "a.png")}, format="multipart")
    assert response.status_code == 401


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name"),
    [
        pytest.param(SVG, "diagram.svg", id="svg"),
        pytest.param(b"<?xml version='1.0'?>\n" + SVG, "diagram.png", id="svg-with-xml-declaration"),
        pytest.param(HTML, "photo.png", id="html-named-png"),
        pytest.param(PDF, "photo.jpg", id="pdf"),
        pytest.param(b"hello, plain text", "photo.jpg", id="text"),
        pytest.param(b"", "empty.png", id="empty"),
    ],
)
def test_anything_but_an_image_is_400_naming_file_and_nothing_is_stored(file_storage, user, content, name):
    # when
    response = post_image(client_for(user), group_with(leader=user), content, name)
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
def test_a_corrupt_image_is_400_naming_file(file_storage, user, content):
    response = post_image(client_for(user), group_with(leader=user), content, "photo.jpg")
    assert response.status_code == 400
    assert response.json() == {"file": ["The image is corrupt or truncated."]}
    assert nothing_stored(file_storage)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"message_type": "image"}, "file", id="no-file"),
        pytest.param({"message_type": "text", "content": "hi"}, "message_type", id="multipart-text"),
        pytest.param({"content": "x" * 5001}, "content", id="caption-too-long"),
    ],
)
def test_bad_multipart_fields_are_400_naming_the_field(file_storage, user, data, field):
    # given
    group = group_with(leader=user)
    if field != "file":
        data = {**data, "file": upload(image_bytes("PNG", (8, 8)), "a.png")}
    # when
    response = client_for(user).post(chat(group), data, format="multipart")
    # then
    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}
    assert nothing_stored(file_storage)


# --- limits ---------------------------------------------------------------------------------------


def test_an_image_over_the_chat_limit_is_413(file_storage, user, settings):
    # given
    settings.LEARNFLOW_CHAT_IMAGE_MAX_BYTES = 500
    group = group_with(leader=user)
    # when
    too_large = post_image(client_for(user), group, image_bytes("PNG", (300, 300)))
    small = post_image(client_for(user), group, image_bytes("GIF", (4, 4)))
    # then
    assert too_large.status_code == 413
    assert too_large.json() == {"detail": "The file is larger than 500 bytes."}
    created(small)
    assert len(file_storage.names("uploads/")) == 2


def test_a_body_over_the_chat_limit_is_413_before_it_is_read(file_storage, user, settings):
    # given: the chat limit plus the multipart allowance is less than the body
    settings.LEARNFLOW_CHAT_IMAGE_MAX_BYTES = 1000
    content = image_bytes("PNG", (8, 8)) + b"\x00" * (files.MULTIPART_ALLOWANCE_BYTES + 2000)
    # when
    response = post_image(client_for(user), group_with(leader=user), content)
    # then
    assert response.status_code == 413
    assert response.json()["detail"] == f"Request body is larger than {1000 + files.MULTIPART_ALLOWANCE_BYTES} bytes."
    assert nothing_stored(file_storage)


def test_an_image_over_the_quota_is_413_with_the_space_left(file_storage, user, settings):
    # given: room for one re-encoded image and a bit
    group = group_with(leader=user)
    first = created(post_image(client_for(user), group, noise_png()))
    settings.LEARNFLOW_STORAGE_QUOTA_BYTES = first["image"]["size"] + 100
    # when
    response = post_image(client_for(user), group, noise_png())
    # then
    assert response.status_code == 413
    body = response.json()
    assert (body["remaining_bytes"], body["quota_bytes"]) == (100, first["image"]["size"] + 100)
    assert body["detail"].startswith("Not enough storage left")
    assert GroupMessage.objects.count() == Upload.objects.count() == 1
    assert len(file_storage.names("uploads/")) == 2


def test_an_image_while_the_storage_is_down_is_a_503_that_leaves_nothing(file_storage, user, settings):
    # given: an image that stays larger than what the failing storage lets through
    group = group_with(leader=user)
    # when
    with file_storage.unavailable(settings):
        response = post_image(client_for(user), group, noise_png())
    # then
    assert response.status_code == 503, response.content
    assert response.json() == {"detail": "File storage is unavailable; try again shortly."}
    assert response["Retry-After"]
    assert nothing_stored(file_storage)
    assert used_bytes(client_for(user)) == 0


# --- editing and deleting -------------------------------------------------------------------------


def test_a_caption_can_be_edited_or_emptied_and_the_image_stays(file_storage, user):
    # given
    group = group_with(leader=user)
    posted = created(post_image(client_for(user), group, image_bytes("PNG", (32, 32)), content="first"))
    text = created(client_for(user).post(chat(group), {"content": "words"}, format="json"))
    # when
    emptied = client_for(user).patch(f"{chat(group)}/{posted['id']}", {"content": ""}, format="json")
    blank_text = client_for(user).patch(f"{chat(group)}/{text['id']}", {"content": "  "}, format="json")
    # then
    assert emptied.status_code == 200
    assert (emptied.json()["content"], emptied.json()["image"]["name"]) == ("", "board.png")
    assert emptied.json()["edited_at"] is not None
    assert blank_text.status_code == 400
    assert set(blank_text.json()) == {"content"}


def test_deleting_an_image_message_deletes_its_image_after_commit_and_frees_the_quota(
    file_storage, user, other_user, django_capture_on_commit_callbacks
):
    # given
    group = group_with(leader=user, members=[other_user])
    posted = created(post_image(client_for(user), group, image_bytes("PNG", (64, 64))))
    url = f"{chat(group)}/{posted['id']}"
    # when
    refused = client_for(other_user).delete(url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(user).delete(url)
    still_there = file_storage.names("uploads/")
    for callback in callbacks:
        callback()
    # then
    assert refused.status_code == 403
    assert response.status_code == 204
    assert len(still_there) == 2
    assert file_storage.names("uploads/") == []
    assert not Upload.objects.exists()
    assert used_bytes(client_for(user)) == 0
    assert client_for(other_user).get(chat(group)).json()["results"] == []
    assert GroupMessage.objects.get(pk=posted["id"]).is_deleted


def test_a_deleted_account_takes_its_images_and_its_messages_stay_without_them(
    file_storage, user, other_user, django_capture_on_commit_callbacks
):
    # given
    group = group_with(leader=other_user, members=[user])
    created(post_image(client_for(user), group, image_bytes("PNG", (64, 64)), content="my notes"))
    kept = created(post_image(client_for(other_user), group, image_bytes("PNG", (48, 48)), "theirs.png"))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).delete("/api/users/me", {"password": DEFAULT_PASSWORD}, format="json")
    rows = client_for(other_user).get(chat(group)).json()["results"]
    # then
    assert response.status_code == 204
    gone = next(row for row in rows if row["id"] != kept["id"])
    assert (gone["sender"]["username"], gone["message_type"], gone["content"], gone["image"]) == (
        "deleted user",
        "image",
        "my notes",
        None,
    )
    still = next(row for row in rows if row["id"] == kept["id"])
    _, content = fetch(file_storage, still["image"]["url"])
    assert Image.open(BytesIO(content)).size == (48, 48)
    assert file_storage.names("uploads/") == sorted(Upload.objects.get().object_names)


def test_staff_deleting_a_message_in_the_admin_deletes_its_image(
    file_storage, admin_client, user, django_capture_on_commit_callbacks
):
    # given
    posted = created(post_image(client_for(user), group_with(leader=user), image_bytes("PNG", (32, 32))))
    path = f"/admin/community/groupmessage/{posted['id']}/"
    # when
    page = admin_client.get(f"{path}change/")
    with django_capture_on_commit_callbacks(execute=True):
        deleted = admin_client.post(f"{path}delete/", {"post": "yes"})
    # then
    assert page.status_code == 200
    assert deleted.status_code == 302
    assert not GroupMessage.objects.exists() and not Upload.objects.exists()
    assert file_storage.names("uploads/") == []


def test_the_data_export_lists_chat_images(file_storage, user, django_capture_on_commit_callbacks):
    # given
    posted = created(post_image(client_for(user), group_with(leader=user), image_bytes("PNG", (32, 32))))
    with django_capture_on_commit_callbacks(execute=True):
        export = client_for(user).post("/api/users/me/export")
    # when
    document = client_for(user).get(f"/api/users/me/export/{export.json()['id']}").json()["document"]
    # then
    [row] = document["uploads"]
    assert (row["purpose"], row["name"], row["content_type"]) == ("chat_image", "board.png", "image/png")
    [message] = document["messages"]["group_chat"]
    assert (message["id"], message["message_type"], message["upload_id"]) == (posted["id"], "image", row["id"])
    _, content = fetch(file_storage, row["download_url"])
    assert content.startswith(b"\x89PNG")


# --- query count ----------------------------------------------------------------------------------


def test_the_chat_costs_the_same_queries_for_one_image_message_or_twenty(file_storage, user):
    # given
    group = group_with(leader=user)

    def image_message():
        sender = UserFactory()
        upload_row = UploadFactory(
            user=sender, purpose="chat_image", content_type="image/png", thumbnail_name="uploads/t.webp"
        )
        GroupMessage.objects.create(
            group=group, sender=sender, message_type=MessageType.IMAGE, content="", upload=upload_row
        )

    image_message()
    one = count_queries(client_for(user), chat(group))
    # when
    for _ in range(19):
        image_message()
    twenty = count_queries(client_for(user), chat(group))
    # then
    assert twenty == one  # the full page's count comes with the page (learnflow.pagination)
    rows = client_for(user).get(chat(group)).json()["results"]
    assert len(rows) == 20
    assert all(row["image"]["url"] and row["image"]["thumbnail_url"] for row in rows)
