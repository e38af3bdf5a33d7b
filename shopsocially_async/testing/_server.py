"""Serving the fake over real sockets with uvicorn (imported only here, only when serving).

``serve_app`` binds a loopback socket itself (port 0 lets the OS choose), hands it to a
``uvicorn.Server`` running on a dedicated thread with its own asyncio loop, and waits for
start-up and shutdown through ``anyio.to_thread`` so the caller's loop (asyncio or trio) keeps
running. Shutdown (``should_exit``, then join) happens even when the body raised; requests still
in flight get two seconds.

Drops: uvicorn answers 500 when an app raises before responding, so an exception cannot make a
disconnect. :class:`AbortableH11Protocol` (uvicorn's h11 protocol, passed as
``Config(http=...)``) wraps the app once per connection and puts the connection's
``transport.abort`` into ``scope["extensions"]["shopsocially.fake.abort"]``; the app calls it
and waits for uvicorn to notice the connection is gone, so the client reads end-of-stream
without any response (httpx: ``RemoteProtocolError: Server disconnected without sending a
response``) and uvicorn logs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.to_thread
import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from ._app import ABORT_EXTENSION

App = Callable[..., Any]
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0


def _with_abort(app: Any, abort: Callable[[], None]) -> Any:
    async def with_abort(scope: Any, receive: Any, send: Any) -> None:
        scope["extensions"] = {**(scope.get("extensions") or {}), ABORT_EXTENSION: abort}
        await app(scope, receive, send)

    return with_abort


class AbortableH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, letting the app abort its own TCP connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.app = _with_abort(self.app, transport.abort)


def make_config(
    app: App, host: str, port: int, *, log_level: str, quiet: bool, timeout_keep_alive: int = 15
) -> uvicorn.Config:
    """uvicorn settings: no lifespan, no websockets, no proxy headers, access log off."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=AbortableH11Protocol,
        ws="none",
        lifespan="off",
        loop="asyncio",
        interface="asgi3",
        log_level=log_level,
        access_log=False,
        log_config=None if quiet else LOGGING_CONFIG,
        proxy_headers=False,
        timeout_keep_alive=timeout_keep_alive,
        timeout_graceful_shutdown=2,
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
    # and without it every response waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v2/loyalty"


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the fake ShopSocially server did not start")
        time.sleep(0.005)


@contextlib.asynccontextmanager
async def serve_app(
    app: App, host: str = "127.0.0.1", port: int = 0, *, timeout_keep_alive: int = 15
) -> AsyncIterator[str]:
    """Run ``app`` on a server thread for the duration of the block; yields the base URL."""
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    config = make_config(
        app,
        host,
        bound_port,
        log_level="warning",
        quiet=True,
        timeout_keep_alive=timeout_keep_alive,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        daemon=True,
        name=f"shopsocially-fake:{bound_port}",
    )
    thread.start()
    try:
        await anyio.to_thread.run_sync(_wait_started, server, thread)
        yield _base_url(host, bound_port)
    finally:
        server.should_exit = True
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(thread.join, STOP_TIMEOUT)
        sock.close()


def run_app(
    app: App,
    host: str,
    port: int,
    *,
    log_level: str = "info",
    on_bound: Callable[[str], object] | None = None,
) -> None:
    """Serve ``app`` in the foreground until interrupted; Ctrl-C is a normal return.

    The socket is bound first (``OSError`` if the port is taken; port 0 picks a free one),
    then ``on_bound`` gets the base URL, then serving starts. uvicorn shuts down gracefully
    on SIGINT, then re-raises the signal, which surfaces here as ``KeyboardInterrupt``.
    """
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    config = make_config(app, host, bound_port, log_level=log_level, quiet=False)
    try:
        if on_bound is not None:
            on_bound(_base_url(host, bound_port))
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
