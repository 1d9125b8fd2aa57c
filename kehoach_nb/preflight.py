"""Glyph preflight: every character of a report must exist in the embedded fonts."""

from __future__ import annotations

import subprocess
import unicodedata
from functools import cache
from html.parser import HTMLParser

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


class _Walker(HTMLParser):
    def __init__(self, coverage: frozenset[int]):
        super().__init__(convert_charrefs=True)
        self.coverage, self.heading, self.in_heading, self.skip = coverage, "đầu văn bản", False, 0
        self.missing: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title"):
            self.skip += 1
        if tag in ("h1", "h2", "h3", "h4"):
            self.in_heading, self.heading = True, ""

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self.skip -= 1
        if tag in ("h1", "h2", "h3", "h4"):
            self.in_heading = False

    def handle_data(self, data):
        if self.skip:
            return
        if self.in_heading:
            self.heading += data
        for ch in data:
            if ch not in IGNORED and ord(ch) not in self.coverage:
                self.missing.append((self.heading.strip(), ch))


def check_glyphs(html: str, school_id: str) -> None:
    """Raise GlyphError naming school, section and character for the first gaps found."""
    walker = _Walker(font_coverage())
    walker.feed(html)
    if walker.missing:
        seen = list(dict.fromkeys(walker.missing))[:5]
        parts = [f"mục \"{sec}\": ký tự \"{ch}\" (U+{ord(ch):04X}, {unicodedata.name(ch, '?')})"
                 for sec, ch in seen]
        raise GlyphError(f"trường {school_id}: phông chữ {FONT_FAMILY} không có " + "; ".join(parts))
