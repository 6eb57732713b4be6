"""Commands on customers, their products and cards, eligibility and minute purchases."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from qwtimer.cli import Out
from qwtimer.core.billing import money
from qwtimer.core.errors import QwtimerError
from qwtimer.core.parse import day, whole_number
from qwtimer.core.words import clock_text, count
from qwtimer.desk.call_ids import SHOWN
from qwtimer.desk.context import Desk
from qwtimer.desk.customers import Customers, LineInput
from qwtimer.desk.duplicates import DuplicateCustomer
from qwtimer.desk.ledger import Ledger
from qwtimer.desk.merge import merge


def _line(args: argparse.Namespace) -> LineInput:
    return LineInput(
        args.product, args.plan, args.edition, args.maintenance_until, args.active_until
    )


# -- command handlers ---------------------------------------------------------------------
def cmd_customer_add(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    try:
        c = Customers(desk).add(
            a.name, _line(a), a.phone or "", a.email or "", allow_duplicate=a.allow_duplicate
        )
    except DuplicateCustomer as exc:
        raise QwtimerError(
            f"{exc}; use that customer, or pass --allow-duplicate to add anyway"
        ) from None
    out.emit({"id": c.id, "name": c.name}, c.id)


def cmd_customer_edit(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    if a.name is None and a.phone is None and a.email is None:
        raise QwtimerError("nothing to change: give --name, --phone or --email")
    svc = Customers(desk)
    c = svc.find(a.customer)
    try:
        c = svc.update_contact(
            c,
            c.name if a.name is None else a.name,
            c.phone if a.phone is None else a.phone,
            c.email if a.email is None else a.email,
            allow_duplicate=a.allow_duplicate,
        )
    except DuplicateCustomer as exc:
        raise QwtimerError(
            f"{exc}; nothing was changed: pass --allow-duplicate to save anyway"
        ) from None
    out.emit(
        {"id": c.id, "name": c.name, "phone": c.phone, "email": c.email},
        f"{c.name} ({c.id}): phone {c.phone or '-'}, email {c.email or '-'}; reaches the "
        "team's ledger at the next sync",
    )


def cmd_customer_merge(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    keep, other = svc.find(a.keep), svc.find(a.other)
    done = merge(desk, keep, other, a.reason)
    out.emit(
        {
            "merge_id": done.merge_id,
            "kept_id": done.kept_id,
            "merged_id": done.merged_id,
            "moved": done.moved,
            "balance_seconds": done.balance_seconds,
        },
        f"merged '{other.name}' ({other.id}) into '{keep.name}' ({keep.id}): "
        + ", ".join(f"{t.replace('_', ' ')}: {n}" for t, n in done.moved.items())
        + f" moved; bank now {clock_text(done.balance_seconds)}",
    )


def cmd_customer_product_add(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    line = svc.add_product(svc.find(a.customer), _line(a))
    out.emit({"id": line.id}, line.id)


def cmd_customer_maintenance(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    line = svc.maintenance(c, a.until)
    until = line.maintenance_until
    assert until is not None  # the renewal just set it
    out.emit(
        {"id": c.id, "maintenance_until": until.isoformat()},
        f"UMP for {c.name} now runs until {line.maintenance_until} (no minutes added, R9)",
    )


def cmd_customer_card(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    ref = svc.add_card(c, a.ref, a.last4)
    out.emit(
        {"id": ref.id, "customer_id": c.id, "last4": ref.last4},
        f"card ending {ref.last4} on file for {c.name}",
    )


def cmd_customer_list(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    rows: list[dict[str, Any]] = [
        {"id": c.id, "name": c.name, "balance_seconds": bank} for c, bank in svc.all_with_banks()
    ]

    def text() -> str:
        if not rows:
            return "no customers yet"
        head = f"{'id':<36}  {'bank':>9}  name"
        lines = (f"{r['id']}  {clock_text(r['balance_seconds']):>9}  {r['name']}" for r in rows)
        return "\n".join((head, *lines))

    out.emit(rows, text)


def cmd_customer_show(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    summary = svc.summary(svc.find(a.customer))
    s, last = summary.as_dict(), summary.last_call

    def text() -> str:
        lines = [f"{s['name']}  ({s['id']})", f"  say: {s['say']}"]
        lines.append(f"  bank: {clock_text(s['balance_seconds'])}")
        for p in s["products"]:
            until = p["maintenance_until"] or p["active_until"] or "-"
            lines.append(f"  {p['product']} {p['plan']} {p['edition'] or ''} until {until}")
        card = s["card"]
        lines.append(f"  card: ending {card['last4']}" if card else "  card: none on file")
        for ans in s["support"]:
            mark = "yes" if ans["eligible"] else "no "
            what = ans["channel"] + (f"/{ans['product']}" if ans["product"] else "")
            lines.append(f"  {mark} {what:<15} {ans['reason']}")
        lines += [f"  FLAG: {f}" for f in s["flags"]]
        if last is not None:
            lines.append(f"  last call: {last.words()} (call {last.call_id[:SHOWN]})")
            if last.notes.strip():
                lines.append(f"  last call's notes: {last.notes_line()}")
        return "\n".join(lines)

    out.emit(s, text)


PROGRESS_EVERY = 10_000


def cmd_customer_import(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    shown = [0]

    def progress(done: int, total: int) -> None:
        # A line on stderr every PROGRESS_EVERY rows of a large file (stdout stays the result).
        if done // PROGRESS_EVERY > shown[0] and done < total:
            shown[0] = done // PROGRESS_EVERY
            print(f"{a.file}: {done:,} of {total:,} rows written", file=sys.stderr, flush=True)

    report = Customers(desk).import_csv(
        Path(a.file), skip_bad=a.skip_bad, allow_duplicate=a.allow_duplicate, progress=progress
    )
    data = {
        "imported": report.imported,
        "skipped_existing": report.skipped_existing,
        "bad_rows": [{"line": n, "reason": r} for n, r in report.bad],
        "committed": report.committed,
    }
    for n, r in report.bad:
        print(f"{a.file}:{n}: {r}", file=sys.stderr)
    if report.bad and not report.committed:
        them = "it" if len(report.bad) == 1 else "them"
        raise QwtimerError(
            f"{count(len(report.bad), 'bad row')} in {a.file}; nothing was imported. Fix {them}, "
            "or pass --skip-bad to import the good rows"
        )
    out.emit(
        data,
        f"imported {count(report.imported, 'customer')}; {report.skipped_existing} already "
        f"present; {count(len(report.bad), 'bad row')} skipped",
    )


def cmd_support_check(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    on = day(a.on, "--on") if a.on else None
    ans = svc.check(svc.find(a.customer), a.channel, a.product, on)
    d = ans.as_dict()
    until = f" (until {d['until']})" if d["until"] else ""
    via = f" via {d['via']}" if d.get("via") else ""
    out.emit(d, f"{'eligible' if d['eligible'] else 'not eligible'}{via}: {d['reason']}{until}")


def cmd_minutes_buy(desk: Desk, a: argparse.Namespace, out: Out) -> None:
    svc = Customers(desk)
    c = svc.find(a.customer)
    blocks = whole_number(a.blocks, "--blocks", 1, 1000)
    entry = Ledger(desk).buy_blocks(c, blocks, a.card_ref, a.yes)
    out.emit(
        {
            "entry_id": entry.id,
            "seconds": entry.seconds,
            "charge_cents": entry.cents,
            "balance_seconds": svc.balance(c),
        },
        f"{count(blocks, 'block')}, {clock_text(entry.seconds)} for {money(entry.cents)}; "
        f"bank now {clock_text(svc.balance(c))}",
    )
