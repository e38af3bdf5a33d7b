"""``reconcile FAILURES.csv``: settling an earlier run's in-doubt rows from the ledger."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx

from shopsocially_async.testing import Fault

from .conftest import Outcome, Served, csv_rows, deduct_directly, deducts_csv

Cli = Callable[..., Outcome]
NOW = ["--settle-grace", "0"]


def _ids_by_reason(served: Served, prefix: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for txn in served.fake.ledger:
        if (txn.reason or "").startswith(prefix):
            found.setdefault(txn.reason or "", []).append(txn.id)
    return found


def test_reconcile_settles_what_drop_after_and_timeout_after_left_in_doubt(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A run whose answers were lost (drop_after, timeout_after, a 500) and whose own
    settling could not read the ledger lists them as outcome unknown; reconcile then finds
    the applied ones (with their transaction) and the one that did not apply (to resend)."""
    fake = served.fake
    fake.inject(Fault("drop_after", route="POST /deduct", every_nth=3, times=2))
    fake.inject(Fault("timeout_after", route="POST /deduct", every_nth=4, times=1, latency=5))
    fake.inject(Fault("server_error", route="POST /deduct", every_nth=5, times=1))
    fake.inject(Fault("server_error", route="GET /users/{email}/transactions"))
    reasons = [f"rec-{i}" for i in range(12)]
    path = deducts_csv(served, tmp_path, reasons)
    quick = ["--max-retries", "0", "--timeout", "1", "--concurrency", "1"]
    run = cli(*served.options, *quick, "deduct", path, *NOW)
    assert run.code == 1, run.err
    failures = csv_rows(tmp_path / "d.failures.csv")
    assert [f["outcome_unknown"] for f in failures] == ["true"] * 4
    assert all("ledger could not be read" in f["message"] for f in failures)
    fake.clear_faults()
    result = cli(*served.options, "reconcile", tmp_path / "d.failures.csv", *NOW)
    assert result.code == 0, result.err
    assert "3 applied, 1 not applied, 0 ambiguous" in result.err
    ledger = _ids_by_reason(served, "rec-")
    verdicts = {r["reason"]: r for r in csv_rows(tmp_path / "d.failures.reconciled.csv")}
    for reason, row in verdicts.items():
        if reason in ledger:
            assert (row["verdict"], [row["transaction_id"]]) == ("applied", ledger[reason])
        else:
            assert (row["verdict"], row["transaction_id"]) == ("not_applied", "")
    (resend,) = csv_rows(tmp_path / "d.failures.resend.csv")
    assert resend["reason"] not in ledger
    assert set(resend) == {"user_email", "points_passed", "reason"}  # ready to send again
    assert all(len(ids) == 1 for ids in ledger.values())


def test_reconcile_exits_1_while_a_row_stays_ambiguous(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Two transactions could be the row's: ambiguous with both candidates, exit 1; a row
    that certainly failed is copied as not applied and goes to the resend file."""
    path = deducts_csv(served, tmp_path, ["amb-0", "amb-1"])
    first, second = csv_rows(path)
    candidates = {deduct_directly(served, first) for _ in range(2)}
    failures = tmp_path / "f.csv"
    with failures.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_email", "points_passed", "reason", "outcome_unknown", "sent_at"])
        writer.writerow([*first.values(), "true", "2000-01-01T00:00:00+00:00"])
        writer.writerow([*second.values(), "false", ""])
    result = cli(*served.options, "reconcile", failures, *NOW)
    assert result.code == 1
    assert "1 row stays ambiguous" in result.err
    rows = {r["reason"]: r for r in csv_rows(tmp_path / "f.reconciled.csv")}
    assert rows["amb-0"]["verdict"] == "ambiguous"
    assert set(rows["amb-0"]["candidates"].split()) == candidates
    assert rows["amb-1"]["verdict"] == "not_applied"
    assert [r["reason"] for r in csv_rows(tmp_path / "f.resend.csv")] == ["amb-1"]


def test_reconcile_a_plain_input_file_since_a_time(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Without outcome columns every row is in doubt; without sent_at, --since is needed."""
    path = deducts_csv(served, tmp_path, ["plain-0", "plain-1"])
    deduct_directly(served, csv_rows(path)[0])
    refused = cli(*served.options, "reconcile", path)
    assert refused.code == 2
    assert "no sent_at: pass --since" in refused.err
    result = cli(*served.options, "reconcile", path, "--since", "2000-01-01T00:00", *NOW)
    assert result.code == 0, result.err
    verdicts = Counter(r["verdict"] for r in csv_rows(tmp_path / "d.reconciled.csv"))
    assert verdicts == {"applied": 1, "not_applied": 1}


def test_a_member_that_does_not_exist_has_no_ledger_so_nothing_applied(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A row in doubt for a member the API does not know: settled not applied (to resend),
    not "ambiguous (the ledger could not be read)" forever."""
    path = tmp_path / "ghost.failures.csv"
    path.write_text(
        "user_email,points_passed,reason,outcome_unknown,sent_at\n"
        "ghost@example.com,1,ghost-0,true,2024-05-01T09:30:00+00:00\n"
    )
    result = cli(*served.options, "reconcile", path, *NOW)
    assert result.code == 0, result.err
    assert "0 applied, 1 not applied, 0 ambiguous" in result.err
    (row,) = csv_rows(tmp_path / "ghost.failures.resend.csv")
    assert row["reason"] == "ghost-0"


def test_a_product_return_in_doubt_is_never_said_applied_by_reconcile(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A failures file lists no row that applied, so reconcile cannot tell a lamp's return
    in doubt from the mug's return of the same order, which applied without naming its
    transaction: ambiguous while the ledger shows a return of the order (exit 1), and not
    applied for an order that has none."""
    email = served.fake.members[0].email
    for order in ("lamp-1", "lamp-2"):
        served.fake.add_order(order, email, [("mug", 1, 100), ("lamp", 1, 100)])
    headers = {"partner-id": served.fake.partner_id, "api-key": served.fake.api_key}
    body = {"order_id": "lamp-1", "returned_product_id": "mug", "quantity": 1}
    answer = httpx.post(f"{served.base_url}/transaction/return", json=body, headers=headers)
    assert answer.json()["success"] is True
    path = tmp_path / "r.failures.csv"
    path.write_text(
        "order_id,returned_product_id,user_email,outcome_unknown,sent_at\n"
        f"lamp-1,lamp,{email},true,2000-01-01T00:00:00+00:00\n"
        f"lamp-2,lamp,{email},true,2000-01-01T00:00:00+00:00\n"
    )
    result = cli(*served.options, "reconcile", path, *NOW)
    assert result.code == 1, result.err
    (mug,) = [t for t in served.fake.ledger if t.returned_product_id == "mug"]
    rows = {r["order_id"]: r for r in csv_rows(tmp_path / "r.failures.reconciled.csv")}
    assert (rows["lamp-1"]["verdict"], rows["lamp-1"]["candidates"]) == ("ambiguous", mug.id)
    assert rows["lamp-2"]["verdict"] == "not_applied"
