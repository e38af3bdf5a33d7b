"""Where a bulk write run keeps its rows and every row's outcome: Redis (coredis).

Keys, under ``PREFIX:run:{RUN_ID}`` (the braces: one cluster slot per run):

``meta``           hash: kind, rows, chunks, chunk size, the input's identity
``rows:N``         chunk N's rows, one JSON array (line, cells for the report, input fields)
``state:N``        hash, row position -> its record: ``sent`` (written *before* the request
                   leaves), then ``applied`` / ``failed`` / ``unknown`` / ``ambiguous``
``owner:N``        the fencing token of the attempt that owns chunk N (INCR on takeover)
``counts``         hash of final outcomes (applied, failed, ambiguous, settled), for progress
``claimed``        ids of transactions that rows of this run applied (settling skips them)

and, per account, ``PREFIX:account:{ACCOUNT}:input:KIND:SHA256`` -> the run id that was
staged with that input (kept :data:`INPUT_TTL`), so that the same file submitted again under
another run id is noticed.

Every record goes through one script that first checks the fencing token: once a newer
attempt of a chunk has taken it over, an older one (a worker that lost Temporal but not the
API) can record nothing more, and so, by the write-ahead rule, send nothing more. The script
also moves the counts from the row's old outcome to its new one, so running it twice (a
reply lost, the command retried) counts once.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import ConfigurationError, InvalidArgumentError

if TYPE_CHECKING:
    import coredis

__all__ = ["RowRecord", "RunMeta", "RunStore", "StagedRow", "Superseded", "check_run_id"]

DEFAULT_TTL = 7 * 24 * 3600
#: How long an account remembers which run an input went to (seconds).
INPUT_TTL = 90 * 24 * 3600
TERMINAL = ("applied", "failed", "ambiguous")
#: Input fields that carry amounts: staged as text, read back as Decimal (exact).
AMOUNT_FIELDS = ("points_passed", "returned_amount")
_RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

CLAIM = """
local token = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return token
"""

RECORD = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local function tally(record, sign)
  local outcome = record['s']
  if outcome == 'applied' or outcome == 'failed' or outcome == 'ambiguous' then
    redis.call('HINCRBY', KEYS[3], outcome, sign)
  end
  if record['settled'] then redis.call('HINCRBY', KEYS[3], 'settled', sign) end
end
local old = redis.call('HGET', KEYS[2], ARGV[2])
if old then tally(cjson.decode(old), -1) end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[2], ARGV[2])
else
  redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
  tally(cjson.decode(ARGV[3]), 1)
end
if ARGV[4] ~= '' then redis.call('SADD', KEYS[4], ARGV[4]) end
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return 1
"""


class Superseded(Exception):
    """A newer attempt took this chunk over: this attempt must record and send nothing more."""


def check_run_id(run_id: object) -> str:
    """A run id: 1-128 letters, digits, ``.``, ``_`` or ``-``, starting with a letter or digit."""
    if not isinstance(run_id, str) or _RUN_ID.fullmatch(run_id) is None:
        raise InvalidArgumentError(
            "a run id is 1-128 letters, digits, '.', '_' or '-' (starting with a letter or "
            f"digit), got {run_id!r}"
        )
    return run_id


@attrs.frozen
class StagedRow:
    """One row of a run: its line in the input (for the report), the cells as read, and the
    input record's fields (``bulk.DeductInput`` and its siblings)."""

    line: int
    cells: Mapping[str, str]
    fields: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        fields = {k: str(v) if isinstance(v, Decimal) else v for k, v in self.fields.items()}
        return {"line": self.line, "cells": dict(self.cells), "fields": fields}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> StagedRow:
        fields = dict(data["fields"])
        for name in AMOUNT_FIELDS:
            if isinstance(fields.get(name), str):
                fields[name] = Decimal(fields[name])
        return cls(int(data["line"]), dict(data["cells"]), fields)


@attrs.frozen
class RowRecord:
    """What is known of one row: ``outcome`` is ``sent`` (on its way, no answer yet),
    ``unknown`` (answered outcome unknown), ``applied``, ``failed`` or ``ambiguous``."""

    outcome: str
    sent_at: float | None = None
    failed_at: float | None = None
    transaction_id: str | None = None
    code: str = ""
    message: str = ""
    candidates: tuple[str, ...] = ()
    settled: bool = False

    @property
    def in_doubt(self) -> bool:
        """Sent and never settled: it may or may not have applied."""
        return self.outcome in ("sent", "unknown")

    def to_json(self) -> str:
        data: dict[str, Any] = {"s": self.outcome, "sent": self.sent_at}
        optional = {
            "failed": self.failed_at,
            "id": self.transaction_id,
            "code": self.code,
            "msg": self.message,
            "cand": list(self.candidates),
            "settled": self.settled,
        }
        data.update({k: v for k, v in optional.items() if v})
        return json.dumps(data, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> RowRecord:
        data = json.loads(text)
        return cls(
            outcome=data["s"],
            sent_at=data.get("sent"),
            failed_at=data.get("failed"),
            transaction_id=data.get("id"),
            code=data.get("code", ""),
            message=data.get("msg", ""),
            candidates=tuple(data.get("cand", ())),
            settled=bool(data.get("settled")),
        )


@attrs.frozen
class RunMeta:
    """What a staged run is: its kind, size, chunking and the identity of its input."""

    kind: str
    rows: int
    chunks: int
    chunk_size: int
    identity: str


class RunStore:
    """One run's keys in Redis. ``redis`` is a URL (the store owns that client; use it as
    ``async with``) or an open coredis client (``decode_responses=True``)."""

    def __init__(
        self,
        redis: str | coredis.Redis[str],
        run_id: str,
        *,
        prefix: str = "shopsocially",
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self.run_id = check_run_id(run_id)
        self._client, self._owned = _client(redis)
        self._prefix = prefix
        self._base = f"{prefix}:run:{{{run_id}}}"
        self.ttl = ttl
        self._claim = self._client.register_script(CLAIM)
        self._record = self._client.register_script(RECORD)

    @property
    def redis(self) -> coredis.Redis[str]:
        """The coredis client."""
        return self._client

    async def __aenter__(self) -> RunStore:
        if self._owned:
            await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._owned:
            await self._client.__aexit__(None, None, None)

    def key(self, *parts: object) -> str:
        """A key of this run."""
        return ":".join([self._base, *map(str, parts)])

    # -- staging (the submitter) -------------------------------------------------------------
    async def meta(self) -> RunMeta | None:
        """The staged run, or None when nothing (complete) is staged under this id."""
        data = await self._client.hgetall(self.key("meta"))
        if not data:
            return None
        return RunMeta(
            data["kind"], int(data["rows"]), int(data["chunks"]), int(data["chunk_size"]),
            data["identity"],
        )  # fmt: skip

    async def stage(
        self, kind: str, rows: Iterable[StagedRow], *, chunk_size: int, identity: str
    ) -> RunMeta:
        """Write the rows chunk by chunk, then the meta (last: its presence means complete)."""
        chunk: list[dict[str, Any]] = []
        chunks = count = 0
        for row in rows:
            chunk.append(row.to_json())
            count += 1
            if len(chunk) == chunk_size:
                await self._put_chunk(chunks, chunk)
                chunks, chunk = chunks + 1, []
        if chunk:
            await self._put_chunk(chunks, chunk)
            chunks += 1
        meta = RunMeta(kind, count, chunks, chunk_size, identity)
        await self._client.hset(self.key("meta"), attrs.asdict(meta))
        await self._client.expire(self.key("meta"), self.ttl)
        return meta

    async def _put_chunk(self, number: int, rows: list[dict[str, Any]]) -> None:
        text = json.dumps(rows, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        await self._client.set(self.key("rows", number), text, ex=self.ttl)

    async def remember_input(
        self, account: str, kind: str, identity: str, *, force: bool = False
    ) -> str | None:
        """Note that this run is the account's run of ``kind`` over ``identity`` (e.g. the
        input's SHA-256); the id of the other run that already is, if any (then nothing
        is noted, unless ``force``)."""
        from coredis.tokens import PureToken

        key = f"{self._prefix}:account:{{{account}}}:input:{kind}:{identity}"
        if force:
            await self._client.set(key, self.run_id, ex=INPUT_TTL)
            return None
        if await self._client.set(key, self.run_id, ex=INPUT_TTL, condition=PureToken.NX):
            return None
        other = await self._client.get(key)
        return None if other in (None, self.run_id) else other

    # -- a chunk (the activity) ---------------------------------------------------------------
    async def rows(self, chunk: int) -> list[StagedRow]:
        """Chunk ``chunk``'s rows; ``LookupError`` when they are gone (expired, never staged)."""
        text = await self._client.get(self.key("rows", chunk))
        if text is None:
            raise LookupError(f"run {self.run_id}: the rows of chunk {chunk} are not in Redis")
        return [StagedRow.from_json(item) for item in json.loads(text)]

    async def records(self, chunk: int) -> dict[int, RowRecord]:
        """What is known of chunk ``chunk``'s rows, by position."""
        data = await self._client.hgetall(self.key("state", chunk))
        return {int(k): RowRecord.from_json(v) for k, v in data.items()}

    async def claim(self, chunk: int) -> int:
        """Take chunk ``chunk`` over: the fencing token every later record must carry."""
        token: Any = await self._claim(keys=[self.key("owner", chunk)], args=[self.ttl])
        return int(token)

    async def record(
        self,
        chunk: int,
        token: int,
        position: int,
        record: RowRecord | None,
        *,
        claim: str | None = None,
    ) -> None:
        """Record what is known of a row (None: nothing, the row is to be sent again);
        :class:`Superseded` when a newer attempt owns the chunk. An applied row claims its
        transaction, or ``claim`` (see :func:`~shopsocially_async.bulk.claim_without_id`)."""
        keys = [
            self.key("owner", chunk),
            self.key("state", chunk),
            self.key("counts"),
            self.key("claimed"),
        ]
        txn = (record.transaction_id or claim) if record and record.outcome == "applied" else None
        text = record.to_json() if record else ""
        args: list[str | int] = [str(token), str(position), text, txn or "", self.ttl]
        if int(await self._record(keys=keys, args=args)) != 1:
            raise Superseded(f"run {self.run_id}: chunk {chunk} was taken over by a newer attempt")

    async def claimed(self) -> set[str]:
        """Ids of the transactions this run's rows applied."""
        return set(await self._client.smembers(self.key("claimed")))

    async def counts(self) -> dict[str, int]:
        """Final outcomes so far: applied, failed, ambiguous, settled."""
        data = await self._client.hgetall(self.key("counts"))
        return {name: int(data.get(name, 0)) for name in (*TERMINAL, "settled")}

    async def report(self, meta: RunMeta) -> AsyncIterator[tuple[StagedRow, RowRecord | None]]:
        """Every row with its record (None: never sent), in input order, a chunk at a time."""
        for chunk in range(meta.chunks):
            records = await self.records(chunk)
            for position, row in enumerate(await self.rows(chunk)):
                yield row, records.get(position)


def now() -> float:
    """A record's time: wall-clock seconds, to the millisecond."""
    return round(time.time(), 3)


def _client(redis: object) -> tuple[coredis.Redis[str], bool]:
    try:
        import coredis
    except ImportError:
        raise ConfigurationError(
            "the Temporal adapter needs coredis: pip install 'shopsocially-async[temporal]'"
        ) from None
    if isinstance(redis, str):
        if not redis.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError("redis must be a redis://, rediss:// or unix:// URL")
        client: coredis.Redis[str] = coredis.Redis.from_url(
            redis, decode_responses=True, connect_timeout=2.0, stream_timeout=5.0
        )
        return client, True
    if isinstance(redis, coredis.Redis):
        return redis, False
    raise ConfigurationError(f"redis must be a URL or a coredis.Redis, got {type(redis).__name__}")
