"""What the team's ledger says when it refuses, cannot be reached or is busy, and a row it
would not take: the words every layer above shows, kept apart from the code that talks to it."""

from __future__ import annotations

from dataclasses import dataclass

from qwtimer.core.errors import QwtimerError


class LedgerError(QwtimerError):
    """The central ledger refused or cannot do what was asked; the message says what to do."""


class LedgerOffline(LedgerError):
    """The ledger cannot be reached. Normal for a laptop: nothing local is lost."""


class LedgerBusy(LedgerError):
    """Another connection kept the ledger locked (or a statement ran) past the sync's timeouts;
    the transaction was rolled back whole and the next sync carries on."""


@dataclass(frozen=True)
class Conflict:
    table: str
    id: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"table": self.table, "id": self.id, "problem": self.problem}
