"""Batch progress: a live bar on a terminal, one line per report in a log.

On a terminal the bar is redrawn in place every second (counts by status,
done/total, elapsed and estimated time left) and failed reports are printed
above it. When the output is a file or a pipe, every finished report gets
its own line with the same counts, so logs stay readable.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

from ..formatting import fmt_duration, fmt_int
from ..kinds import KINDS
from ..status import Status, is_good, label, short

SHORT_DOC = {code: k.short for code, k in KINDS.items()}  # declared once, in kinds.py
WIDTH = 24  # cells of the bar itself


def bar(done: int, total: int, width: int = WIDTH) -> str:
    """"▕██████░░░░▏" filled in proportion to done/total (eighths of a cell)."""
    eighths = (done * width * 8 // total) if total else 0
    full, part = divmod(min(eighths, width * 8), 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return "▕" + "█" * full + partial + "░" * (width - full - len(partial)) + "▏"


class Progress:
    """Called once per finished report (batch.run_dataset's on_done)."""

    def __init__(self, stream=None, live: bool | None = None, tick: float = 1.0):
        self.stream = stream or sys.stdout
        self.live = self.stream.isatty() if live is None else live
        self.start, self.done, self.total, self.counts = time.monotonic(), 0, 0, {}
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._closed = self._broken = False
        self._ticker = threading.Thread(target=self._tick, args=(tick,), daemon=True)
        if self.live:
            self._ticker.start()

    def planned(self, total: int) -> None:
        self.total = total

    def status_line(self) -> str:
        """"1.095/1.200 (91%) · đã chạy 30 phút 05 giây, còn khoảng 2 phút 50 giây · xong 1.093 · …"
        (time first, so a narrow terminal cuts the counts, not the time left)."""
        pct = f" ({self.done * 100 // self.total}%)" if self.total else ""
        elapsed = time.monotonic() - self.start
        line = f"{fmt_int(self.done)}/{fmt_int(self.total)}{pct} · đã chạy {fmt_duration(elapsed)}"
        left = self.seconds_left(elapsed)
        if left is not None:
            line += f", còn khoảng {fmt_duration(left)}"
        counts = " · ".join(f"{short(s)} {fmt_int(n)}" for s, n in self.counts.items())
        return line + (f" · {counts}" if counts else "")

    def seconds_left(self, elapsed: float) -> float | None:
        """Time per executed report so far × reports left; skipped ones cost nothing."""
        run = self.done - self.counts.get(Status.SKIPPED, 0) - self.counts.get(Status.INVALID_INPUT, 0)
        left = self.total - self.done
        return elapsed / run * left if run > 0 and left > 0 else None

    def __call__(self, o) -> None:
        with self._lock:
            self.done += 1
            self.counts[o.status] = self.counts.get(o.status, 0) + 1
            mark = "✓" if is_good(o.status) else "✗"
            line = (f"[{fmt_int(self.done)}] {mark} {o.school_id} — {label(o.status)} "
                    f"({fmt_duration(o.seconds)}) | {SHORT_DOC.get(o.doc_kind, o.doc_kind)}")
            if not self.live:
                self._write(f"{line} | {self.status_line()}\n")
            elif not is_good(o.status):
                self._write(f"\r\033[K{line}\n")
            self._draw()

    def _write(self, text: str) -> None:
        """Write and flush; once the output is gone (closed pipe), stop printing, never the batch."""
        if self._broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError:
            self._broken = True

    def _draw(self) -> None:
        if self.live and self.total:
            columns = shutil.get_terminal_size((100, 20)).columns
            text = f"{bar(self.done, self.total)} {self.status_line()}"
            self._write("\r\033[K" + text[:columns - 1])

    def _tick(self, every: float) -> None:
        while not self._stop.wait(every):
            with self._lock:
                self._draw()

    def close(self) -> None:
        """Stop redrawing; leave the final bar on its own line (once; none if nothing was planned)."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._ticker.is_alive():
            self._ticker.join()
        if self.live and self.total:
            with self._lock:
                self._draw()
                self._write("\n")
