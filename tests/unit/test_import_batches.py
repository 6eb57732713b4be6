"""A large CSV import never keeps the timer waiting: the file is judged whole first (a bad row
still imports nothing), then written in short transactions with progress. An import stopped
part-way keeps what it wrote, and running it again adds exactly the rest."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qwtimer.cli import customers as customer_commands
from qwtimer.cli import main as cli_main
from qwtimer.desk import customer_import
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers
from qwtimer.store.models import Customer, Entry, ProductLine
from tests.unit.test_cli import ACME, CSV_HEADER, Cli, add_acme, environment

REPO = Path(__file__).resolve().parents[2]


def write_export(path: Path, customers: int, lines_each: int = 1) -> Path:
    """``customers`` customers with ``lines_each`` rows each, a customer's rows far apart."""
    rows = [CSV_HEADER]
    products = ["desktop,license,,2027-01-31,", "web,subscription,balanced,,2027-03-31"]
    for n in range(lines_each):
        for i in range(customers):
            rows.append(f"Customer {i:06d},{products[n]},,\n")
    path.write_text("".join(rows), encoding="utf-8")
    return path


def on_file(desk: Desk) -> dict[str, tuple[int, int]]:
    """Each customer's name -> (product lines, ledger entries)."""
    return {
        c.name: (
            ProductLine.select().where(ProductLine.customer == c).count(),
            Entry.select().where(Entry.customer == c).count(),
        )
        for c in Customer.select()
    }


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customer_import, "BATCH_ROWS", 6)
    monkeypatch.setattr(customer_import, "PAUSE_SECONDS", 0.0)


@pytest.mark.usefixtures("small_batches")
def test_an_import_is_written_in_batches_with_progress(desk: Desk, tmp_path: Path) -> None:
    export = write_export(tmp_path / "crm.csv", 10, lines_each=2)
    steps: list[tuple[int, int]] = []
    report = Customers(desk).import_csv(export, progress=lambda d, t: steps.append((d, t)))
    assert (report.imported, report.committed) == (10, True)
    assert steps == [(6, 20), (12, 20), (18, 20), (20, 20)]  # a customer's rows stay together
    assert set(on_file(desk).values()) == {(2, 2)}  # both lines, one R1 grant each product


@pytest.mark.usefixtures("small_batches")
def test_an_interrupted_import_run_again_adds_exactly_the_rest(
    desk: Desk, tmp_path: Path, data_dir: Path
) -> None:
    export = write_export(tmp_path / "crm.csv", 10, lines_each=2)

    def stop_after_first_batch(done: int, total: int) -> None:
        raise KeyboardInterrupt  # Ctrl+C while the import runs

    with pytest.raises(KeyboardInterrupt):
        Customers(desk).import_csv(export, progress=stop_after_first_batch)
    assert len(on_file(desk)) == 3  # the first batch, whole customers only

    again = Customers(desk).import_csv(export)
    assert (again.imported, again.skipped_existing) == (7, 6)
    assert len(on_file(desk)) == 10
    assert set(on_file(desk).values()) == {(2, 2)}  # nobody twice, no line or grant twice


def test_a_file_with_a_bad_row_still_imports_nothing(desk: Desk, tmp_path: Path) -> None:
    export = write_export(tmp_path / "crm.csv", 5000)
    with export.open("a", encoding="utf-8") as fh:
        fh.write("Late Ltd,fax,license,,,,,\n")
    report = Customers(desk).import_csv(export)
    assert (report.imported, report.committed, [n for n, _ in report.bad]) == (0, False, [5002])
    assert on_file(desk) == {}


def test_a_large_import_shows_progress_on_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(customer_commands, "PROGRESS_EVERY", 100)
    monkeypatch.setattr(customer_import, "BATCH_ROWS", 40)
    monkeypatch.setattr(customer_import, "BATCH_SECONDS", 3600.0)  # rows, not time, cut
    monkeypatch.setattr(customer_import, "PAUSE_SECONDS", 0.0)
    monkeypatch.setenv("QWTIMER_TECHNICIAN", "tess")
    export = write_export(tmp_path / "crm.csv", 250)
    assert cli_main(["--data-dir", str(tmp_path / "data"), "customer", "import", str(export)]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{export}: 120 of 250 rows written",
        f"{export}: 200 of 250 rows written",
    ]
    assert out.startswith("imported 250 customers")


@pytest.fixture
def cli(qwtimer_cmd: list[str], tmp_path: Path) -> Cli:
    return Cli(qwtimer_cmd, tmp_path / "data")


TIMER_LOOP = """
import json, sys, time
from pathlib import Path
from qwtimer.core.timer import Action
from qwtimer.desk.calls import Calls
from qwtimer.desk.context import Desk

data, stop = Path(sys.argv[1]), Path(sys.argv[2])
desk = Desk(data, technician="tess")
calls = Calls(desk)
waits, errors = [], []
Path(sys.argv[3]).touch()  # ready
while not stop.exists():
    for action in (Action.HOLD, Action.RESUME):
        began = time.monotonic()
        try:
            calls.act(action)
        except Exception as exc:
            errors.append(str(exc))
        waits.append(time.monotonic() - began)
    time.sleep(0.02)
print(json.dumps({"waits": waits, "errors": errors}))
"""


@pytest.mark.slow
def test_a_timer_in_another_process_is_never_locked_out_by_a_large_import(
    cli: Cli, tmp_path: Path
) -> None:
    add_acme(cli)
    cli.run("timer", "start", ACME)
    export = write_export(tmp_path / "crm.csv", 3000)
    stop, ready = tmp_path / "stop", tmp_path / "ready"
    timer = subprocess.Popen(
        [sys.executable, "-c", TIMER_LOOP, str(cli.data), str(stop), str(ready)],
        stdout=subprocess.PIPE,
        text=True,
        env=environment(),
        cwd=REPO,
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        began = time.monotonic()
        imported = cli.json("customer", "import", str(export))
        took = time.monotonic() - began
    finally:
        stop.touch()
        out, _ = timer.communicate(timeout=60)
    result = json.loads(out)
    waits = sorted(result["waits"])
    print(
        f"import of 3,000 rows: {took:.1f} s; {len(waits)} timer transitions meanwhile, "
        f"median {waits[len(waits) // 2] * 1000:.0f} ms, longest {waits[-1] * 1000:.0f} ms"
    )
    assert imported["imported"] == 3000
    assert len(waits) >= 10  # the timer really ran during the import
    # Writing 3,000 customers takes longer than a command waits for the database (5 s): in
    # one transaction the timer would have been refused with "database is locked". Batches
    # let it in between, however slow the machine (its waits are printed above).
    assert result["errors"] == []
