"""A clock that moves only when the test says so, for limiter tests without a wall clock."""

from __future__ import annotations

import anyio

__all__ = ["VirtualTime"]


class VirtualTime:
    """``clock`` and ``sleep`` for a limiter: sleepers wake when :meth:`advance` reaches them.

    ``passed`` records the virtual time at which each named task got through, in order.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self.passed: list[tuple[str, float]] = []
        self._sleepers: list[tuple[float, anyio.Event]] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        woken = anyio.Event()
        self._sleepers.append((self.now + seconds, woken))
        await woken.wait()

    async def settle(self) -> None:
        """Let every task run until all of them are waiting on something."""
        await anyio.wait_all_tasks_blocked()

    async def advance_to(self, moment: float) -> None:
        """Move the clock forward step by step, waking each sleeper at its own time."""
        await self.settle()
        while True:
            due = [at for at, _ in self._sleepers if at <= moment + 1e-9]
            if not due:
                break
            self.now = max(self.now, min(due))
            for entry in [e for e in self._sleepers if e[0] <= self.now + 1e-9]:
                self._sleepers.remove(entry)
                entry[1].set()
            await self.settle()
        self.now = max(self.now, moment)
