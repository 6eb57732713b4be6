"""Known conditions of the local data (a full disk, a lock another program holds, a damaged
or read-only database...) told apart from bugs, for whoever reports them to a person."""

from __future__ import annotations

import os
from pathlib import Path

from qwtimer.core.errors import QwtimerError
from qwtimer.paths import data_dir, local_db_path


def known_condition(
    exc: BaseException, folder: Path | str | os.PathLike[str] | None
) -> QwtimerError | None:
    """The known condition behind ``exc``, met on the local database of the data folder
    ``folder`` (``None``: ``QWTIMER_DATA_DIR`` or the platform's), worded for a person with
    what to do; ``None`` when it is none (a bug: log its traceback). A
    :class:`QwtimerError` is returned as it is."""
    from qwtimer.store.faults import classify

    return classify(exc, local_db_path(data_dir(folder)))
