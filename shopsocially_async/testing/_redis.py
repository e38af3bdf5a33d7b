"""A throwaway ``redis-server`` on loopback, for tests, benchmarks and demos of the shared limiter.

It runs Debian's (or any) ``redis-server`` binary as a child process on 127.0.0.1 with no
persistence, waits until it answers ``PING``, and stops it by its pid. A missing binary is an
error that says how to install it, never a silent skip.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from types import TracebackType

__all__ = ["RedisServer"]

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """``with RedisServer() as redis: ... redis.url ...``: a private redis-server.

    ``port`` 0 picks a free one. :meth:`stop` and :meth:`start` stop it and start it again on
    the same port (to test what happens while Redis is down).
    """

    def __init__(self, port: int = 0, *, executable: str = "redis-server") -> None:
        found = shutil.which(executable)
        if found is None:
            raise RuntimeError(
                f"{executable} not found: install Redis (Debian/Ubuntu: apt-get install "
                "redis-server) to run the shared rate limiter's tests, benchmarks and demo"
            )
        self.executable = found
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Start the server and wait until it answers (``RuntimeError`` if it does not)."""
        command = [
            self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers_ping(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                said = self._last_words()
                self.stop()
                raise RuntimeError(f"redis-server did not start on 127.0.0.1:{self.port}{said}")
            time.sleep(0.01)

    def _last_words(self) -> str:
        """What an exited server wrote on stderr (nothing while it still runs)."""
        process = self._process
        if process is None or process.poll() is None or process.stderr is None:
            return ""
        text = process.stderr.read().decode("utf-8", "replace").strip()
        return f": {text.splitlines()[-1]}" if text else ""

    def stop(self) -> None:
        """Stop the server (by its pid); nothing if it is not running."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
