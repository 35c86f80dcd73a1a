"""Command line: python -m pipeline <verb> … (help in Vietnamese and English).

Exit codes: 0 done; 1 the data has errors (listed, with file:line); 2 wrong command usage;
3 an internal failure; 4 the output cannot be written (read-only, no permission, disk full).
Bad input never produces a Python traceback; an internal failure prints one short line and
the traceback only with KIEMDIEM_DEBUG=1. Usage mistakes are explained in Vietnamese (argparse's
English after « / »).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from . import forms
from . import problems as P
from .fs import CANNOT_WRITE_EXIT, cannot_write
from .paths import DATA, OUTPUT

PERIODS = {"nam": "nam", "Q1": "Q1", "Q2": "Q2", "Q3": "Q3"}


def _unit_folder(unit: str) -> Path:
    """A bare name is a folder under data/; anything with a slash is a path."""
    return Path(unit) if "/" in unit else DATA / unit


def _inside(path: Path, folder: Path) -> bool:
    """path is folder or below it, once `..` and symbolic links are resolved."""
    p, f = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return p == f or f in p.parents


def _output_refused(out_root: Path, given: str | None, folders: list[tuple[Path, str, str]],
                    unit_names: tuple[str, ...] = ()) -> str | None:
    """Why an output root cannot be used, or None. folders: (folder, what it is, in English) the documents
    must stay out of – a build that writes into its data reads its own outputs next time.
    unit_names: the documents go to <output>/<unit>/, which must stay out of them too."""
    shown = given if given is not None else str(out_root)
    for folder, what, english in folders:
        for target in (out_root, *(out_root / n for n in unit_names if n)):
            if _inside(target, folder):
                at = f" (tài liệu sẽ ở {target})" if target != out_root else ""
                return (f"LỖI --output «{shown}»: thư mục kết quả nằm trong {what} «{folder}»{at}: lần dựng sau "
                        "sẽ đọc tài liệu đã dựng như dữ liệu – hãy chọn thư mục kết quả ở ngoài, ví dụ output/ / "
                        f"the output folder is inside {english}; choose one outside it")
    return None


def _period(value: str) -> str:
    v = value.strip().upper().replace("QUY", "Q").replace("QUÝ", "Q")
    if v in ("NAM", "NĂM", "YEAR", ""):
        return "nam"
    if v == "Q4":
        raise argparse.ArgumentTypeError(
            "quý IV không đánh giá riêng: kết quả quý IV gộp vào đánh giá cả năm (dùng --period nam) / "
            "quarter IV is folded into the year")
    if v in ("Q1", "Q2", "Q3"):
        return v
    raise argparse.ArgumentTypeError(f"kỳ «{value}» không hợp lệ; dùng nam, Q1, Q2 hoặc Q3 / use nam, Q1, Q2 or Q3")


def _print_problems(problems: list[P.Problem], stream=None) -> None:
    stream = stream or sys.stderr
    for p in P.ordered(problems):
        print(str(p), file=stream)


def cmd_validate(args) -> int:
    from .validate import load_unit

    unit, problems = load_unit(_unit_folder(args.unit))
    if unit is not None:
        try:
            from .rating import rate
            problems = problems + rate(unit, args.period).problems if not P.has_errors(problems) else problems
        except ImportError:
            pass
    _print_problems(problems, sys.stdout)
    n_err = sum(p.is_error for p in problems)
    print(f"{'✗' if n_err else '✓'} {args.unit}: {n_err} lỗi, {len(problems) - n_err} cảnh báo")
    return 1 if n_err else 0


def cmd_rate(args) -> int:
    from .rating import as_json, as_text, rate
    from .validate import load_unit

    unit, problems = load_unit(_unit_folder(args.unit))
    if unit is None or P.has_errors(problems):
        _print_problems(problems)
        print(f"✗ {args.unit}: dữ liệu có lỗi, chưa xếp loại được / the data has errors", file=sys.stderr)
        return 1
    result = rate(unit, args.period)
    if args.json:
        print(json.dumps(as_json(result, unit), ensure_ascii=False, indent=2))
    else:
        print(as_text(result, unit))
        _print_problems(problems + result.problems)
    return 1 if P.has_errors(result.problems) else 0


def cmd_dossier(args) -> int:
    from .build import build

    folder = _unit_folder(args.unit)
    out_root = Path(args.output) if args.output else OUTPUT
    why = _output_refused(out_root, args.output, [(folder, "thư mục dữ liệu của đơn vị", "the unit's data folder"),
                                                       (DATA, "thư mục dữ liệu", "the data folder")],
                          (folder.name, Path(os.path.realpath(folder)).name))
    if why:
        print(why, file=sys.stderr)
        return 2
    result = build(folder, args.period, out_root, strict=args.strict)
    for line in P.summary(result.problems, str(result.report) if result.report else None):
        print(line, file=sys.stderr)
    if not result.ok:
        where = f" (báo cáo: {result.report})" if result.report else ""
        print(f"✗ {args.unit}: dữ liệu có lỗi, không dựng tài liệu{where} / data errors, nothing built", file=sys.stderr)
        return 1
    pages = sum(o.pages or 0 for o in result.outputs)
    print(f"✓ {args.unit}: {len(result.outputs)} tệp, {pages} trang PDF → {result.folder}")
    return 0


def cmd_year(args) -> int:
    from rich.console import Console

    from . import year as Y

    try:
        shard = Y.parse_shard(args.shard) if args.shard else None
    except ValueError as exc:
        print(f"LỖI --shard {exc}", file=sys.stderr)
        return 2
    data = Path(args.data) if args.data else DATA
    out_root = Path(args.output) if args.output else OUTPUT
    why = _output_refused(out_root, args.output, [(data, "thư mục dữ liệu", "the data folder")])
    if why:
        print(why, file=sys.stderr)
        return 2
    console = Console(stderr=True)
    runs = Y.run(data, args.year, out_root, args.jobs, shard, console)
    if not runs:
        print(f"Không có đơn vị nào của năm {args.year} trong {args.data or DATA}", file=sys.stderr)
        return 1
    Y.table(runs, Console())
    failed = [r.slug for r in runs if not r.ok]
    if failed:
        print(f"✗ {len(failed)}/{len(runs)} đơn vị có lỗi: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def cmd_schema(args) -> int:
    from .schema import write_schema

    path = write_schema(Path(args.output) if args.output else None)
    print(f"✓ JSON Schema → {path}")
    return 0


def _inbox(args) -> Path:
    from .watch import DEFAULT_INBOX

    return Path(args.inbox) if args.inbox else DEFAULT_INBOX


def _output_beside_inbox(args) -> Path | None:
    """The output root of a watcher or the web page; None (said on stderr) when it is inside the
    drop folder or the data folder, where outputs would be taken for inputs."""
    out_root = Path(args.output) if args.output else OUTPUT
    why = _output_refused(out_root, args.output, [(_inbox(args), "thư mục nhận tệp", "the drop folder"),
                                                  (DATA, "thư mục dữ liệu", "the data folder")])
    if why:
        print(why, file=sys.stderr)
        return None
    return out_root


def cmd_watch(args) -> int:
    from .watch import run

    inbox, out_root = _inbox(args), _output_beside_inbox(args)
    if out_root is None:
        return 2
    return run(inbox, out_root, once=args.once, settle=args.settle, debounce=args.debounce, period=args.period)


def cmd_serve(args) -> int:
    from . import serve

    inbox = _inbox(args)
    if args.set_password:
        return serve.set_password(inbox)
    out_root = _output_beside_inbox(args)
    if out_root is None:
        return 2
    if not 0 <= args.port <= 65535:
        print(f"LỖI --port {args.port}: cổng phải từ 1 đến 65535 / the port must be 1–65535", file=sys.stderr)
        return 2
    if args.max_upload < 1:
        print("LỖI --max-upload: cần ít nhất 1 MB / at least 1 MB", file=sys.stderr)
        return 2
    return serve.run(inbox, out_root, DATA, host=args.host, port=args.port, period=args.period,
                     max_upload_mb=args.max_upload, settle=args.settle, debounce=args.debounce)


def cmd_new(args) -> int:
    from .scaffold import ScaffoldError, check_slug, new_unit

    try:
        check_slug(args.unit)       # a slug only: never a path, so never a folder outside data/
        folder = DATA / args.unit
        files = new_unit(folder)
    except ScaffoldError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    print(f"✓ đã tạo {folder} với {len(files)} tệp mẫu / created {folder}:")
    for f in files:
        print(f"  {f.relative_to(folder).as_posix()}")
    print(f"Sửa các tệp cho đúng với đơn vị, rồi chạy: python -m pipeline validate {folder.name}")
    return 0


def cmd_template_xlsx(args) -> int:
    from .scaffold import ScaffoldError, write_template

    if args.cham_diem:
        return _scoring_workbook(args)
    if args.period != "nam":
        print("LỖI --period chỉ dùng với --cham-diem / --period goes with --cham-diem", file=sys.stderr)
        return 2
    unit = None
    if args.unit:
        from .validate import load_unit

        unit, problems = load_unit(_unit_folder(args.unit))
        if unit is None:
            _print_problems(problems)
            print(f"✗ {args.unit}: không đọc được dữ liệu đơn vị / cannot read the unit", file=sys.stderr)
            return 1
    try:
        path = write_template(Path(args.path or "danh-sach-dang-vien.xlsx"), unit)
    except ScaffoldError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    print(f"✓ bảng mẫu danh sách đảng viên → {path}")
    return 0


def _scoring_workbook(args) -> int:
    """template-xlsx --cham-diem: the unit's scoring workbook (pipeline/scoresheet.py)."""
    from . import scoresheet
    from .rating import rulebook
    from .scaffold import ScaffoldError
    from .validate import load_unit

    if not args.unit:
        print("LỖI --cham-diem cần --unit <đơn vị>: bảng chấm điểm ghi sẵn các đối tượng và bộ tiêu chí của đơn "
              "vị / --cham-diem needs --unit", file=sys.stderr)
        return 2
    unit, problems = load_unit(_unit_folder(args.unit))
    if unit is None:
        _print_problems(problems)
        print(f"✗ {args.unit}: không đọc được dữ liệu đơn vị / cannot read the unit", file=sys.stderr)
        return 1
    try:
        rules = rulebook.load(unit.info.regime)
    except rulebook.UnknownRegime:
        _print_problems(problems)
        print(f"✗ {args.unit}: chế độ đánh giá «{unit.info.regime}» không có / unknown regime", file=sys.stderr)
        return 1
    try:
        path = scoresheet.write(Path(args.path or "bang-cham-diem.xlsx"), unit, rules, args.period)
    except scoresheet.NoScoring as exc:
        print(f"✗ {args.unit}: {exc}", file=sys.stderr)
        return 1
    except ScaffoldError as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    print(f"✓ bảng chấm điểm từng tiêu chí → {path}")
    return 0


# argparse's error messages (Python 3.11) → Vietnamese; each pattern's groups fill the sentence.
_ARGPARSE = [(re.compile(en), vi) for en, vi in (
    (r"^the following arguments are required: (.*)$", "thiếu tham số bắt buộc: {0}"),
    (r"^unrecognized arguments: (.*)$", "tham số không nhận ra: {0}"),
    (r"^argument <lệnh/verb>: invalid choice: '(.*?)' \(choose from (.*)\)$", "lệnh «{0}» không có; chọn một trong: {1}"),
    (r"^argument (.+?): invalid choice: '(.*?)' \(choose from (.*)\)$",
     "tham số {0}: «{1}» không có; chọn một trong: {2}"),
    (r"^argument (.+?): invalid (?:int|float) value: '(.*)'$", "tham số {0}: giá trị «{1}» không hợp lệ (cần một số)"),
    (r"^argument (.+?): invalid .* value: '(.*)'$", "tham số {0}: giá trị «{1}» không hợp lệ"),
    (r"^argument (.+?): expected one argument$", "tham số {0} cần một giá trị"),
    (r"^argument (.+?): expected at most one argument$", "tham số {0} nhận nhiều nhất một giá trị"),
    (r"^argument (.+?): expected at least one argument$", "tham số {0} cần ít nhất một giá trị"),
    (r"^argument (.+?): expected (\d+) arguments?$", "tham số {0} cần {1} giá trị"),
    (r"^argument (.+?): ignored explicit argument '(.*)'$", "tham số {0} không nhận giá trị «{1}»"),
    (r"^argument (.+?): not allowed with argument (.*)$", "tham số {0} không dùng cùng {1}"),
    (r"^ambiguous option: (.+?) could match (.*)$", "tùy chọn {0} chưa rõ, có thể là: {1}"),
)]
_OWN = re.compile(r"^argument (.+?): (.*)$", re.S)   # our own types' messages are Vietnamese already


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "cách dùng / usage: " if prefix is None else prefix)


class _Parser(argparse.ArgumentParser):
    """argparse in Vietnamese: usage line, section titles, -h and every error message."""

    def __init__(self, *args, **kw):
        kw.setdefault("formatter_class", _Formatter)
        kw["add_help"] = False
        super().__init__(*args, **kw)
        self._positionals.title = "tham số / positional arguments"
        self._optionals.title = "tùy chọn / options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help="in hướng dẫn này rồi thoát / show this help and exit")

    def error(self, message):
        self.print_usage(sys.stderr)
        for en, vi in _ARGPARSE:
            m = en.match(message)
            if m:
                groups = [g.replace("'", "") for g in m.groups()]
                self.exit(2, f"{self.prog}: lỗi: {vi.format(*groups)} / error: {message}\n")
        m = _OWN.match(message)
        if m:
            self.exit(2, f"{self.prog}: lỗi: tham số {m.group(1)}: {m.group(2)}\n")
        self.exit(2, f"{self.prog}: lỗi cách dùng lệnh / usage error: {message}\n")


def parser() -> argparse.ArgumentParser:
    ap = _Parser(
        prog="python -m pipeline",
        description="Hồ sơ kiểm điểm, đánh giá, xếp loại chất lượng – kiểm tra dữ liệu, xếp loại, dựng tài liệu.\n"
                    "Party review paperwork – validate data, compute ratings, render documents.",
        formatter_class=_Formatter)
    sub = ap.add_subparsers(dest="verb", metavar="<lệnh/verb>", title="lệnh / verbs")

    def unit_cmd(name, help_, fn, period=True):
        sp = sub.add_parser(name, help=help_, description=help_)
        sp.add_argument("unit", help="tên thư mục đơn vị trong data/ (hoặc đường dẫn) / unit folder name or path")
        if period:
            sp.add_argument("--period", type=_period, default="nam",
                            help="kỳ đánh giá: nam (mặc định), Q1, Q2, Q3 / period: year (default) or quarter")
        sp.set_defaults(fn=fn)
        return sp

    unit_cmd("validate", "Kiểm tra dữ liệu của đơn vị / validate a unit's data", cmd_validate)
    sp = unit_cmd("rate", "Xếp loại và giải thích lý do / compute ratings with reasons", cmd_rate)
    sp.add_argument("--json", action="store_true", help="in JSON (khóa là mã trong dữ liệu) / print JSON")
    sp = unit_cmd("dossier", "Dựng toàn bộ tài liệu của đơn vị / build the unit's documents", cmd_dossier)
    sp.add_argument("--output", help=f"thư mục kết quả (mặc định {OUTPUT}) / output root")
    sp.add_argument("--strict", action="store_true",
                    help="hồ sơ thiếu thành phần bắt buộc hoặc có tệp đính kèm hỏng thì báo lỗi và không dựng "
                         "(mặc định: vẫn dựng, mục lục ghi THIẾU) / a missing required dossier component or a bad "
                         "attachment fails the build (default: built, marked THIẾU)")
    sp = sub.add_parser("year", help="Dựng hồ sơ cả năm cho mọi đơn vị / build a year for every unit",
                        description="Dựng hồ sơ năm cho mọi đơn vị trong data/ / build every unit of a year")
    sp.add_argument("year", type=int, help="năm đánh giá, ví dụ 2025 / the year")
    sp.add_argument("--jobs", type=int, default=None, help="số tiến trình dựng song song (mặc định 2) / workers")
    sp.add_argument("--shard", help="chỉ dựng phần K trong N phần, ví dụ 1/4 (cho CI) / build shard K of N")
    sp.add_argument("--data", help="thư mục dữ liệu (mặc định data/) / data root")
    sp.add_argument("--output", help="thư mục kết quả (mặc định output/) / output root")
    sp.set_defaults(fn=cmd_year)
    sp = sub.add_parser("schema", help="Ghi JSON Schema của tệp dữ liệu / write the data files' JSON Schema",
                        description="Ghi JSON Schema để VS Code gợi ý và kiểm tra tệp YAML / write the JSON Schema")
    sp.add_argument("--output", help="đường dẫn tệp (mặc định forms/schema/du-lieu.schema.json)")
    sp.set_defaults(fn=cmd_schema)
    sp = sub.add_parser("new", help="Tạo thư mục dữ liệu mẫu cho đơn vị mới / create a new unit folder with examples",
                        description="Tạo data/<đơn vị>/ với các tệp mẫu có chú thích, kiểm tra được ngay; không ghi đè "
                                    "thư mục đã có / create data/<unit>/ with commented example files that validate")
    sp.add_argument("unit", help="tên thư mục đơn vị (tạo trong data/): chữ thường không dấu, số, gạch ngang, ví dụ "
                                 "phuong-nguyen-nghiem / unit slug (lower-case ASCII letters, digits, hyphens), "
                                 "created under data/")
    sp.set_defaults(fn=cmd_new)
    sp = sub.add_parser("template-xlsx",
                        help="Ghi bảng Excel mẫu danh sách đảng viên, hoặc bảng chấm điểm từng tiêu chí "
                             "(--cham-diem) / write an empty Excel roster template, or the scoring workbook",
                        description="Ghi bảng Excel mẫu (tiêu đề cột, danh sách chọn) để nhập danh sách đảng viên; với "
                                    "--cham-diem: bảng chấm điểm từng tiêu chí của đơn vị. Không ghi đè tệp đã có / "
                                    "write an empty roster template with drop-down lists; with --cham-diem the unit's "
                                    "scoring workbook (points per criterion). Never overwrites a file")
    sp.add_argument("path", nargs="?", default=None,
                    help="tệp cần ghi (mặc định danh-sach-dang-vien.xlsx; với --cham-diem: bang-cham-diem.xlsx) / "
                         "output file")
    sp.add_argument("--unit", help="lấy danh sách chi bộ và thang điểm của đơn vị này / "
                                   "take the chi bộ list and score maxima from this unit")
    sp.add_argument("--cham-diem", action="store_true",
                    help="ghi bảng chấm điểm từng tiêu chí của đơn vị (cần --unit): mỗi bộ tiêu chí một trang, mỗi "
                         "đối tượng một dòng, mỗi tiêu chí một cột / write the unit's scoring workbook: a sheet per "
                         "criteria set, a row per subject, a column per criterion")
    sp.add_argument("--period", type=_period, default="nam",
                    help="kỳ của bảng chấm điểm: nam (mặc định), Q1, Q2, Q3 / period of the scoring workbook")
    sp.set_defaults(fn=cmd_template_xlsx)
    sp = sub.add_parser("watch", help="Theo dõi thư mục thả tệp, tự dựng tài liệu / watch a drop folder and build",
                        description="Theo dõi thư mục thả tệp: mỗi đơn vị một thư mục con inbox/<đơn-vị>/; thả tệp "
                                    "dữ liệu, tệp ZIP hoặc tệp vừa sửa vào đó, công cụ tự kiểm tra, dựng tài liệu và ghi "
                                    "KET-QUA.txt hoặc LOI.txt. / Watch a drop folder: drop a unit's files (or a ZIP, or "
                                    "single changed files) into inbox/<unit>/; each drop is validated and built.")
    sp.add_argument("inbox", nargs="?", help="thư mục nhận tệp (mặc định inbox/) / drop folder (default inbox/)")
    sp.add_argument("--output", help=f"thư mục kết quả (mặc định {OUTPUT}) / output root")
    sp.add_argument("--once", action="store_true",
                    help="xử lý những gì đang có rồi thoát (cho cron) / process what is there, then exit")
    sp.add_argument("--settle", type=float, default=2.0, metavar="GIÂY",
                    help="tệp đứng yên bao lâu thì coi là chép xong (mặc định 2) / seconds a file must stop growing")
    sp.add_argument("--debounce", type=float, default=3.0, metavar="GIÂY",
                    help="gom các tệp thả liền nhau thành một lần dựng (mặc định 3) / quiet seconds before a build")
    sp.add_argument("--period", type=_period, default="nam",
                    help="kỳ đánh giá: nam (mặc định), Q1, Q2, Q3 / period: year (default) or quarter")
    sp.set_defaults(fn=cmd_watch)
    sp = sub.add_parser("serve", help="Mở trang web của văn phòng trên máy này / the office's local web page",
                        description="Mở trang web của văn phòng trên máy này: xem các đơn vị, kéo thả tệp để tải lên "
                                    "(đi qua thư mục nhận tệp, dựng như make dossier), xem tiến độ, lỗi và cảnh báo, "
                                    "xếp loại, xem trước và tải tài liệu. Không cần Internet; dữ liệu không gửi đi đâu. "
                                    "/ Serve the office's web page on this computer: units, drag-and-drop uploads "
                                    "(through the drop folder), live progress, problems, ratings, document previews "
                                    "and downloads. No internet needed; nothing leaves the machine.")
    sp.add_argument("--port", type=int, default=8080, help="cổng (mặc định 8080; 0: cổng trống bất kỳ) / port")
    sp.add_argument("--host", default="127.0.0.1",
                    help="địa chỉ nghe (mặc định 127.0.0.1: chỉ máy này; 0.0.0.0: cả mạng văn phòng, cần đặt mật khẩu "
                         "trước) / address to listen on (default loopback; any other needs a password)")
    sp.add_argument("--inbox", help="thư mục nhận tệp (mặc định inbox/) / drop folder (default inbox/)")
    sp.add_argument("--output", help=f"thư mục kết quả (mặc định {OUTPUT}) / output root")
    sp.add_argument("--period", type=_period, default="nam",
                    help="kỳ đánh giá: nam (mặc định), Q1, Q2, Q3 / period: year (default) or quarter")
    sp.add_argument("--max-upload", type=int, default=200, metavar="MB",
                    help="giới hạn dung lượng mỗi lần tải lên (mặc định 200 MB) / upload size limit in MB")
    sp.add_argument("--settle", type=float, default=2.0, metavar="GIÂY",
                    help="tệp chép tay vào thư mục nhận tệp đứng yên bao lâu thì nhận (mặc định 2) / seconds a "
                         "hand-dropped file must stop growing")
    sp.add_argument("--debounce", type=float, default=3.0, metavar="GIÂY",
                    help="gom các tệp chép tay liền nhau thành một lần dựng (mặc định 3) / quiet seconds")
    sp.add_argument("--dat-mat-khau", "--set-password", dest="set_password", action="store_true",
                    help="đặt mật khẩu của trang (lưu mã băm scrypt trong <inbox>/.mat-khau) rồi thoát / set the "
                         "page's password (its scrypt hash is stored in <inbox>/.mat-khau) and exit")
    sp.set_defaults(fn=cmd_serve)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_args(argv)
    if not getattr(args, "fn", None):
        ap.print_help()
        return 2
    try:
        try:
            return args.fn(args)
        finally:
            pool = sys.modules.get("pipeline.render.pool")
            if pool is not None:
                pool.stop()   # the render workers end with the command, never mid-start
    except KeyboardInterrupt:
        print("Đã dừng / interrupted", file=sys.stderr)
        return 130
    except (forms.Broken, forms.Cycle) as exc:   # an office's edit under forms/ went wrong
        print(f"LỖI {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an internal failure, not bad input
        if os.environ.get("KIEMDIEM_DEBUG"):
            raise
        blocked = cannot_write(exc, getattr(args, "output", None) or OUTPUT)
        if blocked:         # the machine's state, not the program's: say what to change
            print(f"LỖI {blocked} – hãy kiểm tra thư mục kết quả hoặc chọn thư mục khác (--output) / "
                  "cannot write the output", file=sys.stderr)
            return CANNOT_WRITE_EXIT
        print(f"LỖI HỆ THỐNG (không phải lỗi dữ liệu): {type(exc).__name__}: {exc}\n"
              "Chạy lại với KIEMDIEM_DEBUG=1 để xem chi tiết và báo cho bộ phận kỹ thuật.", file=sys.stderr)
        return 3
