"""Excel rosters (.xlsx) → located plain data, as if the office had typed a YAML file.

A roster sheet becomes `{"dang_vien": [{alias: value, …}, …]}` (and a sheet listing chi bộ
becomes `chi_bo` rows), so validation and everything downstream is unchanged.  Every value
keeps its cell: problems read `danh-sach.xlsx Sheet1!C14 ngay_sinh: …`.

How a sheet is read
  * Sheets without a recognisable header row are skipped (an instructions sheet, a cover page).
    A hidden sheet with members is read too, with a warning (they must not vanish unseen); a
    hidden chi bộ list is a drop-down's source and is skipped with a warning; the template's
    own hidden «Danh mục» sheet is skipped.  A workbook with no roster sheet at all is an error.
  * The header row is the row among the first 15 that matches the most known column names
    and has a name column; title rows above it (merged or not) are ignored, except a cell
    "Chi bộ: <tên hoặc mã>", which gives the chi bộ of every row that leaves that column empty.
    A two-level header (a merged "Điểm tự chấm" over "Chung | Kết quả | Tổng") is read as
    "Điểm tự chấm chung", … .  A row numbering the columns ("(1) (2) (3) …") is skipped.
  * Column names are matched after removing case, diacritics, punctuation, extra spaces and any
    "(…)" remark ("Ngày, tháng, năm sinh", "HỌ VÀ TÊN", "Ho va ten", "Tổng điểm (tối đa 100)"),
    then against a list of the variants offices write (HEADERS below), then by close spelling.
    Legacy-encoded (TCVN3/VNI) headers are repaired first.  An unknown column is a warning
    naming it, never an error; "STT", "Ghi chú", "Ký tên" are known and ignored.
  * Blank rows are skipped.  After the first blank row that follows data, rows without a name
    are a footer (date line, signatures) and ignored; "Tổng cộng …" rows are ignored anywhere.
  * Values: real Excel dates, or dates typed as text ("07/11/2025", "7-11-2025",
    "ngày 7 tháng 11 năm 2025"); numbers typed as text with a decimal comma ("86,5"); "x"/"có"
    for yes; "Nữ"/"Nam"; roles and statuses in words ("Lãnh đạo", "Miễn sinh hoạt").  A value
    that cannot be read is passed on unchanged, so the model reports it at its cell.
  * Scores go to the year's review (`danh_gia.nam`).

The scoring workbook (template-xlsx --cham-diem, pipeline/scoresheet.py)
  * A sheet with a key row (a cell «id» and keys tu_cham.tieu_chi.<mã>, tu_cham.chung …, the first cell
    «bo=<vai trò>; ky=<kỳ>») is a scoring sheet, whatever its name: each row with points becomes a
    `cham_diem` entry {doi_tuong, ten, bo, ky, tu_cham: {tieu_chi, …}, tham_dinh: …} located by cell,
    which validation puts into that subject's review. Rows without points are skipped.
  * Totals: a cell holding a formula is not read (validation adds the criteria up); a formula whose
    saved value differs from its criteria's sum is a warning at its cell; a number typed over the
    formula is a total given, checked against the criteria.

Choices to know about
  * "Chi bộ" may hold the chi bộ's id (`cb-thon-a`), or its name, or "Tên (mã)" as in the
    template's drop-down list.  A name is turned into an id by the convention
    `cb-` + slug of the name without the words "Chi bộ": "Chi bộ thôn Lùng Phình" and
    "Thôn Lùng Phình" both give `cb-thon-lung-phinh`.  Intake does not know the chi bộ of other
    files, so validation matches that id (and suggests the closest one when it is wrong).
  * Without a "Mã" column (or with an empty Mã cell) a member's id is made from the file and the
    row: `danh-sach-014` (on a second sheet `danh-sach-<sheet>-014`).  Ids stay the same as long
    as rows are not inserted or deleted; a warning says so, because tap-the.yaml or a chi bộ's
    `bi_thu` must use ids.  A chi bộ sheet without ids uses the name convention above.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import Problem, Where, error, warning
from ..scaffold import INSTRUCTIONS, LISTS   # the templates' instructions; the hidden sheet of drop-down lists
from ..vn import nfc, number
from . import archive
from . import text as textfix
from .legacy import repair as _repair   # headers typed in .VnTime are repaired too
from .source import SourceFile

HEADER_SCAN_ROWS = 15
MAX_UNPACKED = 100 * 1024 * 1024   # a workbook's XML; a roster of 10,000 members is about 15 MB
MAX_BLANK_ROWS = 1000          # stop reading a sheet after this many blank rows in a row
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
ANY_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

# ---------------------------------------------------------------- column names

_SELF = ("điểm tự chấm", "tự chấm", "tự chấm điểm", "điểm tự đánh giá", "tự đánh giá", "điểm tự chấm năm")
_VET = ("điểm thẩm định", "thẩm định", "thẩm định điểm", "điểm do cấp có thẩm quyền thẩm định")
_GENERAL = ("chung", "điểm chung", "tiêu chí chung", "nhóm tiêu chí chung", "điểm tiêu chí chung",
            "điểm nhóm tiêu chí chung", "nhóm chung")
_RESULTS = ("kết quả", "điểm kết quả", "kết quả thực hiện nhiệm vụ", "điểm kết quả thực hiện nhiệm vụ",
            "tiêu chí kết quả thực hiện nhiệm vụ", "nhóm tiêu chí kết quả thực hiện nhiệm vụ",
            "thực hiện nhiệm vụ", "nhóm kết quả", "nhóm kết quả thực hiện nhiệm vụ")
_TOTAL = ("", "tổng", "tổng điểm", "tổng cộng", "cộng", "tổng số", "tổng số điểm")


def _scores(prefixes, target):
    out = {f"{target}.chung": [], f"{target}.ket_qua": [], f"{target}.tong": []}
    if target.endswith("tu_cham"):   # without a prefix, a score is the self-assessed one
        out[f"{target}.chung"] += [c for c in _GENERAL if c != "chung"]
        out[f"{target}.ket_qua"] += [c for c in _RESULTS if c not in ("kết quả", "thực hiện nhiệm vụ")]
    for p in prefixes:
        out[f"{target}.chung"] += [f"{p} {c}" for c in _GENERAL]
        out[f"{target}.ket_qua"] += [f"{p} {c}" for c in _RESULTS]
        out[f"{target}.tong"] += [f"{c} {p}".strip() for c in _TOTAL] + [f"{p} {c}".strip() for c in _TOTAL]
    return out


_SELF_SCORES = _scores(_SELF, "danh_gia.nam.tu_cham")
_VET_SCORES = _scores(_VET, "danh_gia.nam.tham_dinh")

# target key (dotted for nesting) → the headers offices write; "_…" targets are handled here.
MEMBER_HEADERS: dict[str, list[str]] = {
    "_skip": ["STT", "Số TT", "Số thứ tự", "TT", "Ghi chú", "Chữ ký", "Ký tên", "Ký nhận", "Ký xác nhận"],
    "id": ["Mã", "Mã đảng viên", "Mã ĐV", "Mã số", "Mã số đảng viên", "ID", "Mã định danh"],
    "ho_ten": ["Họ và tên", "Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên",
               "Đảng viên", "Họ và tên khai sinh", "Họ, chữ đệm và tên"],
    "_ho_dem": ["Họ", "Họ đệm", "Họ và đệm", "Họ và tên đệm", "Họ và chữ đệm", "Họ, chữ đệm"],
    "_ten": ["Tên"],
    "gioi_tinh": ["Giới tính", "Giới", "Nam/Nữ", "Nam nữ", "Phái"],
    "ngay_sinh": ["Ngày sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Sinh ngày", "Ngày/tháng/năm sinh"],
    "ngay_vao_dang": ["Ngày vào Đảng", "Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày kết nạp vào Đảng",
                      "Ngày tháng năm vào Đảng", "Ngày, tháng, năm vào Đảng", "Vào Đảng", "Ngày vào Đảng dự bị"],
    "ngay_chinh_thuc": ["Ngày chính thức", "Ngày công nhận chính thức", "Ngày công nhận đảng viên chính thức",
                        "Chính thức", "Ngày vào Đảng chính thức", "Ngày, tháng, năm chính thức"],
    "chi_bo": ["Chi bộ", "Chi bộ sinh hoạt", "Sinh hoạt tại chi bộ", "Tên chi bộ", "Mã chi bộ", "Thuộc chi bộ",
               "Nơi sinh hoạt"],
    "chuc_vu_dang": ["Chức vụ", "Chức vụ Đảng", "Chức vụ trong Đảng", "Chức vụ đảng ủy", "Chức vụ cấp ủy"],
    "chuc_vu_chinh_quyen": ["Chức vụ chính quyền", "Chức vụ chuyên môn", "Chức vụ CQ", "Chức vụ công tác",
                            "Chức danh", "Chức vụ chính quyền, chuyên môn", "Chức vụ, chức danh"],
    "chuc_vu_doan_the": ["Chức vụ đoàn thể", "Chức vụ MTTQ, đoàn thể", "Chức vụ Mặt trận, đoàn thể", "Đoàn thể"],
    "don_vi_cong_tac": ["Đơn vị công tác", "Nơi công tác", "Cơ quan công tác", "Nơi làm việc", "Đơn vị",
                        "Cơ quan, đơn vị công tác", "Nghề nghiệp"],
    "vai_tro": ["Vai trò", "Đối tượng", "Đối tượng đánh giá"],
    "_lanh_dao": ["Lãnh đạo", "Lãnh đạo, quản lý", "Là lãnh đạo", "Cán bộ lãnh đạo, quản lý", "LĐQL",
                  "Lãnh đạo quản lý"],
    "trang_thai": ["Trạng thái", "Tình trạng", "Tình trạng sinh hoạt", "Trạng thái sinh hoạt",
                   "Tình trạng sinh hoạt Đảng"],
    "nhom": ["Nhóm", "Nhóm so sánh", "Nhóm đánh giá", "Nhóm xếp loại"],
    "ngay_bo_nhiem": ["Ngày bổ nhiệm", "Ngày bổ nhiệm chức vụ", "Ngày giữ chức vụ"],
    "moi_chuyen_den": ["Mới chuyển đến", "Chuyển đến trong năm", "Mới chuyển đến trong năm"],
    "thu_tu": ["Thứ tự", "Thứ tự ưu tiên", "Thứ tự trong danh sách"],
    **{k: v + (["Điểm tự chấm", "Tổng điểm", "Tổng điểm tự chấm", "Điểm"] if k.endswith("tong") else [])
       for k, v in _SELF_SCORES.items()},
    **_VET_SCORES,
    "danh_gia.nam.tu_xep_loai": ["Tự xếp loại", "Tự nhận mức xếp loại", "Mức tự xếp loại", "Tự nhận xếp loại",
                                 "Tự đánh giá xếp loại", "Cá nhân tự xếp loại", "Tự nhận mức", "Tự xếp loại chất lượng",
                                 "Tự nhận mức xếp loại chất lượng", "Đề xuất xếp loại", "Mức xếp loại tự nhận"],
    "danh_gia.nam.xep_loai": ["Xếp loại", "Mức xếp loại", "Kết quả xếp loại", "Cấp có thẩm quyền xếp loại",
                              "Xếp loại chất lượng", "Xếp loại của cấp có thẩm quyền"],
    "danh_gia.nam.hoan_thanh": ["Tỷ lệ hoàn thành", "Tỉ lệ hoàn thành", "% hoàn thành",
                                "Tỷ lệ nhiệm vụ hoàn thành", "Tỷ lệ hoàn thành nhiệm vụ"],
    "danh_gia.nam.vuot": ["Tỷ lệ vượt", "Tỉ lệ vượt", "% vượt", "Vượt chỉ tiêu", "Tỷ lệ vượt chỉ tiêu",
                          "Tỷ lệ nhiệm vụ vượt chỉ tiêu"],
}

CELL_HEADERS: dict[str, list[str]] = {
    "_skip": ["STT", "Số TT", "Số thứ tự", "TT", "Ghi chú"],
    "id": ["Mã", "Mã chi bộ", "Mã số", "ID"],
    "ten": ["Tên chi bộ", "Chi bộ", "Tên chi bộ trực thuộc", "Chi bộ trực thuộc", "Tổ chức đảng", "Tên tổ chức đảng"],
    "loai": ["Loại", "Loại chi bộ", "Loại hình", "Loại hình chi bộ"],
    "bi_thu": ["Bí thư", "Bí thư chi bộ", "Mã bí thư", "Đồng chí bí thư"],
    "ngay_thanh_lap": ["Ngày thành lập"],
    "nhom": ["Nhóm", "Nhóm so sánh"],
    "thu_tu": ["Thứ tự"],
    **{k: v + (["Điểm tự chấm", "Tổng điểm", "Tổng điểm tự chấm", "Điểm"] if k.endswith("tong") else [])
       for k, v in _SELF_SCORES.items()},
    **_VET_SCORES,
    "danh_gia.nam.tu_xep_loai": MEMBER_HEADERS["danh_gia.nam.tu_xep_loai"],
    "danh_gia.nam.xep_loai": MEMBER_HEADERS["danh_gia.nam.xep_loai"],
}

DATE_KEYS = {"ngay_sinh", "ngay_vao_dang", "ngay_chinh_thuc", "ngay_bo_nhiem", "ngay_thanh_lap"}
NUMBER_KEYS = {k for k in MEMBER_HEADERS if k.startswith("danh_gia.") and not k.endswith("xep_loai")} | {"thu_tu"}
ROLES = {"lanh dao": "lanh-dao", "lanh dao quan ly": "lanh-dao", "can bo lanh dao quan ly": "lanh-dao",
         "ldql": "lanh-dao", "khong lanh dao": "khong-lanh-dao", "dang vien": "khong-lanh-dao",
         "khong": "khong-lanh-dao", "ngoai he thong": "ngoai-he-thong", "ngoai htct": "ngoai-he-thong",
         "ngoai he thong chinh tri": "ngoai-he-thong"}
STATUSES = {"sinh hoat": "sinh-hoat", "dang sinh hoat": "sinh-hoat", "binh thuong": "sinh-hoat",
            "mien sinh hoat": "mien-sinh-hoat", "mien cong tac va sinh hoat": "mien-sinh-hoat",
            "mien cong tac sinh hoat": "mien-sinh-hoat", "mien": "mien-sinh-hoat",
            "dinh chi": "dinh-chi", "dinh chi sinh hoat": "dinh-chi", "nghi om": "nghi-om", "om dau": "nghi-om",
            "om": "nghi-om", "nghi thai san": "nghi-thai-san", "thai san": "nghi-thai-san"}
CELL_KINDS = {"thon": "thon", "ban": "thon", "to dan pho": "to-dan-pho", "co quan": "co-quan",
              "truong hoc": "truong-hoc", "truong": "truong-hoc", "tram y te": "tram-y-te", "y te": "tram-y-te",
              "luc luong vu trang": "luc-luong-vu-trang", "cong an": "luc-luong-vu-trang",
              "quan su": "luc-luong-vu-trang", "doanh nghiep": "doanh-nghiep", "khac": "khac"}
YES = {"x", "co", "1", "true", "yes", "v", "✓", "✔", "dung", "phai"}
NO = {"", "khong", "0", "false", "no", "-"}
SEXES = {"nam": "nam", "nu": "nu", "n": "nu", "male": "nam", "female": "nu"}


def plain(text: str) -> str:
    """Lower-case ASCII: "Họ  và TÊN:" → "họ  và tên:" without marks → "ho  va ten:"."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower()


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain(text)).split())


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", plain(text)).strip("-")


def _fix_legacy(text: str) -> str:
    try:
        return _repair(text).text
    except Exception:  # the converter must never stop intake
        return text


def _index(table: dict[str, list[str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for target, names in table.items():
        for n in names:
            out.setdefault(_words(n), target)
    return out


_MEMBER_INDEX = _index(MEMBER_HEADERS)
_CELL_INDEX = _index(CELL_HEADERS)


def match_header(text, index: dict[str, str]) -> str | None:
    """Target key of a header cell, or None when it is not a known column."""
    if text is None:
        return None
    raw = unicodedata.normalize("NFC", _fix_legacy(str(text)))
    full = _words(raw)
    if not full:
        return None
    short = _words(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", raw))
    for cand in (full, short):
        if cand in index:
            return index[cand]
    close = difflib.get_close_matches(short or full, list(index), n=1, cutoff=0.88)
    return index[close[0]] if close else None


# ---------------------------------------------------------------- values


def _number(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() else round(v, 6)
    if isinstance(v, str):
        s = v.strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
        if re.fullmatch(r"[+-]?\d+([.,]\d+)?", s):
            x = float(s.replace(",", "."))
            return int(x) if x.is_integer() else x
    return v


_VN_DATE = re.compile(r"ngay\s*(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})")


def _date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 3653 <= v <= 73051:
        # an Excel date serial in a cell formatted as a number (1910–2099)
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(v))
    if isinstance(v, str):
        s = re.sub(r"\s+0?0:00(:00)?\s*$", "", v.strip())
        m = _VN_DATE.search(plain(s))
        if m:
            return "{}/{}/{}".format(*m.groups())
        return s
    return v


def _text(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    return v


def _word_map(v, table: dict[str, str], dash: bool = True):
    """Known words → code; a code already ("lanh-dao") stays; anything else passes to the model."""
    if not isinstance(v, str):
        return v
    w = _words(v)
    if w in table:
        return table[w]
    if dash and w.replace(" ", "-") in table.values():
        return w.replace(" ", "-")
    return v


def _yes(v):
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return bool(v)
    w = _words(v) if isinstance(v, str) else None
    if w in YES or (isinstance(v, str) and v.strip() in YES):
        return True
    if w in NO:
        return False
    return None


def cell_id(v) -> str:
    """The chi bộ id in a "Chi bộ" cell: an id, "Tên (mã)", or a name → cb-<slug of the name>."""
    s = str(_text(v)).strip()
    m = re.search(r"\(([A-Za-z0-9][A-Za-z0-9_.-]*)\)\s*$", s)
    if m:
        return m.group(1)
    if ID_RE.match(s):
        return s
    base = slug(s)
    for prefix in ("chi-bo-", "cb-"):
        if base.startswith(prefix):
            base = base[len(prefix):]
    return "cb-" + base if base else s


def _convert(key: str, v):
    """A cell's value for the data key `key` (dotted for nested keys)."""
    if key in DATE_KEYS:
        return _date(v)
    if key in NUMBER_KEYS:
        return _number(v)
    v = _text(v)
    if key == "gioi_tinh":
        return _word_map(v, SEXES, dash=False)
    if key == "vai_tro":
        return _word_map(v, ROLES)
    if key == "trang_thai":
        return _word_map(v, STATUSES)
    if key == "loai":
        return _word_map(v, CELL_KINDS)
    if key == "chi_bo":
        return cell_id(v)
    if key == "moi_chuyen_den":
        yes = _yes(v)
        return v if yes is None else yes
    if isinstance(v, str):
        return v.strip()
    return v


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


# ---------------------------------------------------------------- the located source


@dataclass
class SheetSource(SourceFile):
    """A SourceFile whose values sit in cells: lines hold the row, cells the label Sheet1!C14."""

    cells: dict = field(default_factory=dict)   # data path → "Sheet1!C14" (or "Sheet1 dòng 14")

    def where(self, path) -> Where:
        p = tuple(path)
        while p:
            if p in self.cells:
                return Where(self.rel, self.lines.get(p, 0), self.cells[p])
            p = p[:-1]
        return Where(self.rel)


def sheet_ref(title: str) -> str:
    return title if re.fullmatch(r"[A-Za-z0-9_]+", title) else "'" + title.replace("'", "''") + "'"


# ---------------------------------------------------------------- header detection


@dataclass
class Header:
    top: int                       # first header row
    data_start: int                # first row after the header (and its sub-header row)
    columns: dict[int, str]        # column (1-based) → target key
    labels: dict[int, str]         # column → header text as written (parent + sub-header)
    rows: dict[int, int]           # column → row of its header cell
    unknown: dict[int, str]        # column → header text not recognised
    kind: str                      # "dang_vien" or "chi_bo"
    score: int


def _merged_map(ws) -> tuple[dict, set]:
    """(row, col) → top-left (row, col) of every merged cell; and the horizontally merged cells."""
    anchors, wide = {}, set()
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                anchors[(r, c)] = (rng.min_row, rng.min_col)
                if rng.max_col > rng.min_col:
                    wide.add((r, c))
    return anchors, wide


def _texts(ws, merged, r: int, ncol: int) -> dict[int, str]:
    out = {}
    for c in range(1, ncol + 1):
        v = ws.cell(*merged.get((r, c), (r, c))).value
        if isinstance(v, str) and v.strip():
            out[c] = v.strip()
    return out


def _labels(ws, merged, wide, r: int, ncol: int):
    """Header texts of row r, folding in a sub-header row r+1 under merged parents.

    Returns (labels, rows, lower, data_start): column → text, column → header row, column → the
    sub-header text alone."""
    top = _texts(ws, merged, r, ncol)
    sub: dict[int, str] = {}
    distinct = {merged.get((r, c), (r, c)) for c in top}
    if len(distinct) >= 2 and r < ws.max_row:
        for c in range(1, ncol + 1):
            if merged.get((r + 1, c), (r + 1, c)) != (r + 1, c):   # inside a merge from above/left
                continue
            v = ws.cell(r + 1, c).value
            if _empty(v):
                continue
            if not isinstance(v, str):
                sub = {}
                break
            sub[c] = v.strip()
        # a sub-header row sits under at least one merged parent, and only under merged parents
        # or empty top cells
        if not any((r, c) in wide for c in sub) or not all((r, c) in wide or c not in top for c in sub):
            sub = {}
    labels, rows = {}, {}
    for c, text in top.items():
        anchor = merged.get((r, c), (r, c))
        if c in sub:
            labels[c], rows[c] = f"{text} {sub[c]}", r + 1
        elif anchor[1] == c:               # a wide header without sub-header counts once
            labels[c], rows[c] = text, anchor[0]
    for c, text in sub.items():
        if c not in top:
            labels[c], rows[c] = text, r + 1
    return labels, rows, sub, (r + 2 if sub else r + 1)


def find_header(ws) -> Header | None:
    """The best header row among the first HEADER_SCAN_ROWS rows, or None."""
    merged, wide = _merged_map(ws)
    ncol = min(ws.max_column, 200)
    best: Header | None = None
    for r in range(1, min(HEADER_SCAN_ROWS, ws.max_row) + 1):
        labels, rows, lower, start = _labels(ws, merged, wide, r, ncol)
        if len(labels) < 2:
            continue
        member_cols = {c: match_header(t, _MEMBER_INDEX) or match_header(lower.get(c), _MEMBER_INDEX)
                       for c, t in labels.items()}
        for kind, index, needs in (("dang_vien", _MEMBER_INDEX, ("ho_ten", "_ten")),
                                   ("chi_bo", _CELL_INDEX, ("ten",))):
            if kind == "chi_bo" and {"ho_ten", "_ten"} & set(member_cols.values()):
                continue
            cols = member_cols if kind == "dang_vien" else {
                c: match_header(t, index) or match_header(lower.get(c), index) for c, t in labels.items()}
            known = {c: t for c, t in cols.items() if t}
            targets = set(known.values()) - {"_skip"}
            if not any(n in targets for n in needs) or len(targets) < 2:
                continue
            unknown = {c: labels[c] for c, t in cols.items() if not t}
            score = 2 * len(targets) - len(unknown)
            if best is None or score > best.score:
                best = Header(r, start, known, labels, rows, unknown, kind, score)
    return best


def _title_chi_bo(ws, header: Header):
    """A "Chi bộ: Thôn A" cell above the header: (text, row, column) or None."""
    if header.top <= 1:
        return None
    for row in ws.iter_rows(min_row=1, max_row=header.top - 1):
        for cell in row:
            if isinstance(cell.value, str):
                m = re.match(r"^\s*chi\s+bo\s*[:：]\s*(\S.*)$", plain(nfc(_fix_legacy(cell.value))))
                if m:
                    text = nfc(_fix_legacy(cell.value))
                    return text[text.index(":") + 1:].strip() if ":" in text else m.group(1), cell.row, cell.column
    return None


# ---------------------------------------------------------------- reading

_NUMBERING = re.compile(r"^\(?[0-9]{1,2}\)?$|^\(?[A-Za-z]\)?$")
_TOTAL_ROW = re.compile(r"^(tong cong|tong so|cong$)")


def _is_numbering(values: list) -> bool:
    """A row numbering the columns under the header: (1) (2) (3) … or A B 1 2 …"""
    vals = [v for v in values if not _empty(v)]
    return len(vals) >= 3 and all(_NUMBERING.match(str(_text(v)).strip()) for v in vals)


def _nest(flat: dict) -> dict:
    out: dict = {}
    for key, v in flat.items():
        *parents, last = key.split(".")
        d = out
        for p in parents:
            d = d.setdefault(p, {})
        d[last] = v
    return out


@dataclass
class _Row:
    section: str
    row: int
    ref: str                       # sheet reference for labels
    raw: dict                      # target → raw cell value
    where: dict                    # target → "Sheet1!C14"
    title: tuple | None            # the "Chi bộ: …" cell above the header
    has_id: bool
    sheet_tag: str


def _data_key(target: str) -> str:
    return {"_ho_dem": "ho_ten", "_ten": "ho_ten", "_lanh_dao": "vai_tro"}.get(target, target)


def _open(path: Path, data_only: bool = True):
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_workbook(path, data_only=data_only)


def _rows(ws, rel: str, n_sheet: int, problems: list[Problem]) -> list[_Row]:
    from openpyxl.utils import get_column_letter

    header = find_header(ws)
    if header is None:
        return None
    ref = sheet_ref(ws.title)

    def label(r: int, c: int) -> str:
        return f"{ref}!{get_column_letter(c)}{r}"

    for c, text in sorted(header.unknown.items()):
        problems.append(warning(Where(rel, header.rows[c], label(header.rows[c], c)), "",
                                f"cột «{text}» không có trong mẫu dữ liệu, bỏ qua cột này"))
    columns: dict[int, str] = {}
    first: dict[str, int] = {}
    for c, t in sorted(header.columns.items()):
        if t == "_skip":
            continue
        if t in first:
            problems.append(warning(Where(rel, header.rows[c], label(header.rows[c], c)), "",
                                    f"cột «{header.labels[c]}» trùng nghĩa với cột «{header.labels[first[t]]}» "
                                    f"({get_column_letter(first[t])}); chỉ dùng cột {get_column_letter(first[t])}"))
            continue
        first[t] = c
        columns[c] = t
    section = header.kind
    name_keys = ("ho_ten", "_ho_dem", "_ten") if section == "dang_vien" else ("ten",)
    title = _title_chi_bo(ws, header) if section == "dang_vien" and "chi_bo" not in first else None
    merged, _ = _merged_map(ws)
    ncol = max(list(header.labels) + [1])
    out: list[_Row] = []
    seen_blank = False
    blanks = 0
    for r, values in enumerate(ws.iter_rows(min_row=header.data_start, max_col=ncol, values_only=True),
                               start=header.data_start):
        values = list(values) + [None] * (ncol - len(values))
        at = {}
        for c in columns:                      # a value merged down over several rows (a chi bộ)
            anchor = merged.get((r, c))
            if anchor and anchor != (r, c) and anchor[0] >= header.data_start:
                values[c - 1] = ws.cell(*anchor).value
                at[c] = label(*anchor)
        if all(_empty(v) for v in values):
            seen_blank = seen_blank or bool(out)
            blanks += 1
            if blanks > MAX_BLANK_ROWS:        # formatted but empty rows down to the sheet's end
                break
            continue
        blanks = 0
        if _is_numbering(values):
            continue
        raw = {t: values[c - 1] for c, t in columns.items() if not _empty(values[c - 1])}
        name = " ".join(str(_text(raw[k])) for k in name_keys if k in raw)
        if name and _TOTAL_ROW.match(_words(name)):
            continue
        if not raw or (seen_blank and not name):
            continue                           # a footer: date line, signatures
        if not name and "id" not in raw and len(raw) == 1:
            problems.append(warning(Where(rel, r, f"{ref} dòng {r}"), "",
                                    f"dòng {r} chỉ có một ô ghi và không có tên; bỏ qua dòng này"))
            continue
        where = {t: at.get(c, label(r, c)) for c, t in columns.items()}
        out.append(_Row(section, r, ref, raw, where, title, "id" in first,
                        "" if n_sheet == 0 else f"-{slug(ws.title) or n_sheet + 1}"))
    return out


def read(path: Path, rel: str) -> tuple[SourceFile | None, list[Problem]]:
    """Read one workbook. Returns (None, problems) when nothing usable could be read."""
    if path.suffix.lower() == ".xls":
        return None, [error(Where(rel), "", "tệp Excel 97-2003 (.xls) chưa đọc được; hãy mở bằng Excel và chọn "
                                            "File → Save As → Excel Workbook (.xlsx)")]
    try:       # a workbook is a ZIP: a bomb is refused before openpyxl unpacks it
        archive.verify(path, "tệp Excel", MAX_UNPACKED)
    except archive.Unsafe as exc:
        return None, [error(Where(rel), "", f"{exc} – không đọc tệp Excel này")]
    except Exception:   # not a ZIP at all, or damaged: openpyxl's failure below says so
        pass
    try:
        wb = _open(path)
    except Exception:  # zipfile.BadZipFile, InvalidFileException, KeyError …: a damaged file
        return None, [error(Where(rel), "", "không mở được tệp Excel (tệp hỏng, có đặt mật khẩu, hoặc không "
                                            "phải .xlsx); hãy mở tệp bằng Excel và lưu lại dạng .xlsx")]
    problems: list[Problem] = []
    rows: list[_Row] = []
    found = False
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    # our templates' instruction sheet («Hướng dẫn»: a list of columns or criteria) is never data
    visible = [ws for ws in visible if ws.title != INSTRUCTIONS]
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible" and ws.title not in (LISTS, INSTRUCTIONS)]
    scoring: list[tuple] = []
    n = 0
    for ws in visible + hidden:     # visible first: their generated ids stay as they were
        layout = _score_layout(ws)
        if layout is not None:      # a sheet of the scoring workbook (template-xlsx --cham-diem)
            if ws in hidden:
                problems.append(warning(Where(rel, 1, f"{sheet_ref(ws.title)}!A1"), "",
                                        f"trang «{ws.title}» đang bị ẩn nhưng là bảng chấm điểm; đã đọc cả trang này "
                                        "(nếu không dùng, hãy xóa trang)"))
            scoring.append((ws, layout))
            found = True
            continue
        if ws in hidden and not _hidden_is_read(ws, rel, problems):
            continue
        got = _rows(ws, rel, n, problems)
        n += 1
        if got is not None:
            found = True
            rows += got
    if not found:
        return None, problems + [error(Where(rel), "", "không tìm thấy dòng tiêu đề của bảng trong "
                                       f"{HEADER_SCAN_ROWS} dòng đầu: cần cột «Họ và tên» (danh sách đảng viên) "
                                       "hoặc «Tên chi bộ» (danh sách chi bộ) và ít nhất một cột khác")]

    # Text hygiene first (NFC, TCVN3/VNI repair), on the raw values, then interpretation.
    # Each row gets a pseudo-line (its index + 1) so the text warnings can be put at their cell.
    raw = {"rows": [r.raw for r in rows]}
    pseudo = {("rows", i, t): i + 1 for i, r in enumerate(rows) for t in r.raw}
    text_problems: list[Problem] = []
    fixed, _ = textfix.normalise(raw, pseudo, rel, text_problems)
    for p in text_problems:
        row = rows[p.where.line - 1] if 0 < p.where.line <= len(rows) else None
        target = p.field.split(".", 1)[1] if "." in p.field else ""
        if row is not None and target in row.where:
            p = dataclasses.replace(p, where=Where(rel, row.row, row.where[target]), field=_data_key(target))
        problems.append(p)

    stem = slug(Path(rel).stem) or "excel"
    data: dict = {}
    lines: dict = {}
    cells: dict = {}
    names: dict[str, list[str]] = {}
    warned: set = set()
    for section in ("chi_bo", "dang_vien"):
        mine = [(r, v) for r, v in zip(rows, fixed["rows"]) if r.section == section]
        if not mine:
            continue
        items = []
        for i, (row, values) in enumerate(mine):
            base = (section, i)
            lines[base], cells[base] = row.row, f"{row.ref} dòng {row.row}"
            for t, lab in row.where.items():
                path = base + tuple(_data_key(t).split("."))
                lines[path] = row.row
                cells.setdefault(path, lab)
                for k in range(len(base) + 1, len(path)):
                    lines.setdefault(path[:k], row.row)
            item = _interpret(section, row, values, rel, problems)
            if "id" not in item:
                if section == "chi_bo":
                    if isinstance(item.get("ten"), str):
                        item["id"] = cell_id(item["ten"])
                else:
                    item["id"] = f"{stem}{row.sheet_tag}-{row.row:03d}"
                    if row.ref not in warned:
                        warned.add(row.ref)
                        what = "có dòng để trống cột «Mã đảng viên»" if row.has_id else "không có cột «Mã đảng viên»"
                        problems.append(warning(Where(rel, row.row, f"{row.ref} dòng {row.row}"), "id",
                                                f"trang {row.ref} {what}: mã được đặt theo tệp và dòng "
                                                f"({item['id']}, …) và sẽ đổi nếu chèn hay xóa dòng; hãy ghi mã "
                                                "nếu tập thể hoặc chi bộ cần nhắc đến đảng viên"))
            if section == "dang_vien" and "chi_bo" not in item and row.title is not None:
                from openpyxl.utils import get_column_letter
                text, tr, tc = row.title
                item["chi_bo"] = cell_id(text)
                lines[base + ("chi_bo",)], cells[base + ("chi_bo",)] = tr, f"{row.ref}!{get_column_letter(tc)}{tr}"
            if section == "dang_vien" and isinstance(item.get("ho_ten"), str):
                names.setdefault(_words(item["ho_ten"]), []).append(str(item["id"]))
            items.append(_nest(item))
        data[section] = items
    for cell in data.get("chi_bo", []):        # a chi bộ sheet naming its secretary in this workbook
        b = cell.get("bi_thu")
        if isinstance(b, str) and not ANY_ID_RE.match(b) and len(names.get(_words(b), [])) == 1:
            cell["bi_thu"] = names[_words(b)][0]
    if scoring:
        entries = _score_entries(path, rel, scoring, lines, cells, problems)
        if entries:
            data[SCORE_ROWS] = entries
    if not data:
        problems.append(warning(Where(rel), "", "bảng tính chưa có dòng dữ liệu nào"))
    return SheetSource(rel, data, lines, cells), problems


# ---------------------------------------------------------------- the scoring workbook

SCORE_ROWS = "cham_diem"       # validate.py puts each row into its subject's review
SCORE_BLOCKS = {"tu_cham": "tự chấm", "tham_dinh": "thẩm định"}
SCORE_SUMS = ("chung", "ket_qua", "tong")
_META = re.compile(r"(bo|ky)\s*=\s*([A-Za-z0-9_-]+)")


@dataclass
class ScoreLayout:
    row: int                       # the key row (pipeline/scoresheet.py: KEY_ROW)
    keys: dict[int, str]           # column → key: id, ten, tu_cham.tieu_chi.<mã>, tu_cham.chung …
    meta: dict[str, str]           # bo (the criteria set's role), ky (nam, quy_1 …)
    meta_column: int


def _score_layout(ws) -> ScoreLayout | None:
    """The key row of a scoring sheet among the first rows: a cell «id» and keys tu_cham.… / tham_dinh.…"""
    for r, values in enumerate(ws.iter_rows(min_row=1, max_row=min(HEADER_SCAN_ROWS, ws.max_row), values_only=True), 1):
        keys = {c: v.strip() for c, v in enumerate(values, 1) if isinstance(v, str) and v.strip()}
        if "id" not in keys.values() or not any(k.startswith(tuple(f"{b}." for b in SCORE_BLOCKS))
                                                 for k in keys.values()):
            continue
        meta, column = {}, 0
        for c, k in keys.items():
            found = dict(_META.findall(k))
            if found:
                meta, column = found, c
        return ScoreLayout(r, {c: k for c, k in keys.items() if c != column}, meta, column)
    return None


def _score_entries(path: Path, rel: str, sheets: list, lines: dict, cells: dict,
                   problems: list[Problem]) -> list[dict]:
    """The rows of the scoring sheets → `cham_diem` entries located by cell. What a total's formula shows
    is not read: validation computes the totals from the criteria; a number typed over a formula is a
    total given (compared with them); a formula showing another sum than its criteria is a warning."""
    from openpyxl.utils import get_column_letter as L

    try:
        formulas = _open(path, data_only=False)
    except Exception:   # opened once already: only a race could fail here
        formulas = None
    out: list[dict] = []
    for ws, lay in sheets:
        ref = sheet_ref(ws.title)
        fws = formulas[ws.title] if formulas is not None and ws.title in formulas.sheetnames else None
        at_meta = Where(rel, lay.row, f"{ref}!{L(lay.meta_column or 1)}{lay.row}")
        if "bo" not in lay.meta:
            problems.append(error(at_meta, "bo", f"trang «{ws.title}» không ghi bộ tiêu chí ở dòng mã cột {lay.row} "
                                                 "(ô đầu dòng: «bo=…; ky=…»); hãy lấy lại bảng chấm điểm bằng "
                                                 "template-xlsx --cham-diem"))
            continue
        columns: dict[int, tuple[str, str, str]] = {}     # column → (block, kind, name): kind tieu_chi | sum
        parts: dict[int, list[int]] = {}                   # a total's column → the criterion columns it adds
        pending: dict[str, list[int]] = {b: [] for b in SCORE_BLOCKS}
        every: dict[str, list[int]] = {b: [] for b in SCORE_BLOCKS}
        for c, key in sorted(lay.keys.items()):
            if key in ("id", "ten", "chi_bo", "ghi_chu"):
                continue
            block, _, rest = key.partition(".")
            if block in SCORE_BLOCKS and rest.startswith("tieu_chi.") and rest[9:]:
                columns[c] = (block, "tieu_chi", rest[9:])
                pending[block].append(c)
                every[block].append(c)
            elif block in SCORE_BLOCKS and rest in SCORE_SUMS:
                columns[c] = (block, "sum", rest)
                parts[c] = list(every[block] if rest == "tong" else pending[block])
                pending[block] = []
            else:
                problems.append(warning(Where(rel, lay.row, f"{ref}!{L(c)}{lay.row}"), "",
                                        f"mã cột «{key}» không có trong bảng chấm điểm; bỏ qua cột này"))
        id_col = next((c for c, k in lay.keys.items() if k == "id"), None)
        name_col = next((c for c, k in lay.keys.items() if k == "ten"), None)
        for r in range(lay.row + 1, ws.max_row + 1):
            def label(c: int) -> str:
                return f"{ref}!{L(c)}{r}"

            def value(c: int):
                return ws.cell(r, c).value

            def formula(c: int) -> bool:
                v = fws.cell(r, c).value if fws is not None else None
                return isinstance(v, str) and v.startswith("=")

            sid = value(id_col) if id_col else None
            sid = None if _empty(sid) else str(_text(sid)).strip()
            name = value(name_col) if name_col else None
            name = None if _empty(name) else " ".join(nfc(_fix_legacy(str(_text(name)))).split())
            item: dict = {}
            where: dict = {}
            for c, (block, kind, what) in columns.items():
                v = value(c)
                if kind == "sum" and formula(c):
                    got = [value(k) for k in parts[c] if isinstance(_number(value(k)), (int, float))]
                    shown = _number(v)
                    if got and isinstance(shown, (int, float)) and not isinstance(shown, bool) \
                            and abs(shown - sum(_number(x) for x in got)) > 0.005:
                        problems.append(warning(Where(rel, r, label(c)), f"{block}.{what}",
                                                f"ô công thức {SCORE_BLOCKS[block]} hiện {number(shown)} nhưng cộng điểm "
                                                f"các tiêu chí được {number(round(sum(_number(x) for x in got), 2))} "
                                                "(công thức bị sửa?): chương trình dùng tổng các tiêu chí"))
                    continue
                if _empty(v):
                    continue
                if kind == "tieu_chi" and formula(c) and v is None:
                    problems.append(error(Where(rel, r, label(c)), f"{block}.tieu_chi.{what}",
                                          "ô điểm là công thức chưa có kết quả (tệp chưa được mở và lưu bằng Excel): "
                                          "hãy ghi số"))
                    continue
                key = (block, "tieu_chi", what) if kind == "tieu_chi" else (block, what)
                item.setdefault(block, {})
                target = item[block].setdefault("tieu_chi", {}) if kind == "tieu_chi" else item[block]
                target[what] = _number(v)
                where[key] = label(c)
            if not item:
                continue                # a subject not scored (yet): its row stays empty
            if sid is None:
                problems.append(error(Where(rel, r, label(id_col or 1)), "doi_tuong",
                                      f"dòng {r} có điểm nhưng thiếu mã đối tượng (cột «Mã»); hãy lấy lại mã từ bảng "
                                      "chấm điểm do template-xlsx --cham-diem ghi"))
                continue
            base = (SCORE_ROWS, len(out))
            entry = {"doi_tuong": sid, "bo": lay.meta.get("bo"), "ky": lay.meta.get("ky", "nam"), **item}
            if name:
                entry["ten"] = name
            row_label = f"{ref} dòng {r}"
            lines[base], cells[base] = r, row_label
            for k, lab in (("doi_tuong", label(id_col) if id_col else row_label),
                           ("ten", label(name_col) if name_col else row_label),
                           ("bo", at_meta.cell), ("ky", at_meta.cell)):
                lines[base + (k,)], cells[base + (k,)] = r, lab
            for block in item:
                crit = [c for c, (b, kind, _) in columns.items() if b == block and kind == "tieu_chi"]
                span = f"{ref}!{L(min(crit))}{r}:{L(max(crit))}{r}" if crit else row_label
                for sub in ((block,), (block, "tieu_chi")):
                    lines[base + sub], cells[base + sub] = r, span
            for key, lab in where.items():
                lines[base + key], cells[base + key] = r, lab
            out.append(entry)
    return out


def _hidden_is_read(ws, rel: str, problems: list[Problem]) -> bool:
    """A hidden sheet with members is read (its members would otherwise vanish without a word),
    with a warning; one that looks like a chi bộ list is a drop-down list's source, skipped with a
    warning; one without a table (notes, lists of words) is skipped like a visible one."""
    header = find_header(ws)
    if header is None:
        return False
    where = Where(rel, 1, f"{sheet_ref(ws.title)}!A1")
    if header.kind == "chi_bo":
        problems.append(warning(where, "", f"trang «{ws.title}» đang bị ẩn và trông như danh mục chi bộ cho ô chọn; "
                                           "không đọc trang này (nếu là dữ liệu, hãy bỏ ẩn trang)"))
        return False
    problems.append(warning(where, "", f"trang «{ws.title}» đang bị ẩn nhưng có danh sách; đã đọc cả trang này "
                                       "(nếu không dùng, hãy xóa trang)"))
    return True


def _interpret(section: str, row: _Row, values: dict, rel: str, problems: list[Problem]) -> dict:
    """Raw cell values of one row → the data keys and values the model expects."""
    item: dict = {}
    for t, v in values.items():
        if t in ("_ho_dem", "_ten"):
            continue
        if t == "_lanh_dao":
            yes = _yes(v)
            if yes is None:
                problems.append(error(Where(rel, row.row, row.where[t]), "vai_tro",
                                      f"cột lãnh đạo ghi «{v}»; hãy ghi «x» nếu là lãnh đạo, quản lý, "
                                      "hoặc để trống"))
            elif "vai_tro" not in values:
                item["vai_tro"] = "lanh-dao" if yes else "khong-lanh-dao"
            continue
        if t in ("ho_ten", "ten"):
            v = " ".join(str(_text(v)).split())
        item[t] = _convert(t, v)
    if section == "dang_vien" and "ho_ten" not in values and ("_ho_dem" in values or "_ten" in values):
        item["ho_ten"] = " ".join(" ".join(str(_text(values[k])).split()) for k in ("_ho_dem", "_ten") if k in values)
    return item
