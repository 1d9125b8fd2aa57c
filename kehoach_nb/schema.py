"""Declarative schema of the input tables (REFERENCE §c).

Every table is a list of typed columns. The loader reads every cell as text
and parses it with the column's kind; errors name file, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHOOL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
SCENARIOS = ("actual", "estimate", "plan")
STATES = ("du_thao", "ban_hanh")  # draft, final (issued)
from .kinds import CODES as DOC_KINDS  # noqa: E402  (declared once, in kinds.py)


@dataclass(frozen=True)
class Column:
    """One column: name, kind (str/int/dec/bool/date/enum), required, extra rules."""

    name: str
    kind: str = "str"
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    label: str = ""


@dataclass(frozen=True)
class Table:
    """A table of the dataset; `per_school` tables are keyed by school_id."""

    name: str
    columns: tuple[Column, ...]
    label: str
    required: bool = True
    fact: bool = True  # carries school_year (and maybe scenario)
    allow_all_schools: bool = False  # school_id "*" = every school
    keys: tuple[str, ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _c(name: str, kind: str = "str", required: bool = False, **kw) -> Column:
    return Column(name, kind, required, **kw)


SID = _c("school_id", "str", True, label="mã trường")
YEAR = _c("school_year", "int", True, min_value=1990, max_value=2100, label="năm học (năm bắt đầu)")
SCEN = _c("scenario", "enum", True, choices=SCENARIOS, label="loại số liệu")
COUNT = {"kind": "int", "min_value": 0}

LEVELS = ("tieu_hoc", "thcs")
TERRAINS = ("dong_bang", "trung_du", "thanh_pho", "mien_nui", "vung_sau", "hai_dao")
ROLES = (
    "hieu_truong", "pho_hieu_truong", "giao_vien", "tong_phu_trach_doi", "nhan_vien",
    "bao_ve", "phuc_vu", "tong",
)
CONSTRUCTION = ("kien_co", "ban_kien_co", "tam", "muon", "unknown")
REGIMES = ("tt30_2014", "tt22_2016", "tt27_2020", "tt58_2011", "tt22_2021", "vnen")
COMPARATORS = ("eq", "ge", "gt", "le", "lt", "maintain")
UNITS = ("percent", "count", "ratio", "level", "text")
AREAS = (
    "quy_mo", "giao_duc", "chinh_tri_tu_tuong", "quan_ly_chat_luong", "thanh_tra_kiem_tra",
    "to_chuc_can_bo", "tai_chinh_cntt", "van_phong", "cong_doan",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("school", (
            SID, _c("name", required=True), _c("name_abbrev", required=True),
            _c("school_level", "enum", True, choices=LEVELS),
            _c("governing_body", required=True), _c("place_name", required=True),
            _c("school_code"), _c("commune"), _c("district"), _c("province"),
            _c("terrain_zone", "enum", choices=TERRAINS), _c("hardship_area", "bool"),
            _c("norm_zone", "int", min_value=1, max_value=3),
            _c("founded_year", "int", min_value=1800, max_value=2100),
            _c("num_sites", **COUNT), _c("land_area_m2", "dec", min_value=0),
            _c("playground_area_m2", "dec", min_value=0),
            _c("cqg_level", "int", min_value=0, max_value=2),
            _c("cqg_year", "int", min_value=1990, max_value=2100), _c("cqg_month", "int", min_value=1, max_value=12),
            _c("school_rank", "enum", choices=("I", "II", "III")),
            _c("principal_name"),
        ), "Thông tin chung của nhà trường", fact=False, keys=("school_id",)),
        Table("document_meta", (
            SID, _c("doc_kind", "enum", True, choices=DOC_KINDS), YEAR,
            _c("register_number", required=True), _c("symbol", required=True),
            _c("issue_date", "date", True), _c("issue_place"), _c("title_summary"),
            _c("period_start", "int", min_value=1990, max_value=2100),
            _c("period_end", "int", min_value=1990, max_value=2100),
            _c("framework", "enum", choices=("tt17_2018", "tt18_2018", "tt57_2026", "tt59_2012")),
            _c("signer_authority", "enum", choices=("", "KT.", "TM.", "Q.", "TL.", "TUQ.")),
            _c("signer_title", required=True), _c("signer_name", required=True),
            _c("state", "enum", choices=STATES),
        ), "Thông tin văn bản", fact=False, keys=("school_id", "doc_kind", "school_year")),
        Table("legal_basis", (
            SID, _c("seq", "int", True, min_value=1),
            _c("lead_word", "enum", choices=("can_cu", "thuc_hien")),
            _c("doc_category", required=True), _c("number", required=True),
            _c("issue_date", "date"), _c("claimed_date_text"), _c("issuer"),
            _c("subject", required=True),
        ), "Căn cứ pháp lý", fact=False, allow_all_schools=True, keys=("school_id", "seq")),
        Table("enrollment_by_grade", (
            SID, YEAR, SCEN, _c("grade", "grade", True),
            _c("program_model", "enum", choices=("standard", "vnen")),
            _c("classes", required=True, **COUNT), _c("students", required=True, **COUNT),
            _c("female", **COUNT), _c("ethnic_minority", **COUNT),
            _c("disabled_inclusive", **COUNT), _c("disadvantaged", **COUNT),
            _c("two_session_students", **COUNT), _c("semi_boarding_students", **COUNT),
            _c("new_intake", **COUNT), _c("dropouts", **COUNT), _c("repeaters", **COUNT),
            _c("claimed_mobilisation_rate", "percent"),
        ), "Quy mô lớp, học sinh theo khối",
            keys=("school_id", "school_year", "scenario", "grade", "program_model")),
        Table("staff_aggregate", (
            SID, YEAR, SCEN, _c("role", "enum", True, choices=ROLES),
            _c("count", required=True, **COUNT), _c("female", **COUNT),
            _c("ethnic_minority", **COUNT), _c("bien_che", **COUNT), _c("hop_dong", **COUNT),
            _c("qual_tren", **COUNT), _c("qual_dat", **COUNT), _c("qual_chua_dat", **COUNT),
            _c("party_members", **COUNT), _c("pol_cao_cap", **COUNT), _c("pol_trung_cap", **COUNT),
            _c("pol_so_cap", **COUNT), _c("it_qualified", **COUNT), _c("lang_qualified", **COUNT),
            _c("rating_tot", **COUNT), _c("rating_kha", **COUNT), _c("rating_dat", **COUNT),
            _c("rating_chua_dat", **COUNT),
            _c("vc_htxsnv", **COUNT), _c("vc_httnv", **COUNT), _c("vc_htnv", **COUNT),
            _c("vc_khtnv", **COUNT),
        ), "Đội ngũ cán bộ, giáo viên, nhân viên",
            keys=("school_id", "school_year", "scenario", "role")),
        Table("facility_room", (
            SID, YEAR, _c("room_type", required=True), _c("count", required=True, **COUNT),
            _c("construction", "enum", choices=CONSTRUCTION), _c("area_m2", "dec", min_value=0),
            _c("note"),
        ), "Phòng học, phòng chức năng", keys=("school_id", "school_year", "room_type", "construction")),
        Table("equipment", (
            SID, YEAR, _c("item", required=True), _c("count", required=True, **COUNT),
            _c("needed", **COUNT), _c("condition"),
        ), "Thiết bị", required=False, keys=("school_id", "school_year", "item")),
        Table("assessment_result", (
            SID, YEAR, SCEN, _c("grade", "grade"),
            _c("program_model", "enum", choices=("standard", "vnen")),
            _c("regime", "enum", choices=REGIMES), _c("dimension", required=True),
            _c("category", required=True), _c("count", required=True, **COUNT),
            _c("claimed_percent", "percent"),
        ), "Kết quả đánh giá học sinh",
            keys=("school_id", "school_year", "scenario", "grade", "program_model", "dimension", "category")),
        Table("completion_outcome", (
            SID, YEAR, SCEN, _c("grade", "grade", True),
            _c("assessed", required=True, **COUNT), _c("completed_grade", **COUNT),
            _c("completed_primary", **COUNT), _c("promoted", **COUNT), _c("retained", **COUNT),
            _c("graduated_lower_secondary", **COUNT), _c("award_excellent", **COUNT),
            _c("award_outstanding", **COUNT),
        ), "Kết quả hoàn thành chương trình, lên lớp, khen thưởng",
            keys=("school_id", "school_year", "scenario", "grade")),
        Table("target", (
            SID, YEAR, _c("target_id", required=True), _c("area", "enum", True, choices=AREAS),
            _c("label", required=True), _c("indicator_code"),
            _c("comparator", "enum", choices=COMPARATORS), _c("value", "dec"),
            _c("unit", "enum", choices=UNITS), _c("numerator", **COUNT),
            _c("denominator", **COUNT), _c("verb"),
        ), "Chỉ tiêu", keys=("school_id", "school_year", "target_id")),
        Table("narrative_section", (
            SID, _c("doc_kind", "enum", choices=DOC_KINDS), _c("section_key", required=True),
            _c("text", required=True), _c("order", "int", min_value=0),
        ), "Nội dung do nhà trường viết", fact=False, required=False, allow_all_schools=True,
            keys=("school_id", "doc_kind", "section_key")),
        Table("recipient", (
            SID, _c("order", "int", True, min_value=0), _c("name", required=True), _c("purpose"),
        ), "Nơi nhận", fact=False, allow_all_schools=True, keys=("school_id", "order")),
    )
}

# Quality-assurance tables (criterion_assessment, improvement_action, priority_issue).
from .schema_accreditation import ACCREDITATION_TABLES  # noqa: E402  (needs the names above)

TABLES.update(ACCREDITATION_TABLES)

# Figures stated by a document that no other table records (stated_figure).
from .schema_stated import STATED_TABLES  # noqa: E402  (needs the names above)

TABLES.update(STATED_TABLES)
