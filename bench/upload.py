"""Benchmark: a large upload streams through the web worker; it is never held in memory whole.

Uploads a SIZE_MB (default 20) PDF-like file (``%PDF`` then random bytes, which the type sniffing
takes for a PDF and nothing compresses) as a ``file`` resource (``POST /api/resources/``, multipart,
streamed from disk by the client) RUNS times to ONE gunicorn worker started as docker-compose.yml's
``web`` service runs it (gthread, 2 threads; production profile, ``DJANGO_DEBUG=0``) on real
PostgreSQL and Redis, with the file-system storage (``--storage filesystem``, the default) or S3
(``--storage s3``: moto's S3 server on loopback, in this process). For each upload it reports:

* the seconds from the first byte sent to the answer (201);
* the worker's resident memory (``VmRSS``) idle before the upload, and its peak during the upload:
  ``VmHWM`` (the kernel's high-water mark, reset before each upload through
  ``/proc/<pid>/clear_refs``), checked against ``VmRSS`` polled every 2 ms. The growth (peak - idle)
  must stay far below the file's size: Django writes the body to a temporary file as it arrives
  (``FILE_UPLOAD_MAX_MEMORY_SIZE``), and the storage copies it from there in chunks.

Untimed uploads of the same size go first, one on each of the worker's threads at once, so the
code paths, the allocator and each thread's storage client are warm. Then
it sends REFUSED times a SIZE_MB image to the group chat (``POST /api/groups/{id}/messages``, whose
limit is ``LEARNFLOW_CHAT_IMAGE_MAX_BYTES``, 10 MB) and reports how soon the 413 comes back and how
much of the body the client got to send: the Content-Length alone refuses it, before the body is
read.

It needs running PostgreSQL and Redis servers (scripts/test.sh shows how to start both on loopback
ports); DATABASE_URL names a role that may create databases (it uses ``<name>_bench_upload``, dropped
at the end, and Redis database 10):

    DATABASE_URL=postgres://learnflow@127.0.0.1:5432/learnflow REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/upload.py [--size-mb 20] [--runs 5] [--storage s3]
"""

import argparse
import http.client
import os
import secrets
import select
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_stack

REDIS_DB = 10
#: The worker's threads (``live_stack.gunicorn_command``: gthread, 2 threads, as in production).
THREADS = 2
MB = 1024 * 1024
CHUNK = 256 * 1024


def pdf_like(path: Path, size: int) -> None:
    """A file of ``size`` bytes that starts and ends like a PDF, random in between."""
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            n = min(MB, left)
            out.write(os.urandom(n))
            left -= n
        out.write(tail)


def multipart(boundary: str, fields: dict[str, str], filename: str, content_type: str) -> tuple[bytes, bytes]:
    """The parts before the file's bytes and the closing boundary after them."""
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    return head, f"\r\n--{boundary}--\r\n".encode()


def worker_pid(master: int, seconds: float = 30) -> int:
    """The one worker process of the gunicorn ``master``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if len(children) == 1:
            return int(children[0])
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn {master} has no single worker")


class PeakRss:
    """The peak ``VmRSS`` of ``pid`` (KiB) while inside: the kernel's ``VmHWM`` (reset on entry) and
    ``VmRSS`` polled every 2 ms, whichever is higher."""

    def __init__(self, pid: int):
        self.pid, self.polled, self.hwm = pid, 0, 0
        self._done = threading.Event()

    def __enter__(self):
        Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._done.is_set():
            self.polled = max(self.polled, live_stack.process_status(self.pid)["VmRSS"])
            time.sleep(0.002)

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.hwm = live_stack.process_status(self.pid)["VmHWM"]

    @property
    def peak(self) -> int:
        return max(self.polled, self.hwm)


def upload(port: int, token: str, path: Path) -> tuple[float, int, bytes]:
    """POST ``path`` as a file resource, streamed from disk; ``(seconds, status, body)``."""
    boundary = secrets.token_hex(16)
    head, tail = multipart(
        boundary, {"title": "Lecture recording notes", "resource_type": "file"}, path.name, "application/pdf"
    )
    length = len(head) + path.stat().st_size + len(tail)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    try:
        connection.putrequest("POST", "/api/resources/", skip_host=True)
        for name, value in (
            ("Host", "127.0.0.1"),
            ("Authorization", f"Bearer {token}"),
            ("Content-Type", f"multipart/form-data; boundary={boundary}"),
            ("Content-Length", str(length)),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(head)
        with path.open("rb") as source:
            while chunk := source.read(CHUNK):
                connection.send(chunk)
        connection.send(tail)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    return time.perf_counter() - began, response.status, body


def warm_up(port: int, token: str, path: Path, log: Path) -> None:
    """One upload on each of the worker's threads at once: each thread makes its own storage client
    on first use (django-storages keeps S3 connections per thread; botocore's models take about
    18 MB), which is not what an upload costs."""
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(upload(port, token, path))) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for _, status, body in answers:
        if status != 201:
            raise SystemExit(f"a warm-up upload answered {status}: {body[:300]!r}\n{log.read_text()[-3000:]}")


def refused(port: int, token: str, group_id: str, size: int) -> tuple[float, int, int]:
    """Send a ``size``-byte image message to the chat as fast as the socket takes it, until the
    answer comes; ``(seconds to the status line, status, body bytes sent by then)``."""
    boundary = secrets.token_hex(16)
    head, tail = multipart(boundary, {"message_type": "image"}, "photo.png", "image/png")
    body_length = len(head) + size + len(tail)
    request = (
        f"POST /api/groups/{group_id}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {body_length}\r\n\r\n"
    ).encode()
    body = memoryview(head + b"\x89PNG\r\n\x1a\n" + bytes(size - 8) + tail)
    sock = socket.create_connection(("127.0.0.1", port))
    began = time.perf_counter()
    try:
        sock.sendall(request)
        sock.setblocking(False)
        sent, answer, writable = 0, b"", True
        while b"\r\n" not in answer:
            readable, can_write, _ = select.select([sock], [sock] if writable and sent < len(body) else [], [], 30)
            if readable:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
            elif can_write:
                try:
                    sent += sock.send(body[sent : sent + CHUNK])
                except (BrokenPipeError, ConnectionResetError):
                    writable = False
            elif not readable:
                raise RuntimeError("no answer within 30 s")
        seconds = time.perf_counter() - began
    finally:
        sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer else 0
    return seconds, status, sent


def start_moto() -> dict[str, str]:
    """moto's S3 server on a free loopback port with a bucket; the settings' S3 environment for it."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = live_stack.free_port()
    ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False).start()
    env = {
        "S3_BUCKET": "bench-upload",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "S3_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name=env["S3_REGION"],
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).create_bucket(Bucket=env["S3_BUCKET"])
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--refused", type=int, default=5, help="refused uploads to time")
    parser.add_argument("--storage", choices=("filesystem", "s3"), default="filesystem")
    parser.add_argument(
        "--memory-mb",
        type=int,
        help="the server's FILE_UPLOAD_MAX_MEMORY_SIZE in MB (a control: above the file's size it is held in memory)",
    )
    args = parser.parse_args()
    size = args.size_mb * MB

    with tempfile.TemporaryDirectory(prefix="bench-upload-") as scratch:
        scratch = Path(scratch)
        os.environ["LEARNFLOW_VAR_DIR"] = str(scratch / "var")
        os.environ["FILE_UPLOAD_TEMP_DIR"] = str(scratch)
        if args.memory_mb is not None:
            os.environ["FILE_UPLOAD_MAX_MEMORY_SIZE"] = str(args.memory_mb * MB)
        if args.storage == "s3":
            os.environ.update(start_moto())
        else:
            os.environ.pop("S3_BUCKET", None)
        source = scratch / "lecture.pdf"
        pdf_like(source, size)
        with live_stack.bench_environment("upload", REDIS_DB) as env:
            from community import services

            [user] = live_stack.make_users("bench-upload-", 1)
            token = live_stack.access_token(user)
            group = services.group_create(user=user, group_name="Bench uploads")
            port, log = live_stack.free_port(), scratch / "gunicorn.log"
            server = live_stack.start_server(live_stack.gunicorn_command(port), env, log)
            try:
                live_stack.wait_until_healthy(port, server, log)
                pid = worker_pid(server.pid)
                warm_up(port, token, source, log)
                rows = []
                for _ in range(args.runs):
                    time.sleep(0.5)
                    idle = live_stack.process_status(pid)["VmRSS"]
                    with PeakRss(pid) as rss:
                        seconds, status, body = upload(port, token, source)
                    if status != 201:
                        raise SystemExit(f"upload answered {status}: {body[:300]!r}")
                    rows.append((seconds, idle, rss.peak, rss.polled, rss.hwm))
                refusals = [refused(port, token, str(group.pk), size) for _ in range(args.refused)]
            finally:
                live_stack.stop(server)

    memory = f"FILE_UPLOAD_MAX_MEMORY_SIZE {args.memory_mb} MB" if args.memory_mb is not None else "default settings"
    print(f"{args.size_mb} MB upload to POST /api/resources/, {args.storage} storage, {memory},")
    print("1 gunicorn worker (gthread, 2 threads)")
    print(f"  {'run':>3} {'seconds':>8} {'MB/s':>7} {'idle RSS MiB':>13} {'peak RSS MiB':>13} {'growth MiB':>11}")
    for n, (seconds, idle, peak, _, _) in enumerate(rows, 1):
        mib = f"{idle / 1024:>13.1f} {peak / 1024:>13.1f} {(peak - idle) / 1024:>11.1f}"
        print(f"  {n:>3} {seconds:>8.3f} {size / MB / seconds:>7.1f} {mib}")
    median_seconds = statistics.median(row[0] for row in rows)
    growths = [(row[2] - row[1]) / 1024 for row in rows]
    growth = f"median {statistics.median(growths):.1f} MiB, max {max(growths):.1f} MiB"
    print(f"  median {median_seconds:.3f} s; peak RSS growth {growth}")
    print(f"Refused: a {args.size_mb} MB image to POST /api/groups/{{id}}/messages (limit 10 MB)")
    statuses = sorted({status for _, status, _ in refusals})
    times = [seconds * 1000 for seconds, _, _ in refusals]
    sent = [n / 1024 for _, _, n in refusals]
    print(f"  status {statuses}; time to the answer median {statistics.median(times):.1f} ms, max {max(times):.1f} ms;")
    print(
        f"  body sent by then median {statistics.median(sent):.0f} KiB, max {max(sent):.0f} KiB of {size // 1024} KiB"
    )


if __name__ == "__main__":
    main()
