"""Draft and final documents, and the audit report that stands beside the plans."""

from __future__ import annotations

import re

import pytest

from kehoach_nb.audit import audit_dataset
from kehoach_nb.audit.report import audit_document
from kehoach_nb.issuance import final_blockers
from kehoach_nb.loading import load_dataset
from kehoach_nb.model import Header, plain_text
from kehoach_nb.plans import build_report

from .conftest import DATA, ROOT

SEEDS = ROOT / "params" / "seeds"


def test_a_draft_says_so_at_the_top_and_a_final_does_not():
    draft = build_report(str(DATA / "mini"), "TH01").document
    final = build_report(str(DATA / "mini"), "TH01", state="ban_hanh").document
    assert draft.state == "du_thao" and plain_text(draft).startswith("DỰ THẢO\n")
    assert final.state == "ban_hanh" and not plain_text(final).startswith("DỰ THẢO")
    assert next(b for b in final.blocks if isinstance(b, Header)).mark == ""


def test_state_comes_from_document_meta(mini):
    meta = mini / "document_meta.csv"
    lines = meta.read_text(encoding="utf-8").splitlines()
    lines[0] += ",state"
    lines[1:] = [line + ",ban_hanh" for line in lines[1:]]
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert build_report(str(mini), "TH01").document.state == "ban_hanh"
    assert build_report(str(mini), "TH01", state="du_thao").document.state == "du_thao"


def test_final_is_refused_with_reasons_that_say_where_to_fix(mini):
    with (mini / "dataset.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\nplaceholders: true\n")  # marked drafts for the sections without text
    doc = build_report(str(mini), "TH01", state="ban_hanh").document
    reasons = final_blockers(doc)
    drafts = [r for r in reasons if "dự thảo tự động" in r]
    assert drafts and all("nhan_xet/TH01/ke_hoach_phat_trien_giao_duc/" in r for r in drafts)
    assert any(r.startswith('mục "1.2. Hạn chế, nguyên nhân"') for r in reasons)


def test_a_document_without_drafts_stale_text_or_data_errors_may_be_issued():
    doc = build_report(str(DATA / "mini"), "TH01", state="ban_hanh").document
    for c in doc.commentary():
        c.draft, c.stale = False, []
    doc.audit = [0, 2]  # warnings do not stop issuing
    assert final_blockers(doc) == []
    doc.audit = [1, 2]
    assert final_blockers(doc) == ["số liệu của trường có 1 lỗi theo kiểm tra số liệu: "
                                   "xem kiem_tra_so_lieu.html trong thư mục kết quả của trường"]


def test_the_plan_body_never_carries_audit_remarks():
    text = plain_text(build_report(str(SEEDS), "seed000").document)
    assert "Phụ lục: Kết quả kiểm tra số liệu" not in text and "legal_basis" not in text


@pytest.fixture(scope="module")
def seed_reports():
    ds = load_dataset(SEEDS)
    findings = audit_dataset(ds)
    school = ds.tables["school"].set_index("school_id", drop=False)
    return {sid: audit_document(school.loc[sid].to_dict(), [f for f in findings if f.school_id == sid],
                                ds.sources, 2023, "seeds") for sid in ds.school_ids()}


def test_audit_report_speaks_the_users_language(seed_reports):
    text = plain_text(seed_reports["seed000"])
    assert "Căn cứ pháp lý (legal_basis.csv), dòng 3: căn cứ thứ 2" in text
    assert "14/6/201" in text and "14/06/2019" in text
    # file names are where the user typed the figures; bare table and rule codes are not for users
    codes = re.findall(r"\b(?:V\d+|Q6|REFERENCE)\b|\b(?:enrollment_by_grade|staff_aggregate)\b(?!\.csv)", text)
    assert codes == []


def test_audit_report_counts_and_orders_by_severity(seed_reports):
    doc = seed_reports["seed001"]
    table = doc.blocks[-1]
    levels = [row[1] for row in table.rows]
    assert levels == sorted(levels, key=("lỗi", "cảnh báo", "lưu ý").index)
    assert doc.audit == [levels.count("lỗi"), len(levels)]
    assert f"{levels.count('lỗi')} lỗi" in plain_text(doc)
