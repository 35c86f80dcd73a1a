"""Every regime gets its own complete set: the dossier lists of qd124-2023 (HD 25) and qd132-2018
(HD 21), the form codes and titles each guidance prints on Mẫu 02, the --strict error for a regime
without a dossier list, and Mẫu 09/HDĐG under a criteria regime whose province rulebook names a
points framework. Real builds, read back (PDF outline and mục lục, DOCX and PDF text)."""
from __future__ import annotations

import copy
import datetime as dt
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import COLLECTIVES, UNIT, run_cli, visible, write_unit

from pipeline import compose, forms
from pipeline.assemble import components
from pipeline.build import build
from pipeline.rating import rate, rulebook
from pipeline.rating import criteria as criteria_mod
from pipeline.validate import load_unit


def unit_yaml(regime: str, year: int, extra: str = "") -> str:
    return UNIT.replace("che_do: qd366-2025", f"che_do: {regime}").replace("nam: 2025", f"nam: {year}") \
        .replace("15/12/2025", f"15/12/{year}") + extra


# Criterion levels as the criteria regimes need them (forms/criteria/qd124-2023.yaml; qd132 extends it).
CELL = """\
chi_bo:
  id: cb-a
  ten: Chi bộ thôn A
  bi_thu: a-01
  danh_gia:
    nam:
      tieu_chi: {chinh-tri-tu-tuong: tot, to-chuc-can-bo: tot, sinh-hoat: tot, kiem-tra-giam-sat: tot,
                 khac-phuc: tot, nhiem-vu-chinh-tri: tot, lanh-dao-he-thong: tot}
dang_vien:
  - id: a-01
    ho_ten: Giàng Seo Páo
    ngay_sinh: 02/03/1980
    ngay_vao_dang: 05/06/2005
    vai_tro: lanh-dao
    chuc_vu_dang: Bí thư Chi bộ
    danh_gia:
      nam:
        tieu_chi: {chinh-tri-tu-tuong: tot, dao-duc-loi-song: tot, ky-luat: tot, phong-chong-tham-nhung: tot,
                   khac-phuc: tot, chuc-trach: tot, lanh-dao-quan-ly: tot, uy-tin-neu-guong: tot}
        tu_xep_loai: HTTNV
  - id: a-02
    ho_ten: Trần Thị Thu Hà
    ngay_sinh: 14/11/1990
    ngay_vao_dang: 19/05/2015
    danh_gia:
      nam:
        tieu_chi: {chinh-tri-tu-tuong: xuat-sac, dao-duc-loi-song: tot, ky-luat: tot, tu-duong: tot,
                   khac-phuc: tot, nhiem-vu: tot, neu-guong: tot}
        tu_xep_loai: HTTNV
"""
COLLECTIVES_C = COLLECTIVES + """\
    danh_gia:
      nam:
        tu_xep_loai: HTTNV
        tieu_chi: {xay-dung-dang: tot, nang-luc-lanh-dao: tot, kiem-tra-giam-sat: tot, tap-trung-dan-chu: tot,
                   doan-ket: tot, trach-nhiem: tot, khac-phuc: tot, ke-hoach: tot, muc-tieu-chi-tieu: tot,
                   xep-loai-lien-quan: tot}
"""
# The same chi bộ with points for the province's scoring sheet (Mẫu 09/HDĐG), self and vetted.
CELL_POINTS = CELL.replace("""\
                 khac-phuc: tot, nhiem-vu-chinh-tri: tot, lanh-dao-he-thong: tot}
""", """\
                 khac-phuc: tot, nhiem-vu-chinh-tri: tot, lanh-dao-he-thong: tot}
      tu_cham: {chung: 36, ket_qua: 52.5}
      tham_dinh: {chung: 35, ket_qua: 51}
""", 1)
UNIT_POINTS = """\
  danh_gia:
    nam:
      tu_cham: {chung: 34, ket_qua: 50}
"""


def _build(root: Path, regime: str, year: int, cell: str = CELL, extra: str = "", strict: bool = False):
    folder = write_unit(root / "xa-thu-nghiem", {"don-vi.yaml": unit_yaml(regime, year, extra), "chi-bo/a.yaml": cell,
                                                 "tap-the.yaml": COLLECTIVES_C})
    result = build(folder, "nam", root / "out", strict=strict)
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


@pytest.fixture(scope="module")
def y2023(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("y23"), "qd124-2023", 2023)


@pytest.fixture(scope="module")
def y2022(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("y22"), "qd132-2018", 2022)


@pytest.fixture(scope="module")
def y2022_province(tmp_path_factory):
    return _build(tmp_path_factory.mktemp("y22p"), "qd132-2018-lao-cai", 2022, CELL_POINTS, UNIT_POINTS)


# ----------------------------------------------------------------- reading back

def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def squeeze(text: str) -> str:
    """Without whitespace and hyphens: table cells wrap anywhere, pdftotext joins «02B-» + «HD»."""
    return "".join(text.split()).replace("-", "")


def pdf_pages(data: bytes, mode: str | None = None) -> list[str]:
    """Text of each page; mode "-raw" keeps a table cell's lines together (the mục lục)."""
    cmd = ["pdftotext", "-enc", "UTF-8", *([mode] if mode else []), "-", "-"]
    out = subprocess.run(cmd, input=data, capture_output=True, check=True)
    return out.stdout.decode("utf-8").split("\f")[:-1]


def docx_text(data: bytes) -> str:
    body = Document(io.BytesIO(data)).element.body
    return flat("\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))))


def outline_top(data: bytes) -> list[str]:
    r = PdfReader(io.BytesIO(data))
    return [it.title for it in r.outline if not isinstance(it, list)]


def files(result) -> dict[str, bytes]:
    return {o.path: o.data for o in result.outputs}


def toc_text(pages: list[str]) -> str:
    """The mục lục pages (after the cover) as one squeezed string."""
    out = []
    for page in pages[1:]:
        if "MỤC LỤC HỒ SƠ" not in page and out:
            break
        out.append(page)
    return squeeze("".join(out))


def check_dossiers(result, regime: str, year: int) -> dict[str, list[str]]:
    """Three copies of each dossier whose mục lục lists every component of the regime's list and
    whose bookmarks are that list's components (in order); returns folder → top-level bookmarks."""
    rules = rulebook.load(regime)
    spec = components.load(regime, "nam", year, rules.get("profile_sets") or {})
    titles = [f"{c.number}. {c.title}" for c in spec.components]
    out = {}
    by_path = files(result)
    for folder in ("don-vi", "a-01", "btv"):
        for k in (1, 2, 3):
            data = by_path[f"ho-so/{folder}/bo-{k}.pdf"]
            pages = pdf_pages(data, "-raw")
            assert f"NĂM {year}" in pages[0] and f"Bộ {k}/3" in pages[0]
            toc = toc_text(pages)
            marks = outline_top(data)
            assert marks[0] == "Mục lục hồ sơ"
            assert marks[1:] and all(m in titles for m in marks[1:]), marks
            assert marks[1:] == sorted(marks[1:], key=titles.index)
            if folder == "don-vi":       # the unit dossier lists every component in its mục lục
                for c in spec.components:
                    assert squeeze(c.title) in toc, (folder, c.title)
            out[folder] = marks[1:]
    return out


# ----------------------------------------------------------------- 1. dossier lists

def test_qd124_dossiers_in_three_copies_list_the_2023_components(y2023):
    spec = components.load("qd124-2023", "nam", 2023, rulebook.load("qd124-2023")["profile_sets"])
    assert spec.regime == "qd124-2023" and [c.number for c in spec.components] == list(range(1, 10))
    titles = [c.title for c in spec.components]
    assert "Mẫu 02A-HD KĐ.ĐG" in titles[0] and "Mẫu 02B-HD KĐ.ĐG" in titles[0]
    assert any("nơi cư trú" in t and "213-QĐ/TW" in t for t in titles)
    assert not any("tài sản, thu nhập" in t or "lý lịch cán bộ" in t for t in titles)   # 2025 (Điều 17 QĐ 366) only
    marks = check_dossiers(y2023, "qd124-2023", 2023)
    assert marks["don-vi"][0].startswith("1. Báo cáo kiểm điểm tập thể")
    pages = pdf_pages(files(y2023)["ho-so/a-01/bo-1.pdf"])
    assert "Mẫu 02B-HD KĐ.ĐG" in flat(pages[1])             # the leader's own form is the source of row 1
    with pytest.raises(components.NoSpec):                   # no quarters before 2025
        components.load("qd124-2023", "Q2", 2023, {})


def test_qd132_dossiers_list_the_2019_components(y2022):
    spec = components.load("qd132-2018", "nam", 2022, rulebook.load("qd132-2018")["profile_sets"])
    assert spec.regime == "qd132-2018"
    titles = [c.title for c in spec.components]
    assert "Mẫu 02-HD KĐ.ĐG" in titles[0] and "02A" not in titles[0]
    assert any("nơi cư trú" in t and "76-QĐ/TW" in t for t in titles)
    assert spec.component(1).documents and "mau-02" in spec.component(1).documents
    marks = check_dossiers(y2022, "qd132-2018", 2022)
    assert marks["a-01"][0].startswith("1. Báo cáo kiểm điểm tập thể")
    pages = pdf_pages(files(y2022)["ho-so/a-01/bo-2.pdf"])
    assert "Mẫu 02-HD KĐ.ĐG" in flat(pages[1])


# ----------------------------------------------------------------- 3. no dossier list

@pytest.fixture
def forms_without_lists(tmp_path, monkeypatch):
    """forms/ as it was before this branch: no dossier list for the criteria regimes."""
    copy_ = tmp_path / "forms"
    shutil.copytree(forms.FORMS, copy_)
    for name in ("qd124-2023", "qd132-2018"):
        (copy_ / "dossiers" / f"{name}.yaml").unlink(missing_ok=True)
    monkeypatch.setattr(forms, "FORMS", copy_)
    forms.refresh()
    yield copy_
    monkeypatch.undo()
    forms.refresh()


def test_a_regime_without_a_dossier_list_warns_and_fails_under_strict(tmp_path, forms_without_lists):
    unit = write_unit(tmp_path / "u", {"don-vi.yaml": unit_yaml("qd124-2023", 2023), "chi-bo/a.yaml": CELL,
                                       "tap-the.yaml": COLLECTIVES_C})
    code, out, err = run_cli("dossier", str(unit), "--output", str(tmp_path / "o"))
    assert code == 0, err
    assert "CẢNH BÁO" in err and "chưa có danh mục thành phần hồ sơ cho chế độ «qd124-2023»" in err
    assert not (tmp_path / "o" / "u" / "2023" / "ho-so").exists()
    code, out, err = run_cli("dossier", str(unit), "--output", str(tmp_path / "o2"), "--strict")
    assert code == 1, err
    line = next(x for x in err.splitlines() if "danh mục thành phần hồ sơ" in x)
    assert line.startswith("LỖI don-vi.yaml") and "«qd124-2023»" in line and "forms/dossiers/qd124-2023.yaml" in line
    assert visible(tmp_path / "o2" / "u") == ["2023.kiem-tra.txt"]          # nothing published
    assert "forms/dossiers/qd124-2023.yaml" in (tmp_path / "o2" / "u" / "2023.kiem-tra.txt").read_text("utf-8")


# ----------------------------------------------------------------- 2. form codes and titles of Mẫu 02

def mau_02(result, sid: str) -> tuple[str, str]:
    by = files(result)
    return docx_text(by[f"mau-02/{sid}.docx"]), flat(" ".join(pdf_pages(by[f"mau-02/{sid}.pdf"])))


def test_2023_member_without_a_post_gets_02a_and_leader_02b(y2023):
    kinds = {o.path: o.document for o in y2023.outputs}
    assert kinds["mau-02/a-02.pdf"] == "mau-02a" and kinds["mau-02/a-01.pdf"] == "mau-02b"
    for sid, code, category in (("a-02", "Mẫu 02A-HD KĐ.ĐG", "(Cá nhân không giữ chức vụ lãnh đạo, quản lý)"),
                                ("a-01", "Mẫu 02B-HD KĐ.ĐG", "(Cá nhân giữ chức vụ lãnh đạo, quản lý)")):
        for text in mau_02(y2023, sid):
            assert code in text and "BẢN KIỂM ĐIỂM CÁ NHÂN Năm 2023" in text and category in text
            assert "TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN" not in text
            assert text.index(code) < text.index("BẢN KIỂM ĐIỂM CÁ NHÂN") < text.index(category)


def test_2019_guidance_has_one_individual_form(y2022):
    kinds = {o.path: o.document for o in y2022.outputs}
    assert kinds["mau-02/a-01.pdf"] == kinds["mau-02/a-02.pdf"] == "mau-02"
    for sid in ("a-01", "a-02"):
        for text in mau_02(y2022, sid):
            assert "Mẫu 02-HD KĐ.ĐG" in text and "BẢN KIỂM ĐIỂM CÁ NHÂN Năm 2022" in text
            assert "02A" not in text and "02B" not in text and "(Cá nhân" not in text   # one form, no category line
    for text in (docx_text(files(y2022)["mau-01/btv.docx"]), flat(" ".join(pdf_pages(files(y2022)["mau-01/btv.pdf"])))):
        assert "Mẫu 01-HD KĐ.ĐG" in text


def _render(doc) -> tuple[str, str]:
    from pipeline.render import docx as docx_writer
    from pipeline.render import html as html_writer

    pdf, _ = html_writer.to_pdf(html_writer.to_html(doc.context))
    return docx_text(docx_writer.render(doc.context, dt.datetime(2025, 12, 31))), flat(" ".join(pdf_pages(pdf)))


def _job(folder: Path):
    unit, problems = load_unit(folder)
    assert unit is not None, problems
    return compose.Job(unit, "nam", rulebook.load(unit.info.regime), rate(unit))


def test_2025_is_the_reverse_and_the_title_comes_from_the_rulebook(tmp_path):
    from pipeline.compose import mau_02 as m02

    job = _job(write_unit(tmp_path / "u"))                       # conftest's unit: qd366-2025
    docs = {d.subject: d for d in m02.documents(job)}
    assert docs["a-01"].context["document"] == "mau-02a" and docs["a-02"].context["document"] == "mau-02b"
    for sid, code, category in (("a-01", "Mẫu 02A", "(Cá nhân giữ chức vụ lãnh đạo, quản lý)"),
                                ("a-02", "Mẫu 02B", "(Cá nhân không giữ chức vụ lãnh đạo, quản lý)")):
        for text in _render(docs[sid]):
            assert code in text and "BẢN KIỂM ĐIỂM, TỰ ĐÁNH GIÁ, XẾP LOẠI CÁ NHÂN Năm 2025" in text and category in text
            assert "HD KĐ.ĐG" not in text
    # every regime's rulebook says which title and category each role's form prints
    for regime in ("qd366-2025", "qd124-2023", "qd132-2018"):
        fm = rulebook.load(regime)["forms"]
        assert all(fm[r].get("title") for r in ("lanh-dao", "khong-lanh-dao", "ngoai-he-thong")), regime
    rules = copy.deepcopy(job.rules)
    rules["forms"]["khong-lanh-dao"].update(title="BẢN TỰ KIỂM ĐIỂM THỬ", category="Loại thử", label="02B-THỬ")
    ctx = m02.compose(compose.Job(job.unit, "nam", rules, job.ratings), job.unit.member("a-02"),
                      job.ratings.by_id("a-02"), "02B")
    assert [t["text"] for t in ctx["titles"]] == ["BẢN TỰ KIỂM ĐIỂM THỬ", "Năm 2025", "(Loại thử)"]
    assert ctx["header"]["form"] == "Mẫu 02B-THỬ" and ctx["document"] == "mau-02b"


# ----------------------------------------------------------------- 4. Mẫu 09 under a criteria regime

def score_rows(data: bytes) -> list[list[str]]:
    doc = Document(io.BytesIO(data))
    grid = next(t for t in doc.tables if t.rows[0].cells[0].text == "STT")
    return [[c.text for c in row.cells] for row in grid.rows[1:]]


def test_province_points_framework_gives_mau_09_for_each_party_organisation(y2022_province, y2022):
    rules = rulebook.load("qd132-2018-lao-cai")
    assert rules["method"] == "criteria"                      # the rating stays by criterion levels
    fid = rules["scoring"]["criteria"]
    org = criteria_mod.load(fid).for_role("to-chuc-dang")
    assert criteria_mod.load(fid).scale == "points" and org is not None
    by = files(y2022_province)
    sheets = sorted(p for p in by if p.startswith("mau-09/"))
    assert sheets == ["mau-09/cb-a.docx", "mau-09/cb-a.pdf", "mau-09/dang-bo.docx", "mau-09/dang-bo.pdf"]
    for sid, own, vet in (("cb-a", ["36", "52,5", "88,5"], ["35", "51", "86"]), ("dang-bo", ["34", "50", "84"], None)):
        rows = score_rows(by[f"mau-09/{sid}.docx"])
        crit = [(r[1], r[2]) for r in rows if r[0].isdigit()]
        assert crit == [(c.title, f"{c.max:g}") for c in org.criteria]          # the framework's rows and maxima
        groups = [r for r in rows if r[0] in ("I", "II")]
        assert [(g[1], g[2]) for g in groups] == [(g.title, f"{g.max:g}") for g in org.groups]
        total = next(r for r in rows if r[1] == "TỔNG CỘNG")
        assert total[2] == f"{sum(g.max for g in org.groups):g}"
        assert [g[3] for g in groups] + [total[3]] == own
        if vet:
            assert [g[4] for g in groups] + [total[4]] == vet
        pdf = squeeze(" ".join(pdf_pages(by[f"mau-09/{sid}.pdf"])))
        for piece in ("Mẫu 09/HDĐG", "PHIẾU CHẤM ĐIỂM", "TỔNG CỘNG", org.criteria[0].title, own[-1]):
            assert squeeze(piece) in pdf, piece
    ratings = json.loads(by["xep-loai.json"])
    orgs = [s for s in ratings["subjects"] if s["kind"] == "to-chuc-dang"]
    assert len(orgs) == 2 and all(s["score"] is None for s in orgs)
    reasons = " ".join(" ".join(s["reasons"]) for s in orgs)
    assert "Tiêu chí:" in reasons and "Tổng điểm" not in reasons        # levels from the criteria, not the points
    problems = " ".join(str(p) for p in y2022_province.problems)
    assert "không chấm điểm" not in problems                            # the sheet's points are not ignored
    # the dossiers fall back to the central list through the rulebook's extends chain, and hold the sheets
    assert components.spec_file("qd132-2018-lao-cai") == "qd132-2018"
    assert components.spec_file("qd366-2025-lao-cai") == "qd366-2025-lao-cai"
    pages = pdf_pages(by["ho-so/don-vi/bo-1.pdf"], "-raw")
    assert "Mẫu09/HDĐG" in toc_text(pages)
    # without the province rulebook: no points framework, no sheet
    assert not [o for o in y2022.outputs if o.path.startswith("mau-09/")]
    assert "mau-09" not in {o.document for o in y2022.outputs}


def test_points_on_the_province_sheet_are_checked_against_its_maxima(tmp_path):
    over = CELL_POINTS.replace("tu_cham: {chung: 36,", "tu_cham: {chung: 45,")
    folder = write_unit(tmp_path / "u", {"don-vi.yaml": unit_yaml("qd132-2018-lao-cai", 2022), "chi-bo/a.yaml": over,
                                         "tap-the.yaml": COLLECTIVES_C})
    unit, problems = load_unit(folder)
    text = [str(p) for p in problems]
    assert any(p.startswith("LỖI chi-bo/a.yaml") and "vượt quá mức tối đa 40" in p for p in text), text
    # the central regime has no sheet: the points are ignored, with a warning as before
    folder = write_unit(tmp_path / "c", {"don-vi.yaml": unit_yaml("qd132-2018", 2022), "chi-bo/a.yaml": over,
                                         "tap-the.yaml": COLLECTIVES_C})
    unit, problems = load_unit(folder)
    assert any("không chấm điểm" in str(p) and not p.is_error for p in problems)
