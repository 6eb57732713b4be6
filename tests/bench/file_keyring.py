"""A keyring kept in a JSON file named by ``QWTIMER_BENCH_KEYRING``, for benchmarks whose
window process and measuring process must share the phone endpoint's token
(``PYTHON_KEYRING_BACKEND=tests.bench.file_keyring.FileKeyring``). Never for real secrets."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend


class FileKeyring(KeyringBackend):
    """``path``: the file (``QWTIMER_BENCH_KEYRING`` when not given, as the window's process
    makes it from ``PYTHON_KEYRING_BACKEND``)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path

    def _file(self) -> Path:
        return self.path or Path(os.environ["QWTIMER_BENCH_KEYRING"])

    def _all(self) -> dict[str, str]:
        f = self._file()
        return json.loads(f.read_text()) if f.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._all().get(f"{service}\t{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        secrets = self._all()
        secrets[f"{service}\t{username}"] = password
        self._file().write_text(json.dumps(secrets))

    def delete_password(self, service: str, username: str) -> None:
        secrets = self._all()
        secrets.pop(f"{service}\t{username}", None)
        self._file().write_text(json.dumps(secrets))
