"""Administrative eras (catalogues/admin_eras.yaml): which local-government structure a document
date falls in, district-level bodies named in a text, and provinces merged in 2025 with the
province that took them over. Pure functions; every date and name is in the catalogue."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

import yaml

from .catalogues import HERE


@cache
def catalogue() -> dict:
    return yaml.safe_load((HERE / "admin_eras.yaml").read_text(encoding="utf-8"))


def two_level(on: dt.date | None) -> bool:
    """True when the date is on or after the start of two-level local government."""
    return on is not None and on >= catalogue()["two_level_from"]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).lower().split())


@cache
def _district_patterns() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(p["pattern"]), p["kind"]) for p in catalogue()["district_bodies"])


def district_body(text: str | None) -> str | None:
    """The kind of district-level body a text names ("UBND cấp huyện"), else None."""
    if not text:
        return None
    low = _norm(text)
    return next((kind for pattern, kind in _district_patterns() if pattern.search(low)), None)


def commune_body(commune: str | None) -> str | None:
    """"UBND xã Hòa Bình" from the school's commune when it is a commune-level unit."""
    if not commune:
        return None
    text = unicodedata.normalize("NFC", str(commune)).strip()
    if not any(_norm(text).startswith(p + " ") for p in catalogue()["commune_prefixes"]):
        return None
    return catalogue()["commune_body"].format(commune=text)


@cache
def _provinces() -> dict[str, str]:
    """Lower-case old name (and aliases) -> successor province."""
    merged = catalogue()["merged_provinces"]
    out = {_norm(k): v for k, v in merged.items()}
    out.update({_norm(a): merged[name] for a, name in catalogue()["province_aliases"].items()})
    return out


PROVINCE_PREFIX = re.compile(r"^(?:tỉnh|thành phố|tp\.?)\s+")


def province_successor(name: str | None) -> str | None:
    """The province that took over a merged province ("tỉnh Hòa Bình" -> "tỉnh Phú Thọ"),
    None for a province that still exists (or an unknown, e.g. fictional, name)."""
    if not name:
        return None
    return _provinces().get(PROVINCE_PREFIX.sub("", _norm(name)))


@cache
def _province_in_text() -> re.Pattern:
    names = sorted(_provinces(), key=len, reverse=True)
    alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
    # every unit abolished in 2025 was a tỉnh: "thành phố Hải Dương" is the district-level city
    return re.compile(r"tỉnh\s+(" + alternatives + r")\b", re.IGNORECASE)


def merged_provinces_in(text: str | None) -> list[tuple[str, str]]:
    """(old province as written, successor) for each merged province a text names with its
    prefix ("Sở GD&ĐT tỉnh Hải Dương"); a bare name is not a province (communes share names)."""
    if not text:
        return []
    nfc = unicodedata.normalize("NFC", str(text))
    return [(m.group(0), _provinces()[_norm(m.group(1))]) for m in _province_in_text().finditer(nfc)]
