"""A raw HTTP/1.1 server on loopback for the tests that need a misbehaving peer.

:class:`RawServer` runs on a thread of its own with its own asyncio loop, so asyncio and trio
tests share it. It answers request number *i* with ``script[i]`` (the last step repeats): a
step is an async function ``(conn) -> bool`` that may read, write, stall or kill the
connection and returns whether to keep the connection for another request. The steps below
cover what the engine and hostile-server tables need; ``requests`` counts the requests read in
full, ``connections`` the connections accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from shopsocially_async import RetryPolicy, ShopSociallyClient

__all__ = [
    "OK_BODY",
    "RawServer",
    "close_at_once",
    "fin_after_reading",
    "free_port",
    "hold",
    "make_client",
    "raw",
    "respond",
    "respond_then_close",
    "rst_after_reading",
    "serve",
    "trickle",
    "unanswered_connects",
]

NO_WAIT = RetryPolicy(max_retries=2, initial_delay=0, max_delay=0, max_retry_after=0)
OK_BODY = json.dumps({"success": True, "data": {"id": "t-1", "points": 1}}).encode()


class Conn:
    """One accepted connection, as a step sees it."""

    def __init__(
        self, server: RawServer, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ):
        self.server = server
        self.reader = reader
        self.writer = writer

    async def read_request(self) -> bytes:
        """Read one request (head and ``content-length`` body); IncompleteReadError at EOF."""
        head = await self.reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        request = head + await self.reader.readexactly(length)
        self.server.received.append(request)
        return request

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    def reset(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0), not a FIN."""
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Step = Callable[[Conn], Awaitable[bool]]


def response_bytes(
    status: int = 200, body: bytes = OK_BODY, headers: dict[str, str] | None = None
) -> bytes:
    """A whole HTTP/1.1 response with a ``content-length``."""
    fields = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        **(headers or {}),
    }
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items())
    return head.encode() + b"\r\n" + body


def respond(
    status: int = 200, body: bytes = OK_BODY, headers: dict[str, str] | None = None
) -> Step:
    """Read the request, answer it, keep the connection."""

    async def step(conn: Conn) -> bool:
        await conn.read_request()
        await conn.send(response_bytes(status, body, headers))
        return True

    return step


def raw(data: bytes, *, keep: bool = False, reset: bool = False) -> Step:
    """Read the request, send ``data`` verbatim (whatever it is), then close (with an RST if
    ``reset``) unless ``keep``."""

    async def step(conn: Conn) -> bool:
        await conn.read_request()
        await conn.send(data)
        if reset:
            await asyncio.sleep(0.05)  # let the bytes leave before the RST
            conn.reset()
        return keep

    return step


def respond_then_close(delay: float = 0.0) -> Step:
    """Answer with keep-alive, then close the idle connection after ``delay`` (a FIN)."""

    async def step(conn: Conn) -> bool:
        await conn.read_request()
        await conn.send(response_bytes())
        await asyncio.sleep(delay)
        return False

    return step


async def close_at_once(conn: Conn) -> bool:
    """Accept, then close before reading anything."""
    return False


async def fin_after_reading(conn: Conn) -> bool:
    """Read the request, then close without answering (a FIN)."""
    await conn.read_request()
    return False


async def rst_after_reading(conn: Conn) -> bool:
    """Read the request, then reset the connection (an RST)."""
    await conn.read_request()
    conn.reset()
    return False


def hold(seconds: float = 60.0) -> Step:
    """Read the request and never answer (until ``seconds`` pass)."""

    async def step(conn: Conn) -> bool:
        await conn.read_request()
        await asyncio.sleep(seconds)
        return False

    return step


def trickle(head: bytes, body: bytes, *, every: float, chunk: int = 1) -> Step:
    """Send ``head`` at once, then ``body`` ``chunk`` bytes every ``every`` seconds."""

    async def step(conn: Conn) -> bool:
        await conn.read_request()
        await conn.send(head)
        for start in range(0, len(body), chunk):
            await asyncio.sleep(every)
            await conn.send(body[start : start + chunk])
        return False

    return step


class RawServer:
    """A scripted loopback server (see the module docs); use it with :func:`serve`."""

    def __init__(self, *script: Step) -> None:
        self.script = list(script)
        self.received: list[bytes] = []
        self.connections = 0
        self.port = 0
        self._served = 0
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def requests(self) -> int:
        return len(self.received)

    def _next_step(self) -> Step:
        step = self.script[min(self._served, len(self.script) - 1)]
        self._served += 1
        return step

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        conn = Conn(self, reader, writer)
        try:
            while await self._next_step()(conn):
                pass
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()


@contextlib.contextmanager
def serve(server: RawServer) -> Iterator[RawServer]:
    """Run ``server`` on 127.0.0.1 on a thread of its own until the block ends."""
    started = threading.Event()
    stop: list[Callable[[], Any]] = []

    def run() -> None:
        async def main() -> None:
            listener = await asyncio.start_server(server._handle, "127.0.0.1", 0)
            server.port = listener.sockets[0].getsockname()[1]
            done = asyncio.Event()
            loop = asyncio.get_running_loop()
            stop.append(lambda: loop.call_soon_threadsafe(done.set))
            started.set()
            async with listener:
                await done.wait()

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10), "the raw server did not start"
    try:
        yield server
    finally:
        stop[0]()
        thread.join(10)


def free_port() -> int:
    """A loopback port nothing listens on (for "connection refused")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def unanswered_connects() -> Iterator[int]:
    """A loopback port where connecting hangs: its listener never accepts and its queue is
    full, so Linux drops the SYNs (a connect timeout over loopback). Blocks up to 0.2 s: use it
    from synchronous code (a fixture)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        queued: list[socket.socket] = []
        try:
            for _ in range(16):  # the queue holds one or two; the first connect that hangs
                sock = socket.socket()  # proves it full
                sock.settimeout(0.2)
                try:
                    sock.connect(("127.0.0.1", port))
                except TimeoutError:
                    sock.close()
                    break
                queued.append(sock)
            else:
                raise AssertionError("the listen queue never filled up")
            yield port
        finally:
            for sock in queued:
                sock.close()


def make_client(engine: str, port: int, **options: Any) -> ShopSociallyClient:
    """A client on ``engine`` for the server at ``port``; retries never sleep."""
    options.setdefault("retry_policy", NO_WAIT)
    return ShopSociallyClient(
        "partner", "key", base_url=f"http://127.0.0.1:{port}", transport=engine, **options
    )
