"""Every document of the demo and seed datasets in final mode: which are refused and why,
and what a document that may be issued must never contain."""

from __future__ import annotations

import re

import pytest

from kehoach_nb.issuance import final_blockers
from kehoach_nb.loading import load_dataset, school_documents
from kehoach_nb.model import plain_text
from kehoach_nb.plans import build_report
from kehoach_nb.schema import TABLES

from .conftest import ROOT

DATASETS = [ROOT / "params" / "demo", ROOT / "params" / "seeds"]
CODES = re.compile(r"\b(?:V\d{1,2}|Q6|REFERENCE)\b|\b(?:%s)\b" % "|".join(TABLES))


def _documents():
    for root in DATASETS:
        ds = load_dataset(root)
        for sid in ds.school_ids():
            for doc in school_documents(ds, sid):
                yield pytest.param(root, sid, doc, id=f"{root.name}-{sid}-{doc}")


@pytest.mark.parametrize("root, school, kind", list(_documents()))
def test_final_mode_refuses_with_reasons_or_prints_a_clean_document(root, school, kind):
    doc = build_report(str(root), school, kind, state="ban_hanh").document
    reasons = final_blockers(doc)
    text = plain_text(doc)
    # whatever the verdict, the body never carries audit remarks, drafts or internal codes
    assert "Dự thảo tự động" not in text and "văn bản ghi" not in text, school
    assert not CODES.findall(text), CODES.findall(text)
    assert not text.startswith("DỰ THẢO")
    if reasons:  # refused: every reason says where to fix it
        assert all("nhan_xet/" in r or "kiem_tra_so_lieu" in r for r in reasons), reasons


def test_seed_plans_with_data_errors_are_refused_and_say_so():
    doc = build_report(str(ROOT / "params" / "seeds"), "seed000", state="ban_hanh").document
    assert doc.audit[0] > 0
    assert any("lỗi theo kiểm tra số liệu" in r for r in final_blockers(doc))
