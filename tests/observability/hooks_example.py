"""Hooks: count attempts per route and outcome, and list writes whose outcome is unknown."""

from collections import Counter

import pytest

from shopsocially_async import (
    AttemptResult,
    CallResult,
    Hooks,
    RetryPolicy,
    ShopSociallyClient,
    errors,
)
from shopsocially_async.testing import FakeShopSocially, Fault

pytestmark = pytest.mark.anyio


class LoyaltyMetrics:
    """Plain functions, called inline: keep them quick (a failing one is logged, not raised)."""

    def __init__(self) -> None:
        self.attempts: Counter[tuple[str, object]] = Counter()
        self.unknown: list[str] = []

    def after_attempt(self, attempt: AttemptResult) -> None:
        outcome = attempt.status_code if attempt.ok else attempt.error.__name__
        self.attempts[attempt.call.route, outcome] += 1  # a route template: never an email

    def after_call(self, call: CallResult) -> None:
        if call.outcome_unknown:  # a write that may have applied: reconcile it
            self.unknown.append(call.call.route)

    def hooks(self) -> Hooks:
        return Hooks(after_attempt=self.after_attempt, after_call=self.after_call)


async def test_metrics_from_hooks(shopsocially_fake: FakeShopSocially) -> None:
    shopsocially_fake.add_member("bob@example.com", available_points=100)
    shopsocially_fake.add_activity("made_a_purchase", "bonus_multiplier", bonus_multiplier=2)
    shopsocially_fake.inject(Fault("rate_limit", route="POST /award", times=1, retry_after=0))
    shopsocially_fake.inject(Fault("drop_after", route="POST /deduct", times=1))
    metrics = LoyaltyMetrics()
    async with ShopSociallyClient(
        shopsocially_fake.partner_id,
        shopsocially_fake.api_key,
        base_url=shopsocially_fake.base_url_for_asgi,
        transport=shopsocially_fake.asgi_transport(),
        retry_policy=RetryPolicy(initial_delay=0, max_delay=0),
        hooks=metrics.hooks(),
    ) as client:
        await client.points.award(
            user_email="bob@example.com",
            activity_id="made_a_purchase",
            points_passed=60,
            order_id="A-1",
        )
        with pytest.raises(errors.APIConnectionError):  # applied, then the connection dropped
            await client.points.deduct(user_email="bob@example.com", points_passed=5, reason="x")
    assert metrics.attempts == Counter(
        {
            ("POST /award", "RateLimitError"): 1,
            ("POST /award", 200): 1,
            ("POST /deduct", "APIConnectionError"): 1,
        }
    )
    assert metrics.unknown == ["POST /deduct"]
