"""award / deduct / returns from CSV: exit codes, failures file, journal and resume."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from shopsocially_async.testing import Fault

from .conftest import Outcome, Served, journal_rows, read_journal

Cli = Callable[..., Outcome]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _orders(served: Served, n: int, tmp_path: Path, prefix: str = "o") -> Path:
    emails = [m.email for m in served.fake.members]
    rows: list[list[object]] = [
        [emails[i % len(emails)], "made_a_purchase", 10 + i, f"{prefix}-{i}"] for i in range(n)
    ]
    return _write_csv(
        tmp_path / "orders.csv", ["user_email", "activity_id", "points_passed", "order_id"], rows
    )


def _ledger_orders(served: Served, prefix: str) -> list[str]:
    return sorted(
        t.order_id
        for t in served.fake.ledger
        if t.transaction_type == "award" and (t.order_id or "").startswith(prefix)
    )


def test_award_csv_applies_every_row_once_and_exits_0(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """All rows succeed: exit 0, every order in the ledger once, every line journaled."""
    path = _orders(served, 40, tmp_path)
    result = cli(*served.options, "--concurrency", "8", "award", path)
    assert result.code == 0, result.err
    assert _ledger_orders(served, "o-") == sorted(f"o-{i}" for i in range(40))
    records = read_journal(tmp_path / "orders.journal")
    assert sorted(r["line"] for r in records if r["t"] == "sent") == list(range(2, 42))
    done = [r for r in records if r["t"] == "done"]
    assert [r["outcome"] for r in done] == ["applied"] * 40
    assert {r["id"] for r in done} == {t.id for t in served.fake.ledger if t.order_id in
                                       {f"o-{i}" for i in range(40)}}  # fmt: skip
    assert records[-1]["t"] == "complete"
    assert "award: 40/40 done, 0 failed" in result.err
    assert not (tmp_path / "orders.failures.csv").exists()
    served.fake.check_ledger()


def test_failed_rows_go_to_the_failures_file_and_exit_1(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """An unknown member fails alone: exit 1, the row and its error code in the failures file."""
    email = served.fake.members[0].email
    path = _write_csv(
        tmp_path / "deduct.csv",
        ["user_email", "points_passed", "reason"],
        [[email, 1, "fix"], ["ghost@example.com", 5, "fix"], [email, 2, "fix"]],
    )
    result = cli(*served.options, "deduct", path, "--failures", tmp_path / "bad.csv")
    assert result.code == 1
    with (tmp_path / "bad.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["user_email"] == "ghost@example.com"
    assert rows[0]["error_code"]
    assert rows[0]["outcome_unknown"] == "false"
    assert "1 failed row written to" in result.err


def test_returns_csv(served: Served, cli: Cli, tmp_path: Path) -> None:
    """returns reads order_id[, returned_amount]; an unknown order is a failure."""
    assert cli(*served.options, "award", _orders(served, 3, tmp_path, "r")).code == 0
    path = _write_csv(
        tmp_path / "returns.csv",
        ["order_id", "returned_amount"],
        [["r-0", ""], ["r-1", "5"], ["nope", ""]],
    )
    result = cli(*served.options, "returns", path)
    assert result.code == 1
    assert "returns: 3/3 done, 1 failed" in result.err


def test_product_returns_from_csv(served: Served, cli: Cli, tmp_path: Path) -> None:
    """returns reads returned_product_id and quantity too: one mug, then the other (the
    quantity defaults to 1), each taking back one mug's points once."""
    email = served.fake.members[0].email
    served.fake.add_order("mugs-1", email, [("mug", 2, 200), ("lamp", 1, 100)])
    path = _write_csv(
        tmp_path / "returns.csv",
        ["order_id", "returned_product_id", "quantity", "user_email"],
        [["mugs-1", "mug", "1", email], ["mugs-1", "mug", "", email]],
    )
    result = cli(*served.options, "--concurrency", "1", "returns", path)
    assert result.code == 0, result.err
    returned = [t for t in served.fake.ledger if t.returned_for_order_id == "mugs-1"]
    assert [(t.returned_product_id, t.returned_quantity, t.points) for t in returned] == [
        ("mug", 1, 100),
        ("mug", 1, 100),
    ]


def test_a_lost_product_return_is_not_given_its_twins_transaction(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Two product returns of one order, the second dropped before the server handles it:
    the first's transaction (its answer named none) is not taken for the second's. The
    second is in the failures file as ambiguous, listing it; exit 1."""
    email = served.fake.members[0].email
    served.fake.add_order("two-1", email, [("mug", 2, 200), ("lamp", 1, 100)])
    served.fake.inject(Fault("drop_before", route="POST /transaction/return", every_nth=2, times=1))
    path = _write_csv(
        tmp_path / "r.csv",
        ["order_id", "returned_product_id", "quantity", "user_email"],
        [["two-1", "mug", "1", email], ["two-1", "lamp", "1", email]],
    )
    result = cli(*served.options, "--concurrency", "1", "returns", path, "--settle-grace", "0")
    assert result.code == 1, result.err
    (returned,) = [t for t in served.fake.ledger if t.returned_for_order_id == "two-1"]
    assert returned.returned_product_id == "mug"
    with (tmp_path / "r.failures.csv").open(newline="") as handle:
        (failed,) = list(csv.DictReader(handle))
    assert (failed["returned_product_id"], failed["outcome_unknown"]) == ("lamp", "true")
    assert failed["candidates"] == returned.id


def test_product_return_rows_the_api_refuses_are_bad_input(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """An amount with a product, a quantity without one, a quantity of 0 or 1.5: every row
    named before anything is sent, exit 2."""
    path = _write_csv(
        tmp_path / "returns.csv",
        ["order_id", "returned_amount", "returned_product_id", "quantity"],
        [
            ["o-1", "5", "mug", "1"],
            ["o-2", "", "", "2"],
            ["o-3", "", "mug", "0"],
            ["o-4", "", "mug", "1.5"],
        ],
    )
    result = cli(*served.options, "returns", path)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines[:4] == [
        f"error: {path} line 2: returned_amount and returned_product_id are exclusive: pass "
        "one (the API answers PRODUCT_ID_AND_RETURN_AMOUNT_PASSED)",
        f"error: {path} line 3: quantity needs returned_product_id: which product?",
        f"error: {path} line 4, column quantity: '0' is not a positive number",
        f"error: {path} line 5, column quantity: '1.5' is not a whole number of units "
        "(digits only)",
    ]
    assert served.fake.stats.requests.total() == 0


def test_rows_keep_their_journal_keys_when_columns_are_added() -> None:
    """A returns row without the product columns has the key it had before they existed, so
    a journal written then resumes without sending its rows again."""
    import hashlib
    import json

    from shopsocially_async.cli.csvinput import SPECS, row_digest

    cells = {"order_id": "o-1", "returned_amount": "5", "user_email": "a@example.com"}
    before = json.dumps(["returns", ["o-1", "5", "a@example.com"]])
    expected = hashlib.blake2b(before.encode(), digest_size=12).hexdigest()
    assert row_digest("returns", SPECS["returns"], cells) == expected
    product = {**cells, "returned_amount": "", "returned_product_id": "mug"}
    assert row_digest("returns", SPECS["returns"], product) != expected


def test_malformed_row_is_one_line_naming_line_and_column(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """A bad number on line 3: exit 2, one line naming it, nothing sent."""
    path = _write_csv(
        tmp_path / "orders.csv",
        ["user_email", "activity_id", "points_passed"],
        [["a@example.com", "signup", "10"], ["b@example.com", "signup", "ten"]],
    )
    result = cli(*served.options, "award", path)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"error: {path} line 3, column points_passed: 'ten' is not a number (digits and at "
        "most one decimal point, e.g. 12 or 12.5)"
    ]
    assert served.fake.stats.requests["POST /award"] == 0


def test_unknown_column_and_missing_file(served: Served, cli: Cli, tmp_path: Path) -> None:
    """A misspelt header and a missing file are one-line errors with exit 2."""
    path = _write_csv(tmp_path / "x.csv", ["user_mail", "activity_id"], [["a@x.com", "signup"]])
    result = cli(*served.options, "award", path)
    assert result.code == 2
    assert "line 1: unknown column 'user_mail'" in result.err
    missing = cli(*served.options, "award", tmp_path / "absent.csv")
    assert missing.code == 2
    assert "no such file" in missing.err


def test_journal_without_resume_is_refused_and_resume_skips_done_lines(
    served: Served, cli: Cli, tmp_path: Path
) -> None:
    """Lines 2-11 journaled done: refused without --resume; with it, only lines 12+ are sent."""
    path = _orders(served, 20, tmp_path, "j")
    journal_rows(served, path, "award", done=range(2, 12))
    refused = cli(*served.options, "award", path)
    assert refused.code == 2
    assert "--resume" in refused.err
    resumed = cli(*served.options, "award", path, "--resume")
    assert resumed.code == 0, resumed.err
    assert _ledger_orders(served, "j-") == sorted(f"j-{i}" for i in range(10, 20))
    assert "skipped 10 rows already done" in resumed.err


def test_unreachable_server_is_one_line_exit_3(cli: Cli, tmp_path: Path) -> None:
    """Nothing listens on the port: exit 3 and a one-line 'cannot reach'."""
    path = _write_csv(tmp_path / "o.csv", ["user_email", "activity_id"], [["a@x.com", "signup"]])
    result = cli(
        "--base-url",
        "http://127.0.0.1:9/v2/loyalty",
        "--max-retries",
        "0",
        "--partner-id",
        "p",
        "--api-key",
        "k",
        "award",
        path,
    )
    assert result.code == 3
    assert result.err.startswith("error: cannot reach the API")
    assert len(result.err.strip().splitlines()) == 1


def test_bad_credentials_are_one_line_exit_3(served: Served, cli: Cli, tmp_path: Path) -> None:
    """A wrong API key: exit 3, says the credentials were refused, never echoes the key."""
    path = _orders(served, 2, tmp_path)
    result = cli(*served.options, "--api-key", "sk_wrong_SECRET", "award", path)
    assert result.code == 3
    assert "refused the credentials" in result.err
    assert "sk_wrong_SECRET" not in result.err + result.out
    assert served.fake.stats.requests["POST /award"] == 0
