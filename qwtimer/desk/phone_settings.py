"""The phone settings of this data folder: the region numbers without a country code are read
in, what an ``answer`` event does, the loopback endpoint (off by default) and starting with
the desktop session. Kept in the local database's ``meta`` table, so each data folder (each
technician's desk) has its own; the endpoint's token is not here but in the OS keyring."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from qwtimer.core.errors import InputError
from qwtimer.core.phone_events import DEFAULT_REGION, region_ok
from qwtimer.desk.context import Desk

_PREFIX = "phone."
DEFAULT_PORT = 47_510  # unassigned by IANA; any free port from 1024 up may be chosen


class Answer(StrEnum):
    """What an ``answer`` event does when no call runs."""

    START = "start"  # start the timer for the caller at once
    ASK = "ask"  # ask the technician first


@dataclass(frozen=True)
class PhoneSettings:
    region: str = DEFAULT_REGION
    answer: Answer = Answer.START
    endpoint: bool = False
    port: int = DEFAULT_PORT
    autostart: bool = False

    def checked(self) -> PhoneSettings:
        """These settings, or InputError saying which one is wrong and what to give."""
        region = self.region.strip().upper()
        if not region_ok(region):
            raise InputError(
                f"'{self.region[:20]}' is not a region code; give two letters like US, GB or DE"
            )
        if not 1024 <= self.port <= 65_535:
            raise InputError(f"port {self.port} is not one qwtimer can listen on; give 1024-65535")
        return replace(self, region=region, answer=Answer(self.answer))


def load(desk: Desk) -> PhoneSettings:
    """This folder's settings; a value that no longer reads falls back to its default."""
    base = PhoneSettings()
    region = desk.meta(_PREFIX + "region") or base.region
    answer = desk.meta(_PREFIX + "answer") or base.answer.value
    port = desk.meta(_PREFIX + "port") or str(base.port)
    return PhoneSettings(
        region=region if region_ok(region) else base.region,
        answer=Answer(answer) if answer in {a.value for a in Answer} else base.answer,
        endpoint=desk.meta(_PREFIX + "endpoint") == "1",
        port=int(port) if port.isdigit() and 1024 <= int(port) <= 65_535 else base.port,
        autostart=desk.meta(_PREFIX + "autostart") == "1",
    )


def save(desk: Desk, settings: PhoneSettings) -> PhoneSettings:
    """Check and keep ``settings`` (all or nothing); returns them as kept."""
    good = settings.checked()
    values = {
        "region": good.region,
        "answer": good.answer.value,
        "endpoint": "1" if good.endpoint else "0",
        "port": str(good.port),
        "autostart": "1" if good.autostart else "0",
    }
    with desk.db.atomic():
        for key, value in values.items():
            desk.set_meta(_PREFIX + key, value)
    return good
