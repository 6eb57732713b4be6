"""Phone settings are kept per data folder, checked as a whole, and never read back broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwtimer.core.errors import InputError
from qwtimer.desk.context import Desk
from qwtimer.desk.phone_settings import Answer, PhoneSettings, load, save


@pytest.fixture
def desk(tmp_path: Path):
    d = Desk(tmp_path)
    yield d
    d.close()


def test_a_new_folder_has_the_defaults_and_the_endpoint_off(desk: Desk) -> None:
    assert load(desk) == PhoneSettings()
    assert load(desk).endpoint is False


def test_saved_settings_read_back_as_saved(desk: Desk) -> None:
    kept = save(desk, PhoneSettings("gb", Answer.ASK, True, 50_000, True))
    assert kept.region == "GB"
    assert load(desk) == kept


@pytest.mark.parametrize(
    ("settings", "says"),
    [(PhoneSettings(region="XX"), "region code"), (PhoneSettings(port=80), "1024-65535")],
)
def test_a_wrong_setting_is_refused_and_nothing_is_kept(
    desk: Desk, settings: PhoneSettings, says: str
) -> None:
    with pytest.raises(InputError, match=says):
        save(desk, settings)
    assert load(desk) == PhoneSettings()


def test_a_value_damaged_in_the_file_falls_back_to_its_default(desk: Desk) -> None:
    for key, value in (("region", "??"), ("answer", "maybe"), ("port", "-3")):
        desk.set_meta(f"phone.{key}", value)
    assert load(desk) == PhoneSettings()
