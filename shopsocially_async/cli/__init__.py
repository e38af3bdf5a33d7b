"""The ``shopsocially-async`` command line (needs the ``cli`` extra: typer, rich, uvicorn).

``main()`` is the console script's entry point; ``python -m shopsocially_async`` runs it too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Sequence

__all__ = ["main"]

EXTRA_HINT = "the command line needs its extra: pip install 'shopsocially-async[cli]'"


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); exits with its status.

    Run as the program (no ``argv``), a hang-up or SIGTERM that arrives before a command
    watches for them (while starting) stops it the way Ctrl-C does, with a message.
    """
    if argv is None:
        _stop_on_signals_while_starting()
    try:
        from .app import run
    except ImportError as exc:  # typer or rich missing
        print(f"error: {EXTRA_HINT} ({exc})", file=sys.stderr)
        raise SystemExit(2) from None
    run(list(sys.argv[1:] if argv is None else argv))


_LATE_SIGNALS = tuple(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))
_AS_PROGRAM: list[bool] = []


def _stop_on_signals_while_starting() -> None:
    """Until a command watches for them, SIGTERM and SIGHUP end the program at once, with a
    line saying so (nothing is being sent then) instead of a silent death."""

    def stop(signum: int, _: object) -> None:
        with contextlib.suppress(OSError):
            print(f"stopped: {signal.Signals(signum).name} while starting", file=sys.stderr)
        raise SystemExit(128 + signum)

    _AS_PROGRAM.append(True)
    for signum in _LATE_SIGNALS:
        signal.signal(signum, stop)


def ignore_late_signals() -> None:
    """Once a command's work is done and written down, a late hang-up or SIGTERM must not
    change its exit status (only when running as the program, never inside a caller's)."""
    if _AS_PROGRAM:
        for signum in _LATE_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


def leave_without_teardown(code: int) -> None:
    """End the program with ``code`` at once, skipping the interpreter's teardown: for the
    worker, once it has drained and closed everything it opened. temporalio's runtime
    (native threads) can hang the garbage collection of the interpreter's last moments, or
    abort it (``PyGILState_Release``), when its worker was stopped part-way (a second
    signal); nothing of ours is left to flush by then but stdout and stderr. Only when
    running as the program, never inside a caller's process."""
    if not _AS_PROGRAM:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
