"""What an ICU does with text, for comparing the bundle's ICU with the wheel's:
``python -m tests.icu_probe FOLDER [LABEL...]`` prints, as JSON, words sorted by the collation
of several languages and what each charset LABEL (by default every MIME, IANA and Windows name
this ICU knows) decodes sample bytes to, asked of ``FOLDER/libicui18n.so.73`` and the ICU data
library beside it (one ICU per process)."""

from __future__ import annotations

import ctypes
import json
import sys
from functools import cmp_to_key
from pathlib import Path

from tests.bundle import icu_data

VERSION = "73"
LOCALES = ("en", "de", "sv", "da", "es", "cs", "fr", "tr", "zh", "ja", "ko")
WORDS = ("zebra", "Äpfel", "apple", "Øre", "öl", "ångström", "Zürich", "école", "Ecole", "ch",
         "cz", "ñu", "nube", "ısı", "iğne", "中文", "日本", "한국", "ß", "ss", "Straße")  # fmt: skip


def sorted_words(folder: Path, locale: str) -> list[str]:
    """``WORDS`` sorted by ICU's collation of ``locale``; raises OSError when it cannot open."""
    i18n = ctypes.CDLL(str(folder / f"libicui18n.so.{VERSION}"))
    ucol_open = getattr(i18n, f"ucol_open_{VERSION}")
    ucol_open.restype, ucol_open.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_void_p]
    strcoll = getattr(i18n, f"ucol_strcoll_{VERSION}")
    strcoll.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_char_p,
                        ctypes.c_int32]  # fmt: skip
    error = ctypes.c_int(0)
    collator = ucol_open(locale.encode(), ctypes.byref(error))
    if not collator or error.value > 0:
        raise OSError(f"no collation for {locale} (ICU error {error.value})")

    def compare(a: str, b: str) -> int:
        ua, ub = a.encode("utf-16-le"), b.encode("utf-16-le")
        return int(strcoll(collator, ua, len(ua) // 2, ub, len(ub) // 2))

    return sorted(WORDS, key=cmp_to_key(compare))


def probe(folder: Path, labels: list[str]) -> dict[str, object]:
    data = icu_data()
    labels = labels or sorted(data.named_converters(folder, VERSION))
    return {
        "collation": {locale: sorted_words(folder, locale) for locale in LOCALES},
        "decoded": data.decoded(folder, VERSION, labels),
    }


if __name__ == "__main__":
    print(json.dumps(probe(Path(sys.argv[1]), sys.argv[2:])))
