"""The client's lifecycle: closing, with_options() sharing the pool, borrowed clients."""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
import httpx
import pytest

from shopsocially_async import ShopSociallyClient, Timeout, errors
from shopsocially_async.engines._httpx import HttpxEngine
from shopsocially_async.resources import (
    Activities,
    Points,
    Redemptions,
    Returns,
    Transactions,
    Users,
)
from tests.unit.scripted import API_KEY, BASE_URL, PARTNER_ID, Script, ok, scripted_client, status

EMAIL = "ann@example.com"


def http_of(client: ShopSociallyClient) -> httpx.AsyncClient:
    """The httpx client (the connection pool) a ShopSociallyClient sends through."""
    engine = client._engine
    assert isinstance(engine, HttpxEngine)
    http = engine._client
    assert isinstance(http, httpx.AsyncClient)
    return http


@pytest.mark.anyio
async def test_async_with_closes_the_client_and_its_pool() -> None:
    """Leaving ``async with`` closes the client and the pool it owns."""
    async with scripted_client(Script()) as client:
        assert not client.is_closed
    assert client.is_closed
    assert http_of(client).is_closed


@pytest.mark.anyio
async def test_async_with_closes_even_when_the_body_raises() -> None:
    """An exception inside ``async with`` still closes the client."""
    client = scripted_client(Script())
    with pytest.raises(KeyError):
        async with client:
            raise KeyError("boom")
    assert client.is_closed


@pytest.mark.anyio
async def test_aclose_is_idempotent() -> None:
    """Closing twice (or closing then leaving ``async with``) does nothing the second time."""
    client = scripted_client(Script())
    await client.aclose()
    await client.aclose()
    async with client:
        pass
    assert client.is_closed


async def touch_every_kind_of_call(client: ShopSociallyClient, kind: str) -> None:
    """A read, a write, or a paginated listing: each must refuse on a closed client."""
    if kind == "read":
        await client.users.get(EMAIL)
    elif kind == "write":
        await client.points.award(user_email=EMAIL, activity_id="review")
    else:
        async for _ in client.transactions.list(
            from_date=date(2024, 1, 1), to_date=date(2024, 2, 1)
        ):
            pass  # pragma: no cover - never reached


@pytest.mark.anyio
@pytest.mark.parametrize("kind", ["read", "write", "listing"])
async def test_closed_client_refuses_and_sends_nothing(kind: str) -> None:
    """A closed client raises ClientClosedError before any request reaches the transport."""
    script = Script(ok())
    client = scripted_client(script)
    await client.aclose()
    with pytest.raises(errors.ClientClosedError, match="closed"):
        await touch_every_kind_of_call(client, kind)
    assert script.count == 0


def test_client_closed_error_is_a_runtime_error() -> None:
    """ClientClosedError can be caught as the RuntimeError httpx itself would raise."""
    assert issubclass(errors.ClientClosedError, RuntimeError)


@pytest.mark.anyio
async def test_with_options_shares_the_pool_and_changes_settings() -> None:
    """with_options() returns a client on the same httpx client with the new settings."""
    script = Script(status(503), status(503), ok(), status(503))
    async with scripted_client(script) as client:
        copy = client.with_options(max_retries=0, timeout=3.0)
        assert http_of(copy) is http_of(client)
        assert copy is not client
        assert (copy.max_retries, client.max_retries) == (0, 2)
        assert copy.timeout == Timeout(attempt=3.0, connect=3.0)
        assert copy.base_url == client.base_url
        await client.users.get(EMAIL)  # 503, 503, 200: the original still retries
        with pytest.raises(errors.ServerError):
            await copy.users.get(EMAIL)  # one 503 and no retry
    assert script.count == 4
    assert script.requests[-1].extensions["timeout"]["read"] == 3.0
    assert script.requests[0].extensions["timeout"]["read"] == 30.0
    assert script.requests[-1].headers["api-key"] == API_KEY


@pytest.mark.anyio
async def test_closing_the_copy_leaves_the_original_usable() -> None:
    """Closing a with_options() copy closes only the copy, never the shared pool."""
    script = Script(ok())
    async with scripted_client(script) as client:
        copy = client.with_options(max_retries=0)
        await copy.aclose()
        assert copy.is_closed
        assert not client.is_closed
        assert not http_of(client).is_closed
        await client.users.get(EMAIL)
        with pytest.raises(errors.ClientClosedError):
            await copy.users.get(EMAIL)
    assert script.count == 1


@pytest.mark.anyio
async def test_closing_the_original_closes_every_copy() -> None:
    """Closing the original closes the pool: copies (and copies of copies) refuse."""
    script = Script()
    client = scripted_client(script)
    copy = client.with_options(max_retries=0)
    grandchild = copy.with_options(timeout=1.0)
    await client.aclose()
    assert http_of(client).is_closed
    for derived in (copy, grandchild):
        assert derived.is_closed
        with pytest.raises(errors.ClientClosedError):
            await derived.users.get(EMAIL)
    assert script.count == 0


@pytest.mark.anyio
async def test_with_options_keeps_unchanged_settings() -> None:
    """Options not given to with_options() keep the original's values."""
    async with scripted_client(Script(), max_retries=4, timeout=9.0) as client:
        assert client.with_options().max_retries == 4
        assert client.with_options(max_retries=1).timeout == client.timeout
        assert client.with_options(timeout=2.0).max_retries == 4


@pytest.mark.anyio
async def test_with_options_validates() -> None:
    """with_options() refuses bad settings like the constructor does."""
    async with scripted_client(Script()) as client:
        with pytest.raises(errors.ConfigurationError):
            client.with_options(max_retries=-1)
        with pytest.raises(errors.ConfigurationError):
            client.with_options(timeout=0)


@pytest.mark.anyio
async def test_borrowed_http_client_is_not_closed() -> None:
    """A caller's http_client is used for requests and left open by aclose()."""
    script = Script(ok())
    async with httpx.AsyncClient(transport=httpx.MockTransport(script)) as http:
        client = ShopSociallyClient(PARTNER_ID, API_KEY, base_url=BASE_URL, http_client=http)
        await client.users.get(EMAIL)
        await client.aclose()
        assert client.is_closed
        assert not http.is_closed
        with pytest.raises(errors.ClientClosedError):
            await client.users.get(EMAIL)
    assert script.count == 1


@pytest.mark.anyio
async def test_borrowed_http_client_closed_by_its_owner_is_refused_clearly() -> None:
    """If the caller closes its http_client, calls raise ClientClosedError, not RuntimeError."""
    script = Script(ok())
    http = httpx.AsyncClient(transport=httpx.MockTransport(script))
    client = ShopSociallyClient(PARTNER_ID, API_KEY, base_url=BASE_URL, http_client=http)
    await http.aclose()
    with pytest.raises(errors.ClientClosedError):
        await client.users.get(EMAIL)
    assert script.count == 0


def test_transport_and_http_client_are_exclusive() -> None:
    """Passing both transport and http_client is a configuration error."""
    with pytest.raises(errors.ConfigurationError, match="transport"):
        ShopSociallyClient(
            "p",
            "k",
            transport=httpx.MockTransport(Script()),
            http_client=httpx.AsyncClient(),
        )


@pytest.mark.parametrize("max_connections", [0, -1, 1.5, True])
def test_bad_max_connections_refused(max_connections: Any) -> None:
    """max_connections must be a whole number of at least 1."""
    with pytest.raises(errors.ConfigurationError, match="max_connections"):
        ShopSociallyClient("p", "k", max_connections=max_connections)


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("points", Points),
        ("returns", Returns),
        ("transactions", Transactions),
        ("users", Users),
        ("activities", Activities),
        ("redemptions", Redemptions),
    ],
)
def test_resources_are_attributes(name: str, cls: type[Any]) -> None:
    """Each resource is a plain attribute of the client and of its copies."""
    client = ShopSociallyClient("p", "k")
    assert isinstance(getattr(client, name), cls)
    assert isinstance(getattr(client.with_options(max_retries=0), name), cls)


@pytest.mark.anyio
async def test_copy_resources_use_the_copy_settings() -> None:
    """Resources of a with_options() copy send with the copy's retry settings."""
    script = Script(httpx.ConnectError)
    async with scripted_client(script) as client:
        with pytest.raises(errors.APIConnectionError):
            await client.with_options(max_retries=0).points.redeem(
                user_email=EMAIL, redemption_id="gift"
            )
    assert script.count == 1


@pytest.mark.anyio
async def test_concurrent_calls_share_one_client() -> None:
    """Many calls in flight at once on one client all complete."""
    script = Script(*(ok({"user_email": f"u{i}@example.com"}) for i in range(20)))
    results: list[str | None] = []
    async with scripted_client(script) as client:

        async def fetch(i: int) -> None:
            user = await client.users.get(f"u{i}@example.com")
            results.append(user.user_email)

        async with anyio.create_task_group() as tg:
            for i in range(20):
                tg.start_soon(fetch, i)
    assert sorted(results) == sorted(f"u{i}@example.com" for i in range(20))
