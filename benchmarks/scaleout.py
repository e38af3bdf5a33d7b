"""Benchmark 8: a bulk run scaled out on Temporal, one worker killed with SIGKILL mid-run.

Three ``shopsocially-async worker`` processes share the account's limit through Redis and
run 3,000 deducts (chunks of 200) against the embedded API limited to 100 requests/s; once
40% of the rows are done, the worker running the most chunks is killed with SIGKILL. The
harness is ``shopsocially_async.cli.scaleout`` (the one ``demo --workers`` and the kill test
use): every row's recorded outcome is compared with the server's ledger afterwards.
"""

from __future__ import annotations

import anyio

from shopsocially_async.cli.scaleout import ScaleOutcome, ScalePlan, run_scale
from shopsocially_async.distributed import DEFAULT_HEADROOM

from ._common import Section, table

WORKERS, LIMIT = 3, 100


def run(*, quick: bool = False) -> Section:
    rows = 300 if quick else 3000
    plan = ScalePlan(workers=WORKERS, rows=rows, rate_limit=LIMIT, chunk_size=200, concurrency=16)
    outcome = anyio.run(run_scale, plan, lambda _: None)
    section = Section("8. Scaled out on Temporal: a worker killed with SIGKILL mid-run")
    _describe(section, outcome)
    _judge(section, outcome)
    return section


def _describe(section: Section, o: ScaleOutcome) -> None:
    paced = LIMIT * DEFAULT_HEADROOM
    section.lines += [
        f"{WORKERS} worker processes, {o.plan.rows:,} deducts in chunks of "
        f"{o.plan.chunk_size}, the embedded API limited to {LIMIT} requests/s (the workers "
        f"pace at {DEFAULT_HEADROOM:.0%} of it through Redis: {paced:g}/s); heartbeat "
        f"timeout {o.plan.heartbeat_timeout:g} s, settle grace {o.plan.settle_grace:g} s, "
        f"request timeout {o.plan.request_timeout:g} s. The worker running the most chunks "
        f"was killed with SIGKILL {o.killed_at or 0:.1f} s after submission. *ideal* is "
        "n ÷ the account's limit; *paced ideal* n ÷ the paced rate.",
        "",
        *table(
            [
                "rows",
                "applied",
                "failed",
                "ambiguous",
                "applied twice",
                "lost or wrong",
                "settled",
                "busiest 1 s",
                "429s",
                "wall s",
                "ideal s",
                "paced ideal s",
            ],
            [
                [
                    f"{o.plan.rows:,}",
                    str(o.applied),
                    str(o.failed),
                    str(o.ambiguous),
                    str(len(o.applied_twice)),
                    str(len(o.lost)),
                    str(o.settled),
                    str(o.busiest),
                    str(o.throttled),
                    f"{o.elapsed:.1f}",
                    f"{o.ideal:.1f}",
                    f"{o.plan.rows / paced:.1f}",
                ]
            ],
        ),
    ]


def _judge(section: Section, o: ScaleOutcome) -> None:
    section.target(
        "scale-out kill: zero applied twice, zero lost",
        not o.applied_twice and not o.lost,
        f"{len(o.applied_twice)} applied twice, {len(o.lost)} lost or wrong",
    )
    section.target(
        "scale-out kill: every row accounted for",
        o.accounted == o.plan.rows,
        f"{o.applied} applied + {o.failed} failed + {o.ambiguous} ambiguous of {o.plan.rows}",
    )
    section.target(
        "scale-out kill: wall time vs ideal n ÷ rate (reported)",
        True,
        f"{o.elapsed:.1f} s vs {o.ideal:.1f} s ({o.elapsed / o.ideal:.2f}x)",
    )
