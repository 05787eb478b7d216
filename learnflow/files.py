"""Stored files: where they live, how a client gets one, and how an uploaded file is checked.

There is one storage, Django's ``default`` (``STORAGES`` in settings): S3-compatible object storage
when ``S3_BUCKET`` is set, the file system under ``var/media`` otherwise. Nothing in it is public.

* **Handing a file out.** :func:`file_url` gives a short-lived URL (``LEARNFLOW_FILE_URL_SECONDS``)
  for a stored object: S3's presigned URL, or on the file system a ``/files/<token>`` URL whose
  token is signed over the object's name and served by :func:`file_download`. Whoever holds the URL
  can fetch the file until it expires, exactly as with a presigned URL: **permission is checked
  when the URL is issued**, so code only puts a file's URL in a response for a caller allowed to
  see that file.
* **Public objects** (avatars) are served by an endpoint of their own app that answers
  :func:`object_response`: the file itself (file system) or a redirect to a fresh presigned URL.
* **Checking an upload.** :func:`upload_check` refuses a file over its limit (``TooLarge``, 413)
  and decides its type from its first bytes (:func:`sniff`), never from its name or the client's
  Content-Type, so SVG, HTML or a renamed file never pass as an image. :func:`image_open` decodes an
  image completely (a truncated, corrupt or decompression-bomb image is a 400 naming ``file``) and
  :func:`image_encode` writes a new file from the pixels only: no EXIF (GPS), XMP or ICC metadata.
* **Writing and deleting** (:func:`object_save`, :func:`objects_delete`): services write objects
  before their transaction commits and delete replaced ones with ``transaction.on_commit``.
* **When the storage fails** (S3 unreachable, timing out or refusing; a full or read-only disk), every
  call here raises ``StorageUnavailable`` (:func:`storage_errors`), which the API answers as 503 with
  ``Retry-After``; a missing object stays ``FileNotFoundError`` (a 404 or the caller's fallback). A
  failed write leaves nothing behind: no partial file, and the service's transaction rolls back.
  A failed delete is only logged: :func:`orphans_sweep` removes what no row refers to later.
* **Receiving an upload.** :class:`UploadLimitHandler` counts an upload's bytes as they arrive and
  refuses (413) the moment a file passes its path's limit (``hooks.upload_limits``); files over
  ``FILE_UPLOAD_MAX_MEMORY_SIZE`` stream to a temporary file, never into memory whole.
"""

import codecs
import logging
import mimetypes
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from io import BytesIO

import filetype
from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, storages
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from PIL import Image, ImageOps

from learnflow import hooks
from learnflow.exceptions import StorageUnavailable, StorageUnavailableError, TooLarge

logger = logging.getLogger(__name__)

#: Salt of the ``/files/<token>`` signatures: a token signed for anything else never opens a file.
TOKEN_SALT = "learnflow.files.download"

#: Types a browser may show inline from our origin; anything else is served as an attachment.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})

#: Pillow's decoder for each image type an upload may be; no other decoder is ever tried.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}

#: How much a multipart body may carry beside its file (boundaries, part headers, small fields).
MULTIPART_ALLOWANCE_BYTES = 64 * 1024

#: How many bytes :func:`sniff` reads (filetype's matchers look no further).
SNIFF_BYTES = 8192

#: Headers of every file response served from our origin: no type guessing, no scripts.
SAFE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


def get_storage() -> Storage:
    return storages["default"]


def is_object_storage(storage: Storage | None = None) -> bool:
    """Whether files live in S3-compatible object storage (else on the file system)."""
    from storages.backends.s3 import S3Storage

    return isinstance(storage or get_storage(), S3Storage)


def public_url(path: str) -> str:
    """``path`` on the API's public origin (``LEARNFLOW_PUBLIC_BASE_URL``; a path when unset)."""
    return settings.LEARNFLOW_PUBLIC_BASE_URL + path


def human_size(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n % (1024 * 1024) == 0 else f"{n} bytes"


#: What the file system raises for an object that is not there: a 404, never a 503.
MISSING = (FileNotFoundError, IsADirectoryError, NotADirectoryError)

#: S3 error codes that say the object is not there (``NoSuchBucket`` is a broken setup: a 503).
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})


@contextmanager
def storage_errors(action: str, name: str = "") -> Iterator[None]:
    """Run a storage call; its backend's failure becomes ``StorageUnavailable`` (503).

    Failures are botocore's (no connection, a timeout, a closed connection, no credentials), boto3's
    (an upload that failed), an S3 error answer other than "no such key" (5xx, ``SlowDown``, or a
    4xx of a broken setup: access denied, no such bucket), and the file system's ``OSError``
    (``ENOSPC``, ``EROFS``, ``EIO`` ...). A missing object stays ``FileNotFoundError``."""
    try:
        yield
    except (StorageUnavailable, *MISSING):
        raise
    except ClientError as exc:
        error = exc.response.get("Error", {})
        if error.get("Code") in MISSING_CODES:
            raise FileNotFoundError(f"No stored object {name!r}") from exc
        logger.error("file storage refused to %s %r: %s %s", action, name, error.get("Code"), error.get("Message"))
        raise StorageUnavailable() from exc
    except (BotoCoreError, Boto3Error, OSError) as exc:
        # botocore's timeouts are OSErrors too (through requests' exceptions): checked here, in order.
        logger.error("file storage failed to %s %r: %s: %s", action, name, exc.__class__.__name__, exc)
        raise StorageUnavailable() from exc


# --- handing files out --------------------------------------------------------------------------


def file_url(name: str, *, content_type: str | None = None, filename: str | None = None) -> str:
    """A URL that fetches the stored object ``name`` for ``LEARNFLOW_FILE_URL_SECONDS``.

    Only call it for a caller allowed to see the object (module docstring). ``content_type`` is the
    type decided at upload (default: from the name's extension); images are shown inline, anything
    else is downloaded as ``filename``."""
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    storage = get_storage()
    if is_object_storage(storage):
        parameters = {"ResponseContentType": content_type}
        if content_type not in INLINE_TYPES:
            parameters["ResponseContentDisposition"] = content_disposition_header(
                True, filename or name.rsplit("/", 1)[-1]
            )
        with storage_errors("sign a URL for", name):
            return storage.url(name, parameters=parameters, expire=settings.LEARNFLOW_FILE_URL_SECONDS)
    token = signing.dumps({"n": name, "t": content_type, "f": filename}, salt=TOKEN_SALT, compress=True)
    return public_url(reverse("file-download", args=[token]))


def _stream(name: str, *, content_type: str, filename: str | None, cache_control: str) -> FileResponse:
    """The stored object as a streamed response (raises ``FileNotFoundError`` when it is gone,
    ``StorageUnavailable`` when the storage fails to open it)."""
    with storage_errors("read", name):
        file = get_storage().open(name, "rb")
    response = FileResponse(
        file,
        content_type=content_type,
        as_attachment=content_type not in INLINE_TYPES,
        filename=filename or name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = cache_control
    for header, value in SAFE_HEADERS.items():
        response[header] = value
    return response


def object_response(name: str, *, content_type: str, cache_seconds: int):
    """A public object (an avatar) for anyone: streamed from the file system, or a redirect to a
    fresh presigned URL. The redirect may be cached only while that URL is still valid.

    On S3 nothing is asked of the storage (a URL is signed locally), so the redirect is answered even
    while S3 is down, and the client's fetch of it fails there; on the file system a storage that
    cannot open the file raises ``StorageUnavailable`` (503), a missing file ``FileNotFoundError``."""
    storage = get_storage()
    if is_object_storage(storage):
        response = HttpResponseRedirect(file_url(name, content_type=content_type))
        response["Cache-Control"] = f"public, max-age={max(0, settings.LEARNFLOW_FILE_URL_SECONDS - 60)}"
        return response
    return _stream(name, content_type=content_type, filename=None, cache_control=f"public, max-age={cache_seconds}")


def _refusal(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def storage_unavailable_response() -> JsonResponse:
    """The 503 a view outside DRF answers when the storage fails (the API's handler answers the same)."""
    response = _refusal(503, StorageUnavailableError.default_detail)
    response["Retry-After"] = str(StorageUnavailableError.wait)
    return response


@require_safe
def file_download(request, token: str):
    """``GET /files/<token>``: the file a signed, unexpired token names (file system storage only).

    The token is the permission: it was issued to someone allowed to see the file (module
    docstring). An expired token or one whose signature does not match answers 403, an object no
    longer stored 404, a storage that fails to open it 503; never a 500."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=settings.LEARNFLOW_FILE_URL_SECONDS)
    except signing.SignatureExpired:
        return _refusal(403, "This file link has expired: ask for the file again.")
    except signing.BadSignature:
        return _refusal(403, "This file link is not valid.")
    try:
        name, content_type, filename = payload["n"], payload["t"], payload["f"]
    except (KeyError, TypeError):
        return _refusal(403, "This file link is not valid.")
    try:
        return _stream(
            name,
            content_type=content_type,
            filename=filename,
            cache_control=f"private, max-age={settings.LEARNFLOW_FILE_URL_SECONDS}",
        )
    except MISSING:
        return _refusal(404, "This file no longer exists.")
    except StorageUnavailable:
        return storage_unavailable_response()
    except Exception:
        # A name that is not a path in the storage (``..``): the signature makes it unreachable, but
        # a refusal is still an answer, never a 500.
        logger.exception("file download of %r failed", name)
        return _refusal(404, "This file no longer exists.")


# --- checking uploads ---------------------------------------------------------------------------


def sniff(upload) -> str | None:
    """The MIME type the file's first bytes say it is (``None`` when they match no known type).
    SVG, HTML and plain text match none, so they never pass as an image."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return filetype.guess_mime(head) if head else None


def upload_check(upload, *, max_bytes: int, allowed: dict[str, str], field: str = "file") -> str:
    """Refuse an upload over ``max_bytes`` (``TooLarge``: 413) or of a type not in ``allowed``
    (``{mime: label}``; a 400 naming ``field``); answer its MIME type, decided by its bytes."""
    if upload.size > max_bytes:
        raise too_large(max_bytes)
    mime = sniff(upload)
    if mime not in allowed:
        labels = ", ".join(allowed.values())
        found = f"this file is {mime}" if mime else "this file's type is not recognised"
        raise ValidationError({field: [f"Upload one of: {labels} ({found})."]})
    return mime


#: The type of an upload that no magic number matches but :func:`is_plain_text` accepts.
TEXT_TYPE = "text/plain"

#: Markup a browser could render or run: text holding any of it is not plain text.
_MARKUP = re.compile(rb"<\s*(?:!doctype|html|head|body|script|iframe|svg|object|embed|style|meta|\?xml)", re.I)

#: How many bytes :func:`is_plain_text` reads at a time (a chunk keeps the tail of the one before).
_TEXT_CHUNK_BYTES = 64 * 1024


def is_plain_text(upload) -> bool:
    """Whether the whole file is plain text: UTF-8 (a BOM allowed), no NUL byte, and no markup (it
    does not start with ``<`` and holds no HTML, SVG or XML tag), so it can never be taken for HTML.
    Read in chunks: a large file is never held in memory."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    tail, first = b"", True
    try:
        for chunk in iter(lambda: upload.read(_TEXT_CHUNK_BYTES), b""):
            if first:
                if chunk.lstrip(b"\xef\xbb\xbf \t\r\n\x0c").startswith(b"<"):
                    return False
                first = False
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
            if _MARKUP.search(tail + chunk):
                return False
            tail = chunk[-32:]
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return not first


def _check_pixels(image: Image.Image) -> None:
    limit = settings.LEARNFLOW_IMAGE_MAX_PIXELS
    if image.width * image.height > limit:
        raise ValidationError({"file": [f"The image is {image.width}x{image.height}: more than {limit} pixels."]})


def image_open(upload, *, mime: str, draft_size: tuple[int, int] | None = None) -> Image.Image:
    """Decode an uploaded image of type ``mime`` completely, upright (EXIF orientation applied) and
    in RGB or RGBA. Only that type's decoder runs. Its size is checked before any pixel is decoded
    (``LEARNFLOW_IMAGE_MAX_PIXELS``, against decompression bombs); a truncated or corrupt file is a
    400 naming ``file``, whatever Pillow raises. ``draft_size`` lets a JPEG decode at a reduced
    scale no smaller than it (much less memory for a photo that becomes a thumbnail). Pillow's own
    bomb check (a warning past ``Image.MAX_IMAGE_PIXELS``, an error past twice that) stays as a
    second guard."""
    formats = [PILLOW_FORMATS[mime]]
    try:
        upload.seek(0)
        with Image.open(upload, formats=formats) as probe:
            _check_pixels(probe)
            probe.verify()
        upload.seek(0)
        image = Image.open(upload, formats=formats)
        _check_pixels(image)
        if draft_size:
            image.draft("RGB", draft_size)
        image.load()
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        return image.convert("RGBA" if has_alpha else "RGB")
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        limit = settings.LEARNFLOW_IMAGE_MAX_PIXELS
        raise ValidationError({"file": [f"The image has more than {limit} pixels."]}) from exc
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, struct.error ... on bad data
        raise ValidationError({"file": ["The image is corrupt or truncated."]}) from exc


def image_square(image: Image.Image, size: int) -> Image.Image:
    """A ``size`` x ``size`` image cut from the centre of ``image``."""
    return ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)


def image_thumbnail(image: Image.Image, size: int) -> Image.Image:
    """``image`` scaled down to fit in ``size`` x ``size`` (never up), keeping its proportions."""
    thumbnail = image.copy()
    thumbnail.thumbnail((size, size), Image.Resampling.LANCZOS)
    return thumbnail


def image_encode(image: Image.Image, *, quality: int = 85) -> bytes:
    """``image`` as WebP, written from its pixels only: no EXIF (GPS), XMP or ICC profile."""
    clean = image.copy()
    clean.info = {}
    out = BytesIO()
    clean.save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue()


#: What :func:`image_encode_as` writes for each image type: a GIF becomes a PNG of its first frame.
REENCODED_TYPES = {
    "image/jpeg": "image/jpeg",
    "image/png": "image/png",
    "image/webp": "image/webp",
    "image/gif": "image/png",
}


def image_encode_as(image: Image.Image, *, mime: str, quality: int = 90) -> tuple[bytes, str]:
    """``image`` written anew from its pixels only (no EXIF, GPS, XMP or ICC profile) in the type
    it was uploaded as (``REENCODED_TYPES``); answers the bytes and their type."""
    target = REENCODED_TYPES[mime]
    clean = image.copy()
    clean.info = {}
    out = BytesIO()
    if target == "image/jpeg":
        clean.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
    elif target == "image/webp":
        clean.save(out, format="WEBP", quality=quality, method=4)
    else:
        clean.save(out, format="PNG", optimize=True)
    return out.getvalue(), target


# --- receiving uploads --------------------------------------------------------------------------


def too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"The file is larger than {human_size(max_bytes)}.")


def upload_limit(*, path: str) -> int | None:
    """The largest file a multipart upload to ``path`` may carry (``hooks.upload_limits``), or
    ``None`` when ``path`` takes no upload."""
    for _, limit in hooks.upload_limits.items():
        file_limit = limit(path=path)
        if file_limit is not None:
            return file_limit
    return None


class UploadLimitHandler(FileUploadHandler):
    """The first of ``FILE_UPLOAD_HANDLERS``: it counts the bytes of each file of an API request as
    the multipart parser reads them, and refuses the upload (``TooLarge``, 413) within one chunk
    (64 KB) of a file passing its path's limit (:func:`upload_limit`; ``LEARNFLOW_MAX_BODY_BYTES``
    for a path that takes no upload), or of all files together passing it plus
    ``MULTIPART_ALLOWANCE_BYTES``. The rest of the body is not read, and what the next handlers
    wrote so far (a temporary file) is removed. ``RequestBodyLimitMiddleware`` has already refused a
    body whose Content-Length is over the limit; this holds whatever the body turns out to be."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.active = self.request is not None and self.request.path.startswith("/api/")
        if self.active:
            limit = upload_limit(path=self.request.path)
            self.file_limit = settings.LEARNFLOW_MAX_BODY_BYTES if limit is None else limit
            self.request_bytes = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file_bytes = 0

    def receive_data_chunk(self, raw_data, start):
        if self.active:
            self.file_bytes += len(raw_data)
            self.request_bytes += len(raw_data)
            if self.file_bytes > self.file_limit or self.request_bytes > self.file_limit + MULTIPART_ALLOWANCE_BYTES:
                for handler in self.request.upload_handlers:
                    if handler is not self:
                        handler.upload_interrupted()
                raise too_large(self.file_limit)
        return raw_data

    def file_complete(self, file_size):
        return None


# --- writing and deleting -----------------------------------------------------------------------


def object_save(name: str, content: bytes | File, *, content_type: str) -> str:
    """Store ``content`` as ``name`` (never over an existing object); answers the stored name.

    ``content`` is bytes, or a file (an upload's temporary file) that is streamed from where it is,
    never read into memory whole. When the storage fails this raises ``StorageUnavailable`` and
    leaves nothing: an S3 upload is stored whole or not at all, and a file the file system started
    to write (a disk that filled up) is removed again."""
    storage = get_storage()
    basename = name.rsplit("/", 1)[-1]
    if isinstance(content, bytes):
        file = ContentFile(content, name=basename)
    else:
        content.seek(0)  # an upload already read for its type
        file = File(content, name=basename)
    file.content_type = content_type
    # On the file system, the name it will take (names are random: nobody else writes it meanwhile).
    partial = None if is_object_storage(storage) else storage.get_available_name(name)
    try:
        with storage_errors("save", name):
            return storage.save(partial or name, file)
    except StorageUnavailable:
        if partial:
            try:
                storage.delete(partial)
            except OSError:
                logger.exception("could not remove the partial file %r", partial)
        raise


def objects_delete(names) -> None:
    """Delete stored objects, e.g. after the commit that stopped referring to them. A failure is
    logged, not raised: the commit already happened, and :func:`orphans_sweep` removes what is
    left. Once the storage has failed, the remaining names are not tried (each would wait for the
    storage's timeout)."""
    storage = get_storage()
    names = list(names)
    for done, name in enumerate(names):
        try:
            with storage_errors("delete", name):
                storage.delete(name)
        except StorageUnavailable:
            logger.warning("left %d stored objects to the orphan sweeper: %r", len(names) - done, names[done:])
            return
        except Exception:
            logger.exception("could not delete stored object %r", name)


# --- the orphan sweeper -------------------------------------------------------------------------


def owner_ids(names) -> set[uuid.UUID]:
    """The owners' ids that stored objects named ``<prefix>/<owner id>/...`` carry (names without
    one are skipped): what an owner's in-use check looks its rows up by."""
    ids = set()
    for name in names:
        try:
            ids.add(uuid.UUID(name.split("/")[1]))
        except (IndexError, ValueError):
            continue
    return ids


def objects_list(prefix: str, *, page_size: int = 1000) -> Iterator[tuple[str, datetime]]:
    """``(name, last modified)`` of every object stored under ``prefix`` (``avatars/``), read a page
    (S3) or a directory (file system) at a time."""
    storage = get_storage()
    with storage_errors("list", prefix):
        if is_object_storage(storage):
            for summary in storage.bucket.objects.filter(Prefix=prefix).page_size(page_size):
                yield summary.key, summary.last_modified
            return
        root = storage.location
        top = storage.path(prefix)
        for directory, subdirectories, filenames in os.walk(top):
            subdirectories.sort()
            for filename in sorted(filenames):
                path = os.path.join(directory, filename)
                try:
                    modified = os.lstat(path).st_mtime
                except FileNotFoundError:
                    continue  # deleted meanwhile
                yield os.path.relpath(path, root).replace(os.sep, "/"), datetime.fromtimestamp(modified, tz=UTC)


def _objects_remove(names: list[str]) -> None:
    """Delete ``names`` now, raising ``StorageUnavailable`` if the storage fails (one request per
    1,000 names on S3). Deleting an object that is already gone is not an error."""
    storage = get_storage()
    with storage_errors("delete", names[0]):
        if is_object_storage(storage):
            for part in _batched(names, 1000):
                answer = storage.bucket.delete_objects(Delete={"Objects": [{"Key": n} for n in part], "Quiet": True})
                failed = [e for e in answer.get("Errors", []) if e.get("Code") not in MISSING_CODES]
                if failed:
                    raise StorageUnavailable(f"{len(failed)} objects were not deleted: {failed[0]}")
        else:
            for name in names:
                storage.delete(name)


def _batched(items, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def orphans_sweep(*, older_than: datetime, batch_size: int = 1000) -> dict[str, int]:
    """Delete the stored objects that no row refers to any more and that were last modified before
    ``older_than``; answers how many were deleted under each prefix.

    Each prefix belongs to the app that registered it in ``hooks.stored_object_owners`` and answers
    which of a batch of names its rows still refer to. Services write an object before the
    transaction that refers to it commits, so a young object may be an upload in flight: the job
    passes now minus ``LEARNFLOW_ORPHAN_GRACE_SECONDS``. An object that was once unreferenced is
    never referred to again (every upload gets a new random name), and deleting is idempotent, so
    a sweep racing another, or an after-commit delete, is harmless. Memory stays bounded: names are
    listed a page at a time and checked and deleted ``batch_size`` at a time."""
    deleted = {}
    for prefix, in_use in hooks.stored_object_owners.items():
        deleted[prefix] = 0
        old_names = (name for name, modified in objects_list(prefix) if modified < older_than)
        for batch in _batched(old_names, batch_size):
            kept = in_use(names=batch)
            orphans = [name for name in batch if name not in kept]
            if orphans:
                _objects_remove(orphans)
                deleted[prefix] += len(orphans)
                logger.info("deleted %d orphaned objects under %r", len(orphans), prefix)
    return deleted
