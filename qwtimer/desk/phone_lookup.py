"""Find the caller by the number the phone system gives (E.164, ``+15550100100``).

Customers' phones are free text ("(555) 010-0100", "+1 555 010 0100 ext 12", "030 1234567").
The database already keeps an index of each phone's last ten digits (``store.customer_match``,
for duplicates); a look-up asks it for the few keys the caller's number can be written with
(with or without the country code, with the national prefix), then normalises only those
candidates with ``phonenumbers`` against the folder's region and keeps the ones that are the
same number. Its cost is a few index searches, whatever the number of customers.
"""

from __future__ import annotations

from dataclasses import dataclass

from qwtimer.core.phone_events import PhoneEventError, normalise
from qwtimer.desk.duplicates import _rows
from qwtimer.store import customer_match as match
from qwtimer.store.customer_match import phone_key

_COLUMNS = "SELECT id, name, phone, merged_into FROM customer WHERE "
_SQL = (
    "SELECT id, name, phone FROM ("
    f"{_COLUMNS}{match.PHONE} IN (?, ?, ?) UNION "
    f"{_COLUMNS}{match.NOT_PLAIN} AND qw_phone_key(phone) IN (?, ?, ?)"
    ") WHERE merged_into IS NULL"
)


@dataclass(frozen=True)
class Caller:
    """A customer whose stored phone is the caller's number."""

    id: str
    name: str
    phone: str


def keys_for(number: str) -> list[str]:
    """The last-ten-digit keys under which ``number`` (E.164) may be stored: as dialled from
    abroad (country code), at home with the national prefix, and without either."""
    import phonenumbers  # on first use: its tables are not needed to show the window

    parsed = phonenumbers.parse(number, None)
    national = phonenumbers.national_significant_number(parsed)
    prefix = phonenumbers.region_code_for_number(parsed)
    meta = phonenumbers.PhoneMetadata.metadata_for_region(prefix) if prefix else None
    trunk = (meta.national_prefix or "") if meta is not None else ""
    keys = {phone_key(number), phone_key(trunk + national), phone_key(national)}
    found = sorted(k for k in keys if k)
    return (found + [found[-1]] * 3)[:3] if found else ["\x00"] * 3


def same_number(stored: str, number: str, region: str) -> bool:
    """True when the free-text ``stored`` phone is ``number`` (E.164) read in ``region``;
    an extension or text after the number is ignored."""
    try:
        return normalise(stored, region) == number
    except PhoneEventError:
        return False


def callers(number: str, region: str) -> list[Caller]:
    """Every customer (merged ones left out) whose phone is ``number``, by name."""
    keys = keys_for(number)
    rows = _rows(_SQL, [*keys, *keys])
    found = [Caller(cid, name, phone) for cid, name, phone, *_ in rows]
    return sorted(
        (c for c in found if same_number(c.phone, number, region)), key=lambda c: c.name.lower()
    )
