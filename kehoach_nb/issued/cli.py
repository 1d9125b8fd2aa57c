"""`kehoach archive`: issue (ban hành), verify, diff, reproduce, bundle. Messages in Vietnamese."""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError
from .store import ArchiveError

ARCHIVE = "luu_tru"
CURRENT = "hien_tai"


def add_parsers(sub) -> None:
    """Register `kehoach archive …` on the main parser's subcommands."""
    p = sub.add_parser("archive", help="lưu trữ văn bản đã ban hành: lưu, kiểm tra, so sánh, tái tạo, đóng gói",
                       description="Lưu trữ văn bản đã ban hành (mỗi phiên bản một thư mục chỉ đọc trong luu_tru/).")
    act = p.add_subparsers(dest="action", required=True, metavar="VIỆC")
    issue = act.add_parser("issue", help="ban hành: lưu một bản không sửa được của văn bản ban hành hiện tại")
    _dataset_args(issue)
    issue.add_argument("--schools", nargs="+", help="chỉ các mã trường này (mặc định: mọi trường)")
    issue.add_argument("--docs", nargs="+", help="chỉ các loại kế hoạch này")
    issue.add_argument("--by", help="người ban hành (mặc định: tên đăng nhập)")
    verify = act.add_parser("verify", help="tính lại mã SHA-256 mọi tệp đã lưu và đối chiếu với manifest")
    verify.add_argument("path", nargs="?", default=ARCHIVE, help="thư mục lưu trữ hoặc một phiên bản (mặc định luu_tru)")
    diff = act.add_parser("diff", help="so sánh hai phiên bản (mặc định: bản ban hành cuối với kết quả hiện tại)")
    diff.add_argument("school", help="mã trường")
    diff.add_argument("doc", help="loại kế hoạch, ví dụ ke_hoach_phat_trien_giao_duc")
    diff.add_argument("a", nargs="?", help="phiên bản cũ: tên thư mục hoặc phần đầu mã băm (mặc định: bản cuối)")
    diff.add_argument("b", nargs="?", help=f"phiên bản mới (mặc định: {CURRENT}, tức kết quả hiện tại)")
    _dataset_args(diff)
    diff.add_argument("--html", help="nơi ghi trang so sánh HTML (mặc định: <doc>.so_sanh.html cạnh kết quả)")
    rep = act.add_parser("reproduce", help="chạy lại một phiên bản từ dữ liệu đã lưu và so sánh nội dung")
    rep.add_argument("version", help="thư mục phiên bản, ví dụ luu_tru/demo/TH01/<loại>/2025-01-01_abcdef123456")
    bun = act.add_parser("bundle", help="đóng gói (zip) các văn bản đã ban hành kèm manifest để gửi")
    _dataset_args(bun)
    bun.add_argument("--schools", nargs="+", help="chỉ các mã trường này")
    bun.add_argument("--dest", default="ban_gui", help="thư mục ghi tệp zip (mặc định ban_gui)")
    bun.add_argument("--together", action="store_true", help="một tệp zip chung thay vì mỗi trường một tệp")


def _dataset_args(p) -> None:
    p.add_argument("--dataset", required=True, help="thư mục bộ dữ liệu, ví dụ params/demo")
    p.add_argument("--out", default="outputs", help="thư mục kết quả (mặc định outputs)")
    p.add_argument("--archive", default=ARCHIVE, help="thư mục lưu trữ (mặc định luu_tru)")


def _load(dataset: str):
    from ..loading import load_dataset

    ds = load_dataset(dataset)
    if ds.config is None:
        raise DataError(ds.problems)
    return ds


def cmd_issue(args) -> int:
    from ..loading import school_documents
    from .store import issue

    ds = _load(args.dataset)
    failed, known = 0, set(ds.school_ids())
    for school in args.schools or sorted(known):
        docs = args.docs or (sorted(school_documents(ds, school)) if school in known else [])
        if not docs:
            print(f"✗ {school}: không có văn bản nào của trường này trong bộ dữ liệu")
            failed += 1
        for doc in docs:
            try:
                v, created = issue(ds, Path(args.out), Path(args.archive), school, doc, args.by)
            except ArchiveError as exc:
                print(f"✗ {school}, {doc}: {exc}")
                failed += 1
                continue
            how = "đã lưu phiên bản mới" if created else "nội dung này đã được lưu trước đó, không tạo bản mới"
            print(f"✓ {school}, {doc} (số {v.manifest.get('number')}): {how}: {v.path}")
    return 1 if failed else 0


def cmd_verify(args) -> int:
    from .store import verify

    path = Path(args.path)
    if not path.exists():
        raise ArchiveError(f"không tìm thấy {path}")
    results = verify(path)
    bad = {p: probs for p, probs in results.items() if probs}
    for folder, probs in bad.items():
        print(f"✗ {folder}:")
        for line in probs:
            print(f"    - {line}")
    print(f"Đã kiểm tra {len(results)} phiên bản: {len(results) - len(bad)} nguyên vẹn, {len(bad)} có sai khác.")
    return 1 if bad else 0


def _resolve(archive_root: Path, dataset: str, school: str, doc: str, spec: str | None):
    from .store import versions

    found = versions(archive_root, dataset, school, doc)
    if not found:
        raise ArchiveError(f"trường {school} chưa có bản ban hành nào của {doc} trong {archive_root}")
    if spec is None:
        return found[-1]
    hits = [v for v in found if v.name.startswith(spec) or v.name.split("_")[1].startswith(spec)
            or Path(spec).resolve() == v.path.resolve()]
    if len(hits) != 1:
        names = ", ".join(v.name for v in found)
        raise ArchiveError(f"không xác định được phiên bản \"{spec}\" (có: {names})")
    return hits[0]


def cmd_diff(args) -> int:
    from ..archive import atomic_write
    from ..run.batch import output_dir
    from ..loading import document_year
    from .diff import DIFF_PAGE, as_html, as_text, compare, from_outputs, from_version

    ds = _load(args.dataset)
    name, root = ds.root.resolve().name, Path(args.archive)
    sides = []
    for spec, default in ((args.a, None), (args.b, CURRENT)):
        spec = spec or default
        sides.append(from_outputs(ds, Path(args.out), args.school, args.doc) if spec == CURRENT
                     else from_version(_resolve(root, name, args.school, args.doc, spec)))
    changes = compare(*sides)
    print(as_text(*sides, changes))
    page = Path(args.html) if args.html else None
    if page is None and (args.b or CURRENT) == CURRENT:
        year = document_year(ds, args.school, args.doc)
        page = output_dir(Path(args.out), ds, year, args.school) / DIFF_PAGE.format(doc=args.doc)
    if page:
        title = f"So sánh kế hoạch của trường {args.school}"
        atomic_write(page, as_html(*sides, changes, title).encode("utf-8"))
        print(f"\nTrang so sánh: {page}")
    return 0


def cmd_reproduce(args) -> int:
    from .diff import Side, as_text
    from .replay import load_version, reproduce

    version = load_version(Path(args.version))
    print(f"Chạy lại {version.path} từ dữ liệu đã lưu, trong một kernel mới…")
    result = reproduce(version)
    if result.environment:
        print("Môi trường khác với lần ban hành:\n" + "\n".join(f"  - {e}" for e in result.environment))
    if result.status != "ok":
        print(f"✗ Không chạy lại được: {result.message}")
        return 1
    if result.identical:
        print("✓ Nội dung văn bản giống hệt bản đã ban hành.")
        return 0
    print("✗ Nội dung văn bản khác bản đã ban hành:")
    empty = Side("bản đã ban hành", [], {}, {}, {})
    print(as_text(empty, Side("bản chạy lại", [], {}, {}, {}), result.changes))
    return 1


def cmd_bundle(args) -> int:
    from .replay import bundle

    ds = _load(args.dataset)
    written = bundle(Path(args.archive), ds.root.resolve().name, Path(args.dest), args.schools,
                     args.together)
    for path in written:
        print(f"✓ {path}")
    return 0


ACTIONS = {"issue": cmd_issue, "verify": cmd_verify, "diff": cmd_diff, "reproduce": cmd_reproduce,
           "bundle": cmd_bundle}


def cmd_archive(args) -> int:
    """ArchiveError (a KehoachError) reaches the main CLI: message in Vietnamese, exit 2."""
    return ACTIONS[args.action](args)


COMMANDS = {"archive": cmd_archive}
