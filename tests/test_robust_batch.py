"""Issue 13, run side: ledger, key file with hashes, consistent report folders, output lock,
unwritable outputs, worker death, Dask connection errors, per-document key, one status type."""

from __future__ import annotations

import errno
import json
import os
import signal
import time
import unicodedata
from pathlib import Path

import pytest

from kehoach_nb import archive
from kehoach_nb.run import placing, run_guard, scheduler
from kehoach_nb.run.batch import RunOptions, plan_tasks
from kehoach_nb.cli import main
from kehoach_nb.errors import ParamsError
from kehoach_nb.index_page import write_index
from kehoach_nb.loading import load_dataset, school_digest
from kehoach_nb.status import LABELS, Status
from kehoach_nb.run.worker import STATUS_VI, Outcome, Task

DOC = "ke_hoach_phat_trien_giao_duc"


def _task(tmp: Path, school: str = "TH01", formats=("html", "pdf"), run_key: str = "k1") -> Task:
    return Task("mini", school, DOC, 2024, str(tmp / "2024" / school), formats, {}, run_key=run_key)


def _files(tag: bytes, formats=("html", "pdf")) -> dict[str, bytes]:
    return {f"{DOC}.{ext}": tag + ext.encode() for ext in ("ipynb", *formats)}


def _consistent(out: Path) -> None:
    """Every key present matches its files exactly (the invariant of the report folders)."""
    for key in out.rglob("*.key"):
        content = json.loads(key.read_text())
        for name, rec in content["files"].items():
            assert archive.file_hash(key.parent / name) == rec["sha256"], key


# --- ledger (item 4) -------------------------------------------------------------------------

def test_ledger_cut_mid_line_is_skipped_and_the_next_record_starts_a_new_line(tmp_path):
    ledger = tmp_path / "so_cai_chay.jsonl"
    archive.append_ledger(ledger, [{"school_id": "TH01", "doc_kind": DOC, "status": "ok"}])
    with ledger.open("ab") as fh:  # a full disk cut the next line
        fh.write(b'{"school_id": "TH02", "doc_k')
    ledger.write_bytes(ledger.read_bytes() + b"not json at all\n")  # and a hand edit
    archive.append_ledger(ledger, [{"school_id": "THCS01", "doc_kind": DOC, "status": "timeout"}])
    records, damaged = archive.read_ledger(ledger)
    assert [r["school_id"] for r in records] == ["TH01", "THCS01"]
    assert damaged == [2]  # the cut line and the edit became one damaged line, the new one is whole


def test_ledger_line_is_one_write_and_a_short_write_is_an_error(tmp_path, monkeypatch):
    ledger = tmp_path / "so_cai_chay.jsonl"
    writes = []
    real = os.write

    def short_write(fd, data):
        writes.append(data)
        return real(fd, data[: len(data) // 2]) if b"TH02" in data else real(fd, data)

    monkeypatch.setattr(os, "write", short_write)
    archive.append_ledger(ledger, [{"school_id": "TH01", "doc_kind": DOC, "status": "ok"}])
    assert len(writes) == 1 and writes[0].endswith(b"\n")
    with pytest.raises(OSError):
        archive.append_ledger(ledger, [{"school_id": "TH02", "doc_kind": DOC, "status": "ok"}])
    monkeypatch.setattr(os, "write", real)
    archive.append_ledger(ledger, [{"school_id": "TH03", "doc_kind": DOC, "status": "ok"}])
    records, damaged = archive.read_ledger(ledger)
    assert [r["school_id"] for r in records] == ["TH01", "TH03"] and damaged == [2]


def test_index_is_written_past_a_damaged_ledger_and_says_so(mini, tmp_path):
    ds = load_dataset(mini)
    base = tmp_path / "out" / "mini"
    base.mkdir(parents=True)
    (base / "so_cai_chay.jsonl").write_text(
        json.dumps({"school_id": "TH01", "doc_kind": DOC, "status": "ok", "files": {}}) + "\n"
        '{"school_id": "THCS01", "doc_kind": "ke_hoa\n[1, 2]\n', encoding="utf-8")
    notices = write_index(ds, tmp_path / "out")
    assert "thành công" in (base / "2024" / "index.html").read_text(encoding="utf-8")
    assert len(notices) == 1 and "bỏ qua 2 dòng hỏng (dòng 2, 3)" in notices[0]


# --- key with hashes (item 5) and consistent folders (item 6) ----------------------------------

@pytest.mark.parametrize("damage", ["truncated_pdf", "empty_html", "invalid_notebook", "missing_pdf"])
def test_a_damaged_artefact_is_not_up_to_date(tmp_path, damage):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    assert placing.is_up_to_date(task)
    out = Path(task.out_dir)
    if damage == "truncated_pdf":
        (out / f"{DOC}.pdf").write_bytes(b"v1p")
    elif damage == "empty_html":
        (out / f"{DOC}.html").write_bytes(b"")
    elif damage == "invalid_notebook":
        (out / f"{DOC}.ipynb").write_bytes(b"v1ipynX")  # same size, other bytes
    else:
        (out / f"{DOC}.pdf").unlink()
    assert not placing.is_up_to_date(task)


def test_an_old_plain_text_key_or_a_garbled_key_means_render_again(tmp_path):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    placing.key_path(task).write_text("k1")  # the format before issue 13
    assert not placing.is_up_to_date(task)
    placing.key_path(task).write_bytes(b"\x00{")
    assert not placing.is_up_to_date(task)


def test_pdf_that_cannot_be_made_never_leaves_the_old_pdf_beside_the_new_html(tmp_path):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    new = Outcome("TH01", DOC, "export_error", "không xuất PDF: còn mục cần xem lại")
    placing.place(task, new, _files(b"v2", formats=("html",)))
    out = Path(task.out_dir)
    assert sorted(p.name for p in out.iterdir()) == [f"{DOC}.html", f"{DOC}.ipynb"]
    assert (out / f"{DOC}.html").read_bytes() == b"v2html" and new.files == {
        "ipynb": f"{DOC}.ipynb", "html": f"{DOC}.html"}
    assert not placing.is_up_to_date(task)  # no key: the next run renders it again
    note = json.loads((out.parent / "_loi" / "TH01" / f"{DOC}.loi.json").read_text())
    assert note["status"] == "export_error"


def test_a_format_no_longer_asked_for_is_removed_and_others_documents_are_kept(tmp_path):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    other = Path(task.out_dir) / "ke_hoach_cai_tien_chat_luong.pdf"
    other.write_bytes(b"another document")
    html_only = _task(tmp_path, formats=("html",), run_key="k2")
    placing.place(html_only, Outcome("TH01", DOC, "ok"), _files(b"v2", formats=("html",)))
    assert not (Path(task.out_dir) / f"{DOC}.pdf").exists() and other.exists()
    assert placing.is_up_to_date(html_only)
    _consistent(tmp_path)


def test_the_key_is_removed_before_any_artefact_is_replaced(tmp_path, monkeypatch):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    seen = []
    real = os.replace

    def watching(src, dst):
        seen.append((Path(dst).name, placing.key_path(task).exists()))
        real(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    placing.place(_task(tmp_path, run_key="k2"), Outcome("TH01", DOC, "ok"), _files(b"v2"))
    assert all(not key_there for name, key_there in seen if not name.endswith(".key"))
    assert seen[-1][0] == f"{DOC}.key"


def test_a_full_disk_while_placing_leaves_the_previous_report_and_its_key(tmp_path, monkeypatch):
    task = _task(tmp_path)
    placing.place(task, Outcome("TH01", DOC, "ok"), _files(b"v1"))
    real = archive.stage

    def full_at_pdf(path, data):
        if path.suffix == ".pdf":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(archive, "stage", full_at_pdf)
    with pytest.raises(OSError):
        placing.place(_task(tmp_path, run_key="k2"), Outcome("TH01", DOC, "ok"), _files(b"v2"))
    assert placing.is_up_to_date(task)  # old key, old files, nothing half replaced
    assert (Path(task.out_dir) / f"{DOC}.html").read_bytes() == b"v1html"
    assert sorted(p.name for p in Path(task.out_dir).iterdir()) == sorted([*_files(b""), f"{DOC}.key"])


# --- output lock, unwritable outputs, disk full while placing ----------------------------------

def test_a_second_run_on_the_same_outputs_is_refused_naming_the_first(tmp_path):
    base = tmp_path / "out" / "mini"
    with run_guard.output_lock(base):
        with pytest.raises(run_guard.OutputError, match=f"tiến trình {os.getpid()}"):
            with run_guard.output_lock(base):
                pass
    (base / run_guard.LOCK_NAME).write_text("999999999\n")  # left by a killed run
    with run_guard.output_lock(base):
        assert (base / run_guard.LOCK_NAME).read_text() == f"{os.getpid()}\n"


def test_unwritable_output_folder_stops_before_any_kernel_with_exit_2(mini, tmp_path, monkeypatch, capsys):
    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(run_guard.tempfile, "mkstemp", read_only)
    monkeypatch.setattr("kehoach_nb.run.batch.execute", lambda *a, **k: pytest.fail("a kernel started"))
    code = main(["run", "--dataset", str(mini), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "không ghi được vào thư mục kết quả" in err and "ổ đĩa chỉ cho phép đọc" in err


def test_disk_full_while_placing_is_that_school_s_message_and_stops_new_schools(tmp_path, monkeypatch):
    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "stage", full)
    task = _task(tmp_path)
    batch = scheduler.Batch([task], RunOptions())
    outcome = Outcome("TH01", DOC, "ok")
    batch._finish(task, outcome, _files(b"v1"))
    assert outcome.status == Status.WRITE_ERROR and outcome.files == {}
    assert "ổ đĩa đầy" in outcome.message and batch.draining
    assert batch.outcomes == [outcome]


# --- a dying pool worker (item 3) ------------------------------------------------------------

def fake_render(task: Task):
    """Stands in for worker.render_school in the forked pool workers."""
    marker = Path(task.out_dir).parent / f"{task.school_id}.started"
    first = not marker.exists()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("x")
    if task.school_id == "KILLER" or (task.school_id == "ONCE" and first):
        os.kill(os.getpid(), signal.SIGKILL)  # the worker process dies, not a kernel
    time.sleep(0.3)
    return Outcome(task.school_id, task.doc_kind, "ok"), {f"{DOC}.ipynb": b"{}", f"{DOC}.html": b"<p>"}


def test_a_killed_worker_breaks_nothing_but_its_own_school(tmp_path, monkeypatch):
    monkeypatch.setattr(scheduler, "render_school", fake_render)
    schools = ["A1", "ONCE", "A2", "KILLER", "A3", "A4"]
    tasks = [_task(tmp_path, s, formats=("html",)) for s in schools]
    done = []
    out = scheduler.execute(tasks, RunOptions(formats=("html",), jobs=2), done.append)
    status = {o.school_id: (o.status, o.attempts) for o in out}
    assert status["KILLER"] == ("worker_died", 2)  # retried once on a new pool, then reported
    assert status["ONCE"] == ("ok", 2)
    assert all(status[s][0] == "ok" for s in schools if s != "KILLER")
    assert len(done) == len(schools)
    assert all(placing.is_up_to_date(t) for t in tasks if t.school_id != "KILLER")


def failing_render(task: Task):
    status = "cell_error" if task.school_id == "BAD" else "ok"
    time.sleep(0.05 if status != "ok" else 0.6)
    return Outcome(task.school_id, task.doc_kind, status), {f"{DOC}.ipynb": b"{}", f"{DOC}.html": b"<p>"}


def test_fail_fast_stops_scheduling_but_keeps_the_report_already_running(tmp_path, monkeypatch):
    monkeypatch.setattr(scheduler, "render_school", failing_render)
    tasks = [_task(tmp_path, s, formats=("html",)) for s in ("BAD", "A1", "A2", "A3")]
    out = scheduler.execute(tasks, RunOptions(formats=("html",), jobs=2, fail_fast=True))
    assert {o.school_id: o.status for o in out} == {"BAD": "cell_error", "A1": "ok"}
    assert placing.is_up_to_date(tasks[1]) and not Path(tasks[2].out_dir).exists()


# --- Dask connection errors -----------------------------------------------------------------

def test_dask_tls_without_certificates_is_a_message(monkeypatch):
    import dask

    from kehoach_nb.run.scale_out import connect

    with dask.config.set({"distributed.comm.tls.ca-file": None, "distributed.comm.tls.client.cert": None}):
        with pytest.raises(ParamsError, match="chưa cấu hình chứng chỉ"):
            connect("tls://127.0.0.1:8786")


def test_unreachable_dask_scheduler_exits_2_with_a_message(mini, tmp_path, capsys):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["run", "--dataset", str(mini), "--out", str(tmp_path / "out"),
                     "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "không kết nối được tới Dask scheduler tcp://127.0.0.1:9" in err


# --- per-document key, statuses -------------------------------------------------------------

def test_a_commentary_edit_rekeys_only_its_document(mini):
    ds = load_dataset(mini)
    other = "ke_hoach_cai_tien_chat_luong"
    before = {d: school_digest(ds, "TH01", d) for d in (DOC, other)}
    store = mini / "nhan_xet" / "TH01" / other
    store.mkdir(parents=True)
    (store / "kien_nghi.md").write_text("Đề nghị bổ sung phòng học.", encoding="utf-8")
    after = {d: school_digest(ds, "TH01", d) for d in (DOC, other)}
    assert after[DOC] == before[DOC] and after[other] != before[other]


def test_plan_tasks_keys_each_document_on_its_own_commentary(mini, tmp_path):
    ds = load_dataset(mini)
    opts = RunOptions(formats=("html",), docs=(DOC,))
    (task, *_), _ = plan_tasks(ds, tmp_path, opts)
    store = mini / "nhan_xet" / task.school_id / "ke_hoach_cai_tien_chat_luong"
    store.mkdir(parents=True)
    (store / "kien_nghi.md").write_text("Nội dung khác.", encoding="utf-8")
    (again, *_), _ = plan_tasks(load_dataset(mini), tmp_path, opts)
    assert again.run_key == task.run_key


def test_every_status_is_declared_once_with_vietnamese_labels():
    assert STATUS_VI is LABELS and set(LABELS) == {s.value for s in Status}
    for s in Status:
        assert unicodedata.is_normalized("NFC", s.label) and unicodedata.is_normalized("NFC", s.short)
    assert [s for s in Status if s.good] == [Status.OK, Status.SKIPPED]
    assert [s for s in Status if s.retried] == [Status.KERNEL_DIED, Status.WORKER_DIED]
    assert Status.EXPORT_ERROR.placed and not Status.CELL_ERROR.placed
