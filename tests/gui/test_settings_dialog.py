"""Settings (Ctrl+,): the phone region, what answering does, the endpoint with its token and
curl line, starting with the session. OK keeps all of it or, with one line beside the field
at fault, nothing; the window listens as the settings say."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from qwtimer.core.phone_events import Event, PhoneEvent
from qwtimer.desk import phone_settings, phone_token
from qwtimer.desk.context import Desk
from qwtimer.desk.phone_settings import Answer, PhoneSettings
from qwtimer.gui.main_window import MainWindow
from qwtimer.gui.settings_dialog import MASK, SettingsDialog
from tests.gui.conftest import add_customer, squeezed
from tests.memory_keyring import MemoryKeyring, memory_keyring  # noqa: F401

RING = b'{"event": "ring", "from": "+1 555 010 0100", "id": "pbx-17"}'


@pytest.fixture
def autostart_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "autostart"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def dialog(qtbot: Any, desk: Desk) -> SettingsDialog:
    d = SettingsDialog(desk, phone_settings.load(desk))
    qtbot.addWidget(d)
    return d


def fill(d: SettingsDialog, region: str, answer: Answer, endpoint: bool, port: str) -> None:
    d.region.setCurrentIndex(d.region.findData(region))
    d.answer.setCurrentIndex(d.answer.findData(answer.value))
    d.endpoint.setChecked(endpoint)
    d.port.setText(port)


def test_settings_round_trip_keeps_every_field_and_makes_the_token_once(
    qtbot: Any,
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
    autostart_dir: Path,
) -> None:
    d = dialog(qtbot, desk)
    assert d.region.currentData() == "US" and "United States" in d.region.currentText()
    assert not d.endpoint.isChecked() and not d.token.text()
    fill(d, "DE", Answer.ASK, True, "50123")
    d.autostart.setChecked(True)
    assert d.apply() and d.result() == SettingsDialog.DialogCode.Accepted
    kept = PhoneSettings("DE", Answer.ASK, True, 50123, True)
    assert phone_settings.load(desk) == kept == d.kept
    token = phone_token.read(desk)
    assert token and d.token.text() == token
    assert (autostart_dir / "qwtimer.desktop").is_file()

    again = dialog(qtbot, desk)  # opens with what was kept; the token is kept, not remade
    assert again.region.currentData() == "DE" and again.answer.currentData() == "ask"
    assert again.endpoint.isChecked() and again.port.text() == "50123"
    assert again.token.text() == token and again.autostart.isChecked()
    again.autostart.setChecked(False)
    assert again.apply()
    assert phone_token.read(desk) == token
    assert not (autostart_dir / "qwtimer.desktop").exists()
    assert phone_settings.load(desk).autostart is False


@pytest.mark.parametrize(("port", "says"), [("80", "1024-65535"), ("8o8o", "not a number")])
def test_a_port_that_cannot_be_kept_is_told_beside_it_and_nothing_is_kept(
    qtbot: Any,
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
    autostart_dir: Path,
    port: str,
    says: str,
) -> None:
    d = dialog(qtbot, desk)
    d.show()
    qtbot.waitExposed(d)
    fill(d, "GB", Answer.ASK, True, port)
    d.autostart.setChecked(True)
    assert not d.apply()
    assert says in d.error("port") and d.errors["port"].isVisibleTo(d)
    qtbot.wait(50)
    assert squeezed(d) == []  # the dialog grew for the line
    assert d.token.width() >= d.token.fontMetrics().horizontalAdvance(MASK)  # not a sliver
    assert d.result() != SettingsDialog.DialogCode.Accepted and d.kept is None
    assert phone_settings.load(desk) == PhoneSettings()
    assert memory_keyring.secrets == {} and not autostart_dir.exists()
    d.port.setText("50124")  # corrected: the line goes and everything is kept
    assert d.apply() and d.error("port") == ""
    assert phone_settings.load(desk).port == 50124


def test_turning_the_endpoint_on_without_a_keyring_is_refused_beside_it(
    qtbot: Any, desk: Desk, autostart_dir: Path
) -> None:
    d = dialog(qtbot, desk)
    assert "no OS keyring" in d.error("token")
    fill(d, "US", Answer.START, True, "50125")
    d.autostart.setChecked(True)
    assert not d.apply()
    assert "no OS keyring" in d.error("endpoint") and "stays off" in d.error("endpoint")
    assert phone_settings.load(desk) == PhoneSettings()
    assert not (autostart_dir / "qwtimer.desktop").exists()  # nothing kept, the entry included


def test_the_token_is_masked_copied_and_regenerated_and_the_curl_line_is_ready_to_paste(
    qtbot: Any,
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    old = phone_token.ensure(desk)
    d = dialog(qtbot, desk)
    fill(d, "US", Answer.START, True, "50126")
    assert d.token.echoMode() == d.token.EchoMode.Password
    assert old not in d.curl.text() and MASK in d.curl.text()
    assert "http://127.0.0.1:50126/event" in d.curl.text()
    qtbot.mouseClick(d.copy_token, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == old
    qtbot.mouseClick(d.regenerate, Qt.MouseButton.LeftButton)
    new = phone_token.read(desk)
    assert new and new != old and d.token.text() == new
    qtbot.mouseClick(d.copy_curl, Qt.MouseButton.LeftButton)
    pasted = QGuiApplication.clipboard().text()
    assert f"Authorization: Bearer {new}" in pasted and "50126/event" in pasted
    assert pasted.startswith("curl ") and '"event": "ring"' in pasted


def _post(qtbot: Any, port: int, token: str) -> bytes:
    import threading

    out: list[bytes] = []

    def talk() -> None:
        head = (
            f"POST /event HTTP/1.1\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Length: {len(RING)}\r\n\r\n"
        ).encode()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(head + RING)
            got = b""
            while chunk := s.recv(4096):
                got += chunk
            out.append(got)

    t = threading.Thread(target=talk, daemon=True)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=10_000)
    return out[0]


def test_ctrl_comma_opens_settings_and_the_window_listens_as_they_say(
    qtbot: Any,
    window: MainWindow,
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = free_port()

    def technician(d: SettingsDialog) -> int:  # what the technician does in the dialog
        fill(d, "US", Answer.START, True, str(port))
        d.apply()
        return int(d.result())

    monkeypatch.setattr(SettingsDialog, "exec", technician)
    assert not window.phone_setup.endpoint.listening()
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert window.phone_setup.endpoint.listening() and window.phone_setup.endpoint.port() == port
    token = phone_token.read(desk)
    assert token
    with qtbot.waitSignal(window.phone_setup.endpoint.received) as got:
        assert b" 202 " in _post(qtbot, port, token)
    assert got.args == [PhoneEvent(Event.RING, "+15550100100", "pbx-17")]
    # the window acts on it as on any ring: no customer has the number, so it offers one
    qtbot.waitUntil(lambda: window.phone.banner.new_customer.isVisible())
    assert "+1 555-010-0100" in window.phone.waiting_text()

    def turn_off(d: SettingsDialog) -> int:
        d.endpoint.setChecked(False)
        d.apply()
        return int(d.result())

    monkeypatch.setattr(SettingsDialog, "exec", turn_off)
    window.commands.settings.trigger()
    assert not window.phone_setup.endpoint.listening()


def test_a_port_in_use_is_one_line_in_the_status_bar_and_the_window_keeps_working(
    qtbot: Any,
    make_window: Any,
    desk: Desk,
    memory_keyring: MemoryKeyring,  # noqa: F811
) -> None:
    add_customer(desk)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        phone_settings.save(desk, PhoneSettings(endpoint=True, port=port))
        w = make_window()
        assert w.status.text() == f"port {port} is in use; choose another in Settings"
        assert not w.phone_setup.endpoint.listening()
        qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(w.search.box, "ada")
        qtbot.keyClick(w.search.box, Qt.Key.Key_Return)
        assert w.customer is not None and w.customer.name == "Ada Lovelace Ltd"


def test_with_no_keyring_the_window_says_so_once_and_the_endpoint_stays_off(
    qtbot: Any, make_window: Any, desk: Desk
) -> None:
    add_customer(desk)
    phone_settings.save(desk, PhoneSettings(endpoint=True, port=free_port()))
    w = make_window()
    assert "no OS keyring" in w.status.text()
    assert not w.phone_setup.endpoint.listening()
