"""``qwtimer ring`` and ``qwtimer open-url`` (``qwtimer 'qwtimer://call?...'``): hand one phone
event to the window running for this data folder, starting the window first when none runs.

The event is checked here first (a malformed link, an unknown event or a number that does not
parse is one line, status 2, and nothing is sent); then it goes over the local socket
(``desk.instance_link``). A window that does not come up within 10 s is said in one line,
status 1."""

from __future__ import annotations

import argparse
import subprocess
import sys

from qwtimer.core.errors import InputError
from qwtimer.core.phone_events import PhoneEvent, from_url, make, shown
from qwtimer.desk import instance_link as link
from qwtimer.desk import phone_settings
from qwtimer.desk.context import Desk
from qwtimer.desk.desktop_entry import program

EXIT_NOT_UP = 1


def cmd_ring(desk: Desk, args: argparse.Namespace, out: object) -> None:
    region = phone_settings.load(desk).region
    _hand(desk, make(args.event, args.number, args.call_id or "", region), out)


def cmd_open_url(desk: Desk, args: argparse.Namespace, out: object) -> None:
    _hand(desk, from_url(args.url, phone_settings.load(desk).region), out)


def _start_window(desk: Desk) -> None:
    """The window for this folder and technician, as a process of its own that outlives
    this command."""
    command = [*program(), "--data-dir", str(desk.folder), "--technician", desk.technician]
    options: dict[str, object] = {}
    if sys.platform == "win32":  # pragma: no cover - Windows only
        options["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        options["start_new_session"] = True
    subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        **options,  # type: ignore[call-overload]
    )


def _hand(desk: Desk, event: PhoneEvent, out: object) -> None:
    where = link.address(desk.folder)
    try:
        reply = link.deliver(where, link.event_message(event), start=lambda: _start_window(desk))
    except TimeoutError:
        print(
            "qwtimer: the window runs but did not answer within 5 s; make sure it is not "
            "stuck, then send the event again",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NOT_UP) from None
    except OSError as exc:
        print(
            f"qwtimer: the window did not come up within {link.CONNECT_DEADLINE_S:.0f} s to take "
            f"the {event.event} from {shown(event.number)} ({exc}); start it with 'qwtimer' "
            "and send the event again",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_NOT_UP) from None
    if not reply.get("ok"):
        raise InputError(f"the window refused the event: {reply.get('error', 'no reason given')}")
    from qwtimer.cli import Out

    assert isinstance(out, Out)
    out.emit(
        {"event": event.event.value, "from": event.number, "id": event.call_id, "sent": True},
        f"{event.event} from {shown(event.number)} sent to the window",
    )
