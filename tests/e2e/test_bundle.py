"""The PyInstaller bundle runs on its own: it finds its policy files and bills a call, writes a
PDF, syncs with PostgreSQL, hands a phone event to its window, keeps the phone token in the
Secret Service, its window times a call driven by real input, what it leaves out of ICU and
carries once changes no text, and its archive and Debian package carry it whole. The bundle is
built once per session (``bundle`` in conftest.py)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import PySide6
import pytest

from qwtimer import APP, __version__
from tests.bundle import packaging
from tests.e2e.conftest import Desktop
from tests.e2e.session import Session, expected_lines, finish
from tests.integration.conftest import pg_cluster  # noqa: F401  (the PostgreSQL server)
from tests.pgcluster import Cluster

pytestmark = pytest.mark.slow


def test_bundle_bills_a_call_with_its_own_policy_files(bundle: Path, tmp_path: Path) -> None:
    q = [str(bundle), "--data-dir", str(tmp_path / "data")]
    policy = json.loads(
        subprocess.run(
            [*q, "policy", "show", "--json"], check=True, capture_output=True, text=True
        ).stdout
    )
    assert policy["version"] == "2026-11"
    subprocess.run(
        [*q, "customer", "add", "Bundle Ltd", "--product", "desktop", "--plan", "license"],
        check=True,
        capture_output=True,
    )
    bill = json.loads(
        subprocess.run(
            [*q, "call", "log", "Bundle Ltd", "--talk", "12:30", "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert bill["billed_seconds"] == 13 * 60  # R3: rounded up once, to the next minute
    assert bill["balance_after_seconds"] == 45 * 60 - 13 * 60  # R1 grant minus the call
    calls = json.loads(
        subprocess.run([*q, "calls", "--json"], check=True, capture_output=True, text=True).stdout
    )
    assert [(c["customer"], c["billed_seconds"]) for c in calls] == [("Bundle Ltd", 13 * 60)]


def test_bundle_writes_a_statement_as_pdf(bundle: Path, tmp_path: Path) -> None:
    q = [str(bundle), "--data-dir", str(tmp_path / "data")]
    add = ["customer", "add", "Pdf Ltd", "--product", "desktop", "--plan", "license"]
    subprocess.run([*q, *add], check=True, capture_output=True)
    subprocess.run(
        [*q, "call", "log", "Pdf Ltd", "--talk", "4:00"], check=True, capture_output=True
    )
    pdf = tmp_path / "statement.pdf"
    out = subprocess.run(
        [*q, "statement", "Pdf Ltd", "--pdf", str(pdf)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Font" in data  # its text is drawn with the fonts it embeds


@pytest.mark.pg
def test_the_bundle_syncs_its_calls_to_a_postgresql_ledger(
    bundle: Path,
    pg_cluster: Cluster,  # noqa: F811
    tmp_path: Path,
) -> None:
    pg_cluster.admin("CREATE DATABASE bundle_ledger")
    admin = pg_cluster.url("bundle_ledger")
    q = [str(bundle), "--data-dir", str(tmp_path / "data"), "--technician", "tess"]
    for args in (
        ["ledger", "init", admin],
        ["ledger", "add-technician", "tess", "--ledger", admin],
        ["ledger", "use", pg_cluster.url("bundle_ledger", "tess")],
        ["customer", "add", "Pg Ltd", "--product", "desktop", "--plan", "license"],
        ["call", "log", "Pg Ltd", "--talk", "3:00"],
    ):
        out = subprocess.run([*q, *args], capture_output=True, text=True)
        assert out.returncode == 0, f"{args}: {out.stderr}"
    sync = subprocess.run([*q, "sync", "--json"], capture_output=True, text=True)
    assert sync.returncode == 0, sync.stderr
    result = json.loads(sync.stdout)
    assert result["pushed"]["call"] == 1 and result["settled_closes"] == 1
    assert result["unsettled"] == []


def _window_pid(log: str) -> int | None:
    for line in log.splitlines():
        if "window opened" in line:
            return int(line.split(" pid ")[1].split()[0])
    return None


class Desk:
    """A data folder with one customer, the bundle's commands on it and its window's log."""

    def __init__(self, bundle: Path, root: Path, **env: str) -> None:
        self.bundle, self.logs, home = bundle, root / "logs", root / "home"
        self.env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QWTIMER_DATA_DIR": str(root / "data"),
                    "QWTIMER_TECHNICIAN": "tess", "QWTIMER_LOG_DIR": str(self.logs),
                    "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                    "XDG_DATA_HOME": str(home / "share"), "QWTIMER_NO_DESKTOP_INSTALL": "1", **env}  # fmt: skip
        self.env.pop("QWTIMER_EXIT_WHEN_READY", None)
        add = ["customer", "add", "Acme Ltd", "--product", "desktop", "--plan", "license"]
        assert self.run(*add, "--phone", "(555) 010-0100").returncode == 0

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bundle), *args], env=self.env, capture_output=True, text=True
        )

    def log(self) -> str:
        return "".join(p.read_text() for p in self.logs.glob("*.log"))

    def wait_log(self, line: str) -> None:
        deadline = time.monotonic() + 20
        while line not in self.log():
            assert time.monotonic() < deadline, self.log()
            time.sleep(0.05)

    def stop_window(self) -> None:
        pid = _window_pid(self.log())
        if pid is not None:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 15
            while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
                time.sleep(0.05)


def test_the_bundle_hands_a_ring_to_the_window_it_starts(bundle: Path, tmp_path: Path) -> None:
    desk = Desk(bundle, tmp_path)
    try:
        done = desk.run("ring", "--from", "+1 (555) 010-0100", "--call-id", "pbx-1")
        assert done.returncode == 0, done.stderr
        desk.wait_log("phone: showing Acme Ltd for +15550100100")
    finally:
        desk.stop_window()


@pytest.fixture
def secret_service(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A session bus of its own with GNOME Keyring's Secret Service on it, unlocked."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("the Secret Service check needs dbus-daemon and gnome-keyring-daemon")
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert bus.stdout is not None
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    env = {"DBUS_SESSION_BUS_ADDRESS": bus.stdout.readline().strip(),
           "XDG_RUNTIME_DIR": str(runtime), "HOME": str(tmp_path / "home")}  # fmt: skip
    try:
        subprocess.run(
            ["gnome-keyring-daemon", "--unlock", "--components=secrets"],
            input="unlock",
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            check=True,
        )
        yield env
    finally:
        bus.terminate()
        bus.wait(timeout=10)


def test_the_bundle_keeps_the_phone_token_in_the_secret_service(
    bundle: Path, tmp_path: Path, secret_service: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.backends.SecretService import Keyring

    from qwtimer.desk import phone_settings
    from qwtimer.desk.context import Desk as DataFolder

    port = 47_600 + os.getpid() % 300
    desk = Desk(bundle, tmp_path, **secret_service)
    desk.env.pop("PYTHON_KEYRING_BACKEND", None)  # the keyring the desktop offers
    folder = DataFolder(tmp_path / "data")
    try:
        phone_settings.save(folder, phone_settings.PhoneSettings(endpoint=True, port=port))
        device = folder.device_id
    finally:
        folder.close()
    window = subprocess.Popen([str(desk.bundle)], env=desk.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        desk.wait_log(f"phone endpoint listening on 127.0.0.1:{port}")
        for name, value in secret_service.items():  # read back as any program of the session
            monkeypatch.setenv(name, value)
        token = Keyring().get_password("qwtimer-phone", device)
        assert token
        body = '{"event": "ring", "from": "+1 555 010 0100", "id": "kr-1"}'
        for sent, status in ((None, 401), (token, 202)):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            auth = {"Authorization": f"Bearer {sent}"} if sent else {}
            conn.request("POST", "/event", body, {"Content-Type": "application/json", **auth})
            assert conn.getresponse().status == status
            conn.close()
        desk.wait_log("phone: showing Acme Ltd for +15550100100")
    finally:
        window.terminate()
        window.wait(timeout=15)


def test_bundle_reports_bad_input_like_the_source_tree(bundle: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [str(bundle), "--data-dir", str(tmp_path), "customer", "show", "Nobody"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2
    assert "no customer 'Nobody'" in out.stderr


def test_bundle_says_the_package_version(bundle: Path) -> None:
    out = subprocess.run([str(bundle), "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"{APP} {__version__}"


def test_bundle_leaves_out_the_qt_parts_qwtimer_never_loads(bundle: Path) -> None:
    qt = bundle.parent / "_internal" / "PySide6" / "Qt"
    platforms = {p.name for p in (qt / "plugins" / "platforms").iterdir()}
    assert platforms == {"libqxcb.so", "libqoffscreen.so", "libqwayland.so"}
    assert not (qt / "translations").exists()
    assert not (qt / "plugins" / "platformthemes" / "libqgtk3.so").exists()
    assert not list(bundle.parent.rglob("libgtk*")) and not list(bundle.parent.rglob("libpango*"))
    assert (qt / "lib" / "libQt6Network.so.6").exists()  # the local socket and loopback endpoint
    assert (qt / "plugins" / "iconengines" / "libqsvgicon.so").exists()  # the window's icon
    assert not (qt / "lib" / "libQt6OpenGL.so.6").exists()  # no binary of the bundle links it


def test_the_bundle_carries_one_openssl_and_one_kerberos(bundle: Path) -> None:
    internal = bundle.parent / "_internal"
    for name in ("libssl.so.3", "libcrypto.so.3", "libgssapi_krb5.so.2", "libkrb5.so.3"):
        path = internal / name  # Python's ssl and QtNetwork link these names
        assert path.is_symlink(), name
        assert path.resolve().parent == internal / "psycopg_binary.libs", name


def _icu_probe(folder: Path, labels: list[str] | None = None) -> Any:
    out = subprocess.run(
        [sys.executable, "-m", "tests.icu_probe", str(folder), *(labels or [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_the_bundled_icu_sorts_and_decodes_text_as_the_whole_icu_data_does(bundle: Path) -> None:
    ours = bundle.parent / "_internal" / "PySide6" / "Qt" / "lib"
    whole = _icu_probe(Path(PySide6.__file__).parent / "Qt" / "lib")
    assert len(whole["decoded"]) > 150  # every MIME, IANA and Windows charset name
    assert _icu_probe(ours, list(whole["decoded"])) == whole
    swedish = whole["collation"]["sv"]
    assert swedish.index("öl") > swedish.index("zebra")  # the language's own order, not root's
    assert (ours / "libicudata.so.73").stat().st_size < 8 * 2**20  # of the wheel's 30 MiB


@pytest.mark.display
def test_the_bundled_window_times_a_call_with_hold_and_bills_it_as_its_command_line_says(
    bundle: Path, desktop: Desktop, tmp_path: Path
) -> None:
    s = Session(desktop, tmp_path / "data", tmp_path, program=[str(bundle)])
    s.cli("customer", "add", "Ada Example", "--product", "desktop", "--plan", "license")
    app = s.open_window("bundle")
    try:
        window = desktop.wait_window("qwtimer: bundle")
        desktop.focus(window)
        s.start_call(window, "ada")
        s.state_then_time("talk", 2)
        desktop.key("F3")  # Hold
        s.state_then_time("hold", 2)
        desktop.key("F5")  # Resume
        s.state_then_time("talk", 1)
        shown = s.stop_and_read_the_bill("Bill: Ada Example")
        row = s.stopped_row(researched=False)
        assert row["technician"] == "bundle" and row["hold_seconds"] >= 2
        assert row["billed_seconds"] == 60  # under a minute of talk, rounded up (R3)
        assert shown.splitlines()[:3] == ["Bill: Ada Example", *expected_lines(row)]
        desktop.focus(window)
        desktop.key("ctrl+q")
        assert app.wait(timeout=15) == 0
    finally:
        finish(app)


@pytest.fixture(scope="module")
def archives(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The archive of the bundle made twice, and its Debian package where dpkg-deb exists."""
    pkg, out = packaging(), tmp_path_factory.mktemp("archives")
    made = {
        "tar": pkg.tarball(bundle.parent, out / "one.tar.gz"),
        "again": pkg.tarball(bundle.parent, out / "two.tar.gz"),
    }
    if shutil.which("dpkg-deb"):
        made["deb"] = pkg.deb(bundle.parent, out / f"{APP}.deb")
    return made


def test_the_archive_is_the_same_bytes_each_time(archives: dict[str, Path]) -> None:
    assert archives["tar"].read_bytes() == archives["again"].read_bytes()
    with tarfile.open(archives["tar"]) as tar:
        members = tar.getmembers()
    assert {(m.uid, m.gid, m.uname, m.mtime) for m in members} == {(0, 0, "root", 1767225600)}
    assert [m.name for m in members] == sorted(m.name for m in members)


def test_the_archive_unpacks_into_a_qwtimer_folder_that_runs(
    archives: dict[str, Path], tmp_path: Path
) -> None:
    with tarfile.open(archives["tar"]) as tar:
        tar.extractall(tmp_path / "opt", filter="tar")
    exe = tmp_path / "opt" / APP / APP
    out = subprocess.run(
        [str(exe), "--data-dir", str(tmp_path / "data"), "policy", "show", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["version"] == "2026-11"


def test_the_deb_puts_the_bundle_under_opt_with_a_command_and_its_icon(
    archives: dict[str, Path],
) -> None:
    if "deb" not in archives:
        pytest.skip("the Debian package needs dpkg-deb")
    info = subprocess.run(
        ["dpkg-deb", "--info", str(archives["deb"])], capture_output=True, text=True, check=True
    ).stdout
    assert f"Package: {APP}" in info and f"Version: {__version__}" in info
    assert "Architecture: amd64" in info
    assert "libc6" in info.split("Depends: ")[1].splitlines()[0]  # what the bundle does not carry
    contents = subprocess.run(
        ["dpkg-deb", "--contents", str(archives["deb"])],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"./usr/bin/{APP} -> /opt/{APP}/{APP}" in contents
    assert f"./opt/{APP}/{APP}\n" in contents
    assert f"./usr/share/icons/hicolor/scalable/apps/{APP}.svg" in contents
    assert f"./opt/{APP}/_internal/{APP}/resources/policies/2026-11.toml" in contents
