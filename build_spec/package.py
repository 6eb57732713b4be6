"""What ships besides the bundle: its desktop entry and icon, the archive and the Debian package.

``python build_spec/package.py [DIST]`` (``make dist``) turns the bundle ``DIST/qwtimer`` (built
by ``make bundle``) into ``DIST/qwtimer-VERSION-linux-x86_64.tar.gz`` and, where ``dpkg-deb``
exists, ``DIST/qwtimer_VERSION_amd64.deb``. Both are reproducible: the same bundle gives the
same bytes (entries sorted, one fixed time, owner root). Both install to ``/opt/qwtimer``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qwtimer import APP, __version__  # noqa: E402

PREFIX = f"/opt/{APP}"  # where the archive is meant to be unpacked and the .deb installs
MAINTAINER = "qwtimer maintainers <support@example.com>"
# SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else one fixed moment.
EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))  # 2026-01-01 00:00 UTC


def exe_icon(icons: str) -> str | None:
    """The executable's own icon (Windows .ico, macOS .icns) if the icons folder has one."""
    name = {"win32": "qwtimer.ico", "darwin": "qwtimer.icns"}.get(sys.platform)
    path = Path(icons) / name if name else None
    return str(path) if path and path.exists() else None


def desktop_entry(template: str, command: str) -> str:
    """The desktop entry ``template`` with Exec running ``command`` on the link and the
    themed icon ``APP`` (installed under /usr/share/icons by the .deb)."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={command} %u"
        elif line.startswith("Icon="):
            line = f"Icon={APP}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def add_desktop_entry(bundle: str | Path, template: Path | None = None) -> Path | None:
    """Write ``APP.desktop`` beside the bundle's executable, running it where the archive
    and the .deb put it (``/opt/qwtimer/qwtimer``); nothing when the resources have none."""
    template = template or ROOT / "qwtimer" / "resources" / f"{APP}.desktop"
    if not template.exists():
        return None
    target = Path(bundle) / f"{APP}.desktop"
    target.write_text(desktop_entry(template.read_text("utf-8"), f"{PREFIX}/{APP}"), "utf-8")
    return target


def _normalised(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = EPOCH
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = 0o755 if info.isdir() or info.mode & 0o111 else 0o644
    return info


def tarball(bundle: Path, out: Path) -> Path:
    """``out`` (a .tar.gz) holding the folder ``bundle`` under its own name: entries sorted,
    one time, owner root, no gzip timestamp; the same folder always gives the same bytes."""
    paths = sorted(bundle.rglob("*"), key=lambda p: p.relative_to(bundle).as_posix())
    partial = out.with_name(out.name + ".part")
    with (
        partial.open("wb") as f,
        gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="", compresslevel=6) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tar,
    ):
        for path in [bundle, *paths]:
            name = (Path(bundle.name) / path.relative_to(bundle)).as_posix()
            info = _normalised(tar.gettarinfo(str(path), arcname=name))
            if info.isfile():
                with path.open("rb") as data:
                    tar.addfile(info, data)
            else:
                tar.addfile(info)
    partial.replace(out)
    return out


def _png_size(path: Path) -> int | None:
    """The width of a square PNG icon, from its header."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width if width == height else None


def _owner(lib: str) -> str | None:
    """The Debian package that installed ``lib`` (as ldd found it, or where it really is:
    dpkg knows a merged /usr's files by their old /lib names)."""
    real = os.path.realpath(lib)
    for path in dict.fromkeys([lib, real, real.removeprefix("/usr")]):
        out = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            return out.stdout.split(":")[0].split(",")[0].strip()
    return None


def system_packages(bundle: Path) -> list[str]:
    """The Debian packages holding the shared libraries the bundle links to but does not
    carry (libc, GL, ...), as installed on this machine; a library missing here is named on
    stderr, since no package can be named for it."""
    carried = {p.name for p in bundle.rglob("*.so*")}
    found: set[str] = set()
    missing: set[str] = set()
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink() or not (".so" in path.name or path.name == APP):
            continue
        out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
        for line in out.stdout.splitlines():
            name, _, rest = line.strip().partition(" => ")
            where = rest.split(" (")[0].strip()
            if name in carried:
                continue
            if where.startswith("/"):
                found.add(where)
            elif where == "not found":
                missing.add(name)
    packages = {owner for lib in sorted(found) if (owner := _owner(lib))}
    for name in sorted(missing):
        print(
            f"package: {name} is not on this machine: not among the dependencies", file=sys.stderr
        )
    return sorted(packages)


def deb(bundle: Path, out: Path) -> Path:
    """``out``, a Debian package of the bundle: it under /opt/qwtimer, /usr/bin/qwtimer, the
    desktop entry and icons under /usr/share, depending on the system libraries it needs."""
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "stage"
        shutil.copytree(bundle, stage / PREFIX.lstrip("/"), symlinks=True)
        (stage / "usr" / "bin").mkdir(parents=True)
        (stage / "usr" / "bin" / APP).symlink_to(f"{PREFIX}/{APP}")
        share = stage / "usr" / "share"
        entry = bundle / f"{APP}.desktop"
        if entry.exists():
            (share / "applications").mkdir(parents=True)
            (share / "applications" / entry.name).write_text(
                desktop_entry(entry.read_text("utf-8"), APP), "utf-8"
            )
        icons = ROOT / "qwtimer" / "resources" / "icons"
        hicolor = share / "icons" / "hicolor"
        for icon in sorted(icons.glob(f"{APP}*.svg")) + sorted(icons.glob(f"{APP}*.png")):
            size = "scalable" if icon.suffix == ".svg" else _png_size(icon)
            if size is None:
                continue
            folder = hicolor / (size if isinstance(size, str) else f"{size}x{size}") / "apps"
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(icon, folder / f"{APP}{icon.suffix}")
        installed = sum(p.lstat().st_size for p in stage.rglob("*")) // 1024
        (stage / "DEBIAN").mkdir()
        (stage / "DEBIAN" / "control").write_text(
            f"Package: {APP}\nVersion: {__version__}\nArchitecture: amd64\n"
            f"Maintainer: {MAINTAINER}\nInstalled-Size: {installed}\n"
            f"Depends: {', '.join(system_packages(bundle))}\nSection: utils\nPriority: optional\n"
            "Description: call timer and minute bank for a phone-support desk\n"
            " Times support calls and bills them against the customer's minute bank.\n",
            "utf-8",
        )
        for path in [stage, *stage.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() or path.stat().st_mode & 0o111 else 0o644)
                os.utime(path, (EPOCH, EPOCH))
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH)}
        partial = out.with_name(out.name + ".part")
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(stage), str(partial)],
            check=True,
            capture_output=True,
            env=env,
        )
        partial.replace(out)
    return out


def main(argv: list[str]) -> int:
    dist = Path(argv[0] if argv else ROOT / "dist")
    bundle = dist / APP
    if not (bundle / APP).is_file():
        print(f"package: no bundle at {bundle}; run 'make bundle' first", file=sys.stderr)
        return 2
    made = [tarball(bundle, dist / f"{APP}-{__version__}-linux-x86_64.tar.gz")]
    if shutil.which("dpkg-deb") and shutil.which("dpkg"):
        made.append(deb(bundle, dist / f"{APP}_{__version__}_amd64.deb"))
    else:
        print("package: no dpkg-deb here, so no .deb", file=sys.stderr)
    for path in made:
        print(f"{path} ({path.stat().st_size / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
