"""Phụ lục 13, Phụ lục 14 and the Báo cáo kết quả read back from both writers: who is listed
where, levels, scores, reasons, counts, percentages, the quota line, the chart, landscape pages,
the repeated header rows, Vietnamese name order, and a 2,000-row Phụ lục 14."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import subprocess
import time
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import SAMPLE, write_unit

from pipeline import compose
from pipeline.compose import bao_cao, chart, phu_luc
from pipeline.compose.reasons import printed_all
from pipeline.model import Member, PartyCell, Unit, UnitInfo
from pipeline.rating import rate, rulebook
from pipeline.rating.result import GroupSummary, Rating, Result
from pipeline.render import docx as docx_writer
from pipeline.render import html as html_writer
from pipeline.validate import load_unit
from pipeline.vn import name_key, percent

CREATED = dt.datetime(2025, 12, 15)
KINDS = ("phu-luc-13", "phu-luc-14", "danh-sach-dang-vien", "bao-cao-ket-qua")


# ---------------------------------------------------------------- helpers


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def pdf_pages(data: bytes, raw: bool = True) -> list[str]:
    """Text per page (pdftotext -raw keeps the content order: row by row, cell by cell)."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-raw"] if raw else []) + ["-", "-"]
    out = subprocess.run(args, input=data, capture_output=True, check=True).stdout.decode("utf-8")
    return out.split("\f")[:-1]


def tc_text(tc) -> str:
    return flat(" ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.iter(qn("w:p"))))


def grid_rows(doc) -> list[list[list[str]]]:
    """Every bordered grid table of the body (not the header/footer/signature grids), as rows of
    cell texts – read from the XML: python-docx's cell lookups walk the whole table per call."""
    out = []
    for t in doc.tables:
        cap = t._tbl.tblPr.find(qn("w:tblCaption"))
        if cap is not None and cap.get(qn("w:val")) == "kd-grid":
            out.append([[tc_text(tc) for tc in tr.tc_lst] for tr in t._tbl.tr_lst])
    return out


def grid_tables(doc):
    return [t for t in doc.tables if (c := t._tbl.tblPr.find(qn("w:tblCaption"))) is not None
            and c.get(qn("w:val")) == "kd-grid"]


def docx_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for rows in grid_rows(doc):
        parts += [" ".join(r) for r in rows]
    for t in doc.tables:
        for tr in t._tbl.tr_lst[:1]:
            parts += [tc_text(tc) for tc in tr.tc_lst]
    return flat(" ".join(parts))


def render(ctx: dict) -> dict:
    """Both writers, timed: wall clock and this process's CPU (other jobs on the machine inflate the wall)."""
    t0, c0 = time.perf_counter(), time.process_time()
    pdf, pages = html_writer.to_pdf(html_writer.to_html(ctx))
    t1, c1 = time.perf_counter(), time.process_time()
    docx = docx_writer.render(ctx, CREATED)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"ctx": ctx, "pdf": pdf, "pages": pages, "docx": docx, "doc": Document(io.BytesIO(docx)),
            "pdf_s": t1 - t0, "docx_s": t2 - t1, "pdf_cpu": c1 - c0, "docx_cpu": c2 - c1}


def job_for(unit, period: str = "nam") -> compose.Job:
    return compose.Job(unit, period, rulebook.load(unit.info.regime), rate(unit, period))


@pytest.fixture(scope="module")
def sample():
    """The shipped unit's three documents, composed and rendered once (only these, not the whole build)."""
    unit, problems = load_unit(SAMPLE)
    job = job_for(unit)
    out = {"job": job}
    for doc in list(phu_luc.documents(job)) + list(bao_cao.documents(job)):
        out[doc.name] = render(doc.context)
        out[doc.name]["text"] = pdf_pages(out[doc.name]["pdf"])
    return out


def in_order(haystack: str, needles: list[str]) -> None:
    """Each needle occurs in the haystack, after the previous one."""
    pos = 0
    for n in needles:
        i = haystack.find(n, pos)
        assert i >= 0, f"not found (in order): {n!r}"
        pos = i + len(n)


# ---------------------------------------------------------------- page set-up


def test_lists_are_landscape_and_the_report_portrait(sample):
    for kind, landscape in (("phu-luc-13", True), ("phu-luc-14", True), ("bao-cao-ket-qua", False)):
        d = sample[kind]
        assert d["ctx"]["document"] == kind and d["ctx"].get("landscape", False) is landscape
        sec = d["doc"].sections[0]
        assert sec.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
        w, h = round(sec.page_width.mm), round(sec.page_height.mm)
        assert (w, h) == ((297, 210) if landscape else (210, 297))
        for page in PdfReader(io.BytesIO(d["pdf"])).pages:
            size = (round(float(page.mediabox.width)), round(float(page.mediabox.height)))
            assert size == ((842, 595) if landscape else (595, 842)), kind


def test_header_rows_repeat_in_docx_with_the_group_row(sample):
    for kind in ("phu-luc-13", "phu-luc-14"):
        t = grid_tables(sample[kind]["doc"])[0]
        top, low, first = t._tbl.tr_lst[:3]
        for tr in (top, low):
            assert tr.trPr.find(qn("w:tblHeader")) is not None, kind
        assert first.trPr.find(qn("w:tblHeader")) is None
        spans = {tc_text(tc): tc.grid_span for tc in top.tc_lst}
        assert spans["Cơ quan tham mưu thẩm định, đề xuất"] == 2
        assert spans["Tự chấm"] == (4 if kind == "phu-luc-13" else 2)
        assert [tc.vMerge for tc in top.tc_lst][:3] == ["restart"] * 3      # TT, name, post over both rows
        labels = [tc_text(tc) for tc in low.tc_lst]
        assert "Mức tự xếp loại" in labels and "Mức đề xuất" in labels
        assert all(tr.trPr.find(qn("w:cantSplit")) is not None for tr in t._tbl.tr_lst)  # rows stay whole
    t13 = grid_rows(sample["phu-luc-13"]["doc"])[0]
    assert "Chung (30)" in t13[1] and "Kết quả (70)" in t13[1] and "Tổng (100)" in t13[1]


def test_every_docx_cell_holds_a_paragraph(sample):
    # OOXML requires it; a closing without Nơi nhận once left the footer's left cell empty and
    # LibreOffice then drew the list table narrow and without borders
    for kind in KINDS:
        for tc in sample[kind]["doc"].element.body.iter(qn("w:tc")):
            assert tc.find(qn("w:p")) is not None, kind


def test_header_rows_repeat_on_every_pdf_page_of_the_list(sample):
    pages = sample["phu-luc-14"]["text"]
    last = next(i for i, p in enumerate(pages) if "TỔNG HỢP KẾT QUẢ XẾP LOẠI" in p)
    assert last >= 8      # a list of many pages (10 of 11 since the columns are set by content)
    for i, page in enumerate(pages[:last]):
        assert "Tự chấm" in page and "Ghi chú" in page and "Chức vụ, đơn vị" in page, f"page {i + 1}"


# ---------------------------------------------------------------- Phụ lục 13 and 14: who, what, in which order


LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")


def shown(code) -> str:
    return code if code in LEVELS else "Không xếp loại" if code == "KXL" else "Chưa xếp loại"


def test_phu_luc_13_lists_the_officials_of_the_superior_committee(sample):
    job = sample["job"]
    unit = job.unit
    chosen = phu_luc.selected(job, "phu-luc-13", phu_luc.wording())
    # the secretary, the heads of the party committee / HĐND / UBND and the group lanh-dao-chu-chot
    heads = {k.head for k in unit.collectives if k.kind in ("bch", "btv", "hdnd", "ubnd")}
    chu_chot = {m.id for m in unit.members if m.group == "lanh-dao-chu-chot"}
    assert {r.id for r in chosen} == heads | chu_chot | {unit.info.secretary}
    assert [r.id for r in chosen] == [r.id for r in job.ratings.subjects if r.id in {c.id for c in chosen}]
    rows = grid_rows(sample["phu-luc-13"]["doc"])[0][2:]
    assert [r[1] for r in rows] == [r.name for r in chosen]
    text = flat(" ".join(sample["phu-luc-13"]["text"]))
    for row, r in zip(rows, chosen):
        m = unit.member(r.id)
        s = m.reviews.year.self_score
        assert row[0] == str(chosen.index(r) + 1)
        assert row[3:6] == [phu_luc.num(s.general), phu_luc.num(s.results), phu_luc.num(s.value())]
        assert row[6] == (shown(r.self_level) if r.self_level else "–") and row[9] == shown(r.proposed_level)
        assert row[8] == (phu_luc.num(r.vetted_score) or "–")
        assert row[10] == r.note                                          # a short note, or nothing
        assert flat(" ".join(row)) in text                                 # the PDF row reads the same
    dung = rows[[r.id for r in chosen].index(unit.info.secretary)]
    assert dung[1] == "Vàng Seo Dũng" and dung[2] == "Bí thư Đảng ủy, Đảng ủy xã"
    assert dung[3:6] == ["27", "58", "85"]
    assert "Cán bộ thuộc diện Ban Thường vụ Tỉnh ủy Lào Cai quản lý – năm 2025" in text
    assert "(Kèm theo Quy định số 09-QĐ/TU ngày 28/11/2025 của Ban Thường vụ Tỉnh ủy Lào Cai)" in text
    assert "Phụ lục 13" in text


UNDECIDED = phu_luc.wording()["undecided"]   # dots to fill by hand (forms/documents/phu-luc.yaml)


def test_phu_luc_14_lists_the_collectives_and_officials_in_sections(sample):
    """Scope as the regulation says: the collectives, party organisations and officials the unit
    manages; a decision column never shows a proposal; Ghi chú is a short note."""
    job = sample["job"]
    tables = grid_rows(sample["phu-luc-14"]["doc"])
    in13 = {r.id for r in phu_luc.selected(job, "phu-luc-13", phu_luc.wording())}
    kinds = ("tap-the", "to-chuc-dang", "can-bo")
    others = [r for r in job.ratings.subjects if r.id != "dang-bo" and r.id not in in13 and r.kind in kinds]
    listed = [r for t in tables[:3] for r in t[2:]]
    assert sorted(r[1] for r in listed) == sorted(r.name for r in others)
    assert not any(r.kind == "dang-vien" and r.name in {x[1] for x in listed} for r in job.ratings.subjects
                   if r.name not in {o.name for o in others})
    text = flat(" ".join(sample["phu-luc-14"]["text"]))
    in_order(text, ["I. TẬP THỂ LÃNH ĐẠO, QUẢN LÝ", "II. TỔ CHỨC ĐẢNG TRỰC THUỘC", "III. CÁN BỘ LÃNH ĐẠO, QUẢN LÝ",
                    "IV. TỔNG HỢP KẾT QUẢ XẾP LOẠI VÀ KIỂM TRA HẠN MỨC HTXSNV"])
    assert "ĐẢNG VIÊN" not in text.split("IV. TỔNG HỢP")[0].split("III. CÁN BỘ")[0]
    # columns: TT, name, post, tổng, mức tự XL, tập thể đề xuất, điểm thẩm định, mức đề xuất, kết quả, ghi chú
    for t, kind in zip(tables[:3], kinds):
        by_name = {}
        for row in t[2:]:
            by_name.setdefault(row[1], []).append(row)
        for r in (r for r in others if r.kind == kind):
            row = by_name[r.name][0]
            assert row[4] == (shown(r.self_level) if r.self_level else "–")
            assert row[7] == shown(r.proposed_level)
            assert row[8] == (shown(r.final_level) if r.final_level else UNDECIDED)
            assert row[9] == r.note and len(row[9]) < 80
    btv = next(r for r in tables[0][2:] if r[1] == "Ban Thường vụ Đảng ủy xã")
    assert btv[2] == "Người đứng đầu: Vàng Seo Dũng" and btv[3] == "91,5" and btv[6] == "89,5"
    assert "Căn cứ xếp loại của từng tập thể, cá nhân: xem bản Giải trình căn cứ xếp loại kèm theo." in text


def test_the_members_have_their_own_list_by_chi_bo_in_name_order(sample):
    job = sample["job"]
    in13 = {r.id for r in phu_luc.selected(job, "phu-luc-13", phu_luc.wording())}
    people = [r for r in job.ratings.subjects if r.kind == "dang-vien" and r.id not in in13]
    (table,) = grid_rows(sample["danh-sach-dang-vien"]["doc"])
    head, rows = table[1], table[2:]
    assert head[:3] == ["", "", ""] or "Chi bộ" in table[0]
    assert sorted(r[2] for r in rows) == sorted(r.name for r in people)
    # by chi bộ in the data's order, the chi bộ named on its first row; inside, Vietnamese name order
    cells = {c.id: c.name for c in job.unit.cells}
    order = [c.name for c in job.unit.cells]
    groups, current = [], None
    for row in rows:
        if row[1]:
            current = row[1]
            groups.append((current, []))
        groups[-1][1].append(row[2])
    assert [g for g, _ in groups] == [n for n in order if n in {g for g, _ in groups}]
    for g, names in groups:
        assert names == sorted(names, key=name_key), g
        ids = {r.name: r.id for r in people}
        assert all(cells[job.unit.member(ids[n]).cell] == g for n in names if n in ids)
    text = flat(" ".join(sample["danh-sach-dang-vien"]["text"]))
    decimal = next(r for r in people if r.self_score is not None and not float(r.self_score).is_integer())
    assert phu_luc.num(decimal.self_score) in text and str(decimal.self_score) not in text   # 83,5 never 83.5
    exempt = next(r for r in people if r.level == "KXL")
    row = next(x for x in rows if x[2] == exempt.name)
    assert row[-1] == exempt.note and exempt.note


def test_docx_and_pdf_agree_row_by_row(sample):
    def squash(t: str) -> str:   # the PDF may wrap a line after a hyphen («tap-the-lanh-dao-⏎xa»)
        return re.sub(r"-\s+", "-", flat(t))

    for kind in KINDS:
        doc, text = sample[kind]["doc"], squash(" ".join(sample[kind]["text"]))
        rows = [squash(" ".join(r)) for t in grid_rows(doc) for r in t[2 if t[1][0] == "" else 1:]]
        assert len(rows) >= 3
        in_order(text, rows)
        for p in doc.paragraphs:
            if flat(p.text):
                assert squash(p.text) in text, (kind, p.text)


def test_rows_in_review_order(sample):
    job = sample["job"]
    tables = grid_rows(sample["phu-luc-14"]["doc"])
    order = [r.name for r in job.ratings.subjects]
    leaders = [r[1] for r in tables[2][2:]]                         # Cán bộ: review order (heads first)
    assert leaders == [n for n in order if n in set(leaders)]


def test_the_order_is_a_setting(sample, monkeypatch):
    w = json.loads(json.dumps(phu_luc.wording()))
    for sec in w["lists"]["phu-luc-14"]["sections"]:
        sec["order"] = "name"
    monkeypatch.setattr(phu_luc, "wording", lambda: w)
    ctx = phu_luc.compose(sample["job"], "phu-luc-14")
    tables = [b for b in ctx["blocks"] if b["kind"] == "table"]
    leaders = [r[1]["text"] for r in tables[2]["rows"]]
    assert leaders == sorted(leaders, key=name_key)


@pytest.mark.parametrize("names, expected", [
    (["Ăn", "Bình", "Anh"], ["Anh", "Ăn", "Bình"]),                        # Ă after A (Python puts it after Z)
    (["Đông", "Em", "Dũng"], ["Dũng", "Đông", "Em"]),                      # Đ after D
    (["Mạ", "Má", "Mã", "Mả", "Mà", "Ma"], ["Ma", "Mà", "Mả", "Mã", "Má", "Mạ"]),  # ngang huyền hỏi ngã sắc nặng
])
def test_vietnamese_collation_of_given_names(names, expected):
    rs = [Rating(f"x{i}", "dang-vien", "khong-lanh-dao", f"Lê Văn {n}", "dang-vien", None, None, "HTTNV", None, True)
          for i, n in enumerate(names)]
    assert [r.name.split()[-1] for r in phu_luc.ordered(rs, "name")] == expected
    assert [r.name for r in phu_luc.ordered(rs, "review")] == [r.name for r in rs]


def test_name_order_is_given_then_middle_then_family():
    names = ["Đỗ Thị Ấn", "Trần Thị Ánh", "Lê Văn Ân", "Nguyễn Thị Ánh", "Phạm Đức Anh", "Nguyễn Văn An"]
    rs = [Rating(f"x{i}", "dang-vien", "khong-lanh-dao", n, "g", None, None, "HTTNV", None, True)
          for i, n in enumerate(names)]
    assert [r.name for r in phu_luc.ordered(rs, "name")] == [
        "Nguyễn Văn An", "Phạm Đức Anh", "Nguyễn Thị Ánh", "Trần Thị Ánh", "Lê Văn Ân", "Đỗ Thị Ấn"]


# ---------------------------------------------------------------- the aggregate block and the quota check


def test_phu_luc_14_aggregate_block_and_quota_line(sample):
    job = sample["job"]
    tables = grid_rows(sample["phu-luc-14"]["doc"])
    kinds, groups = tables[3], tables[4]
    assert kinds[0] == ["Đối tượng", "Tổng số", "HTXSNV", "HTTNV", "HTNV", "KHTNV", "Không xếp loại",
                        "% HTXSNV trên HTTNV"]
    members = [r for r in job.ratings.subjects if r.kind == "dang-vien"]
    c = {k: sum(1 for r in members if r.level == k) for k in LEVELS}
    row = next(r for r in kinds if r[0].startswith("Đảng viên"))
    assert row[1:8] == [str(len(members)), *(str(c[k]) for k in LEVELS), str(len(members) - sum(c.values())),
                        percent(c["HTXSNV"], c["HTTNV"])]
    total = next(r for r in kinds if r[0] == "Cộng")
    assert total[1] == str(len(job.ratings.subjects) - 1)
    assert groups[0][0] == "Nhóm so sánh" and groups[0][-1] == "Hạn mức HTXSNV"
    assert len(groups) - 1 == len(job.ratings.groups)
    for g, grow in zip(job.ratings.groups, groups[1:]):
        assert grow[0] == phu_luc.group_name(g.id, phu_luc.wording())
        assert grow[1:7] == [str(sum(g.counts.values())), *(str(g.counts[k]) for k in LEVELS), str(g.counts["KXL"])]
        assert grow[7] == percent(g.counts["HTXSNV"], g.counts["HTTNV"])
        assert grow[8] == (f"{g.used}/{g.allowed} (nhóm nhỏ)" if g.small_group
                           else f"{g.used}/{g.allowed} (20% HTTNV)")
    assert next(r for r in groups if r[0] == "Đảng bộ")[8].endswith("(nhóm nhỏ)")
    assert all(g.used <= g.allowed for g in job.ratings.groups)
    line = (f"Kiểm tra hạn mức: cả {len(job.ratings.groups)} nhóm so sánh đều có số HTXSNV trong hạn mức "
            "(không quá 20% HTTNV của nhóm).")
    assert line in docx_text(sample["phu-luc-14"]["doc"])
    assert line in flat(" ".join(sample["phu-luc-14"]["text"]))


def test_quota_line_names_a_group_over_its_quota(sample):
    job = sample["job"]
    over = GroupSummary("dang-vien", {"HTXSNV": 3, "HTTNV": 5, "HTNV": 0, "KHTNV": 0, "KXL": 0}, "HTTNV", 20, 1, 3)
    res = Result(job.ratings.unit, 2025, "nam", job.ratings.regime, job.ratings.subjects, [over])
    bad = compose.Job(job.unit, "nam", job.rules, res)
    w = phu_luc.wording()
    assert phu_luc.quota_line(bad, w) == ("Kiểm tra hạn mức: nhóm «Đảng viên» (3/1) vượt hạn mức HTXSNV "
                                          "(không quá 20% HTTNV của nhóm).")
    assert phu_luc.quota_text(over, w) == "3/1 – VƯỢT"


# ---------------------------------------------------------------- Báo cáo kết quả


def test_report_header_counts_and_percentages(sample):
    job = sample["job"]
    d = sample["bao-cao-ket-qua"]
    doc, text = d["doc"], flat(" ".join(d["text"]))
    head = doc.tables[0].rows[0].cells[0].text.split("\n")
    assert head[:3] == ["ĐẢNG BỘ TỈNH LÀO CAI", "ĐẢNG ỦY XÃ LÙNG PHÌNH", "*"]
    assert re.fullmatch(r"Số[ \u00a0]{6,}-BC/ĐU", head[3])
    summary = grid_rows(doc)[0]
    lines = []
    for label, noun, kinds, row in (("Tổ chức đảng trực thuộc", "tổ chức đảng", ("to-chuc-dang",), 1),
                                    ("Đảng viên", "đảng viên", ("dang-vien", "can-bo"), 2),
                                    ("Tập thể lãnh đạo, quản lý", "tập thể", ("tap-the",), 3),
                                    ("Cán bộ lãnh đạo, quản lý", "cán bộ", ("can-bo",), 4)):
        rs = [r for r in job.ratings.subjects if r.kind in kinds and r.id != "dang-bo"]
        c = {k: sum(1 for r in rs if r.level == k) for k in LEVELS}
        rated = sum(c.values())
        kxl = sum(1 for r in rs if r.level == "KXL")
        lines.append(f"Tổng số {len(rs)} {noun}; được đánh giá, xếp loại {rated}; không xếp loại {kxl}"
                     + (f"; chưa xếp loại (thiếu dữ liệu) {len(rs) - rated - kxl}" if len(rs) - rated - kxl else "") + ".")
        lines.append("Trong đó: " + "; ".join(f"{k} {c[k]} ({percent(c[k], rated)})" for k in LEVELS) + ".")
        assert summary[row] == [label, str(len(rs)), str(rated), *(f"{c[k]} ({percent(c[k], rated)})" for k in LEVELS),
                                str(len(rs) - rated)]
    unit_r = job.ratings.by_id("dang-bo")
    lines.append(f"Đảng bộ xã Lùng Phình tự đánh giá, đề xuất xếp loại: {unit_r.level} (tổng điểm {phu_luc.num(unit_r.score)}).")
    lines.append(f"Kiểm tra hạn mức: cả {len(job.ratings.groups)} nhóm so sánh đều có số HTXSNV trong hạn mức "
                 "(không quá 20% HTTNV của nhóm).")
    for line in lines:
        assert line in docx_text(doc) and line in text, line
    assert re.search(r"\d,\d+%", text) and not re.search(r"\d\.\d+%", text)   # 12,5% – never 12.5%
    groups = grid_rows(doc)[1]
    assert len(groups) - 1 == len(job.ratings.groups)
    for g, grow in zip(job.ratings.groups, groups[1:]):
        assert grow[1:8] == [str(sum(g.counts.values())), *(str(g.counts[k]) for k in LEVELS), str(g.counts["KXL"]),
                             percent(g.counts["HTXSNV"], g.counts["HTTNV"])]
        assert grow[8] == f"{g.allowed} (nhóm nhỏ)" if g.small_group else grow[8] == str(g.allowed)


def test_report_lists_htxsnv_khtnv_and_unrated_with_reasons(sample):
    job = sample["job"]
    d = sample["bao-cao-ket-qua"]
    tables = grid_rows(d["doc"])
    lists = tables[-3:]
    subjects = [r for r in job.ratings.subjects if r.id != "dang-bo"]
    for rows, pick in zip(lists, (lambda r: r.level == "HTXSNV", lambda r: r.level == "KHTNV",
                                  lambda r: r.level not in ("HTXSNV", "HTTNV", "HTNV", "KHTNV"))):
        want = [r for r in subjects if pick(r)]
        assert [row[1] for row in rows[1:]] == [r.name for r in want]
        assert [row[4] for row in rows[1:]] == ["; ".join(printed_all(r.reasons)) for r in want]
    text = flat(" ".join(d["text"]))
    assert "Bị kỷ luật khiển trách ngày 22/08/2025 trong năm: KHTNV" in text and "→" not in text
    sig = [p.text for p in d["doc"].tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert sig == ["T/M ĐẢNG ỦY", "BÍ THƯ", "Vàng Seo Dũng"]
    assert [p.text for p in d["doc"].tables[-1].rows[0].cells[0].paragraphs][:2] == ["Nơi nhận:", "- Tỉnh ủy (báo cáo),"]
    in_order(text, ["Nơi nhận:", "- Tỉnh ủy (báo cáo),", "- Lưu Ban XDĐ, VPĐU."])
    in_order(text, ["T/M ĐẢNG ỦY", "BÍ THƯ", "Vàng Seo Dũng"])


def test_chart_is_vector_in_the_pdf_and_a_picture_in_the_docx(sample):
    d = sample["bao-cao-ket-qua"]
    img = next(b for b in d["ctx"]["blocks"] if b["kind"] == "image")
    assert img["svg"].startswith("<svg") and img["png"][:8] == b"\x89PNG\r\n\x1a\n"
    # PDF: the chart page draws filled rectangles (the bars) and prints the legend as text
    reader = PdfReader(io.BytesIO(d["pdf"]))
    page_no = next(i for i, t in enumerate(d["text"]) if "Biểu đồ: tỷ lệ (%)" in t)
    ops = reader.pages[page_no].get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"\bre\b", ops)) >= 16 and re.search(r"\n(B|f)\n", ops)   # rectangles, filled
    legend = flat(d["text"][page_no])
    assert all(k in legend for k in ("HTXSNV", "HTTNV", "HTNV", "KHTNV", "Tổ chức đảng", "Đảng viên", "Cán bộ lãnh đạo"))
    people = [r for r in sample["job"].ratings.subjects if r.kind in ("dang-vien", "can-bo")]
    rated = sum(1 for r in people if r.level in LEVELS)
    from pipeline.vn import percent as pct
    assert pct(sum(1 for r in people if r.level == "HTTNV"), rated) in legend   # the bar's label, as the text says it
    # DOCX: one inline picture, 160 mm wide, the PNG in the package, its paragraph not clipped
    doc = d["doc"]
    assert len(doc.inline_shapes) == 1 and round(doc.inline_shapes[0].width.mm) == 160
    media = [n for n in zipfile.ZipFile(io.BytesIO(d["docx"])).namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and zipfile.ZipFile(io.BytesIO(d["docx"])).read(media[0]) == img["png"]
    holder = next(p for p in doc.paragraphs if p._p.find(".//" + qn("w:drawing")) is not None)
    assert holder.paragraph_format.line_spacing_rule == 0            # single: an exact 19 pt would clip it


def test_chart_painters_agree_and_escape():
    ch = chart.grouped_bars(["A & <b>"], ["HTXSNV", "HTTNV"], [[10.0, 90.0]], [["10%", "90%"]], ["#000", "#888"])
    svg = chart.svg(ch, "T <x>")
    assert "A &amp; &lt;b&gt;" in svg and "<b>" not in svg and "&lt;x&gt;" in svg
    assert chart.png(ch) == chart.png(ch)                                    # same bytes every build
    from PIL import Image

    im = Image.open(io.BytesIO(chart.png(ch, dpi=100)))
    assert im.size == (round(ch.width * 100 / 25.4), round(ch.height * 100 / 25.4))
    bars = [it for it in ch.items if isinstance(it, chart.Rect) and it.w > 3.2]
    assert len(bars) == 2 and bars[1].h == pytest.approx(9 * bars[0].h)


# ---------------------------------------------------------------- small units: empty lists, regimes, build


def test_empty_lists_are_said_in_words_and_data_prints_literally(tmp_path):
    from conftest import CELL

    evil = "Lò <b>Văn</b> & Ún"        # a-03: no review → listed in the report as not rated
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("Lê Văn Ân", evil)})
    unit, _ = load_unit(folder)
    job = job_for(unit)
    report = render(bao_cao.compose(job))
    text = flat(" ".join(pdf_pages(report["pdf"])))
    for words in ("Không có tập thể, cá nhân nào được xếp loại Hoàn thành xuất sắc nhiệm vụ.",
                  "Không có tập thể, cá nhân nào xếp loại Không hoàn thành nhiệm vụ."):
        assert words in text and words in docx_text(report["doc"])
    members = render(phu_luc.compose(job, "danh-sach-dang-vien"))
    for d in (members, report):
        assert evil in flat(" ".join(pdf_pages(d["pdf"]))) and evil in docx_text(d["doc"])
    ctx = phu_luc.compose(job, "phu-luc-14")
    paras = [b["text"] for b in ctx["blocks"] if b["kind"] == "para"]
    assert "Không có tổ chức đảng trực thuộc nào." not in paras          # the cell is there


def test_empty_phu_luc_13_says_so(tmp_path, monkeypatch):
    unit, _ = load_unit(write_unit(tmp_path / "u"))
    job = job_for(unit)
    w = json.loads(json.dumps(phu_luc.wording()))
    w["lists"]["phu-luc-13"]["select"] = [{"groups": ["khong-co-nhom-nay"]}]
    monkeypatch.setattr(phu_luc, "wording", lambda: w)
    d = render(phu_luc.compose(job, "phu-luc-13"))
    words = "Không có cán bộ thuộc diện Ban Thường vụ Tỉnh ủy Lào Cai quản lý trong kỳ này."
    assert words in flat(" ".join(pdf_pages(d["pdf"]))) and words in docx_text(d["doc"])
    assert not grid_rows(d["doc"])


def test_criteria_regime_lists_have_no_point_columns(tmp_path):
    from conftest import UNIT

    unit, _ = load_unit(write_unit(tmp_path / "u", {"don-vi.yaml": UNIT.replace("qd366-2025", "qd124-2023")}))
    job = job_for(unit)
    d = render(phu_luc.compose(job, "phu-luc-13"))
    head = [c["text"] if isinstance(c, dict) else c for c in d["ctx"]["blocks"][1]["columns"]]
    assert head == ["TT", "Họ và tên", "Chức vụ, đơn vị", "Mức tự xếp loại", "Tập thể đề xuất", "Mức đề xuất", "Ghi chú"]
    assert "groups" not in d["ctx"]["blocks"][1]
    assert "Giàng Seo Páo" in docx_text(d["doc"]) and "Giàng Seo Páo" in flat(" ".join(pdf_pages(d["pdf"])))


def test_build_lists_the_three_documents_in_the_manifest(tmp_path):
    from pipeline.build import build

    result = build(write_unit(tmp_path / "u"), "nam", tmp_path / "out", jobs=1, use_cache=False)
    assert result.ok, [str(p) for p in result.problems]
    files = json.loads((result.folder / "manifest.json").read_text("utf-8"))["files"]
    got = {(f["path"], f["document"], f["format"]) for f in files}
    for kind in KINDS:
        for fmt in ("docx", "pdf"):
            assert (f"{kind}.{fmt}", kind, fmt) in got


# ---------------------------------------------------------------- 2,000 rows


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Giàng", "Vàng", "Sùng", "Đỗ", "Lý", "Thào", "Mùa"]
MIDDLE = ["Văn", "Thị", "Seo", "A", "Đức", "Thu", "Ngọc"]
GIVEN = ["An", "Ánh", "Ân", "Ấn", "Anh", "Bình", "Dũng", "Đông", "Hà", "Hải", "Páo", "Sử", "Yến", "Ăn"]


def big_job(n: int = 2000) -> compose.Job:
    """A unit of n party members in 20 chi bộ, with Rating objects built directly (no engine run):
    most HTTNV, some HTXSNV, HTNV, KHTNV and exempt – as in a real list."""
    rnd = random.Random(2025)
    info = UnitInfo.model_validate({"ten": "Đảng bộ xã Lớn", "cap_uy": "Đảng ủy xã Lớn", "ky_hieu": "ĐU",
                                    "cap_tren": "Đảng bộ tỉnh Lào Cai", "dia_danh": "Lớn", "che_do": "qd366-2025",
                                    "nam": 2025, "ngay_danh_gia": "15/12/2025"})
    cells = [PartyCell.model_validate({"id": f"cb-{i:02d}", "ten": f"Chi bộ thôn Số {i + 1}"}) for i in range(20)]
    members, ratings = [], []
    bands = (("HTXSNV", 90, 98), ("HTTNV", 72, 89), ("HTNV", 50, 69), ("KHTNV", 30, 49))
    for i in range(n):
        x = rnd.random()
        level, lo, hi = bands[0] if x < 0.08 else bands[2] if x < 0.13 else bands[3] if x < 0.15 else bands[1]
        total = round(rnd.uniform(lo, hi), 1)
        general = round(total * 0.3, 1)
        name = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
        m = Member.model_validate({"id": f"m-{i:04d}", "ho_ten": name, "ngay_vao_dang": "01/01/2010",
                                   "chi_bo": f"cb-{i % 20:02d}",
                                   "danh_gia": {"nam": {"tu_cham": {"chung": general,
                                                                    "ket_qua": round(total - general, 1)}}}})
        members.append(m)
        exempt = i % 250 == 7
        reasons = (["Đang bị đình chỉ sinh hoạt đảng → không đánh giá, xếp loại"] if exempt
                   else [f"Tổng điểm {str(total).replace('.', ',')}/100 → {level}"])
        ratings.append(Rating(m.id, "dang-vien", "khong-lanh-dao", name, "dang-vien", total,
                              None if exempt else level, "KXL" if exempt else level, "KXL" if exempt else None,
                              not exempt, reasons, "02B", self_score=total))
    counts = {lv: sum(1 for r in ratings if r.level == lv) for lv in ("HTXSNV", "HTTNV", "HTNV", "KHTNV", "KXL")}
    group = GroupSummary("dang-vien", counts, "HTTNV", 20, counts["HTTNV"] // 5, counts["HTXSNV"])
    unit = Unit(slug="xa-lon", info=info, cells=cells, members=members)
    result = Result("xa-lon", 2025, "nam", "qd366-2025", ratings, [group])
    return compose.Job(unit, "nam", rulebook.load("qd366-2025"), result)


def test_2000_row_member_list_in_both_writers(capsys):
    t0 = time.perf_counter()
    job = big_job()
    ctx = phu_luc.compose(job, "danh-sach-dang-vien")
    t_compose = time.perf_counter() - t0
    d = render(ctx)
    pages = pdf_pages(d["pdf"])
    assert len(pages) == d["pages"] and d["pages"] >= 60
    # the header repeats on every page that carries list rows
    start = next(i for i, p in enumerate(pages) if "Họ và tên" in p)
    end = max(i for i, p in enumerate(pages) if re.search(r"^\d+ \S", p, re.M)) + 1
    assert start <= 1 and end >= d["pages"] - 1
    for i in range(start, end):
        page = flat(pages[i])
        assert all(w in page for w in ("Họ và tên", "Tự chấm", "Ghi chú", "Mức đề xuất")), f"page {i + 1}"
        assert re.search(r"^\d+ \S", pages[i], re.M), f"page {i + 1} has no row"
    # every row in both writers, in Vietnamese name order
    table = grid_tables(d["doc"])[0]
    trs = table._tbl.tr_lst
    assert len(trs) == 2 + 2000
    assert all(tr.trPr.find(qn("w:tblHeader")) is not None for tr in trs[:2])
    names = [tc_text(tr.tc_lst[2]) for tr in trs[2:]]
    # by chi bộ (data order), in Vietnamese name order inside each
    assert names == [r.name for r in phu_luc.by_cell(job, phu_luc.ordered(job.ratings.subjects, "name"))]
    text = flat(" ".join(pages))
    last = [tc_text(tc) for tc in trs[-1].tc_lst]
    assert flat(" ".join(last)) in text and last[0] == "2000"
    with capsys.disabled():
        print(f"\n2,000-row member list: compose {t_compose:.2f} s; PDF (WeasyPrint) {d['pdf_s']:.1f} s wall / "
              f"{d['pdf_cpu']:.1f} s CPU for {d['pages']} pages; DOCX {d['docx_s']:.1f} s wall / {d['docx_cpu']:.1f} s CPU")


def test_the_charts_labels_are_rounded_as_the_text_says_them():
    """6,25 % was «6,25%» in the text and «6,2%» on the chart: one rounding for both."""
    from pipeline.vn import percent as pct

    from pipeline.forms import wording

    stats = [{"HTXSNV": 1, "HTTNV": 15, "HTNV": 0, "KHTNV": 0, "KXL": 0, "missing": 0}]
    block = bao_cao._chart(["Đảng viên"], stats, wording("bao-cao-ket-qua"), "HTTNV", "t")
    assert pct(1, 16) == "6,25%" and "6,25%" in block["svg"] and "6,2%" not in block["svg"]
