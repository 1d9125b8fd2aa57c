"""Vietnamese narrative written from the indicators (pure; wording lives in templates)."""

from __future__ import annotations

import re
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
        "gap": lambda sc: render_passage("chua_du_quy_mo", sc=sc),
    })
    return env, yaml.safe_load(TEMPLATES.read_text(encoding="utf-8"))


@cache
def _template(name: str) -> jinja2.Template:
    env, sources = _env()
    return env.from_string(sources[name])


def compile_templates() -> None:
    """Compile every passage once (the kernel zygote does it, so kernels inherit them)."""
    for name, source in _env()[1].items():
        if isinstance(source, str):  # the others are phrase tables, not templates
            _template(name)


def render_passage(template: str, **context) -> str:
    """Render one passage template to plain text (lines = paragraphs)."""
    text = _template(template).render(**context)
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def describe_scale(f: Facts, sc: ind.Scale, pad: bool = True) -> str:
    shares = [(label, ind.total(sc.by_grade[col])) for col, label in SHARES
              if col in sc.by_grade and sc.by_grade[col].notna().any()]
    shares = [(label, n) for label, n in shares if n is not None]
    return render_passage(
        "quy_mo", sc=sc, pad=pad, cap=f.class_cap, shares=shares,
        avg=ind.students_per_class(sc.students, sc.classes),
        over=ind.grades_over_cap(sc, f.class_cap) if f.class_cap and sc.from_parts else [])


def describe_staff(f: Facts, pad: bool = True) -> str:
    st = f.staff
    if st is None:
        return ""
    rule = ind.teacher_norm_rule(f.level, f.sessions, f.on)
    surplus = (st.teaching - st.teacher_norm
               if st.teacher_norm is not None and st.teaching is not None else None)
    return render_passage(
        "doi_ngu", st=st, pad=pad, q=_qualification(st), stated=_stated_qualification(st),
        teaching=st.teaching, tpt=ind.role_count(st.by_role, "tong_phu_trach_doi"),
        norm_ratio=cat.norm_value(rule) if rule else None, surplus=surplus)


QUALIFICATION = {"tren": "qual_tren", "dat": "qual_dat", "chua": "qual_chua_dat"}


def _qualification(st) -> dict | None:
    """Teachers by qualification, only when every part was reported for the teachers."""
    q = {k: ind.group_sum(st.by_role, ["giao_vien"], c) for k, c in QUALIFICATION.items()}
    return q if all(v is not None for v in q.values()) else None


def _stated_qualification(st) -> dict | None:
    """The school-wide split of the stated total row, when the teachers' own split is missing
    and the total row gives every part (its parts are then the people it classifies)."""
    if _qualification(st) is not None or not st.stated:
        return None
    q = {k: st.stated.get(c) for k, c in QUALIFICATION.items()}
    if any(v is None or v != v for v in q.values()):
        return None
    return {k: int(v) for k, v in q.items()}


def describe_rooms(f: Facts, pad: bool = True) -> str:
    if f.rooms is None or f.rooms.empty:
        return ""
    partial = set(f.rooms.loc[ind.partial_rows(f.rooms), "room_type"])
    by_type = f.rooms.groupby("room_type", sort=False)["count"].sum()
    rooms = [(cat.label("room_type", t), int(n), t in partial) for t, n in by_type.items()]
    classes = (f.scales.get(f.rooms_year) or f.previous or f.plan)
    students = classes.students if classes else None
    land_rule = cat.norm("land_per_pupil_m2", f.level, f.on)
    land_norm = None
    if land_rule:
        land_norm = land_rule["value_hardship"] if f.school.get("hardship_area") else land_rule["value"]
    return render_passage(
        "co_so_vat_chat", year=f.rooms_year, total=ind.total_rooms(f.rooms), rooms=rooms, pad=pad,
        per_class=ind.classrooms_per_class(f.rooms, classes.classes) if classes else None,
        kien_co=ind.construction_rates(f.rooms).get("kien_co"),
        land_m2=land_m2 if (land_m2 := f.school.get("land_area_m2")) == land_m2 else None,  # NaN: none
        land=ind.land_per_pupil(f.school.get("land_area_m2"), students), land_norm=land_norm)


def describe_results_scale(f: Facts, pad: bool = True) -> str:
    sc = f.previous
    if sc is None:
        return ""
    col = sc.by_grade.get("two_session_students") if sc.from_parts else None
    drop = sc.by_grade.get("dropouts") if sc.from_parts else None
    return render_passage(
        "ket_qua_quy_mo", sc=sc, pad=pad,
        two=ind.total(col) if col is not None and col.notna().any() else None,
        drop=ind.total(drop) if drop is not None and drop.notna().any() else None)


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


def target_value(row: dict, pad: bool = False) -> str | None:
    value = row.get("value")
    if value is None or value != value:
        return None
    value = Decimal(value)
    whole = value == value.to_integral_value()
    text = fm.fmt_int(int(value), pad) if whole and pad else fm.fmt_dec(value, 2)
    unit = row.get("unit") or "percent"
    return text + ("%" if unit == "percent" else "")


AUDIT_NOTE = re.compile(r"\s*\((?:văn bản|mục \w+) ghi[^()]*(?:\([^()]*\)[^()]*)*\)", re.I)
UNIT_NOTE = re.compile(r"\s*\(([a-zđà-ỹ][^()\d]{0,19})\)")  # "(lần)", "(tiết/năm học)": lower-case
AT_LEAST_NOTE = re.compile(r"\s*\((?:tối thiểu|ít nhất)\)", re.I)  # the comparator already says it
RANGE_NOTE = re.compile(r"\s*\((?:từ\s*)?(\d+(?:,\d+)?)\s*(%?)\s*(?:-|–|đến)\s*(\d+(?:,\d+)?)\s*(%?)"
                        r"\s*([^()]*?)\s*(?:trở lên)?\)")
TY_LE = re.compile(r"\bt[ỉỷ] lệ\b", re.I)


def clean_label(label: str, spelling: str = "tỉ lệ") -> str:
    """The target's label without transcription remarks, with the document's "tỉ lệ" spelling."""
    label = AT_LEAST_NOTE.sub("", AUDIT_NOTE.sub("", label)).strip()
    return TY_LE.sub(lambda m: spelling.capitalize() if m.group(0)[0].isupper() else spelling, label)


def _label_parts(label: str) -> tuple[str, str | None, tuple | None]:
    """(subject, unit noun such as "lần", range (low, high, noun) stated in the label)."""
    rng = RANGE_NOTE.search(label)
    if rng:
        label = label[:rng.start()] + label[rng.end():]
        noun = (rng.group(5) or "").strip()
        pct_sign = "%" if rng.group(2) or rng.group(4) else ""
        low = str(int(rng.group(1))) if rng.group(1).isdigit() else rng.group(1)
        high = str(int(rng.group(3))) if rng.group(3).isdigit() else rng.group(3)
        return label.strip(), None, (low + pct_sign, high + pct_sign + (f" {noun}" if noun else ""))
    unit = UNIT_NOTE.search(label)
    if unit and unit.end() == len(label.rstrip()):
        return label[:unit.start()].strip(), unit.group(1).strip(), None
    return label.strip(), None, None


def target_kind(row: dict, subject: str, has_range: bool) -> str:
    """count, rate, level, zero, range or at_least_in_label: each has its own phrasing."""
    unit = row.get("unit") or "percent"
    value = row.get("value")
    if has_range:
        return "range"
    if value is not None and value == value and Decimal(value) == 0 and unit in ("percent", "count") \
            and (row.get("comparator") or "eq") in ("eq", "le", "maintain"):
        return "zero"
    if unit in ("percent", "ratio", "text") and subject.rstrip(" .").endswith("trở lên"):
        return "at_least_in_label"
    return {"percent": "rate", "ratio": "rate", "text": "rate"}.get(unit, unit)


def describe_target(row: dict, baseline: str | None = None, spelling: str = "tỉ lệ",
                    pad: bool = False) -> str:
    """R11: "Phấn đấu tỉ lệ … đạt 99% trở lên (599/605 học sinh)"; each kind of target
    (count, rate, level, zero, range, "trở lên" in the label) with its own phrasing."""
    _, sources = _env()
    subject, unit_noun, rng = _label_parts(clean_label(row["label"], spelling))
    kind = target_kind(row, subject, rng is not None)
    value = target_value(row, pad and kind in ("count", "zero"))
    noun = _noun(row.get("indicator_code") or "")
    if kind == "count" and value is not None:
        unit_noun = unit_noun or (NOUNS.get(row.get("indicator_code") or "") if row.get("indicator_code") == "Q1"
                                  else ("học sinh" if row.get("indicator_code") == "Q2" else None))
        value += f" {unit_noun}" if unit_noun else ""
    phrases = sources["target_phrases"][kind if kind != "zero" else "count"]
    comparator = row.get("comparator") or "eq"
    if kind == "rate" and row.get("unit") in (None, "percent") and comparator == "ge" \
            and row.get("value") is not None and Decimal(row["value"]) >= 100:
        comparator = "eq"  # "100% trở lên" cannot be
    phrase = ""
    if kind == "range":
        phrase = phrases["any"].format(low=rng[0], high=rng[1])
    elif value is not None:
        phrase = (phrases.get(comparator) or phrases.get("any") or phrases["eq"]).format(v=value)
    if kind == "zero" and row.get("unit") == "percent":
        subject = TY_LE.sub("", subject).strip()
    return render_passage(
        "target", verb=row.get("verb") or "Phấn đấu", subject=subject, phrase=phrase,
        zero=kind == "zero", n=row.get("numerator"), d=row.get("denominator"),
        baseline=_baseline_phrase(baseline, value, sources), noun=noun)


def _baseline_phrase(baseline: str | None, value: str | None, sources: dict) -> str:
    if not baseline:
        return ""
    words = sources["target_baseline"]
    return words["same"] if value and baseline == value else words["other"].format(b=baseline)


def _noun(code: str) -> str:
    return NOUNS.get(code) or NOUNS.get(code[:1]) or "học sinh"


def closing_sentence(document_name: str, school_name: str, request: str | None = None) -> str:
    """"Trên đây là Kế hoạch … của Trường …. Đề nghị …/.": the school's own request when it
    has one (narrative `loi_ket`), else the usual one."""
    request = (request or "").strip().rstrip("/").rstrip()
    request = request if not request or request.endswith(".") else request + "."
    return render_passage("closing", name=document_name, school=school_name, request=request)


def lead_in(document_name: str, school_name: str) -> str:
    """"Trường … xây dựng Kế hoạch … như sau:"."""
    return render_passage("lead_in", name=document_name, school=school_name)


def draft_text(title: str, area: str) -> str:
    return render_passage("draft_generic", title=title, area=area)
