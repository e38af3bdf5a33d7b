"""export (with resume after a crash), one-shot look-ups, and option errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from shopsocially_async.bulk import _checkpoint

from .conftest import Outcome, Served

Cli = Callable[..., Outcome]
TODAY = date.today()  # noqa: DTZ011 - the fake's clock is the wall clock
DATES = ["--from", str(TODAY - timedelta(days=400)), "--to", str(TODAY)]


class _Crash(Exception):
    """Stands for the process dying mid-export."""


def test_export_resume_after_crash_has_every_record_once(
    served: Served, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash after the second page; --resume completes with no record twice or missing."""
    out = tmp_path / "tx.jsonl"
    real_save, calls = _checkpoint.Checkpoint.save, []

    def crashing_save(self: Any, path: Path) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise _Crash
        real_save(self, path)

    monkeypatch.setattr(_checkpoint.Checkpoint, "save", crashing_save)
    with pytest.raises(_Crash):
        cli(*served.options, "export", "transactions", *DATES, "--out", out)
    monkeypatch.setattr(_checkpoint.Checkpoint, "save", real_save)
    result = cli(*served.options, "export", "transactions", *DATES, "--out", out, "--resume")
    assert result.code == 0, result.err
    ids = [json.loads(line)["id"] for line in out.read_text().splitlines()]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == sorted(t.id for t in served.fake.ledger)


def test_export_users_csv(served: Served, cli: Cli, tmp_path: Path) -> None:
    """Members to CSV: a header and one row per member."""
    out = tmp_path / "members.csv"
    result = cli(
        *served.options,
        "export",
        "users",
        "--from",
        "2000-01-01",
        "--to",
        str(TODAY),
        "--format",
        "csv",
        "--out",
        out,
        "--window-days",
        "90",
    )
    assert result.code == 0, result.err
    assert len(out.read_text().splitlines()) == 1 + len(served.fake.members)
    assert f"wrote {len(served.fake.members)} records" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "2024-13-01", "--to", "2024-12-31"],
            "error: --from: '2024-13-01' is not a date",
        ),
        (["--from", "2024-02-01", "--to", "yesterday"], "error: --to: 'yesterday' is not a date"),
        (["--from", "2024-02-01", "--to", "2024-01-01"], "error: --from (2024-02-01) is after"),
    ],
)
def test_bad_dates_name_the_option(
    served: Served, cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    """A bad or inverted date: exit 2 and one line naming the option."""
    result = cli(*served.options, "export", "transactions", *args, "--out", tmp_path / "x.jsonl")
    assert result.code == 2
    assert result.err.startswith(message)
    assert len(result.err.strip().splitlines()) == 1


def test_bad_format_is_refused(served: Served, cli: Cli, tmp_path: Path) -> None:
    """--format other than jsonl or csv: exit 2."""
    result = cli(*served.options, "export", "users", *DATES, "--format", "xml", "--out", tmp_path)
    assert result.code == 2
    assert "--format" in result.err


def test_lookups_print_json(served: Served, cli: Cli) -> None:
    """user, transaction, activities and redemptions print JSON on stdout."""
    member = served.fake.members[0]
    user = cli(*served.options, "user", member.email)
    assert user.code == 0
    assert json.loads(user.out)["user_email"] == member.email
    txn = served.fake.ledger[0]
    assert json.loads(cli(*served.options, "transaction", txn.id).out)["id"] == txn.id
    activities = json.loads(cli(*served.options, "activities").out)
    assert "made_a_purchase" in {a["activity_id"] for a in activities}
    assert json.loads(cli(*served.options, "redemptions").out)


def test_unknown_member_lookup_is_one_line_exit_1(served: Served, cli: Cli) -> None:
    """A member that does not exist: exit 1 and the API's error in one line."""
    result = cli(*served.options, "user", "ghost@example.com")
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert len(result.err.strip().splitlines()) == 1


def test_missing_credentials_is_one_line_exit_2(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """No partner id, or no API key: exit 2, one line naming the option and its variable."""
    for name in ("SHOPSOCIALLY_PARTNER_ID", "SHOPSOCIALLY_API_KEY", "SHOPSOCIALLY_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    result = cli("activities")
    assert result.code == 2
    assert result.err == (
        "error: no partner id: pass --partner-id (or set SHOPSOCIALLY_PARTNER_ID)\n"
    )
    result = cli("--partner-id", "p-1", "activities")
    assert result.code == 2
    assert result.err == "error: no API key: set SHOPSOCIALLY_API_KEY (or pass --api-key)\n"


def test_export_infers_csv_from_the_suffix(served: Served, cli: Cli, tmp_path: Path) -> None:
    """--out x.csv without --format writes CSV; a suffix it cannot read, or one that
    contradicts --format, is refused before anything is fetched."""
    out = tmp_path / "members.csv"
    result = cli(*served.options, "export", "users", *DATES, "--out", out)
    assert result.code == 0, result.err
    assert out.read_text().splitlines()[0].startswith("user_id,")
    for args in (["--out", tmp_path / "x.txt"], ["--format", "jsonl", "--out", tmp_path / "y.csv"]):
        refused = cli(*served.options, "export", "users", *DATES, *args)
        assert refused.code == 2
        assert "--format" in refused.err
    assert not (tmp_path / "x.txt").exists()
    assert not (tmp_path / "y.csv").exists()


def test_an_existing_output_is_kept_unless_resumed_or_forced(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """An existing file is not overwritten: --resume continues only an export of ours;
    --force replaces it."""
    out = tmp_path / "tx.jsonl"
    out.write_text("my precious data\n")
    export = [*served.options, "export", "transactions", *DATES, "--out", out]
    refused = cli(*export)
    assert refused.code == 2
    assert "pass --resume to continue the export that wrote it, or --force" in refused.err
    not_ours = cli(*export, "--resume")
    assert not_ours.code == 2
    assert "has no checkpoint" in not_ours.err
    assert out.read_text() == "my precious data\n"
    forced = cli(*export, "--force")
    assert forced.code == 0, forced.err
    assert len(out.read_text().splitlines()) == len(served.fake.ledger)
