"""Phone events from the three entries become one checked event; bad input gets one line."""

from __future__ import annotations

import pytest

from qwtimer.core.phone_events import (
    MAX_BODY_BYTES,
    Event,
    PhoneEvent,
    PhoneEventError,
    from_json,
    from_url,
    make,
    normalise,
    shown,
)


@pytest.mark.parametrize(
    "text",
    [
        "+1 (555) 010-0100",
        "555-010-0100",
        "(555) 010 0100",
        "tel:+15550100100",
        "sip:+15550100100@pbx.example;user=phone",
        " +1.555.010.0100 ",
    ],
)
def test_every_way_a_phone_system_writes_a_number_finds_the_same_e164(text: str) -> None:
    assert normalise(text, "US") == "+15550100100"


def test_a_number_without_country_code_is_read_in_the_default_region() -> None:
    assert normalise("020 7946 0958", "GB") == "+442079460958"
    assert normalise("030 123456", "DE") == "+4930123456"


@pytest.mark.parametrize("text", ["", "abc", "12", "+", "tel:", "9" * 200])
def test_text_that_is_not_a_number_gets_one_line(text: str) -> None:
    with pytest.raises(PhoneEventError) as info:
        normalise(text)
    assert "\n" not in str(info.value)


def test_a_link_gives_the_event_the_number_and_the_call_id() -> None:
    event = from_url("qwtimer://call?from=%2B1%20555%20010%200100&id=pbx-17&event=hold")
    assert event == PhoneEvent(Event.HOLD, "+15550100100", "pbx-17")
    assert from_url("qwtimer://call?from=5550100100").event is Event.RING


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://call?from=5550100100", "not a qwtimer link"),
        ("qwtimer://hangup?from=5550100100", "not a qwtimer link"),
        ("qwtimer://call?id=1", "no caller's number"),
        ("qwtimer://call?from=5550100100&from=5550100101", "2 times"),
        ("qwtimer://call?from=5550100100&colour=red", "unknown field 'colour'"),
        ("qwtimer://call?from=5550100100&event=transfer", "unknown event 'transfer'"),
        ("qwtimer://call?from=5550100100&id=a%0Ab", "is not a call id"),
        ("qwtimer://call?from=" + "5" * MAX_BODY_BYTES, "over"),
    ],
)
def test_a_malformed_link_says_what_to_send(url: str, says: str) -> None:
    with pytest.raises(PhoneEventError, match=says) as info:
        from_url(url)
    assert "\n" not in str(info.value)


def test_a_posted_body_gives_the_same_event_as_a_link() -> None:
    body = b'{"event": "answer", "from": "+1 555 010 0100", "id": "pbx-17"}'
    assert from_json(body) == from_url("qwtimer://call?from=5550100100&id=pbx-17&event=answer")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "one JSON object"),
        (b'{"event": "ring"}', "no caller's number"),
        (b'{"from": 5550100100}', "must be strings"),
        (b'{"from": "5550100100", "x": 1}', "unknown field 'x'"),
        (b'{"from": "5550100100", "pad": "' + b"x" * MAX_BODY_BYTES + b'"}', "over"),
    ],
)
def test_a_malformed_body_says_what_to_send(body: bytes, says: str) -> None:
    with pytest.raises(PhoneEventError, match=says):
        from_json(body)


def test_a_repeat_has_the_same_key_and_another_call_another() -> None:
    first = make("hold", "5550100100", "pbx-17")
    assert first.key() == make("HOLD", "+1 555 010 0100", "pbx-17").key()
    assert first.key() != make("hold", "5550100100", "pbx-18").key()
    assert first.key() != make("unhold", "5550100100", "pbx-17").key()


def test_a_number_is_shown_the_way_people_read_it() -> None:
    assert shown("+15550100100") == "+1 555-010-0100"
