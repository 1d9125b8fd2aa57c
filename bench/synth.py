"""Generate N realistic synthetic schools as a dataset folder, derived from params/demo.

Each synthetic school copies one demo school (its template) and rescales it:
pupils grow or shrink by a per-school factor, classes follow the template's class
size without exceeding the legal cap, staff follow the classes within the norms,
and every breakdown is re-apportioned so that parts still sum to their totals.
Names, places, districts, dates and signers are new. The output is deterministic
for a given seed.

    .venv/bin/python bench/synth.py --n 200 --out /tmp/synth200 [--seed 7]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kehoach_nb import catalogues as cat  # noqa: E402
from kehoach_nb import indicators as ind  # noqa: E402
from kehoach_nb.schema import TABLES  # noqa: E402

DEMO = ROOT / "params" / "demo"
ALL = "*"
DEMO_DISTRICT = "Hòa Lâm"
DEMO_HAMLETS = ("Khe Mạ",)
PROVINCE_CODE = "46"
LAST_GRADE = {"tieu_hoc": 5, "thcs": 9}

FIRST = ("An", "Hòa", "Tân", "Phú", "Bình", "Thạnh", "Long", "Vĩnh", "Đông", "Tây", "Nam", "Hưng",
         "Thuận", "Phước", "Quang", "Thanh", "Minh", "Đức", "Hải", "Sơn", "Trung", "Hồng", "Kim",
         "Xuân", "Yên", "Lạc", "Gia", "Cẩm", "Mỹ", "Định", "Tiên", "Hiệp", "Nghĩa", "Thái", "Ngọc")
SECOND = ("Lâm", "Bình", "Lập", "Thủy", "Lộc", "Phú", "Hòa", "An", "Thịnh", "Phong", "Thành", "Tiến",
          "Hưng", "Khánh", "Long", "Sơn", "Hải", "Trung", "Mỹ", "Lợi", "Đông", "Tân", "Hiệp",
          "Xuân", "Quang", "Nghĩa", "Định", "Cường", "Tường", "Yên")
HAMLET = ("Khe Mạ", "Nà Lầu", "Bản Chang", "Khuổi Nọi", "Pác Bó", "Nậm Cáy", "Làng Mới", "Đồng Tâm",
          "Suối Ngang", "Tả Van")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Nông", "Lương", "Trịnh")
MIDDLE = {"m": ("Văn", "Đức", "Quang", "Minh", "Hữu", "Công", "Thanh", "Xuân"),
          "f": ("Thị", "Thị Thanh", "Thị Minh", "Thị Hồng", "Ngọc", "Thu", "Thị Kim")}
GIVEN = {"m": ("Khánh", "Thành", "Hiếu", "Quyết", "Hùng", "Dũng", "Tuấn", "Long", "Sơn", "Hải",
               "Nam", "Phong", "Cường", "Tâm", "Trung"),
         "f": ("Nguyệt", "Nhung", "Vân", "Lan Anh", "Hoa", "Hương", "Hạnh", "Thảo", "Trang", "Mai",
               "Linh", "Yến", "Huyền", "Phương", "Hà")}

ENROLLMENT_SHARES = ("female", "ethnic_minority", "disabled_inclusive", "disadvantaged",
                     "semi_boarding_students", "new_intake", "dropouts", "repeaters")
STAFF_SHARES = ("female", "ethnic_minority", "party_members")
STAFF_GROUPS = (("bien_che", "hop_dong"), ("qual_tren", "qual_dat", "qual_chua_dat"),
                ("rating_tot", "rating_kha", "rating_dat", "rating_chua_dat"),
                ("vc_htxsnv", "vc_httnv", "vc_htnv", "vc_khtnv"))
COMPLETION_SHORTFALLS = ("completed_grade", "completed_primary", "promoted",
                         "graduated_lower_secondary")
EQUIPMENT_BASIS = {"may_tinh_hs": "students", "ban_ghe_2_cho": "students",
                   "sach_thu_vien": "students", "tivi": "classes",
                   "bo_thiet_bi_toi_thieu": "classes", "tu_sach_lop": "classes"}
TARGETS_ON_PUPILS = ("Q13", "E1", "E8", "E17")
TARGETS_ON_LAST_GRADE = ("E2", "E18")


# --- small numeric helpers ---------------------------------------------------
def num(text: str | None) -> int | None:
    """An integer cell (Vietnamese thousands dots allowed); blank is None."""
    text = (text or "").strip()
    return int(text.replace(".", "")) if text else None


def cell(value) -> str:
    return "" if value is None else str(value)


def share(value: str | None, old_total: int, new_total: int) -> int | None:
    """A sub-count rescaled to a new total, never above it."""
    v = num(value)
    if v is None:
        return None
    return min(new_total, round(v * new_total / old_total)) if old_total else v


def apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainder); parts sum to total."""
    wsum = sum(weights)
    if wsum == 0:
        weights, wsum = [1] * len(weights), len(weights)
    quotas = [total * w / wsum for w in weights]
    parts = [math.floor(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: quotas[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def regroup(row: dict, new: dict, columns: tuple[str, ...], old_total: int, new_total: int) -> None:
    """Re-apportion a group of columns that split a total; keep its gap to the total."""
    present = [c for c in columns if num(row.get(c)) is not None]
    if not present:
        return
    old = [num(row[c]) for c in present]
    target = min(new_total, max(0, new_total - (old_total - sum(old))))
    for c, v in zip(present, apportion(target, old)):
        new[c] = v


def ascii_initials(words: str) -> str:
    """"Hòa Bình" -> "HB" (the letters used in document symbols)."""
    letters = [w[0] for w in words.split()]
    plain = unicodedata.normalize("NFD", "".join(letters).replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in plain if ch.isascii()).upper()


# --- reading and writing ------------------------------------------------------
@dataclass
class Table:
    header: list[str]
    rows: list[dict]


def read_tables(folder: Path) -> dict[str, Table]:
    """Every <table>.csv of a dataset folder, cells as text."""
    out = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            out[path.stem] = Table(list(reader.fieldnames or []), list(reader))
    return out


def write_tables(folder: Path, tables: dict[str, Table], config: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False, default_flow_style=None)
    (folder / "dataset.yaml").write_text(text, encoding="utf-8")
    for name, table in tables.items():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, table.header, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: cell(r.get(k)) for k in table.header} for r in table.rows)


# --- names and places ---------------------------------------------------------
class Names:
    """Place and person names; places are unique within a district and level."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.places = [f"{a} {b}" for a in FIRST for b in SECOND if a != b]
        self.used_districts: set[str] = set()

    def district(self) -> str:
        name = self.rng.choice([p for p in self.places if p not in self.used_districts])
        self.used_districts.add(name)
        return name

    def place(self, taken: set[str]) -> str:
        free = [p for p in self.places if p not in taken]
        return self.rng.choice(free) if free else f"{self.rng.choice(self.places)} {len(taken)}"

    def person(self) -> str:
        sex = self.rng.choice("mf")
        return " ".join((self.rng.choice(FAMILY), self.rng.choice(MIDDLE[sex]),
                         self.rng.choice(GIVEN[sex])))


@dataclass
class District:
    name: str
    number: int
    size: int
    places: dict[str, set[str]] = field(default_factory=lambda: {"tieu_hoc": set(), "thcs": set()})
    members: int = 0


def substituter(mapping: dict[str, str]):
    """One-pass replacement (longest key first) so new names are never re-replaced."""
    keys = sorted(mapping, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    return lambda text: pattern.sub(lambda m: mapping[m.group(0)], text) if text else text


# --- one synthetic school -------------------------------------------------------
@dataclass
class Sizes:
    """Pupils and classes by (year, scenario, grade), with the totals other tables need."""

    students: dict[tuple, int] = field(default_factory=dict)
    classes: dict[tuple, int] = field(default_factory=dict)

    @classmethod
    def of(cls, enrollment_rows: list[dict]) -> Sizes:
        sizes = cls()
        for r in enrollment_rows:
            sizes.add((num(r["school_year"]), r["scenario"], num(r["grade"])), num(r["students"]),
                      num(r["classes"]))
        return sizes

    def add(self, key: tuple, students: int, classes: int) -> None:
        self.students[key], self.classes[key] = students, classes

    def total(self, what: str, year: int, scenario: str | None = None, grade: int | None = None) -> int:
        src = self.students if what == "students" else self.classes
        return sum(v for (y, s, g), v in src.items() if y == year
                   and (scenario is None or s == scenario) and (grade is None or g == grade))

    def best_scenario(self, year: int) -> str | None:
        present = {s for (y, s, _) in self.students if y == year}
        return next((s for s in ("actual", "estimate", "plan") if s in present), None)

    def year_totals(self, year: int) -> tuple[int, int]:
        """(pupils, classes) of a year in its most factual scenario, or of the closest year."""
        years = sorted({y for (y, _, _) in self.students}, key=lambda y: (abs(y - year), -y))
        if not years:
            return 0, 0
        scen = self.best_scenario(years[0])
        return self.total("students", years[0], scen), self.total("classes", years[0], scen)

    def ratio(self, old: Sizes, what: str, year: int) -> float:
        i = 0 if what == "students" else 1
        before = old.year_totals(year)[i]
        return self.year_totals(year)[i] / before if before else 1.0


@dataclass
class School:
    """What one synthetic school is built from, and the figures other tables reuse."""

    sid: str
    template: dict  # the template's school row
    tpl: dict[str, list[dict]]  # the template's own rows, per table
    rng: random.Random
    factor: float
    place: str
    district: District
    seq: int
    issue_on: dt.date
    new: Sizes = field(default_factory=Sizes)
    teachers: dict[tuple, dict] = field(default_factory=dict)  # (year, scenario) -> giao_vien row

    def __post_init__(self):
        self.old = Sizes.of(self.tpl["enrollment_by_grade"])

    @property
    def level(self) -> str:
        return self.template["school_level"]


def class_count(students: int, avg: float, cap: int) -> int:
    return max(1, round(students / avg), math.ceil(students / cap))


def enrollment(s: School) -> list[dict]:
    cap = cat.norm("class_size_max", s.level, s.issue_on)["value"]
    s.new = Sizes()
    out = []
    for r in s.tpl["enrollment_by_grade"]:
        old_s, old_c = num(r["students"]), num(r["classes"])
        pupils = max(5, round(old_s * s.factor * s.rng.uniform(0.98, 1.02)))
        classes = class_count(pupils, old_s / old_c, cap)
        new = {**r, "school_id": s.sid, "students": pupils, "classes": classes}
        for c in ENROLLMENT_SHARES:
            new[c] = share(r.get(c), old_s, pupils)
        two = num(r.get("two_session_students"))
        new["two_session_students"] = (pupils if two == old_s
                                       else share(r.get("two_session_students"), old_s, pupils))
        s.new.add((num(r["school_year"]), r["scenario"], num(r["grade"])), pupils, classes)
        out.append(new)
    return out


def class_totals(s: School) -> list[int]:
    return [s.new.total("classes", y, sc) for (y, sc) in {k[:2] for k in s.new.classes}]


def build_enrollment(s: School) -> list[dict]:
    """Shrink or grow the factor until every year is within the school-size norm (TT 13/2020)."""
    rule = cat.norm("school_size", s.level, s.issue_on)
    low = rule["min_hardship"] if s.template.get("hardship_area") == "có" else rule["min"]
    for _ in range(30):
        rows = enrollment(s)
        totals = class_totals(s)
        if all(low <= t <= rule["max"] for t in totals):
            break
        s.factor *= 0.95 if max(totals) > rule["max"] else 1.05
    return rows


def two_sessions(s: School) -> int:
    rows = s.tpl["enrollment_by_grade"]
    return 2 if rows and all(num(r.get("two_session_students")) for r in rows) else 1


def staff_count(s: School, role: str, old: int, year: int) -> int:
    classes = s.new.year_totals(year)[1]
    if role == "pho_hieu_truong":
        return ind.vice_principal_norm(classes, s.template.get("terrain_zone"), s.level,
                                       num(s.template.get("num_sites")), s.issue_on) or old
    if role == "giao_vien":
        norm = ind.teacher_norm(classes, s.level, two_sessions(s), s.issue_on) or classes * 2
        return max(classes, min(norm, round(old * s.new.ratio(s.old, "classes", year))))
    return old


def staff(s: School) -> list[dict]:
    out = []
    for r in s.tpl["staff_aggregate"]:
        year, old_count = num(r["school_year"]), num(r["count"])
        count = staff_count(s, r["role"], old_count, year)
        new = {**r, "school_id": s.sid, "count": count}
        for c in STAFF_SHARES:
            new[c] = share(r.get(c), old_count, count)
        for group in STAFF_GROUPS:
            regroup(r, new, group, old_count, count)
        if r["role"] == "giao_vien":
            s.teachers[(year, r["scenario"])] = new
        out.append(new)
    return out


def grade_total(s: School, key: tuple, old_value: int) -> int:
    """A count over a grade's pupils (assessed, a dimension's sum) kept at the same gap."""
    old_pupils, pupils = s.old.students.get(key), s.new.students.get(key)
    if old_pupils is None or pupils is None:
        return round(old_value * s.factor)
    return max(0, pupils - (old_pupils - old_value))


def assessment(s: School) -> list[dict]:
    groups: dict[tuple, list[dict]] = {}
    for r in s.tpl["assessment_result"]:
        key = (num(r["school_year"]), r["scenario"], num(r["grade"]), r["dimension"])
        groups.setdefault(key, []).append(r)
    out = []
    for key, rows in groups.items():
        old = [num(r["count"]) for r in rows]
        for r, n in zip(rows, apportion(grade_total(s, key[:3], sum(old)), old)):
            out.append({**r, "school_id": s.sid, "count": n})
    return out


def completion(s: School) -> list[dict]:
    out = []
    for r in s.tpl["completion_outcome"]:
        old_assessed = num(r["assessed"])
        key = (num(r["school_year"]), r["scenario"], num(r["grade"]))
        assessed = grade_total(s, key, old_assessed)
        new = {**r, "school_id": s.sid, "assessed": assessed}
        ratio = assessed / old_assessed if old_assessed else 1
        for c in COMPLETION_SHORTFALLS:
            if num(r.get(c)) is not None:
                new[c] = max(0, assessed - round((old_assessed - num(r[c])) * ratio))
        if num(r.get("retained")) is not None and num(r.get("promoted")) is not None:
            new["retained"] = assessed - new["promoted"]
        for c in ("award_excellent", "award_outstanding"):
            new[c] = share(r.get(c), old_assessed, assessed)
        out.append(new)
    return out


def room_count(s: School, r: dict, year: int, vice_principals: int) -> int:
    old = num(r["count"])
    if r["room_type"] == "phong_pho_hieu_truong":
        return vice_principals
    if r["room_type"] == "khu_ve_sinh_hs":
        return max(1, round(old * s.new.ratio(s.old, "students", year)))
    return old


def facility(s: School, vice_principals: int) -> list[dict]:
    rows = s.tpl["facility_room"]
    year = num(rows[0]["school_year"]) if rows else s.issue_on.year
    classrooms = [r for r in rows if r["room_type"] == "phong_hoc"]
    old_rooms = [num(r["count"]) for r in classrooms]
    total = max(1, round(sum(old_rooms) * s.new.ratio(s.old, "classes", year)))
    counts = dict(zip(map(id, classrooms), apportion(total, old_rooms)))
    out = []
    for r in rows:
        count = counts.get(id(r), room_count(s, r, year, vice_principals))
        if count == 0:
            continue
        old, area = num(r["count"]), num(r.get("area_m2"))
        new_area = round(area * count / old) if area and old else area
        out.append({**r, "school_id": s.sid, "count": count, "area_m2": new_area})
    return out


def equipment(s: School) -> list[dict]:
    out = []
    for r in s.tpl["equipment"]:
        count, basis = num(r["count"]), EQUIPMENT_BASIS.get(r["item"])
        if basis:
            count = max(1, round(count * s.new.ratio(s.old, basis, num(r["school_year"]))))
        out.append({**r, "school_id": s.sid, "count": count})
    return out


def percent_value(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def achievable(value: str, base: int) -> str:
    """A percentage target that still means something for `base` people.

    With few people one person weighs more than the gap to 100%, so "99%" would really
    mean "everyone" (the audit's V10); lower it to the last value below that step.
    """
    v = percent_value(value)
    if not base or v >= 100 or 100 - v >= Decimal(100) / base:
        return value
    places = -v.as_tuple().exponent if v.as_tuple().exponent < 0 else 0
    q = Decimal(1).scaleb(-places)
    lowered = ((100 - Decimal(100) / base) / q).to_integral_value(rounding=ROUND_FLOOR) * q
    return f"{lowered:f}".replace(".", ",")


def target(s: School) -> list[dict]:
    out = []
    for r in s.tpl["target"]:
        year = num(r["school_year"])
        scen = s.new.best_scenario(year)
        code, new = r.get("indicator_code"), {**r, "school_id": s.sid}
        if code == "Q1":
            new["value"] = s.new.total("classes", year, scen)
        elif code == "Q2":
            new["value"] = s.new.total("students", year, scen)
        elif code == "S6":
            _teacher_target(s, r, new, year)
        elif code in TARGETS_ON_PUPILS or code in TARGETS_ON_LAST_GRADE:
            grade = None if code in TARGETS_ON_PUPILS else LAST_GRADE[s.level]
            base = s.new.total("students", year, scen, grade)
            new["denominator"] = base
            new["value"] = achievable(r["value"], base)
            new["numerator"] = int((percent_value(new["value"]) * base / 100)
                                   .to_integral_value(ROUND_CEILING))
        out.append(new)
    return out


def _teacher_target(s: School, r: dict, new: dict, year: int) -> None:
    """S6: share of teachers at or above the qualification standard, floored to a whole %."""
    gv = s.teachers.get((year, "plan")) or next(iter(s.teachers.values()), None)
    if gv is None:
        return
    qualified = sum(gv.get(c) or 0 for c in ("qual_tren", "qual_dat"))
    new["numerator"], new["denominator"] = qualified, gv["count"]
    new["value"] = qualified * 100 // gv["count"] if gv["count"] else r["value"]


# --- the whole dataset ------------------------------------------------------------
@dataclass
class Generator:
    demo: dict[str, Table]
    seed: int
    names: Names = field(init=False)
    districts: list[District] = field(default_factory=list)
    templates: list[dict] = field(init=False)
    own: dict[str, dict[str, list[dict]]] = field(init=False)  # template id -> its rows per table

    def __post_init__(self):
        self.names = Names(random.Random(f"{self.seed}:names"))
        self.templates = list(self.demo["school"].rows)
        self.own = {t["school_id"]: {name: [r for r in tbl.rows if r["school_id"] == t["school_id"]]
                                     for name, tbl in self.demo.items()} for t in self.templates}

    def district_for_next(self, rng: random.Random) -> District:
        if not self.districts or self.districts[-1].members >= self.districts[-1].size:
            self.districts.append(District(self.names.district(), len(self.districts) + 1,
                                           rng.randint(20, 40)))
        d = self.districts[-1]
        d.members += 1
        return d

    def school(self, index: int, width: int) -> School:
        rng = random.Random(f"{self.seed}:{index}")
        template = rng.choice(self.templates)
        district = self.district_for_next(rng)
        taken = district.places[template["school_level"]]
        place = self.names.place(taken)
        taken.add(place)
        issue_on = dt.date(2024, 9, 16) + dt.timedelta(days=rng.randint(0, 24))
        return School(f"S{index:0{width}d}", template, self.own[template["school_id"]], rng,
                      rng.uniform(0.6, 1.5), place, district, district.members, issue_on)

    def texts(self, s: School):
        """Replace the demo's district, places and hamlets by this school's."""
        d = s.district.name
        mapping = {f"huyện {DEMO_DISTRICT}": f"huyện {d}",
                   f"HUYỆN {DEMO_DISTRICT.upper()}": f"HUYỆN {d.upper()}"}
        for t in self.templates:
            if t["place_name"] != s.template["place_name"]:
                mapping[t["place_name"]] = self.names.place({s.place})
        mapping[s.template["place_name"]] = s.place
        for hamlet in DEMO_HAMLETS:
            mapping[hamlet] = s.rng.choice(HAMLET)
        return substituter(mapping)

    def district_texts(self, s: School):
        d = s.district.name
        return substituter({f"huyện {DEMO_DISTRICT}": f"huyện {d}",
                            f"HUYỆN {DEMO_DISTRICT.upper()}": f"HUYỆN {d.upper()}"})


def school_row(s: School, sub, principal: str) -> dict:
    t = s.template
    prefix = "Trường Tiểu học" if s.level == "tieu_hoc" else "Trường Trung học cơ sở"
    abbrev = ("TH" if s.level == "tieu_hoc" else "THCS") + ascii_initials(s.place)
    commune_kind = t["commune"].split(t["place_name"])[0].strip() or "xã"
    ratio = s.new.ratio(s.old, "students", s.issue_on.year)

    def land(col: str) -> int | None:
        return round(num(t[col]) * ratio * s.rng.uniform(0.9, 1.1)) if num(t[col]) else None

    level_digit = "1" if s.level == "tieu_hoc" else "2"
    return {**t, "school_id": s.sid, "name": f"{prefix} {s.place}", "name_abbrev": abbrev,
            "governing_body": sub(t["governing_body"]), "place_name": s.place,
            "school_code": f"{PROVINCE_CODE}{level_digit}{s.district.number:02d}{s.seq:03d}",
            "commune": f"{commune_kind} {s.place}", "district": f"huyện {s.district.name}",
            "founded_year": num(t["founded_year"]) + s.rng.randint(-10, 10),
            "land_area_m2": land("land_area_m2"), "playground_area_m2": land("playground_area_m2"),
            "principal_name": principal}


def meta_rows(s: School, abbrev: str, principal: str) -> list[dict]:
    return [{**r, "school_id": s.sid, "register_number": s.rng.randint(20, 180),
             "symbol": f"KH-{abbrev}", "issue_date": s.issue_on.strftime("%d/%m/%Y"),
             "issue_place": s.place, "signer_name": principal}
            for r in s.tpl["document_meta"]]


def text_rows(rows: list[dict], sid: str, sub) -> list[dict]:
    """Copies of rows for a school, names in their text replaced."""
    return [{**r, **{k: sub(v) for k, v in r.items() if isinstance(v, str)}, "school_id": sid}
            for r in rows]


def generate(n: int, seed: int, demo: Path = DEMO,
             documents: list[str] | None = None) -> tuple[dict[str, Table], dict]:
    """N schools modelled on the schools of `demo`; documents default to the demo's."""
    tables = read_tables(demo)
    gen = Generator(tables, seed)
    out = {name: Table(t.header, []) for name, t in tables.items()}
    shared = {name: [r for r in t.rows if r["school_id"] == ALL] for name, t in tables.items()}
    width = max(4, len(str(n)))
    for i in range(1, n + 1):
        add_school(out, gen.school(i, width), gen, shared)
    for name, rows in shared.items():
        out[name].rows[:0] = [r for r in rows if not _district_specific(r)]
    with (demo / "dataset.yaml").open(encoding="utf-8") as fh:
        config = yaml.safe_load(fh)
    config["name"] = (f"Dữ liệu tổng hợp {n} trường tiểu học, trung học cơ sở tỉnh Lâm Giang "
                      f"(sinh từ params/demo, hạt giống {seed}) - dùng đo hiệu năng")
    config["authority"] = "Sở Giáo dục và Đào tạo tỉnh Lâm Giang"
    if documents:
        config["documents"] = list(documents)
    return out, config


def _district_specific(row: dict) -> bool:
    return any(DEMO_DISTRICT in (v or "") for v in row.values())


def rescaled_rows(s: School, gen: Generator, sub, dsub) -> dict[str, list[dict]]:
    """The tables whose figures follow the school's new size (order matters)."""
    rows = {"enrollment_by_grade": build_enrollment(s), "staff_aggregate": staff(s)}
    vp = next((r["count"] for r in rows["staff_aggregate"] if r["role"] == "pho_hieu_truong"), 1)
    rows["assessment_result"] = assessment(s)
    rows["completion_outcome"] = completion(s)
    rows["facility_room"] = text_rows(facility(s, vp), s.sid, sub)
    rows["equipment"] = equipment(s)
    rows["target"] = target(s)
    principal = gen.names.person()
    rows["school"] = [school_row(s, dsub, principal)]
    rows["document_meta"] = meta_rows(s, rows["school"][0]["name_abbrev"], principal)
    return rows


def add_school(out: dict[str, Table], s: School, gen: Generator, shared: dict) -> None:
    """Append one school; other tables (texts, criteria, …) are the template's, renamed."""
    sub, dsub = gen.texts(s), gen.district_texts(s)
    rescaled = rescaled_rows(s, gen, sub, dsub)
    for name, table in out.items():
        if name in rescaled:
            table.rows += rescaled[name]
            continue
        table.rows += text_rows(s.tpl[name], s.sid, sub)
        own_keys = {_key(name, r) for r in s.tpl[name]}
        specific = [r for r in shared[name]
                    if _district_specific(r) and _key(name, r) not in own_keys]
        table.rows += text_rows(specific, s.sid, dsub)


def _key(table: str, row: dict) -> tuple:
    """The row's key without school_id (a school's own row overrides a shared one)."""
    keys = TABLES[table].keys if table in TABLES else tuple(row)
    return tuple(row.get(c) for c in keys if c != "school_id")


# --- self-check ------------------------------------------------------------------
def consistency_problems(tables: dict[str, Table]) -> list[str]:
    """Internal consistency the generator promises (beyond what `kehoach check` parses)."""
    levels = {r["school_id"]: r["school_level"] for r in tables["school"].rows}
    caps = {lvl: cat.norm("class_size_max", lvl, dt.date(2024, 9, 1))["value"] for lvl in LAST_GRADE}
    pupils, problems = {}, []
    for r in tables["enrollment_by_grade"].rows:
        s, c = int(r["students"]), int(r["classes"])
        key = (r["school_id"], int(r["school_year"]), r["scenario"], int(r["grade"]))
        pupils[key] = s
        if s > caps[levels[r["school_id"]]] * c:
            problems.append(f"class size over cap: {key}")
        if any((r.get(col) or 0) and int(r[col]) > s for col in ENROLLMENT_SHARES):
            problems.append(f"sub-count above pupils: {key}")
    sums: dict[tuple, int] = {}
    for r in tables["assessment_result"].rows:
        key = (r["school_id"], int(r["school_year"]), r["scenario"], int(r["grade"]), r["dimension"])
        sums[key] = sums.get(key, 0) + int(r["count"])
    problems += [f"assessment does not sum to pupils: {k}" for k, v in sums.items()
                 if pupils.get(k[:4]) is not None and v != pupils[k[:4]]]
    for r in tables["staff_aggregate"].rows:
        for group in STAFF_GROUPS:
            vals = [int(r[c]) for c in group if r.get(c) not in (None, "")]
            if vals and sum(vals) > int(r["count"]):
                problems.append(f"staff group above count: {r['school_id']} {r['role']} {group}")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=1000, help="number of schools (default 1000)")
    p.add_argument("--out", required=True, help="dataset folder to write")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--demo", default=str(DEMO), help="template dataset (default params/demo)")
    p.add_argument("--documents", nargs="+", help="documents to list in dataset.yaml "
                   "(default: the template's)")
    args = p.parse_args(argv)
    tables, config = generate(args.n, args.seed, Path(args.demo), args.documents)
    problems = consistency_problems(tables)
    write_tables(Path(args.out), tables, config)
    rows = sum(len(t.rows) for t in tables.values())
    print(f"{args.n} schools, {rows} rows -> {args.out} ({len(problems)} consistency problems)")
    for line in problems[:20]:
        print("  " + line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
