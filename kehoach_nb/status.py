"""The outcome of one report in a run, declared once: code, Vietnamese labels, meaning.

`Status` is a `str` enum, so an `Outcome.status` code ("ok", "timeout", …) compares
equal to its member, is written as the plain code in the ledger, and the label a user
reads is always looked up here (progress lines, summary, index page).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """code, label (long), short (progress counts), good, placed, retried:

    good     the report is done and correct (counts as success, exit 0);
    placed   the new artefacts go into the report folder (otherwise into _loi/);
    retried  an infrastructure failure, worth one more attempt.
    """

    OK = ("ok", "thành công", "xong", True, True)
    SKIPPED = ("skipped", "bỏ qua (không thay đổi)", "bỏ qua", True, False)
    INVALID_INPUT = ("invalid_input", "dữ liệu không hợp lệ", "dữ liệu lỗi")
    CELL_ERROR = ("cell_error", "lỗi khi chạy ô", "lỗi ô")
    TIMEOUT = ("timeout", "quá thời gian", "quá thời gian")
    KERNEL_DIED = ("kernel_died", "kernel dừng đột ngột", "kernel dừng", False, False, True)
    WORKER_DIED = ("worker_died", "tiến trình làm việc dừng đột ngột", "tiến trình dừng",
                   False, False, True)
    INCOMPLETE = ("incomplete", "chạy chưa hết notebook", "chưa chạy xong")
    INVALID_OUTPUT = ("invalid_output", "kết quả không hợp lệ", "kết quả sai")
    EXPORT_ERROR = ("export_error", "lỗi xuất PDF/Word (đã có HTML)", "lỗi PDF/Word", False, True)
    NOT_FINAL = ("not_final", "chưa đủ điều kiện ban hành", "chưa ban hành được")
    WRITE_ERROR = ("write_error", "lỗi ghi tệp kết quả", "lỗi ghi tệp")

    def __new__(cls, code: str, label: str, short: str, good: bool = False,
                placed: bool = False, retried: bool = False):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label, member.short = label, short
        member.good, member.placed, member.retried = good, placed, retried
        return member

    @classmethod
    def of(cls, code: str) -> Status | None:
        """The member for a code, or None for a code this version does not know (old ledger)."""
        try:
            return cls(code)
        except ValueError:
            return None


def label(code: str) -> str:
    """The Vietnamese label of a status code; an unknown code is shown as it is."""
    status = Status.of(code)
    return status.label if status else code


def short(code: str) -> str:
    status = Status.of(code)
    return status.short if status else code


def is_good(code: str) -> bool:
    status = Status.of(code)
    return bool(status and status.good)


def is_placed(code: str) -> bool:
    status = Status.of(code)
    return bool(status and status.placed)


def is_retried(code: str) -> bool:
    status = Status.of(code)
    return bool(status and status.retried)


LABELS = {s.value: s.label for s in Status}  # code -> label (worker.STATUS_VI is this dict)
