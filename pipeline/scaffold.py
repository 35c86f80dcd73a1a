"""Starting points for an office: `new` (a unit folder of commented examples) and
`template-xlsx` (an empty Excel roster with the expected headers and drop-down lists).

The example files live in forms/scaffold/ as data, with ${…} placeholders filled from the
unit's slug; they validate and build as they are (tests/test_new.py).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import string
from pathlib import Path

from .model import LEVELS
from .paths import FORMS

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
KINDS = (("thi-tran-", "thị trấn"), ("xa-", "xã"), ("phuong-", "phường"), ("dac-khu-", "đặc khu"))


class ScaffoldError(Exception):
    """A refusal with a Vietnamese message (bad slug, folder or file already there)."""


def check_slug(slug: str) -> None:
    if not SLUG_RE.fullmatch(slug or ""):   # fullmatch: «$» alone lets a trailing newline through
        raise ScaffoldError(
            f"tên thư mục đơn vị «{slug}» không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch ngang "
            "giữa các từ, ví dụ: xa-lung-phinh, phuong-nguyen-nghiem (chỉ tên, không phải đường dẫn: thư mục "
            "được tạo trong data/) / the unit slug must be lower-case ASCII words joined by hyphens, "
            "not a path (the folder is made under data/)")


def names(slug: str) -> dict[str, str]:
    """Placeholders guessed from the slug: xa-lung-phinh → «Đảng bộ xã Lung Phinh» (no diacritics)."""
    kind, rest = "", slug
    for prefix, word in KINDS:
        if slug.startswith(prefix) and len(slug) > len(prefix):
            kind, rest = word, slug[len(prefix):]
            break
    place = " ".join(w.capitalize() for w in rest.split("-"))
    whole = f"{kind} {place}".strip()
    return {"SLUG": slug, "TEN": f"Đảng bộ {whole}", "CAP_UY": f"Đảng ủy {whole}", "DIA_DANH": place,
            "CAP_DUOI": whole}


def scaffold_dir() -> Path:
    return FORMS / "scaffold"


def new_unit(folder: Path) -> list[Path]:
    """Create folder with the commented example files. Never touches an existing folder."""
    folder = Path(folder)
    check_slug(folder.name)
    if folder.exists():
        raise ScaffoldError(f"thư mục «{folder}» đã có; lệnh new không ghi đè dữ liệu đang có – hãy chọn tên "
                            f"khác hoặc sửa trực tiếp các tệp trong đó / the folder already exists, nothing written")
    values = names(folder.name)
    sources = sorted(p for p in scaffold_dir().rglob("*.yaml") if p.is_file())
    if not sources:
        raise ScaffoldError(f"không tìm thấy các tệp mẫu trong {scaffold_dir()}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.tao-moi-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for src in sources:
            rel = src.relative_to(scaffold_dir())
            text = string.Template(src.read_text("utf-8")).substitute(values)
            dst = staging / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(text, "utf-8")
        (staging / "dinh-kem").mkdir()
        if folder.exists():  # created meanwhile by someone else: still never overwrite
            raise ScaffoldError(f"thư mục «{folder}» vừa được tạo bởi người khác; không ghi đè")
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(p for p in folder.rglob("*") if p.is_file())


# ---------------------------------------------------------------- the Excel roster template

ROLE_WORDS = ["Lãnh đạo", "Không lãnh đạo", "Ngoài hệ thống"]
STATUS_WORDS = ["Sinh hoạt", "Miễn sinh hoạt", "Đình chỉ", "Nghỉ ốm", "Nghỉ thai sản"]
SEX_WORDS = ["Nam", "Nữ"]
SHEET = "Danh sách"
LISTS = "Danh mục"
INSTRUCTIONS = "Hướng dẫn"     # the instruction sheet of the roster template and of the scoring workbook
HEADER_ROW = 3
ROWS = 500                     # rows prepared with formats and drop-down lists


def _columns(general: float | None, results: float | None, with_scores: bool) -> list[tuple]:
    """(header, width, kind, help) – kind: text | date | list:<name> | number:<max>."""
    cols = [
        ("STT", 5, "text", "Số thứ tự (không bắt buộc, chương trình bỏ qua)."),
        ("Mã đảng viên", 14, "text", "Mã không dấu, không trùng (ví dụ cq-01); tập thể và chi bộ nhắc đến đảng viên "
                                     "bằng mã này. Để trống thì mã được đặt theo tên tệp và số dòng."),
        ("Họ và tên", 26, "text", "Họ và tên đầy đủ, có dấu. Bắt buộc."),
        ("Giới tính", 9, "list:sex", "Nam hoặc Nữ."),
        ("Ngày sinh", 12, "date", "Ngày/tháng/năm, ví dụ 07/11/1980."),
        ("Ngày vào Đảng", 13, "date", "Ngày kết nạp, ngày/tháng/năm. Bắt buộc."),
        ("Ngày chính thức", 13, "date", "Ngày công nhận đảng viên chính thức (nếu có)."),
        ("Chi bộ", 30, "list:cell", "Chi bộ nơi sinh hoạt: mã chi bộ (cb-thon-a) hoặc tên chi bộ; "
                                    "tên được đổi thành mã theo quy ước cb-<tên không dấu>."),
        ("Chức vụ Đảng", 20, "text", "Ví dụ: Bí thư Chi bộ; để trống là Đảng viên."),
        ("Chức vụ chính quyền", 20, "text", "Chức vụ chính quyền, chuyên môn (nếu có)."),
        ("Chức vụ đoàn thể", 18, "text", "Chức vụ Mặt trận, đoàn thể (nếu có)."),
        ("Đơn vị công tác", 20, "text", "Nơi công tác (nếu có)."),
        ("Vai trò", 15, "list:role", "Lãnh đạo (cán bộ lãnh đạo, quản lý), Không lãnh đạo, hoặc Ngoài hệ thống "
                                     "(không công tác trong hệ thống chính trị). Để trống là Không lãnh đạo."),
        ("Trạng thái", 15, "list:status", "Tình trạng sinh hoạt đảng; để trống là Sinh hoạt."),
        ("Nhóm", 14, "text", "Nhóm so sánh khi tính hạn mức xếp loại (cùng chức vụ); không bắt buộc."),
    ]
    if with_scores:
        cols += [
            (f"Điểm tiêu chí chung (tối đa {general:g})" if general else "Điểm tiêu chí chung", 11,
             f"number:{general or ''}", "Điểm tự chấm nhóm tiêu chí chung."),
            (f"Điểm kết quả thực hiện nhiệm vụ (tối đa {results:g})" if results else "Điểm kết quả thực hiện nhiệm vụ",
             13, f"number:{results or ''}", "Điểm tự chấm nhóm kết quả thực hiện nhiệm vụ."),
            ("Tổng điểm tự chấm", 10, f"number:{(general or 0) + (results or 0) or ''}",
             "Ghi hai nhóm điểm, hoặc chỉ tổng; nếu ghi cả ba thì tổng phải bằng hai nhóm cộng lại."),
        ]
    cols += [
        ("Tự xếp loại", 11, "list:level", "Mức tự xếp loại: HTXSNV, HTTNV, HTNV hoặc KHTNV."),
        ("Ghi chú", 20, "text", "Ghi chú (chương trình bỏ qua)."),
    ]
    return cols


def template_workbook(unit=None):
    """The roster template as an openpyxl Workbook; with a Unit: its chi bộ and score maxima."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    general = results = None
    with_scores = True
    year = ""
    if unit is not None:
        from .rating import rulebook
        year = f" NĂM {unit.info.year}"
        try:
            rules = rulebook.load(unit.info.regime)
            with_scores = rules.get("method", "points") == "points"
            general = (rules.get("score") or {}).get("general")
            results = (rules.get("score") or {}).get("results")
        except Exception:
            pass
    else:
        general, results = 30, 70
    cols = _columns(general, results, with_scores)
    last = get_column_letter(len(cols))
    first_row, end_row = HEADER_ROW + 1, HEADER_ROW + ROWS

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=12)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A1"] = (unit.info.name.upper() + " – " if unit is not None else "") + "DANH SÁCH ĐẢNG VIÊN"
    ws["A2"] = f"Kiểm điểm, đánh giá, xếp loại chất lượng{year.lower()}" \
               " – điền từ dòng 4; xem hướng dẫn ở trang «Hướng dẫn»"
    for r, font in ((1, Font(name="Times New Roman", bold=True, size=14)), (2, Font(name="Times New Roman", italic=True, size=12))):
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.cell(r, 1).font = font
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c, (title, width, kind, _) in enumerate(cols, 1):
        cell = ws.cell(HEADER_ROW, c, title)
        cell.font, cell.fill, cell.border = bold, fill, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
        letter = get_column_letter(c)
        for r in range(first_row, end_row + 1):
            cell = ws.cell(r, c)
            cell.font = normal
            if kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif kind == "text" and title.startswith("Mã"):
                cell.number_format = "@"
    ws.row_dimensions[HEADER_ROW].height = 48
    ws.freeze_panes = f"D{first_row}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    # Drop-down lists live on a hidden sheet (a list typed into the rule is limited to 255 characters).
    lists = wb.create_sheet(LISTS)
    cells = [f"{c.name} ({c.id})" for c in sorted(unit.cells, key=lambda c: (c.priority, c.id))] if unit else []
    choices = {"sex": ("Giới tính", SEX_WORDS), "role": ("Vai trò", ROLE_WORDS),
               "status": ("Trạng thái", STATUS_WORDS), "level": ("Xếp loại", list(LEVELS)),
               "cell": ("Chi bộ", cells)}
    refs = {}
    for c, (key, (title, values)) in enumerate(choices.items(), 1):
        lists.cell(1, c, title)
        for r, v in enumerate(values, 2):
            lists.cell(r, c, v)
        if values:
            col = get_column_letter(c)
            refs[key] = f"='{LISTS}'!${col}$2:${col}${len(values) + 1}"
    lists.sheet_state = "hidden"

    for c, (title, _, kind, help_) in enumerate(cols, 1):
        rng = f"{get_column_letter(c)}{first_row}:{get_column_letter(c)}{end_row}"
        dv = None
        if kind.startswith("list:") and kind[5:] in refs:
            dv = DataValidation(type="list", formula1=refs[kind[5:]], allow_blank=True)
            dv.error = "Hãy chọn một giá trị trong danh sách."
        elif kind.startswith("number:"):
            mx = kind[7:] or "1000"
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=str(mx), allow_blank=True)
            dv.error = f"Điểm là một số từ 0 đến {mx}."
        if dv is None:
            continue
        dv.errorTitle, dv.showErrorMessage = "Giá trị không hợp lệ", True
        dv.promptTitle, dv.prompt, dv.showInputMessage = title[:32], help_[:255], True
        ws.add_data_validation(dv)
        dv.add(rng)

    guide = wb.create_sheet(INSTRUCTIONS)
    guide.append(["Cột", "Cách ghi"])
    for title, _, _, help_ in cols:
        guide.append([title, help_])
    guide.append([])
    for line in ("Mỗi đảng viên một dòng, bắt đầu từ dòng 4 của trang «Danh sách». Không đổi tên các cột; "
                 "được thêm cột khác (chương trình báo và bỏ qua).",
                 "Đặt tệp này vào thư mục dữ liệu của đơn vị (data/<đơn vị>/), rồi chạy: "
                 "python -m pipeline validate <đơn vị>. Lỗi được chỉ ra theo ô, ví dụ 'Danh sách'!E12."):
        guide.append([line])
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 100
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    guide["A1"].font = guide["B1"].font = Font(bold=True)
    wb.active = 0
    return wb


def write_template(path: Path, unit=None) -> Path:
    """Write the roster template to path; an existing file is never overwritten."""
    from . import fs

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ScaffoldError(f"tên tệp «{path}» phải có đuôi .xlsx / the file name must end in .xlsx")
    if path.exists():
        raise ScaffoldError(f"tệp «{path}» đã có; không ghi đè – hãy chọn tên khác / the file exists, nothing written")
    buf = io.BytesIO()
    template_workbook(unit).save(buf)
    fs.write_bytes(path, buf.getvalue())
    return path
