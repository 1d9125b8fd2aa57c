"""Issuing survives a crash at any moment: the version is complete with its manifest, or absent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kehoach_nb.issued import store
from kehoach_nb.loading import load_dataset

from .archive_support import DOC, issued_world
from .conftest import ROOT

pytestmark = pytest.mark.integration


class Crash(Exception):
    pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("luu_tru_su_co")
    issued_world(base)
    return base


def _state(root: Path) -> tuple[list[Path], list[Path]]:
    """(complete versions, anything else visible) under the plan's folder of TH01."""
    parent = store.doc_dir(root, "mini", "TH01", DOC)
    entries = [p for p in parent.iterdir() if not p.name.startswith(".")] if parent.is_dir() else []
    return [p for p in entries if store.VERSION_NAME.match(p.name)], [
        p for p in entries if not store.VERSION_NAME.match(p.name)]


def test_an_exception_between_any_two_steps_leaves_nothing(world, monkeypatch):
    monkeypatch.chdir(world)
    files, info = store.gather(load_dataset("mini"), Path("outputs"), "TH01", DOC)
    manifest = {**info, "files": {}}
    steps: list[str] = []
    monkeypatch.setattr(store, "_step", steps.append)
    store.write_version(Path("dem_buoc"), "2026-01-01_000000000000", files, manifest)
    assert steps[-2:] == ["manifest.json", "rename"] and len(steps) == len(files) + 2
    for k in range(len(steps)):
        calls = iter(range(len(steps)))

        def crash(_name, k=k, calls=calls):
            if next(calls) == k:
                raise Crash

        monkeypatch.setattr(store, "_step", crash)
        parent = Path(f"su_co_{k}")
        with pytest.raises(Crash):
            store.write_version(parent, "2026-01-01_000000000000", files, manifest)
        assert list(parent.iterdir()) == []  # no version, no leftover temporary folder
    monkeypatch.setattr(store, "_step", lambda _name: None)
    v, created = store.issue(load_dataset("mini"), Path("outputs"), Path("su_co"), "TH01", DOC)
    assert created and store.check_version(v.path) == []
    with pytest.raises(store.ArchiveError, match="không ghi đè"):  # never over an existing version
        store.write_version(v.path.parent, v.name, files, manifest)
    assert store.check_version(v.path) == []


DRIVER = """
import sys, time
sys.path.insert(0, {root!r})
from pathlib import Path
from kehoach_nb.issued import store
from kehoach_nb.loading import load_dataset
store._step = lambda name: time.sleep(0.02)
ds = load_dataset("mini")
print("bat_dau", flush=True)
store.issue(ds, Path("outputs"), Path(sys.argv[1]), "TH01", {doc!r})
print("xong", flush=True)
"""


def test_kill_9_at_random_moments_leaves_a_complete_version_or_none(world, monkeypatch):
    monkeypatch.chdir(world)
    rng = random.Random(17)
    code = DRIVER.format(root=str(ROOT), doc=DOC)
    seen = {"complete": 0, "absent": 0}
    for i in range(8):
        root = Path(f"giet_{i}")
        proc = subprocess.Popen([sys.executable, "-c", code, str(root)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "bat_dau"
        time.sleep(rng.uniform(0.0, 1.8))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        versions, other = _state(root)
        assert other == [] and len(versions) <= 1
        if versions:
            assert store.check_version(versions[0]) == []
        seen["complete" if versions else "absent"] += 1
        # the next issue cleans up what the killed one left and completes (or finds it done)
        v, _ = store.issue(load_dataset("mini"), Path("outputs"), root, "TH01", DOC)
        assert store.check_version(v.path) == []
        assert [p.name for p in v.path.parent.iterdir()] == [v.name]
    assert seen["absent"] > 0  # killed mid-way at least once
