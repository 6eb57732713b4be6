"""The ICU data the bundle carries: only what the ICU calls of Qt's libraries read.

QtCore links ICU for five things only (its imports from libicuuc and libicui18n): collation
(``ucol_*``: QCollator, the file dialog's sorting), legacy text encodings (``ucnv_*``:
QStringConverter beyond UTF and Latin-1), case mapping (``u_strToUpper/Lower``: ICU's code, no
data), a calendar's time zone (``ucal_open``, ``ucal_getCanonicalTimeZoneID``) and time zone
display names (``ucal_getTimeZoneDisplayName``: only QTimeZone::displayName, which qwtimer never
calls). The wheel's ``libicudata`` holds ICU's whole data (30 MiB): break iteration and its
dictionaries, names of languages, regions, currencies, units and time zones, number spell-out,
transliteration, character names, IDNA, every locale's formats, which none of those calls
reads, and 230 converters of which only those with a MIME, IANA or Windows charset name can be
asked for by a label text arrives with. ``slim_library`` rebuilds it with the collation of every
language, those converters, the time zone rules and the supplemental data (6.5 MiB) as the same
shared library (same name, same symbol), so Qt's libraries load it unchanged, and checks that
every one of those charset names decodes as with the whole data.

The data is an ICU common data package (``icupkg`` format ``CmnD``): a header, a table of
contents of (name, offset) pairs sorted by name, then the items, each 16-byte aligned.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Trees of items no ICU call of Qt reads: break iteration, display names of currencies,
# languages, regions and units, number spell-out, transliteration, time zone names.
DROPPED_TREES = {"brkitr", "curr", "lang", "region", "unit", "rbnf", "translit", "zone"}
# A locale's own bundle at the top ("de.res", "pt_BR.res"): its formats and names. Collation
# keeps its own per-locale tree (coll/); the supplemental data ("likelySubtags.res",
# "supplementalData.res", "zoneinfo64.res", ...) and root.res stay.
LOCALE_BUNDLE = re.compile(r"[a-z]{2,3}(_[A-Za-z0-9]+)*\.res")
KEPT_TOP = {"res_index.res", "root.res"}
# Data of services Qt never calls: character names (u_charName), IDNA (uidna), string prep
# (usprep, the *.spp profiles), spoof checks (uspoof).
DROPPED_TOP = re.compile(r"unames\.icu|uts46\.nrm|.*\.spp|confusables.*\.cfu")
PAD = b"\xaa"  # what ICU's own tools pad with
_ERROR = ctypes.POINTER(ctypes.c_int)


# Tables ICU's ISO-2022 converters open inside themselves (JIS X 0212 for ISO-2022-JP-1 and -2,
# CNS 11643 and ISO-IR-165 for ISO-2022-CN, KS C 5601 for ISO-2022-KR): none has a charset name.
ISO2022_TABLES = {"jisx-212", "iso-ir-165", "cns-11643-1992", "ibm-949_P110-1999"}
STANDARDS = ("MIME", "IANA", "WINDOWS")


def kept(name: str, converters: set[str]) -> bool:
    """Whether the item ``name`` ("icudt73l/coll/de.res") stays in the bundle's data; a
    converter table ("icudt73l/gb18030.cnv") stays when ``converters`` names it."""
    _package, _, path = name.partition("/")
    folder, _, rest = path.rpartition("/")
    if folder:
        return folder.split("/")[0] not in DROPPED_TREES
    if rest.endswith(".cnv"):
        return rest.removesuffix(".cnv") in converters
    if DROPPED_TOP.fullmatch(rest):
        return False
    return rest in KEPT_TOP or not LOCALE_BUNDLE.fullmatch(rest)


# Bytes each named converter decodes to check the slim data against the whole: every byte
# value, and characters of the tables the ISO-2022 converters switch to by escape sequence.
SAMPLES = [bytes(range(0x20, 0x100)), b"\x1b$B$\"\x1b(B", b"\x1b$(D0!\x1b(B", b"\x1b$A0!\x1b(B",
           b"\x1b$)A\x0e0!\x0f", b"\x1b$)E\x0e0!\x0f", b"\x1b$)G\x0eD!\x0f", b"\x1b$)C\x0e0!\x0f"]  # fmt: skip


def _icu(folder: Path, version: str) -> dict[str, Callable[..., Any]]:
    """The converter functions of the ICU in ``folder`` (``libicuuc.so.VERSION``, which loads
    the data library beside it)."""
    uc = ctypes.CDLL(str(folder / f"libicuuc.so.{version}"))
    text, size = ctypes.c_char_p, ctypes.c_int32
    types = {
        "ucnv_countAvailable": (size,),
        "ucnv_getAvailableName": (text, size),
        "ucnv_getStandardName": (text, text, text, _ERROR),
        "ucnv_getAlias": (text, text, ctypes.c_uint16, _ERROR),
        "ucnv_open": (ctypes.c_void_p, text, _ERROR),
        "ucnv_close": (None, ctypes.c_void_p),
        "ucnv_toUChars": (size, ctypes.c_void_p, ctypes.c_void_p, size, text, size, _ERROR),
    }
    functions = {}
    for name, (result, *args) in types.items():
        function = getattr(uc, f"{name}_{version}")
        function.restype, function.argtypes = result, args
        functions[name.removeprefix("ucnv_")] = function
    return functions


def named_converters(folder: Path, version: str) -> dict[str, str]:
    """The MIME, IANA and Windows charset names of the ICU in ``folder`` (what text on a
    desktop is labelled with: clipboard, HTML), each with the converter it opens."""
    icu = _icu(folder, version)
    named = {}
    for i in range(icu["countAvailable"]()):
        converter = icu["getAvailableName"](i)
        for tag in STANDARDS:
            error = ctypes.c_int(0)
            label = icu["getStandardName"](converter, tag.encode(), ctypes.byref(error))
            if label:
                opens = icu["getAlias"](label, 0, ctypes.byref(ctypes.c_int(0)))
                named[label.decode()] = (opens or converter).decode()
    return named


def decoded(folder: Path, version: str, labels: list[str]) -> dict[str, list[str | None]]:
    """What the ICU in ``folder`` decodes ``SAMPLES`` to under each charset name (None where
    it cannot open the converter or fails to decode)."""
    icu = _icu(folder, version)
    out: dict[str, list[str | None]] = {}
    for label in labels:
        error = ctypes.c_int(0)
        converter = icu["open"](label.encode(), ctypes.byref(error))
        results: list[str | None] = []
        for sample in SAMPLES:
            buffer = ctypes.create_string_buffer(4 * len(sample) + 8)
            error = ctypes.c_int(0)
            n = converter and icu["toUChars"](
                converter, buffer, len(buffer) // 2, sample, len(sample), ctypes.byref(error)
            )
            ok = converter and error.value <= 0
            results.append(buffer.raw[: 2 * n].decode("utf-16-le", "replace") if ok else None)
        if converter:
            icu["close"](converter)
        out[label] = results
    return out


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The header and the (name, bytes) items of an ICU common data package, in its order.
    Raises ValueError when ``blob`` is not one."""
    header_size = struct.unpack_from("<H", blob, 0)[0]
    if blob[2:4] != b"\xda\x27" or blob[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    count = struct.unpack_from("<I", blob, header_size)[0]
    toc = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    ends = [offset for _name, offset in toc[1:]] + [len(blob) - header_size]
    items = []
    for (name_at, data_at), end in zip(toc, ends, strict=True):
        start = header_size + name_at
        name = blob[start : blob.index(b"\0", start)].decode("ascii")
        items.append((name, blob[header_size + data_at : header_size + end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """An ICU common data package of ``items`` (sorted by name, as ICU searches them)."""
    items = sorted(items, key=lambda item: item[0].encode("ascii"))
    names = b"".join(name.encode("ascii") + b"\0" for name, _data in items)
    names_at = 4 + 8 * len(items)
    data_at = names_at + len(names)
    data_at += -(len(header) + data_at) % 16
    toc, body, name_at, at = [], bytearray(), names_at, data_at
    for name, data in items:
        toc.append(struct.pack("<II", name_at, at + len(body)))
        name_at += len(name) + 1
        body += data + PAD * (-len(data) % 16)
    head = struct.pack("<I", len(items)) + b"".join(toc) + names
    return header + head + PAD * (data_at - len(head)) + bytes(body)


def _data_symbol(library: Path) -> tuple[str, int, int]:
    """The data symbol of an ICU data library (``icudt73_dat``), its file offset and size."""
    out = subprocess.run(
        ["readelf", "-W", "--dyn-syms", "--sections", str(library)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    symbol = re.search(r"\s([0-9a-f]+)\s+(\d+|0x[0-9a-f]+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)$",
                       out, re.M)  # fmt: skip
    section = re.search(r"\.rodata\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)", out)
    if symbol is None or section is None:
        raise ValueError(f"{library} holds no ICU data symbol")
    address, size = int(symbol.group(1), 16), int(symbol.group(2), 0)
    offset = address - int(section.group(1), 16) + int(section.group(2), 16)
    return symbol.group(3), offset, size


def _with_base_tables(converters: set[str], items: list[tuple[str, bytes]]) -> set[str]:
    """``converters`` and the tables they extend: an extension-only table (windows-936-2000)
    names its base table (ibm-1386_P100-2001) among its strings."""
    tables = {name.rpartition("/")[2].removesuffix(".cnv"): data for name, data in items
              if name.endswith(".cnv")}  # fmt: skip
    todo, found = list(converters & tables.keys()), set(converters)
    while todo:
        strings = {s.decode() for s in re.findall(rb"[!-~]{4,}", tables[todo.pop()])}
        for base in (strings & tables.keys()) - found:
            found.add(base)
            todo.append(base)
    return found


def _ask(folder: Path, version: str, labels: list[str] | None = None) -> Any:
    """``named_converters`` (no ``labels``) or ``decoded`` of the ICU in ``folder``, asked in
    a process of its own: a process loads one ICU data library, whatever its folder."""
    out = subprocess.run(
        [sys.executable, __file__, str(folder), version, *(labels or [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def slim_library(library: Path, out: Path) -> Path:
    """``out``, the ICU data library ``library`` rebuilt with the kept items only: the same
    soname and data symbol, assembled and linked with binutils (as strip needs them). Raises
    RuntimeError when ICU given it decodes a charset name otherwise than given the whole."""
    symbol, offset, size = _data_symbol(library)
    version = symbol.removeprefix("icudt").removesuffix("_dat")
    named: dict[str, str] = _ask(library.parent, version)
    converters = set(named.values())
    with library.open("rb") as f:
        f.seek(offset)
        header, items = read_package(f.read(size))
    converters = _with_base_tables(converters | ISO2022_TABLES, items)
    blob = write_package(header, [(n, data) for n, data in items if kept(n, converters)])
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        data, source, obj = Path(tmp) / "data.bin", Path(tmp) / "data.s", Path(tmp) / "data.o"
        data.write_bytes(blob)
        source.write_text(
            f"\t.section .rodata\n\t.globl {symbol}\n\t.type {symbol}, @object\n\t.balign 16\n"
            f'{symbol}:\n\t.incbin "{data}"\n\t.size {symbol}, . - {symbol}\n'
            '\t.section .note.GNU-stack,"",@progbits\n',
            "ascii",
        )
        subprocess.run(["as", "-o", str(obj), str(source)], check=True, capture_output=True)
        subprocess.run(
            ["ld", "-shared", "-soname", library.name, "-o", str(out), str(obj)],
            check=True,
            capture_output=True,
        )
        trial = Path(tmp) / "trial"
        trial.mkdir()
        shutil.copy2(out, trial / library.name)
        shutil.copy2(library.parent / f"libicuuc.so.{version}", trial)
        labels = sorted(named)
        whole, slim = _ask(library.parent, version, labels), _ask(trial, version, labels)
    failed = [label for label in labels if slim[label] != whole[label]]
    if failed:
        raise RuntimeError(f"the slim ICU data decodes {', '.join(failed)} otherwise")
    return out


if __name__ == "__main__":
    _folder, _version, *_labels = sys.argv[1:]
    _answer = decoded(Path(_folder), _version, _labels) if _labels else None
    print(json.dumps(_answer or named_converters(Path(_folder), _version)))
