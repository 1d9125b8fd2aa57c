"""The index page's view of the run ledger."""

import json

from kehoach_nb.archive import read_ledger
from kehoach_nb.index_page import latest_outcomes as latest_records

DOC = "ke_hoach_phat_trien_giao_duc"
FILES = {"html": f"{DOC}.html", "pdf": f"{DOC}.pdf"}


def _ledger(tmp_path, *records):
    path = tmp_path / "so_cai_chay.jsonl"
    path.write_text("".join(json.dumps({"school_id": "TH01", "doc_kind": DOC, **r}) + "\n"
                            for r in records), encoding="utf-8")
    return path


def latest_outcomes(path):
    records, damaged = read_ledger(path)
    assert damaged == []
    return latest_records(records)


def test_skipped_shows_the_render_whose_report_is_on_disk(tmp_path):
    ledger = _ledger(tmp_path, {"status": "ok", "files": FILES, "audit": [0, 2]},
                     {"status": "cell_error", "files": {}, "audit": None},
                     {"status": "skipped", "files": FILES, "audit": None})  # data reverted
    (o,) = latest_outcomes(ledger)
    assert (o.status, o.files, o.audit) == ("ok", FILES, [0, 2])


def test_a_failure_is_shown_as_such_without_the_earlier_audit_counts(tmp_path):
    ledger = _ledger(tmp_path, {"status": "ok", "files": FILES, "audit": [0, 2]},
                     {"status": "cell_error", "files": {}, "audit": None})
    (o,) = latest_outcomes(ledger)
    assert (o.status, o.files, o.audit) == ("cell_error", {}, None)


def test_skipped_with_no_earlier_render_in_the_ledger_stays_skipped(tmp_path):
    (o,) = latest_outcomes(_ledger(tmp_path, {"status": "skipped", "files": FILES}))
    assert o.status == "skipped" and o.files == FILES


def test_the_issued_version_and_whether_today_differs():
    from kehoach_nb.index_page import _issued_text

    v = {"number": "05/KH-THAB", "date": "2026-10-02", "differs_from_outputs": True,
         "diff_href": "TH01/ke_hoach_phat_trien_giao_duc.so_sanh.html"}
    assert _issued_text(v) == ('số 05/KH-THAB ngày 02/10/2026; '
                               '<a href="TH01/ke_hoach_phat_trien_giao_duc.so_sanh.html">khác bản hiện tại</a>')
    assert _issued_text({**v, "differs_from_outputs": False}).endswith("; trùng bản hiện tại")
    assert _issued_text(None) == "—"
