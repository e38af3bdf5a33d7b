"""A throwaway ``redis-server`` on loopback, for tests, benchmarks and demos of the shared limiter.

It runs Debian's (or any) ``redis-server`` binary as a child process on 127.0.0.1 with no
persistence, waits until it answers ``PING``, and stops it by its pid. A missing binary is an
error that says how to install it, never a silent skip.
"""

from __future__ import annotations

import socket

from ._daemon import LocalServer, find_executable, free_port

__all__ = ["RedisServer", "free_port"]

REDIS_HINT = (
    "install Redis (Debian/Ubuntu: apt-get install redis-server) to run the shared rate "
    "limiter's and the Temporal adapter's tests, benchmarks and demo"
)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer(LocalServer):
    """``with RedisServer() as redis: ... redis.url ...``: a private redis-server.

    ``port`` 0 picks a free one. :meth:`stop` and :meth:`start` stop it and start it again on
    the same port (to test what happens while Redis is down).
    """

    name = "redis-server"

    def __init__(self, port: int = 0, *, executable: str = "redis-server") -> None:
        found = find_executable(executable)
        if found is None:
            raise RuntimeError(f"{executable} not found: {REDIS_HINT}")
        super().__init__(found, port)

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        ]  # fmt: skip

    def ready(self) -> bool:
        return _answers_ping(self.port)

    def __enter__(self) -> RedisServer:
        self.start()
        return self
