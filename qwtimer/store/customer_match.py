"""Indexed look-up of customers that may be duplicates (``desk.duplicates`` decides).

SQLite keeps three expression indexes over plain keys it can compute itself (name lower-cased
without spaces, email lower-cased and trimmed, the phone's last ten digits once the usual
punctuation is stripped) and one partial index of the rows those keys cannot judge (a
character outside printable ASCII, or a phone with other characters). A look-up is then four
index searches, whatever the number of customers; every insert, including rows pulled from
the ledger, keeps the indexes current without Python. The keys in full (``name_key``,
``phone_key``, ``email_key``) judge the candidates, in Python and as SQL functions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_DIGITS = "phone"
for _mark in (" ", "-", "(", ")", ".", "+", "/"):
    _DIGITS = f"replace({_DIGITS}, '{_mark}', '')"

NAME = "replace(lower(name), ' ', '')"
EMAIL = "lower(trim(email))"
PHONE = f"substr({_DIGITS}, -10)"
NOT_PLAIN = f"(name GLOB '*[^ -~]*' OR email GLOB '*[^ -~]*' OR {_DIGITS} GLOB '*[^0-9]*')"

INDEXES = [
    f"CREATE INDEX IF NOT EXISTS customer_name_match ON customer ({NAME})",
    f"CREATE INDEX IF NOT EXISTS customer_email_match ON customer ({EMAIL})",
    f"CREATE INDEX IF NOT EXISTS customer_phone_match ON customer ({PHONE})",
    f"CREATE INDEX IF NOT EXISTS customer_unplain_match ON customer (id) WHERE {NOT_PLAIN}",
]

_COLUMNS = "SELECT id, name, phone, email, merged_into FROM customer WHERE "
# Parameters: name, email, phone (plain keys), then name, email, phone (keys for the
# functions qw_name_key, qw_email_key, qw_phone_key), then the id to leave out.
CANDIDATES = (
    "SELECT id, name, phone, email FROM ("
    + " UNION ".join(
        [
            _COLUMNS + f"{NAME} = ?",
            _COLUMNS + f"{EMAIL} = ?",
            _COLUMNS + f"{PHONE} = ?",
            _COLUMNS + f"{NOT_PLAIN} AND (qw_name_key(name) = ? OR qw_email_key(email) = ? "
            "OR qw_phone_key(phone) = ?)",
        ]
    )
    + ") WHERE merged_into IS NULL AND id != ?"
)


_SPACE = re.compile(r"\s+")
# Fewer digits than this are an extension or a typo, not a phone number worth matching.
MIN_PHONE_DIGITS = 5
# Numbers are compared on their last digits, so "+1 555 010 4242" is "(555) 010-4242".
PHONE_DIGITS_COMPARED = 10


def name_key(name: str) -> str:
    """A name as compared: case-folded, inner runs of spaces made one, ends trimmed."""
    return _SPACE.sub(" ", name).strip().casefold()


def phone_key(phone: str) -> str:
    """A phone as compared: its last ten digits, punctuation and a country code ignored
    ('' when too short to mean anything)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-PHONE_DIGITS_COMPARED:] if len(digits) >= MIN_PHONE_DIGITS else ""


def email_key(email: str) -> str:
    return email.strip().casefold()


# The keys as SQL functions, for rows the plain expressions above cannot judge. Registered on
# every connection as it opens (``store.connection``), never per query: registering a
# function again makes SQLite prepare every statement of the connection anew.
KEY_FUNCTIONS: dict[str, Callable[[str], str]] = {
    "qw_name_key": name_key,
    "qw_phone_key": phone_key,
    "qw_email_key": email_key,
}
