"""``make bench``: run every ``tests/bench/bench_*.py`` module and print one table.

Each module exposes ``rows() -> list[Row]``. Figures are measured on this machine in this run,
each next to a physical reference measured in the same run. The desk-sized ledger
(``bench_ledger``, half an hour) runs on its own: ``make bench-ledger``.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback

import tests.bench as package
from tests.bench.common import Row


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.4f}"


SEPARATE = ("bench_ledger",)  # run by their own make target


def main(only: list[str]) -> int:
    rows: list[Row] = []
    failed = False
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if not info.name.startswith("bench_") or info.name in SEPARATE:
            continue
        if only and not any(o in info.name for o in only):
            continue
        print(f"running {info.name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"tests.bench.{info.name}")
            rows.extend(module.rows())
        except Exception:
            traceback.print_exc()
            failed = True
    header = ("benchmark", "figure", "unit", "reference", "ref figure", "ratio", "target")
    table = [header] + [
        (
            r.name,
            _fmt(r.figure),
            r.unit,
            r.reference or "-",
            _fmt(r.reference_figure),
            f"{r.ratio:.2f}x" if r.ratio is not None else "-",
            r.target or "-",
        )
        for r in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for n, row in enumerate(table):
        print(" | ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
