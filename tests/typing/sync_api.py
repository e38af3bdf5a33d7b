"""Typed usage of the blocking client: checked by ``mypy --strict``, never run by pytest.

Every method of every resource appears with an annotated result, as in ``api.py``; the
``type: ignore`` lines prove the signatures are the async ones, not ``(*args, **kwargs)``:
under ``warn_unused_ignores`` an ignore that is not needed is itself an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import httpx

from shopsocially_async import (
    Activity,
    Hooks,
    Page,
    RawResponse,
    Redemption,
    RetryPolicy,
    ShopSociallyClient,
    Timeout,
    Transaction,
    User,
    errors,
)
from shopsocially_async.sync import (
    BlockingIterator,
    SyncPaginator,
    SyncRawPages,
    SyncShopSociallyClient,
    SyncUsageError,
)

JAN = date(2024, 1, 1)
FEB = date(2024, 2, 1)


def construct() -> list[SyncShopSociallyClient]:
    """The async client's constructor arguments, checked the same way."""
    return [
        SyncShopSociallyClient(),
        SyncShopSociallyClient("partner", "key", base_url="http://127.0.0.1:8000/v2/loyalty"),
        SyncShopSociallyClient(
            partner_id="p",
            api_key="k",
            timeout=Timeout(5.0),
            max_retries=3,
            retry_policy=RetryPolicy(),
            body_encoding="form",
            transport="aiohttp",
            max_connections=8,
        ),
        SyncShopSociallyClient(
            "p", "k", transport=httpx.MockTransport(lambda _: httpx.Response(200))
        ),
        SyncShopSociallyClient(max_retries="3"),  # type: ignore[arg-type]
        SyncShopSociallyClient(no_such_option=1),  # type: ignore[call-arg]
    ]


def lifecycle() -> None:
    """with, properties, with_options, close."""
    with SyncShopSociallyClient("p", "k") as client:
        copy: SyncShopSociallyClient = client.with_options(max_retries=0, timeout=5)
        base_url: str = client.base_url
        retries: int = client.max_retries
        timeout: Timeout = client.timeout
        pool: int | None = client.max_connections
        closed: bool = client.is_closed
        client.with_options(retries=1)  # type: ignore[call-arg]
        copy.close()
        del base_url, retries, timeout, pool, closed
    not_async: ShopSociallyClient = client  # type: ignore[assignment]
    del not_async


def points(client: SyncShopSociallyClient) -> None:
    """client.points and client.returns return models, not awaitables."""
    awarded: Transaction = client.points.award(
        user_email="a@example.com",
        activity_id="made_a_purchase",
        points_passed=Decimal("120.50"),
        order_id="A-1001",
        extra_body={"source": "pos"},
        extra_query={"debug": 1},
        extra_headers={"x-request-id": "r1"},
    )
    redeemed: Transaction = client.points.redeem(user_email="a@example.com", redemption_id="g")
    deducted: Transaction = client.points.deduct(
        user_email="a@example.com", points_passed=50, reason="fraud"
    )
    returned: Transaction = client.returns.create(order_id="A-1001")
    client.points.award(user_email="a@example.com")  # type: ignore[call-arg]
    client.points.deduct(user_email="a@example.com", points_passed=50, reasons="x")  # type: ignore[call-arg]
    client.points.award("a@example.com", "signup")  # type: ignore[call-arg]
    del awarded, redeemed, deducted, returned


def listings(client: SyncShopSociallyClient) -> None:
    """Paginators iterate with ``for``; pages, first_page and collect keep their types."""
    pager: SyncPaginator[Transaction] = client.transactions.list(
        from_date=JAN, to_date=FEB, points_status=["approved"], start_index=100, prefetch=2
    )
    for tx in pager:
        tx_id: str | None = tx.id
        del tx_id
    with pager.pages() as pages:
        for page in pages:
            items: tuple[Transaction, ...] = page.items
            del items
    iterator: Iterator[Transaction] = iter(pager)
    blocking: BlockingIterator[Page[Transaction]] = pager.pages()
    first: Page[Transaction] = pager.first_page()
    some: list[Transaction] = pager.collect(limit=10)
    start: int = pager.start_index
    ahead: int = pager.prefetch
    one: Transaction = client.transactions.get("tx-1")
    members: SyncPaginator[User] = client.users.list(from_date=JAN, to_date=FEB, count=500)
    history: SyncPaginator[Transaction] = client.users.transactions(
        "a@example.com", from_date=JAN, to_date=FEB
    )
    client.transactions.list(from_date="2024-01-01", to_date=FEB)  # type: ignore[arg-type]
    del iterator, blocking, first, some, start, ahead, one, members, history


def members_and_catalog(client: SyncShopSociallyClient) -> None:
    """client.users, client.activities and client.redemptions."""
    created: User = client.users.create(first_name="A", last_name="L", email="a@x.com", uid="u")
    updated: User = client.users.update("u", loyalty_level_id="gold")
    fetched: User = client.users.get("a@example.com")
    activities: list[Activity] = client.activities.list()
    activity: Activity = client.activities.get("review")
    changed: Activity = client.activities.update("review", is_active=False)
    redemptions: list[Redemption] = client.redemptions.list()
    redemption: Redemption = client.redemptions.get("gift-10")
    renamed: Redemption = client.redemptions.update("gift-10", redemption_name="$10 card")
    del created, updated, fetched, activities, activity, changed, redemptions, redemption, renamed


def error_handling(client: SyncShopSociallyClient) -> None:
    """The same exception classes, plus the facade's misuse error."""
    try:
        client.points.award(user_email="a@example.com", activity_id="p", order_id="A-1")
    except errors.DuplicateOrderError as exc:
        replay: bool = exc.replay
        del replay
    except SyncUsageError as exc:
        base: errors.ShopSociallyError = exc
        runtime: RuntimeError = exc
        del base, runtime


def raw_responses(client: SyncShopSociallyClient) -> None:
    """client.with_raw_response: the blocking raw view, typed from the async methods."""
    raw: RawResponse[Transaction] = client.with_raw_response.points.award(
        user_email="a@example.com", activity_id="made_a_purchase", order_id="A-1"
    )
    tx: Transaction = raw.parse()
    retries: int = raw.retries
    member: RawResponse[User] = client.with_raw_response.users.get("a@example.com")
    listing: SyncRawPages[Transaction] = client.with_raw_response.transactions.list(
        from_date=JAN, to_date=FEB
    )
    with listing.pages() as pages:
        for page in pages:
            items: tuple[Transaction, ...] = page.parse().items
            del items
    first: RawResponse[Page[Transaction]] = listing.first_page()
    client.with_raw_response.points.deduct(user_email="a@example.com")  # type: ignore[call-arg]
    hooked = SyncShopSociallyClient("p", "k", hooks=Hooks(after_call=print))
    del tx, retries, member, first, hooked
