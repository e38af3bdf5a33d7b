"""What every benchmark shares: the server process, timing, medians, and the report table."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psutil

SERVER_SCRIPT = Path(__file__).with_name("_server.py")
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    """A benchmark server process on loopback; ``cpu()`` is its CPU seconds so far."""

    process: subprocess.Popen[str]
    port: int
    ps: psutil.Process = field(init=False)

    def __post_init__(self) -> None:
        self.ps = psutil.Process(self.process.pid)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu(self) -> float:
        times = self.ps.cpu_times()
        return float(times.user + times.system)


@contextlib.contextmanager
def server(
    *,
    mode: str = "record",
    latency: float = 0.0,
    max_requests: int = 1_000_000,
    lifetime: float = 600.0,
    total: int = 10_000,
    page_size: int = 100,
) -> Iterator[Server]:
    """Start ``_server.py`` in its own process; it stops by itself, or when we leave."""
    command = [
        sys.executable, str(SERVER_SCRIPT), "--mode", mode, "--latency", str(latency),
        "--max-requests", str(max_requests), "--lifetime", str(lifetime),
        "--total", str(total), "--page-size", str(page_size),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield Server(process, port)
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


@dataclass
class Sample:
    """One run: wall and CPU seconds of this process, CPU seconds of the server."""

    wall: float
    cpu: float
    server_cpu: float = 0.0


@contextlib.contextmanager
def measure(srv: Server | None = None) -> Iterator[list[Sample]]:
    """Time the block: ``with measure(srv) as out: ...``, then ``out[0]`` is the Sample."""
    out: list[Sample] = []
    server_before = srv.cpu() if srv else 0.0
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    yield out
    wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
    out.append(Sample(wall, cpu, (srv.cpu() - server_before) if srv else 0.0))


def median_sample(samples: list[Sample]) -> Sample:
    """Per-field medians of several runs."""
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.server_cpu for s in samples),
    )


def repeat(runs: int, once: Callable[[], Sample]) -> Sample:
    return median_sample([once() for _ in range(runs)])


def version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_section() -> list[str]:
    packages = [
        "shopsocially-async", "httpx", "httpcore", "aiohttp", "pyqwest", "cattrs", "attrs",
        "orjson", "pydantic", "msgspec", "requests", "anyio", "trio", "tenacity",
    ]  # fmt: skip
    return [
        f"- Machine: {os.cpu_count()} cores, {cpu_model()}, "
        f"{psutil.virtual_memory().total / 2**30:.1f} GiB RAM, {platform.system()} "
        f"{platform.release()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        "- Packages: " + ", ".join(f"{name} {version(name)}" for name in packages),
    ]


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


@dataclass
class Section:
    """One benchmark's part of RESULTS.md: prose, tables, and the target verdicts."""

    title: str
    lines: list[str] = field(default_factory=list)
    targets: list[tuple[str, bool, str]] = field(default_factory=list)

    def target(self, name: str, met: bool, detail: str) -> None:
        self.targets.append((name, met, detail))
