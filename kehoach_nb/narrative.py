"""Vietnamese narrative written from the indicators (pure; wording lives in templates)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path

import jinja2
import yaml

from . import catalogues as cat
from . import formatting as fm
from . import indicators as ind
from .facts import Facts

TEMPLATES = Path(__file__).parent / "templates" / "narrative" / "passages.yaml"
_PCT = {"ge": "đạt {v} trở lên", "gt": "đạt trên {v}", "le": "không quá {v}", "lt": "dưới {v}",
        "eq": "đạt {v}", "maintain": "ở mức {v}"}
COMPARATOR_WORDS = {
    "percent": _PCT, "ratio": _PCT, "text": _PCT,
    "count": {"ge": "từ {v} trở lên", "gt": "trên {v}", "le": "không quá {v}", "lt": "dưới {v}",
              "eq": "là {v}", "maintain": "là {v}"},
    "level": {"ge": "đạt mức độ {v} trở lên", "gt": "đạt trên mức độ {v}", "le": "không quá mức độ {v}",
              "lt": "dưới mức độ {v}", "eq": "đạt mức độ {v}", "maintain": "ở mức độ {v}"},
}
NOUNS = {"S": "giáo viên", "Q1": "lớp"}  # indicator (or family) -> what a target's "a/b" counts
SHARES = [("female", "Học sinh nữ"), ("ethnic_minority", "Học sinh dân tộc thiểu số"),
          ("disabled_inclusive", "Học sinh khuyết tật học hòa nhập"),
          ("disadvantaged", "Học sinh có hoàn cảnh khó khăn"),
          ("two_session_students", "Học sinh học 2 buổi/ngày"),
          ("semi_boarding_students", "Học sinh bán trú")]


def _lower_first(s: str) -> str:
    """Lower-case the first letter of a phrase, but never of an acronym ("GV", "CBQL")."""
    if len(s) > 1 and s[1].isupper():
        return s
    return s[:1].lower() + s[1:]


@cache
def _env() -> tuple[jinja2.Environment, dict]:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                             keep_trailing_newline=False)
    env.filters.update({
        "int": lambda n, pad=False: fm.fmt_int(n, pad),
        "num": lambda x, p=1, drop=True: fm.fmt_dec(x, p, drop),
        "pct": lambda x: fm.fmt_percent(x),
        "frac": lambda n, d: fm.fmt_fraction(n, d),
        "sy": fm.fmt_school_year,
        "change": lambda x, unit: fm.fmt_delta_phrase(x, unit),
        "lower_first": _lower_first,
    })
    return env, yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))


def render_passage(template: str, **context) -> str:
    """Render one passage template to plain text (lines = paragraphs)."""
    env, sources = _env()
    text = env.from_string(sources[template]).render(**context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def describe_scale(f: Facts, sc: ind.Scale, pad: bool = True) -> str:
    shares = [(label, int(sc.by_grade[col].dropna().sum())) for col, label in SHARES
              if col in sc.by_grade and sc.by_grade[col].notna().any()]
    return render_passage(
        "quy_mo", sc=sc, pad=pad, cap=f.class_cap, shares=shares,
        avg=ind.students_per_class(sc.students, sc.classes),
        over=ind.grades_over_cap(sc, f.class_cap) if f.class_cap and sc.from_parts else [])


def describe_staff(f: Facts, pad: bool = True) -> str:
    st = f.staff
    if st is None:
        return ""
    q = st.qualification and {
        "tren": ind.group_sum(st.by_role, ["giao_vien"], "qual_tren") or 0,
        "dat": ind.group_sum(st.by_role, ["giao_vien"], "qual_dat") or 0,
        "chua": ind.group_sum(st.by_role, ["giao_vien"], "qual_chua_dat") or 0}
    rule = cat.norm("teachers_per_class", f.level, f.on, sessions=f.sessions)
    return render_passage(
        "doi_ngu", st=st, pad=pad, q=q, teaching=st.teaching,
        tpt=ind.role_count(st.by_role, "tong_phu_trach_doi"),
        norm_ratio=cat.norm_value(rule) if rule else None,
        surplus=(st.teaching - st.teacher_norm) if st.teacher_norm is not None else 0)


def describe_rooms(f: Facts, pad: bool = True) -> str:
    if f.rooms is None or f.rooms.empty:
        return ""
    by_type = f.rooms.groupby("room_type", sort=False)["count"].sum()
    rooms = [(cat.label("room_type", t), int(n)) for t, n in by_type.items()]
    classes = (f.scales.get(f.rooms_year) or f.previous or f.plan)
    students = classes.students if classes else 0
    land_rule = cat.norm("land_per_pupil_m2", f.level, f.on)
    land_norm = None
    if land_rule:
        land_norm = land_rule["value_hardship"] if f.school.get("hardship_area") else land_rule["value"]
    return render_passage(
        "co_so_vat_chat", year=f.rooms_year, total=ind.total_rooms(f.rooms), rooms=rooms, pad=pad,
        per_class=ind.classrooms_per_class(f.rooms, classes.classes) if classes else None,
        kien_co=ind.construction_rates(f.rooms).get("kien_co"),
        land_m2=f.school.get("land_area_m2"),
        land=ind.land_per_pupil(f.school.get("land_area_m2"), students), land_norm=land_norm)


def describe_results_scale(f: Facts, pad: bool = True) -> str:
    sc = f.previous
    if sc is None:
        return ""
    col = sc.by_grade.get("two_session_students") if sc.from_parts else None
    drop = sc.by_grade.get("dropouts") if sc.from_parts else None
    return render_passage(
        "ket_qua_quy_mo", sc=sc, pad=pad,
        two=int(col.sum()) if col is not None and col.notna().any() else None,
        drop=int(drop.sum()) if drop is not None and drop.notna().any() else None)


def describe_completion(f: Facts) -> str:
    level_name = "tiểu học" if f.level == "tieu_hoc" else "trung học cơ sở"
    comp = {k: f.completion.get(k) for k in ("E1", "E2", "E17", "E18", "E8")}
    if f.level == "tieu_hoc":
        comp["E17"] = comp["E18"] = None
    else:
        comp["E1"] = comp["E2"] = None
    return render_passage("ket_qua_giao_duc", comp=comp, level_name=level_name)


def describe_plan_scale(f: Facts, pad: bool = True) -> str:
    if f.plan is None:
        return ""
    prev = f.previous
    return render_passage(
        "ke_hoach_quy_mo", plan=f.plan, prev=prev, pad=pad,
        d_classes=ind.delta(f.plan.classes, prev.classes) if prev else None,
        d_students=ind.delta(f.plan.students, prev.students) if prev else None)


def target_value(row: dict) -> str | None:
    value = row.get("value")
    if value is None:
        return None
    text = fm.fmt_dec(Decimal(value), 2)
    unit = row.get("unit") or "percent"
    return text + ("%" if unit == "percent" else "")


def describe_target(row: dict, baseline: str | None = None) -> str:
    """R11: "Phấn đấu tỉ lệ … từ 99% trở lên (599/605 học sinh)"."""
    value = target_value(row)
    words = COMPARATOR_WORDS[row.get("unit") or "percent"]
    phrase = words[row.get("comparator") or "eq"].format(v=value) if value else ""
    return render_passage(
        "target", verb=row.get("verb") or "Phấn đấu", label=row["label"], phrase=phrase,
        n=row.get("numerator"), d=row.get("denominator"), baseline=baseline,
        noun=_noun(row.get("indicator_code") or ""))


def _noun(code: str) -> str:
    return NOUNS.get(code) or NOUNS.get(code[:1]) or "học sinh"


def closing_sentence(document_name: str, school_name: str) -> str:
    """"Trên đây là Kế hoạch … của Trường …. Đề nghị …/."."""
    return render_passage("closing", name=document_name, school=school_name)


def draft_text(title: str, area: str) -> str:
    return render_passage("draft_generic", title=title, area=area)
