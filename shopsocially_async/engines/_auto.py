"""``transport="auto"``: the fastest installed engine for the event loop the client runs on.

The choice waits for the first request, because a client is often built before any event
loop runs. Preference order, by requests per second measured at concurrency 64
(``benchmarks/``, section 1): on asyncio aiohttp, then pyqwest, then httpx; on trio pyqwest,
then httpx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import sniffio

from .._http import Request
from ._base import Engine, Response, SendFailure, Timeouts

__all__ = ["AutoEngine", "preferred_engine"]

#: Engines by measured speed, fastest first (benchmarks/RESULTS.md).
FASTEST_FIRST = ("aiohttp", "pyqwest", "httpx")


def preferred_engine(library: str) -> str:
    """The name of the fastest engine installed for ``library`` ("asyncio" or "trio")."""
    from . import installed_engines, runs_on

    installed = installed_engines()
    for name in FASTEST_FIRST:
        if name in installed and runs_on(name, library):
            return name
    return "httpx"


class AutoEngine:
    """Builds the preferred engine at the first request, then delegates to it."""

    name = "auto"

    def __init__(self, build: Callable[[str], Engine], *, max_connections: int) -> None:
        self._build = build
        self._engine: Engine | None = None
        self._closed = False
        #: The pool size every candidate engine is built with.
        self.max_connections: int | None = max_connections

    @property
    def chosen(self) -> Engine | None:
        """The engine in use, once the first request chose it."""
        return self._engine

    @property
    def closed(self) -> bool:
        return self._closed or (self._engine is not None and self._engine.closed)

    async def send(self, request: Request, timeouts: Timeouts, *, max_body_bytes: int) -> Response:
        if self._closed:
            raise SendFailure("the client is closed", sent=False, closed=True)
        if self._engine is None:
            self._engine = self._build(preferred_engine(sniffio.current_async_library()))
        return await self._engine.send(request, timeouts, max_body_bytes=max_body_bytes)

    def interruptible(self) -> contextlib.AbstractContextManager[None]:
        """The chosen engine's (nothing can be waiting before the first request)."""
        return contextlib.nullcontext() if self._engine is None else self._engine.interruptible()

    async def aclose(self) -> None:
        self._closed = True
        if self._engine is not None:
            await self._engine.aclose()
