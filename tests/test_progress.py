"""Batch progress: live bar on a terminal, one line per report otherwise."""

from __future__ import annotations

import io
import re

from kehoach_nb.formatting import fmt_duration
from kehoach_nb.run.progress import Progress, bar
from kehoach_nb.run.worker import Outcome


def test_durations_read_as_vietnamese():
    assert fmt_duration(3.44) == "3,4 giây"
    assert fmt_duration(9.96) == "10 giây"
    assert fmt_duration(45.5) == "46 giây"
    assert fmt_duration(65) == "1 phút 05 giây"
    assert fmt_duration(7620) == "2 giờ 07 phút"


def test_bar_fills_in_proportion():
    assert bar(0, 8, width=8) == "▕░░░░░░░░▏"
    assert bar(4, 8, width=8) == "▕████░░░░▏"
    assert bar(8, 8, width=8) == "▕████████▏"
    assert len(bar(1, 3, width=8)) == 10  # partial cell keeps the width


def _outcome(school: str, status: str) -> Outcome:
    return Outcome(school, "ke_hoach_phat_trien_giao_duc", status, seconds=2.5)


def test_log_mode_writes_one_line_per_report_with_counts_and_time_left():
    out = io.StringIO()
    progress = Progress(out, live=False)
    progress.planned(4)
    for school, status in (("TH01", "ok"), ("TH02", "cell_error"), ("TH03", "skipped")):
        progress(_outcome(school, status))
    progress.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in out.getvalue()
    assert lines[1].startswith("[2] ✗ TH02 — lỗi khi chạy ô (2,5 giây) | KH phát triển GD | 2/4 (50%)")
    assert lines[2].endswith(" · xong 1 · lỗi ô 1 · bỏ qua 1")
    assert re.search(r"3/4 \(75%\) · đã chạy [\d,]+ giây, còn khoảng [\d,]+ giây · ", lines[2])
    assert "còn khoảng" not in Progress(io.StringIO(), live=False).status_line()


def test_live_mode_redraws_one_bar_and_keeps_failures_above_it():
    out = io.StringIO()
    progress = Progress(out, live=True, tick=0.05)
    progress.planned(2)
    progress(_outcome("TH01", "ok"))
    progress(_outcome("TH02", "timeout"))
    progress.close()
    text = out.getvalue()
    assert "TH01" not in text  # successes only move the bar
    assert "\r\033[K[2] ✗ TH02 — quá thời gian (2,5 giây)" in text
    final = text.rstrip("\n").rsplit("\r\033[K", 1)[1]
    assert final.startswith("▕" + "█" * 24 + "▏ 2/2 (100%) · đã chạy ")
    assert final.endswith(" · xong 1 · quá thời gian 1")
    assert text.endswith("\n") and not progress._ticker.is_alive()
    progress.close()
    assert out.getvalue() == text  # closing twice prints nothing more


def test_large_batches_use_vietnamese_thousands():
    progress = Progress(io.StringIO(), live=False)
    progress.planned(1200)
    progress.done, progress.counts = 1095, {"ok": 1093, "cell_error": 2}
    assert progress.status_line().startswith("1.095/1.200 (91%) · đã chạy ")
    assert progress.status_line().endswith(" · xong 1.093 · lỗi ô 2")


class _ClosedPipe(io.StringIO):
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_output_stops_the_printing_not_the_batch():
    for live in (False, True):
        progress = Progress(_ClosedPipe(), live=live, tick=0.05)
        progress.planned(2)
        progress(_outcome("TH01", "ok"))
        progress(_outcome("TH02", "cell_error"))
        progress.close()
        assert progress.done == 2


def test_nothing_is_drawn_when_the_run_stopped_before_planning():
    out = io.StringIO()
    Progress(out, live=True, tick=0.05).close()
    assert out.getvalue() == ""


def test_new_statuses_have_their_labels_and_count_as_failures():
    out = io.StringIO()
    progress = Progress(out, live=False)
    progress.planned(2)
    progress(_outcome("TH01", "worker_died"))
    progress(_outcome("TH02", "write_error"))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1] ✗ TH01 — tiến trình làm việc dừng đột ngột (2,5 giây)")
    assert lines[1].startswith("[2] ✗ TH02 — lỗi ghi tệp kết quả")
    assert lines[1].endswith(" · tiến trình dừng 1 · lỗi ghi tệp 1")
