"""What the phone system tells qwtimer: one event of one call (ring, answer, hold, unhold,
end), from the command line (``qwtimer ring``), a ``qwtimer://call?...`` link or a JSON body
posted to the loopback endpoint. All three become the same :class:`PhoneEvent`, checked here
once; anything malformed raises :class:`PhoneEventError` with one line saying what to send
instead, and nothing else happens.

Numbers are normalised with ``phonenumbers`` to E.164 (``+15550100100``) against a default
region for numbers written without a country code, so that "+1 (555) 010-0100",
"555-010-0100" (region US) and "tel:+15550100100" find the same customer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit

from qwtimer.core.errors import InputError

SCHEME = "qwtimer"
MAX_BODY_BYTES = 4096  # one event is a few dozen bytes; anything bigger is not one event
MAX_FIELD_CHARS = 128  # a number or a phone system's call id is never longer than this
DEFAULT_REGION = "US"
_CALL_ID = re.compile(r"[\w.:@/+\-]{1,128}", re.ASCII)


class PhoneEventError(InputError):
    """An event that cannot be acted on; the message is one line saying what to send."""


class Event(StrEnum):
    RING = "ring"
    ANSWER = "answer"
    HOLD = "hold"
    UNHOLD = "unhold"
    END = "end"


EVENTS = tuple(e.value for e in Event)


@dataclass(frozen=True)
class PhoneEvent:
    """One event of one phone call: what happened, the caller's number as E.164, and the
    phone system's own call id (empty when the system sends none)."""

    event: Event
    number: str
    call_id: str = ""

    def key(self) -> tuple[str, str, str]:
        """What makes a repeat of this event a repeat (it is then ignored)."""
        return (self.call_id or self.number, self.number, self.event.value)

    def to_json(self) -> str:
        return json.dumps({"event": self.event.value, "from": self.number, "id": self.call_id})


def region_ok(region: str) -> bool:
    """True for a region code ``phonenumbers`` knows (``US``, ``DE``, ``GB`` ...)."""
    if region.upper() == DEFAULT_REGION:  # the window starts without loading phonenumbers
        return True
    import phonenumbers

    return region.upper() in phonenumbers.SUPPORTED_REGIONS


def normalise(number: str, region: str = DEFAULT_REGION) -> str:
    """The number as E.164 (``+15550100100``). ``tel:`` and ``sip:`` prefixes and any
    punctuation are accepted. Raises PhoneEventError for text that is not a phone number."""
    raw = number.strip()
    if len(raw) > MAX_FIELD_CHARS:
        raise PhoneEventError(f"the caller's number is over {MAX_FIELD_CHARS} characters")
    for prefix in ("tel:", "sip:", "sips:"):
        if raw.lower().startswith(prefix):
            raw = raw[len(prefix) :].split("@", 1)[0].split(";", 1)[0]
    if not raw:
        raise PhoneEventError("the caller's number is empty; send it as --from NUMBER")
    import phonenumbers

    try:
        parsed = phonenumbers.parse(raw, region.upper() if region_ok(region) else DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise PhoneEventError(
            f"'{_shown(number)}' is not a phone number; send it like +1 555 010 0100"
        ) from None
    if not phonenumbers.is_possible_number(parsed):
        raise PhoneEventError(
            f"'{_shown(number)}' is not a possible phone number; send it with its country "
            "code, like +1 555 010 0100"
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def shown(number: str) -> str:
    """An E.164 number the way people read it: ``+1 555-010-0100``."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def make(event: str, number: str, call_id: str = "", region: str = DEFAULT_REGION) -> PhoneEvent:
    """The checked event; raises PhoneEventError naming what is wrong."""
    name = (event or "").strip().lower()
    if name not in EVENTS:
        raise PhoneEventError(f"unknown event '{_shown(event)}'; send one of {', '.join(EVENTS)}")
    ident = (call_id or "").strip()
    if ident and not _CALL_ID.fullmatch(ident):
        raise PhoneEventError(
            f"call id '{_shown(call_id)}' is not a call id: up to {MAX_FIELD_CHARS} letters, "
            "digits and . : @ / + - _"
        )
    return PhoneEvent(Event(name), normalise(number, region), ident)


def from_url(url: str, region: str = DEFAULT_REGION) -> PhoneEvent:
    """``qwtimer://call?from=NUMBER&id=ID&event=ring`` (event defaults to ring)."""
    if len(url) > MAX_BODY_BYTES:
        raise PhoneEventError(f"the link is over {MAX_BODY_BYTES} characters")
    parts = urlsplit(url.strip())
    target = (parts.netloc or parts.path.lstrip("/")).lower()
    if parts.scheme.lower() != SCHEME or target != "call":
        raise PhoneEventError(
            f"'{_shown(url)}' is not a qwtimer link; send qwtimer://call?from=NUMBER&id=ID&event=ring"
        )
    query = parse_qs(parts.query, keep_blank_values=True)
    for key, values in query.items():
        if len(values) > 1:
            raise PhoneEventError(
                f"the link gives '{_shown(key)}' {len(values)} times; give it once"
            )
    unknown = sorted(set(query) - {"from", "id", "event"})
    if unknown:
        raise PhoneEventError(
            f"the link has unknown field '{_shown(unknown[0])}'; it takes from, id and event"
        )
    if "from" not in query:
        raise PhoneEventError("the link has no caller's number; add from=NUMBER")
    one = {k: v[0] for k, v in query.items()}
    return make(one.get("event", Event.RING.value), one["from"], one.get("id", ""), region)


def from_json(body: bytes, region: str = DEFAULT_REGION) -> PhoneEvent:
    """A posted body ``{"event": "ring", "from": "+1 555 010 0100", "id": "abc"}``."""
    if len(body) > MAX_BODY_BYTES:
        raise PhoneEventError(f"the body is over {MAX_BODY_BYTES} bytes; send one event")
    try:
        data: Any = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PhoneEventError(
            'the body is not JSON; send {"event": "ring", "from": "+15550100100", "id": "..."}'
        ) from None
    if not isinstance(data, dict):
        raise PhoneEventError('the body must be one JSON object like {"event": "ring", ...}')
    unknown = sorted(set(data) - {"from", "id", "event"})
    if unknown:
        raise PhoneEventError(
            f"the body has unknown field '{_shown(str(unknown[0]))}'; it takes from, id and event"
        )
    fields = {k: data.get(k, "") for k in ("event", "from", "id")}
    if any(not isinstance(v, str) for v in fields.values()):
        raise PhoneEventError("event, from and id must be strings")
    if not fields["from"]:
        raise PhoneEventError('the body has no caller\'s number; add "from": "+15550100100"')
    return make(fields["event"] or Event.RING.value, fields["from"], fields["id"], region)


def _shown(text: str) -> str:
    """Untrusted text as it may appear in a message: one line, at most 40 characters."""
    flat = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return flat if len(flat) <= 40 else flat[:39] + "…"
