"""Background work that outlives the awaiting caller, on asyncio and trio alike.

Used where a task group held by the caller would be wrong: prefetched pages (a generator
abandoned with ``break`` is finalised later, in another task, where a task group's cancel
scope cannot be exited) and httpx exchanges (which must not be interrupted at an arbitrary
point, see :mod:`.engines._httpx`). Each piece of work runs in its own task with a copy of the
caller's context variables (logging and tracing context stay intact), inside an anyio cancel
scope: cancelling it is a plain synchronous call, and, unlike ``asyncio.Task.cancel()``, it
respects the shielded sections libraries rely on to clean up after themselves.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

import anyio
import sniffio

__all__ = ["spawn"]

#: asyncio keeps only weak references to tasks: ours stay here until they end.
_running: set[asyncio.Task[None]] = set()


def spawn(work: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], object]:
    """Run ``work()`` in the background with the caller's context; returns its cancel function.

    ``work`` must handle its own errors: under trio it runs as a system task, whose escaping
    exception would crash the run.
    """
    scope = anyio.CancelScope()

    async def run() -> None:
        with scope:
            await work()

    if sniffio.current_async_library() == "trio":
        import trio

        # System tasks start with an empty context unless given the caller's.
        trio.lowlevel.spawn_system_task(run, context=contextvars.copy_context())
    else:
        # asyncio copies the caller's context into every new task.
        task = asyncio.get_running_loop().create_task(run())
        _running.add(task)
        task.add_done_callback(_running.discard)
    return scope.cancel
