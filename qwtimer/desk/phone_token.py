"""The phone endpoint's token: a secret the phone system sends as ``Authorization: Bearer
TOKEN``. It lives in the OS keyring (service ``qwtimer-phone``, user = this data folder's
device id), never in the database and never in a log. Where no keyring works the endpoint
stays off and one line says why.
"""

from __future__ import annotations

import secrets

from qwtimer.core.errors import QwtimerError
from qwtimer.desk.context import Desk

SERVICE = "qwtimer-phone"


class NoKeyring(QwtimerError):
    """No OS keyring can keep the token, so the endpoint cannot be turned on."""

    def __init__(self) -> None:
        super().__init__(
            "no OS keyring is available to keep the phone endpoint's token, so the endpoint "
            "stays off; start the desktop's keyring (GNOME Keyring, KWallet) or set "
            "PYTHON_KEYRING_BACKEND"
        )


def _user(desk: Desk) -> str:
    return desk.device_id


def read(desk: Desk) -> str | None:
    """This folder's token, or None when none was made yet. Raises NoKeyring."""
    try:
        import keyring

        token = keyring.get_password(SERVICE, _user(desk))
    except Exception:  # the keyring's own errors and a backend that cannot load alike
        raise NoKeyring() from None
    return token or None


def ensure(desk: Desk) -> str:
    """This folder's token, made (``secrets.token_urlsafe(32)``) and kept on first use.
    Raises NoKeyring; never returns an empty token."""
    return read(desk) or regenerate(desk)


def regenerate(desk: Desk) -> str:
    """A new token replaces the old one (a phone system sending the old one gets 401).
    Raises NoKeyring; the old token is kept when the new one cannot be stored."""
    token = secrets.token_urlsafe(32)
    try:
        import keyring

        keyring.set_password(SERVICE, _user(desk), token)
        if keyring.get_password(SERVICE, _user(desk)) != token:
            raise NoKeyring()
    except NoKeyring:
        raise
    except Exception:
        raise NoKeyring() from None
    return token
