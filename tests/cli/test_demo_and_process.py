"""The demo end to end, and the command line as a process: Ctrl-C, resume, serve."""
# ruff: noqa: S603 - these tests start our own command line with sys.executable

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from shopsocially_async.cli.demo import DemoPlan, run_demo

from .conftest import Served


@pytest.mark.anyio
async def test_demo_finishes_and_reconciles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A small demo: exit status 0, every reconciliation check passes, the export exists."""
    code = await run_demo(DemoPlan(members=150, awards=400, concurrency=16, out_dir=tmp_path))
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count("✓") == 4
    assert "✗" not in out
    assert "answer lost" in out  # the table shows what settling said of lost answers
    assert "lost their answer; reading the ledger back settled them" in " ".join(out.split())
    assert (tmp_path / "transactions.jsonl").stat().st_size > 0


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "shopsocially_async", *args]


def _environment(served: Served) -> dict[str, str]:
    return {**os.environ, "SHOPSOCIALLY_API_KEY": served.fake.api_key, "PYTHONUNBUFFERED": "1"}


def _wait_for_lines(path: Path, count: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and len(path.read_text().split()) >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {count} lines")


def test_ctrl_c_stops_cleanly_and_the_printed_command_resumes(
    served: Served, tmp_path: Path
) -> None:
    """SIGINT mid-run: exit 130 and a resume command; running it finishes every order once."""
    emails = [m.email for m in served.fake.members]
    path = tmp_path / "orders.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "activity_id", "points_passed", "order_id"])
        writer.writerows(
            [emails[i % len(emails)], "made_a_purchase", 5, f"c-{i}"] for i in range(400)
        )
    served.fake.latency = 0.01
    args = [*served.options, "--concurrency", "4", "award", str(path)]
    process = subprocess.Popen(
        _command(*args),
        env=_environment(served),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    _wait_for_lines(tmp_path / "orders.journal", 20, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    waiting = re.search(r"waiting for (\d+) calls in flight", err)
    assert waiting is not None, err
    assert 0 <= int(waiting.group(1)) <= 4  # calls in flight, at most the concurrency
    resume = re.search(r"To resume: (.*)", err)
    assert resume is not None, err
    served.fake.latency = 0
    argv = shlex.split(resume.group(1))
    assert argv[:3] == ["python", "-m", "shopsocially_async"]
    again = subprocess.run(
        [sys.executable, *argv[1:]],
        env=_environment(served),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    orders = [t.order_id for t in served.fake.ledger if (t.order_id or "").startswith("c-")]
    assert sorted(orders) == sorted(f"c-{i}" for i in range(400))


def test_serve_prints_credentials_and_answers(tmp_path: Path) -> None:
    """serve: the base URL, credentials, one member's email and an unbroken curl line, even
    on a narrow terminal; it answers, its --fault and --latency apply; Ctrl-C stops it."""
    port = _free_port()
    rehearsal = ["--latency", "0.01", "--fault", "drop_after:POST /deduct:1"]
    process = subprocess.Popen(
        _command("serve", "--port", str(port), "--members", "20", *rehearsal),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "40"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(9)]
        assert f"http://127.0.0.1:{port}/v2/loyalty" in lines[0]
        assert "SHOPSOCIALLY_API_KEY=test-api-key" in "".join(lines)
        members = [line for line in lines if line.startswith("  a member: ")]
        assert len(members) == 1
        assert re.fullmatch(r"  a member: \S+@\S+\n", members[0])
        (curl,) = [line for line in lines if "curl" in line]
        assert curl.rstrip().endswith(f"http://127.0.0.1:{port}/v2/loyalty/activities")
        assert lines[-1] == "Ctrl-C stops it.\n"
        assert "  fault: 0.01 s latency on *, every request\n" in lines
        assert "  fault: drop_after on POST /deduct, the first request\n" in lines
        response = _get_when_up(f"http://127.0.0.1:{port}/v2/loyalty/activities")
        assert response.json()["success"] is True
        email = members[0].split(": ")[1].strip()
        body = {"user_email": email, "points_passed": 1, "reason": "rehearsal"}
        with pytest.raises(httpx.RemoteProtocolError):
            _post(f"http://127.0.0.1:{port}/v2/loyalty/deduct", body)
        assert _post(f"http://127.0.0.1:{port}/v2/loyalty/deduct", body).json()["success"]
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=10)
    assert process.returncode == 0


def test_serve_with_a_rate_limit_refuses_the_excess_and_reports_it() -> None:
    """serve --rate-limit 2: five requests at once get three 429s, and Ctrl-C prints how the
    traffic compared with the limit."""
    port = _free_port()
    process = subprocess.Popen(
        _command("serve", "--port", str(port), "--members", "5", "--rate-limit", "2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},  # one line per message
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline()]
        while banner[-1] not in ("Ctrl-C stops it.\n", ""):
            banner.append(process.stdout.readline())
        assert banner[-2:] == [
            "Account rate limit: 2 requests/s (beyond it: 429 RATE_LIMIT_EXCEEDED)\n",
            "Ctrl-C stops it.\n",
        ]
        url = f"http://127.0.0.1:{port}/v2/loyalty/activities"
        first = _get_when_up(url)  # the first that answers takes one slot
        with httpx.Client(
            headers={"partner-id": "test-partner", "api-key": "test-api-key"}
        ) as http:
            codes = [http.get(url).status_code for _ in range(4)]
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=10)
    assert first.status_code == 200
    assert codes.count(429) >= 1  # three, unless the machine stalled for a second
    summary = re.search(r"(\d+) requests, (\d+) answered 429; the busiest 1-second", out)
    assert summary is not None, out
    assert summary.groups() == ("5", str(codes.count(429)))
    assert process.returncode == 0


def test_serve_checks_its_port_before_the_banner() -> None:
    """A port in use: one line naming it and what to do, exit 2, no banner."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            _command("serve", "--port", str(port), "--members", "0"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")
    assert "--port" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _post(url: str, body: dict[str, object]) -> httpx.Response:
    headers = {"partner-id": "test-partner", "api-key": "test-api-key"}
    return httpx.post(url, json=body, headers=headers)


def test_module_help_runs() -> None:
    """python -m shopsocially_async --help lists the commands."""
    result = subprocess.run(_command("--help"), capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert all(name in result.stdout for name in ("demo", "serve", "award", "export"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_when_up(url: str) -> httpx.Response:
    headers = {"partner-id": "test-partner", "api-key": "test-api-key"}
    for _ in range(200):
        try:
            return httpx.get(url, headers=headers)
        except httpx.ConnectError:
            time.sleep(0.05)
    raise AssertionError(f"{url} never answered")


def test_ctrl_c_during_export_then_resume(served: Served, tmp_path: Path) -> None:
    """SIGINT mid-export: exit 130 with the resume command; resuming completes it exactly."""
    served.fake.latency = 0.05
    out = tmp_path / "tx.jsonl"
    args = [
        *served.options,
        "export",
        "transactions",
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
        "--out",
        str(out),
    ]
    process = subprocess.Popen(
        _command(*args),
        env=_environment(served),
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    _wait_for_lines(out, 100, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "--resume" in err
    served.fake.latency = 0
    again = subprocess.run(
        _command(*args, "--resume"),
        env=_environment(served),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert sorted(ids) == sorted(t.id for t in served.fake.ledger)
