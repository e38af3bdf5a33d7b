"""``serve``: the embedded API in the foreground, with the faults and latency asked for."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from rich.console import Console

from ..testing import FakeShopSocially, Fault
from . import _runtime as rt


def serve_forever(
    host: str,
    port: int,
    members: int,
    transactions: int,
    seed: int,
    faults: Sequence[Fault] = (),
    *,
    rate_limit: int | None = None,
) -> None:
    """``serve``: seed, arm the faults, bind the port, print how to connect (only once the
    port is ours), then serve in the foreground until Ctrl-C; with a rate limit, say at the
    end how the traffic compared with it."""
    fake = FakeShopSocially(rng_seed=seed, rate_limit=rate_limit).seed(
        members=members, transactions=transactions, rng_seed=seed
    )
    for fault in faults:
        try:
            fake.inject(fault)
        except ValueError as exc:
            raise rt.CliError(f"--fault/--latency: {exc}") from None
    try:
        with contextlib.suppress(KeyboardInterrupt):
            fake.run_forever(
                host=host, port=port, log_level="warning", on_bound=lambda url: _banner(fake, url)
            )
    except OSError as exc:
        raise rt.CliError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; pass another --port "
            "(0 picks a free one)"
        ) from None
    if rate_limit is not None:
        Console(highlight=False, soft_wrap=True).print(
            f"{len(fake.arrivals)} requests, {len(fake.throttled)} answered 429; the busiest "
            f"1-second window held {fake.busiest_window()} (limit {rate_limit})",
            markup=False,
        )


def _rate_limit_line(rate_limit: int | None) -> list[str]:
    if rate_limit is None:
        return []
    return [f"Account rate limit: {rate_limit} requests/s (beyond it: 429 RATE_LIMIT_EXCEEDED)"]


def describe_fault(fault: Fault) -> str:
    """``drop_after on POST /deduct, the first 3 requests`` (what ``serve`` armed)."""
    what = f"{fault.latency:g} s latency" if fault.kind == "latency" else fault.kind
    times = "every request" if fault.times is None else f"the first {fault.times} requests"
    if fault.times == 1:
        times = "the first request"
    return f"{what} on {', '.join(fault.route)}, {times}"


def _banner(fake: FakeShopSocially, base_url: str) -> None:
    members = fake.members
    lines = [
        f"Embedded ShopSocially API with {len(members)} members on {base_url}",
        f"  export SHOPSOCIALLY_BASE_URL={base_url}",
        f"  export SHOPSOCIALLY_PARTNER_ID={fake.partner_id}",
        f"  export SHOPSOCIALLY_API_KEY={fake.api_key}",
        *([f"  a member: {members[0].email}"] if members else []),
        f"  curl -H 'partner-id: {fake.partner_id}' -H 'api-key: {fake.api_key}' "
        f"{base_url}/activities",
        *(f"  fault: {describe_fault(f)}" for f in fake.faults),
        *_rate_limit_line(fake.rate_limit),
        "Ctrl-C stops it.",
    ]
    console = Console(highlight=False, soft_wrap=True)  # soft_wrap: no line is ever cut
    for line in lines:
        console.print(line, markup=False)
