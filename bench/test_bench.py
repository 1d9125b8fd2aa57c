"""Checks of the benchmark tools (no timings): `.venv/bin/pytest -q bench/test_bench.py`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_bench  # noqa: E402
import synth  # noqa: E402


@pytest.fixture(scope="module")
def generated():
    return synth.generate(40, seed=11)


def test_same_seed_same_dataset(generated):
    again, _ = synth.generate(40, seed=11)
    assert {k: t.rows for k, t in again.items()} == {k: t.rows for k, t in generated[0].items()}


def test_other_seed_other_dataset(generated):
    other, _ = synth.generate(40, seed=12)
    assert other["school"].rows != generated[0]["school"].rows


def test_internally_consistent(generated):
    assert synth.consistency_problems(generated[0]) == []


def test_ids_and_names(generated):
    schools = generated[0]["school"].rows
    assert [s["school_id"] for s in schools] == [f"S{i:04d}" for i in range(1, 41)]
    per_district = {(s["district"], s["name"]) for s in schools}
    assert len(per_district) == len(schools)


def test_loader_finds_no_problem(generated, tmp_path):
    from kehoach_nb.loading import load_dataset

    synth.write_tables(tmp_path / "synth", *generated)
    ds = load_dataset(tmp_path / "synth")
    assert ds.problems == []
    assert len(ds.school_ids()) == 40


@pytest.mark.parametrize("total,weights", [(10, [1, 1, 1]), (7, [0, 0]), (205, [49, 47, 106, 3]),
                                           (0, [5, 2]), (3, [1, 0, 0, 0, 0])])
def test_apportion_sums_to_total(total, weights):
    parts = synth.apportion(total, weights)
    assert sum(parts) == total and all(p >= 0 for p in parts)


def test_substitution_is_one_pass():
    sub = synth.substituter({"Hòa Lâm": "Hòa Bình", "Hòa Bình": "Tân Lập"})
    assert sub("xã Hòa Lâm, xã Hòa Bình") == "xã Hòa Bình, xã Tân Lập"


def test_report_text_extraction():
    ours = ('<html><head><title>t</title><style>p{}</style></head><body><main class="document">'
            '<p>Số:  05</p><img src="x"><p>Hà\nNội</p></main><p>ngoài</p></body></html>')
    naive = ('<div class="jp-Cell"><div class="jp-RenderedMarkdown">tiêu đề</div>'
             '<div class="jp-RenderedHTMLCommon jp-OutputArea-output" data-mime-type="text/html">'
             '<p>Số: 05</p></div><div class="jp-OutputArea-output" data-mime-type="text/plain">x</div>'
             '<div class="jp-OutputArea-output" data-mime-type="text/html"><p>Hà Nội</p></div></div>')
    assert run_bench.ours_text(ours) == run_bench.naive_text(naive) == "Số: 05 Hà Nội"
