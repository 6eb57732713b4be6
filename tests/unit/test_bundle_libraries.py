"""How the bundle's shared libraries are chosen: ICU's data package rewritten item by item, and
a system library replaced by the copy a wheel carries only where that copy can stand in."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import PySide6
import pytest

from tests.bundle import icu_data, one_copy

WHEEL_ICU = Path(PySide6.__file__).parent / "Qt" / "lib" / "libicudata.so.73"
_BINARY = importlib.util.find_spec("psycopg_binary")  # not imported: psycopg must come first
assert _BINARY is not None and _BINARY.origin is not None
VENDORED = Path(_BINARY.origin).parent.parent / "psycopg_binary.libs"
SYSTEM_SSL = Path("/lib/x86_64-linux-gnu/libssl.so.3")


def _wheel_package() -> bytes:
    symbol, offset, size = icu_data()._data_symbol(WHEEL_ICU)
    assert symbol == "icudt73_dat"
    with WHEEL_ICU.open("rb") as f:
        f.seek(offset)
        return f.read(size)


def test_icu_data_written_back_whole_is_the_same_bytes() -> None:
    blob = _wheel_package()
    header, items = icu_data().read_package(blob)
    assert len(items) > 3000
    assert icu_data().write_package(header, items) == blob


def test_icu_data_keeps_collation_converters_and_supplemental_data_only() -> None:
    kept = icu_data().kept
    named = {"gb18030", "ibm-5348_P100-1997"}
    for name in ("icudt73l/coll/sv.res", "icudt73l/coll/ucadata.icu", "icudt73l/gb18030.cnv",
                 "icudt73l/cnvalias.icu", "icudt73l/root.res", "icudt73l/res_index.res",
                 "icudt73l/zoneinfo64.res", "icudt73l/likelySubtags.res"):  # fmt: skip
        assert kept(name, named), name
    for name in ("icudt73l/brkitr/cjdict.dict", "icudt73l/lang/de.res", "icudt73l/zone/fr.res",
                 "icudt73l/de.res", "icudt73l/pt_BR.res", "icudt73l/ibm-37_P100-1995.cnv",
                 "icudt73l/unames.icu", "icudt73l/rfc3491.spp"):  # fmt: skip
        assert not kept(name, named), name


def test_a_system_library_becomes_a_link_to_the_wheels_copy_only_where_it_can_stand_in() -> None:
    if not SYSTEM_SSL.exists():
        pytest.skip("no system libssl.so.3 on this machine")
    ssl = next(VENDORED.glob("libssl-*.so.3"))
    toc = [
        (f"psycopg_binary.libs/{ssl.name}", str(ssl), "BINARY"),
        ("libssl.so.3", str(SYSTEM_SSL), "BINARY"),
    ]
    assert one_copy().one_copy(toc)[1] == ("libssl.so.3", toc[0][0], "SYMLINK")
    # a wheel's copy lacking a symbol version the system's copy defines does not stand in
    # (here: a library that defines none)
    lacking = [(f"psycopg_binary.libs/{ssl.name}", str(WHEEL_ICU), "BINARY"), toc[1]]
    assert one_copy().one_copy(lacking)[1] == toc[1]
