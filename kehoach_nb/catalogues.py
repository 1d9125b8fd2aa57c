"""Catalogues shipped with the toolkit: labels, assessment regimes, norms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent / "catalogues"


@cache
def _load(name: str) -> dict:
    return yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))


def label(group: str, code: str) -> str:
    """Vietnamese label of a code; the code itself when unknown."""
    return _load("labels").get(group, {}).get(code, code)


def codes(group: str) -> list[str]:
    """The codes of a label group in catalogue order."""
    return list(_load("labels").get(group, {}))


def regimes() -> dict:
    return _load("regimes")["regimes"]


def category_label(code: str) -> str:
    return _load("regimes")["category_labels"].get(code, code)


def dimension_label(regime: str, dimension: str) -> str:
    """"mon:toan" -> "Toán"; "hoc_luc" -> "Học lực"."""
    kind, _, subject = dimension.partition(":")
    if subject:
        return _load("regimes")["subject_labels"].get(subject, subject)
    return regimes()[regime]["dimensions"].get(kind, {}).get("label", kind)


def categories(regime: str, dimension: str) -> list[str]:
    kind = dimension.partition(":")[0]
    return list(regimes().get(regime, {}).get("dimensions", {}).get(kind, {}).get("categories", []))


def regime_in_force(level: str, grade: int | None, year: int) -> str | None:
    """Assessment regime for a grade in a school year (first matching rule)."""
    for rule in _load("regimes")["in_force"]:
        if rule["level"] == level and year >= rule["from_year"] and (
                grade is None or grade in rule["grades"]):
            return rule["regime"]
    return None


def norm(name: str, level: str, on: dt.date, **match) -> dict | None:
    """Latest rule of a norm in force on a date for a level (and e.g. sessions)."""
    best = None
    for rule in _load("norms")[name]:
        if rule["level"] not in (level, "any") or rule["from"] > on:
            continue
        if any(k in rule and not _matches(rule[k], v) for k, v in match.items()):
            continue
        if best is None or rule["from"] >= best["from"]:
            best = rule
    return best


def _matches(expected, value) -> bool:
    return value in expected if isinstance(expected, list) else expected == value


def norm_value(rule: dict, key: str = "value") -> Decimal:
    return Decimal(str(rule[key]).replace(",", "."))


def required_rooms(level: str, standard_level: str, on: dt.date) -> tuple[list[str], str] | None:
    """The rooms (one each) of the room list in force on the document's date, in the order of the
    regulation, and its basis; None when no list of the catalogue is in force then."""
    rule = norm("required_rooms", level, on)
    return (list(rule[standard_level]), rule["basis"]) if rule else None


def per_class_equipment() -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in _load("norms")["per_class_equipment"].items()}


def regulation_codes() -> set[str]:
    """Every code a dataset may name in `in_force_from` (regulations and frameworks)."""
    rules = {r["code"] for fam in _load("regulations").values() for r in fam["rules"]}
    return rules | {r["framework"] for r in _load("criteria")["in_force"] if r["framework"]}


def regulation_in_force(family: str, level: str, on: dt.date,
                        in_force_from: dict | None = None) -> dict | None:
    """The rule of a family (regulations.yaml: "dieu_le", "kiem_dinh") in force on a date for
    a school level; `in_force_from` (dataset.yaml) moves a start date, None = never."""
    best, best_from = None, None
    for rule in _load("regulations")[family]["rules"]:
        start = rule["from"]
        if in_force_from and rule["code"] in in_force_from:
            start = in_force_from[rule["code"]]
        if level not in rule["levels"] or start is None or start > on:
            continue
        if best is None or start >= best_from:
            best, best_from = rule, start
    return best


def replaced_on(number: str, level: str, on: dt.date, in_force_from: dict | None = None) -> dict | None:
    """The rule that replaced a cited regulation (by number) for a level on a date, else None."""
    for name, family in _load("regulations").items():
        cited = next((r for r in family["rules"] if r["number"] == number), None)
        if cited is None or level not in cited["levels"]:
            continue
        now = regulation_in_force(name, level, on, in_force_from)
        if now and cited["code"] in now.get("replaces", ()):
            return now
    return None
