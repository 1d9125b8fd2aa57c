"""Decode a CSV file's bytes: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern) and,
on request, CP1258 (Windows-1258). Anything else gets a Vietnamese explanation of what the
file seems to be and how to convert it; never a traceback."""

from __future__ import annotations

import codecs
import unicodedata

ENCODINGS = ("utf-8", "cp1258")
CONVERT = ("cách chuyển: mở tệp bằng Excel, chọn Tệp → Lưu dưới dạng → \"CSV UTF-8 (phân cách "
           "bằng dấu phẩy)\"; hoặc khai báo csv_encoding: cp1258 trong dataset.yaml nếu tệp là CP1258")
# CP1258 writes tones as combining marks after the vowel: grave, hook, tilde, acute, dot below
CP1258_TONES = frozenset(b"\xcc\xd2\xde\xec\xf2")
CP1258_VOWELS = frozenset(b"aeiouyAEIOUY\xc2\xe2\xc3\xe3\xca\xea\xd4\xf4\xd5\xf5\xdd\xfd")
# TCVN3 (ABC) puts ă â ê ô ơ ư đ and many toned letters where CP1258 has rare symbols
TCVN3_BYTES = frozenset(range(0xA1, 0xAF)) | frozenset(range(0xB5, 0xC0))


class DecodeError(ValueError):
    """Carries the Vietnamese explanation."""


def decode_text(data: bytes, encoding: str = "utf-8") -> str:
    """The text of a CSV file; DecodeError says why it cannot be read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", "UTF-16")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, "UTF-16")
    if b"\0" in data[:65536] or _binary(data[:65536]):
        raise DecodeError("tệp không phải văn bản CSV (có byte nhị phân); có thể đây là tệp Excel "
                          "hoặc tệp khác bị đổi đuôi thành .csv — hãy lưu lại dạng CSV UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if encoding == "cp1258":
            return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
        raise DecodeError(f"tệp không phải UTF-8 (byte {exc.start + 1} không đọc được); "
                          f"có vẻ là mã hóa {guess_legacy(data)}. {CONVERT}") from None


def _strict(data: bytes, codec: str, label: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise DecodeError(f"tệp {label} bị hỏng (không đọc được); {CONVERT}") from None


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte of an ASCII-heavy text is NUL."""
    head = data[:4096]
    if len(head) < 4:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) > 0.5 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.5 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))


def _binary(head: bytes) -> bool:
    controls = len(head) - len(head.translate(None, _CONTROLS))  # control bytes, counted in C
    return controls > max(2, len(head) // 100)


def guess_legacy(data: bytes) -> str:
    """Which older encoding a non-UTF-8 Vietnamese text most likely uses."""
    cp = sum(1 for a, b in zip(data, data[1:]) if b in CP1258_TONES and a in CP1258_VOWELS)
    tcvn = sum(b in TCVN3_BYTES for b in data)
    if tcvn > cp:
        return "TCVN3 (ABC, phông .VnTime)"
    if cp:
        return "CP1258 (Windows-1258)"
    return "khác UTF-8 (có thể Windows-1252 hoặc một mã hóa cũ)"
