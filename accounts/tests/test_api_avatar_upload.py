"""Avatar uploads and the public avatar endpoint, through the HTTP API, on both storages
(``file_storage`` runs each test on the file system and on an S3-compatible server)."""

import struct
import zlib
from io import BytesIO
from xml.etree import ElementTree

import pytest
from PIL import ExifTags, Image

from accounts import avatars
from accounts.models import User
from accounts.tests.factories import UserFactory
from learnflow.testing import image_bytes, upload

AVATAR = "/api/users/profile/avatar"


def put_file(client, content: bytes, name: str = "me.jpg", content_type: str = "image/jpeg"):
    return client.put(AVATAR, {"file": upload(content, name, content_type)}, format="multipart")


def jpeg_with_gps_and_rotation() -> bytes:
    """A landscape photo, top half red and bottom half blue, whose EXIF says where it was taken and
    that it is shown turned a quarter clockwise (orientation 6)."""
    image = Image.new("RGB", (1200, 600), "blue")
    image.paste("red", (0, 0, 1200, 300))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    out = BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return out.getvalue()


def stored_image(file_storage, user, size: int) -> Image.Image:
    user.refresh_from_db()
    image = Image.open(BytesIO(file_storage.read(avatars.object_name(user.avatar_key, size))))
    image.load()
    return image


def fetch_avatar(file_storage, url: str):
    status, headers, body = file_storage.fetch(url)
    assert status == 200, (status, body[:200])
    return headers, body


# --- uploading ----------------------------------------------------------------------------------


def test_jpeg_upload_is_stored_upright_without_exif_as_512_and_96_squares(file_storage, auth_client, user):
    # given
    photo = jpeg_with_gps_and_rotation()
    assert Image.open(BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    # when
    response = put_file(auth_client, photo)
    # then
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.avatar_key.startswith(f"avatars/{user.pk}/")
    assert response.json()["avatar_url"] == f"/api/users/{user.pk}/avatar?v={user.avatar_key.rsplit('/', 1)[-1]}"
    assert file_storage.names(f"avatars/{user.pk}/") == sorted(avatars.object_names(user.avatar_key))
    large, small = stored_image(file_storage, user, 512), stored_image(file_storage, user, 96)
    assert (large.format, large.size, small.format, small.size) == ("WEBP", (512, 512), "WEBP", (96, 96))
    for image in (large, small):
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile"} & set(image.info)
    # upright: turned a quarter clockwise, the red top is now the right half
    red, blue = large.getpixel((500, 256)), large.getpixel((10, 256))
    assert red[0] > 200 and red[2] < 60, red
    assert blue[2] > 200 and blue[0] < 60, blue


def test_png_with_transparency_keeps_it(file_storage, auth_client, user):
    # given: a transparent square with an opaque green centre
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    image.paste((0, 200, 0, 255), (100, 100, 200, 200))
    out = BytesIO()
    image.save(out, format="PNG")
    # when
    response = put_file(auth_client, out.getvalue(), "me.png", "image/png")
    # then
    assert response.status_code == 200, response.content
    stored = stored_image(file_storage, user, 512)
    assert stored.mode == "RGBA"
    assert stored.getpixel((5, 5))[3] == 0
    assert stored.getpixel((256, 256))[1] > 150 and stored.getpixel((256, 256))[3] == 255


def test_webp_upload_is_accepted(file_storage, auth_client, user):
    # when
    response = put_file(auth_client, image_bytes("WEBP", (640, 480), colour="purple"), "me.webp", "image/webp")
    # then
    assert response.status_code == 200, response.content
    assert stored_image(file_storage, user, 96).size == (96, 96)


def test_the_avatar_url_serves_the_uploaded_image_to_anyone(file_storage, auth_client, user):
    # given
    response = put_file(auth_client, image_bytes("JPEG", (700, 700), colour="orange"))
    avatar_url = response.json()["avatar_url"]
    # when: fetched without a token, following the redirect to the storage on S3
    headers, body = fetch_avatar(file_storage, avatar_url)
    small_headers, small = fetch_avatar(file_storage, avatar_url + "&size=96")
    # then
    assert headers["content-type"] == small_headers["content-type"] == "image/webp"
    assert Image.open(BytesIO(body)).size == (512, 512)
    assert Image.open(BytesIO(small)).size == (96, 96)
    assert body == file_storage.read(avatars.object_name(User.objects.get(pk=user.pk).avatar_key, 512))


def test_the_public_endpoint_caches_the_current_version_long_and_redirects_briefly_on_s3(
    file_storage, auth_client, api_client, user
):
    # given
    avatar_url = put_file(auth_client, image_bytes()).json()["avatar_url"]
    # when
    current = api_client.get(avatar_url)
    stale = api_client.get(f"/api/users/{user.pk}/avatar?v=old")
    # then
    if file_storage.kind == "s3":
        assert current.status_code == stale.status_code == 302
        assert current["Location"].startswith(file_storage.storage.endpoint_url)
        assert current["Cache-Control"] == "public, max-age=240"
    else:
        assert current.status_code == stale.status_code == 200
        assert current["Cache-Control"] == "public, max-age=31536000"
        assert stale["Cache-Control"] == "public, max-age=300"
        assert current["X-Content-Type-Options"] == "nosniff"


def test_replacing_an_uploaded_avatar_deletes_the_old_files_after_commit(
    file_storage, auth_client, user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        put_file(auth_client, image_bytes(colour="red"))
    first = User.objects.get(pk=user.pk).avatar_key
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = put_file(auth_client, image_bytes(colour="blue"))
    # then
    assert response.status_code == 200
    second = User.objects.get(pk=user.pk).avatar_key
    assert second != first
    assert file_storage.names("avatars/") == sorted(avatars.object_names(second))


def test_setting_a_url_or_clearing_removes_the_uploaded_files(
    file_storage, auth_client, user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        put_file(auth_client, image_bytes())
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(AVATAR, {"avatar_url": "https://cdn.example.com/me.png"})
    # then
    assert response.json()["avatar_url"] == "https://cdn.example.com/me.png"
    assert file_storage.names("avatars/") == []
    assert User.objects.get(pk=user.pk).avatar_key == ""


def test_saving_the_whole_profile_back_keeps_the_uploaded_avatar(
    file_storage, auth_client, user, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        profile = put_file(auth_client, image_bytes()).json()
    # when: a profile form sends back what it read, avatar_url included
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.patch(
            "/api/users/me/", {"full_name": "New Name", "avatar_url": profile["avatar_url"], "bio": profile["bio"]}
        )
    # then
    assert response.status_code == 200, response.content
    assert response.json()["avatar_url"] == profile["avatar_url"]
    assert len(file_storage.names("avatars/")) == 2


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "me.jpg", "image/jpeg", id="pdf"),
        pytest.param(
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "me.png", "image/png", id="svg"
        ),
        pytest.param(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "me.webp", "image/webp", id="html"),
        pytest.param(image_bytes("GIF", (64, 64)), "me.jpg", "image/jpeg", id="gif-renamed-jpg"),
        pytest.param(b"", "me.jpg", "image/jpeg", id="empty"),
    ],
)
def test_a_file_that_is_not_jpeg_png_or_webp_by_its_bytes_is_400_naming_file(
    file_storage, auth_client, user, content, name, content_type
):
    # when
    response = put_file(auth_client, content, name, content_type)
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"file"}
    assert file_storage.names() == []
    assert User.objects.get(pk=user.pk).avatar_key == ""


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(image_bytes("JPEG", (400, 400))[:600], id="truncated-jpeg"),
        pytest.param(image_bytes("PNG", (400, 400))[:80], id="truncated-png"),
        pytest.param(image_bytes("JPEG")[:20] + b"\x00garbage" * 200, id="corrupt-jpeg"),
    ],
)
def test_a_truncated_or_corrupt_image_is_400_naming_file(file_storage, auth_client, user, content):
    # when
    response = put_file(auth_client, content)
    # then
    assert response.status_code == 400
    assert response.json() == {"file": ["The image is corrupt or truncated."]}
    assert file_storage.names() == []


def test_an_image_with_too_many_pixels_is_400_before_it_is_decoded(file_storage, auth_client, settings):
    # given
    settings.LEARNFLOW_IMAGE_MAX_PIXELS = 100 * 100
    # when
    response = put_file(auth_client, image_bytes("PNG", (101, 100)), "me.png", "image/png")
    # then
    assert response.status_code == 400
    assert response.json() == {"file": ["The image is 101x100: more than 10000 pixels."]}


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels in a few dozen bytes (a decompression bomb's
    header): valid signature and IHDR, no pixel data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [8000, 20000])
def test_a_decompression_bomb_is_400_naming_file(auth_client, side):
    # when: 64 and 400 million pixels claimed (past our limit; past Pillow's own twice over)
    response = put_file(auth_client, png_header_only(side, side), "me.png", "image/png")
    # then
    assert response.status_code == 400
    assert "pixels" in response.json()["file"][0]


def test_a_file_over_the_limit_is_413(file_storage, auth_client, settings):
    # given: the body fits the allowance for the multipart framing, the file does not fit the limit
    settings.LEARNFLOW_AVATAR_MAX_BYTES = 50_000
    # when
    response = put_file(auth_client, b"\xff\xd8\xff" + b"0" * 50_000)
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than 50000 bytes."}
    assert file_storage.names() == []


def test_a_body_over_the_limit_is_413_before_it_is_read(auth_client, settings):
    # given
    settings.LEARNFLOW_AVATAR_MAX_BYTES = 50_000
    # when
    response = put_file(auth_client, b"\xff\xd8\xff" + b"0" * 200_000)
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": f"Request body is larger than {50_000 + 64 * 1024} bytes."}


def test_an_avatar_just_under_5_mb_passes_the_body_limit(file_storage, auth_client, user):
    # given: a real JPEG padded (after its end marker) to just under 5 MB, far over the JSON body limit
    padded = image_bytes("JPEG", (600, 600)) + b"\x00" * (5 * 1024 * 1024 - 100_000)
    # when
    response = put_file(auth_client, padded)
    # then
    assert response.status_code == 200, response.content
    assert len(file_storage.names(f"avatars/{user.pk}/")) == 2


def test_both_file_and_avatar_url_is_400(auth_client):
    # when
    response = auth_client.put(
        AVATAR, {"file": upload(image_bytes()), "avatar_url": "https://cdn.example.com/a.png"}, format="multipart"
    )
    # then
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send either a file or avatar_url, not both."]}


def test_a_multipart_body_without_a_file_is_400_naming_file(auth_client):
    # when
    response = auth_client.put(AVATAR, {"note": "nothing"}, format="multipart")
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"file"}


def test_uploading_without_a_token_is_401(api_client, user):
    # when
    response = put_file(api_client, image_bytes())
    # then
    assert response.status_code == 401
    assert User.objects.get(pk=user.pk).avatar_key == ""


# --- the generated default ----------------------------------------------------------------------


def svg_of(body: bytes) -> tuple[str, str]:
    """The background colour and the text of a default avatar."""
    root = ElementTree.fromstring(body)
    ns = {"svg": "http://www.w3.org/2000/svg"}
    return root.find("svg:rect", ns).get("fill"), root.find("svg:text", ns).text


def test_a_new_user_gets_a_generated_default_with_initials_on_a_stable_colour(auth_client, api_client, user):
    # given
    user.full_name = "Ada King Lovelace"
    user.save()
    # when
    profile = auth_client.get("/api/users/me/").json()
    first = api_client.get(profile["avatar_url"])
    again = api_client.get(f"/api/users/{user.pk}/avatar?size=96")
    # then
    assert profile["avatar_url"].startswith(f"/api/users/{user.pk}/avatar?v=d")
    assert first.status_code == again.status_code == 200
    assert first["Content-Type"] == "image/svg+xml"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Cache-Control"] == "public, max-age=31536000"
    assert svg_of(first.content) == svg_of(again.content) == (avatars.colour(user.pk), "AL")


def test_users_get_colours_of_their_own(api_client, db):
    # given
    users = UserFactory.create_batch(8)
    # when
    colours = {svg_of(api_client.get(f"/api/users/{u.pk}/avatar").content)[0] for u in users}
    # then
    assert len(colours) >= 6


@pytest.mark.parametrize(
    ("username", "full_name", "text"),
    [
        ("grace", "", "G"),
        ("x", "<script>alert(1)</script>", "S"),
        ("<script>", "", "S"),
        ("_", "& \" '", "?"),
    ],
)
def test_default_initials_are_letters_and_never_markup(api_client, db, username, full_name, text):
    # given
    user = User.objects.create(username=username, email=f"{len(full_name)}@example.com", full_name=full_name)
    # when
    response = api_client.get(f"/api/users/{user.pk}/avatar")
    # then
    assert response.status_code == 200
    assert b"<script" not in response.content
    assert svg_of(response.content)[1] == text


def test_the_default_changes_its_version_with_the_initials(auth_client, user):
    # given
    before = auth_client.get("/api/users/me/").json()["avatar_url"]
    # when
    after = auth_client.patch("/api/users/me/", {"full_name": "Zed Quinn"}).json()["avatar_url"]
    # then
    assert before != after


def test_every_reader_shows_the_default_instead_of_null(auth_client, other_user):
    # when
    listed = auth_client.get("/api/users/", {"search": other_user.username}).json()["results"]
    detail = auth_client.get(f"/api/users/{other_user.pk}/").json()
    # then
    assert listed[0]["avatar_url"] == detail["avatar_url"] == other_user.avatar_url
    assert detail["avatar_url"].startswith(f"/api/users/{other_user.pk}/avatar?v=d")


def test_avatar_urls_start_with_the_public_base_url_when_set(auth_client, user, settings):
    # given
    settings.LEARNFLOW_PUBLIC_BASE_URL = "https://api.example.com"
    # when
    body = auth_client.get("/api/users/profile/avatar").json()
    # then
    assert body["avatar_url"].startswith(f"https://api.example.com/api/users/{user.pk}/avatar?v=")


# --- the public endpoint's refusals ---------------------------------------------------------------


def test_an_unknown_or_inactive_user_has_no_avatar(api_client, other_user):
    # given
    User.objects.filter(pk=other_user.pk).update(is_active=False)
    # when
    unknown = api_client.get("/api/users/00000000-0000-4000-8000-000000000000/avatar")
    inactive = api_client.get(f"/api/users/{other_user.pk}/avatar", HTTP_ACCEPT="image/webp")
    # then
    assert unknown.status_code == inactive.status_code == 404
    assert inactive.json() == {"detail": "No User matches the given query."}


def test_a_size_other_than_512_or_96_is_400(api_client, user):
    # when
    response = api_client.get(f"/api/users/{user.pk}/avatar", {"size": 200})
    # then
    assert response.status_code == 400
    assert set(response.json()) == {"size"}


def test_an_invalid_token_does_not_stop_an_avatar_from_showing(api_client, user):
    # given
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    # when
    response = api_client.get(f"/api/users/{user.pk}/avatar")
    # then
    assert response.status_code == 200
