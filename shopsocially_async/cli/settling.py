"""Settling rows in doubt for the commands: rows of a journal or a failures file, by cells."""

from __future__ import annotations

import contextlib
from collections.abc import Container, Mapping, Sequence
from datetime import datetime, timezone

import attrs

from .. import bulk
from .._client import ShopSociallyClient
from . import _runtime as rt
from .csvinput import input_record, row_from_cells
from .outputs import plural


@attrs.frozen
class Doubt:
    """A row that may have applied: its cells, when it was sent and when it was given up."""

    cells: dict[str, str]
    sent_at: datetime
    failed_at: datetime | None = None


def utc(seconds: float) -> datetime:
    """A journal time as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, timezone.utc)


async def settle_rows(
    client: ShopSociallyClient,
    kind: str,
    doubts: Sequence[Doubt],
    *,
    claimed: Container[str],
    policy: bulk.SettlePolicy,
    unidentified: Sequence[Mapping[str, str]] = (),
) -> list[bulk.Settlement | str]:
    """One settlement per row, in order, or a sentence saying why the row cannot be settled.
    ``unidentified`` are the cells of rows that applied without naming their transaction."""
    claimed = _with_unidentified(claimed, kind, unidentified)
    writes: list[bulk.InDoubtWrite] = []
    unreadable: dict[int, str] = {}
    for index, doubt in enumerate(doubts):
        try:
            row = row_from_cells(kind, doubt.cells)
            item = input_record(kind, row.settle_arguments)
        except ValueError as exc:
            unreadable[index] = f"the row cannot be read back: {exc}"
            continue
        writes.append(
            bulk.InDoubtWrite(input=item, sent_at=doubt.sent_at, failed_at=doubt.failed_at)
        )
    _say_wait(policy, writes)
    settled = iter(await bulk.settle(client, writes, claimed=claimed, policy=policy))
    return [unreadable[i] if i in unreadable else next(settled) for i in range(len(doubts))]


def _with_unidentified(
    claimed: Container[str], kind: str, unidentified: Sequence[Mapping[str, str]]
) -> Container[str]:
    if not unidentified:
        return claimed
    more = bulk.ClaimedIds()
    for cells in unidentified:
        with contextlib.suppress(ValueError):  # a row it cannot read claims nothing
            more.add_unidentified(input_record(kind, row_from_cells(kind, cells).settle_arguments))
    return _Either(claimed, more)


@attrs.frozen
class _Either(Container[str]):
    """Claimed by one or the other."""

    first: Container[str]
    second: Container[str]

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


def _say_wait(policy: bulk.SettlePolicy, writes: Sequence[bulk.InDoubtWrite]) -> None:
    ready = policy.ready_at(writes)
    wait = 0.0 if ready is None else (ready - datetime.now(timezone.utc)).total_seconds()
    members = len({w.user_email.lower() for w in writes if w.user_email})
    lead = f"settling {len(writes)} {plural(len(writes), 'row', 'rows')} in doubt: "
    if wait >= 1:
        lead += (
            f"waiting {wait:.0f} s for requests that may still land (until each call's "
            "deadline has passed, then --settle-grace), then "
        )
    ledgers = plural(members, "member's ledger", "members' ledgers")
    rt.say(f"{lead}reading {members} {ledgers} back")
