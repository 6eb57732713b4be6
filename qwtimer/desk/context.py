"""The desk: one open local database, a clock, the policy book, who and where we are."""

from __future__ import annotations

import getpass
import os
import uuid
from pathlib import Path

from peewee import SqliteDatabase

from qwtimer.core.cards import refuse_card_numbers
from qwtimer.core.clock import Clock, SystemClock
from qwtimer.core.policy import PolicyBook
from qwtimer.paths import data_dir, local_db_path, resource
from qwtimer.store.connection import open_local
from qwtimer.store.models import Meta, database


class Desk:
    """Everything a service needs. Create one per process (the models bind to its database)."""

    def __init__(
        self,
        folder: Path | str | None = None,
        *,
        clock: Clock | None = None,
        technician: str | None = None,
        policies: PolicyBook | None = None,
    ) -> None:
        self.folder = data_dir(folder)
        self.db_path = local_db_path(self.folder)
        self._bound_before = database.obj  # what the models were bound to (see close)
        try:
            self.db: SqliteDatabase = open_local(self.db_path)
            self.clock: Clock = clock or SystemClock()
            self._policies = policies
            self.technician = (
                technician
                or os.environ.get("QWTIMER_TECHNICIAN")
                or getpass.getuser()
                or "technician"
            )
            refuse_card_numbers({"the technician's name (--technician)": self.technician})
            self.device_id = self.meta("device_id") or self._new_device_id()
        except BaseException:  # a desk that could not open leaves no database bound nor open
            opened = database.obj
            if opened is not self._bound_before:
                opened.close()
                database.initialize(self._bound_before)
            raise

    @property
    def policies(self) -> PolicyBook:
        """The policy book given, or the packaged one, read when first needed (a window
        that bills nothing, such as the supervisor review, never reads it)."""
        if self._policies is None:
            self._policies = PolicyBook.from_dir(resource("policies"))
        return self._policies

    def meta(self, key: str) -> str | None:
        row = Meta.get_or_none(Meta.key == key)
        return str(row.value) if row else None

    def set_meta(self, key: str, value: str) -> None:
        Meta.replace(key=key, value=value).execute()

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version`` on this desk's connection: it changes whenever
        another connection commits to the same database file, and only then."""
        return int(self.db.execute_sql("PRAGMA data_version").fetchone()[0])

    def _new_device_id(self) -> str:
        """Made once per data folder: commands started together on an empty folder all find
        the one the first of them wrote (the transaction holds the write lock from BEGIN)."""
        with self.db.atomic():
            device = self.meta("device_id")
            if device is None:
                device = str(uuid.uuid4())
                self.set_meta("device_id", device)
        return device

    def close(self) -> None:
        """Close the database. While the models are still bound to it, they go back to the
        database they were bound to before this desk opened (a caller's own desk, when a
        command ran inside its process)."""
        if not self.db.is_closed():
            self.db.close()
        if database.obj is self.db:
            database.initialize(self._bound_before)
