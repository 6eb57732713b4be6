"""Command line: ``receipt CALL_ID [--pdf FILE] [--internal]``, a call's receipt for the
customer (plain text on stdout to paste into an email, or a PDF), or the internal copy with
the technician, the policy version and the rules. Reads only; a PDF is written whole or not
at all. Bad input (an unknown call, a call with no stop yet, a file that cannot be written)
exits 2 with one line on stderr and writes nothing."""

from __future__ import annotations

import argparse
from typing import Any

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk
from qwtimer.desk.receipt import receipt


def cmd_receipt(desk: Desk, a: argparse.Namespace, out: Any) -> None:
    r = receipt(desk, a.call_id)
    customer_copy = not a.internal
    if not a.pdf:
        out.emit(r.as_dict(), lambda: r.text(customer_copy))
        return
    try:
        from qwtimer.printing.receipt_pdf import write_receipt_pdf
    except ImportError as exc:  # pragma: no cover - a broken Qt install
        raise QwtimerError(f"PDF needs Qt, which cannot load ({exc}); leave out --pdf") from exc
    pages = write_receipt_pdf(r, a.pdf, customer_copy)
    copy = "customer's" if customer_copy else "internal"
    out.emit(
        {"file": str(a.pdf), "call_id": r.call_id, "pages": pages, "internal": a.internal},
        f"receipt ({copy} copy) of call {r.call_id} for {r.customer} written to {a.pdf}",
    )
