"""Review finding: a body whose "success" says false (as a string or 0) passed as a success."""

from __future__ import annotations

import pytest

from shopsocially_async import errors
from tests.unit.scripted import Script, scripted_client, status

pytestmark = pytest.mark.anyio

EMAIL = "ann@example.com"


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"id": "t-1", "points": 5}, "success": "false"}',
        b'{"data": {"id": "t-1", "points": 5}, "success": "False"}',
        b'{"data": {"id": "t-1", "points": 5}, "success": 0}',
    ],
)
async def test_a_body_saying_success_false_is_never_a_success(body: bytes) -> None:
    """The API is sloppy with types; a "success" that says false must not pass as applied."""
    async with scripted_client(Script(status(200, body))) as client:
        with pytest.raises(errors.APIError):
            await client.points.deduct(user_email=EMAIL, points_passed=5, reason="x")


async def test_string_false_failure_envelope_maps_its_error_code() -> None:
    body = b'{"success": "false", "error_code": "INSUFFICIENT_REDEEMABLE_POINTS", "reason": "no"}'
    async with scripted_client(Script(status(200, body))) as client:
        with pytest.raises(errors.InsufficientPointsError) as caught:
            await client.points.deduct(user_email=EMAIL, points_passed=5, reason="x")
    assert caught.value.outcome_unknown is False
