"""Benchmark: how many idle authenticated WebSockets one uvicorn process holds, and what they cost.

Opens CONNECTIONS sockets, one per user (real users with access tokens, ``?token=``), against ONE
uvicorn process with the Redis channel layer in the production profile (``DJANGO_DEBUG=0``), on
``/ws/notifications/`` (``--path notifications``, the default: what every signed-in tab keeps open)
or on ``/ws/rooms/{id}/`` (``--path rooms``: the users seated in rooms of up to 500, whose sockets
each renew their user's presence in the database every 20 seconds). Every socket must get its
snapshot. Then it leaves them idle IDLE seconds (past the 20-second keepalive pings of both ends and
the rooms' presence renewals) and reports:

* the server's resident memory (``VmRSS`` from ``/proc/<pid>/status``) before the sockets (after a
  few opened and closed, so the code paths are loaded), with all of them open, and after the idle
  time, and the growth per connection; the target is 2,000 connections under 1 GiB;
* the server's CPU while the sockets idle (presence renewals, keepalive pings);
* that they are alive: how many are still open, and how long a sample of them (SAMPLE sockets, or
  all with ``--sample 0``) takes to answer an application ``ping`` with ``pong`` and a WebSocket
  protocol ping with its pong.

The clients run in this process, on the same machine. It raises its own limit on open files (the
server inherits it) as far as the hard limit allows.

It needs running PostgreSQL and Redis servers (scripts/test.sh shows how to start both on loopback
ports); DATABASE_URL names a role that may create databases (it uses ``<name>_bench_idle``, dropped
at the end, and Redis database 11):

    DATABASE_URL=postgres://learnflow@127.0.0.1:5432/learnflow REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ws_idle.py --connections 2000 [--path rooms]
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_stack
from learnflow.benchmarking import percentile

REDIS_DB = 11
ROOM_SEATS = 500
WARM_UP_SOCKETS = 10


def prepare(connections: int, path: str) -> list[tuple[str, str]]:
    """``(socket path, token)`` for each user: their own inbox, or the room they sit in."""
    users = live_stack.make_users("bench-idle-", connections + WARM_UP_SOCKETS)
    if path == "notifications":
        return [("/ws/notifications/", live_stack.access_token(user)) for user in users]
    from focus.rooms import services

    sockets = []
    for start in range(0, len(users), ROOM_SEATS):
        seated = users[start : start + ROOM_SEATS]
        name = f"Bench room {start // ROOM_SEATS}"
        room = services.room_create(user=seated[0], name=name, max_participants=ROOM_SEATS)
        for user in seated[1:]:
            services.room_join(user=user, room=room)
        sockets += [(f"/ws/rooms/{room.pk}/", live_stack.access_token(user)) for user in seated]
    return sockets


async def open_sockets(base: str, targets: list[tuple[str, str]], parallel: int, deflate: bool = True) -> list:
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(parallel)

    async def one(path: str, token: str):
        async with gate:
            ws = await connect(
                f"{base}{path}?token={token}", open_timeout=120, compression="deflate" if deflate else None
            )
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), 120))
            assert snapshot["type"] in ("notifications.snapshot", "room.snapshot"), snapshot
            return ws

    return await asyncio.gather(*(one(path, token) for path, token in targets))


async def answer_times(sockets: list) -> tuple[list[float], list[float]]:
    """Milliseconds each socket took to answer an application ``ping`` (``pong``) and a protocol ping."""

    async def app_ping(ws) -> float:
        began = time.perf_counter()
        await ws.send(json.dumps({"type": "ping"}))
        while json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] != "pong":
            pass
        return (time.perf_counter() - began) * 1000

    async def protocol_ping(ws) -> float:
        began = time.perf_counter()
        await asyncio.wait_for(await ws.ping(), 30)
        return (time.perf_counter() - began) * 1000

    app = await asyncio.gather(*(app_ping(ws) for ws in sockets))
    protocol = await asyncio.gather(*(protocol_ping(ws) for ws in sockets))
    return list(app), list(protocol)


def mib(kib: int) -> str:
    return f"{kib / 1024:.0f} MiB"


async def bench(args, env: dict, temp: Path, targets: list[tuple[str, str]]) -> None:
    from websockets.protocol import State

    port = live_stack.free_port()
    log = temp / "uvicorn.log"
    server = live_stack.start_server(live_stack.uvicorn_command(port), env, log)
    try:
        live_stack.wait_until_healthy(port, server, log)
        base = f"ws://127.0.0.1:{port}"
        warm, targets = targets[:WARM_UP_SOCKETS], targets[WARM_UP_SOCKETS:]
        for ws in await open_sockets(base, warm, args.parallel_connects):
            await ws.close()
        await asyncio.sleep(1)
        before = live_stack.process_status(server.pid)

        began = time.perf_counter()
        sockets = await open_sockets(base, targets, args.parallel_connects, args.deflate)
        opening = time.perf_counter() - began
        await asyncio.sleep(1)
        opened = live_stack.process_status(server.pid)
        print(f"{len(sockets)} sockets open, each with its snapshot, in {opening:.1f}s", flush=True)

        cpu = live_stack.cpu_seconds(server.pid)
        print(f"idle for {args.idle}s ...", flush=True)
        await asyncio.sleep(args.idle)
        idle_cpu = (live_stack.cpu_seconds(server.pid) - cpu) / args.idle
        idled = live_stack.process_status(server.pid)

        alive = sum(ws.state is State.OPEN for ws in sockets)
        sample = sockets if args.sample == 0 else random.Random(7).sample(sockets, min(args.sample, len(sockets)))
        app, protocol = await answer_times(sample)
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    finally:
        live_stack.stop(server)

    grown = idled["VmRSS"] - before["VmRSS"]
    compression = "permessage-deflate" if args.deflate else "no compression"
    print(f"\n{len(sockets)} idle sockets on {args.path} ({compression}), one uvicorn process, Redis channel layer")
    print(f"  opened in {opening:.1f}s ({len(sockets) / opening:.0f}/s, {args.parallel_connects} handshakes at once)")
    print(f"  RSS before {mib(before['VmRSS'])}, all open {mib(opened['VmRSS'])}, after {args.idle}s idle ", end="")
    print(f"{mib(idled['VmRSS'])} (peak {mib(idled['VmHWM'])})")
    print(f"  per connection: {grown / len(sockets):.1f} KiB ({grown / 1024:.0f} MiB over the {len(sockets)})")
    if len(sockets) >= 2000:
        target = "met" if idled["VmHWM"] < 1024 * 1024 else "MISSED"
        print(f"  target (2,000 connections under 1 GiB peak RSS): {target}")
    print(f"  uvicorn CPU while idle: {idle_cpu * 100:.1f}% of a core")
    print(f"  alive after the idle time: {alive} of {len(sockets)} open")
    for name, values in (("ping -> pong", app), ("protocol ping", protocol)):
        print(
            f"  {name:<14} on {len(values)} sockets: p50 {percentile(values, 50):.1f} ms,"
            f" p99 {percentile(values, 99):.1f} ms, max {max(values):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--path", choices=("notifications", "rooms"), default="notifications")
    parser.add_argument("--idle", type=float, default=45, help="seconds the sockets idle before the checks")
    parser.add_argument("--sample", type=int, default=200, help="sockets pinged after the idle time (0: all)")
    parser.add_argument("--parallel-connects", type=int, default=50, help="handshakes under way at once")
    parser.add_argument(
        "--no-deflate",
        dest="deflate",
        action="store_false",
        help="clients do not offer permessage-deflate (browsers do, so it is on by default)",
    )
    args = parser.parse_args()
    limit = live_stack.raise_open_files_limit(2 * args.connections + 512)
    if limit < args.connections + 256:
        parser.error(f"the open files limit is {limit}: too low for {args.connections} sockets")
    with (
        tempfile.TemporaryDirectory(prefix="bench-idle-") as temp,
        live_stack.bench_environment("idle", REDIS_DB) as env,
    ):
        began = time.perf_counter()
        targets = prepare(args.connections, args.path)
        print(f"{args.connections} users ready in {time.perf_counter() - began:.1f}s", flush=True)
        asyncio.run(bench(args, env, Path(temp), targets))


if __name__ == "__main__":
    main()
