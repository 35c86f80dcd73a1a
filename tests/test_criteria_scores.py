"""Per-criterion points (issue 17): tu_cham/tham_dinh.tieu_chi in the data and in the scoring workbook
(template-xlsx --cham-diem), their checks, and the documents that print them – Mẫu 09/HDĐG, part B of
Mẫu 01 and Mẫu 02, the quarterly self-assessment – read back from both writers."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import CELL, COLLECTIVES, SAMPLE, UNIT, run_cli, write_unit
from test_mau_01_09 import docx_text, pdf_text

from pipeline import compose
from pipeline.compose import mau_01, mau_02, mau_09
from pipeline.rating import rate, rulebook
from pipeline.rating.criteria import criteria_set as points_set   # points regime: the same set
from pipeline.render import docx as docx_writer
from pipeline.render import html as html_writer
from pipeline.validate import load_unit

UNIT_LC = UNIT.replace("che_do: qd366-2025", "che_do: qd366-2025-lao-cai")

# Lào Cai defaults (forms/criteria/qd366-2025-lao-cai.yaml). The chi bộ gives criteria only (its group
# points are computed), the leader criteria beside group points that agree, a-02 group points only (as
# before), a-03 no points at all (blank forms).
CELL_LC = """\
chi_bo:
  id: cb-a
  ten: Chi bộ thôn A
  bi_thu: a-01
  danh_gia:
    nam:
      tu_cham:
        tieu_chi: {chinh-tri-tu-tuong: 7.5, to-chuc-can-bo: 7, sinh-hoat: 6.5, kiem-tra-giam-sat: 5,
                   nhiem-vu-chinh-tri: 26, lanh-dao-he-thong: 13, dan-van: 12.5, khac-phuc: 8}
      tham_dinh:
        tieu_chi: {chinh-tri-tu-tuong: 7, to-chuc-can-bo: 7, sinh-hoat: 6.5, kiem-tra-giam-sat: 5,
                   nhiem-vu-chinh-tri: 25, lanh-dao-he-thong: 13, dan-van: 12, khac-phuc: 8}
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_sinh: 02/03/1980
    ngay_vao_dang: 05/06/2005
    vai_tro: lanh-dao
    chuc_vu_dang: Bí thư Chi bộ
    danh_gia:
      nam:
        tu_cham:
          chung: 27
          ket_qua: 60.5
          tieu_chi: {chinh-tri-dao-duc: 11, neu-guong: 9, tu-duong: 7,
                     lanh-dao-chi-dao: 21, chi-tieu-nhiem-vu: 26, doi-moi: 9, khac-phuc: 4.5}
      quy_1:
        tu_cham:
          tieu_chi: {chinh-tri-dao-duc: 10.5, neu-guong: 8, tu-duong: 6.5,
                     lanh-dao-chi-dao: 19, chi-tieu-nhiem-vu: 24, doi-moi: 8, khac-phuc: 4}
  - id: a-02
    ho_ten: Trần Thị Thu Hà
    ngay_sinh: 14/11/1990
    ngay_vao_dang: 19/05/2015
    danh_gia:
      nam:
        tu_cham: {chung: 25, ket_qua: 55}
  - id: a-03
    ho_ten: Lê Văn Ân
    ngay_sinh: 01/01/1985
    ngay_vao_dang: 03/02/2010
"""


def job_of(folder: Path, period: str = "nam"):
    unit, problems = load_unit(folder)
    assert unit is not None and not [p for p in problems if p.is_error], [str(p) for p in problems]
    return compose.Job(unit, period, rulebook.load(unit.info.regime), rate(unit, period))


def render(ctx: dict) -> tuple[str, str, bytes]:
    """(DOCX text, PDF text, DOCX bytes) of one context: both writers."""
    data = docx_writer.render(ctx, dt.datetime(2025, 12, 31))
    pdf, _ = html_writer.to_pdf(html_writer.to_html(ctx))
    return docx_text(data), pdf_text(pdf), data


def grid(ctx: dict) -> list[list[str]]:
    table = next(b for b in ctx["blocks"] if b["kind"] == "table")
    return [[c["text"] for c in r] for r in table["rows"]]


def docx_grid(data: bytes) -> list[list[str]]:
    table = next(t for t in Document(io.BytesIO(data)).tables if t.rows[0].cells[0].text in ("STT", "TT"))
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def doc(docs, subject: str):
    return next(d for d in docs if d.subject == subject)


@pytest.fixture(scope="module")
def lc(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lc") / "xa-thu-nghiem"
    return write_unit(folder, {"don-vi.yaml": UNIT_LC, "chi-bo/a.yaml": CELL_LC, "ke-hoach.yaml": None})


# ---------------------------------------------------------------- the model


def test_group_points_come_from_the_criteria(lc):
    job = job_of(lc)
    cell = job.unit.cells[0].reviews.year
    assert cell.self_score.criteria["dan-van"] == 12.5
    assert (cell.self_score.general, cell.self_score.results, cell.self_score.value()) == (26, 59.5, 85.5)
    assert (cell.vetted_score.general, cell.vetted_score.results, cell.vetted_score.value()) == (25.5, 58, 83.5)
    assert job.ratings.by_id("cb-a").score == 83.5          # the vetted points rate, as before
    assert job.unit.member("a-01").reviews.year.self_score.value() == 87.5
    assert job.unit.member("a-02").reviews.year.self_score.criteria == {}   # group points only: unchanged
    assert job.unit.member("a-01").reviews.q1.self_score.value() == 80


# ---------------------------------------------------------------- validation: every problem at its line

BAD = [  # (criteria of a-01's tu_cham / tham_dinh, line of the problem, message piece)
    ("tu_cham: {tieu_chi: {chinh-tri-dao-duc: 13}}", "tu_cham",
     "điểm tự chấm tiêu chí «chinh-tri-dao-duc» (Phẩm chất chính trị, đạo đức, lối sống) của «Giàng Seo Páo» là 13, "
     "vượt quá mức tối đa 12"),
    ("tu_cham: {tieu_chi: {neu-guong: -1}}", "tu_cham", "của «Giàng Seo Páo» là -1: điểm không được nhỏ hơn 0"),
    ("tu_cham: {tieu_chi: {tu-duong: 6.125}}", "tu_cham",
     "ghi 6,125: điểm chỉ ghi tối đa hai chữ số thập phân (ví dụ 6,12)"),
    ("tu_cham: {tieu_chi: {doi-mo: 8}}", "tu_cham",
     "tiêu chí «doi-mo» (điểm tự chấm của «Giàng Seo Páo») không có trong bộ tiêu chí «Cá nhân giữ chức vụ lãnh đạo, "
     "quản lý»; có phải ý là «doi-moi»?"),
    ("tu_cham: {tieu_chi: {cham-diem: 8}}", "tu_cham", "(có: chinh-tri-dao-duc, neu-guong, tu-duong,"),
    ("tu_cham: {tieu_chi: {khac-phuc: bốn}}", "tu_cham", "điểm từng tiêu chí (mã tiêu chí: điểm) «khac-phuc» phải là "
                                                        "một số, không phải «bốn»"),
    ("tham_dinh: {tieu_chi: {chinh-tri-dao-duc: 11, neu-guong: 9, tu-duong: 7}}", "tham_dinh",
     "«Giàng Seo Páo»: tiêu chí «chinh-tri-dao-duc» (Phẩm chất chính trị, đạo đức, lối sống) có điểm thẩm định 11 "
     "nhưng chưa có điểm tự chấm"),
    ("tu_cham: {chung: 26, tieu_chi: {chinh-tri-dao-duc: 11, neu-guong: 9, tu-duong: 7}}", "tu_cham",
     "điểm tự chấm nhóm tiêu chí chung của «Giàng Seo Páo» ghi 26 nhưng cộng điểm các tiêu chí được 27: "
     "chinh-tri-dao-duc 11 + neu-guong 9 + tu-duong 7"),
    ("tu_cham: {tieu_chi: {chinh-tri-dao-duc: 11, neu-guong: 9}}", "tu_cham",
     "điểm tự chấm của «Giàng Seo Páo» mới ghi 2/3 tiêu chí của nhóm tiêu chí chung; thiếu: tu-duong"),
]


@pytest.mark.parametrize("score, key, message", BAD, ids=[
    "above-max", "below-0", "three-decimals", "unknown-id-close", "unknown-id-far", "not-a-number",
    "vetted-without-self", "group-disagrees", "group-incomplete"])
def test_bad_criterion_points_are_errors_at_their_line(tmp_path, score, key, message):
    cell = CELL.replace("        tu_cham: {chung: 27, ket_qua: 60}\n", f"        {score}\n", 1)
    folder = write_unit(tmp_path / "u", {"don-vi.yaml": UNIT_LC, "chi-bo/a.yaml": cell})
    unit, problems = load_unit(folder)
    line = next(i for i, text in enumerate(cell.splitlines(), 1) if f"{key}:" in text)
    hits = [str(p) for p in problems if p.is_error and message in p.message]
    assert hits, [str(p) for p in problems]
    assert all(h.startswith(f"LỖI chi-bo/a.yaml:{line} danh_gia.nam.{key}") for h in hits), hits
    code, out, err = run_cli("validate", str(folder))
    assert code == 1 and message in out + err and "Traceback" not in out + err


def test_scoring_rows_belong_to_workbooks(tmp_path):
    folder = write_unit(tmp_path / "u", {"don-vi.yaml": UNIT_LC, "diem.yaml": "cham_diem: []\n"})
    _, problems = load_unit(folder)
    assert any("chỉ có trong bảng chấm điểm Excel" in str(p) and str(p).startswith("LỖI diem.yaml:1")
               for p in problems), [str(p) for p in problems]


# ---------------------------------------------------------------- documents, both writers


def test_mau_09_rows_are_scored(lc):
    job = job_of(lc)
    ctx = doc(mau_09.documents(job), "cb-a").context
    rows = grid(ctx)
    crit = [r for r in rows if r[0].isdigit()]
    assert [r[2:5] for r in crit] == [["8", "7,5", "7"], ["8", "7", "7"], ["8", "6,5", "6,5"], ["6", "5", "5"],
                                      ["30", "26", "25"], ["15", "13", "13"], ["15", "12,5", "12"], ["10", "8", "8"]]
    groups = [r for r in rows if r[0] in ("I", "II")]
    assert [g[2:5] for g in groups] == [["30", "26", "25,5"], ["70", "59,5", "58"]]
    total = next(r for r in rows if r[1] == "TỔNG CỘNG")
    assert total[2:5] == ["100", "85,5", "83,5"] and rows[-1][3:5] == ["HTTNV", "HTTNV"]
    docx, pdf, data = render(ctx)
    assert docx_grid(data) == rows
    for text in (docx, pdf):
        assert "Dân vận" in text or "dân vận" in text
        assert "85,5" in text and "83,5" in text and "59,5" in text and "12,5" in text
        assert "chưa có điểm từng tiêu chí" not in text   # every criterion is scored: no hand-filling note


def test_part_b_of_mau_01_is_the_criteria_table(lc):
    job = job_of(lc)
    docs = list(mau_01.documents(job))
    rows = grid(doc(docs, "cb-a").context)
    assert rows[0][1:] == ["Nhóm tiêu chí chung", "30", "26"] and rows[1][1:] == [
        "Công tác chính trị, tư tưởng; học tập, quán triệt, triển khai nghị quyết; học tập và làm theo tư tưởng, đạo "
        "đức, phong cách Hồ Chí Minh", "8", "7,5"]
    assert rows[-1][1:] == ["TỔNG CỘNG", "100", "85,5"]
    docx, pdf, data = render(doc(docs, "cb-a").context)
    assert docx_grid(data) == rows
    for text in (docx, pdf):
        assert "I. Tự chấm điểm" in text and "Điểm tối đa" in text and "TỔNG CỘNG" in text and "85,5" in text
        assert "/30 điểm" not in text and "Tổng điểm: 85,5/100" not in text
    # a collective without points: the same table, maxima printed, score cells left for the pen
    blank = grid(doc(docs, "btv").context)
    assert blank[1][2] == "10" and all(r[3] == "" for r in blank) and blank[-1][2] == "100"
    docx, pdf, _ = render(doc(docs, "btv").context)
    assert "TỔNG CỘNG" in docx and "TỔNG CỘNG" in pdf and "……/30" not in docx + pdf


def test_part_b_of_mau_02_by_what_the_data_gives(lc):
    job = job_of(lc)
    docs = {d.subject: d.context for d in mau_02.documents(job)}
    rows = grid(docs["a-01"])                      # criteria and group points: the table
    assert [r[2:] for r in rows if r[0].isdigit()] == [["12", "11"], ["10", "9"], ["8", "7"], ["25", "21"],
                                                       ["30", "26"], ["10", "9"], ["5", "4,5"]]
    assert rows[-1][1:] == ["TỔNG CỘNG", "100", "87,5"]
    docx, pdf, data = render(docs["a-01"])
    assert docx_grid(data) == rows
    for text in (docx, pdf):
        assert "Điểm tối đa" in text and "87,5" in text and "Tổng điểm tự chấm:" not in text
    blank = grid(docs["a-03"])                     # no points: the blank table
    assert [r[2] for r in blank if r[0].isdigit()] == ["14", "8", "8", "50", "15", "5"]   # a non-leader's set
    assert all(r[3] == "" for r in blank)
    docx, pdf, _ = render(docs["a-02"])            # group points only: the group lines, as before
    for text in (docx, pdf):
        assert "Nhóm tiêu chí chung: 25/30 điểm." in text and "Tổng điểm tự chấm: 80/100 điểm." in text
        assert "TỔNG CỘNG" not in text


def test_quarterly_self_assessment_shows_the_quarter_criteria(lc):
    job = job_of(lc, "Q1")
    docs = {d.subject: d for d in mau_02.documents(job)}
    assert docs["a-01"].name == "phu-luc-5/a-01"
    rows = grid(docs["a-01"].context)
    assert [r[3] for r in rows if r[0].isdigit()] == ["10,5", "8", "6,5", "19", "24", "8", "4"]
    assert [r[3] for r in rows if r[0] in ("I", "II")] == ["25", "55"] and rows[-1][3] == "80"
    docx, pdf, data = render(docs["a-01"].context)
    assert docx_grid(data) == rows
    assert all("Quý I năm 2025" in t and "10,5" in t and "TỔNG CỘNG" in t for t in (docx, pdf))


# ---------------------------------------------------------------- the scoring workbook


def _keys(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[6] if c.value}


def _put(ws, row: int, values: dict) -> None:
    keys = _keys(ws)
    for k, v in values.items():
        ws.cell(row, keys[k]).value = v


def _row_of(ws, sid: str) -> int:
    return next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 2).value == sid)


@pytest.fixture()
def plain_unit(tmp_path) -> Path:
    """conftest's small unit under Lào Cai: group points only (a-01 27/60, a-02 25/55), a-03 none."""
    return write_unit(tmp_path / "u", {"don-vi.yaml": UNIT_LC, "ke-hoach.yaml": None})


def _workbook(folder: Path, tmp: Path, *args: str):
    path = tmp / "bang.xlsx"
    code, out, err = run_cli("template-xlsx", str(path), "--cham-diem", "--unit", str(folder), *args)
    assert code == 0, err
    return path, load_workbook(path)


def test_scoring_workbook_layout(plain_unit, tmp_path):
    path, wb = _workbook(plain_unit, tmp_path)
    assert wb.sheetnames == ["Tổ chức đảng", "Tập thể", "Lãnh đạo", "Đảng viên", "Hướng dẫn"]
    ws = wb["Đảng viên"]
    keys = _keys(ws)
    rules = rulebook.load("qd366-2025-lao-cai")
    crit = points_set(rules, "khong-lanh-dao").criteria
    assert [k for k in keys if k.startswith("tu_cham.tieu_chi.")] == [f"tu_cham.tieu_chi.{c.id}" for c in crit]
    assert ws.cell(6, 1).value == "bo=khong-lanh-dao; ky=nam"
    assert [ws.cell(r, 2).value for r in range(7, ws.max_row + 1)] == ["a-02", "a-03"]
    header = ws.cell(5, keys["tu_cham.tieu_chi.nhiem-vu"]).value
    assert header.startswith("1. Thực hiện nhiệm vụ, quyền hạn") and header.endswith("(tối đa 50)")
    assert ws.cell(4, keys["tu_cham.tieu_chi.nhiem-vu"]).value.startswith("II. Nhóm tiêu chí về kết quả")
    assert ws.cell(3, keys["tu_cham.tieu_chi.chinh-tri-dao-duc"]).value == "TỰ CHẤM"
    assert ws.cell(3, keys["tham_dinh.tieu_chi.chinh-tri-dao-duc"]).value == "THẨM ĐỊNH"
    col = ws.cell(7, keys["tu_cham.tieu_chi.nhiem-vu"]).column_letter
    rules_by_col = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    dv = rules_by_col[col]
    assert dv.type == "custom" and f"{col}7<=50" in dv.formula1 and f"ROUND({col}7,2)={col}7" in dv.formula1
    assert str(dv.sqref) == f"{col}7:{col}8"
    sub = ws.cell(7, keys["tu_cham.ket_qua"]).value
    assert sub.startswith("=") and "SUM(" in sub
    assert ws.cell(7, keys["tu_cham.tong"]).value.startswith("=IF(COUNT(")
    org = wb["Tổ chức đảng"]
    assert [org.cell(r, 2).value for r in range(7, org.max_row + 1)] == ["cb-a", "dang-bo"]
    assert run_cli("template-xlsx", str(path), "--cham-diem", "--unit", str(plain_unit))[0] == 2   # never overwrites
    code, _, err = run_cli("template-xlsx", str(tmp_path / "x.xlsx"), "--cham-diem")
    assert code == 2 and "--unit" in err


def test_scoring_workbook_round_trip_to_the_documents(plain_unit, tmp_path):
    _, wb = _workbook(plain_unit, tmp_path)
    lead = wb["Lãnh đạo"]                         # agrees with the YAML's 27 / 60
    _put(lead, _row_of(lead, "a-01"), {
        "tu_cham.tieu_chi.chinh-tri-dao-duc": 11, "tu_cham.tieu_chi.neu-guong": 9, "tu_cham.tieu_chi.tu-duong": 7,
        "tu_cham.tieu_chi.lanh-dao-chi-dao": 21, "tu_cham.tieu_chi.chi-tieu-nhiem-vu": 25,
        "tu_cham.tieu_chi.doi-moi": "9", "tu_cham.tieu_chi.khac-phuc": "5"})
    org = wb["Tổ chức đảng"]                      # no points in the YAML: the workbook gives them all
    crit = {"chinh-tri-tu-tuong": 7.5, "to-chuc-can-bo": 7, "sinh-hoat": 6.5, "kiem-tra-giam-sat": 5,
            "nhiem-vu-chinh-tri": 26, "lanh-dao-he-thong": 13, "dan-van": "12,5", "khac-phuc": 8}
    _put(org, _row_of(org, "cb-a"), {**{f"tu_cham.tieu_chi.{k}": v for k, v in crit.items()},
                                     "tham_dinh.tieu_chi.dan-van": 11.5,
                                     **{f"tham_dinh.tieu_chi.{k}": v for k, v in crit.items() if k != "dan-van"}})
    member = wb["Đảng viên"]
    _put(member, _row_of(member, "a-03"), {"tu_cham.tieu_chi.chinh-tri-dao-duc": 12, "tu_cham.tieu_chi.tu-duong": 7,
                                           "tu_cham.tieu_chi.tac-phong": 7})   # group I only: a partial score
    wb.save(plain_unit / "cham-diem.xlsx")
    unit, problems = load_unit(plain_unit)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems]
    assert not [str(p) for p in problems if "cham-diem.xlsx" in str(p)]
    a01 = unit.member("a-01").reviews.year.self_score
    assert a01.criteria["doi-moi"] == 9 and (a01.general, a01.results) == (27, 60)
    cell = unit.cells[0].reviews.year
    assert (cell.self_score.value(), cell.vetted_score.value()) == (85.5, 84.5)
    assert unit.member("a-03").reviews.year.self_score.general == 26
    job = job_of(plain_unit)
    ctx = doc(mau_09.documents(job), "cb-a").context
    rows = grid(ctx)
    assert [r[3:5] for r in rows if r[0].isdigit()][6] == ["12,5", "11,5"]
    docx, pdf, data = render(ctx)
    assert docx_grid(data) == rows and "84,5" in pdf and "85,5" in pdf


def _cell(ws, sid: str, key: str) -> str:
    return f"{ws.cell(_row_of(ws, sid), _keys(ws)[key]).coordinate}"


EXCEL_BAD = [  # (sheet, subject, values, key of the cell the problem is at, message piece)
    ("Đảng viên", "a-03", {"tu_cham.tieu_chi.tac-phong": 9}, "tu_cham.tieu_chi.tac-phong",
     "(Tác phong, lề lối làm việc) của «Lê Văn Ân» là 9, vượt quá mức tối đa 8"),
    ("Đảng viên", "a-03", {"tu_cham.tieu_chi.tac-phong": 7.555}, "tu_cham.tieu_chi.tac-phong",
     "ghi 7,555: điểm chỉ ghi tối đa hai chữ số thập phân"),
    ("Đảng viên", "a-03", {"tu_cham.tieu_chi.tac-phong": "bảy"}, "tu_cham.tieu_chi.tac-phong",
     "«tac-phong» phải là một số, không phải «bảy»"),
    ("Lãnh đạo", "a-01", {"tu_cham.tieu_chi.chinh-tri-dao-duc": 11, "tu_cham.tieu_chi.neu-guong": 9,
                          "tu_cham.tieu_chi.tu-duong": 7, "tu_cham.chung": 26}, "tu_cham.chung",
     "nhóm tiêu chí chung của «Giàng Seo Páo» ghi 26 ở đây nhưng 27 ở chi-bo/a.yaml"),
    ("Đảng viên", "a-03", {"tu_cham.tieu_chi.chinh-tri-dao-duc": 11, "tu_cham.tieu_chi.tu-duong": 7,
                           "tu_cham.tieu_chi.tac-phong": 7, "tu_cham.chung": 24}, "tu_cham.chung",
     "ghi 24 nhưng cộng điểm các tiêu chí được 25"),
    ("Đảng viên", "a-03", {"tham_dinh.tieu_chi.nhiem-vu": 40}, "tham_dinh.tieu_chi.nhiem-vu",
     "có điểm thẩm định 40 nhưng chưa có điểm tự chấm"),
    ("Đảng viên", "a-03", {"id": "a-3", "tu_cham.tieu_chi.nang-luc": 12}, "id",
     "không có đảng viên không giữ chức vụ lãnh đạo nào mã «a-3»; có phải ý là «a-03»?"),
    ("Đảng viên", "a-03", {"id": "a-01", "tu_cham.tieu_chi.nang-luc": 12}, "id",
     "«Giàng Seo Páo» là cán bộ lãnh đạo, quản lý nhưng được chấm ở trang của đảng viên không giữ chức vụ"),
    ("Đảng viên", "a-03", {"id": None, "tu_cham.tieu_chi.nang-luc": 12}, "id",
     "có điểm nhưng thiếu mã đối tượng"),
]


@pytest.mark.parametrize("sheet, sid, values, key, message", EXCEL_BAD, ids=[
    "above-max", "three-decimals", "not-a-number", "total-against-yaml", "typed-total-disagrees",
    "vetted-without-self", "unknown-id", "wrong-sheet", "no-id"])
def test_workbook_problems_point_to_the_cell(plain_unit, tmp_path, sheet, sid, values, key, message):
    _, wb = _workbook(plain_unit, tmp_path)
    ws = wb[sheet]
    at = _cell(ws, sid, key)
    _put(ws, _row_of(ws, sid), values)
    wb.save(plain_unit / "cham-diem.xlsx")
    _, problems = load_unit(plain_unit)
    hits = [str(p) for p in problems if p.is_error and message in p.message]
    assert hits, [str(p) for p in problems]
    assert all(f"cham-diem.xlsx '{sheet}'!{at}" in h for h in hits), hits


def test_what_a_formula_shows_is_not_read(plain_unit, tmp_path):
    """A total's cached value (as Excel saves it) is ignored: the totals come from the criteria, and a
    formula that shows another sum is a warning at its cell."""
    path, wb = _workbook(plain_unit, tmp_path)
    ws = wb["Đảng viên"]
    row = _row_of(ws, "a-03")
    _put(ws, row, {"tu_cham.tieu_chi.chinh-tri-dao-duc": 12, "tu_cham.tieu_chi.tu-duong": 7,
                   "tu_cham.tieu_chi.tac-phong": 7})
    sub = ws.cell(row, _keys(ws)["tu_cham.chung"]).coordinate
    tot = ws.cell(row, _keys(ws)["tu_cham.tong"]).coordinate
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    sheet_xml = f"xl/worksheets/sheet{wb.sheetnames.index('Đảng viên') + 1}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == sheet_xml:       # cached values as Excel writes them: 30 (wrong), 26 (right)
                text = data.decode()
                for ref, v in ((sub, "30"), (tot, "26")):
                    text, n = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?', rf"\g<1>\g<2><v>{v}</v>", text)
                    assert n == 1
                data = text.encode()
            z.writestr(item, data)
    (plain_unit / "cham-diem.xlsx").write_bytes(out.getvalue())
    unit, problems = load_unit(plain_unit)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems]
    assert unit.member("a-03").reviews.year.self_score.general == 26
    warned = [str(p) for p in problems if "công thức bị sửa" in str(p)]
    assert len(warned) == 1 and f"'Đảng viên'!{sub}" in warned[0] and "hiện 30" in warned[0], warned


def test_quarter_workbook(plain_unit, tmp_path):
    _, wb = _workbook(plain_unit, tmp_path, "--period", "Q2")
    ws = wb["Lãnh đạo"]
    assert ws.cell(6, 1).value == "bo=lanh-dao; ky=quy_2" and "Quý II năm 2025" in ws["A2"].value
    _put(ws, _row_of(ws, "a-01"), {"tu_cham.tieu_chi.chinh-tri-dao-duc": 10, "tu_cham.tieu_chi.neu-guong": 8,
                                   "tu_cham.tieu_chi.tu-duong": 7})
    wb.save(plain_unit / "cham-diem-q2.xlsx")
    unit, problems = load_unit(plain_unit)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems]
    assert unit.member("a-01").reviews.q2.self_score.general == 25
    assert unit.member("a-01").reviews.year.self_score.criteria == {}


# ---------------------------------------------------------------- the sample


def test_sample_scores_every_criterion():
    job = job_of(SAMPLE)
    unit, rules = job.unit, job.rules
    subjects = [("to-chuc-dang", unit.info), *[("to-chuc-dang", c) for c in unit.cells],
                *[("tap-the", c) for c in unit.collectives], *[(m.role, m) for m in unit.members]]
    scored = vetted = at_max = points = 0
    for role, rec in subjects:
        top = {c.id: c.max for c in points_set(rules, role).criteria}
        for period in ("nam", "Q1", "Q2", "Q3"):
            ev = rec.reviews.get(period)
            for sc in (ev.self_score, ev.vetted_score) if ev is not None else ():
                if sc is None:
                    continue
                assert set(sc.criteria) == set(top), (rec.name, period)   # every criterion of the set
                scored += 1
                vetted += sc is ev.vetted_score
                points += len(sc.criteria)
                at_max += sum(v == top[k] for k, v in sc.criteria.items())
        ev = rec.reviews.get("nam")
        assert ev is None or ev.self_score is None or ev.self_score.criteria
    assert scored == 425 and vetted == 12      # the year and the quarters; vetted where the data vets
    assert 0 < at_max < points * 0.2            # realistic: most criteria below their maximum


def test_sample_mau_09_every_row_scored_and_adding_up():
    job = job_of(SAMPLE)
    docs = list(mau_09.documents(job))
    assert len(docs) == 15
    for d in docs:
        rows = grid(d.context)
        groups, current = {}, None
        for r in rows:
            if r[0] in ("I", "II"):
                current = r[0]
                groups[current] = (r, [])
            elif r[0].isdigit():
                groups[current][1].append(r)
        num = lambda t: float(t.replace(",", "."))  # noqa: E731
        assert sum(len(c) for _, c in groups.values()) == 8 and all(c[3] for _, c in groups.values() for c in c)
        for g, crit in groups.values():
            assert abs(sum(num(c[3]) for c in crit) - num(g[3])) < 1e-9, d.subject
        total = next(r for r in rows if r[1] == "TỔNG CỘNG")
        assert abs(sum(num(g[3]) for g, _ in groups.values()) - num(total[3])) < 1e-9
        assert num(total[3]) == job.ratings.by_id(d.subject).self_score
    docx, pdf, data = render(doc(docs, "dang-bo").context)
    assert docx_grid(data) == grid(doc(docs, "dang-bo").context)
    assert "chưa có điểm từng tiêu chí" not in docx + pdf
