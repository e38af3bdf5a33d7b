"""The write-ahead journal of a bulk command: which rows were sent, and what came of each.

One record per line, ``CRC SP JSON LF``: the CRC-32 of the JSON text as 8 hex digits, so
every record is self-delimiting and checked on its own. Records (``"t"``):

``journal``  the first: command, options bound to the journal (base URL, partner, encoding)
``run``      a run started: its input file's path, size and SHA-256, its pid, and its
             client's call ``deadline`` (seconds: no attempt of a call it made outlives
             the call's send time plus this)
``sent``     a row is about to be sent: its key, line, cells and time. Written and fsynced
             *before* the request leaves (fsyncs are batched: a group commit that every
             sender of the batch awaits); written again before a row refused for the
             moment (HTTP 429) goes again
``done``     what came of a row: ``applied`` (``id``), ``failed`` (certainly not applied),
             ``unknown`` (may have applied), ``resend`` / ``ambiguous`` (settled by
             reading the ledger back; ``candidates``)
``complete`` the input was processed to the end

(Journals written before the run's ``deadline`` was recorded also hold ``tick`` records:
they are read past.)

Rows are keyed by content (a digest of the command and the row's cells, plus which
occurrence of that content it is), not by line number, so inserting a row does not shift
anything. A crash can tear the last record: it is ignored and cut off. A damaged record
followed by intact ones is real corruption: :class:`JournalDamaged`, never a guess.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import anyio
import anyio.lowlevel
import attrs

from .._config import DEFAULT_DEADLINE
from ..bulk import ClaimedIds

VERSION = 1
#: An fsync quicker than this runs in the event loop (see :class:`GroupCommit`).
INLINE_FSYNC_SECONDS = 0.002
_RECORD = re.compile(rb"([0-9a-f]{8}) (\{.*\})\n")


class JournalDamaged(Exception):
    """The journal is corrupt (not merely cut short by a crash); ``started_at`` is when its
    first run started, if its header could be read."""

    def __init__(self, message: str, started_at: float | None = None) -> None:
        super().__init__(message)
        self.started_at = started_at


class JournalLocked(Exception):
    """Another process is using the journal."""


def encode(record: dict[str, Any]) -> bytes:
    """One record as a line: CRC-32 of the JSON, a space, the JSON, a newline."""
    body = json.dumps(record, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    data = body.encode("ascii")
    return b"%08x %s\n" % (zlib.crc32(data), data)


def decode(line: bytes) -> dict[str, Any] | None:
    """The record of one line, or None when the line is damaged (or torn)."""
    found = _RECORD.fullmatch(line)
    if found is None or int(found[1], 16) != zlib.crc32(found[2]):
        return None
    try:
        record = json.loads(found[2])
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("t"), str) else None


@attrs.define
class Pending:
    """A row whose outcome is not known: sent and never answered, or answered "unknown"."""

    line: int
    cells: dict[str, str]
    sent_at: float
    failed_at: float | None = None
    code: str = "INTERRUPTED"
    message: str = "interrupted in flight; may have been applied"
    #: The call deadline of the run that sent it (None: a journal from before it was kept).
    deadline: float | None = None

    def last_on_its_way(self, fallback_deadline: float) -> float:
        """When the row's request was last possibly on its way: when its call ended, or
        (never answered: the run was stopped or killed) its send plus its run's deadline,
        which bounds every attempt of the call whether or not the run lived that long."""
        if self.failed_at is not None:
            return self.failed_at
        if self.deadline is None:
            # Runs that kept no deadline called with the library's default one, whatever
            # the run resuming them is told.
            return self.sent_at + max(fallback_deadline, DEFAULT_DEADLINE)
        return self.sent_at + self.deadline


@attrs.define
class Failure:
    """A row that did not apply (``unknown=False``) or may have (``unknown=True``)."""

    line: int
    cells: dict[str, str]
    code: str
    message: str
    unknown: bool
    sent_at: float | None
    candidates: tuple[str, ...] = ()


@attrs.define
class JournalState:
    """What the journal says, folded record by record (memory: about 100 bytes per row)."""

    header: dict[str, Any] | None = None
    last_input: dict[str, Any] | None = None
    run_deadline: float | None = None
    complete: dict[str, Any] | None = None
    last_at: float = 0.0
    done: set[str] = attrs.field(factory=set)
    claimed: ClaimedIds = attrs.field(factory=ClaimedIds)
    #: The cells of rows that applied without naming their transaction (product returns).
    unidentified: list[dict[str, str]] = attrs.field(factory=list)
    sending: dict[str, Pending] = attrs.field(factory=dict)
    unknown: dict[str, Pending] = attrs.field(factory=dict)
    failures: dict[str, Failure] = attrs.field(factory=dict)
    applied: int = 0
    started: bool = False

    def apply(self, record: dict[str, Any]) -> None:
        """Fold one record in."""
        kind = record["t"]
        self.last_at = max(self.last_at, float(record.get("at", 0.0)))
        if kind == "journal":
            self.header = record
        elif kind == "run":
            self.last_input, self.complete = record.get("input"), None
            self.run_deadline = record.get("deadline")
        elif kind == "complete":
            self.complete = record
        elif kind == "sent":
            self.started, key = True, record["k"]
            self.sending[key] = Pending(
                record["line"], record["row"], record["at"], deadline=self.run_deadline
            )
        elif kind == "done":
            self._done(record)

    def _done(self, record: dict[str, Any]) -> None:
        key, outcome = record["k"], record["outcome"]
        pending = self.sending.pop(key, None) or self.unknown.pop(key, None)
        if pending is None:
            return  # a row settled twice (a resume racing nothing): the first word stands
        if outcome == "unknown":
            self.unknown[key] = attrs.evolve(
                pending, failed_at=record["at"], code=record["code"], message=record["msg"]
            )
            return
        if outcome == "resend":
            return  # settled not applied after an interruption: the row is to do again
        self.done.add(key)
        if outcome == "applied":
            self.applied += 1
            if record.get("id"):
                self.claimed.add(record["id"])
            else:
                self.unidentified.append(pending.cells)
            return
        self.failures[key] = Failure(
            pending.line,
            pending.cells,
            record["code"],
            record["msg"],
            outcome == "ambiguous",
            pending.sent_at,
            tuple(record.get("candidates", ())),
        )

    def is_open(self, key: str) -> bool:
        """Whether the row still needs sending (not done, not waiting to be settled)."""
        return key not in self.done and key not in self.sending and key not in self.unknown

    def may_have_applied(self, key: str) -> bool:
        """Whether the row applied or may have: applied, in doubt, or settled ambiguous."""
        if key in self.sending or key in self.unknown:
            return True
        failure = self.failures.get(key)
        return key in self.done and (failure is None or failure.unknown)

    @property
    def failed_rows(self) -> int:
        """Rows that did not apply or may have (the failures file's rows)."""
        return len(self.failures) + len(self.sending) + len(self.unknown)


def records(handle: IO[bytes]) -> Iterator[tuple[int, int, bytes, dict[str, Any] | None]]:
    """Every line of a journal from its start: its number, byte offset, bytes and record
    (None when damaged or torn)."""
    handle.seek(0)
    offset = 0
    for number, line in enumerate(iter(handle.readline, b""), start=1):
        yield number, offset, line, decode(line)
        offset += len(line)


def load(handle: IO[bytes]) -> tuple[JournalState, int]:
    """Fold every record of an open journal; returns the state and the size of its intact
    part (a torn or damaged tail is left out). Raises :class:`JournalDamaged` when a
    damaged record is followed by an intact one."""
    state, good_size, damage = JournalState(), 0, None
    for number, offset, line, record in records(handle):
        if record is None:
            damage = damage or (number, offset)
        elif damage is not None:
            started = None if state.header is None else state.header.get("at")
            raise JournalDamaged(f"record {damage[0]} (byte {damage[1]}) is damaged", started)
        else:
            state.apply(record)
            good_size = offset + len(line)
    return state, good_size


class GroupCommit:
    """Appends records to the journal's file and makes them durable in batches.

    :meth:`append` writes at once (``os.write``: the record survives the process being
    killed). :meth:`durable` returns once everything appended before the call is fsynced:
    the first waiter lets the other ready senders append theirs, then starts an fsync
    covering every record appended so far; the others wait for it, or for the next one if
    they came after it started. One fsync per batch, not per record.

    A fast fsync (a disk with a write cache: well under a millisecond) runs in the event
    loop: a worker thread would cost more, its hand-back waiting for the GIL behind a busy
    loop. A slow one (over :data:`INLINE_FSYNC_SECONDS`) runs in a worker thread, so the
    loop keeps serving the calls in flight. ``fsync=False`` skips them (for measuring).
    """

    def __init__(self, fd: int, *, fsync: bool = True) -> None:
        self._fd = fd
        self._fsync = fsync
        self._appended = 0
        self._synced = 0
        self._syncing: anyio.Event | None = None
        self._last_fsync = 0.0  # seconds the last fsync itself took

    def append(self, record: dict[str, Any]) -> int:
        """Write one record; returns its sequence number."""
        data = encode(record)
        while data:
            data = data[os.write(self._fd, data) :]
        self._appended += 1
        return self._appended

    async def durable(self, upto: int | None = None) -> None:
        """Wait until the records up to ``upto`` (default: all so far) are on disk."""
        target = self._appended if upto is None else upto
        while self._synced < target:
            if self._syncing is not None:
                await self._syncing.wait()
                continue
            self._syncing = anyio.Event()
            try:
                await anyio.lowlevel.checkpoint()  # the other ready senders join the batch
                covered = self._appended
                await self._sync()
                self._synced = max(self._synced, covered)
            finally:
                self._syncing.set()
                self._syncing = None

    async def _sync(self) -> None:
        if not self._fsync:
            return
        if self._last_fsync <= INLINE_FSYNC_SECONDS:
            self._last_fsync = _timed_fsync(self._fd)
        else:
            self._last_fsync = await anyio.to_thread.run_sync(_timed_fsync, self._fd)


def _timed_fsync(fd: int) -> float:
    started = time.perf_counter()
    os.fsync(fd)
    return time.perf_counter() - started


class JournalFile:
    """The journal file, open and locked for one run (a context manager)."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self._fsync = fsync
        self._fd = -1
        self.state = JournalState()
        self.fresh = True
        self._commits: GroupCommit | None = None

    def open(self, *, create: bool = True) -> JournalFile:
        """Open (creating it unless ``create`` is false: FileNotFoundError), lock, and read
        it; cut a torn tail off. Created readable by its owner only: it holds members'
        emails."""
        flags = os.O_RDWR | os.O_APPEND | (os.O_CREAT if create else 0)
        self._fd = os.open(self.path, flags, 0o600)
        try:
            _lock(self._fd, self.path)
            with os.fdopen(os.dup(self._fd), "rb") as handle:
                self.state, good_size = load(handle)
            if os.fstat(self._fd).st_size != good_size:
                os.truncate(self._fd, good_size)  # a record torn by a crash
        except BaseException:
            self.close()
            raise
        self.fresh = self.state.header is None
        self._commits = GroupCommit(self._fd, fsync=self._fsync)
        return self

    def restart(self) -> None:
        """Forget a journal that never got as far as sending a row: nothing to resume."""
        os.truncate(self._fd, 0)
        self.state, self.fresh = JournalState(), True

    def start(self, header: dict[str, Any], run: dict[str, Any]) -> None:
        """Write the header (a fresh journal) and the run's record, durably (synchronous)."""
        if self.fresh:
            self.record({"t": "journal", "v": VERSION, "at": now(), **header})
        self.record({"t": "run", "at": now(), "pid": os.getpid(), **run})
        if self._fsync:
            os.fsync(self._fd)
            _fsync_directory(self.path)

    @property
    def commits(self) -> GroupCommit:
        """The open journal's writer."""
        assert self._commits is not None, "the journal is not open"
        return self._commits

    def record(self, record: dict[str, Any]) -> int:
        """Append a record (at once, fsynced later) and fold it into :attr:`state`."""
        sequence = self.commits.append(record)
        self.state.apply(record)
        return sequence

    def each_record(self) -> Iterator[dict[str, Any]]:
        """Every intact record of the open journal, read again from its start."""
        with os.fdopen(os.dup(self._fd), "rb") as handle:
            for *_, record in records(handle):
                if record is not None:
                    yield record

    async def record_durably(self, record: dict[str, Any]) -> None:
        """Append a record and return once it is on disk (with the batch it joined)."""
        await self.commits.durable(self.record(record))

    def close(self) -> None:
        """Release the lock and the file (records already written stay)."""
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1

    def sync(self) -> None:
        """Make everything written so far durable (synchronous)."""
        if self._fsync and self._fd >= 0:
            os.fsync(self._fd)


def _lock(fd: int, path: Path) -> None:
    """One run per journal: an advisory lock, released by the OS when the process dies."""
    if sys.platform == "win32":  # pragma: no cover - no flock; runs are not guarded there
        return
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise JournalLocked(f"another run is using {path} (it is locked)") from None


def _fsync_directory(path: Path) -> None:
    """A new file's directory entry must be durable too."""
    with contextlib.suppress(OSError):
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def now() -> float:
    """A record's time: wall-clock seconds, to the millisecond (comparable across runs)."""
    return round(time.time(), 3)
