"""One copy of each shared library in the bundle.

A wheel built with auditwheel carries its own copies of the libraries it links, renamed with a
hash (``psycopg_binary.libs/libssl-6a9b88ec.so.3``: the PostgreSQL driver's OpenSSL and
Kerberos). PyInstaller also carries the system's copy of the same library when another binary
links it by its plain name (Python's ``_ssl`` links ``libssl.so.3``, QtNetwork
``libgssapi_krb5.so.2``), so the bundle held two OpenSSLs and two Kerberos. ``one_copy`` makes
the plain name a symbolic link to the wheel's copy when that copy has the same major version
and defines every symbol version the system's copy defines (so whatever was linked against
the system's copy finds its symbols). The loader then maps one file for both names.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

# A library a wheel carries renamed: psycopg_binary.libs/libssl-6a9b88ec.so.3
VENDORED = re.compile(r"[^/]+\.libs/(lib[\w+.-]+?)-[0-9a-f]{8}\.so\.(\d+)[.\d]*")
# A system library at the bundle's top: libssl.so.3
PLAIN = re.compile(r"(lib[\w+.-]+?)\.so\.(\d+)[.\d]*")


def version_names(library: str | Path) -> set[str]:
    """The symbol versions ``library`` defines (OPENSSL_3.0.0, ...), its own soname aside."""
    out = subprocess.run(
        ["readelf", "-W", "--version-info", str(library)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        line.split("Name: ")[1].split()[0]
        for line in out.splitlines()
        if "Rev:" in line and "Name: " in line and "Flags: BASE" not in line
    }


def one_copy(binaries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``binaries`` (PyInstaller's TOC: dest, source, kind) with each system library that a
    wheel also carries replaced by a symbolic link to the wheel's copy, where it can stand in."""
    vendored = {}
    for dest, src, kind in binaries:
        found = VENDORED.fullmatch(dest.replace("\\", "/"))
        if found and kind == "BINARY":
            vendored[found.groups()] = (dest, src)
    out = []
    for dest, src, kind in binaries:
        plain = PLAIN.fullmatch(dest)
        twin = vendored.get(plain.groups()) if plain and kind == "BINARY" else None
        if twin and version_names(src) <= version_names(twin[1]):
            out.append((dest, twin[0], "SYMLINK"))
        else:
            out.append((dest, src, kind))
    return out
