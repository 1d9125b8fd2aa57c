"""Regenerate the README page images from `make demo`'s outputs (run after `make demo`):
`.venv/bin/python docs/make_images.py`. PDF pages through pdftoppm, Word through LibreOffice."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pypdf

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "outputs" / "demo" / "2026"
IMAGES = ROOT / "docs" / "images"

# image name -> (report, page: a number, or the first page whose text contains a string)
PAGES = {
    "phat_trien_giao_duc_trang1": ("TH01/ke_hoach_phat_trien_giao_duc.pdf", 1),
    "phat_trien_giao_duc_trang2": ("TH01/ke_hoach_phat_trien_giao_duc.pdf", 2),
    "phat_trien_giao_duc_thcs_trang1": ("THCS01/ke_hoach_phat_trien_giao_duc.pdf", 1),
    "cai_tien_chat_luong_trang1": ("TH02/ke_hoach_cai_tien_chat_luong.pdf", 1),
    "cai_tien_chat_luong_bang_tieu_chi": ("TH02/ke_hoach_cai_tien_chat_luong.pdf", "KẾ HOẠCH CẢI TIẾN"),
    "truong_chuan_trang1": ("TH01/ke_hoach_xay_dung_truong_chuan.pdf", 1),
    "giai_phap_trang1": ("TH01/ke_hoach_giai_phap_nang_cao_chat_luong.pdf", 1),
    "tong_hop_trang2": ("_tong_hop/bao_cao_tong_hop.pdf", 2),
}


def page_number(pdf: Path, page) -> int:
    if isinstance(page, int):
        return page
    pages = pypdf.PdfReader(pdf).pages
    return next(n for n, p in enumerate(pages, 1) if page in " ".join(p.extract_text().split()))


def snap(pdf: Path, page: int, name: str) -> None:
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-scale-to", "702", "-f", str(page), "-l", str(page),
                    str(pdf), str(IMAGES / name)], check=True)


def main() -> None:
    for name, (report, page) in PAGES.items():
        pdf = OUT / report
        snap(pdf, page_number(pdf, page), name)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp,
                        str(OUT / "TH01" / "ke_hoach_phat_trien_giao_duc.docx")], check=True,
                       capture_output=True)
        snap(Path(tmp) / "ke_hoach_phat_trien_giao_duc.pdf", 1, "word_trang1")


if __name__ == "__main__":
    main()
