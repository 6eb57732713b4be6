"""Errors a person can act on. Every message says what happened, to what, and what to do."""


class QwtimerError(Exception):
    """Base of every error qwtimer reports to a person instead of a traceback."""


class InputError(QwtimerError):
    """Input was malformed or refers to something that does not exist."""


class IllegalTransition(QwtimerError):
    """A timer action that the call's current state does not allow."""


class PolicyError(QwtimerError):
    """A policy file is missing, malformed or inconsistent."""


class CallChanged(IllegalTransition):
    """Another command or window changed the call between reading it and writing it: the
    write was refused whole (compare-and-set), nothing was recorded."""


class StoreFault(QwtimerError):
    """A known condition of the local data (not a bug): the message names the folder or file
    and what to do. Nothing was saved by the operation that met it."""


class DiskFull(StoreFault):
    """The disk holding the data folder has no room left."""

    def __init__(self, folder: object) -> None:
        self.folder = folder
        super().__init__(
            f"disk full: the disk holding {folder} has no room left; nothing was saved. "
            "Free some space on it and try again"
        )


class Busy(StoreFault):
    """Another program holds the local database locked, still after retrying."""

    def __init__(self, path: object, waited_s: float) -> None:
        self.path = path
        super().__init__(
            f"another program holds the local database {path} locked (waited {waited_s:g} s); "
            "nothing was saved. Close the other qwtimer window or command using it and try again"
        )


class Conflict(StoreFault):
    """Another command changed the same call (or row) between this one's read and write."""

    def __init__(self) -> None:
        super().__init__(
            "another command changed the call at the same moment; nothing was saved. "
            "See where it stands with 'qwtimer timer status' and try again"
        )


class ReadOnly(StoreFault):
    """The local database or its folder cannot be written."""

    def __init__(self, path: object) -> None:
        self.path = path
        super().__init__(
            f"the local database {path} is read-only; nothing was saved. Make it and its "
            "folder writable or choose another with --data-dir or QWTIMER_DATA_DIR"
        )


class Damaged(StoreFault):
    """SQLite's own integrity check found the local database damaged."""

    def __init__(self, path: object, detail: str) -> None:
        self.path = path
        super().__init__(
            f"the local database {path} is damaged ({detail}); move it aside and restore the "
            "latest backup (*.bak-*) or start a new data folder"
        )
