"""Accreditation and national-standard rules (REFERENCE §b.1, §d.6 A1–A6) as pure functions.

Frameworks, criteria, thresholds and the framework-in-force rule live in
catalogues/criteria.yaml; this module holds no threshold literal. Codes of
criteria are strings ("1.10" is not "1.1"); `normalize_code` accepts "1,5" and "1.3*".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import yaml

from . import catalogues as cat
from .formatting import fmt_dec, fmt_int, fmt_percent, pct


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    standard: str
    mandatory: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Standard:
    code: str
    name: str
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Threshold:
    criterion: str
    level: int
    measure: str
    comparator: str
    value: Decimal
    indicator: str | None = None
    value_hardship: Decimal | None = None
    value_urban: Decimal | None = None
    hardship_scope: str = "kho_khan"


@dataclass(frozen=True)
class Framework:
    code: str
    label: str
    verified: bool
    criterion_levels: tuple[int, ...]
    school_levels: tuple[int, ...]
    school_rule: str | None
    rule_params: Mapping
    cqg: tuple[Mapping, ...]
    standards: tuple[Standard, ...]
    thresholds: tuple[Threshold, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.standards for c in s.criteria)

    def criterion(self, code: str) -> Criterion | None:
        code = normalize_code(code)
        return next((c for c in self.criteria if c.code == code), None)


# --- catalogue ---------------------------------------------------------------
@cache
def catalogue() -> dict:
    return yaml.safe_load((cat.HERE / "criteria.yaml").read_text(encoding="utf-8"))


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value).replace(",", "."))


def _threshold(raw: Mapping) -> Threshold:
    return Threshold(raw["criterion"], int(raw["level"]), raw["measure"], raw["comparator"],
                     _dec(raw["value"]), raw.get("indicator"), _dec(raw.get("value_hardship")),
                     _dec(raw.get("value_urban")), raw.get("hardship_scope", "kho_khan"))


@cache
def framework(code: str) -> Framework:
    """The catalogued framework; ValueError (Vietnamese) for an unknown code."""
    raw = catalogue()["frameworks"].get(code)
    if raw is None:
        known = ", ".join(catalogue()["frameworks"])
        raise ValueError(f"văn bản đánh giá \"{code}\" không có trong danh mục (có: {known})")
    standards = tuple(Standard(str(s["code"]), s["name"], tuple(
        Criterion(str(c["code"]), c["name"], str(s["code"]), bool(c.get("mandatory")),
                  tuple(c.get("aliases", ()))) for c in s["criteria"])) for s in raw["standards"])
    return Framework(code, raw["label"], bool(raw["verified"]), tuple(raw["criterion_levels"]),
                     tuple(raw["school_levels"]), raw.get("school_rule"), raw.get("rule_params", {}),
                     tuple(raw.get("cqg", ())), standards,
                     tuple(_threshold(t) for t in raw.get("thresholds", ())))


def _fw(fw: str | Framework) -> Framework:
    return fw if isinstance(fw, Framework) else framework(fw)


def normalize_code(code) -> str:
    """" 1,5 " -> "1.5"; "1.3*" (TT57 mandatory mark) -> "1.3"."""
    return str(code).strip().replace(",", ".").rstrip("*").strip()


def effective_from(rule: Mapping, in_force_from: Mapping | None = None) -> dt.date | None:
    """A rule's start date; a dataset's `in_force_from` moves it (a date) or removes it (None)."""
    if in_force_from and rule["framework"] in in_force_from:
        return in_force_from[rule["framework"]] or dt.date.max
    return rule["from"] or dt.date.min


def framework_in_force(level: str, on_date: dt.date, override: str | None = None,
                       in_force_from: Mapping | None = None) -> str | None:
    """Framework code for a school level on a document date (REFERENCE §b.1.0).

    The latest catalogued rule that has started wins, unverified frameworks (TT57/2026, [U])
    included; `in_force_from` (dataset.yaml) moves a framework's start either way or, with
    None, never applies it; an explicit override (document_meta.framework) always wins.
    None when no catalogued framework applies.
    """
    if override:
        return framework(override).code
    rules = [(effective_from(r, in_force_from), r) for r in catalogue()["in_force"]
             if r["education_level"] == level]
    started = [(start, r) for start, r in rules if start <= on_date]
    return max(started, key=lambda x: x[0], default=(None, {}))[1].get("framework")


# --- A1 criterion level ------------------------------------------------------
def _present(value) -> bool:
    """False for None, NaN and pd.NA (empty cells of a frame)."""
    try:
        return value is not None and bool(value == value)
    except TypeError:
        return False


def _is_true(value) -> bool:
    """True for a real true value; None, NaN and pd.NA count as not met."""
    try:
        return bool(value) and value == value
    except TypeError:
        return False


def _level_met(result) -> bool:
    if isinstance(result, Mapping):
        return bool(result) and all(_is_true(v) for v in result.values())
    return _is_true(result)


def criterion_level(indicator_results: Mapping) -> int:
    """A1: max k such that every indicator of Mức 1..k is met; 0 if Mức 1 is not met.

    `indicator_results` maps a level (1, "2") to a bool or to {indicator: bool}.
    """
    by_level = {int(k): v for k, v in indicator_results.items()}
    k = 0
    while k + 1 in by_level and _level_met(by_level[k + 1]):
        k += 1
    return k


def row_level(row: Mapping) -> int | None:
    """Level of a criterion_assessment row: from level1_met… flags, else achieved_level."""
    flags = {k: row.get(f"level{k}_met") for k in (1, 2, 3)}
    if any(_present(v) for v in flags.values()):
        return criterion_level(flags)
    level = row.get("achieved_level")
    return int(level) if _present(level) else None


def levels_from_rows(rows: Iterable[Mapping], fw: str | Framework) -> dict[str, int]:
    """{criterion code: level} of the rows of one framework (rows without a level are left out)."""
    code = _fw(fw).code
    out = {}
    for row in rows:
        level = row_level(row)
        if row.get("framework") in (None, code) and level is not None:
            out[normalize_code(row["criterion_code"])] = level
    return out


# --- A2/A4 school level ------------------------------------------------------
def _levels(levels_by_criterion: Mapping) -> dict[str, int]:
    return {normalize_code(c): int(v) for c, v in levels_by_criterion.items() if _present(v)}


def rule_min_all(levels: Mapping[str, int], fw: Framework) -> int:
    """TT17/TT18 default: the school reaches Mức k when every criterion does."""
    return min(levels[c.code] for c in fw.criteria)


def rule_mandatory_plus_others(levels: Mapping[str, int], fw: Framework) -> int:
    """TT57/2026 (A4): all mandatory at Mức k and enough others at Mức k; from Mức 2 none below a floor."""
    need, floor = fw.rule_params["min_others"], fw.rule_params["floor_from_level_2"]
    mandatory = [levels[c.code] for c in fw.criteria if c.mandatory]
    others = [levels[c.code] for c in fw.criteria if not c.mandatory]

    def reaches(k: int) -> bool:
        return (all(v >= k for v in mandatory) and sum(v >= k for v in others) >= need
                and (k < 2 or min(mandatory + others) >= floor))

    return next((k for k in sorted(fw.school_levels, reverse=True) if reaches(k)), 0)


SCHOOL_RULES: dict[str, Callable[[Mapping[str, int], Framework], int]] = {
    "min_all": rule_min_all,
    "mandatory_plus_others": rule_mandatory_plus_others,
}


def school_level(levels_by_criterion: Mapping[str, int | None], fw: str | Framework,
                 rule: str | Callable | None = None, level4_met: bool = False) -> int | None:
    """A2: school level under the framework's (or the given) rule.

    None when the framework has no criteria/rule or a criterion has no level
    (list them with missing_criteria). Mức 4 needs Mức 3 everywhere plus the
    Điều 22 items (`level4_met`).
    """
    fw, levels = _fw(fw), _levels(levels_by_criterion)
    rule = SCHOOL_RULES.get(rule or fw.school_rule or "") if not callable(rule) else rule
    if rule is None or not fw.criteria or missing_criteria(levels, fw):
        return None
    result = rule(levels, fw)
    top = max(fw.criterion_levels)
    if level4_met and result == top and top + 1 in fw.school_levels:
        return top + 1
    return result


def cqg_eligibility(school_level: int | None, has_completed_cohort: bool,
                    fw: str | Framework = "tt17_2018") -> int | None:
    """A3: highest CQG mức độ the school level allows (0 = none); None if the framework has no mapping."""
    rules = _fw(fw).cqg
    if not rules:
        return None
    ok = [r["cqg_level"] for r in rules if (school_level or 0) >= r["min_school_level"]
          and (has_completed_cohort or not r["needs_completed_cohort"])]
    return max(ok, default=0)


# --- A5 summaries and gaps ---------------------------------------------------
@dataclass(frozen=True)
class StandardSummary:
    code: str
    name: str
    n_criteria: int
    n_assessed: int
    at_least: dict[int, int]            # level k -> criteria at Mức k or above
    pct: dict[int, Decimal | None]      # same over n_criteria


def _summary(code: str, name: str, codes: list[str], levels: Mapping[str, int],
             ks: tuple[int, ...]) -> StandardSummary:
    got = [levels[c] for c in codes if c in levels]
    at_least = {k: sum(v >= k for v in got) for k in ks}
    return StandardSummary(code, name, len(codes), len(got), at_least,
                           {k: pct(n, len(codes)) for k, n in at_least.items()})


def standard_summary(levels_by_criterion: Mapping[str, int | None],
                     fw: str | Framework) -> list[StandardSummary]:
    """A5: per standard, number of criteria and how many reach each level."""
    fw, levels = _fw(fw), _levels(levels_by_criterion)
    return [_summary(s.code, s.name, [c.code for c in s.criteria], levels, fw.criterion_levels)
            for s in fw.standards]


def total_summary(levels_by_criterion: Mapping[str, int | None], fw: str | Framework) -> StandardSummary:
    """A5 over the whole framework (the "Cộng" row)."""
    fw = _fw(fw)
    return _summary("", catalogue()["wording"]["total_row"], [c.code for c in fw.criteria], _levels(levels_by_criterion),
                    fw.criterion_levels)


def criteria_not_met(levels_by_criterion: Mapping[str, int | None], fw: str | Framework,
                     target_level: int = 1) -> list[str]:
    """Assessed criteria below the target level, in catalogue order (missing ones excluded)."""
    levels = _levels(levels_by_criterion)
    return [c.code for c in _fw(fw).criteria if c.code in levels and levels[c.code] < target_level]


def missing_criteria(assessed_codes: Iterable, fw: str | Framework) -> list[str]:
    """Criteria of the framework absent from the data, in catalogue order."""
    have = {normalize_code(c) for c in assessed_codes}
    return [c.code for c in _fw(fw).criteria if c.code not in have]


def unknown_criteria(assessed_codes: Iterable, fw: str | Framework) -> list[str]:
    """Codes in the data that the framework does not have, in data order."""
    known = {c.code for c in _fw(fw).criteria}
    return [normalize_code(c) for c in assessed_codes if normalize_code(c) not in known]


def actions_missing(not_met: Iterable[str], improvement_actions: Iterable) -> list[str]:
    """Criteria not met that no improvement action addresses (codes or rows with criterion_code)."""
    covered = {normalize_code(a.get("criterion_code") if isinstance(a, Mapping) else a)
               for a in improvement_actions}
    return [c for c in map(normalize_code, not_met) if c not in covered]


# --- A6 evidence suggestions -------------------------------------------------
@dataclass(frozen=True)
class Check:
    threshold: Threshold
    required: Decimal
    value: Decimal
    met: bool
    variant: str | None         # kho_khan / dac_biet_kho_khan / noi_thanh when not the ordinary value


@dataclass(frozen=True)
class Suggestion:
    """A data-based candidate level ("gợi ý"); never the council's verdict."""

    criterion: str
    level: int
    checks: tuple[Check, ...]
    reason: str


COMPARE = {"ge": Decimal.__ge__, "gt": Decimal.__gt__, "le": Decimal.__le__,
           "lt": Decimal.__lt__, "eq": Decimal.__eq__}


def derive_measures(measures: Mapping[str, object]) -> dict[str, Decimal]:
    """Drop empty inputs; add classrooms_per_class from classrooms and classes (F2)."""
    out = {k: _dec(v) for k, v in measures.items() if _present(v)}
    if "classrooms_per_class" not in out and {"classrooms", "classes"} <= out.keys():
        if out["classes"]:
            out["classrooms_per_class"] = out["classrooms"] / out["classes"]  # exact, shown rounded
    return out


def _required(t: Threshold, hardship: bool, special_hardship: bool,
              urban: bool) -> tuple[Decimal, str | None]:
    in_scope = special_hardship if t.hardship_scope == "dac_biet_kho_khan" else hardship
    if in_scope and t.value_hardship is not None:
        return t.value_hardship, t.hardship_scope
    if urban and t.value_urban is not None:
        return t.value_urban, "noi_thanh"
    return t.value, None


def _fmt(measure: str, value: Decimal, suffix: bool = False) -> str:
    info = catalogue()["measures"][measure]
    unit = info["unit"]
    if unit == "percent":
        return fmt_percent(value, 1)
    if unit == "ratio":
        return fmt_dec(value, 2)
    if unit == "m2":
        return fmt_dec(value, 1) + " m²"
    if unit == "years":
        return f"{fmt_int(int(value))} năm"
    return fmt_int(int(value)) + (info.get("suffix", "") if suffix else "")


def _check_phrase(c: Check) -> str:
    t, words = c.threshold, catalogue()["wording"]
    rule = catalogue()["comparators"][t.comparator].format(v=_fmt(t.measure, c.required, suffix=True))
    if c.variant:
        rule += words["applies_to"].format(who=catalogue()["variants"][c.variant])
    return words["check"].format(
        label=catalogue()["measures"][t.measure]["label"], value=_fmt(t.measure, c.value),
        verdict=words["met" if c.met else "not_met"], level=t.level, rule=rule)


def _suggestion(code: str, checks: list[Check]) -> Suggestion:
    failed = [c.threshold.level for c in checks if not c.met]
    level = min(failed) - 1 if failed else max(c.threshold.level for c in checks)
    words = catalogue()["wording"]
    head = words["suggested"].format(level=level) if level else words["suggested_none"]
    return Suggestion(code, level, tuple(checks), f"{head}: " + "; ".join(map(_check_phrase, checks)) + ".")


def suggest_evidence(fw: str | Framework, *, hardship: bool = False,
                     special_hardship: bool | None = None, urban: bool = False,
                     **measures) -> list[Suggestion]:
    """A6: candidate criterion levels from plain numbers, in catalogue order.

    Measures are named in criteria.yaml (classes, classrooms, teachers_tren_pct,
    completion_grade_pct, …); None values are ignored. A criterion is suggested
    at the highest level whose quantitative thresholds (those with data) all pass,
    up to the highest level the data speaks about. `special_hardship` (ĐBKK)
    defaults to `hardship`.
    """
    unknown = sorted(set(measures) - set(catalogue()["measures"]))
    if unknown:
        raise ValueError(f"số liệu không có trong danh mục chỉ số: {', '.join(unknown)}")
    fw, data = _fw(fw), derive_measures(measures)
    special = hardship if special_hardship is None else special_hardship
    by_criterion: dict[str, list[Check]] = {}
    for t in fw.thresholds:
        if t.measure in data:
            required, variant = _required(t, hardship, special, urban)
            met = COMPARE[t.comparator](data[t.measure], required)
            by_criterion.setdefault(t.criterion, []).append(Check(t, required, data[t.measure], met, variant))
    return [_suggestion(c.code, by_criterion[c.code]) for c in fw.criteria if c.code in by_criterion]


def split_evidence_codes(text: str | None) -> list[str]:
    """"[H1-1.1-01]; [H1-1.1-02]" -> ["H1-1.1-01", "H1-1.1-02"] (separators ; , newline)."""
    if not text:
        return []
    parts = str(text).replace("\n", ";").replace(",", ";").split(";")
    return [p.strip().strip("[]").strip() for p in parts if p.strip().strip("[]").strip()]
