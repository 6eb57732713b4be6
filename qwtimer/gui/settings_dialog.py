"""Settings (Ctrl+,): the phone region, what answering a call does, the loopback endpoint phone
systems post to (on/off, port, its token masked with Copy and Regenerate, a ready-to-paste
curl line) and starting with the desktop session.

OK keeps everything or nothing: a value that cannot be kept is told in one line beside its
field and nothing changes (the database, the keyring's token and the autostart entry alike).
"""

from __future__ import annotations

from dataclasses import replace

import phonenumbers
from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from qwtimer.core.errors import InputError, QwtimerError
from qwtimer.desk import autostart, phone_token
from qwtimer.desk.context import Desk
from qwtimer.desk.phone_settings import Answer, PhoneSettings
from qwtimer.desk.phone_settings import save as save_settings
from qwtimer.gui.dialog import Dialog, show_whole_hint
from qwtimer.gui.theme import warning_colour

SAMPLE_BODY = '{"event": "ring", "from": "+1 555 010 0100", "id": "pbx-17"}'
MASK = "•" * 12
FIELDS = ("region", "answer", "endpoint", "port", "autostart")


def region_names() -> list[tuple[str, str]]:
    """(shown name, code) for every region a number can be read in, by name."""
    rows = []
    for code in phonenumbers.SUPPORTED_REGIONS:
        territory = QLocale.codeToTerritory(code)
        name = QLocale.territoryToString(territory) if territory.value else code
        rows.append((f"{name} ({code})", code))
    return sorted(rows)


def curl_line(port: int, token: str) -> str:
    """The command a phone system (or a person testing) runs to post one ring."""
    return (
        f"curl -sS -X POST http://127.0.0.1:{port}/event "
        f"-H 'Authorization: Bearer {token}' -H 'Content-Type: application/json' "
        f"-d '{SAMPLE_BODY}'"
    )


class SettingsDialog(Dialog):
    def __init__(self, desk: Desk, settings: PhoneSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.desk = desk
        self.kept: PhoneSettings | None = None
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        self.region = QComboBox(self)
        for name, code in region_names():
            self.region.addItem(name, code)
        self.region.setCurrentIndex(max(self.region.findData(settings.region), 0))
        self.region.setAccessibleName("Phone region")
        form.addRow("Phone &region:", self._with_error("region", self.region))
        self.answer = QComboBox(self)
        self.answer.addItem("Start the timer at once", Answer.START.value)
        self.answer.addItem("Ask first", Answer.ASK.value)
        self.answer.setCurrentIndex(self.answer.findData(settings.answer.value))
        form.addRow("When a call is a&nswered:", self._with_error("answer", self.answer))
        self.endpoint = QCheckBox("&Accept events phone systems post to 127.0.0.1", self)
        self.endpoint.setChecked(settings.endpoint)
        form.addRow("Phone endpoint:", self._with_error("endpoint", self.endpoint))
        self.port = QLineEdit(str(settings.port), self)
        self.port.setAccessibleName("Port")
        self.port.setMaxLength(5)
        form.addRow("&Port:", self._with_error("port", self.port))
        self.token = QLineEdit(self)
        self.token.setReadOnly(True)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setAccessibleName("Token")
        show_whole_hint(self.token, MASK)  # never a sliver beside its note: a token is there
        self.copy_token = QPushButton("&Copy", self)
        self.regenerate = QPushButton("Re&generate", self)
        row = QHBoxLayout()
        row.addWidget(self.token, 1)
        row.addWidget(self.copy_token)
        row.addWidget(self.regenerate)
        holder = QWidget(self)
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        form.addRow("Token:", self._with_error("token", holder))
        self.curl = QLabel(self)
        self.curl.setWordWrap(True)
        self.curl.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.curl.setMinimumHeight(self.fontMetrics().height() * 4)
        self.curl.setAccessibleName("curl line")
        self.copy_curl = QPushButton("Copy c&url line", self)
        form.addRow("Test it:", self.curl)
        form.addRow("", self.copy_curl)
        self.autostart = QCheckBox("&Start qwtimer with the desktop session", self)
        self.autostart.setChecked(settings.autostart)
        if not autostart.supported():
            self.autostart.setToolTip("Set up by hand on this system: see the README")
        form.addRow("", self._with_error("autostart", self.autostart))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self._with_error("save", QWidget(self)))  # the database refused
        layout.addWidget(buttons)
        self.copy_token.clicked.connect(self._copy_token)
        self.copy_curl.clicked.connect(self._copy_curl)
        self.regenerate.clicked.connect(self._regenerate)
        self.endpoint.toggled.connect(self._show_endpoint)
        self.port.textChanged.connect(self._show_endpoint)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 100)
        self._load_token()

    # -- fields ---------------------------------------------------------------------------
    def _with_error(self, name: str, field: QWidget) -> QWidget:
        """``field`` with its error line beside it (hidden while empty)."""
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field, 1)
        error = QLabel("", box)
        error.setStyleSheet(f"color: {warning_colour().name()};")
        error.setAccessibleName(f"{name} error")
        error.setWordWrap(True)
        error.hide()
        row.addWidget(error, 1)
        self.errors[name] = error
        return box

    def error(self, name: str) -> str:
        return self.errors[name].text()

    def _say(self, name: str, line: str) -> None:
        self.errors[name].setText(line)
        self.errors[name].setVisible(bool(line))

    def _load_token(self) -> None:
        try:
            self.token.setText(phone_token.read(self.desk) or "")
            self._say("token", "" if self.token.text() else "made when the endpoint is turned on")
        except phone_token.NoKeyring as exc:
            self.token.clear()
            self._say("token", str(exc))
        self._show_endpoint()

    def _show_endpoint(self) -> None:
        on = self.endpoint.isChecked()
        for w in (self.port, self.token, self.copy_token, self.regenerate, self.copy_curl):
            w.setEnabled(on)
        self.copy_token.setEnabled(on and bool(self.token.text()))
        port = self.port.text().strip() or "PORT"
        self.curl.setText(curl_line(int(port) if port.isdigit() else 0, MASK) if on else "")

    def _copy_token(self) -> None:
        QGuiApplication.clipboard().setText(self.token.text())

    def _copy_curl(self) -> None:
        port = self.port.text().strip()
        token = self.token.text() or "TOKEN"
        QGuiApplication.clipboard().setText(curl_line(int(port) if port.isdigit() else 0, token))

    def _regenerate(self) -> None:
        """A new token at once: a phone system still sending the old one gets 401."""
        try:
            self.token.setText(phone_token.regenerate(self.desk))
            self._say("token", "new token: give it to the phone system")
        except phone_token.NoKeyring as exc:
            self._say("token", str(exc))
        self._show_endpoint()

    # -- OK -------------------------------------------------------------------------------
    def chosen(self) -> PhoneSettings:
        """The settings as the fields say (not yet checked). Raises InputError for a port
        that is not a number."""
        text = self.port.text().strip()
        if not text.isdigit():
            raise InputError(f"port '{text[:10]}' is not a number; give 1024-65535")
        return PhoneSettings(
            region=str(self.region.currentData()),
            answer=Answer(self.answer.currentData()),
            endpoint=self.endpoint.isChecked(),
            port=int(text),
            autostart=self.autostart.isChecked(),
        )

    def apply(self) -> bool:
        """Keep the settings and close, or say beside the field what is wrong and keep
        nothing. The token is made on first turning the endpoint on."""
        for name in self.errors:
            if name != "token":
                self._say(name, "")
        try:
            settings = self.chosen()
        except InputError as exc:
            self._say("port", str(exc))
            return False
        try:
            settings.checked()
        except InputError as exc:
            self._say(_field_of(settings, exc), str(exc))
            return False
        was_on = autostart.is_on()
        if settings.autostart != was_on:
            try:
                autostart.apply(settings.autostart, self.desk.folder)
            except InputError as exc:
                self._say("autostart", str(exc))
                return False
        try:
            if settings.endpoint:
                self.token.setText(phone_token.ensure(self.desk))
            self.kept = save_settings(self.desk, settings)
        except BaseException as exc:
            if settings.autostart != was_on:
                autostart.apply(was_on, self.desk.folder)  # nothing kept, the entry included
            if not isinstance(exc, QwtimerError):
                raise
            self._say("endpoint" if isinstance(exc, phone_token.NoKeyring) else "save", str(exc))
            return False
        self.accept()
        return True

    @classmethod
    def edit(cls, parent: QWidget, desk: Desk, settings: PhoneSettings) -> PhoneSettings | None:
        """Open the dialog; the settings as kept, or None when cancelled."""
        dialog = cls(desk, settings, parent)
        dialog.exec()
        return dialog.kept


def _field_of(settings: PhoneSettings, error: InputError) -> str:
    """Which field ``error`` (from checking ``settings``) is about."""
    base = PhoneSettings()
    for name in FIELDS:
        try:
            replace(base, **{name: getattr(settings, name)}).checked()
        except InputError:
            return name
    return "port"
