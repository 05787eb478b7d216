"""Uploaded files: what a user may upload, how it is stored, and the storage quota it counts against.

Every stored upload is one ``accounts.Upload`` row (the lowest app that knows users), whatever it
was uploaded for, so the quota, the data export, account deletion and orphan clean-up read one
place. Apps above store a file with :func:`upload_store` (or :func:`upload_write` then
:func:`upload_record` when the row must be created inside their own transaction) and delete it with
:func:`upload_delete` / :func:`uploads_delete`.

* **Type by the bytes** (``learnflow.files``): the allowed types are a dict ``{mime: label}``; plain
  text, which no magic number names, is accepted where ``text/plain`` is allowed when the whole file
  is UTF-8 without NUL bytes or markup. SVG, HTML and anything unrecognised never pass.
* **Images are written anew** (JPEG, PNG, WebP as themselves, a GIF as a PNG of its first frame),
  from the decoded pixels only, so no EXIF (GPS), XMP or ICC metadata is ever served, and the
  picture is upright. An image also gets a WebP thumbnail (``THUMBNAIL_SIZE``) when asked.
  Any other file is stored byte for byte, streamed from where Django spooled it.
* **Quota**: a user's uploads take at most ``LEARNFLOW_STORAGE_QUOTA_BYTES`` in all (premium:
  ``LEARNFLOW_STORAGE_QUOTA_PREMIUM_BYTES``), counting each stored file's size; thumbnails and
  avatars do not count. The check that decides runs with the user's row locked, so two uploads at
  once can never both take the last free space; over it is a 413 with ``remaining_bytes`` and
  ``quota_bytes``.
* **Objects follow the row**: objects are written before the row; if the row is not created they
  are deleted again; a deleted row's objects are deleted after the commit.
"""

import secrets
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum

from learnflow import files
from learnflow.exceptions import TooLarge

from .choices import Tier
from .models import Upload, User

IMAGE_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}

VIDEO_TYPES = {"video/mp4": "MP4", "video/webm": "WebM", "video/quicktime": "QuickTime"}

#: Documents: what a ``file`` resource may be beside an image.
DOCUMENT_TYPES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (docx)",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel (xlsx)",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint (pptx)",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "application/rtf": "RTF",
    "application/epub+zip": "EPUB",
    "application/zip": "ZIP",
    files.TEXT_TYPE: "plain text (UTF-8)",
}

#: The extension a stored file (and its download name) gets for its type.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.ms-powerpoint": "ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/rtf": "rtf",
    "application/epub+zip": "epub",
    "application/zip": "zip",
    files.TEXT_TYPE: "txt",
}

#: The thumbnail of an image fits in a square of this many pixels.
THUMBNAIL_SIZE = 320
THUMBNAIL_TYPE = "image/webp"

#: Where every upload's objects live in the storage, per user: ``uploads/<user id>/<random>.<ext>``.
PREFIX = "uploads/"


# --- quota ----------------------------------------------------------------------------------------


def quota_bytes(tier: str) -> int:
    """How much a user of ``tier`` may store in all."""
    if tier == Tier.PREMIUM:
        return settings.LEARNFLOW_STORAGE_QUOTA_PREMIUM_BYTES
    return settings.LEARNFLOW_STORAGE_QUOTA_BYTES


def used_bytes(user_id) -> int:
    return Upload.objects.filter(user_id=user_id).aggregate(n=Sum("size"))["n"] or 0


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _refuse_over_quota(*, size: int, used: int, quota: int) -> None:
    remaining = max(0, quota - used)
    if size > remaining:
        raise TooLarge(
            f"Not enough storage left: this file takes {_megabytes(size)}, {_megabytes(remaining)} of your "
            f"{_megabytes(quota)} are free. Delete files you no longer need to make room.",
            data={"remaining_bytes": remaining, "quota_bytes": quota},
        )


def storage_usage(*, user) -> dict:
    """What the user's uploads take: bytes used, the quota, what remains, how many files, and the
    same by content type (one query)."""
    rows = list(
        Upload.objects.filter(user=user)
        .values("content_type")
        .annotate(files=Count("pk"), bytes=Sum("size"))
        .order_by("content_type")
    )
    used = sum(row["bytes"] for row in rows)
    quota = quota_bytes(user.tier)
    return {
        "used_bytes": used,
        "quota_bytes": quota,
        "remaining_bytes": max(0, quota - used),
        "file_count": sum(row["files"] for row in rows),
        "by_type": {row["content_type"]: {"files": row["files"], "bytes": row["bytes"]} for row in rows},
    }


# --- checking and naming --------------------------------------------------------------------------


def content_type_of(file, *, max_bytes: int, allowed: dict[str, str]) -> str:
    """The file's type by its bytes, if ``allowed`` (else a 400 naming ``file``), refusing a file
    over ``max_bytes`` (413). Plain text is recognised by :func:`learnflow.files.is_plain_text`."""
    try:
        return files.upload_check(file, max_bytes=max_bytes, allowed=allowed)
    except ValidationError:
        if files.TEXT_TYPE in allowed and files.sniff(file) is None and files.is_plain_text(file):
            return files.TEXT_TYPE
        raise


def clean_name(name: str, *, content_type: str) -> str:
    """The client's file name made safe to show and to download as: no folders, no control or
    direction characters, spaces collapsed, at most 255 characters, and the extension of the type
    the bytes were found to be (``notes.pdf`` holding a PNG downloads as ``notes.png``)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(" " if unicodedata.category(c) == "Zs" else c for c in base if unicodedata.category(c)[0] != "C")
    base = "".join(c for c in base if unicodedata.category(c) not in ("Zl", "Zp"))
    base = " ".join(base.split()).strip(" .")
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base
    extension = EXTENSIONS[content_type]
    stem = stem[: 255 - len(extension) - 1].rstrip(" .") or "file"
    return f"{stem}.{extension}"


# --- storing --------------------------------------------------------------------------------------


@dataclass
class StoredFile:
    """Objects written for an upload whose row is not created yet (:func:`upload_write`)."""

    user_id: object
    purpose: str
    object_name: str
    size: int
    content_type: str
    original_name: str
    thumbnail_name: str | None = None
    width: int | None = None
    height: int | None = None
    names: list[str] = field(default_factory=list)

    def discard(self) -> None:
        """Delete the objects again (the row was not created)."""
        files.objects_delete(self.names)


def upload_write(*, user, file, allowed_types: dict[str, str], max_bytes: int, purpose: str, thumbnail=False):
    """Check an uploaded file and write its objects; the row is created by :func:`upload_record`.

    The file is refused when it is over ``max_bytes`` (413), not of ``allowed_types`` by its bytes
    (400 naming ``file``), a corrupt image (400 naming ``file``), or larger than the space the user
    has left (413; decided again under a lock by :func:`upload_record`). No lock is held meanwhile:
    writing a large file takes time."""
    content_type = content_type_of(file, max_bytes=max_bytes, allowed=allowed_types)
    content = thumb = None
    width = height = None
    if content_type in IMAGE_TYPES:
        image = files.image_open(file, mime=content_type)
        width, height = image.size
        content, content_type = files.image_encode_as(image, mime=content_type)
        if thumbnail:
            thumb = files.image_encode(files.image_thumbnail(image, THUMBNAIL_SIZE))
    size = len(content) if content is not None else file.size
    _refuse_over_quota(size=size, used=used_bytes(user.pk), quota=quota_bytes(user.tier))
    key = f"{PREFIX}{user.pk}/{secrets.token_hex(16)}"
    stored = StoredFile(
        user_id=user.pk,
        purpose=purpose,
        object_name=f"{key}.{EXTENSIONS[content_type]}",
        size=size,
        content_type=content_type,
        original_name=clean_name(getattr(file, "name", ""), content_type=content_type),
        width=width,
        height=height,
    )
    try:
        stored.object_name = files.object_save(
            stored.object_name, file if content is None else content, content_type=content_type
        )
        stored.names.append(stored.object_name)
        if thumb is not None:
            stored.thumbnail_name = files.object_save(f"{key}-thumb.webp", thumb, content_type=THUMBNAIL_TYPE)
            stored.names.append(stored.thumbnail_name)
    except BaseException:
        stored.discard()
        raise
    return stored


def upload_record(*, stored: StoredFile) -> Upload:
    """Create the row of written objects, if the user's quota still has room for them (else 413).
    The user's row is locked first, so parallel uploads are counted one after the other. Call it
    inside the caller's transaction; when anything in it fails, the caller discards ``stored``."""
    with transaction.atomic():
        tier = User.objects.select_for_update().values_list("tier", flat=True).get(pk=stored.user_id)
        _refuse_over_quota(size=stored.size, used=used_bytes(stored.user_id), quota=quota_bytes(tier))
        return Upload.objects.create(
            user_id=stored.user_id,
            purpose=stored.purpose,
            object_name=stored.object_name,
            thumbnail_name=stored.thumbnail_name,
            size=stored.size,
            content_type=stored.content_type,
            original_name=stored.original_name,
            width=stored.width,
            height=stored.height,
        )


def upload_store(*, user, file, allowed_types: dict[str, str], max_bytes: int, purpose: str, thumbnail=False):
    """Check, write and record an upload (:func:`upload_write`, :func:`upload_record`); if the row
    is not created, the objects are deleted again. Returns the ``Upload``."""
    stored = upload_write(
        user=user, file=file, allowed_types=allowed_types, max_bytes=max_bytes, purpose=purpose, thumbnail=thumbnail
    )
    try:
        return upload_record(stored=stored)
    except BaseException:
        stored.discard()
        raise


def uploads_delete(*, uploads) -> int:
    """Delete uploads: the rows now (what refers to them with ``CASCADE`` goes too, so callers
    detach what must stay first) and their objects once this commits. Returns how many went."""
    uploads = list(uploads)
    if not uploads:
        return 0
    names = [name for upload in uploads for name in upload.object_names]
    Upload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
    transaction.on_commit(lambda: files.objects_delete(names))
    return len(uploads)


def upload_delete(upload: Upload) -> None:
    uploads_delete(uploads=[upload])


def object_names_of(*, user) -> list[str]:
    """Every stored object of the user's uploads (for account deletion)."""
    names = []
    for object_name, thumbnail_name in Upload.objects.filter(user=user).values_list("object_name", "thumbnail_name"):
        names.append(object_name)
        if thumbnail_name:
            names.append(thumbnail_name)
    return names


# --- handing out ----------------------------------------------------------------------------------


def download_url(upload: Upload) -> str:
    """A short-lived URL of the file, downloaded as its cleaned name (images are shown inline).
    Only for a caller allowed to see what the upload belongs to (``learnflow.files``)."""
    return files.file_url(upload.object_name, content_type=upload.content_type, filename=upload.original_name)


def thumbnail_url(upload: Upload) -> str | None:
    if not upload.thumbnail_name:
        return None
    return files.file_url(upload.thumbnail_name, content_type=THUMBNAIL_TYPE)


def uploads_export(*, user) -> list[dict]:
    """The ``uploads`` section of the user's data export: each file's name, size, type, purpose and
    date, and a download URL (fresh when the export is read: :func:`export_urls_refresh`)."""
    return [
        {
            "id": upload.pk,
            "name": upload.original_name,
            "size": upload.size,
            "content_type": upload.content_type,
            "purpose": upload.purpose,
            "created_at": upload.created_at,
            "download_url": download_url(upload),
        }
        for upload in Upload.objects.filter(user=user).order_by("created_at", "pk")
    ]


def export_urls_refresh(document, *, user_id):
    """A stored export document with a fresh ``download_url`` for each upload still stored (``null``
    for one deleted since): URLs live minutes, an export days. One query."""
    items = document.get("uploads") if isinstance(document, dict) else None
    if not items:
        return document
    current = {str(upload.pk): upload for upload in Upload.objects.filter(user_id=user_id)}
    refreshed = []
    for item in items:
        upload = current.get(str(item.get("id")))
        refreshed.append({**item, "download_url": download_url(upload) if upload else None})
    return {**document, "uploads": refreshed}


def objects_in_use(*, names: list[str]) -> set[str]:
    """Of the stored objects ``names`` (under ``uploads/``), those an upload row names: its file or its
    thumbnail; the rest are orphans (a write whose transaction rolled back, a delete that failed).
    One query, by the owners' ids the names carry (``uploads/<user id>/...``)."""
    user_ids = files.owner_ids(names)
    rows = Upload.objects.filter(user_id__in=user_ids).values_list("object_name", "thumbnail_name")
    return {name for row in rows for name in row if name} & set(names)
