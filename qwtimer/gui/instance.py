"""One running window per user and data folder, and its door for other processes.

:meth:`Instance.claim` takes a lock file beside the socket's address; only the process holding
it listens, so two starts racing never both open the window (the loser hands over to the
winner once it listens). A lock left by a crashed window is stale (its process is gone) and is
taken over, and so is a socket file it left: it is removed before listening.

Each connection carries one message (``desk.instance_link``): ``show`` brings the window to the
front, ``event`` is a phone event (``shown`` and ``phone`` signals). Garbage, an oversized line
or an event that does not check is logged and answered ``{"ok": false}``; it never reaches
the window.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QLockFile, QObject, QTimer, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from qwtimer import logs
from qwtimer.core.phone_events import (
    DEFAULT_REGION,
    SCHEME,
    PhoneEventError,
    from_url,
    make,
)
from qwtimer.desk import instance_link as link
from qwtimer.gui.folder_lock import folder_lock

READ_TIMEOUT_MS = 2000  # a client that connects and says nothing is dropped after this


class Instance(QObject):
    """The window's claim on its data folder and the server other processes talk to."""

    shown = Signal()  # a second start asked for the window
    phone = Signal(object)  # PhoneEvent, numbers read in ``region_of()``

    def __init__(
        self, where: str, parent: QObject | None = None, lock: QLockFile | None = None
    ) -> None:
        """``lock``: the folder's lock file (:func:`folder_lock`), when it is taken already."""
        super().__init__(parent)
        self.where = where
        # the region a number without a country code is read in (the window's phone settings)
        self.region_of: Callable[[], str] = lambda: DEFAULT_REGION
        self.lock = lock if lock is not None else folder_lock(where)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.refused = 0  # messages refused (garbage, too long, bad events)

    def claim(self) -> bool:
        """Become the one window for this folder and listen; False when another holds it."""
        if not self.lock.isLocked() and not self.lock.tryLock(0):
            return False
        QLocalServer.removeServer(self.where)  # a socket left by a crashed window
        if not self.server.listen(self.where):
            self.lock.unlock()
            raise OSError(f"cannot listen at {self.where}: {self.server.errorString()}")
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A qwtimer:// link macOS hands the running application (an open-URL event, not
        a command line): the same as a link sent over the socket."""
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            url = event.url().toString()
            if url.lower().startswith(f"{SCHEME}:"):
                try:
                    self.phone.emit(from_url(url, self.region_of()))
                except PhoneEventError as exc:
                    self.refused += 1
                    logs.logger().warning("link refused: %s", exc)
                return True
        return super().eventFilter(watched, event)

    def release(self) -> None:
        self.server.close()
        self.lock.unlock()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            if sock is None:
                return
            sock.setReadBufferSize(link.MAX_MESSAGE_BYTES + 1)
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            if sock.bytesAvailable() > link.MAX_MESSAGE_BYTES:
                self._refuse(sock, f"a message over {link.MAX_MESSAGE_BYTES} bytes was refused")
            return
        line = bytes(sock.readLine(link.MAX_MESSAGE_BYTES + 1).data())
        try:
            act = self._checked(link.decode(line))
        except (link.MessageError, PhoneEventError) as exc:
            self._refuse(sock, str(exc))
            return
        self._reply(sock, {"ok": True})  # the sender goes; the window acts once it returns
        QTimer.singleShot(0, self, act)

    def _checked(self, message: dict[str, object]) -> Callable[[], None]:
        """What ``message`` asks the window to do, checked; MessageError or
        PhoneEventError (one line) when it asks for nothing the window does."""
        what = message.get("do")
        if what == link.SHOW:
            return self.shown.emit
        if what != link.EVENT:
            raise link.MessageError(f"a message asking to do '{str(what)[:20]}' was refused")
        fields = [message.get(k, "") for k in ("event", "from", "id")]
        if not all(isinstance(f, str) for f in fields):
            raise link.MessageError("an event whose fields are not text was refused")
        name, number, call_id = (str(f) for f in fields)
        event = make(name, number, call_id, self.region_of())
        return lambda: self.phone.emit(event)

    def _refuse(self, sock: QLocalSocket, why: str) -> None:
        self.refused += 1
        logs.logger().warning("local socket: %s", why)
        self._reply(sock, {"ok": False, "error": why})

    @staticmethod
    def _reply(sock: QLocalSocket, answer: dict[str, object]) -> None:
        sock.write(link.encode(answer))
        sock.flush()
        sock.disconnectFromServer()
