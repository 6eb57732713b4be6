"""A throwaway PostgreSQL cluster from the installed server binaries (tests and benchmarks).

The binaries are found with ``pg_config --bindir`` or under ``/usr/lib/postgresql/*/bin``.
As root the server runs as the ``postgres`` user (PostgreSQL refuses to run as root), with
its data folder in a temporary folder owned by that user. It listens on a free localhost
port and a unix socket in its own folder; ``trust`` authentication for local connections, so
no password exists anywhere. ``stop()`` removes everything.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl live, or None when no server is installed."""
    found = shutil.which("pg_config")
    if found:
        try:
            out = subprocess.run(
                [found, "--bindir"], capture_output=True, text=True, check=True
            ).stdout.strip()
            if (Path(out) / "initdb").exists():
                return Path(out)
        except (OSError, subprocess.CalledProcessError):
            pass
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    if shutil.which("initdb"):
        return Path(shutil.which("initdb") or "").parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """``Cluster().start()``; ``url(db, user)``; ``stop()``."""

    def __init__(self, bindir: Path | None = None) -> None:
        found = bindir or bin_dir()
        if found is None:
            raise FileNotFoundError("no PostgreSQL server binaries (initdb, pg_ctl) installed")
        self.bindir = found
        self.root = Path(tempfile.mkdtemp(prefix="qwtimer-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = _free_port()
        self.superuser = "postgres"
        self._as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}")

    def start(self, settings: dict[str, str] | None = None) -> Cluster:
        """Create and start the cluster; ``settings``: server settings that replace or add to
        the defaults below (e.g. a bigger ``shared_buffers`` for a bulk fill)."""
        self.sock.mkdir(parents=True)
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chmod(self.root, 0o755)
            for p in (self.root, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        else:
            self.superuser = pwd.getpwuid(os.geteuid()).pw_name
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            self.superuser,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        chosen = {
            "listen_addresses": "127.0.0.1",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "100",
            "shared_buffers": "128MB",
            **(settings or {}),
        }
        opts = f"-p {self.port} -k {self.sock} " + " ".join(
            f"-c {name}={value}" for name, value in chosen.items()
        )
        self._opts = opts
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-l", str(self.root / "log"), "start"
        )
        return self

    def restart(self) -> None:
        """Stop the server mid-work (every session cut, as at a shutdown) and start it again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", self._opts, "-w", "-l", str(self.root / "log"),
            "start",
        )  # fmt: skip

    def url(self, dbname: str = "postgres", user: str | None = None) -> str:
        return f"postgresql://{user or self.superuser}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
