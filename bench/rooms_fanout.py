"""Benchmark: how long a focus room's timer change takes to reach every socket in a full room.

CLIENTS users (real users with access tokens) sit in one room, each with a WebSocket open on
``/ws/rooms/{id}/`` (``?token=``), all against ONE uvicorn process with the Redis channel layer in the
production profile (``DJANGO_DEBUG=0``). The host then changes the timer over REST, ROUNDS times
(start, pause, resume, pause, resume, skip, pause, resume, reset, and again), one change at a time,
each INTERVAL seconds after the last one reached everybody. For each change it measures, from sending
the REST request:

* ``rest``: the REST answer (which carries the change's ``seq``),
* ``first`` and ``last``: the first and the LAST socket receiving the ``timer.changed`` of that ``seq``

and reports p50 / p99 / max of each over the rounds, and of ``last`` per action. The target is a
``last`` p99 under 250 ms for 200 clients. REST goes to gunicorn, as in production
(docker-compose.yml's ``web``; ``--rest asgi`` sends it to the same uvicorn instead). The clients run
in this process, on the same machine as the servers, PostgreSQL and Redis: on a small machine they
compete for the same cores, and the figures include that.

The rounds span INTERVAL x ROUNDS seconds, so they cross the 20-second presence renewals that every
open room socket makes (a database write each). Setting up (a fresh database, CLIENTS joins, the
sockets' connects and snapshots) is timed and reported too.

It needs running PostgreSQL and Redis servers (scripts/test.sh shows how to start both on loopback
ports); DATABASE_URL names a role that may create databases (it uses ``<name>_bench_rooms``, dropped
at the end, and Redis database 12):

    DATABASE_URL=postgres://learnflow@127.0.0.1:5432/learnflow REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/rooms_fanout.py --clients 200 --rounds 100
"""

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import live_stack
from learnflow.benchmarking import percentile

ACTIONS = ("start", "pause", "resume", "pause", "resume", "skip", "pause", "resume", "reset")
REDIS_DB = 12


def prepare(clients: int) -> tuple[str, list[str]]:
    """The room (its id) and the tokens of its CLIENTS participants, the host first."""
    from focus.rooms import services

    users = live_stack.make_users("bench-room-", clients)
    host = users[0]
    room = services.room_create(user=host, name="Bench room", max_participants=max(clients, 1))
    for user in users[1:]:
        services.room_join(user=user, room=room)
    return str(room.pk), [live_stack.access_token(user) for user in users]


class PublishProbe:
    """A plain Redis subscriber to the room's channel-layer group, in a thread of its own: when each
    ``timer.changed`` was published (what the servers' sockets then deliver)."""

    def __init__(self, redis_url: str, channel: str):
        import redis

        self.published: dict[int, float] = {}
        self.pubsub = redis.Redis.from_url(redis_url).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(**{channel: self._on_message})
        self.thread = self.pubsub.run_in_thread(sleep_time=0.001, daemon=True)

    def _on_message(self, message) -> None:
        import msgpack

        at = time.perf_counter()
        event = msgpack.unpackb(message["data"])["event"]
        if event.get("type") == "timer.changed":
            self.published[event["seq"]] = at

    def close(self) -> None:
        self.thread.stop()
        self.pubsub.close()


class Room:
    """The CLIENTS sockets and when each received the ``timer.changed`` of each ``seq``."""

    def __init__(self, url: str, tokens: list[str]):
        self.url = url
        self.tokens = tokens
        self.sockets: list = []
        self.arrivals: dict[int, list[float]] = defaultdict(list)
        self.waiters: dict[int, asyncio.Event] = {}
        self.readers: list[asyncio.Task] = []

    async def open(self, parallel: int) -> None:
        from websockets.asyncio.client import connect

        gate = asyncio.Semaphore(parallel)

        async def one(token: str):
            async with gate:
                ws = await connect(f"{self.url}?token={token}", open_timeout=60, max_queue=None)
                snapshot = json.loads(await asyncio.wait_for(ws.recv(), 60))
                assert snapshot["type"] == "room.snapshot", snapshot
                return ws

        self.sockets = await asyncio.gather(*(one(token) for token in self.tokens))
        self.readers = [asyncio.create_task(self._read(ws)) for ws in self.sockets]

    async def _read(self, ws) -> None:
        async for frame in ws:
            event = json.loads(frame)
            if event.get("type") == "timer.changed":
                seq = event["seq"]
                self.arrivals[seq].append(time.perf_counter())
                if len(self.arrivals[seq]) == len(self.sockets) and seq in self.waiters:
                    self.waiters[seq].set()

    async def everyone_got(self, seq: int, timeout: float) -> list[float]:
        if len(self.arrivals[seq]) < len(self.sockets):
            self.waiters[seq] = asyncio.Event()
            try:
                await asyncio.wait_for(self.waiters[seq].wait(), timeout)
            except TimeoutError:
                raise RuntimeError(f"seq {seq}: {len(self.arrivals[seq])} of {len(self.sockets)} sockets") from None
        return self.arrivals.pop(seq)

    async def close(self) -> None:
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)


async def run_rounds(
    room: Room, probe: PublishProbe, rest_port: int, room_id: str, host_token: str, rounds: int, interval: float
):
    loop = asyncio.get_running_loop()
    samples: dict[str, list[float]] = {"rest": [], "published": [], "first": [], "last": []}
    by_action: dict[str, list[float]] = defaultdict(list)
    for number in range(rounds):
        action = ACTIONS[number % len(ACTIONS)]
        path = f"/api/rooms/{room_id}/timer/{action}"
        began = time.perf_counter()
        timer = await loop.run_in_executor(None, live_stack.post_json, rest_port, path, host_token)
        answered = time.perf_counter()
        arrivals = await room.everyone_got(timer["seq"], timeout=30)
        samples["rest"].append((answered - began) * 1000)
        samples["published"].append((probe.published.pop(timer["seq"]) - began) * 1000)
        samples["first"].append((min(arrivals) - began) * 1000)
        samples["last"].append((max(arrivals) - began) * 1000)
        by_action[action].append(samples["last"][-1])
        await asyncio.sleep(interval)
    return samples, by_action


def row(name: str, values: list[float]) -> str:
    return (
        f"  {name:<22} {len(values):>6} {percentile(values, 50):>8.1f} {percentile(values, 99):>8.1f} "
        f"{max(values):>8.1f} {statistics.fmean(values):>8.1f}"
    )


async def bench(args, env: dict, temp: Path, room_id: str, tokens: list[str]) -> None:
    servers = []
    try:
        asgi_port = live_stack.free_port()
        asgi_log = temp / "uvicorn.log"
        servers.append(live_stack.start_server(live_stack.uvicorn_command(asgi_port), env, asgi_log))
        live_stack.wait_until_healthy(asgi_port, servers[-1], asgi_log)
        asgi_pid = servers[-1].pid
        rest_port = asgi_port
        if args.rest == "gunicorn":
            rest_port = live_stack.free_port()
            rest_log = temp / "gunicorn.log"
            servers.append(live_stack.start_server(live_stack.gunicorn_command(rest_port), env, rest_log))
            live_stack.wait_until_healthy(rest_port, servers[-1], rest_log)

        room = Room(f"ws://127.0.0.1:{asgi_port}/ws/rooms/{room_id}/", tokens)
        began = time.perf_counter()
        await room.open(args.parallel_connects)
        print(f"{args.clients} sockets connected (snapshot received) in {time.perf_counter() - began:.1f}s", flush=True)
        loop = asyncio.get_running_loop()
        host = tokens[0]
        probe = PublishProbe(env["CHANNEL_LAYER_URL"], f"{env['CHANNEL_LAYER_PREFIX']}__group__room.{room_id}")
        await run_rounds(room, probe, rest_port, room_id, host, args.warm_up, args.interval)
        cpu_before = live_stack.cpu_seconds(asgi_pid)
        timed_from = time.perf_counter()
        samples, by_action = await run_rounds(room, probe, rest_port, room_id, host, args.rounds, args.interval)
        elapsed = time.perf_counter() - timed_from
        cpu = live_stack.cpu_seconds(asgi_pid) - cpu_before
        rss = live_stack.process_status(asgi_pid)
        if room.arrivals:
            raise RuntimeError(f"timer.changed events no round asked for: {sorted(room.arrivals)}")
        await loop.run_in_executor(None, live_stack.post_json, rest_port, f"/api/rooms/{room_id}/timer/reset", host)
        await room.close()
    finally:
        for server in servers:
            live_stack.stop(server)

    print(
        f"\n{args.rounds} timer changes, one at a time, {args.interval}s apart, to {args.clients} sockets in one room;"
        f" REST via {args.rest}; one uvicorn process, Redis channel layer"
    )
    print(f"  {'ms from the REST request':<22} {'n':>6} {'p50':>8} {'p99':>8} {'max':>8} {'mean':>8}")
    print(row("REST answer", samples["rest"]))
    print(row("published (Redis)", samples["published"]))
    print(row("first socket", samples["first"]))
    print(row("LAST socket", samples["last"]))
    for action, values in sorted(by_action.items()):
        print(row(f"  last, {action}", values))
    target = "met" if percentile(samples["last"], 99) < args.target_ms else "MISSED"
    print(f"  last-socket p99 target {args.target_ms:.0f} ms: {target}")
    print(
        f"  uvicorn: {cpu / elapsed * 100:.0f}% of a core over the {elapsed:.0f}s of rounds,"
        f" RSS {rss['VmRSS'] / 1024:.0f} MiB (peak {rss['VmHWM'] / 1024:.0f} MiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200, help="users in the room, one socket each (max 500)")
    parser.add_argument("--rounds", type=int, default=100, help="timed timer changes")
    parser.add_argument("--warm-up", type=int, default=9, help="untimed timer changes first")
    parser.add_argument("--interval", type=float, default=0.3, help="seconds between changes")
    parser.add_argument("--rest", choices=("gunicorn", "asgi"), default="gunicorn", help="which server takes REST")
    parser.add_argument("--parallel-connects", type=int, default=20, help="handshakes under way at once")
    parser.add_argument("--target-ms", type=float, default=250)
    args = parser.parse_args()
    if not 1 <= args.clients <= 500:
        parser.error("a room seats 1 to 500")
    live_stack.raise_open_files_limit(4 * args.clients + 256)
    with (
        tempfile.TemporaryDirectory(prefix="bench-rooms-") as temp,
        live_stack.bench_environment("rooms", REDIS_DB) as env,
    ):
        began = time.perf_counter()
        room_id, tokens = prepare(args.clients)
        print(f"{args.clients} users seated in one room in {time.perf_counter() - began:.1f}s", flush=True)
        asyncio.run(bench(args, env, Path(temp), room_id, tokens))


if __name__ == "__main__":
    main()
