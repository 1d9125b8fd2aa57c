"""Command line: `kehoach run` and `kehoach check` (messages in Vietnamese)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .batch import RunOptions, run_dataset
from .errors import DataError, KehoachError
from .formatting import fmt_int
from .loading import load_dataset
from .progress import FINE, Progress
from .progress import SHORT_DOC as SHORT
from .worker import STATUS_VI
from .workbook import cli as workbook_cli

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kehoach", description="Sinh kế hoạch của nhà trường từ số liệu.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="chạy notebook cho từng trường và xuất HTML, PDF")
    run.add_argument("--dataset", required=True, help="thư mục bộ dữ liệu, ví dụ params/demo")
    run.add_argument("--schools", nargs="+", help="chỉ chạy các mã trường này")
    run.add_argument("--docs", nargs="+", help="chỉ sinh các loại kế hoạch này")
    run.add_argument("--formats", default="html,pdf", help="html,pdf (mặc định) hoặc html")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="số tiến trình song song")
    run.add_argument("--executor", choices=["local", "dask"], default="local")
    run.add_argument("--scheduler", help="địa chỉ Dask scheduler, ví dụ tls://may-chu:8786")
    run.add_argument("--timeout", type=int, default=300, help="thời gian tối đa mỗi ô (giây)")
    run.add_argument("--force", action="store_true", help="chạy lại cả những trường không thay đổi")
    run.add_argument("--fail-fast", action="store_true", help="dừng ở trường lỗi đầu tiên")
    run.add_argument("--out", default="outputs", help="thư mục kết quả (mặc định outputs)")
    run.add_argument("--block-stale", action="store_true",
                     help="không xuất PDF khi còn mục nhận xét cần xem lại")
    check = sub.add_parser("check", help="kiểm tra dữ liệu đầu vào và đối chiếu số liệu, không chạy notebook")
    check.add_argument("--dataset", required=True)
    check.add_argument("--out", default="outputs", help="nơi ghi kiem_tra_so_lieu.csv/.json")
    com = sub.add_parser("commentary", help="nhận xét của nhà trường")
    com_sub = com.add_subparsers(dest="action", required=True)
    pull = com_sub.add_parser("pull", help="đưa các ô nhận xét đã sửa trong notebook về kho")
    pull.add_argument("paths", nargs="+", help="notebook đã chạy hoặc thư mục chứa chúng")
    pull.add_argument("--dataset", required=True, help="thư mục bộ dữ liệu có kho nhan_xet/")
    pull.add_argument("--by", help="tên người sửa (mặc định: tên đăng nhập)")
    lab = sub.add_parser("lab", help="mở JupyterLab trên các báo cáo đã chạy để sửa nhận xét")
    lab.add_argument("--dataset", required=True)
    lab.add_argument("--out", default="outputs")
    workbook_cli.add_parsers(sub)  # template, import
    return p


def _print_problems(ds) -> None:
    by_school: dict[str, list] = {}
    for p in ds.problems:
        by_school.setdefault(p.school_id or "(không gắn với trường hợp lệ)", []).append(p)
    for sid, probs in sorted(by_school.items()):
        who = "toàn bộ dữ liệu" if sid == "*" else f"trường {sid}"
        print(f"\n{who}: {len(probs)} lỗi")
        for p in probs:
            print(f"  - {p}")


def cmd_check(args) -> int:
    from .audit import audit_dataset
    from .audit_output import location, write_findings

    ds = load_dataset(args.dataset)
    ok = [s for s in ds.school_ids() if not ds.problems_for(s)]
    print(f"Bộ dữ liệu {args.dataset}: {fmt_int(len(ds.school_ids()))} trường, "
          f"{fmt_int(len(ok))} trường hợp lệ, {fmt_int(len(ds.problems))} lỗi dữ liệu đầu vào.")
    _print_problems(ds)
    if ds.config is None:
        return 1
    findings = [f for f in audit_dataset(ds) if f.school_id in ok]
    errors = sum(f.severity == "lỗi" for f in findings)
    base = Path(args.out) / ds.root.resolve().name
    write_findings(findings, base / "kiem_tra_so_lieu.csv", base / "kiem_tra_so_lieu.json")
    print(f"\nKiểm tra số liệu: {fmt_int(len(findings))} phát hiện ({fmt_int(errors)} lỗi).")
    by_school: dict[str, list] = {}
    for f in findings:
        by_school.setdefault(f.school_id, []).append(f)
    for sid in ok:
        mine = by_school.get(sid, [])
        if mine:
            print(f"\ntrường {sid}:")
        for f in mine:
            print(f"  - [{f.code}, {f.severity}] {location(f)} — {f.explanation}")
    print(f"\nĐã ghi {base}/kiem_tra_so_lieu.csv và .json")
    return 0 if not ds.problems and not errors else 1


def cmd_run(args) -> int:
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    if not set(formats) <= {"html", "pdf"} or "html" not in formats:
        print("Lỗi: --formats chỉ nhận html hoặc html,pdf", file=sys.stderr)
        return 2
    opts = RunOptions(formats, max(1, args.jobs), tuple(args.schools or ()) or None,
                      tuple(args.docs or ()) or None, args.force, args.fail_fast, args.timeout,
                      args.executor, args.scheduler, block_stale=args.block_stale)
    progress = Progress()
    try:
        ds, outcomes = run_dataset(args.dataset, Path(args.out), opts, progress)
    finally:
        progress.close()
    failed = [o for o in outcomes if o.status not in FINE]
    skipped = sum(o.status == "skipped" for o in outcomes)
    where = Path(args.out) / ds.root.resolve().name
    print(f"\nTổng kết: {fmt_int(len(outcomes))} báo cáo, {fmt_int(len(outcomes) - len(failed))} thành công"
          f"{f' ({fmt_int(skipped)} không thay đổi nên bỏ qua)' if skipped else ''}, "
          f"{fmt_int(len(failed))} lỗi. "
          f"Kết quả ở {where}/ (danh sách: index.html của từng năm học)")
    if failed:
        print("\nCác trường lỗi (chi tiết và notebook lỗi ở <năm học>/_loi/<mã trường>/):")
    for o in failed:
        print(f"\n✗ {o.school_id}, {SHORT.get(o.doc_kind, o.doc_kind)} ({STATUS_VI[o.status]}):")
        for line in o.message.splitlines():
            print(f"    {line}")
    stale = [o for o in outcomes if o.stale]
    if stale:
        print("\nMục nhận xét cần xem lại (số liệu đã thay đổi từ khi viết):")
    for o in stale:
        print(f"  {o.school_id}: {', '.join(o.stale)}")
    return 1 if failed else 0


def cmd_commentary(args) -> int:
    from .pull import pull

    result = pull(args.paths, Path(args.dataset), args.by)
    print(f"Đã cập nhật {len(result.updated)} mục nhận xét, {result.unchanged} mục không đổi, "
          f"{len(result.conflicts)} xung đột.")
    for key in result.updated:
        print(f"  ✓ {key}")
    for path in result.conflicts:
        print(f"  ✗ xung đột — hãy gộp hai bản trong {path}")
    return 1 if result.conflicts else 0


def cmd_lab(args) -> int:
    import subprocess

    folder = Path(args.out) / Path(args.dataset).resolve().name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Mở JupyterLab trên {folder}. Sửa các ô nhận xét, lưu (Ctrl+S), rồi chạy:\n"
          f"  kehoach commentary pull {folder} --dataset {args.dataset}")
    return subprocess.call([sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}",
                            "--no-browser"])


COMMANDS = {"check": cmd_check, "run": cmd_run, "commentary": cmd_commentary, "lab": cmd_lab,
            **workbook_cli.COMMANDS}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except DataError as exc:
        print("Lỗi dữ liệu:\n" + str(exc), file=sys.stderr)
        return 2
    except KehoachError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
