"""The event loop a blocking client runs its async client on: one thread, one anyio portal.

:class:`EventLoopThread` starts a daemon thread running an asyncio loop with an
``anyio.from_thread.BlockingPortal`` in it, and runs coroutines there for callers on any other
thread. It is our own thread rather than ``anyio.from_thread.start_blocking_portal()``, whose
worker is a non-daemon executor thread: a client that was never closed would then keep the
interpreter from exiting.

What counts as misuse, refused with :class:`SyncUsageError` before anything is sent:

- a call that waits on the API (a resource method, a paginator step) from a thread that is
  running an event loop (asyncio or trio): it would stall that loop, and on the client's own
  loop thread (a retry hook, an httpx event hook, a custom transport) it would deadlock;
- closing the client from its own loop thread (a deadlock);
- a call from a child process forked after the client was made: the loop thread did not
  survive the fork, so the call would wait forever;
- advancing one paginator iterator from two threads at once.

Not misuse: calls from several threads at a time (they run concurrently on the one loop);
making or closing the client inside async code (e.g. an async web app's startup and
shutdown, its blocking handlers using the client from worker threads); ``close()`` waits for
the calls in flight, each bounded by its timeout. After :meth:`EventLoopThread.close` every
call raises ``ClientClosedError``.

A blocking call interrupted in the calling thread (``KeyboardInterrupt``, or any other
exception raised while waiting) cancels its task on the loop, so the loop and the client stay
usable; a write interrupted that way may or may not have been applied.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterator
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

import anyio
import sniffio
from anyio.abc import ObjectReceiveStream, ObjectSendStream, TaskStatus
from anyio.from_thread import BlockingPortal

from ..errors import ClientClosedError, SyncUsageError

__all__ = ["BlockingIterator", "EventLoopThread", "SyncUsageError"]

T = TypeVar("T")

#: How long ``close()`` waits for the loop thread once the portal has stopped.
JOIN_TIMEOUT = 30.0


def running_async_library() -> str | None:
    """The async library running in this thread ("asyncio", "trio", ...), or None."""
    try:
        return sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return None


class EventLoopThread:
    """An asyncio loop on a daemon thread, reached through an anyio blocking portal."""

    def __init__(self, name: str) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()  # makes "not closed, so submit" one step
        self._closed = False
        self._on_close: Callable[[], Awaitable[object]] | None = None
        self._iterators: set[anyio.CancelScope] = set()
        started: Future[BlockingPortal] = Future()
        self._thread = threading.Thread(target=self._main, args=(started,), name=name, daemon=True)
        self._thread.start()
        self._portal = started.result()

    @property
    def closed(self) -> bool:
        return self._closed

    def _main(self, started: Future[BlockingPortal]) -> None:
        try:
            anyio.run(self._serve, started, backend="asyncio")
        except BaseException as exc:  # pragma: no cover - the loop itself failed to start
            if not started.done():
                started.set_exception(exc)
            raise

    async def _serve(self, started: Future[BlockingPortal]) -> None:
        async with BlockingPortal() as portal:
            started.set_result(portal)
            await portal.sleep_until_stopped()
        # The portal waited for the calls in flight; now the client can close its pool.
        if self._on_close is not None:
            await self._on_close()

    def call_sync(self, func: Callable[[], T]) -> T:
        """``func()`` run on the loop's thread (to build the client there): never refused,
        it does not wait on the API."""
        return self._portal.call(func)

    def close_with(self, on_close: Callable[[], Awaitable[object]]) -> None:
        """Run ``on_close`` on the loop when it stops, after the last call in flight ended."""
        self._on_close = on_close

    # -- calling in ----------------------------------------------------------------------
    def check_caller(self) -> None:
        """Refuse a blocking call that would deadlock or stall (see the module docstring)."""
        if os.getpid() != self._pid:
            raise SyncUsageError(
                "this client was created in another process (before a fork); its event loop "
                "thread does not exist here: create a new client in this process"
            )
        if threading.get_ident() == self._thread.ident:
            raise SyncUsageError(
                "the blocking client was called from its own event loop thread (e.g. from a "
                "retry hook, an httpx event hook or a transport): that would deadlock"
            )
        library = running_async_library()
        if library is not None:
            raise SyncUsageError(
                f"the blocking client was called inside a running {library} event loop, which "
                "it would stall: use shopsocially_async.ShopSociallyClient with await there, "
                "or call the blocking client from a worker thread (anyio.to_thread.run_sync)"
            )

    def _submit(self, func: Callable[..., Awaitable[T]], *args: Any) -> Future[T]:
        self.check_caller()
        return self._submit_unchecked(func, *args)

    def _submit_unchecked(self, func: Callable[..., Awaitable[T]], *args: Any) -> Future[T]:
        with self._lock:
            if self._closed:
                raise _closed_error()
            return self._portal.start_task_soon(func, *args)

    def run(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``await func(*args)`` on the loop and return its result (or raise its error,
        the very exception object, unwrapped)."""
        return _wait(self._submit(func, *args))

    def run_anywhere(self, func: Callable[..., Awaitable[T]], *args: Any) -> T:
        """:meth:`run` for what does not wait on the API (closing a copy of the client):
        refused only on the loop's own thread, where waiting would deadlock."""
        if threading.get_ident() == self._thread.ident:
            raise SyncUsageError("the blocking client cannot be closed from its own event loop")
        return _wait(self._submit_unchecked(func, *args))

    def iterate(self, make: Callable[[], AsyncGenerator[T, None]]) -> BlockingIterator[T]:
        """A blocking iterator over the async generator ``make()``, which runs in one task on
        the loop (so its cancel scopes and task groups stay in one task) and advances only
        when the caller asks for the next value."""
        return BlockingIterator(self._drive(make))

    def _drive(self, make: Callable[[], AsyncGenerator[T, None]]) -> Generator[T, None, None]:
        driver: _Driver[T] = _Driver(make, self._iterators)
        self.check_caller()
        with self._lock:
            if self._closed:
                raise _closed_error()
            self._portal.start_task(driver.own)
        try:
            while True:
                done, value = self.run(driver.step)
                if done:
                    return
                yield value
        finally:
            # Closed early (break, garbage-collected, an error, an interrupt): stop the
            # generator on the loop now, cancelling any page fetches it has in flight.
            self._stop_driver(driver)

    def _stop_driver(self, driver: _Driver[Any]) -> None:
        """Stop ``driver`` and wait for it where waiting is safe. Never raises: it runs in a
        generator's ``finally``, possibly from the garbage collector on any thread."""
        if os.getpid() != self._pid:
            return  # the loop thread stayed in the parent process
        if threading.get_ident() == self._thread.ident:
            driver.cancel()  # cannot wait on our own thread; it stops at its next await
            return
        with contextlib.suppress(ClientClosedError):  # close() has stopped it already
            if running_async_library() is not None:  # do not stall that loop: no waiting
                self._submit_unchecked(driver.stop)
            else:
                self.run(driver.stop)

    # -- closing -------------------------------------------------------------------------
    def close(self) -> None:
        """Cancel open iterators, let the calls in flight finish, run the close hook, stop
        the thread. Idempotent; refused only on the loop's own thread (a deadlock); in a
        forked child it only marks the client closed."""
        if self._closed or os.getpid() != self._pid:
            self._closed = True
            return
        if threading.get_ident() == self._thread.ident:
            raise SyncUsageError("the blocking client cannot be closed from its own event loop")
        self.shutdown()

    def shutdown(self) -> None:
        """:meth:`close` without the caller checks (for a finalizer, which runs wherever the
        garbage collector does); on the loop's own thread it only marks the loop closed."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if threading.get_ident() == self._thread.ident or not self._thread.is_alive():
            return
        self._portal.call(self._cancel_iterators)
        self._portal.call(self._portal.stop)
        self._thread.join(JOIN_TIMEOUT)

    async def _cancel_iterators(self) -> None:
        for scope in list(self._iterators):
            scope.cancel()


class BlockingIterator(Iterator[T]):
    """An iterator over a listing for blocking code; ``close()`` (or leaving a ``with`` block,
    or dropping it) stops it and cancels the page fetches it has in flight.

    One thread at a time: advancing it from a second thread while the first is waiting raises
    :class:`SyncUsageError` (a bare generator would raise ``ValueError``).
    """

    def __init__(self, inner: Generator[T, None, None]) -> None:
        self._inner = inner
        self._busy = threading.Lock()

    def __next__(self) -> T:
        if not self._busy.acquire(blocking=False):
            raise SyncUsageError("this iterator is being advanced by another thread")
        try:
            return next(self._inner)
        finally:
            self._busy.release()

    def close(self) -> None:
        """Stop iterating now, cancelling any page fetches in flight."""
        self._inner.close()

    def __enter__(self) -> BlockingIterator[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Driver(Generic[T]):
    """Owns one async generator in one task on the loop; advances it one step per ask."""

    def __init__(
        self, make: Callable[[], AsyncGenerator[T, None]], registry: set[anyio.CancelScope]
    ) -> None:
        self._make = make
        self._registry = registry
        # Made on the loop by own(): anyio's primitives need the running loop.
        self._scope: anyio.CancelScope | None = None
        self._finished: anyio.Event
        self._asks: ObjectSendStream[None]
        self._answers: ObjectReceiveStream[tuple[str, Any]]

    async def own(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """The task owning the generator: started by ``portal.start_task``, which returns once
        the streams exist; ends when the generator does, or on :meth:`stop` / ``close()``."""
        self._finished = anyio.Event()
        self._asks, asks = anyio.create_memory_object_stream[None]()
        answers, self._answers = anyio.create_memory_object_stream[tuple[str, Any]]()
        try:
            with anyio.CancelScope() as self._scope, asks, answers:
                self._registry.add(self._scope)
                task_status.started()
                async with contextlib.aclosing(self._make()) as generator:
                    async for _ in asks:
                        await answers.send(await _advance(generator))
        finally:
            if self._scope is not None:
                self._registry.discard(self._scope)
            self._asks.close()  # the caller's ends: a step waiting on them ends at once
            self._answers.close()
            self._finished.set()

    async def step(self) -> tuple[bool, T]:
        """``(False, value)``, or ``(True, None)`` at the end; the generator's own exception is
        raised as is."""
        try:
            await self._asks.send(None)
            kind, payload = await self._answers.receive()
        except (anyio.BrokenResourceError, anyio.EndOfStream, anyio.ClosedResourceError):
            raise _closed_error() from None
        if kind == "error":
            raise payload
        return kind == "end", payload

    def cancel(self) -> None:
        if self._scope is not None:
            self._scope.cancel()

    async def stop(self) -> None:
        """Cancel the owning task and wait until it has closed the generator."""
        self.cancel()
        await self._finished.wait()


async def _advance(generator: AsyncGenerator[T, None]) -> tuple[str, Any]:
    """One step of ``generator`` as ``("value", v)``, ``("end", None)`` or ``("error", exc)``;
    cancellation is not caught."""
    try:
        return "value", await generator.__anext__()
    except StopAsyncIteration:
        return "end", None
    except Exception as exc:
        return "error", exc


def _wait(future: Future[T]) -> T:
    try:
        return future.result()
    except BaseException:
        # Interrupted while waiting (KeyboardInterrupt, ...): cancel the task on the loop
        # instead of leaving it running for nobody. No-op when the task itself failed.
        future.cancel()
        raise


def _closed_error() -> ClientClosedError:
    return ClientClosedError("this client is closed; create a new one (or use it inside `with`)")
