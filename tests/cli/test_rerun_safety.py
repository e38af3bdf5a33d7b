"""What an operator does after a run went wrong, and what must never follow from it: a row
applied twice. Resume after kill -9 while the server is slow, the hints of every refusal,
--resume without a journal, an edited file resumed, the same file started again."""
# ruff: noqa: S603 - these tests start our own command line with sys.executable

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shopsocially_async.testing import FakeShopSocially, Fault

from .conftest import (
    Outcome,
    Served,
    applied_reasons,
    csv_rows,
    deducts_csv,
    journal_rows,
    read_journal,
    serving,
)

Cli = Callable[..., Outcome]
NOW = ["--settle-grace", "0"]
SAFE_HINTS = ("--resume", "reconcile")


def _assert_hint_is_safe(err: str) -> None:
    """No refusal suggests a fresh journal or deleting one."""
    assert "--journal NEW" not in err
    assert "delete" not in err
    assert any(hint in err for hint in SAFE_HINTS), err


@pytest.fixture
def slow_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """Deducts take 2.5 s at the server (the latency of a busy API)."""
    fake = FakeShopSocially()
    for i in range(5):
        fake.add_member(f"slow{i}@example.com", available_points=1000)
    fake.inject(Fault("latency", route="POST /deduct", latency=2.5))
    with serving(fake, monkeypatch) as served:
        yield served


def test_resume_after_kill_waits_out_the_interrupted_runs_deadline(
    slow_server: Served, tmp_path: Path, cli: Cli
) -> None:
    """kill -9 while five deducts are still being handled, then --resume at once: it waits
    until their sends are older than the killed run's call deadline (3 s) plus the grace
    before reading the ledger, so each row applied exactly once (never 'to send again')."""
    path = tmp_path / "d.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "points_passed", "reason"])
        writer.writerows([f"slow{i}@example.com", 1, f"slow-{i}"] for i in range(5))
    command = [sys.executable, "-m", "shopsocially_async", *slow_server.options,
               "--timeout", "3", "--max-retries", "0", "deduct", str(path),
               "--concurrency", "5", "--settle-grace", "0.2"]  # fmt: skip
    env = {**os.environ, "SHOPSOCIALLY_API_KEY": slow_server.fake.api_key}
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    journal = tmp_path / "d.journal"
    deadline = time.monotonic() + 30
    while sum(r["t"] == "sent" for r in _records(journal)) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)  # the requests reach the server (which takes 2.5 s over each)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert applied_reasons(slow_server, "slow-") == {}  # still being handled
    result = cli(*slow_server.options, "--timeout", "3", "--max-retries", "0", "deduct", path,
                 "--resume", "--settle-grace", "0.2")  # fmt: skip
    assert result.code == 0, result.err
    assert "settled: 5 applied" in result.err
    assert "(until each call's deadline has passed, then --settle-grace)" in result.err
    assert applied_reasons(slow_server, "slow-") == {f"slow-{i}": 1 for i in range(5)}


def _records(path: Path) -> list[dict[str, object]]:
    return read_journal(path) if path.exists() else []


def test_refusals_point_only_to_safe_commands(served: Served, cli: Cli, tmp_path: Path) -> None:
    """An interrupted journal without --resume, a changed file, another --base-url: each
    refusal names --resume (or --allow-changed-input), never a new journal; nothing sent."""
    path = deducts_csv(served, tmp_path, [f"hint-{i}" for i in range(4)])
    journal_rows(served, path, "deduct", done=[2, 3])
    interrupted = cli(*served.options, "deduct", path)
    assert interrupted.code == 2
    _assert_hint_is_safe(interrupted.err)
    other_url = served.base_url.replace("127.0.0.1", "localhost")
    moved = cli("--base-url", other_url, "--partner-id", served.fake.partner_id, "deduct",
                path, "--resume")  # fmt: skip
    assert moved.code == 2
    assert f"run it with --base-url {served.base_url}" in moved.err
    _assert_hint_is_safe(moved.err)
    with path.open("a") as handle:
        handle.write(f"{served.fake.members[0].email},1,hint-extra\n")
    changed = cli(*served.options, "deduct", path, "--resume")
    assert changed.code == 2
    assert "--resume --allow-changed-input" in changed.err
    _assert_hint_is_safe(changed.err)
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_a_finished_run_with_failures_points_to_reconcile(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Run again after a run that ended with a failed row: the note sends the operator to
    reconcile and its .resend.csv (never to deleting the journal); nothing is sent."""
    path = deducts_csv(served, tmp_path, ["fin-0", "fin-1"])
    with path.open("a") as handle:
        handle.write("nobody@example.com,1,fin-2\n")
    assert cli(*served.options, "deduct", path).code == 1
    sent = served.fake.stats.requests["POST /deduct"]
    again = cli(*served.options, "deduct", path)
    assert again.code == 1
    assert again.err.startswith(f"note: {path} was already processed to the end")
    assert f"shopsocially-async reconcile {tmp_path / 'd.failures.csv'}" in again.err
    assert str(tmp_path / "d.failures.resend.csv") in again.err
    _assert_hint_is_safe(again.err)
    assert served.fake.stats.requests["POST /deduct"] == sent


def test_the_same_file_under_another_journal_is_refused_unless_forced(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A copy of a processed file, or --journal NEW beside its journal: refused, naming the
    journal that ran it; --force-new-run sends it anyway."""
    path = deducts_csv(served, tmp_path, ["copy-0", "copy-1"])
    assert cli(*served.options, "deduct", path).code == 0
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    refused = cli(*served.options, "deduct", copy)
    assert refused.code == 2
    assert f"{tmp_path / 'd.journal'} holds a run that processed it to the end" in refused.err
    assert "Every row of it applied: there is nothing left to send." in refused.err
    assert "--journal NEW" not in refused.err
    fresh = cli(*served.options, "deduct", path, "--journal", tmp_path / "new.journal")
    assert fresh.code == 2
    assert not (tmp_path / "new.journal").exists() or read_journal(tmp_path / "new.journal") == []
    assert applied_reasons(served, "copy-") == {"copy-0": 1, "copy-1": 1}
    forced = cli(*served.options, "deduct", copy, "--force-new-run")
    assert forced.code == 0, forced.err
    assert applied_reasons(served, "copy-") == {"copy-0": 2, "copy-1": 2}


def test_a_copy_of_a_file_whose_run_had_failures_names_its_failures_file(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """The completed run left one failed row: the refusal says how many, and where."""
    path = deducts_csv(served, tmp_path, ["fail-0"])
    with path.open("a") as handle:
        handle.write("nobody@example.com,1,fail-1\n")
    assert cli(*served.options, "deduct", path).code == 1
    copy = tmp_path / "copy.csv"
    copy.write_bytes(path.read_bytes())
    refused = cli(*served.options, "deduct", copy)
    assert refused.code == 2
    assert (
        f"Its 1 failed row is in its failures file ({tmp_path / 'd.failures.csv'}, unless "
        "that run named another with --failures)"
    ) in refused.err
    _assert_hint_is_safe(refused.err)


def test_an_interrupted_run_under_another_journal_names_the_resume_command(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """The file's journal is interrupted: a run under --journal NEW is refused with the
    command that continues the interrupted run instead."""
    path = deducts_csv(served, tmp_path, ["int-0", "int-1"])
    journal_rows(served, path, "deduct", done=[2])
    refused = cli(*served.options, "deduct", path, "--journal", tmp_path / "other.journal")
    assert refused.code == 2
    assert f"--journal {tmp_path / 'd.journal'} --resume" in refused.err
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_resume_without_a_journal_is_an_error_naming_it(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """--resume with no journal: exit 2, the path it looked for, nothing sent or created."""
    path = deducts_csv(served, tmp_path, ["none-0"])
    result = cli(*served.options, "deduct", path, "--resume")
    assert result.code == 2
    assert result.err == (
        f"error: --resume: there is no journal at {tmp_path / 'd.journal'}, so there is no run "
        "to continue (name it with --journal, or leave out --resume to start a run)\n"
    )
    assert not (tmp_path / "d.journal").exists()
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_an_edited_row_that_may_have_applied_is_refused(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Row 2 applied with 1 point, then edited to 6: --resume --allow-changed-input refuses
    it by its reason (listing what changed), and row 4, never sent, with it (new to the
    journal, it could be the edit of row 2's first content); nothing is sent."""
    path = deducts_csv(served, tmp_path, ["edit-0", "edit-1", "edit-2"])
    journal_rows(served, path, "deduct", done=[2], sent=[3])
    path.write_text(path.read_text().replace(",1,edit-0", ",6,edit-0"))
    result = cli(*served.options, "deduct", path, "--resume", "--allow-changed-input", *NOW)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines[0] == (
        f"error: {path} line 2: reason 'edit-0' was sent before (line 2) and may have "
        "applied, and its row changed since (points_passed '1', now '6')"
    )
    assert lines[1].startswith(f"error: {path} line 4: a new row, while 1 row that may have")
    assert lines[-1].startswith(f"error: {path}: 2 rows refused; nothing was sent.")
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_an_edited_row_that_failed_is_sent_and_new_rows_go_too(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A row that certainly failed (unknown member) corrected, and a row added: with
    --allow-changed-input both are sent once; the row that applied is not sent again (the
    earlier failure stays on record: exit 1)."""
    path = deducts_csv(served, tmp_path, ["fix-0"])
    with path.open("a") as handle:
        handle.write("nobody@example.com,1,fix-1\n")
    assert cli(*served.options, "deduct", path).code == 1
    member = served.fake.members[0].email
    path.write_text(path.read_text().replace("nobody@example.com", member) + f"{member},1,fix-2\n")
    result = cli(*served.options, "deduct", path, "--resume", "--allow-changed-input", *NOW)
    assert result.code == 1, result.err
    assert "skipped 1 row already done" in result.err
    assert applied_reasons(served, "fix-") == {"fix-0": 1, "fix-1": 1, "fix-2": 1}


def test_rows_without_a_name_are_refused_while_a_row_that_applied_vanished(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Redeems have no identity column: after the applied row's redemption changed, its
    new content could be an edit of it, so it is refused; nothing is sent."""
    email = next(m.email for m in served.fake.members if m.available_points >= 600)
    path = tmp_path / "r.csv"
    path.write_text(f"user_email,redemption_id\n{email},$5_gift_card\n{email},$10_gift_card\n")
    journal_rows(served, path, "redeem", done=[2])
    path.write_text(f"user_email,redemption_id\n{email},$10_gift_card\n{email},$20_gift_card\n")
    result = cli(*served.options, "redeem", path, "--resume", "--allow-changed-input", *NOW)
    assert result.code == 2
    assert (
        "line 3: a new row, while 1 row that may have applied (line 2 when sent) is no longer "
        "in the file: it may be an edit of one (of any of its cells)"
    ) in result.err
    assert served.fake.stats.requests["POST /redeem"] == 0


def test_an_identity_added_or_edited_after_rows_applied_is_refused(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """The identity column can be the edited cell: awards that applied without order_id,
    then given one each; a deduct's reason with its case fixed. Each new row may be an
    edit of a row that applied and is gone: refused, nothing sent, emails not printed."""
    emails = [m.email for m in served.fake.members[:3]]
    awards = tmp_path / "a.csv"
    awards.write_text(
        "user_email,activity_id,points_passed\n"
        + "".join(f"{e},made_a_purchase,{700 + i}\n" for i, e in enumerate(emails))
    )
    journal_rows(served, awards, "award", done=[2, 3, 4])
    awards.write_text(
        "user_email,activity_id,points_passed,order_id\n"
        + "".join(f"{e},made_a_purchase,{700 + i},new-{i}\n" for i, e in enumerate(emails))
    )
    deducts = deducts_csv(served, tmp_path, ["typo #0", "typo #1"])
    journal_rows(served, deducts, "deduct", done=[2, 3])
    deducts.write_text(deducts.read_text().replace("typo #1", "Typo #1"))
    for kind, path, refused_rows in (("award", awards, 3), ("deduct", deducts, 1)):
        result = cli(*served.options, kind, path, "--resume", "--allow-changed-input", *NOW)
        assert result.code == 2, result.err
        assert f"{refused_rows} {'row' if refused_rows == 1 else 'rows'} refused" in result.err
        assert "it may be an edit of one (of any of its cells)" in result.err
        assert not any(email in result.err for email in emails)
    assert served.fake.stats.requests["POST /award"] == 0
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_an_edited_email_is_named_but_not_printed(served: Served, cli: Cli, tmp_path: Path) -> None:
    """A row that may have applied, its member changed: the refusal says the email
    changed, not what it was or is."""
    path = deducts_csv(served, tmp_path, ["moved-0"])
    journal_rows(served, path, "deduct", sent=[2])
    before = csv_rows(path)[0]["user_email"]
    after = next(m.email for m in served.fake.members if m.email != before)
    path.write_text(path.read_text().replace(before, after))
    result = cli(*served.options, "deduct", path, "--resume", "--allow-changed-input", *NOW)
    assert result.code == 2
    assert "its row changed since (user_email changed)" in result.err
    assert before not in result.err
    assert after not in result.err
    assert served.fake.stats.requests["POST /deduct"] == 0


def test_a_hang_up_after_every_row_is_done_changes_nothing(
    served: Served, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGHUP while the failures file is being written, every row done: exit 0, no resume
    hint, the journal complete."""
    from shopsocially_async.cli import bulkcmd

    finish = bulkcmd._Session._finish

    def hang_up_first(session: bulkcmd._Session) -> int:
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(0.3)  # the loop takes the signal meanwhile
        return finish(session)

    monkeypatch.setattr(bulkcmd._Session, "_finish", hang_up_first)
    path = deducts_csv(served, tmp_path, ["hup-0", "hup-1"])
    result = cli(*served.options, "deduct", path)
    assert result.code == 0, result.err
    assert "To resume" not in result.err
    assert read_journal(tmp_path / "d.journal")[-1]["t"] == "complete"


def test_the_report_counts_every_run_and_the_rate_only_the_sending(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A resume that waits 1.5 s to settle a row in doubt: its progress line's time is the
    sending's alone, and the last line counts the failure of the earlier run too."""
    path = deducts_csv(served, tmp_path, ["count-0", "count-1", "count-2"])
    with path.open("a") as handle:
        handle.write("nobody@example.com,1,count-3\n")
    journal = journal_rows(served, path, "deduct", sent=[2])
    with journal.open("ab") as handle:  # line 5 failed for certain in the earlier run
        from shopsocially_async.cli.csvinput import RowReader
        from shopsocially_async.cli.journal import encode, now

        row = next(r for r in RowReader(path, "deduct", "utf-8") if r.line == 5)
        handle.write(encode({"t": "sent", "k": row.key, "line": 5, "at": now(), "row": row.cells}))
        handle.write(encode({"t": "done", "k": row.key, "at": now(), "outcome": "failed",
                             "code": "INVALID_MEMBER", "msg": "no such member"}))  # fmt: skip
    result = cli(*served.options, "deduct", path, "--resume", "--settle-grace", "1.5")
    assert result.code == 1, result.err
    (line,) = [x for x in result.err.splitlines() if x.startswith("deduct: 3/3 done")]
    assert float(line.split(", ")[-1].removesuffix(" s")) < 1.0, line
    assert result.err.strip().splitlines()[-1] == (
        f"{path} ({path.stat().st_size} bytes, 4 rows), every run of {journal}: 3 applied, 1 failed"
    )
    assert csv_rows(tmp_path / "d.failures.csv")[0]["reason"] == "count-3"
