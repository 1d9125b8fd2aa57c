"""`kehoach template` and `kehoach import`; kehoach_nb.cli adds these with add_parsers/COMMANDS."""

from __future__ import annotations

import re
from pathlib import Path

from ..formatting import fmt_int
from ..schema import SCHOOL_ID_PATTERN, SCENARIOS
from .importers import SOURCES


def add_parsers(sub) -> None:
    tpl = sub.add_parser("template", help="tạo sổ Excel nhập số liệu cho từng trường (có danh sách chọn, hướng dẫn)")
    tpl.add_argument("--dataset", required=True, help="thư mục bộ dữ liệu, ví dụ params/demo")
    tpl.add_argument("--school", help="chỉ tạo sổ của trường này (trường mới: sổ trống)")
    tpl.add_argument("--next-year", action="store_true",
                     help="chép các dòng kế hoạch của năm học hiện tại sang năm học sau làm điểm xuất phát")
    tpl.add_argument("--out", help="tệp .xlsx (một trường) hoặc thư mục; mặc định outputs/<bộ dữ liệu>/so_nhap_lieu/")
    imp = sub.add_parser("import", help="nhập số liệu từ tệp xuất của CSDL ngành hoặc vnEdu (xem trước, ghi khi có --write)")
    imp.add_argument("--dataset", required=True)
    imp.add_argument("--source", required=True, choices=SOURCES, help="csdl: danh sách học sinh; vnedu: sổ điểm tổng kết khối")
    imp.add_argument("files", nargs="+", help="các tệp .xlsx hoặc .xls xuất từ phần mềm")
    imp.add_argument("--school", required=True, help="mã trường của các tệp")
    imp.add_argument("--year", type=int, help="năm học (năm bắt đầu); mặc định: năm trong tiêu đề tệp hoặc dataset.yaml")
    imp.add_argument("--scenario", default="actual", choices=SCENARIOS, help="loại số liệu (mặc định actual)")
    imp.add_argument("--write", action="store_true", help="ghi vào bộ dữ liệu (mặc định chỉ xem trước)")


def cmd_template(args) -> int:
    from ..loading import load_dataset
    from .prefill import write_templates

    ds = load_dataset(args.dataset)
    known = ds.school_ids()
    schools = [args.school] if args.school else known
    if args.school and not re.fullmatch(SCHOOL_ID_PATTERN, args.school):
        print(f"Lỗi: mã trường \"{args.school}\" không hợp lệ (chữ, số, \"-\", \"_\")")
        return 2
    if args.school and args.school not in known:
        print(f"Trường {args.school} chưa có trong {args.dataset}: tạo sổ trống.")
    if not schools:
        print(f"Lỗi: {args.dataset} chưa có trường nào; dùng --school MÃ_TRƯỜNG để tạo sổ trống.")
        return 2
    if ds.problems:
        print(f"Lưu ý: bộ dữ liệu có {fmt_int(len(ds.problems))} lỗi (xem kehoach check); "
              "các dòng lỗi không được điền sẵn.")
    default = Path("outputs") / ds.root.resolve().name / "so_nhap_lieu"
    out = Path(args.out) if args.out else default
    for path in write_templates(ds, schools, args.next_year, out):
        print(f"  ✓ {path}")
    print(f"Đã tạo {fmt_int(len(schools))} sổ. Trường điền xong, gửi lại; đặt sổ vào "
          f"{Path(args.dataset) / 'truong'}/<mã trường>.xlsx rồi chạy kehoach check.")
    return 0


def cmd_import(args) -> int:
    from ..loading import load_dataset
    from .import_run import collect, preview, write

    ds = load_dataset(args.dataset)
    # a pupil list is this year's; a year-end summary is last year's (a vnEdu title's year wins)
    fallback = ds.config.school_year - (args.source == "vnedu") if ds.config else None
    year = args.year or fallback
    counts = collect(args.source, [Path(f) for f in args.files], args.school, year, args.scenario)
    for line in preview(counts):
        print(line)
    if counts.problems:
        print(f"\n{fmt_int(len(counts.problems))} vấn đề:")
        for p in counts.problems:
            print(f"  - {p}")
    if not any(counts.rows.values()):
        print("\nKhông có số liệu nào để nhập.")
        return 1
    if args.school not in ds.school_ids():
        print(f"\nLưu ý: trường {args.school} chưa có trong bảng school của {args.dataset}.")
    if (Path(args.dataset) / "truong" / f"{args.school}.xlsx").exists():
        print(f"Lưu ý: trường {args.school} có sổ truong/{args.school}.xlsx; trang tính cùng bảng trong sổ "
              "được dùng thay cho các dòng trong tệp CSV — chép số liệu vào sổ hoặc xóa trang tính đó.")
    if not args.write:
        print("\nChưa ghi gì (xem trước). Thêm --write để ghi vào bộ dữ liệu.")
        return 0
    for path in write(Path(args.dataset), counts):
        print(f"  ✓ đã ghi {path}")
    return 0


COMMANDS = {"template": cmd_template, "import": cmd_import}
