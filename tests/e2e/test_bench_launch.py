"""The start-up benchmark times qwtimer as installed, not this checkout's source tree: its
app process, spawned as the benchmark spawns it, imports qwtimer from the installed copy."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.bench import bench_gui
from tests.bench.common import ROOT, installed

pytestmark = pytest.mark.slow

# ``python -v`` names the file each module's code comes from, one line per module.
CODE_FROM = re.compile(r"^# code object from '?(?P<path>.+?\.pyc)'?$", re.MULTILINE)


def _loaded_from(stderr: str, module_file: str) -> list[Path]:
    """The files ``python -v`` says the code of ``module_file`` (``qwtimer/__init__``...)
    came from."""
    return [
        Path(m["path"])
        for m in CODE_FROM.finditer(stderr)
        if Path(m["path"]).parent.parent.as_posix().endswith(str(Path(module_file).parent))
        and Path(m["path"]).name.startswith(Path(module_file).name + ".")
    ]


def test_the_benchmarks_app_process_imports_the_installed_qwtimer(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    bench_gui.make_customers(folder, 20)
    cmd = bench_gui.app_command(folder)
    verbose = [cmd[0], "-v", *cmd[1:]]  # the same start, naming where each module comes from
    env = {**bench_gui._env(), "QWTIMER_EXIT_WHEN_READY": "1"}
    proc = bench_gui.launch(verbose, env)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert out.split() == ["shown", "ready"]  # the window opened and loaded, as timed
    venv = Path(installed().python).parent.parent
    for module in ("qwtimer/__init__", "qwtimer/gui/app", "qwtimer/gui/main_window"):
        found = _loaded_from(err, module)
        assert found, f"{module} was not imported"
        assert all(f.is_relative_to(venv) for f in found), found
        assert not any(f.is_relative_to(ROOT / "qwtimer") for f in found), found


def test_started_from_the_checkout_the_same_command_would_import_the_source_tree() -> None:
    """Why the benchmark's processes run elsewhere: the check above can tell them apart."""
    probe = [installed().python, "-c", "import qwtimer; print(qwtimer.__file__)"]
    here = subprocess.run(
        probe, env=bench_gui._env(), cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert Path(here.stdout.strip()).is_relative_to(ROOT / "qwtimer")
    proc = bench_gui.launch(probe)
    out, _ = proc.communicate(timeout=60)
    assert Path(out.strip()).is_relative_to(Path(installed().python).parent.parent)
