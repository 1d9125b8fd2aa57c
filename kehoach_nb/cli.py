"""Command line: `kehoach run`, `check`, `commentary pull`, `lab` (messages in Vietnamese)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from .run.batch import RunOptions, run_dataset
from .errors import DataError, KehoachError
from .formatting import fmt_int
from .limits import DEFAULT as DEFAULT_LIMITS
from .issued import cli as issued_cli
from .loading import load_dataset
from .paths import UnsafePath, check_name
from .run.progress import SHORT_DOC as SHORT
from .run.progress import Progress
from .run.run_guard import STOP_MESSAGES, Interrupted, StopSignals, exit_code
from .status import Status, is_good, label
from .workbook import cli as workbook_cli

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kehoach", description="Sinh kế hoạch của nhà trường từ số liệu.")
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="chạy notebook cho từng trường và xuất HTML, PDF, Word")
    run.add_argument("--dataset", required=True, help="thư mục bộ dữ liệu, ví dụ params/demo")
    run.add_argument("--schools", nargs="+", help="chỉ chạy các mã trường này")
    run.add_argument("--docs", nargs="+", help="chỉ sinh các loại kế hoạch này")
    run.add_argument("--formats", default="html,pdf,docx",
                     help="các định dạng, cách nhau bởi dấu phẩy: html,pdf,docx (mặc định cả ba); luôn có html")
    run.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="số tiến trình song song")
    run.add_argument("--executor", choices=["local", "dask"], default="local")
    run.add_argument("--scheduler", help="địa chỉ Dask scheduler, ví dụ tls://may-chu:8786")
    run.add_argument("--timeout", type=int, default=300, help="thời gian tối đa mỗi ô (giây)")
    run.add_argument("--force", action="store_true", help="chạy lại cả những trường không thay đổi")
    run.add_argument("--fail-fast", action="store_true", help="dừng ở trường lỗi đầu tiên")
    run.add_argument("--out", default="outputs", help="thư mục kết quả (mặc định outputs)")
    run.add_argument("--state", choices=["du_thao", "ban_hanh"],
                     help="dự thảo hoặc ban hành cho mọi văn bản (mặc định theo cột state của document_meta)")
    run.add_argument("--block-stale", action="store_true",
                     help="không xuất PDF khi còn mục nhận xét cần xem lại")
    run.add_argument("--rollup", action="store_true",
                     help="sau các trường, lập báo cáo tổng hợp cho cơ quan nhận kế hoạch "
                          "(HTML, PDF, Word, Excel; chỉ lập lại khi số liệu một trường thay đổi)")
    roll = sub.add_parser("rollup", help="chỉ lập báo cáo tổng hợp từ kết quả đã chạy của các trường")
    roll.add_argument("--dataset", required=True)
    roll.add_argument("--out", default="outputs", help="thư mục kết quả (mặc định outputs)")
    roll.add_argument("--formats", default="html,pdf,docx",
                      help="định dạng các trường đã được chạy (để nhận đúng lần chạy)")
    roll.add_argument("--state", choices=["du_thao", "ban_hanh"], help="như --state của kehoach run")
    roll.add_argument("--force", action="store_true", help="lập lại dù số liệu không thay đổi")
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
    issued_cli.add_parsers(sub)  # kehoach archive … (issue 17)
    workbook_cli.add_parsers(sub)  # template, import
    return p


def _print_problems(ds, limit: int, full_list: Path) -> None:
    """Problems by school; past `limit`, a count and the file holding them all."""
    by_school: dict[str, list] = {}
    for p in ds.problems:
        by_school.setdefault(p.school_id or "(không gắn với trường hợp lệ)", []).append(p)
    left = limit
    for sid, probs in sorted(by_school.items()):
        who = "toàn bộ dữ liệu" if sid == "*" else f"trường {sid}"
        if left > 0:
            print(f"\n{who}: {len(probs)} lỗi")
        for p in probs[:max(left, 0)]:
            print(f"  - {p}")
        left -= len(probs)
    if left < 0:
        print(f"\n… và {fmt_int(-left)} lỗi khác (chỉ in {fmt_int(limit)} lỗi đầu, đổi bằng limits: "
              f"max_printed_errors trong dataset.yaml); danh sách đầy đủ: {full_list}")


def _write_problem_list(ds, path: Path) -> None:
    from .archive import atomic_write

    atomic_write(path, "".join(f"{p.school_id or '-'}\t{p}\n" for p in ds.problems).encode("utf-8"))


def cmd_check(args) -> int:
    from .audit import audit_dataset
    from .audit.output import location, write_findings

    ds = load_dataset(args.dataset)
    ok = [s for s in ds.school_ids() if not ds.problems_for(s)]
    base = Path(args.out) / ds.root.resolve().name
    limits = ds.config.limits if ds.config else DEFAULT_LIMITS
    if len(ds.problems) > limits.max_printed_errors:
        _write_problem_list(ds, base / "loi_du_lieu.txt")
    print(f"Bộ dữ liệu {args.dataset}: {fmt_int(len(ds.school_ids()))} trường, "
          f"{fmt_int(len(ok))} trường hợp lệ, {fmt_int(len(ds.problems))} lỗi dữ liệu đầu vào.")
    _print_problems(ds, limits.max_printed_errors, base / "loi_du_lieu.txt")
    if ds.config is None:
        return 1
    findings = [f for f in audit_dataset(ds) if f.school_id in ok]
    errors = sum(f.severity == "lỗi" for f in findings)
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


def _run_option_error(args) -> str | None:
    """What is wrong with the options of `kehoach run`, in Vietnamese, or None."""
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats <= {"html", "pdf", "docx"} or "html" not in formats:
        return "--formats nhận html, pdf, docx (cách nhau bởi dấu phẩy) và phải có html"
    if args.timeout <= 0:
        return f"--timeout phải là số giây lớn hơn 0 (đang là {args.timeout})"
    if args.jobs < 1:
        return f"--jobs phải từ 1 trở lên (đang là {args.jobs})"
    if args.scheduler and args.executor != "dask":
        return "--scheduler chỉ dùng cùng --executor dask"
    try:
        for sid in args.schools or ():
            check_name("school_id", sid)
        for doc in args.docs or ():
            check_name("doc_kind", doc)
    except UnsafePath as exc:
        return f"{'--docs' if 'loại' in str(exc) else '--schools'}: {exc}"
    return None


def cmd_run(args, stop: StopSignals | None = None) -> int:
    problem = _run_option_error(args)
    if problem:
        print(f"Lỗi: {problem}", file=sys.stderr)
        return 2
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    opts = RunOptions(formats, max(1, args.jobs), tuple(args.schools or ()) or None,
                      tuple(args.docs or ()) or None, args.force, args.fail_fast, args.timeout,
                      args.executor, args.scheduler, block_stale=args.block_stale, state=args.state,
                      rollup=args.rollup)
    progress = Progress()
    try:
        result = run_dataset(args.dataset, Path(args.out), opts, progress, stop)
    finally:
        progress.close()
    failed = _print_summary(result, Path(args.out) / result.ds.root.resolve().name)
    if opts.rollup and not result.signum:
        print(rollup_line(result.ds, Path(args.out)))
    if result.signum:
        print(f"\n{STOP_MESSAGES[result.signum]} Các báo cáo đã xong được giữ và ghi vào sổ; "
              "chạy lại cùng lệnh để làm tiếp phần còn thiếu.", file=sys.stderr)
        return exit_code(result.signum)
    return 1 if failed or result.unfinished else 0


def _print_summary(result, where: Path) -> int:
    """The end-of-run summary; returns the number of failed reports."""
    outcomes = result.outcomes
    failed = [o for o in outcomes if not is_good(o.status)]
    skipped = sum(o.status == Status.SKIPPED for o in outcomes)
    unfinished = f", {fmt_int(result.unfinished)} chưa chạy" if result.unfinished else ""
    print(f"\nTổng kết: {fmt_int(len(outcomes))} báo cáo, {fmt_int(len(outcomes) - len(failed))} thành công"
          f"{f' ({fmt_int(skipped)} không thay đổi nên bỏ qua)' if skipped else ''}, "
          f"{fmt_int(len(failed))} lỗi{unfinished}. "
          f"Kết quả ở {where}/ (danh sách: index.html của từng năm học)")
    if failed:
        print("\nCác trường lỗi (chi tiết và notebook lỗi ở <năm học>/_loi/<mã trường>/):")
    for o in failed:
        print(f"\n✗ {o.school_id}, {SHORT.get(o.doc_kind, o.doc_kind)} ({label(o.status)}):")
        for line in o.message.splitlines():
            print(f"    {line}")
    stale = [o for o in outcomes if o.stale]
    if stale:
        print("\nMục nhận xét cần xem lại (số liệu đã thay đổi từ khi viết):")
    for o in stale:
        print(f"  {o.school_id}: {', '.join(o.stale)}")
    for notice in result.notices:
        print(f"\nLưu ý: {notice}", file=sys.stderr)
    return len(failed)


def cmd_commentary(args) -> int:
    from .pull import pull

    if not (Path(args.dataset) / "dataset.yaml").is_file():
        print(f"Lỗi: {args.dataset} không phải thư mục bộ dữ liệu (không có dataset.yaml)", file=sys.stderr)
        return 2
    result = pull(args.paths, Path(args.dataset), args.by)
    print(f"Đã cập nhật {len(result.updated)} mục nhận xét, {result.unchanged} mục không đổi, "
          f"{len(result.conflicts)} xung đột, {len(result.problems)} lỗi.")
    for key in result.updated:
        print(f"  ✓ {key}")
    for path in result.conflicts:
        print(f"  ✗ xung đột — hãy gộp hai bản trong {path}")
    for line in result.problems:
        print(f"  ✗ {line}")
    return 1 if result.conflicts or result.problems else 0


def cmd_lab(args) -> int:
    import subprocess

    folder = Path(args.out) / Path(args.dataset).resolve().name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Mở JupyterLab trên {folder}. Sửa các ô nhận xét, lưu (Ctrl+S), rồi chạy:\n"
          f"  kehoach commentary pull {folder} --dataset {args.dataset}")
    command = [sys.executable, "-m", "jupyter", "lab", f"--notebook-dir={folder}", "--no-browser"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        print("Đang chạy với quyền root (thường gặp trong container) nên thêm --allow-root cho JupyterLab.")
        command.append("--allow-root")
    return subprocess.call(command)


def cmd_rollup(args) -> int:
    """The roll-up alone, from the schools' reports already in the output folder."""
    from .index_page import write_index
    from .rollup.run import write_rollups
    from .run.run_guard import output_lock

    ds = load_dataset(args.dataset)
    if ds.config is None:
        raise DataError(ds.problems)
    out = Path(args.out)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    opts = RunOptions(formats, state=args.state, force=args.force, rollup=True)
    with output_lock(out / ds.root.resolve().name):
        notices = write_rollups(ds, out, opts) + write_index(ds, out)
    for notice in notices:
        print(f"Lưu ý: {notice}", file=sys.stderr)
    print(rollup_line(ds, out))
    return 1 if notices else 0


def rollup_line(ds, out: Path) -> str:
    """Where the roll-ups are: the dataset's, and each commune's when there are several."""
    from .rollup.run import FOLDER
    from .rollup.scope import folders

    where = f"{out / ds.root.resolve().name}/<năm học>/{FOLDER}/"
    per = folders(ds)
    return f"Báo cáo tổng hợp: {where}" + (f" (và của từng xã, phường: {where}<xã>/, {len(per)} nơi)"
                                           if per else "")


COMMANDS = {"check": cmd_check, "rollup": cmd_rollup, "run": cmd_run, "commentary": cmd_commentary, "lab": cmd_lab,
            **issued_cli.COMMANDS, **workbook_cli.COMMANDS}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    stop = StopSignals()
    if args.command != "lab":  # JupyterLab handles its own Ctrl-C (it asks to confirm)
        stop.install()
    try:
        if args.command == "run":
            return cmd_run(args, stop)
        return COMMANDS[args.command](args)
    except Interrupted as exc:  # before or after the batch loop: nothing half-written
        print(f"\n{STOP_MESSAGES[exc.signum]}", file=sys.stderr)
        return exit_code(exc.signum)
    except KeyboardInterrupt:
        print(f"\n{STOP_MESSAGES[signal.SIGINT]}", file=sys.stderr)
        return exit_code(signal.SIGINT)
    except DataError as exc:
        print("Lỗi dữ liệu:\n" + str(exc), file=sys.stderr)
        return 2
    except KehoachError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        stop.uninstall()


if __name__ == "__main__":
    sys.exit(main())
