"""The bulk commands' journal in use: resume, settling, binding, damage, completion."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from shopsocially_async.testing import Fault

from .conftest import (
    Outcome,
    Served,
    applied_reasons,
    csv_rows,
    deduct_directly,
    deducts_csv,
    journal_rows,
    read_journal,
)

Cli = Callable[..., Outcome]
NOW = ["--settle-grace", "0"]


def test_resume_settles_rows_in_flight_before_sending_anything(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Rows sent but never answered: those in the ledger are done, not sent again; the
    others are sent once; everything else is sent once."""
    reasons = [f"fly-{i}" for i in range(12)]
    path = deducts_csv(served, tmp_path, reasons)
    journal_rows(served, path, "deduct", sent=range(2, 7))
    rows = csv_rows(path)
    landed = {deduct_directly(served, rows[i]) for i in (0, 2)}
    result = cli(*served.options, "deduct", path, "--resume", *NOW)
    assert result.code == 0, result.err
    assert "settled: 2 applied, 3 to send again" in result.err
    assert applied_reasons(served, "fly-") == dict.fromkeys(reasons, 1)
    done = [r for r in read_journal(tmp_path / "d.journal") if r.get("settled")]
    assert {r["id"] for r in done} == landed


def test_an_ambiguous_row_is_listed_and_never_sent_again(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Two transactions could be the in-flight row's: failures file, outcome_unknown=true,
    both candidates listed, exit 1; the row is not sent again, by this run or the next."""
    path = deducts_csv(served, tmp_path, ["twice-0", "twice-1"])
    journal_rows(served, path, "deduct", sent=[2])
    row = csv_rows(path)[0]
    candidates = {deduct_directly(served, row) for _ in range(2)}
    result = cli(*served.options, "deduct", path, "--resume", *NOW)
    assert result.code == 1, result.err
    (failure,) = csv_rows(tmp_path / "d.failures.csv")
    assert (failure["reason"], failure["outcome_unknown"]) == ("twice-0", "true")
    assert set(failure["candidates"].split()) == candidates
    assert "2 transactions match" in failure["message"]
    assert applied_reasons(served, "twice-") == {"twice-0": 2, "twice-1": 1}
    again = cli(*served.options, "deduct", path, "--resume")
    assert again.code == 1
    assert "already processed to the end" in again.err
    assert applied_reasons(served, "twice-") == {"twice-0": 2, "twice-1": 1}


def test_inserting_a_row_at_the_top_neither_skips_nor_resends(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Rows are keyed by content: a changed file is refused, then with
    --allow-changed-input the new row is sent and the done rows are not."""
    reasons = [f"ins-{i}" for i in range(10)]
    path = deducts_csv(served, tmp_path, reasons)
    journal_rows(served, path, "deduct", done=range(2, 7))  # ins-0..4 done
    lines = path.read_text().splitlines(keepends=True)
    member = csv_rows(path)[0]["user_email"]
    path.write_text("".join([lines[0], f"{member},1,ins-new\n", *lines[1:]]))
    refused = cli(*served.options, "deduct", path, "--resume")
    assert refused.code == 2
    assert "changed since" in refused.err
    assert "--allow-changed-input" in refused.err
    result = cli(*served.options, "deduct", path, "--resume", "--allow-changed-input")
    assert result.code == 0, result.err
    expected = {"ins-new": 1, **{f"ins-{i}": 1 for i in range(5, 10)}}
    assert applied_reasons(served, "ins-") == expected  # 0..4 were journaled done: not resent


def test_calls_that_end_in_doubt_are_settled_at_the_end_of_the_run(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """drop_after applied (settled applied, not in the failures file); server_error did not
    (failures file, outcome_unknown=false, says it is safe to send again)."""
    served.fake.inject(Fault("drop_after", route="POST /deduct", every_nth=4, times=2))
    served.fake.inject(Fault("server_error", route="POST /deduct", every_nth=5, times=1))
    reasons = [f"end-{i}" for i in range(20)]
    path = deducts_csv(served, tmp_path, reasons)
    result = cli(*served.options, "--concurrency", "1", "deduct", path, *NOW)
    assert result.code == 1, result.err
    applied = applied_reasons(served, "end-")
    (failure,) = csv_rows(tmp_path / "d.failures.csv")
    assert failure["outcome_unknown"] == "false"
    assert "settled: not applied, safe to send again" in failure["message"]
    assert applied == {r: 1 for r in reasons if r != failure["reason"]}
    settled = [r for r in read_journal(tmp_path / "d.journal") if r.get("settled")]
    assert len(settled) == 2


def test_a_damaged_journal_is_one_line_saying_what_to_do(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A damaged record in the middle: exit 2, one line, nothing sent; the reconcile command
    it suggests runs as given and lists the rows that did not apply."""
    path = deducts_csv(served, tmp_path, ["dmg-0", "dmg-1"])
    journal = journal_rows(served, path, "deduct", done=[2], sent=[3])
    data = journal.read_bytes().splitlines(keepends=True)
    data[2] = data[2].replace(b'"line":2', b'"line":7')
    journal.write_bytes(b"".join(data))
    result = cli(*served.options, "deduct", path, "--resume")
    assert result.code == 2
    (line,) = result.err.strip().splitlines()
    assert line.startswith(f"error: {journal} is damaged (record 3")
    assert served.fake.stats.requests["POST /deduct"] == 0
    suggested = re.search(r"shopsocially-async (reconcile \S+ --since \S+)", line)
    assert suggested is not None, line
    settled = cli(*served.options, *suggested.group(1).split(), *NOW)
    assert settled.code == 0, settled.err
    assert [r["reason"] for r in csv_rows(tmp_path / "d.resend.csv")] == ["dmg-0", "dmg-1"]


def test_a_completed_run_says_so_instead_of_sending_again(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """The same file again, with or without --resume: a note, exit 0, nothing sent."""
    path = deducts_csv(served, tmp_path, ["once-0", "once-1"])
    assert cli(*served.options, "deduct", path).code == 0
    for extra in ([], ["--resume"]):
        again = cli(*served.options, "deduct", path, *extra)
        assert again.code == 0
        assert again.err.startswith(f"note: {path} was already processed to the end")
    assert applied_reasons(served, "once-") == {"once-0": 1, "once-1": 1}


def test_a_journal_is_bound_to_its_options(served: Served, cli: Cli, tmp_path: Path) -> None:
    """Resuming with another partner id (another account's ledger) is refused."""
    path = deducts_csv(served, tmp_path, ["bound-0"])
    journal_rows(served, path, "deduct", sent=[2])
    other = ["--base-url", served.base_url, "--partner-id", "another-partner"]
    result = cli(*other, "deduct", path, "--resume")
    assert result.code == 2
    assert "written with --partner-id test-partner, not another-partner" in result.err


def test_a_journal_that_never_sent_a_row_needs_no_resume(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A run stopped before sending anything (say, the server was down) left nothing to
    resume: the next run starts afresh without --resume."""
    path = deducts_csv(served, tmp_path, ["fresh-0"])
    journal_rows(served, path, "deduct")
    result = cli(*served.options, "deduct", path)
    assert result.code == 0, result.err
    assert applied_reasons(served, "fresh-") == {"fresh-0": 1}


def test_a_return_in_doubt_is_settled_through_its_user_email_column(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """returns reads user_email (never sent) so that a return in flight can be settled:
    the one that landed is done, the other is sent once."""
    email = next(m.email for m in served.fake.members if m.available_points >= 50)
    headers = {"partner-id": served.fake.partner_id, "api-key": served.fake.api_key}
    for order in ("ret-a", "ret-b"):
        award = {"user_email": email, "activity_id": "made_a_purchase", "points_passed": 10,
                 "order_id": order}  # fmt: skip
        httpx.post(f"{served.base_url}/award", json=award, headers=headers).raise_for_status()
    path = tmp_path / "returns.csv"
    path.write_text(f"order_id,user_email\nret-a,{email}\nret-b,{email}\n")
    journal_rows(served, path, "returns", sent=[2])
    httpx.post(f"{served.base_url}/transaction/return", json={"order_id": "ret-a"},
               headers=headers).raise_for_status()  # fmt: skip
    result = cli(*served.options, "returns", path, "--resume", *NOW)
    assert result.code == 0, result.err
    assert "settled: 1 applied" in result.err
    returned = Counter(t.returned_for_order_id for t in served.fake.ledger
                       if t.returned_for_order_id in ("ret-a", "ret-b"))  # fmt: skip
    assert returned == {"ret-a": 1, "ret-b": 1}
