"""Proposed input tables for quality assurance (REFERENCE §c.11), to be merged into schema.TABLES.

criterion_assessment  one row per school × year × framework × criterion (latest self-assessment)
improvement_action    rows of the Kế hoạch cải tiến chất lượng (seed 001 columns + TT57 Mẫu số 2)
priority_issue        TT57 Mục IV "Tóm tắt vấn đề trọng tâm cần cải tiến"

Criterion codes are text ("1.10" must not become 1.1): in XLSX the column has to be
formatted as text. A level is given either as Đạt/Không đạt per level
(level1_met…level3_met) or directly as achieved_level; accreditation.row_level
prefers the flags when both are present.
"""

from __future__ import annotations

from .schema import SID, YEAR, Column, Table

FRAMEWORKS = ("tt17_2018", "tt18_2018", "tt57_2026", "tt59_2012")

FRAMEWORK = Column("framework", "enum", True, choices=FRAMEWORKS, label="văn bản quy định tiêu chí")
FRAMEWORK_OPT = Column("framework", "enum", choices=FRAMEWORKS, label="văn bản quy định tiêu chí")
STANDARD = Column("standard_code", label="mã tiêu chuẩn")
CRITERION = Column("criterion_code", required=True, label="mã tiêu chí")
CRITERION_OPT = Column("criterion_code", label="mã tiêu chí")
SEQ = Column("seq", "int", True, min_value=1, label="số thứ tự")


def _level_met(k: int) -> Column:
    return Column(f"level{k}_met", "bool", label=f"đạt Mức {k}")


CRITERION_ASSESSMENT = Table("criterion_assessment", (
    SID, YEAR, FRAMEWORK, STANDARD, CRITERION,
    _level_met(1), _level_met(2), _level_met(3),
    Column("achieved_level", "int", min_value=0, max_value=3, label="mức đạt của tiêu chí"),
    Column("verdict_text", label="kết luận tự đánh giá"),
    Column("current_state", label="mô tả hiện trạng"),
    Column("strengths", label="điểm mạnh"),
    Column("weaknesses", label="điểm yếu"),
    Column("evidence_codes", label="mã minh chứng"),
    Column("assessed_on", "date", label="thời điểm đánh giá"),
), "Kết quả tự đánh giá tiêu chí", required=False,
    keys=("school_id", "school_year", "framework", "criterion_code"))

IMPROVEMENT_ACTION = Table("improvement_action", (
    SID, YEAR, SEQ, FRAMEWORK_OPT, CRITERION_OPT,
    Column("content", required=True, label="nội dung cải tiến"),
    Column("objective", label="mục tiêu"),
    Column("activities", label="hoạt động, giải pháp"),
    Column("result_indicator", label="chỉ số đánh giá kết quả"),
    Column("start", "date", label="ngày bắt đầu"),
    Column("end", "date", label="ngày kết thúc"),
    Column("timeframe_text", label="thời gian thực hiện"),
    Column("responsible", label="đơn vị, cá nhân phụ trách"),
    Column("resources", label="nguồn lực, điều kiện thực hiện"),
    Column("expected_evidence", label="minh chứng dự kiến"),
    Column("completion_level", label="mức độ thực hiện"),
), "Kế hoạch cải tiến chất lượng", required=False, keys=("school_id", "school_year", "seq"))

PRIORITY_ISSUE = Table("priority_issue", (
    SID, YEAR, SEQ, FRAMEWORK_OPT, STANDARD, CRITERION_OPT,
    Column("current_state", label="đánh giá hiện trạng"),
    Column("limitation", required=True, label="điểm hạn chế"),
    Column("cause", label="nguyên nhân"),
), "Vấn đề trọng tâm cần cải tiến", required=False, keys=("school_id", "school_year", "seq"))

ACCREDITATION_TABLES: dict[str, Table] = {
    t.name: t for t in (CRITERION_ASSESSMENT, IMPROVEMENT_ACTION, PRIORITY_ISSUE)
}
