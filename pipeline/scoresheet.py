"""The scoring workbook (`python -m pipeline template-xlsx --cham-diem --unit U`): points per criterion
as offices score them – one sheet per criteria set of the unit's framework (forms/criteria/), one row
per subject scored on it, one column per criterion with its maximum in the header.

Layout of a sheet (the reader, intake/excel.py, relies on row KEY_ROW only):
  row 1     the unit and the criteria set;  row 2: the period and how to fill the sheet
  rows 3–5  headers: STT | Mã | name | (persons: Chi bộ) | TỰ CHẤM: per group its criteria
            «1. <criterion> (tối đa 8)» and «Cộng nhóm I»; «Tổng điểm» | THẨM ĐỊNH: the same | Ghi chú
  row 6     the column keys, small and grey: `bo=<role>; ky=<period>` | id | ten | chi_bo |
            tu_cham.tieu_chi.<criterion id> … tu_cham.chung … tu_cham.tong | tham_dinh.… | ghi_chu
  row 7 …   one subject per row, id and name filled in; the clerk types the criterion points.
Every criterion cell has a data validation (a number from 0 to the criterion's maximum, at most two
decimals); group subtotals and the total are formulas. Reading back ignores what the formulas show
(the totals are recomputed from the criteria; a total typed over a formula is compared with them).
"""
from __future__ import annotations

import io
from pathlib import Path

from .rating.criteria import points_set
from .scaffold import INSTRUCTIONS as GUIDE
from .rating.eligibility import rating_date
from .rating.subjects import UNIT_ID
from .vn import number, roman

ROLES = ("to-chuc-dang", "tap-the", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong")
SHEETS = {"to-chuc-dang": "Tổ chức đảng", "tap-the": "Tập thể", "lanh-dao": "Lãnh đạo",
          "khong-lanh-dao": "Đảng viên", "ngoai-he-thong": "Ngoài hệ thống"}
NAME_HEADERS = {"to-chuc-dang": "Tên tổ chức đảng", "tap-the": "Tên tập thể"}   # persons: «Họ và tên»
PERIOD_KEYS = {"nam": "nam", "Q1": "quy_1", "Q2": "quy_2", "Q3": "quy_3"}
PERIOD_NAMES = {"nam": "Năm {year}", "Q1": "Quý I năm {year}", "Q2": "Quý II năm {year}", "Q3": "Quý III năm {year}"}
BLOCKS = (("tu_cham", "TỰ CHẤM"), ("tham_dinh", "THẨM ĐỊNH"))
GROUP_KEYS = {"chung": "chung", "ket-qua": "ket_qua"}      # group id → key of its points in the data
HEADER_ROW, KEY_ROW, FIRST_ROW = 3, 6, 7


class NoScoring(Exception):
    """The unit's regime scores nobody on points in that period (a Vietnamese message)."""


def _short(title: str, limit: int = 70) -> str:
    head = title.split(";")[0].strip()
    return head if len(head) <= limit else head[:limit].rsplit(" ", 1)[0] + "…"


def subjects(unit, rules: dict, period: str) -> dict[str, list[tuple[str, str, str]]]:
    """role → [(id, name, chi bộ name)] of the subjects scored on points in the period, in list order:
    chi bộ then the đảng bộ; collectives; members by chi bộ, then priority. Exempt members are left out."""
    from .compose.mau_02 import is_exempt

    cells = sorted(unit.cells, key=lambda c: (c.priority, c.id))
    cell_name = {c.id: c.name for c in cells}
    rank = {c.id: i for i, c in enumerate(cells)}
    out: dict[str, list] = {r: [] for r in ROLES}
    out["to-chuc-dang"] = [(c.id, c.name, "") for c in cells] + [(UNIT_ID, unit.info.name, "")]
    out["tap-the"] = [(c.id, c.name, "") for c in sorted(unit.collectives, key=lambda c: (c.priority, c.id))]
    when = rating_date(unit.info, rules, period)
    for m in sorted(unit.members, key=lambda m: (rank.get(m.cell, len(rank)), m.priority, m.id)):
        if not is_exempt(m, rules, when):
            out[m.role].append((m.id, m.name, cell_name.get(m.cell, m.cell or "")))
    return {r: rows for r, rows in out.items() if rows and _set(rules, r, period) is not None}


def _set(rules: dict, role: str, period: str):
    cs = points_set(rules, role, period)
    return cs if cs is not None and cs.criteria else None


def _columns(role: str, cset) -> list[dict]:
    """The sheet's columns in order: {key, title, width, kind: text|score|sum|total, max, group, block}."""
    person = role not in ("to-chuc-dang", "tap-the")
    cols = [{"key": "", "title": "STT", "width": 5, "kind": "text"},
            {"key": "id", "title": "Mã", "width": 16, "kind": "text"},
            {"key": "ten", "title": NAME_HEADERS.get(role, "Họ và tên"), "width": 26, "kind": "text"}]
    if person:
        cols.append({"key": "chi_bo", "title": "Chi bộ", "width": 20, "kind": "text"})
    top = sum(g.max for g in cset.groups if g.max is not None) or None
    for block, label in BLOCKS:
        for gi, g in enumerate(cset.groups, 1):
            gmax = g.max if g.max is not None else None
            for ci, c in enumerate(g.criteria, 1):
                mx = c.max if c.max is not None else gmax
                cols.append({"key": f"{block}.tieu_chi.{c.id}", "kind": "score", "width": 11, "max": mx,
                             "title": f"{ci}. {_short(c.title)}" + (f" (tối đa {number(c.max)})" if c.max is not None else ""),
                             "group": gi, "block": label, "group_title": f"{roman(gi)}. {g.title}"
                             + (f" (tối đa {number(g.max)})" if g.max is not None else "")})
            if g.id in GROUP_KEYS:
                cols.append({"key": f"{block}.{GROUP_KEYS[g.id]}", "kind": "sum", "width": 9, "group": gi,
                             "title": f"Cộng nhóm {roman(gi)}", "block": label,
                             "group_title": cols[-1]["group_title"]})
        cols.append({"key": f"{block}.tong", "kind": "total", "width": 9, "block": label,
                     "title": "Tổng điểm" + (f" (tối đa {number(top)})" if top else "")})
    cols.append({"key": "ghi_chu", "title": "Ghi chú", "width": 18, "kind": "text"})
    return cols


def workbook(unit, rules: dict, period: str = "nam"):
    """The scoring workbook of a unit as an openpyxl Workbook (NoScoring when nobody is scored on points)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter as L
    from openpyxl.worksheet.datavalidation import DataValidation

    who = subjects(unit, rules, period)
    if not who:
        raise NoScoring(f"chế độ «{rules.get('id')}» không chấm điểm từng tiêu chí trong kỳ này (khung tiêu chí "
                        "không có bộ tiêu chí có điểm cho đối tượng nào): không có bảng chấm điểm để ghi")
    wb = Workbook()
    wb.remove(wb.active)
    font = Font(name="Times New Roman", size=12)
    bold = Font(name="Times New Roman", size=12, bold=True)
    small = Font(name="Times New Roman", size=8, italic=True, color="808080")
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    sum_fill = PatternFill("solid", fgColor="F2F2F2")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    period_line = PERIOD_NAMES[period].format(year=unit.info.year)
    guide_rows = []
    for role, rows in who.items():
        cset = _set(rules, role, period)
        cols = _columns(role, cset)
        ws = wb.create_sheet(SHEETS[role])
        last = L(len(cols))
        end = FIRST_ROW + len(rows) - 1
        ws["A1"] = f"{unit.info.name.upper()} – BẢNG CHẤM ĐIỂM TỪNG TIÊU CHÍ – {cset.title.upper()}"
        ws["A2"] = (f"Kỳ đánh giá: {period_line}. Ghi điểm tự chấm và điểm thẩm định của từng tiêu chí vào các ô trắng "
                    f"(từ dòng {FIRST_ROW}); các cột «Cộng nhóm» và «Tổng điểm» tự tính. Xem trang «{GUIDE}».")
        for r, f in ((1, Font(name="Times New Roman", size=14, bold=True)), (2, Font(name="Times New Roman", size=11, italic=True))):
            ws.merge_cells(f"A{r}:{last}{r}")
            ws.cell(r, 1).font = f
            ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=r == 2)
        ws.row_dimensions[2].height = 30
        # headers: fixed columns over rows 3–5; the blocks (row 3), the groups (row 4), the criteria (row 5)
        for c, col in enumerate(cols, 1):
            for r in (3, 4, 5):
                cell = ws.cell(r, c)
                cell.font, cell.fill, cell.border, cell.alignment = bold, head_fill, box, center
            ws.column_dimensions[L(c)].width = col["width"]
            if col["kind"] == "text":
                ws.cell(3, c, col["title"])
                ws.merge_cells(start_row=3, start_column=c, end_row=5, end_column=c)
            elif col["kind"] == "total":
                ws.cell(4, c, col["title"])
                ws.merge_cells(start_row=4, start_column=c, end_row=5, end_column=c)
            else:
                ws.cell(5, c, col["title"])
            key = ws.cell(KEY_ROW, c, col["key"] or f"bo={role}; ky={PERIOD_KEYS[period]}")
            key.font = small
        for label in (b for _, b in BLOCKS):
            span = [c for c, col in enumerate(cols, 1) if col.get("block") == label]
            ws.cell(3, span[0], label)
            ws.merge_cells(start_row=3, start_column=span[0], end_row=3, end_column=span[-1])
            for gi in sorted({col["group"] for col in cols if col.get("block") == label and "group" in col}):
                g_span = [c for c in span if cols[c - 1].get("group") == gi]
                ws.cell(4, g_span[0], cols[g_span[0] - 1]["group_title"])
                if len(g_span) > 1:
                    ws.merge_cells(start_row=4, start_column=g_span[0], end_row=4, end_column=g_span[-1])
        ws.row_dimensions[4].height = 32
        ws.row_dimensions[5].height = 110
        # rows: one per subject; criterion cells typed, subtotals and totals as formulas
        for i, (sid, name, cell_name) in enumerate(rows):
            r = FIRST_ROW + i
            values = {"": i + 1, "id": sid, "ten": name, "chi_bo": cell_name}
            crit_cols: list[str] = []
            sums: list[str] = []
            for c, col in enumerate(cols, 1):
                cell = ws.cell(r, c)
                cell.font, cell.border = font, box
                if col["kind"] == "text":
                    cell.value = values.get(col["key"])
                    if col["key"] == "id":
                        cell.number_format = "@"
                elif col["kind"] == "score":
                    crit_cols.append(f"{L(c)}{r}")
                    cell.alignment = Alignment(horizontal="center")
                elif col["kind"] == "sum":
                    rng = f"{crit_cols[0]}:{crit_cols[-1]}"
                    cell.value = f'=IF(COUNT({rng})=0,"",SUM({rng}))'
                    sums.append(f"{L(c)}{r}")
                    crit_cols = []
                    cell.fill, cell.font, cell.alignment = sum_fill, bold, Alignment(horizontal="center")
                elif col["kind"] == "total":
                    parts = ",".join(sums) if sums else ",".join(crit_cols)
                    cell.value = f'=IF(COUNT({parts})=0,"",SUM({parts}))'
                    sums, crit_cols = [], []
                    cell.fill, cell.font, cell.alignment = sum_fill, bold, Alignment(horizontal="center")
        for c, col in enumerate(cols, 1):
            if col["kind"] != "score":
                continue
            first = f"{L(c)}{FIRST_ROW}"
            mx = col["max"] if col["max"] is not None else 100
            dv = DataValidation(type="custom", allow_blank=True,
                                formula1=f"AND(ISNUMBER({first}),{first}>=0,{first}<={mx:g},ROUND({first},2)={first})")
            dv.errorTitle, dv.showErrorMessage = "Điểm không hợp lệ", True
            dv.error = f"Điểm của tiêu chí này là một số từ 0 đến {number(mx)}, tối đa hai chữ số thập phân."
            dv.promptTitle, dv.showInputMessage = "Điểm tiêu chí"[:32], True
            dv.prompt = f"Từ 0 đến {number(mx)} điểm, tối đa hai chữ số thập phân (ví dụ 7,5)."
            ws.add_data_validation(dv)
            dv.add(f"{L(c)}{FIRST_ROW}:{L(c)}{max(end, FIRST_ROW)}")
        ws.freeze_panes = f"{L(5 if role not in ('to-chuc-dang', 'tap-the') else 4)}{FIRST_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:5"
        guide_rows.append((SHEETS[role], cset))

    guide = wb.create_sheet(GUIDE)
    lines = [
        f"Bảng chấm điểm từng tiêu chí của {unit.info.name} – {period_line}.",
        "Mỗi trang là một bộ tiêu chí; mỗi dòng là một đối tượng (mã và tên đã ghi sẵn – không sửa cột «Mã»).",
        "Ghi điểm tự chấm và điểm thẩm định của từng tiêu chí: một số từ 0 đến điểm tối đa ghi ở tiêu đề cột, "
        "tối đa hai chữ số thập phân (7,5). Để trống tiêu chí chưa chấm; đối tượng chưa chấm thì để trống cả dòng.",
        "Chấm nhóm nào thì ghi đủ các tiêu chí của nhóm đó. Có điểm thẩm định của tiêu chí nào thì phải có điểm tự "
        "chấm của tiêu chí đó.",
        "Các cột «Cộng nhóm» và «Tổng điểm» là công thức: chương trình tự cộng lại từ điểm các tiêu chí; nếu ghi đè "
        "một số vào các cột này thì số đó phải bằng tổng điểm các tiêu chí.",
        "Dòng 6 (chữ nhỏ, màu xám) là mã cột để chương trình đọc: không sửa, không xóa.",
        "Đặt tệp vào thư mục dữ liệu của đơn vị (data/<đơn vị>/) rồi chạy: python -m pipeline validate <đơn vị>. "
        "Lỗi được chỉ ra theo ô, ví dụ 'Đảng viên'!F12.",
    ]
    for line in lines:
        guide.append([line])
    guide.append([])
    guide.append(["Trang", "Mã tiêu chí", "Nội dung tiêu chí", "Điểm tối đa"])
    for r in guide.iter_rows(min_row=guide.max_row, max_row=guide.max_row):
        for cell in r:
            cell.font = Font(bold=True)
    for sheet, cset in guide_rows:
        for gi, g in enumerate(cset.groups, 1):
            guide.append([sheet, "", f"{roman(gi)}. {g.title}", g.max])
            for c in g.criteria:
                guide.append([sheet, c.id, c.title, c.max])
    guide.column_dimensions["A"].width = 16
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 100
    guide.column_dimensions["D"].width = 12
    for row in guide.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=cell.column == 3, vertical="top")
    wb.active = 0
    return wb


def write(path: Path, unit, rules: dict, period: str = "nam") -> Path:
    """Write the scoring workbook to path; an existing file is never overwritten."""
    from . import fs
    from .scaffold import ScaffoldError

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ScaffoldError(f"tên tệp «{path}» phải có đuôi .xlsx / the file name must end in .xlsx")
    if path.exists():
        raise ScaffoldError(f"tệp «{path}» đã có; không ghi đè – hãy chọn tên khác / the file exists, nothing written")
    buf = io.BytesIO()
    workbook(unit, rules, period).save(buf)
    fs.write_bytes(path, buf.getvalue())
    return path
