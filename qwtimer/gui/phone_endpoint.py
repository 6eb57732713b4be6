"""The loopback endpoint phone systems post their events to: ``POST /event`` on 127.0.0.1
only (never another address), with ``Authorization: Bearer TOKEN`` and one small JSON body.

It runs on the GUI thread's event loop (``QTcpServer``, no thread, nothing that waits): each
connection is read as its bytes arrive, judged by :mod:`qwtimer.gui.phone_http`, answered and
closed. A client that sends half a request and stalls is answered 408 and dropped after
``stall_ms``; more than ``max_connections`` at once are answered 503. An accepted event is
emitted once as ``received``; nothing else ever is.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QHostAddress, QTcpServer, QTcpSocket

from qwtimer import logs
from qwtimer.core.phone_events import DEFAULT_REGION, MAX_BODY_BYTES
from qwtimer.gui.phone_http import BUSY, MAX_HEAD_BYTES, TIMED_OUT, Answer, Request

STALL_MS = 5000  # the whole request must arrive within this; a phone system sends it at once
MAX_CONNECTIONS = 16
DRAIN_BYTES = MAX_BODY_BYTES  # read and dropped after answering, so the answer is not reset


def in_use_line(port: int) -> str:
    return f"port {port} is in use; choose another in Settings"


class _Connection(QObject):
    """One client: read within the limits, answer once, close."""

    def __init__(self, endpoint: PhoneEndpoint, socket: QTcpSocket) -> None:
        super().__init__(endpoint)
        self.endpoint = endpoint
        self.socket = socket
        self.request = Request(endpoint.token, endpoint.region)
        self.drained = 0
        self.continued = False
        socket.setParent(self)
        socket.setReadBufferSize(MAX_HEAD_BYTES + MAX_BODY_BYTES + 4)
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(self._closed)
        socket.errorOccurred.connect(self._failed)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._stalled)
        self.timer.start(endpoint.stall_ms)

    def _read(self) -> None:
        if self.request.answer is not None:  # answered: drop what still comes, up to a cap
            self.drained += self.socket.read(max(DRAIN_BYTES - self.drained, 1)).size()
            if self.drained >= DRAIN_BYTES:
                self.socket.abort()
            return
        while self.socket.bytesAvailable() > 0 and self.request.room() > 0:
            answer = self.request.feed(bytes(self.socket.read(self.request.room()).data()))
            if answer is not None:
                self._answer(answer)
                return
        if self.request.wants_continue and not self.continued:
            self.continued = True
            self.socket.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _answer(self, answer: Answer) -> None:
        """Send ``answer``, close, and emit its event (once) after the client has it."""
        self.request.answer = answer
        self.socket.write(answer.to_bytes())
        self.socket.disconnectFromHost()
        self.timer.start(self.endpoint.stall_ms)  # a client that never reads is dropped
        if answer.status >= 400:
            logs.logger().info("phone endpoint: %s %s", answer.status, answer.body["error"])
        event = answer.event
        if event is not None:  # from the event loop: a slot that asks never holds the socket
            endpoint = self.endpoint
            QTimer.singleShot(0, endpoint, lambda: endpoint.received.emit(event))

    def _stalled(self) -> None:
        if self.request.answer is None:
            self._answer(TIMED_OUT)
        else:
            self.socket.abort()

    def _failed(self, _error: QAbstractSocket.SocketError) -> None:
        if self.socket.state() == QAbstractSocket.SocketState.UnconnectedState:
            self._closed()

    def _closed(self) -> None:
        if self in self.endpoint.connections:
            self.endpoint.connections.remove(self)
            self.timer.stop()
            self.deleteLater()


class PhoneEndpoint(QObject):
    """``start(port, token, region)`` listens on 127.0.0.1:port, ``stop()`` closes it and every
    connection. A port that cannot be listened on is told once through ``failed`` (one line,
    also in ``error`` and the log); the window carries on either way."""

    received = Signal(object)  # a PhoneEvent, once per accepted request
    failed = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        stall_ms: int = STALL_MS,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(parent)
        self.stall_ms = stall_ms
        self.max_connections = max_connections
        self.server = QTcpServer(self)
        self.server.newConnection.connect(self._accept)
        self.connections: list[_Connection] = []
        self.token = ""
        self.region = DEFAULT_REGION
        self.error = ""

    def start(self, port: int, token: str, region: str) -> None:
        """Listen on 127.0.0.1:``port`` for requests bearing ``token``; numbers without a
        country code are read in ``region``. Restarts when already listening."""
        self.stop()
        self.token, self.region, self.error = token, region, ""
        if not token:
            self._fail("the phone endpoint has no token; turn it on again in Settings")
            return
        if not self.server.listen(QHostAddress(QHostAddress.SpecialAddress.LocalHost), port):
            if self.server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
                self._fail(in_use_line(port))
            else:
                self._fail(
                    f"the phone endpoint cannot listen on port {port} "
                    f"({self.server.errorString()}); choose another in Settings"
                )
            return
        logs.logger().info("phone endpoint listening on 127.0.0.1:%s", port)

    def stop(self) -> None:
        """Stop listening and drop every open connection; nothing more is emitted."""
        if self.server.isListening():
            self.server.close()
            logs.logger().info("phone endpoint stopped")
        for conn in list(self.connections):
            conn.socket.abort()
            conn._closed()
        self.token = ""

    def listening(self) -> bool:
        return self.server.isListening()

    def port(self) -> int:
        return self.server.serverPort()

    def address(self) -> QHostAddress:
        return self.server.serverAddress()

    def _fail(self, line: str) -> None:
        self.error = line
        logs.logger().warning("phone endpoint: %s", line)
        self.failed.emit(line)

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is None:
                return
            if len(self.connections) >= self.max_connections:
                socket.write(BUSY.to_bytes())
                socket.disconnectFromHost()
                socket.disconnected.connect(socket.deleteLater)
                QTimer.singleShot(self.stall_ms, socket, socket.abort)
                continue
            self.connections.append(_Connection(self, socket))
