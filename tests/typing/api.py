"""Typed usage of the public API: checked by ``mypy --strict``, never run by pytest.

Every public method appears with an explicitly annotated result, so a change to a
signature or a return type that would break users' type-checked code breaks this file.
"""

from __future__ import annotations

from collections.abc import Generator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import httpx

import shopsocially_async
from shopsocially_async import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Activity,
    AsyncPaginator,
    AttemptInfo,
    AttemptResult,
    CallInfo,
    CallResult,
    ExpirationScheduleEntry,
    Headers,
    Hooks,
    LastAwardTransaction,
    Page,
    RawPages,
    RawResponse,
    Redemption,
    RequestInfo,
    ResponseInfo,
    RetryEvent,
    RetryInfo,
    RetryPolicy,
    ShopSociallyClient,
    Timeout,
    Transaction,
    User,
    bulk,
    errors,
    parse_retry_after,
)
from shopsocially_async.otel import otel_hooks

JAN = date(2024, 1, 1)
FEB = date(2024, 2, 1)


def construct() -> list[ShopSociallyClient]:
    """Every documented way to build a client."""

    def count_retry(event: RetryEvent) -> None:
        route: str = event.route
        attempt: int = event.attempt
        delay: float = event.delay
        error: BaseException = event.error
        del route, attempt, delay, error

    class Bearer(httpx.Auth):
        def auth_flow(
            self, request: httpx.Request
        ) -> Generator[httpx.Request, httpx.Response, None]:
            request.headers["Authorization"] = "Bearer t"
            yield request

    policy = RetryPolicy(
        max_retries=3, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0, on_retry=count_retry
    )
    return [
        ShopSociallyClient(),
        ShopSociallyClient("partner", "key"),
        ShopSociallyClient(
            partner_id="partner",
            api_key="key",
            base_url=DEFAULT_BASE_URL,
            timeout=10.0,
            max_retries=DEFAULT_MAX_RETRIES,
            retry_policy=policy,
            body_encoding="form",
            max_connections=64,
        ),
        ShopSociallyClient(timeout=DEFAULT_TIMEOUT, auth=Bearer()),
        ShopSociallyClient("p", "k", transport=httpx.MockTransport(lambda r: httpx.Response(200))),
        ShopSociallyClient("p", "k", http_client=httpx.AsyncClient()),
    ]


async def lifecycle() -> None:
    """Context manager, properties, with_options, aclose."""
    async with ShopSociallyClient("p", "k") as client:
        copy: ShopSociallyClient = client.with_options(max_retries=0, timeout=Timeout(5.0))
        copy2: ShopSociallyClient = client.with_options(retry_policy=RetryPolicy(), timeout=3)
        copy3: ShopSociallyClient = client.with_options(deadline=None)
        base_url: str = client.base_url
        retries: int = client.max_retries
        timeout: Timeout = client.timeout
        deadline: float | None = client.deadline
        engine: str = client.engine
        closed: bool = client.is_closed
        await copy.aclose()
        await copy2.aclose()
        await copy3.aclose()
        del base_url, retries, timeout, deadline, engine, closed


def engines_and_auth() -> list[ShopSociallyClient]:
    """Every engine by name; a header function as auth (sync or async)."""

    async def token_headers(request: RequestInfo) -> dict[str, str]:
        return {"Authorization": f"Bearer {request.route}"}

    return [
        ShopSociallyClient("p", "k", transport="httpx"),
        ShopSociallyClient("p", "k", transport="aiohttp"),
        ShopSociallyClient("p", "k", transport="pyqwest"),
        ShopSociallyClient("p", "k", transport="auto", deadline=30, max_response_bytes=2**20),
        ShopSociallyClient(auth=lambda request: {"Authorization": "Bearer t"}),
        ShopSociallyClient(auth=token_headers, log_paths=True),
    ]


async def points(client: ShopSociallyClient) -> None:
    """client.points and client.returns."""
    awarded: Transaction = await client.points.award(
        user_email="a@example.com",
        activity_id="made_a_purchase",
        points_passed=Decimal("120.50"),
        order_id="A-1001",
        extra_body={"source": "pos"},
        extra_query={"debug": 1},
        extra_headers={"x-request-id": "r1"},
    )
    plain: Transaction = await client.points.award(user_email="a@example.com", activity_id="review")
    redeemed: Transaction = await client.points.redeem(
        user_email="a@example.com", redemption_id="gift-10"
    )
    deducted: Transaction = await client.points.deduct(
        user_email="a@example.com", points_passed=50, reason="fraud"
    )
    returned: Transaction = await client.returns.create(order_id="A-1001")
    partial: Transaction = await client.returns.create(order_id="A-1001", returned_amount=19.99)
    units: Transaction = await client.returns.create(
        order_id="A-1001", returned_product_id="sku-1", quantity=2
    )
    first_name: str | None = units.first_name
    await client.returns.create(order_id="A-1", returned_product_id="s", quantity=1.5)  # type: ignore[arg-type]
    points_now: int | None = deducted.available_points
    coupon: str | None = redeemed.coupon_code
    del awarded, plain, returned, partial, units, first_name, points_now, coupon


async def transactions(client: ShopSociallyClient) -> None:
    """client.transactions and paginators."""
    pager: AsyncPaginator[Transaction] = client.transactions.list(
        from_date=JAN, to_date=FEB, points_status=["approved", "auto_approved"], start_index=100
    )
    one_status: AsyncPaginator[Transaction] = client.transactions.list(
        from_date=JAN, to_date=FEB, points_status="pending"
    )
    async for tx in pager:
        tx_id: str | None = tx.id
        del tx_id
    async for page in one_status.pages():
        items: tuple[Transaction, ...] = page.items
        total: int | None = page.total
        cursor: int | None = page.next_start_index
        more: bool | None = page.more
        start: int = page.start_index
        del items, total, cursor, more, start
    first: Page[Transaction] = await pager.first_page()
    some: list[Transaction] = await pager.collect(limit=10)
    resume_from: int = pager.start_index
    fetched: Transaction = await client.transactions.get("tx-1")
    del first, some, resume_from, fetched


async def users(client: ShopSociallyClient) -> None:
    """client.users."""
    created: User = await client.users.create(
        first_name="Ann",
        last_name="Lee",
        email="a@example.com",
        uid="u1",
        gender="female",
        profile_image_url="https://example.com/a.png",
        loyalty_level_id="gold",
    )
    updated: User = await client.users.update("u1", loyalty_level_id="silver")
    fetched: User = await client.users.get("a@example.com")
    members: AsyncPaginator[User] = client.users.list(
        from_date=JAN, to_date=FEB, filter_by="last_activity_date", start_index=0, count=500
    )
    history: AsyncPaginator[Transaction] = client.users.transactions(
        "a@example.com", from_date=JAN, to_date=FEB, points_status=["expired"], start_index=0
    )
    schedule: tuple[ExpirationScheduleEntry, ...] = fetched.expiration_schedule
    last: LastAwardTransaction | None = fetched.last_award_transaction
    async for member in members:
        email: str | None = member.user_email
        del email
    del created, updated, history, schedule, last


async def configuration(client: ShopSociallyClient) -> None:
    """client.activities and client.redemptions."""
    activities: list[Activity] = await client.activities.list()
    activity: Activity = await client.activities.get("review")
    new_activity: Activity = await client.activities.create(
        activity_id="review",
        activity_name="Write a review",
        activity_description="Review a product",
        activity_type="fixed",
        max_award_frequency=1,
        max_award_frequency_interval="week",
        approval_method="immediate",
        points_per_activity=10,
    )
    changed: Activity = await client.activities.update("review", is_active=False)
    redemptions: list[Redemption] = await client.redemptions.list()
    redemption: Redemption = await client.redemptions.get("gift-10")
    new_redemption: Redemption = await client.redemptions.create(
        redemption_id="gift-10",
        redemption_name="$10 gift card",
        allowed_redeem_points=1000,
        redemption_value=Decimal("10"),
        giftcard_description="Ten dollars",
        terms_and_conds_text="One per order",
        giftcard_coupon_codes=["C1", "C2"],
        coupon_expiry=date(2030, 1, 31),
    )
    renamed: Redemption = await client.redemptions.update("gift-10", redemption_name="$10 card")
    value: Decimal | None = redemption.redemption_value
    del activities, activity, new_activity, changed, redemptions, new_redemption, renamed, value


async def undocumented_update_fields(client: ShopSociallyClient) -> None:
    """A field an update's table does not list is a type error (and InvalidArgumentError at
    run time); ``extra_body`` is the typed way to send one. Each ignore must stay needed."""
    await client.activities.update("review", activty_name="typo")  # type: ignore[call-arg]
    await client.redemptions.update("gift-10", colour="red")  # type: ignore[call-arg]
    await client.users.update("u1", first_name="Ann")  # type: ignore[call-arg]
    await client.activities.update("review", is_active="yes")  # type: ignore[arg-type]
    await client.users.update("u1", extra_body={"first_name": "Ann"})


async def error_handling(client: ShopSociallyClient) -> None:
    """The error attributes users branch on."""
    try:
        await client.points.award(user_email="a@example.com", activity_id="p", order_id="A-1")
    except errors.DuplicateOrderError as exc:
        replay: bool = exc.replay
        del replay
    except errors.RateLimitError as exc:
        wait: float | None = exc.retry_after
        del wait
    except errors.APIError as exc:
        status: int = exc.status_code
        code: str | None = exc.error_code
        message: str = exc.message
        response: ResponseInfo | None = exc.response
        headers: Headers | None = exc.headers
        del status, code, message, response, headers
    except errors.APIConnectionError as exc:
        sent: bool = exc.request_sent
        request: RequestInfo = exc.request
        url: str = exc.request.url
        del sent, request, url
    except errors.ResponseValidationError as exc:
        path: str | None = exc.path
        del path
    except errors.ShopSociallyError as exc:
        unknown: bool = exc.outcome_unknown
        del unknown
    invalid: type[ValueError] = errors.InvalidArgumentError
    config: type[ValueError] = errors.ConfigurationError
    closed: type[RuntimeError] = errors.ClientClosedError
    del invalid, config, closed


def module_level() -> None:
    """Top-level helpers and constants."""
    delay: float | None = parse_retry_after({"retry-after": "3"})
    version: str = shopsocially_async.__version__
    statuses: object = shopsocially_async.POINTS_STATUS_VALUES
    del delay, version, statuses


async def settling(client: ShopSociallyClient) -> None:
    """Settling writes whose outcome is unknown: in a bulk run, or on their own."""
    policy = bulk.SettlePolicy(clock_skew=timedelta(minutes=5), grace=2.5, concurrency=4)
    inputs = [bulk.DeductInput(user_email="bob@example.com", points_passed=5, reason="r#1")]
    async with bulk.deduct_many(client, inputs, settle=policy) as run:
        async for result in run:
            applied: bool | None = result.applied
            settlement: bulk.Settlement | None = result.settlement
            sent: datetime | None = result.started_at
            del applied, settlement, sent
    settled: int = run.counters.settled
    write = bulk.InDoubtWrite(
        input=bulk.ReturnInput(order_id="o-1", user_email="bob@example.com"),
        sent_at=datetime.now(timezone.utc),
    )
    claimed = bulk.ClaimedIds(["5f3c2a9e8b1d4c0012ab34cd"])
    for verdict in await bulk.settle(client, [write], claimed=claimed, policy=policy):
        kind: bulk.Verdict = verdict.verdict
        txn_id: str | None = verdict.transaction_id
        candidates: tuple[str, ...] = verdict.candidates
        del kind, txn_id, candidates
    del settled


async def raw_responses(client: ShopSociallyClient) -> None:
    """client.with_raw_response: the same arguments, a RawResponse of the plain result."""
    raw: RawResponse[Transaction] = await client.with_raw_response.points.award(
        user_email="a@example.com", activity_id="made_a_purchase", order_id="A-1"
    )
    status: int = raw.status_code
    headers: Headers = raw.headers
    content: bytes = raw.content
    text: str = raw.text
    retries: int = raw.retries
    elapsed: float = raw.elapsed
    request: RequestInfo = raw.request
    tx: Transaction = raw.parse()
    member: RawResponse[User] = await client.with_raw_response.users.get("a@example.com")
    listed: RawResponse[list[Activity]] = await client.with_raw_response.activities.list()
    pages: RawPages[Transaction] = client.with_raw_response.transactions.list(
        from_date=JAN, to_date=FEB, prefetch=2
    )
    async for page in pages.pages():
        items: tuple[Transaction, ...] = page.parse().items
        del items
    first: RawResponse[Page[User]] = await client.with_raw_response.users.list(
        from_date=JAN, to_date=FEB
    ).first_page()
    await client.with_raw_response.points.award(user_email="a@example.com")  # type: ignore[call-arg]
    wrong: RawResponse[User] = await client.with_raw_response.points.deduct(  # type: ignore[assignment]
        user_email="a@example.com", points_passed=5, reason="r"
    )
    del status, headers, content, text, retries, elapsed, request, tx, member, listed, first, wrong


def hooks() -> list[ShopSociallyClient]:
    """Hooks take plain functions of their events; otel_hooks() is a Hooks."""

    def before_call(call: CallInfo) -> None:
        route: str = call.route
        template: str = call.template
        path: str | None = call.path
        del route, template, path

    def before_attempt(attempt: AttemptInfo) -> None:
        number: int = attempt.attempt
        del number

    def after_attempt(result: AttemptResult) -> None:
        status: int | None = result.status_code
        error: type[BaseException] | None = result.error
        code: str | None = result.error_code
        unknown: bool = result.outcome_unknown
        elapsed: float = result.elapsed
        del status, error, code, unknown, elapsed

    def on_retry(retry: RetryInfo) -> None:
        delay: float = retry.delay
        del delay

    def after_call(result: CallResult) -> None:
        attempts: int = result.attempts
        ok: bool = result.ok
        del attempts, ok

    mine = Hooks(
        before_call=before_call,
        before_attempt=before_attempt,
        after_attempt=after_attempt,
        on_retry=on_retry,
        after_call=after_call,
    )
    Hooks(after_call=before_attempt)  # type: ignore[arg-type]
    return [
        ShopSociallyClient("p", "k", hooks=mine),
        ShopSociallyClient("p", "k", hooks=[otel_hooks(), mine]),
    ]
