"""The command line on Temporal: ``deduct FILE --temporal ...`` against a running worker
writes the same failures file as a run here, exits the same way, and attaches by run id."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from shopsocially_async.cli import main
from shopsocially_async.cli.csvinput import SPECS
from shopsocially_async.cli.outputs import FAILURE_COLUMNS

from .conftest import Env, member


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command line in process: its exit status and stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    code = exit_info.value.code
    return (code if isinstance(code, int) else 1), capsys.readouterr().err


@pytest.fixture
def submit(
    env: Env, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str]]:
    """``deduct FILE`` submitted to the test's worker (credentials from the environment)."""
    monkeypatch.setenv("SHOPSOCIALLY_API_KEY", env.fake.api_key)

    def run(path: Path, run_id: str, *extra: str) -> tuple[int, str]:
        return cli(
            capsys, "--base-url", env.base_url, "--partner-id", env.fake.partner_id, "deduct",
            str(path), "--temporal", env.target, "--redis", env.redis, "--run-id", run_id,
            "--task-queue", env.task_queue, "--settle-grace", "0.2", *extra,
        )  # fmt: skip

    return run


def write_rows(path: Path, emails: list[str]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "points_passed", "reason"])
        for i, email in enumerate(emails):
            writer.writerow([email, "2", f"cli row {i}"])


def test_failures_file_has_a_local_runs_shape_and_exit_1(
    env: Env, submit: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    """Five rows, one for an unknown member: four applied once, the fifth in
    deductions.failures.csv with the local run's columns, exit 1; submitting the same run
    id again reports the finished run and sends nothing."""
    path = tmp_path / "deductions.csv"
    write_rows(path, [member(0), member(1), "nobody@example.com", member(2), member(3)])
    run_id = env.run_id()
    code, err = submit(path, run_id)
    assert code == 1, err
    assert f"run {run_id} (5 rows, 1 chunk): started" in err
    with (tmp_path / "deductions.failures.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == [*SPECS["deduct"].columns, *FAILURE_COLUMNS]
        (row,) = list(reader)
    assert (row["user_email"], row["error_code"], row["outcome_unknown"], row["line"]) == (
        "nobody@example.com", "INVALID_MEMBER", "false", "4",
    )  # fmt: skip
    applied = sorted(t.reason for t in env.fake.ledger if t.reason)
    assert applied == ["cli row 0", "cli row 1", "cli row 3", "cli row 4"]
    code, err = submit(path, run_id)
    assert code == 1
    assert "finished earlier: reporting it again (nothing is sent)" in err
    assert len(env.fake.ledger) == 4


def test_temporal_options_come_together(
    env: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--temporal without --run-id, or with --resume, is a one-line usage error (exit 2)."""
    path = tmp_path / "d.csv"
    write_rows(path, [member(0)])
    code, err = cli(capsys, "deduct", str(path), "--temporal", env.target, "--redis", env.redis)
    assert code == 2
    assert "--temporal needs --run-id ID" in err
    code, err = cli(
        capsys, "deduct", str(path), "--temporal", env.target, "--redis", env.redis,
        "--run-id", "x", "--resume",
    )  # fmt: skip
    assert code == 2
    assert "on Temporal the same --run-id continues a run" in err


def test_the_same_file_under_a_new_run_id_is_refused_unless_forced(
    env: Env, submit: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    """A file already run as run A, submitted as run B: refused in one line naming run A,
    nothing sent; --force-new-run applies it again as run B."""
    path = tmp_path / "twice.csv"
    write_rows(path, [member(0), member(1)])
    first = env.run_id()
    assert submit(path, first)[0] == 0
    code, err = submit(path, env.run_id())
    assert code == 2
    assert f"was already submitted as run {first}: a new run would apply its rows again" in err
    assert f"--run-id {first}" in err
    assert len(env.fake.ledger) == 2
    code, err = submit(path, env.run_id(), "--force-new-run")
    assert code == 0, err
    assert len(env.fake.ledger) == 4


def test_an_unreachable_redis_is_one_line_exit_3(
    env: Env, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--redis pointing at nothing: 'cannot reach Redis', exit 3, no traceback."""
    path = tmp_path / "d.csv"
    write_rows(path, [member(0)])
    code, err = cli(
        capsys, "deduct", str(path), "--temporal", env.target, "--redis", "redis://127.0.0.1:9/0",
        "--run-id", "unreachable-redis",
    )  # fmt: skip
    assert code == 3
    assert err.startswith("error: cannot reach Redis at 127.0.0.1:9/0")
    assert len(err.strip().splitlines()) == 1


def test_inputs_are_remembered_per_partner_and_api() -> None:
    """The same partner id on a staging API and on the production one are two accounts: a
    file run on one is no reason to refuse it on the other. The same API spelt with a
    trailing slash, another host case or its default port, or given by default, is the same
    account."""
    from shopsocially_async._config import DEFAULT_BASE_URL
    from shopsocially_async.cli._runtime import Settings
    from shopsocially_async.cli.temporalcmd import _account

    def account(base_url: str | None, partner_id: str = "p-1") -> str:
        return _account(Settings(base_url=base_url, partner_id=partner_id, api_key="k"))

    staging = account("https://staging.example.com/v2/loyalty")
    production = account(None)
    assert staging != production
    assert production == account(DEFAULT_BASE_URL + "/")
    assert production == account("HTTPS://API.ShopSocially.com:443/v2/loyalty")
    assert production != account(None, partner_id="p-2")
    assert production.startswith("p-1@")
