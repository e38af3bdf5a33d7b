"""The write-ahead journal: its records, torn and damaged files, the lock, the group commit."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from shopsocially_async.cli import journal as jn
from shopsocially_async.cli.journal import (
    GroupCommit,
    JournalDamaged,
    JournalFile,
    JournalLocked,
    decode,
    encode,
)

SENT = {"t": "sent", "k": "abc:0", "line": 2, "at": 1.5, "row": {"reason": 'é,\n"x"'}}


def test_a_record_is_one_checked_line() -> None:
    """A record is CRC, space, ASCII JSON, newline; any changed byte makes it unreadable."""
    line = encode(SENT)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert line.isascii()
    assert decode(line) == SENT
    flipped = line.replace(b'"line":2', b'"line":3')
    assert decode(flipped) is None
    assert decode(line[:-1]) is None  # torn: no newline
    assert decode(b"\x00" * 40 + b"\n") is None


def _journal_bytes(*records: dict[str, Any]) -> bytes:
    return b"".join(encode(r) for r in records)


HEADER = {"t": "journal", "v": 1, "at": 1.0, "command": "deduct", "options": {}}


def _done(key: str, outcome: str = "applied", **fields: Any) -> dict[str, Any]:
    return {"t": "done", "k": key, "at": 2.0, "outcome": outcome, **fields}


def _sent(key: str, line: int) -> dict[str, Any]:
    return {"t": "sent", "k": key, "line": line, "at": 1.5, "row": {"reason": key}}


def _open(path: Path) -> JournalFile:
    return JournalFile(path, fsync=False).open()


def test_a_torn_last_record_is_ignored_and_cut_off(tmp_path: Path) -> None:
    """kill -9 mid-write: the torn record is dropped, and the next append starts clean."""
    path = tmp_path / "j"
    intact = _journal_bytes(HEADER, _sent("a:0", 2), _done("a:0", id="t1"), _sent("b:0", 3))
    path.write_bytes(intact + encode(_done("b:0"))[:-9])
    journal = _open(path)
    assert path.stat().st_size == len(intact)
    assert (journal.state.done, set(journal.state.sending)) == ({"a:0"}, {"b:0"})
    assert "t1" in journal.state.claimed
    journal.record(_done("b:0", outcome="failed", code="X", msg="no"))
    journal.close()
    again = _open(path)
    assert again.state.done == {"a:0", "b:0"}
    assert again.state.failures["b:0"].line == 3
    again.close()


def test_a_garbage_tail_is_a_torn_tail(tmp_path: Path) -> None:
    """Zeros or damaged records up to the end (a power cut's leftovers) are not corruption."""
    path = tmp_path / "j"
    intact = _journal_bytes(HEADER, _sent("a:0", 2))
    path.write_bytes(intact + b"\x00" * 100 + b"\n" + b"0000 {}\n")
    journal = _open(path)
    assert set(journal.state.sending) == {"a:0"}
    assert path.stat().st_size == len(intact)
    journal.close()


def test_a_damaged_record_followed_by_intact_ones_is_corruption(tmp_path: Path) -> None:
    """Damage in the middle cannot be a crash: JournalDamaged names the record."""
    path = tmp_path / "j"
    second = encode(_sent("a:0", 2)).replace(b'"line":2', b'"line":9')
    path.write_bytes(encode(HEADER) + second + encode(_sent("b:0", 3)))
    with pytest.raises(JournalDamaged, match=r"record 2 \(byte \d+\) is damaged"):
        _open(path)


def test_settlements_fold_into_the_state(tmp_path: Path) -> None:
    """unknown waits for settling; resend reopens a row; ambiguous is a failure in doubt."""
    path = tmp_path / "j"
    path.write_bytes(
        _journal_bytes(
            HEADER,
            _sent("a:0", 2),
            _done("a:0", "unknown", code="ServerError", msg="500"),
            _sent("b:0", 3),
            _done("b:0", "resend"),
            _sent("c:0", 4),
            _done("c:0", "ambiguous", code="X", msg="m", candidates=["t1", "t2"]),
        )
    )
    state = _open(path).state
    assert set(state.unknown) == {"a:0"}
    assert state.unknown["a:0"].failed_at == 2.0
    assert [state.is_open(k) for k in ("a:0", "b:0", "c:0")] == [False, True, False]
    assert state.failures["c:0"].candidates == ("t1", "t2")
    assert state.failures["c:0"].unknown is True


def test_one_run_per_journal(tmp_path: Path) -> None:
    """A second open of a journal in use is refused: two runs would send rows twice."""
    first = _open(tmp_path / "j")
    try:
        with pytest.raises(JournalLocked, match="another run is using"):
            _open(tmp_path / "j")
    finally:
        first.close()
    _open(tmp_path / "j").close()  # released with the file


@pytest.mark.anyio
async def test_group_commit_covers_every_waiter_with_few_fsyncs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 senders at once: each returns only once an fsync covering its record finished,
    and the fsyncs are batched (far fewer than records)."""
    fd = os.open(tmp_path / "j", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    commits = GroupCommit(fd)
    covered: list[int] = []  # records appended when each finished fsync began
    lock = threading.Lock()

    def slow_fsync(_: int) -> None:
        with lock:
            start = commits._appended
        time.sleep(0.01)
        covered.append(start)

    monkeypatch.setattr(jn.os, "fsync", slow_fsync)

    async def sender(i: int) -> None:
        await anyio.sleep(i % 7 * 0.002)
        sequence = commits.append(_sent(f"k{i}:0", i))
        await commits.durable(sequence)
        assert any(done >= sequence for done in covered)

    async with anyio.create_task_group() as tasks:
        for i in range(64):
            tasks.start_soon(sender, i)
    os.close(fd)
    assert 1 <= len(covered) <= 16
    assert len((tmp_path / "j").read_bytes().splitlines()) == 64


def test_a_row_in_doubt_was_on_its_way_until_its_runs_deadline() -> None:
    """Never answered: its send plus the deadline its run recorded. From a journal that
    kept none, the library's default deadline (60 s) at least, whatever the resuming run's
    --timeout says; answered "unknown": when its call ended."""
    assert jn.Pending(2, {}, sent_at=1000.0, deadline=12.0).last_on_its_way(5.0) == 1012.0
    assert jn.Pending(2, {}, sent_at=1000.0).last_on_its_way(5.0) == 1060.0
    assert jn.Pending(2, {}, sent_at=1000.0).last_on_its_way(90.0) == 1090.0
    ended = jn.Pending(2, {}, sent_at=1000.0, failed_at=1003.0, deadline=12.0)
    assert ended.last_on_its_way(5.0) == 1003.0
