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


class DiskFull(QwtimerError):
    """The local database had no room for a write (a full disk): nothing of it was saved."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"the disk holding the data folder {folder} is full: nothing was saved; "
            "free some space and try again"
        )
        self.folder = folder
