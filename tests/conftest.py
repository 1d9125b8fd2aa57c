"""Shared fixtures: a copy of the small test dataset that a test may damage."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile("ci")

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of tests/data/mini (2 schools)."""
    dest = tmp_path / "mini"
    shutil.copytree(DATA / "mini", dest)
    return dest
