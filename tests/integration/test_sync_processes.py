"""Five laptops sync at the same moment as separate ``qwtimer sync`` processes."""

from __future__ import annotations

import json
import os
import random
import subprocess

import pytest

from tests.integration.conftest import Backend
from tests.integration.devices import allocations, central_balance
from tests.integration.test_sync_behaviour import MakeDevice, _bank_of_60_minutes

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("round_", range(2))
def test_r6_1_five_sync_processes_never_double_spend_the_bank(
    ledger: Backend, make_device: MakeDevice, qwtimer_cmd: list[str], round_: int
) -> None:
    cid, techs = _bank_of_60_minutes(ledger, make_device, card=False)
    for t in techs:
        t.log(cid, 20)
    random.shuffle(techs)
    procs = []
    for t in techs:
        name = t.desk.technician
        env = {**os.environ, "QWTIMER_DATA_DIR": str(t.desk.folder), "QWTIMER_TECHNICIAN": name}
        procs.append(
            subprocess.Popen(
                [*qwtimer_cmd, "sync", "--json", "--ledger", ledger.url(name)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        report = json.loads(out)
        assert report["ok"] and report["pushed"]["call"] == 1 and not report["conflicts"]
    settled = allocations(ledger.admin, cid)
    assert sum(a["from_bank_seconds"] for a in settled) == 60 * 60
    assert sum(a["overage_seconds"] for a in settled) == 40 * 60
    assert central_balance(ledger.admin, cid) == -40 * 60
    for t in techs:
        assert t.sync(ledger.url(t.desk.technician)).ok
        assert t.balance(cid) == -40 * 60
