"""What every engine shares: the :class:`Engine` protocol, its result and failure types, and
:class:`BaseEngine`, which owns each exchange's deadline and the engine's closing.

An engine sends one :class:`~shopsocially_async._http.Request` and returns the whole
:class:`Response` (status, headers, decoded body), or raises :class:`SendFailure` saying
whether the request may have reached the server. The rules that make the client's promises
hold on every engine live here, once:

- **Deadline.** ``timeout`` bounds the whole exchange (waiting for a connection, connecting,
  sending, and every byte of the answer), however slowly the server trickles.
- **Closing is final.** :meth:`BaseEngine.aclose` refuses new exchanges, cancels the ones in
  flight (they fail with ``closed=True`` and a truthful ``sent``), waits for them, and only
  then closes the library's pool: after it returns, nothing more is sent.
- **Truthful "sent".** Each exchange carries a :class:`Progress` that the engine marks
  *before* the first byte of the request may leave; a failure or a deadline after that point
  says ``sent=True`` (the server may have processed the request).
- **No queueing inside the library's pool.** On a pool whose size we set, an exchange first
  takes one of ``max_connections`` slots here; waiting for a slot is always safe to cancel
  and certainly sent nothing, so a call still queued when the deadline passes or the client
  closes says ``sent=False``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import NamedTuple, Protocol

import anyio

from .._http import Headers, Request

__all__ = [
    "MAX_HEADER_FIELD",
    "MAX_HEADER_FIELDS",
    "BaseEngine",
    "Engine",
    "Progress",
    "Response",
    "SendFailure",
    "Slot",
    "Timeouts",
    "check_head",
]


class Timeouts(NamedTuple):
    """Per-attempt limits in seconds: ``total`` end to end, ``connect`` to open a connection."""

    total: float
    connect: float


class Response(NamedTuple):
    """A whole response: status, headers, and the body decoded per its Content-Encoding."""

    status: int
    headers: Headers
    body: bytes


class SendFailure(Exception):
    """The exchange failed before a whole response arrived (internal; the client maps it).

    ``sent`` is False only when the request certainly never reached the server. The message
    is the library's own text with nothing attached: the library's exception (which may hold
    the request's headers) is never kept.
    """

    def __init__(
        self, detail: str, *, sent: bool, timed_out: bool = False, closed: bool = False
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.sent = sent
        self.timed_out = timed_out
        self.closed = closed


class Slot:
    r"""The pool slot an exchange holds (or none). Released once, by the send when the
    exchange returns, unless the exchange :meth:`keep`\ s it because it goes on in the
    background (the httpx engine's)."""

    __slots__ = ("_release",)

    def __init__(self, release: Callable[[], None] | None) -> None:
        self._release = release

    def keep(self) -> Callable[[], None]:
        """Take over releasing the slot; returns the function that does it (once)."""
        release, self._release = self._release, None
        return release or _nothing

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _nothing() -> None:
    return None


class Progress:
    """How far one exchange got; engines set ``sent`` before the request may leave."""

    __slots__ = ("sent",)

    def __init__(self) -> None:
        self.sent = False


class Engine(Protocol):
    """Sends requests; one per client (shared by its ``with_options()`` copies)."""

    #: The engine's name, as ``transport=`` takes it.
    name: str
    #: How many connections the engine may open at once; None when not ours to say.
    max_connections: int | None

    @property
    def closed(self) -> bool: ...

    async def send(
        self, request: Request, timeouts: Timeouts, *, max_body_bytes: int
    ) -> Response: ...

    def interruptible(self) -> contextlib.AbstractContextManager[None]: ...

    async def aclose(self) -> None: ...


#: The longest response header field accepted (name, colon, value), as aiohttp's parser
#: enforces it: every engine refuses the same heads.
MAX_HEADER_FIELD = 8190
#: The most header fields a response may have (aiohttp refuses 128 or more).
MAX_HEADER_FIELDS = 100


def _final(response: Response) -> Response:
    """``response`` if its status is a final HTTP status; HTTP libraries disagree about the
    rest (a 101 without an upgrade, 099, 600), so every engine refuses them the same way."""
    if not 200 <= response.status <= 599:
        raise SendFailure(f"the server answered with status {response.status}", sent=True)
    return response


def check_head(pairs: tuple[tuple[str, str], ...]) -> None:
    """Refuse a response head that HTTP libraries disagree about, the same way on every
    engine: more than :data:`MAX_HEADER_FIELDS` fields, a field over :data:`MAX_HEADER_FIELD`
    bytes, or ambiguous framing (``Content-Length`` with ``Transfer-Encoding``, several
    lengths, a transfer coding other than ``chunked``: the request-smuggling shapes)."""
    if len(pairs) > MAX_HEADER_FIELDS:
        raise SendFailure(
            f"the response has more than {MAX_HEADER_FIELDS} header fields", sent=True
        )
    lengths, codings = [], []
    for name, value in pairs:
        if len(name) + len(value) + 1 > MAX_HEADER_FIELD:
            raise SendFailure(
                f"the response header {name[:40]!r} is longer than {MAX_HEADER_FIELD} bytes",
                sent=True,
            )
        key = name.lower()
        if key == "content-length":
            lengths.append(value)
        elif key == "transfer-encoding":
            codings.append(value)
    if (lengths and codings) or len(lengths) > 1 or "," in "".join(lengths):
        raise SendFailure("the response's length is ambiguous", sent=True)
    if codings and [c.strip().lower() for c in codings] != ["chunked"]:
        raise SendFailure(f"the response's transfer coding {codings!r} is not chunked", sent=True)


class BaseEngine:
    """The deadline and closing rules; subclasses implement :meth:`_exchange` and
    :meth:`_close_pool`."""

    name = "base"

    def __init__(self, *, max_connections: int | None) -> None:
        self._closed = False
        self._in_flight: set[anyio.CancelScope] = set()
        self._all_done: anyio.Event | None = None
        #: The pool's size when we set it (the slots below match it); None when not ours.
        self.max_connections = max_connections
        self._slots: anyio.Semaphore | None = None  # created at the first send, in a loop

    @property
    def closed(self) -> bool:
        return self._closed

    async def send(self, request: Request, timeouts: Timeouts, *, max_body_bytes: int) -> Response:
        if self._closed:
            raise SendFailure("the client is closed", sent=False, closed=True)
        progress = Progress()
        scope = anyio.CancelScope(deadline=anyio.current_time() + timeouts.total)
        self._in_flight.add(scope)
        try:
            with scope:
                slot = Slot(None if self.max_connections is None else await self._take_slot())
                try:
                    return _final(
                        await self._exchange(request, timeouts, max_body_bytes, progress, slot)
                    )
                finally:
                    slot.release()
        finally:
            self._finished(scope)
        # Only our own scope's cancellation lands here: the deadline, or aclose().
        if self._closed:
            raise SendFailure(
                "the client was closed during the exchange", sent=progress.sent, closed=True
            )
        raise SendFailure(
            f"no complete response within {timeouts.total:g} s", sent=progress.sent, timed_out=True
        )

    async def _take_slot(self) -> Callable[[], None]:
        """Take one of the pool's slots; returns its release function."""
        if self._slots is None:
            assert self.max_connections is not None
            self._slots = anyio.Semaphore(self.max_connections)
        try:
            # A free slot is taken without a checkpoint (anyio's acquire() always yields to
            # the loop once, a tenth of a fast engine's cost per request); the exchange itself
            # awaits soon enough. Only waiting for one yields.
            self._slots.acquire_nowait()
        except anyio.WouldBlock:
            await self._slots.acquire()
        return self._slots.release

    @contextlib.contextmanager
    def interruptible(self) -> Iterator[None]:
        """A wait (a retry's backoff) that :meth:`aclose` ends at once, like an exchange."""
        scope = anyio.CancelScope()
        self._in_flight.add(scope)
        try:
            with scope:
                yield
        finally:
            self._finished(scope)

    def _finished(self, scope: anyio.CancelScope) -> None:
        self._in_flight.discard(scope)
        if self._all_done is not None and not self._in_flight:
            self._all_done.set()

    async def _exchange(
        self,
        request: Request,
        timeouts: Timeouts,
        max_body_bytes: int,
        progress: Progress,
        slot: Slot,
    ) -> Response:
        raise NotImplementedError

    async def _close_pool(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Refuse new exchanges, end those in flight, then close the pool (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._in_flight:
            self._all_done = anyio.Event()
            for scope in self._in_flight:
                scope.cancel()
            with anyio.CancelScope(shield=True):
                await self._all_done.wait()
        await self._close_pool()
