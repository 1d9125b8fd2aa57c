"""Report parameters, declared once: the notebook's parameters cell mirrors this model."""

from __future__ import annotations

import keyword
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ParamsError
from .schema import DOC_KINDS, SCHOOL_ID_PATTERN


class ReportParams(BaseModel):
    """What one executed notebook needs; unknown names are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    dataset: str = Field(description="Thư mục bộ dữ liệu, tương đối với thư mục làm việc")
    school_id: str = Field(pattern=SCHOOL_ID_PATTERN, description="Mã trường")
    doc_kind: str = Field(default=DOC_KINDS[0], description="Loại kế hoạch")
    school_year: int | None = Field(default=None, ge=1990, le=2100,
                                    description="Năm học (năm bắt đầu); mặc định theo dataset.yaml")
    state: Literal["du_thao", "ban_hanh"] | None = Field(
        default=None, description="Dự thảo hay ban hành; mặc định theo document_meta (dự thảo nếu trống)")

    def to_papermill(self) -> dict:
        """JSON-only values under identifier names (papermill does not escape names)."""
        out = self.model_dump()
        assert all(k.isidentifier() and not keyword.iskeyword(k) for k in out)
        return out


def make_params(**values) -> ReportParams:
    """Validate parameters, with a Vietnamese message naming each bad one."""
    if values.get("doc_kind", DOC_KINDS[0]) not in DOC_KINDS:
        raise ParamsError(f"loại kế hoạch \"{values['doc_kind']}\" không được hỗ trợ")
    try:
        return ReportParams(**values)
    except ValidationError as exc:
        msgs = []
        for e in exc.errors():
            name = ".".join(map(str, e["loc"]))
            if e["type"] == "extra_forbidden":
                msgs.append(f"tham số \"{name}\" không tồn tại (viết sai tên?)")
            elif e["type"] == "missing":
                msgs.append(f"thiếu tham số \"{name}\"")
            else:
                msgs.append(f"tham số \"{name}\" không hợp lệ: {e.get('input')!r}")
        raise ParamsError("; ".join(msgs)) from None


class RollupParams(BaseModel):
    """The roll-up notebook's one parameter: its input file (rollup.record.RollupInput JSON)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    records: str = Field(description="Tệp JSON số liệu các trường (do kehoach run --rollup ghi)")

    def to_papermill(self) -> dict:
        return self.model_dump()
