"""Incremental runs: unchanged schools start no kernel; a changed row re-renders only its school."""

import re
import shutil

import pytest

from .conftest import DATA
from .test_end_to_end import _kehoach

pytestmark = pytest.mark.integration


def _statuses(stdout: str) -> dict[str, str]:
    """School -> status from the progress lines "[n] ✓ TH01 — thành công (5,1 giây) | …"."""
    lines = (re.match(r"^\[\d+\] \S (\S+) — (.+?) \([^)]*giây\)", x) for x in stdout.splitlines())
    return {m.group(1): m.group(2) for m in lines if m}


def test_noop_rerun_and_single_school_edit(tmp_path):
    shutil.copytree(DATA / "mini", tmp_path / "mini")
    args = ("run", "--dataset", "mini", "--out", "outputs", "--formats", "html")
    first = _kehoach(*args, cwd=tmp_path)
    assert _statuses(first.stdout) == {"TH01": "thành công", "THCS01": "thành công"}, first.stdout
    index = tmp_path / "outputs/mini/2024/index.html"
    page = index.read_bytes()
    again = _kehoach(*args, cwd=tmp_path)
    assert again.returncode == 0
    assert index.read_bytes() == page and "thành công" in page.decode()  # skipped shows the last render
    assert _statuses(again.stdout) == {"TH01": "bỏ qua (không thay đổi)",
                                       "THCS01": "bỏ qua (không thay đổi)"}
    path = tmp_path / "mini" / "enrollment_by_grade.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("THCS01,2024,plan,6,2,62",
                                                             "THCS01,2024,plan,6,2,63"), encoding="utf-8")
    third = _kehoach(*args, cwd=tmp_path)
    assert _statuses(third.stdout) == {"TH01": "bỏ qua (không thay đổi)", "THCS01": "thành công"}
    html = (tmp_path / "outputs/mini/2024/THCS01/ke_hoach_phat_trien_giao_duc.html").read_text()
    assert "dự kiến 08 lớp với 258 học sinh" in html
