"""An upload over its limit is refused before its body is read, however it is sent: with an honest
Content-Length, with one that lies, chunked (no length at all), through WSGI and through ASGI."""

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys

import pytest

from accounts.models import User
from learnflow import files
from learnflow.testing import free_port, image_bytes, upload, wait_for

AVATAR = "/api/users/profile/avatar"
BOUNDARY = "----learnflowtestboundary"
MB = 1024 * 1024


def multipart(file_bytes: int, *, chunk: int = 64 * 1024, head: bytes = b"\xff\xd8\xff"):
    """A multipart body with one ``file`` part of ``file_bytes`` bytes, produced a chunk at a time."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode() + head
    left = file_bytes - len(head)
    while left > 0:
        yield b"0" * min(chunk, left)
        left -= chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def body_length(file_bytes: int) -> int:
    return sum(len(part) for part in multipart(file_bytes))


class CountingStream:
    """``wsgi.input`` backed by a generator: counts what the application reads of it."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.buffer = b""
        self.bytes_read = 0

    def read(self, size=-1):
        while size is None or size < 0 or len(self.buffer) < size:
            try:
                self.buffer += next(self.chunks)
            except StopIteration:
                break
        if size is None or size < 0:
            data, self.buffer = self.buffer, b""
        else:
            data, self.buffer = self.buffer[:size], self.buffer[size:]
        self.bytes_read += len(data)
        return data

    def readline(self, size=-1):
        return self.read(size)


def put_raw(client, stream: CountingStream, *, content_length: int | None = None, **extra):
    """A PUT of the avatar whose body is ``stream``, read through Django's WSGI request as gunicorn
    hands it over; ``content_length=None`` sends no Content-Length at all."""
    if content_length is not None:
        extra["CONTENT_LENGTH"] = str(content_length)
    return client.generic(
        "PUT", AVATAR, b"", content_type=f"multipart/form-data; boundary={BOUNDARY}", **{"wsgi.input": stream}, **extra
    )


# --- WSGI (gunicorn) ----------------------------------------------------------------------------


def test_a_chunked_upload_is_411_and_none_of_it_is_read(auth_client, user):
    # given: 1 GB, sent chunked (no Content-Length)
    stream = CountingStream(multipart(1024 * MB))
    # when
    response = put_raw(auth_client, stream, HTTP_TRANSFER_ENCODING="chunked")
    # then
    assert response.status_code == 411
    assert response.json() == {"detail": "Send the request body with a Content-Length header, not chunked."}
    assert stream.bytes_read == 0


def test_a_body_declared_over_the_limit_is_413_and_none_of_it_is_read(auth_client, user):
    # given: 1 GB, declared
    stream = CountingStream(multipart(1024 * MB))
    # when
    response = put_raw(auth_client, stream, content_length=body_length(1024 * MB))
    # then
    assert response.status_code == 413
    assert stream.bytes_read == 0


def test_a_body_longer_than_its_content_length_is_read_only_as_far_as_declared(auth_client, user):
    # given: a Content-Length of 100 KB in front of a 1 GB body
    stream = CountingStream(multipart(1024 * MB))
    # when
    response = put_raw(auth_client, stream, content_length=100_000)
    # then: the part read ends inside the file, which is no file at all
    assert response.status_code == 400
    assert response.json() == {"file": ["No file was submitted."]}
    assert stream.bytes_read == 100_000
    assert User.objects.get(pk=user.pk).avatar_key == ""


def test_a_file_over_its_limit_is_413_as_soon_as_it_passes_it_and_its_temporary_file_is_removed(
    auth_client, user, settings, tmp_path
):
    # given: the body fits the limit plus the allowance for the framing, the file does not fit the limit
    settings.LEARNFLOW_AVATAR_MAX_BYTES = 100_000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10_000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    size = 100_000 + files.MULTIPART_ALLOWANCE_BYTES - 500
    stream = CountingStream(multipart(size))
    # when
    response = put_raw(auth_client, stream, content_length=body_length(size))
    # then
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is larger than 100000 bytes."}
    assert stream.bytes_read < body_length(size)
    assert stream.bytes_read <= 100_000 + 64 * 1024 + 512
    assert list(tmp_path.iterdir()) == []


def test_a_file_over_the_memory_size_reaches_the_service_as_a_temporary_file(
    auth_client, user, settings, monkeypatch, tmp_path
):
    # given: a 2 MB avatar (a JPEG padded after its end marker)
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    seen = []
    check = files.upload_check

    def spy(upload, **kwargs):
        seen.append((type(upload).__name__, upload.size, getattr(upload, "temporary_file_path", lambda: "")()))
        return check(upload, **kwargs)

    monkeypatch.setattr(files, "upload_check", spy)
    content = image_bytes("JPEG", (300, 300)) + b"\0" * (2 * MB)
    # when
    response = auth_client.put(AVATAR, {"file": upload(content)}, format="multipart")
    # then
    assert response.status_code == 200, response.content
    assert seen[0][:2] == ("TemporaryUploadedFile", len(content))
    assert seen[0][2].startswith(str(tmp_path))


# --- ASGI (uvicorn) -----------------------------------------------------------------------------


async def asgi_put(chunks, *, headers: dict[str, str]):
    """PUT the avatar through the ASGI application as uvicorn would; answers ``(status, body, bytes
    the application received)``."""
    from learnflow.asgi import application

    chunks = iter(chunks)
    received = 0
    sent = []
    ended = False

    async def receive():
        nonlocal received, ended
        if ended:  # the client waits for the answer (Django listens for a disconnect meanwhile)
            await asyncio.sleep(3600)
        chunk = next(chunks, None)
        if chunk is None:
            ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        received += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PUT",
        "scheme": "http",
        "path": AVATAR,
        "raw_path": AVATAR.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    await asyncio.wait_for(application(scope, receive, send), timeout=30)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body), received


CONTENT_TYPE = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", "host": "testserver"}


async def test_asgi_a_chunked_upload_over_the_limit_is_cut_off_just_past_it(settings):
    # given: 1 GB, chunked
    settings.LEARNFLOW_AVATAR_MAX_BYTES = 1 * MB
    # when
    chunked = {**CONTENT_TYPE, "transfer-encoding": "chunked"}
    status, body, received = await asgi_put(multipart(1024 * MB), headers=chunked)
    # then
    limit = 1 * MB + files.MULTIPART_ALLOWANCE_BYTES
    assert status == 413
    assert body == {"detail": f"Request body is larger than {limit} bytes."}
    assert limit < received <= limit + 64 * 1024


async def test_asgi_a_body_declared_over_the_limit_is_413_before_any_is_received():
    # when
    status, _, received = await asgi_put(
        multipart(1024 * MB), headers={**CONTENT_TYPE, "content-length": str(body_length(1024 * MB))}
    )
    # then
    assert status == 413
    assert received == 0


async def test_asgi_a_small_chunked_body_reaches_django_which_asks_for_a_length():
    # when
    status, body, _ = await asgi_put(multipart(1000), headers={**CONTENT_TYPE, "transfer-encoding": "chunked"})
    # then
    assert status == 411
    assert body == {"detail": "Send the request body with a Content-Length header, not chunked."}


@pytest.mark.django_db
async def test_asgi_a_body_within_the_limit_is_served_as_before():
    # when: no token, so a 401 from the view proves the request went through whole
    declared = {**CONTENT_TYPE, "content-length": str(body_length(1000))}
    status, _, received = await asgi_put(multipart(1000), headers=declared)
    # then
    assert status == 401
    assert received == body_length(1000)


# --- the real server ----------------------------------------------------------------------------


@pytest.fixture
def gunicorn_port(tmp_path):
    """gunicorn serving ``learnflow.wsgi`` as docker-compose runs it (a threaded worker), on a free
    loopback port. The requests below are refused before any database access."""
    port = free_port()
    with open(tmp_path / "gunicorn.log", "wb") as log:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "learnflow.wsgi:application", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "1", "--threads", "2", "--timeout", "30", "--no-control-socket"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "DJANGO_DEBUG": "0", "DJANGO_SECURE_SSL_REDIRECT": "0"},
        )
    try:
        assert wait_for(lambda: _listening(port), timeout=30), (tmp_path / "gunicorn.log").read_text()
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize(
    ("framing", "status"),
    [pytest.param("Transfer-Encoding: chunked", 411, id="chunked"), pytest.param("Content-Length", 413, id="declared")],
)
def test_gunicorn_answers_a_huge_upload_at_once_and_drops_the_connection(gunicorn_port, framing, status):
    # given: a client that means to send 1 GB
    total = 1024 * MB
    if framing == "Content-Length":
        framing = f"Content-Length: {total}"
    connection = socket.create_connection(("127.0.0.1", gunicorn_port), timeout=10)
    connection.sendall(
        f"PUT {AVATAR} HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"{framing}\r\n\r\n".encode()
    )
    # when
    sent, chunk = 0, b"0" * (64 * 1024)
    frame = b"%x\r\n%s\r\n" % (len(chunk), chunk) if "chunked" in framing else chunk
    with contextlib.suppress(OSError):  # the server closes the connection: a broken pipe or a reset
        while sent < total:
            connection.sendall(frame)
            sent += len(chunk)
    answer = connection.recv(4096)
    connection.close()
    # then: refused at once; the client got no further than what the sockets' buffers hold
    assert answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200]
    assert sent < 64 * MB
