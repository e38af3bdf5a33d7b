"""Integration tests run over real sockets; ``SHOPSOCIALLY_TEST_TRANSPORT`` picks the transport.

``nox -s tests_aiohttp`` runs them with ``SHOPSOCIALLY_TEST_TRANSPORT=aiohttp`` (asyncio only);
the default is httpx's own transport.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def client_transport(anyio_backend: str) -> str:
    """The ``transport=`` to build socket-level clients with (aiohttp skips under trio)."""
    name = os.environ.get("SHOPSOCIALLY_TEST_TRANSPORT", "httpx")
    if name == "aiohttp" and anyio_backend != "asyncio":
        pytest.skip("the aiohttp transport runs only under asyncio")
    return name
