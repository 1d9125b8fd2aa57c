"""The outline fits the document (issue 12, item 3): no placeholder unless the dataset asks,
sections without data or text left out, numbering continuous, THCS has its own outline."""

from __future__ import annotations

import re
import shutil

import pytest

from kehoach_nb.model import Heading
from kehoach_nb.plans import build_report

from .conftest import ROOT

SEEDS = ROOT / "params" / "seeds"
KIND = "ke_hoach_phat_trien_giao_duc"
DRAFT = "Dự thảo tự động"


@pytest.fixture(scope="module")
def seed004():
    return build_report(str(SEEDS), "seed004", KIND)


@pytest.mark.parametrize("school", ["seed001", "seed002", "seed003"])
def test_no_placeholder_blocks_by_default(school):
    assert DRAFT not in build_report(str(SEEDS), school, KIND).text()


def test_seed004_keeps_its_sections_without_placeholders(seed004):
    text = seed004.text()
    assert DRAFT not in text and "Nhà trường bổ sung nội dung mục" not in text
    for title in ("Quy hoạch mạng lưới cơ sở giáo dục", "Nâng cao chất lượng giáo dục đào tạo",
                  "Xây dựng và phát triển đội ngũ nhà giáo và cán bộ quản lý giáo dục",
                  "Tình hình thực hiện các chính sách của Nhà nước", "KIẾN NGHỊ, ĐỀ XUẤT"):
        assert title in text
    for absent in ("Chính trị tư tưởng", "Thanh tra, kiểm tra", "Công tác văn phòng", "Công tác Công đoàn"):
        assert absent not in text


def _continuous(blocks) -> None:
    """Under each parent heading, arabic numbers run 1, 2, 3… without a gap."""
    last: dict[tuple, int] = {}
    for b in blocks:
        if not isinstance(b, Heading) or not re.fullmatch(r"(\d+\.)+", b.number or ""):
            if isinstance(b, Heading) and b.level <= 2:
                last = {k: v for k, v in last.items() if k[0] < b.level}
            continue
        nums = [int(x) for x in b.number.strip(".").split(".")]
        key = (b.level, tuple(nums[:-1]))
        assert nums[-1] == last.get(key, 0) + 1, f"{b.number} {b.title}"
        last[key] = nums[-1]


@pytest.mark.parametrize("school", ["seed001", "seed003", "seed004"])
def test_numbering_is_continuous(school):
    _continuous(build_report(str(SEEDS), school, KIND).document.blocks)


def test_placeholders_only_when_the_dataset_asks(tmp_path):
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    with open(dest / "dataset.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nplaceholders: true\n")
    assert DRAFT in build_report(str(dest), "seed003", KIND).text()


def test_thcs_placeholders_only_in_its_own_sections(tmp_path):
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    with open(dest / "dataset.yaml", "a", encoding="utf-8") as fh:
        fh.write("\nplaceholders: true\n")
    text = build_report(str(dest), "seed004", KIND).text()
    for absent in ("Chính trị tư tưởng", "Thanh tra, kiểm tra", "Công tác văn phòng", "Công tác Công đoàn"):
        assert absent not in text
