"""``demo``: the library end to end on the embedded server.

The demo seeds a program, serves it on a loopback port (real sockets), injects faults, runs
bulk awards, redeems and returns, exports the ledger and the members, then reconciles:
every write the client reports was applied exactly once, every outcome-unknown write is
settled against the server's ledger, and every member's balance equals the ledger.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table

from .. import bulk
from .._client import ShopSociallyClient
from .._config import RetryPolicy
from ..models import Transaction
from ..testing import (
    ExactlyOnceReport,
    FakeShopSocially,
    Fault,
    Reported,
    WriteOutcome,
    check_exactly_once,
)
from . import _runtime as rt
from .progress import progress

OP_HEADER = "x-fake-op-id"  # the fake counts applied writes per value of this header
DEMO_RETRIES = RetryPolicy(max_retries=4, initial_delay=0.02, max_delay=0.2, max_retry_after=0.1)
#: Settling's grace in the demo: the embedded server ends a request when its answer is lost.
DEMO_GRACE = 0.2
DEMO_FAULTS = (
    Fault("rate_limit", route="POST /award", probability=0.03, retry_after=0.05),
    Fault("server_error", route="POST /award", probability=0.02),
    Fault("drop_after", route="POST /award", probability=0.004),
    Fault("rate_limit", route="POST /redeem", probability=0.05, retry_after=0.05),
)


@attrs.frozen
class DemoPlan:
    """How big the demo is."""

    members: int = 2000
    awards: int = 3000
    concurrency: int = 32
    max_retries: int = 4
    out_dir: Path | None = None
    seed: int = 7


@attrs.frozen
class Write:
    """One write the demo sent: its op id (for the server's books), kind and arguments."""

    op: str
    kind: str
    arguments: dict[str, Any]
    member: str | None = None  # a return's member (not sent): it lets the return be settled

    def settle_input(self) -> bulk.AwardInput | bulk.RedeemInput | bulk.ReturnInput:
        """The write as settling reads it."""
        if self.kind == "award":
            return bulk.AwardInput(**self.arguments)
        if self.kind == "redeem":
            return bulk.RedeemInput(**self.arguments)
        return bulk.ReturnInput(**self.arguments, user_email=self.member)


@attrs.define
class Outcomes:
    """What the client was told about every write, and what settling said of those whose
    answer was lost (by op id)."""

    results: list[bulk.BulkResult[Write, Transaction]] = attrs.field(factory=list)
    rows: list[tuple[str, bulk.RunCounters, Counter[bulk.Verdict]]] = attrs.field(factory=list)
    settled: dict[str, bulk.Verdict] = attrs.field(factory=dict)


async def run_demo(plan: DemoPlan) -> int:
    """Run the demo; print the summary; exit 0 when everything reconciles."""
    console = Console(highlight=False)
    started = time.monotonic()
    fake = FakeShopSocially(rng_seed=plan.seed).seed(
        members=plan.members, transactions=plan.members, rng_seed=plan.seed
    )
    out_dir = plan.out_dir or Path(tempfile.mkdtemp(prefix="shopsocially-demo-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    console.print(
        f"Embedded ShopSocially API: {plan.members} members, "
        f"{len(fake.ledger)} past transactions; faults armed on awards and redeems."
    )
    outcomes = Outcomes()
    async with fake.serve() as base_url:
        console.print(f"Serving on {base_url}\n")
        policy = attrs.evolve(DEMO_RETRIES, max_retries=plan.max_retries)
        async with ShopSociallyClient(
            fake.partner_id,
            fake.api_key,
            base_url=base_url,
            retry_policy=policy,
            transport="auto",
            max_connections=plan.concurrency,
        ) as client:
            for fault in DEMO_FAULTS:
                fake.inject(fault)
            await _writes(client, fake, plan, outcomes)
            fake.clear_faults()
            files = await _exports(client, out_dir, outcomes)
    checks = _reconcile(fake, outcomes, files)
    _print_summary(console, outcomes, checks, files, time.monotonic() - started)
    return rt.EXIT_OK if all(ok for ok, _ in checks) else rt.EXIT_ITEMS_FAILED


async def _writes(
    client: ShopSociallyClient, fake: FakeShopSocially, plan: DemoPlan, outcomes: Outcomes
) -> None:
    emails = [m.email for m in fake.members]
    awards = list(_award_writes(emails, plan.awards))
    await _run("award", client, awards, plan, outcomes)
    rich = [m.email for m in fake.members if m.available_points >= 600][: plan.awards // 10]
    redeems = [
        Write(f"redeem-{i}", "redeem", {"user_email": e, "redemption_id": "$5_gift_card"})
        for i, e in enumerate(rich)
    ]
    await _run("redeem", client, redeems, plan, outcomes)
    orders = [r.input for r in outcomes.results if r.ok and r.input.arguments.get("order_id")]
    returns = list(_return_writes(orders[: plan.awards // 15]))
    await _run("returns", client, returns, plan, outcomes)


def _award_writes(emails: list[str], count: int) -> Iterable[Write]:
    """Purchases, three in four with an order id (safe to retry), one in four without."""
    for i in range(count):
        arguments: dict[str, Any] = {
            "user_email": emails[(i * 7919) % len(emails)],
            "activity_id": "made_a_purchase",
            "points_passed": Decimal(20 + (i * 37) % 180),
        }
        if i % 4 != 3:
            arguments["order_id"] = f"demo-order-{i}"
        yield Write(f"award-{i}", "award", arguments)


def _return_writes(orders: list[Write]) -> Iterable[Write]:
    """Full returns of half the orders, partial returns of the other half."""
    for i, order in enumerate(orders):
        arguments: dict[str, Any] = {"order_id": order.arguments["order_id"]}
        if i % 2:
            arguments["returned_amount"] = order.arguments["points_passed"] / 2
        yield Write(f"return-{i}", "returns", arguments, order.arguments["user_email"])


async def _run(
    label: str, client: ShopSociallyClient, writes: list[Write], plan: DemoPlan, outcomes: Outcomes
) -> None:
    counters = bulk.RunCounters(total=len(writes))
    counted = bulk.counting_retries(client, counters)
    method: dict[str, Callable[..., Awaitable[Transaction]]] = {
        "award": counted.points.award,
        "redeem": counted.points.redeem,
        "returns": counted.returns.create,
    }

    async def send(write: Write) -> Transaction:
        return await method[write.kind](**write.arguments, extra_headers={OP_HEADER: write.op})

    async with (
        bulk.run_many(send, writes, concurrency=plan.concurrency, counters=counters) as run,
        progress(label, counters),
    ):
        results = [r async for r in run]
    outcomes.results.extend(results)
    verdicts = await _settle_lost_answers(client, results, counters, outcomes)
    outcomes.rows.append((label, counters, verdicts))


async def _settle_lost_answers(
    client: ShopSociallyClient,
    results: list[bulk.BulkResult[Write, Transaction]],
    counters: bulk.RunCounters,
    outcomes: Outcomes,
) -> Counter[bulk.Verdict]:
    """Settle the writes whose answer was lost by reading the ledger back (the demo's
    faults are all over once the call ends: a short grace will do); the verdicts."""
    lost = [r for r in results if r.outcome_unknown and r.started_at is not None]
    claimed = bulk.ClaimedIds()
    for done in outcomes.results:
        claimed.add_result(done, done.input.settle_input)
    writes = [
        bulk.InDoubtWrite(input=r.input.settle_input(), sent_at=sent, failed_at=r.finished_at)
        for r in lost
        if (sent := r.started_at) is not None
    ]
    policy = bulk.SettlePolicy(grace=DEMO_GRACE)
    settlements = await bulk.settle(client, writes, claimed=claimed, policy=policy)
    for result, settled in zip(lost, settlements, strict=True):
        outcomes.settled[result.input.op] = settled.verdict
        counters.record_settlement(settled.verdict.value)
    return Counter(s.verdict for s in settlements)


async def _exports(client: ShopSociallyClient, out_dir: Path, outcomes: Outcomes) -> list[Path]:
    today = date.today()  # noqa: DTZ011 - the embedded server's clock is the wall clock
    since = today - timedelta(days=3 * 366)
    files = [out_dir / "transactions.jsonl", out_dir / "members.jsonl"]
    for label, path, export in (
        ("export ledger", files[0], bulk.export_transactions),
        ("export members", files[1], bulk.export_users),
    ):
        counters = bulk.RunCounters()
        async with progress(label, counters):
            await export(client, path, from_date=since, to_date=today, counters=counters)
        outcomes.rows.append((label, counters, Counter()))
    return files


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def _reconcile(
    fake: FakeShopSocially, outcomes: Outcomes, files: list[Path]
) -> list[tuple[bool, str]]:
    """Each check: (passed, what it says)."""
    writes = [WriteOutcome.of(r.input.op, r.error) for r in outcomes.results]
    report = check_exactly_once(fake, writes)
    return [
        _exactly_once(report),
        _unknowns(report, fake, outcomes),
        _balances(fake, files[1]),
        _export_complete(fake, outcomes, files[0]),
    ]


def _exactly_once(report: ExactlyOnceReport) -> tuple[bool, str]:
    """Every rule but the one about outcome-unknown writes (the next line's)."""
    wrong = [v for v in report.violations if v.reported is not Reported.OUTCOME_UNKNOWN]
    replays = report.counts.get(Reported.REPLAYED, 0)
    applied = report.counts.get(Reported.APPLIED, 0) + replays
    text = (
        f"{applied} writes reported applied were applied exactly once ({replays} retries "
        f"met their own earlier award); refused writes left no trace"
    )
    where = list(dict.fromkeys(v.op_id or v.message for v in wrong))
    return not wrong, text if not wrong else f"{len(where)} writes disagree: {where[:5]}"


def _unknowns(
    report: ExactlyOnceReport, fake: FakeShopSocially, outcomes: Outcomes
) -> tuple[bool, str]:
    """The writes whose answer was lost: settled from the ledger, checked against the
    server's own books (and none of them sent twice)."""
    twice = [v for v in report.violations if v.reported is Reported.OUTCOME_UNKNOWN]
    applied_ops = fake.stats.applied_ops
    said = {verdict: [op for op, v in outcomes.settled.items() if v is verdict]
            for verdict in bulk.Verdict}  # fmt: skip
    wrong = [op for op in said[bulk.Verdict.APPLIED] if applied_ops[op] != 1]
    wrong += [op for op in said[bulk.Verdict.NOT_APPLIED] if applied_ops[op]]
    ambiguous = len(said[bulk.Verdict.AMBIGUOUS])
    text = (
        f"{len(outcomes.settled)} writes lost their answer; reading the ledger back settled "
        f"them: {len(said[bulk.Verdict.APPLIED])} applied, "
        f"{len(said[bulk.Verdict.NOT_APPLIED])} not applied"
        + (f", {ambiguous} ambiguous" if ambiguous else "")
        + f"; the server's books agree with {len(outcomes.settled) - len(wrong)} of them; "
        "none was sent twice"
    )
    return not twice and not wrong, text


def _balances(fake: FakeShopSocially, members_file: Path) -> tuple[bool, str]:
    exported = _read_jsonl(members_file)
    wrong = [
        m["user_email"]
        for m in exported
        if m["available_points"] != fake.ledger_balance(m["user_email"])
    ]
    complete = len(exported) == len(fake.members)
    return (
        not wrong and complete,
        f"{len(exported)} member balances read through the API equal the ledger"
        if not wrong
        else f"{len(wrong)} balances differ from the ledger: {wrong[:5]}",
    )


def _export_complete(fake: FakeShopSocially, outcomes: Outcomes, path: Path) -> tuple[bool, str]:
    ids = [row["id"] for row in _read_jsonl(path)]
    ledger = {t.id for t in fake.ledger}
    reported = {r.value.id for r in outcomes.results if r.value is not None}
    ok = len(ids) == len(set(ids)) == len(ledger) and set(ids) == ledger and reported <= ledger
    return ok, f"the export holds every ledger transaction exactly once ({len(ids)} records)"


def _print_summary(
    console: Console,
    outcomes: Outcomes,
    checks: list[tuple[bool, str]],
    files: list[Path],
    elapsed: float,
) -> None:
    table = Table(title="shopsocially-async demo", title_justify="left")
    columns = ("step", "items", "ok", "failed", "answer lost", "retries", "req/s", "s")
    for column in columns:
        table.add_column(column, justify="left" if column == "step" else "right")
    for label, c, verdicts in outcomes.rows:
        table.add_row(
            label,
            str(c.processed),
            str(c.succeeded),
            str(c.failed),
            _settled_cell(verdicts),
            str(c.retries),
            f"{c.requests / c.elapsed:.0f}",
            f"{c.elapsed:.1f}",
        )
    console.print()
    console.print(table)
    for ok, text in checks:
        console.print(("[green]✓[/] " if ok else "[red]✗[/] ") + text)
    console.print(f"\nExported to {files[0]} and {files[1]}")
    console.print(
        f"Finished in {elapsed:.1f} s. Business refusals (e.g. insufficient points "
        "for a return) count as failed: they applied nothing, as checked above."
    )


def _settled_cell(verdicts: Counter[bulk.Verdict]) -> str:
    """``22: 3 applied`` (settled from the ledger: the rest did not apply, or stay
    ambiguous when said; ``ok`` and ``failed`` count them by their verdict)."""
    lost = sum(verdicts.values())
    if not lost:
        return "0"
    ambiguous = verdicts[bulk.Verdict.AMBIGUOUS]
    return f"{lost}: {verdicts[bulk.Verdict.APPLIED]} applied" + (
        f", {ambiguous} ambiguous" if ambiguous else ""
    )
