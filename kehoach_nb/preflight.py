"""Glyph preflight: every character of a report must exist in the embedded fonts."""

from __future__ import annotations

import subprocess
import unicodedata
from functools import cache

from .errors import GlyphError

FONT_FAMILY = "Liberation Serif"
IGNORED = {"\n", "\r", "\t", "\u00a0", "\u200b"}


@cache
def font_coverage(family: str = FONT_FAMILY) -> frozenset[int]:
    """Code points of a font family, found through fontconfig."""
    from fontTools.ttLib import TTFont

    path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True,
                          check=True).stdout
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(doc, coverage: frozenset[int]) -> list[tuple[str, str]]:
    """(section heading, character) for every character the font lacks, in reading order."""
    from .model import Heading, block_lines

    out, heading = [], "đầu văn bản"
    for b in doc.blocks:
        if isinstance(b, Heading):
            heading = f"{b.number} {b.title}".strip()
        for line in block_lines(b):
            out += [(heading, ch) for ch in line if ch not in IGNORED and ord(ch) not in coverage]
    return out


def check_glyphs(doc, school_id: str) -> None:
    """Raise GlyphError naming school, section and character for the first gaps found."""
    missing = missing_glyphs(doc, font_coverage())
    if missing:
        seen = list(dict.fromkeys(missing))[:5]
        parts = [f"mục \"{sec}\": ký tự \"{ch}\" (U+{ord(ch):04X}, {unicodedata.name(ch, '?')})"
                 for sec, ch in seen]
        raise GlyphError(f"trường {school_id}: phông chữ {FONT_FAMILY} không có " + "; ".join(parts))
