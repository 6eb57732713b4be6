"""Importing customers from a CRM's CSV export, without ever keeping the timer waiting.

The whole file is read and judged first: a file with any bad row imports nothing unless the
good rows are asked for (``skip_bad``). The customers are then written in short transactions
(at most ``BATCH_ROWS`` rows or ``BATCH_SECONDS`` each, a customer's rows always together),
with a pause of ``PAUSE_SECONDS`` after each one, longer than the longest interval at which
SQLite retries a locked database: a timer command in another process or in the window waits
for at most one batch, never for the whole import.

An import stopped part-way (a crash, a full disk) keeps the customers of the batches already
committed; running the same import again skips every name already on file and adds the rest,
so the result is the same as one uninterrupted run.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast

from qwtimer.core import eligibility as elig
from qwtimer.core.cards import refuse_card_numbers
from qwtimer.core.errors import InputError, QwtimerError, StoreFault
from qwtimer.desk.changes import ALL, Changes, note
from qwtimer.desk.duplicates import DuplicateIndex, find_matches
from qwtimer.desk.product_lines import CSV_NAMES, LineInput
from qwtimer.store.customer_match import name_key
from qwtimer.store.models import Customer

if TYPE_CHECKING:
    from qwtimer.desk.context import Desk
    from qwtimer.store.models import ProductLine


class Customers(Protocol):
    """What an import needs of the customer service: its desk and how it adds a line (R1)."""

    desk: Desk

    def _add_line(self, c: Customer, line: elig.ProductLine) -> ProductLine: ...


BATCH_ROWS = 2000
BATCH_SECONDS = 0.25
# SQLite's busy handler retries a locked database at most every 100 ms; a pause longer than
# that lets every waiting command in before the next batch takes the lock again.
PAUSE_SECONDS = 0.12

CSV_COLUMNS = (
    "name",
    "product",
    "plan",
    "edition",
    "maintenance_until",
    "active_until",
    "phone",
    "email",
)

# (rows written so far, rows to write): called after every batch.
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    imported: int = 0
    skipped_existing: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    committed: bool = False


@dataclass
class _NewCustomer:
    name: str
    phone: str
    email: str
    lines: list[elig.ProductLine] = field(default_factory=list)


class PartialImport(StoreFault):
    """The import stopped part-way; the batches before it are kept and a re-run adds the rest."""

    def __init__(self, cause: QwtimerError, imported: int) -> None:
        super().__init__(
            f"{cause} The import stopped after {imported:,} customers; run the same import "
            "again to add the rest (customers already on file are skipped)"
        )


def read_rows(path: Path) -> list[dict[str | None, str | list[str] | None]]:
    """Every data row of the CSV file at ``path``; a file that cannot be read as CSV (missing,
    a folder, unreadable, not text) raises InputError saying so in one line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputError(f"no file {path}: give the path of a CSV export") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder: give the path of a CSV export in it") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied); make it readable") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path} is not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc})") from None
    except ValueError:  # a NUL in the name
        raise InputError(f"'{path}' is not a file name: give the path of a CSV export") from None


def import_csv(
    customers: Customers,
    path: Path,
    skip_bad: bool = False,
    allow_duplicate: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Customers from a CRM export. Rows with the same name (ignoring case and spacing) become
    one customer with several product lines; a name already on file is skipped (re-importing
    an export adds nothing). A new name whose phone or email belongs to another customer is a
    bad row, unless ``allow_duplicate``; so is a row with more fields than the header. Bad
    rows are reported by line number; by default a file with any bad row imports nothing."""
    report = ImportReport()
    rows = read_rows(path)
    header = [h for h in (rows[0].keys() if rows else []) if h is not None]
    missing = {"name", "product", "plan"} - {h.strip().lower() for h in header}
    if rows and missing:
        raise InputError(
            f"{path}: the header lacks {', '.join(sorted(missing))}; expected columns: "
            + ", ".join(CSV_COLUMNS)
        )
    index = DuplicateIndex.of_database()
    names = cast(
        Iterable[tuple[str]],
        Customer.select(Customer.name).where(Customer.merged_into.is_null()).tuples(),
    )
    existing = {name_key(n) for (n,) in names}
    new: dict[str, _NewCustomer] = {}  # a new name's key -> its customer, in file order
    for number, raw in enumerate(rows, start=2):
        extra = raw.pop(None, None)
        row = {(k or "").strip().lower(): _text(v) for k, v in raw.items()}
        try:
            if extra:
                raise InputError(
                    f"the row has {len(extra)} more field(s) than the header's {len(header)} "
                    "columns; quote a value that holds a comma"
                )
            refuse_card_numbers({f"column '{k}'": v for k, v in row.items()})  # R6.1
            if not row.get("name"):
                raise InputError("the name is empty")
            line = LineInput(
                row.get("product", ""),
                row.get("plan", ""),
                row.get("edition") or None,
                row.get("maintenance_until") or None,
                row.get("active_until") or None,
                CSV_NAMES,
            ).validate()
        except InputError as exc:
            report.bad.append((number, str(exc)))
            continue
        key = name_key(row["name"])
        if key in existing:
            report.skipped_existing += 1
            continue
        if key not in new:
            clash = index.matches("", row.get("phone", ""), row.get("email", ""))
            if clash and not allow_duplicate:
                report.bad.append(
                    (number, f"{clash[0].describe()}; pass --allow-duplicate to add it anyway")
                )
                continue
            new[key] = _NewCustomer(row["name"], row.get("phone", ""), row.get("email", ""))
            index.add(f"line {number}", row["name"], row.get("phone", ""), row.get("email", ""))
        new[key].lines.append(line)
    if report.bad and not skip_bad:
        return report
    try:
        _write(customers, list(new.values()), report, progress)
    finally:  # batches committed before a failure are written all the same
        note(Changes(ALL, frozenset(), True))
    report.committed = True
    return report


def _text(value: str | list[str] | None) -> str:
    return value.strip() if isinstance(value, str) else ""


def _write(
    customers: Customers,
    todo: list[_NewCustomer],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Writes ``todo`` in short transactions (see the module); a name another command added
    meanwhile is skipped as already present."""
    from qwtimer.store.faults import classify

    db = customers.desk.db
    total = sum(len(c.lines) for c in todo)
    done = 0
    start = 0
    while start < len(todo):
        try:
            with db.atomic():
                began = time.monotonic()
                end, rows, imported, skipped = start, 0, 0, 0
                while end < len(todo) and rows < BATCH_ROWS:
                    c = todo[end]
                    end += 1
                    rows += len(c.lines)
                    if any(m.field == "name" for m in find_matches(c.name)):
                        skipped += len(c.lines)
                        continue
                    made = Customer.create(name=c.name, phone=c.phone, email=c.email)
                    for line in c.lines:
                        customers._add_line(made, line)
                    imported += 1
                    if time.monotonic() - began >= BATCH_SECONDS:
                        break
        except Exception as exc:
            fault = exc if isinstance(exc, QwtimerError) else classify(exc, Path(db.database))
            if fault is None or report.imported == 0:
                raise
            raise PartialImport(fault, report.imported) from exc
        start = end
        report.imported += imported
        report.skipped_existing += skipped
        done += rows
        if progress is not None:
            progress(done, total)
        if start < len(todo):
            time.sleep(PAUSE_SECONDS)  # let a waiting timer command in
