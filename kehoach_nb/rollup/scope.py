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


# old and new tone placement ("Hoà"/"Hòa", "Thuỷ"/"Thủy") name the same commune
_TONES = str.maketrans({"à": "a\u0300", "á": "a\u0301", "ả": "a\u0309", "ã": "a\u0303", "ạ": "a\u0323",
                        "è": "e\u0300", "é": "e\u0301", "ẻ": "e\u0309", "ẽ": "e\u0303", "ẹ": "e\u0323",
                        "ỳ": "y\u0300", "ý": "y\u0301", "ỷ": "y\u0309", "ỹ": "y\u0303", "ỵ": "y\u0323"})


def same_key(name: str) -> str:
    """One key for the spellings of a commune: case, spaces and tone placement aside."""
    low = clean(name).casefold().translate(_TONES)
    low = re.sub(r"([oòóỏõọuùúủũụ])([ae]|y)([\u0300\u0301\u0309\u0303\u0323])", r"\1\3\2", low)
    return unicodedata.normalize("NFD", low).replace("\u0300", "1").replace("\u0301", "2").replace(
        "\u0309", "3").replace("\u0303", "4").replace("\u0323", "5")


def commune_of(ds) -> dict[str, str]:
    """school id → its commune ("" when not filled), every spelling of one commune given as the
    spelling most of its schools use."""
    school = ds.tables["school"]
    communes = school["commune"] if "commune" in school else [None] * len(school)
    raw = {sid: clean(c) for sid, c in zip(school["school_id"], communes)}
    spellings: dict[str, list[str]] = {}
    for name in raw.values():
        if name:
            spellings.setdefault(same_key(name), []).append(name)
    usual = {k: max(sorted(set(v)), key=v.count) for k, v in spellings.items()}
    return {sid: usual[same_key(name)] if name else "" for sid, name in raw.items()}


def folders(ds) -> dict[str, str]:
    """commune → its folder under `_tong_hop/`, in folder order; empty when the schools lie in
    fewer than two communes."""
    names = sorted({c for c in commune_of(ds).values() if c}, key=lambda c: (slug(c), c))
    if len(names) < 2:
        return {}
    out: dict[str, str] = {}
    for name in names:  # two communes may still share a slug ("Hòa Bình" and "Hoa Binh")
        base, n = slug(name), 1
        while (folder := base if n == 1 else f"{base}_{n}") in out.values():
            n += 1
        out[name] = folder
    return out


def header(commune: str) -> tuple[str, str, str]:
    """(authority_parent, authority, place) of a commune's roll-up: ("", "UBND xã Hòa Bình", "Hòa Bình")."""
    low = commune.lower()
    cat = admin_eras.catalogue()
    prefix = next((p for p in cat["commune_prefixes"] + cat["former_prefixes"] if low.startswith(f"{p} ")), "")
    return "", admin_eras.commune_body(commune) or f"UBND {commune}", commune[len(prefix):].strip()
