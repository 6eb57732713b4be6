"""The window's phone settings at work: the loopback endpoint started, restarted and stopped
as the settings say, the Settings dialog, and every accepted event handed to the window's
``phone_event``, the one entry point of every phone event."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from qwtimer.core.phone_events import PhoneEvent
from qwtimer.desk import phone_settings, phone_token
from qwtimer.desk.context import Desk
from qwtimer.desk.phone_settings import PhoneSettings
from qwtimer.gui.phone_endpoint import PhoneEndpoint


class PhoneSetup(QObject):
    """Owned by the window; ``report`` says one line in its status bar."""

    def __init__(
        self,
        desk: Desk,
        report: Callable[[str], None],
        window: QWidget,
        deliver: Callable[[PhoneEvent], None],
    ) -> None:
        super().__init__(window)
        self.desk = desk
        self.window = window
        self.deliver = deliver
        self.report = report
        self.settings = phone_settings.load(desk)
        self.running: tuple[int, str, str] | None = None  # (port, token, region) listened with
        self.endpoint = PhoneEndpoint(self)
        self.endpoint.failed.connect(report)
        self.endpoint.received.connect(self._deliver)

    def begin(self) -> None:
        """Listen when the settings say so (at start-up and after Settings); a restart only
        when the port, the token or the region changed."""
        s = self.settings
        if not s.endpoint:
            self.running = None
            self.endpoint.stop()
            return
        try:
            token = phone_token.ensure(self.desk)
        except phone_token.NoKeyring as exc:
            self.running = None
            self.endpoint.stop()
            self.endpoint.error = str(exc)
            self.report(str(exc))
            return
        wanted = (s.port, token, s.region)
        if wanted == self.running and self.endpoint.listening():
            return
        self.endpoint.start(*wanted)
        self.running = wanted if self.endpoint.listening() else None

    def shutdown(self) -> None:
        """Stop listening (the window closes)."""
        self.running = None
        self.endpoint.stop()

    def open_settings(self) -> PhoneSettings | None:
        """Settings (Ctrl+,): what was kept is applied at once; a regenerated token is
        listened for even when the dialog was cancelled."""
        from qwtimer.gui.settings_dialog import SettingsDialog  # loaded on first use

        kept = SettingsDialog.edit(self.window, self.desk, self.settings)
        self.settings = kept or self.settings
        self.begin()
        return kept

    def _deliver(self, event: PhoneEvent) -> None:
        self.deliver(event)
