"""Engines: the one seam through which a client sends its requests.

An engine sends one request description and returns the whole response, or fails saying
whether the request may have reached the server (see :mod:`._base` for the contract). Which
engine a client uses is ``ShopSociallyClient(transport=...)``:

============  ===================  ==========================================================
name          event loops          what it is
============  ===================  ==========================================================
``"httpx"``   asyncio, trio        the default: ``httpx.AsyncClient`` (respx, MockTransport,
                                   event hooks, proxies and ``httpx.Auth`` keep working)
``"aiohttp"`` asyncio              aiohttp's pool: several times less CPU per request
                                   (extra ``aiohttp``)
``"pyqwest"`` asyncio, trio        reqwest and hyper (Rust): the fast engine under trio
                                   (extra ``pyqwest``)
``"auto"``    asyncio, trio        the fastest installed engine for the running event loop,
                                   chosen at the first request
============  ===================  ==========================================================

An ``httpx.AsyncBaseTransport`` object (``httpx.MockTransport``, ``httpx.ASGITransport``, a
configured ``httpx.AsyncHTTPTransport``) implies the httpx engine with that transport.
"""

from __future__ import annotations

import importlib.util
from typing import Literal

import httpx

from ..errors import ConfigurationError
from ._base import BaseEngine, Engine, Progress, Response, SendFailure, Timeouts

__all__ = [
    "ENGINES",
    "ENGINE_NAMES",
    "BaseEngine",
    "Engine",
    "EngineName",
    "Progress",
    "Response",
    "SendFailure",
    "Timeouts",
    "create_engine",
    "installed_engines",
    "runs_on",
]

EngineName = Literal["httpx", "aiohttp", "pyqwest", "auto"]
ENGINE_NAMES: tuple[str, ...] = ("httpx", "aiohttp", "pyqwest", "auto")
#: Each concrete engine: the event loops it runs on and the module its extra installs.
ENGINES: dict[str, tuple[frozenset[str], str]] = {
    "httpx": (frozenset({"asyncio", "trio"}), "httpx"),
    "aiohttp": (frozenset({"asyncio"}), "aiohttp"),
    "pyqwest": (frozenset({"asyncio", "trio"}), "pyqwest"),
}


def installed_engines() -> list[str]:
    """The concrete engines whose libraries are installed, in the order of :data:`ENGINES`."""
    return [name for name, (_, module) in ENGINES.items() if importlib.util.find_spec(module)]


def runs_on(engine: str, library: str) -> bool:
    """Whether ``engine`` runs under the event loop ``library`` ("asyncio" or "trio")."""
    return library in ENGINES[engine][0]


def create_engine(
    transport: httpx.AsyncBaseTransport | str | None,
    *,
    http_client: httpx.AsyncClient | None,
    max_connections: int,
    keepalive_expiry: float,
    httpx_auth: httpx.Auth | None,
    connect_timeout: float,
) -> Engine:
    """The engine for ``transport=`` / ``http_client=`` (see the module docs).

    ``connect_timeout`` is for engines that fix it for their pool (pyqwest); the others take
    each attempt's own.
    """
    if http_client is not None:
        from ._httpx import HttpxEngine

        return HttpxEngine(http_client, owned=False, max_connections=None, auth=httpx_auth)
    if transport is None or isinstance(transport, httpx.AsyncBaseTransport):
        return _httpx_engine(transport, max_connections, keepalive_expiry, httpx_auth)
    if transport not in ENGINE_NAMES:
        raise ConfigurationError(
            f"transport must be one of {', '.join(map(repr, ENGINE_NAMES))} or an "
            f"httpx.AsyncBaseTransport, got {transport!r}"
        )
    if httpx_auth is not None and transport != "httpx":
        raise ConfigurationError(
            f"an httpx.Auth works only with transport='httpx', not {transport!r}; pass a "
            "header function as auth= instead (it works on every engine)"
        )
    if transport == "aiohttp":
        return _aiohttp_engine(max_connections, keepalive_expiry)
    if transport == "pyqwest":
        return _pyqwest_engine(max_connections, keepalive_expiry, connect_timeout)
    if transport == "auto":
        from ._auto import AutoEngine

        def build(name: str) -> Engine:
            return create_engine(
                name, http_client=None, max_connections=max_connections,
                keepalive_expiry=keepalive_expiry, httpx_auth=None,
                connect_timeout=connect_timeout,
            )  # fmt: skip

        return AutoEngine(build, max_connections=max_connections)
    return _httpx_engine(None, max_connections, keepalive_expiry, httpx_auth)


def _httpx_engine(
    transport: httpx.AsyncBaseTransport | None,
    max_connections: int,
    keepalive_expiry: float,
    auth: httpx.Auth | None,
) -> Engine:
    from ._httpx import HttpxEngine

    # Keep as many idle connections as may be busy at once: httpx's default of 20 makes a
    # client at concurrency 64 open and close hundreds of connections per run.
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=keepalive_expiry,
    )
    client = httpx.AsyncClient(transport=transport, limits=limits, follow_redirects=False)
    # A transport object of the caller's (mock, ASGI, ...) has its own limits, if any.
    size = max_connections if transport is None else None
    pooled = transport is None or isinstance(transport, httpx.AsyncHTTPTransport)
    return HttpxEngine(client, owned=True, max_connections=size, auth=auth, pooled=pooled)


def _aiohttp_engine(max_connections: int, keepalive_expiry: float) -> Engine:
    try:
        from ._aiohttp import AiohttpEngine
    except ImportError:
        raise ConfigurationError(
            "transport='aiohttp' needs aiohttp: pip install 'shopsocially-async[aiohttp]'"
        ) from None
    return AiohttpEngine(max_connections=max_connections, keepalive_expiry=keepalive_expiry)


def _pyqwest_engine(
    max_connections: int, keepalive_expiry: float, connect_timeout: float
) -> Engine:
    try:
        from ._pyqwest import PyqwestEngine
    except ImportError:
        raise ConfigurationError(
            "transport='pyqwest' needs pyqwest: pip install 'shopsocially-async[pyqwest]'"
        ) from None
    return PyqwestEngine(
        max_connections=max_connections,
        keepalive_expiry=keepalive_expiry,
        connect_timeout=connect_timeout,
    )
