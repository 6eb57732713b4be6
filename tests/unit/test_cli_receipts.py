"""``qwtimer receipt CALL_ID [--pdf FILE] [--internal]``, run in this process in a temp data
folder: text on stdout by default, a PDF written whole or not at all; bad input exits 2 with
one line on stderr and writes nothing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.unit.test_cli import ACME, InProcess, add_acme, assert_refused, cli  # noqa: F401


@pytest.fixture
def billed(cli: InProcess) -> tuple[InProcess, str]:  # noqa: F811
    """Acme: 45 min, a card ending 4242; a 50 min call with 12 min on hold (1 block bought)."""
    add_acme(cli)
    cli.run("customer", "card", ACME, "--ref", "tok_acme", "--last4", "4242")
    bill = cli.json("call", "log", ACME, "--talk", "50:00", "--hold", "12:00")
    return cli, str(bill["call_id"])


def test_receipt_prints_the_customers_copy_as_text(billed: tuple[InProcess, str]) -> None:
    run, call_id = billed
    text = run.run("receipt", call_id).stdout
    assert text.startswith("Support call receipt\n")
    assert "12 min, not charged" in text and "card ending 4242" in text
    assert re.search(r"Total charged: +\$30\.00", text)
    assert "tess" not in text and "tok_acme" not in text and not re.search(r"\bR\d", text)
    inside = run.run("receipt", call_id, "--internal").stdout
    assert "(internal copy)" in inside and "tess" in inside and "(R4)" in inside
    data = run.json("receipt", call_id)
    assert data["call_id"] == call_id and data["charged_cents"] == 3000
    assert data["stops"][0]["card_last4"] == "4242" and data["length_seconds"] == 62 * 60


def test_receipt_pdf_is_written_whole(billed: tuple[InProcess, str], tmp_path: Path) -> None:
    run, call_id = billed
    out = tmp_path / "receipt.pdf"
    info = run.json("receipt", call_id, "--pdf", str(out))
    assert info == {"file": str(out), "call_id": call_id, "pages": 1, "internal": False}
    assert out.read_bytes().startswith(b"%PDF")
    said = run.run("receipt", call_id, "--pdf", str(out), "--internal").stdout
    assert "internal copy" in said and str(out) in said


def test_receipt_of_an_unknown_or_a_running_call_exits_2(billed: tuple[InProcess, str]) -> None:
    run, _ = billed
    assert_refused(run.run("receipt", "no-such-call", code=2), "no call 'no-such-call'")
    running = run.json("timer", "start", ACME)["call_id"]
    assert_refused(run.run("receipt", running, code=2), "still running", "stop it first")


def test_receipt_to_an_unwritable_file_exits_2_and_writes_nothing(
    billed: tuple[InProcess, str], tmp_path: Path
) -> None:
    run, call_id = billed
    missing = tmp_path / "no such folder" / "r.pdf"
    assert_refused(run.run("receipt", call_id, "--pdf", str(missing), code=2), "does not exist")
    folder = tmp_path / "a folder"
    folder.mkdir()
    assert_refused(run.run("receipt", call_id, "--pdf", str(folder), code=2), "folder")
    assert list(folder.iterdir()) == []
    if os.geteuid() == 0:
        return  # root may write into a read-only folder
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert_refused(run.run("receipt", call_id, "--pdf", str(locked / "r.pdf"), code=2))
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []
