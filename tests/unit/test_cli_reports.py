"""``qwtimer statement`` and ``qwtimer report``, run in this process in a temp data folder.

Files are written whole or not at all; bad input exits 2 with one line on stderr.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qwtimer.core.times import local
from tests.unit.test_cli import ACME, InProcess, add_acme, assert_refused, cli  # noqa: F401

STATEMENT_KEYS = {
    "customer_id",
    "customer",
    "since",
    "until",
    "opening_seconds",
    "closing_seconds",
    "included_seconds",
    "used_seconds",
    "bought_seconds",
    "adjusted_seconds",
    "charged_cents",
    "unsettled_seconds",
    "made_at",
    "made_by",
    "outstanding_seconds",
    "months",
    "lines",
}
REPORT_ROW_KEYS = {
    "key",
    "label",
    "calls",
    "talk_seconds",
    "hold_seconds",
    "working_hold_seconds",
    "research_seconds",
    "billable_seconds",
    "unbilled_seconds",
    "billed_seconds",
    "from_bank_seconds",
    "overage_seconds",
    "blocks_purchased",
    "charge_cents",
    "outstanding_seconds",
    "unsettled_at_the_time_seconds",
    "corrections_seconds",
    "corrections_cents",
    "corrected_calls",
    "resettled_calls",
}


@pytest.fixture
def busy(cli: InProcess) -> InProcess:  # noqa: F811
    """Acme: 45 min granted, a card, 3 calls of 20 min (one block bought), an adjustment."""
    add_acme(cli)
    cli.run("customer", "card", ACME, "--ref", "tok_acme", "--last4", "4242")
    for _ in range(3):
        cli.run("call", "log", ACME, "--talk", "15:00", "--hold", "3:00", "--research", "5:00")
    cli.run("ledger", "adjust", ACME, "--minutes", "+5m", "--reason", "courtesy: dropped line")
    return cli


def test_statement_text_and_json(busy: InProcess) -> None:
    text = busy.run("statement", ACME).stdout
    assert "Opening bank" in text and "Closing bank" in text
    assert "Correction: 5 min given back — courtesy: dropped line" in text
    assert text.count("Hold time, not charged: 3 min") == 3
    assert "tess" not in text and "tok_acme" not in text
    internal = busy.run("statement", ACME, "--internal").stdout
    assert "(internal copy)" in internal and "tess" in internal and "tok_acme" in internal
    data = busy.json("statement", ACME)
    assert set(data) == STATEMENT_KEYS
    assert data["opening_seconds"] == 0
    assert data["closing_seconds"] == (45 - 60 + 30 + 5) * 60
    assert data["closing_seconds"] == data["lines"][-1]["balance_seconds"]
    assert data["charged_cents"] == 3000
    assert [x["kind"] for x in data["lines"]].count("call_debit") == 3
    assert data["lines"][-1]["author"] == "tess"


def test_statement_period_outside_the_entries_is_empty(busy: InProcess) -> None:
    data = busy.json("statement", ACME, "--since", "2099-01-01")
    assert data["lines"] == []
    assert data["opening_seconds"] == data["closing_seconds"] == 20 * 60


def test_statement_csv_file(busy: InProcess, tmp_path: Path) -> None:
    out = tmp_path / "acme.csv"
    info = busy.json("statement", ACME, "--csv", str(out), "--internal")
    assert info["file"] == str(out) and info["entries"] == 6
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows[0]["kind"] == "opening" and rows[-1]["kind"] == "closing"
    assert int(rows[-1]["balance_seconds"]) == info["closing_seconds"]
    debit = next(r for r in rows if r["kind"] == "call_debit")
    assert debit["talk_seconds"] == "900" and debit["research_seconds"] == "300"
    assert sorted(tmp_path.iterdir()) == [out, busy.data]  # no temporary file left


def test_statement_pdf_file(busy: InProcess, tmp_path: Path) -> None:
    for _ in range(24):  # enough entries for a second page
        busy.run("call", "log", ACME, "--talk", "3:00")
    out = tmp_path / "acme.pdf"
    info = busy.json("statement", ACME, "--pdf", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages == info["pages"] > 1
    assert len(data) > 5_000


def test_a_statement_pdf_leaves_no_qt_application_and_the_environment_as_it_was(
    busy: InProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command makes a Qt application only to draw (offscreen: no display here) and shuts
    it down: a window made later in the same process can make its own."""
    from PySide6.QtGui import QGuiApplication

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    app_before, env_before = QGuiApplication.instance(), dict(os.environ)
    busy.run("statement", ACME, "--pdf", str(tmp_path / "one.pdf"))
    assert QGuiApplication.instance() is app_before
    assert dict(os.environ) == env_before
    busy.run("statement", ACME, "--pdf", str(tmp_path / "two.pdf"))  # again, in the same process
    assert (tmp_path / "two.pdf").read_bytes().startswith(b"%PDF")


def test_report_text_json_and_csv(busy: InProcess, tmp_path: Path) -> None:
    busy.run("customer", "add", "Bolt", "--product", "web", "--plan", "subscription",
             "--edition", "essential", "--active-until", "2027-01-31")  # fmt: skip
    busy.run("call", "log", "Bolt", "--talk", "50:00")
    text = busy.run("report", "--by", "customer").stdout
    assert "Acme Audio" in text and "Bolt" in text and "total" in text
    data = busy.json("report", "--by", "customer")
    assert set(data) == {"since", "until", "by", "technicians", "customers", "rows", "total"}
    assert set(data["rows"][0]) == REPORT_ROW_KEYS
    acme, bolt = data["rows"]
    assert (acme["calls"], acme["billed_seconds"], acme["charge_cents"]) == (3, 3600, 3000)
    assert bolt["unsettled_at_the_time_seconds"] == bolt["outstanding_seconds"] == 5 * 60
    assert data["total"]["calls"] == 4
    by_tech = busy.json("report")
    assert [r["key"] for r in by_tech["rows"]] == ["tess"]
    out = tmp_path / "report.csv"
    busy.run("report", "--csv", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["key"] for r in rows] == ["tess", "total"] and rows[1]["calls"] == "4"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["statement", "Nobody"], ["Nobody"]),
        (["statement", ACME, "--since", "2026-13-01"], ["--since", "2026-13-01"]),
        (["statement", ACME, "--since", "2026-12-01", "--until", "2026-11-01"], ["before"]),
        (["report", "--until", "yesterday"], ["--until"]),
        (["report", "--since", "2026-12-01", "--until", "2026-11-01"], ["before"]),
    ],
)
def test_bad_input_exits_2(busy: InProcess, args: list[str], words: list[str]) -> None:
    assert_refused(busy.run(*args, code=2), *words)


@pytest.mark.parametrize("kind", ["--csv", "--pdf"])
def test_unwritable_output_exits_2_and_writes_nothing(
    busy: InProcess, tmp_path: Path, kind: str
) -> None:
    missing = tmp_path / "no such folder" / "out"
    assert_refused(busy.run("statement", ACME, kind, str(missing), code=2), "does not exist")
    folder = tmp_path / "a folder"
    folder.mkdir()
    assert_refused(busy.run("statement", ACME, kind, str(folder), code=2), "folder")
    assert list(folder.iterdir()) == []
    if os.geteuid() == 0:
        return  # root may write into a read-only folder
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert_refused(busy.run("statement", ACME, kind, str(locked / "out"), code=2), "cannot")
    finally:
        locked.chmod(0o700)
    assert list(locked.iterdir()) == []


def test_report_by_customer_keeps_two_customers_of_the_same_name_apart(
    busy: InProcess, tmp_path: Path
) -> None:
    for phone in ("555-0101", "555-0102"):
        busy.run("customer", "add", "Smith & Co", "--product", "desktop", "--plan", "license",
                 "--phone", phone, "--allow-duplicate")  # fmt: skip
    ids = [c["id"] for c in busy.json("customer", "list") if c["name"] == "Smith & Co"]
    for n, cid in enumerate(ids, start=1):
        busy.run("call", "log", cid, "--talk", f"{n}m")
    rows = busy.json("report", "--by", "customer")["rows"]
    smiths = [r for r in rows if r["label"] == "Smith & Co"]
    assert sorted((r["key"], r["billed_seconds"]) for r in smiths) == sorted(
        zip(ids, [60, 120], strict=True)
    )
    only = busy.json("report", "--by", "call", "--customer", ids[1])
    assert [r["label"] for r in only["rows"]] == ["Smith & Co"] and only["total"]["calls"] == 1


def test_report_by_day_and_call_filters_technicians(busy: InProcess) -> None:
    busy.run("--technician", "sam", "call", "log", ACME, "--talk", "2m")
    by_day = busy.json("report", "--by", "day")
    # the calls were logged just now, so they may begin on either side of local midnight
    days = {local(c["started_at"]).date() for c in busy.json("calls")}
    assert len(by_day["rows"]) == len(days) and by_day["total"]["calls"] == 4
    assert sum(r["calls"] for r in by_day["rows"]) == 4
    sams = busy.json("report", "--by", "call", "--technician", "sam")
    assert sams["technicians"] == ["sam"] and sams["total"]["billed_seconds"] == 120
    both = busy.json("report", "--technician", "sam", "--technician", "tess")
    assert [r["key"] for r in both["rows"]] == ["sam", "tess"]


def test_calls_until_and_technician_narrow_the_listing(busy: InProcess) -> None:
    busy.run("--technician", "sam", "call", "log", ACME, "--talk", "2m")
    assert len(busy.json("calls")) == 4
    assert [r["technician"] for r in busy.json("calls", "--technician", "sam")] == ["sam"]
    assert busy.json("calls", "--until", "2000-01-01") == []
    lines = busy.run("calls", "--technician", "tess").stdout.splitlines()
    assert len(lines) == 4  # the heading and three calls


def test_report_pdf_has_every_group_and_the_total_on_its_pages(
    busy: InProcess, tmp_path: Path
) -> None:
    for n in range(60):  # sixty customers: more rows than one page holds
        busy.run("customer", "add", f"Customer {n:02d}", "--product", "desktop",
                 "--plan", "license")  # fmt: skip
        busy.run("call", "log", f"Customer {n:02d}", "--talk", "1m")
    out = tmp_path / "report.pdf"
    info = busy.json("report", "--by", "customer", "--format", "pdf", "--out", str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) == info["pages"] > 1
    assert info["total"]["calls"] == 63
    pdftotext, pdftoppm = shutil.which("pdftotext"), shutil.which("pdftoppm")
    if not (pdftotext and pdftoppm):
        pytest.skip("poppler's pdftotext and pdftoppm read the PDF back")
    text = subprocess.run(
        [pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("\f") == info["pages"]
    total = next(line for line in text.splitlines() if line.lstrip().startswith("total"))
    # calls, talk, research, billed: 3 calls of 20:00 billed and 60 of 1:00
    assert total.split()[1:5] == ["63", "1:45:00", "15:00", "2:00:00"]
    assert "Customer 59" in text and "Acme Audio" in text
    subprocess.run([pdftoppm, "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == info["pages"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "--since", "2026-12-01", "--until", "2026-11-01"], ["before"]),
        (["calls", "--since", "2026-12-01", "--until", "2026-11-01"], ["before"]),
        (["report", "--technician", "nobody"], ["nobody"]),
        (["calls", "--technician", "nobody"], ["nobody"]),
        (["report", "--customer", "Nobody"], ["Nobody"]),
        (["calls", "--customer", "Nobody"], ["Nobody"]),
        (["report", "--by", "device"], ["--by", "device"]),
        (["report", "--format", "pdf"], ["--out"]),
        (["report", "--format", "xlsx"], ["--format"]),
    ],
)
def test_report_and_calls_refuse_bad_input(
    busy: InProcess, tmp_path: Path, args: list[str], words: list[str]
) -> None:
    assert_refused(busy.run(*args, code=2), *words)
    if args[0] == "report" and "--format" not in args:
        out = tmp_path / "never.csv"
        assert_refused(busy.run(*args, "--format", "csv", "--out", str(out), code=2), *words)
        assert list(tmp_path.iterdir()) == [busy.data]


@pytest.mark.parametrize("fmt", ["csv", "pdf", "json", "table"])
def test_report_to_an_unwritable_file_exits_2_and_writes_nothing(
    busy: InProcess, tmp_path: Path, fmt: str
) -> None:
    missing = tmp_path / "no such folder" / "out"
    assert_refused(
        busy.run("report", "--format", fmt, "--out", str(missing), code=2), "does not exist"
    )
    folder = tmp_path / "a folder"
    folder.mkdir()
    assert_refused(busy.run("report", "--format", fmt, "--out", str(folder), code=2), "folder")
    assert list(folder.iterdir()) == []
