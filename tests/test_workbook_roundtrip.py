"""Every table of params/demo -> one workbook per school -> the loaded dataset is the same."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kehoach_nb.loading import load_dataset, school_digest
from kehoach_nb.schema import TABLES
from kehoach_nb.workbook.prefill import write_templates

ROOT = Path(__file__).parent.parent
DEMO = ROOT / "params" / "demo"


def make_workbook_dataset(dest: Path, source: Path = DEMO) -> Path:
    """`dest`: dataset.yaml, shared CSVs holding only the "*" rows, truong/<id>.xlsx per school."""
    ds = load_dataset(source)
    dest.mkdir(parents=True)
    shutil.copy(source / "dataset.yaml", dest / "dataset.yaml")
    for name in TABLES:
        path = source / f"{name}.csv"
        if not path.exists():
            continue
        rows = list(csv.reader(path.open(encoding="utf-8-sig", newline="")))
        shared = [r for r in rows[1:] if r and r[0] == "*"]
        if shared:
            with (dest / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([rows[0]] + shared)
    write_templates(ds, ds.school_ids(), False, dest / "truong")
    return dest


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    books = make_workbook_dataset(tmp_path_factory.mktemp("wb") / "demo")
    return load_dataset(DEMO), load_dataset(books)


def test_round_trip_same_rows_and_digests(pair):
    csv_ds, wb_ds = pair
    assert not wb_ds.problems, [str(p) for p in wb_ds.problems]
    assert wb_ds.school_ids() == csv_ds.school_ids() and len(csv_ds.school_ids()) == 8
    for sid in csv_ds.school_ids():
        for name in TABLES:
            assert wb_ds.row_texts(name, sid) == csv_ds.row_texts(name, sid), (sid, name)
        assert school_digest(wb_ds, sid) == school_digest(csv_ds, sid)


def test_round_trip_covers_every_table_with_rows(pair):
    csv_ds, wb_ds = pair
    for name, df in csv_ds.tables.items():
        assert len(wb_ds.tables[name]) == len(df), name
    assert sum(len(df) for df in wb_ds.tables.values()) > 1500


def test_workbook_replaces_the_schools_rows_of_the_shared_tables(tmp_path):
    """An office keeps its CSVs and drops in a school's returned workbook: that school's rows
    come from the workbook, the other schools' from the CSVs."""
    shutil.copytree(DEMO, tmp_path / "ds")
    ds = load_dataset(tmp_path / "ds")
    wb_path = write_templates(ds, ["TH02"], False, tmp_path / "ds" / "truong")[0]
    from openpyxl import load_workbook

    wb = load_workbook(wb_path)
    ws = wb["Quy mô HS"]
    codes = [c.value for c in ws[1]]
    ws.cell(3, codes.index("students") + 1).value += 7
    wb.save(wb_path)
    after = load_dataset(tmp_path / "ds")
    assert not after.problems, [str(p) for p in after.problems]
    assert len(after.tables["enrollment_by_grade"]) == len(ds.tables["enrollment_by_grade"])
    col = list(ds.tables["enrollment_by_grade"].columns).index("students")
    assert [r[col] for r in after.row_values("enrollment_by_grade", "TH02")][0] == \
        [r[col] for r in ds.row_values("enrollment_by_grade", "TH02")][0] + 7
    for sid in ("TH01", "THCS01"):
        assert school_digest(after, sid) == school_digest(ds, sid)
