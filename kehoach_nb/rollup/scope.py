"""The communes (xã, phường, đặc khu) of a dataset's schools: one roll-up each (pure).

A dataset whose schools lie in more than one commune gets, beside its own roll-up, one per
commune in `_tong_hop/<slug>/`, issued in the name of the commune's UBND. Schools with no
commune are only in the dataset-wide roll-up.
"""

from __future__ import annotations

import re
import unicodedata

from .. import admin_eras


def clean(text: object) -> str:
    """A commune as written, NFC with single spaces ("" when empty: None, NaN)."""
    return " ".join(unicodedata.normalize("NFC", text).split()) if isinstance(text, str) else ""


def slug(text: str) -> str:
    """An ASCII folder name: "xã Hòa Bình" → "xa_hoa_binh" (no diacritics, đ → d)."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_") or "xa"


def commune_of(ds) -> dict[str, str]:
    """school id → its commune ("" when not filled)."""
    school = ds.tables["school"]
    communes = school["commune"] if "commune" in school else [None] * len(school)
    return {sid: clean(c) for sid, c in zip(school["school_id"], communes)}


def folders(ds) -> dict[str, str]:
    """commune → its folder under `_tong_hop/`, in folder order; empty when the schools lie in
    fewer than two communes. Two names with one slug (a case or diacritic apart) get _2, _3."""
    names = sorted({c for c in commune_of(ds).values() if c}, key=lambda c: (slug(c), c))
    if len(names) < 2:
        return {}
    out: dict[str, str] = {}
    for name in names:
        base, n = slug(name), 1
        while (folder := base if n == 1 else f"{base}_{n}") in out.values():
            n += 1
        out[name] = folder
    return out


def header(commune: str) -> tuple[str, str, str]:
    """(authority_parent, authority, place) of a commune's roll-up: ("", "UBND xã Hòa Bình", "Hòa Bình")."""
    low = commune.lower()
    prefix = next((p for p in admin_eras.catalogue()["commune_prefixes"] if low.startswith(f"{p} ")), "")
    return "", admin_eras.commune_body(commune) or f"UBND {commune}", commune[len(prefix):].strip()
