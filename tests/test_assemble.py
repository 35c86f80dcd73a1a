"""Dossiers (assemble/): read the copies back – pages, mục lục, outline, copy marks, attachments,
missing components, bad files, reproducibility, --strict, the quarterly dossier, the ZIP."""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli, visible, write_unit

from pipeline.assemble import attachments as A
from pipeline.build import build

MARKS = {1: "Bộ 1/3 – Lưu tại cấp ủy, cơ quan, đơn vị", 2: "Bộ 2/3 – Gửi cấp ủy cấp trên trực tiếp",
         3: "Bộ 3/3 – Gửi cơ quan tham mưu về công tác cán bộ cấp trên"}


# ----------------------------------------------------------------- helpers

def text_pdf(*pages: str, rotate: int = 0) -> bytes:
    """A small PDF written by pypdf (classic xref: not the print writer's kind of file), one page
    per text; the last page rotated by `rotate`."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    w = PdfWriter()
    font = w._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                           NameObject("/Subtype"): NameObject("/Type1"),
                                           NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for i, t in enumerate(pages):
        page = w.add_blank_page(595.28, 841.89)
        s = DecodedStreamObject()
        s.set_data(f"BT /F1 14 Tf 72 700 Td ({t}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = w._add_object(s)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        if rotate and i == len(pages) - 1:
            page.rotate(rotate)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def image(fmt: str, size: tuple[int, int]) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, (250, 250, 245))
    ImageDraw.Draw(im).rectangle([10, 10, size[0] - 10, size[1] - 10], outline=(0, 0, 0), width=4)
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


def page_texts(pdf: Path, mode: str = "-layout") -> list[str]:
    """Text of each page: -layout keeps table rows on one line (for the mục lục's columns);
    -raw keeps each table cell's lines together (for reading a cell's text)."""
    out = subprocess.run(["pdftotext", mode, str(pdf), "-"], capture_output=True, check=True).stdout
    return out.decode("utf-8").split("\f")[:-1]


def flat(text: str) -> str:
    """Without whitespace: table cells wrap anywhere."""
    return "".join(text.split())


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark."""
    from pypdf import PdfReader

    r = PdfReader(str(pdf))
    out = []

    def walk(items, depth):
        for it in items:
            if isinstance(it, list):
                walk(it, depth + 1)
            else:
                out.append((depth, it.title, r.get_destination_page_number(it) + 1))
    walk(r.outline, 0)
    return out


def toc(texts: list[str]) -> dict[int, str]:
    """Component number → the mục lục's sheet column ('–' when absent), read from the text (the
    table's header row repeats on each of its pages)."""
    rows = {}
    for page in texts[1:]:
        if "Thành phần hồ sơ" not in page and rows:
            break
        for line in page.splitlines():
            m = re.match(r"^\s{0,4}(\d{1,2})\s{2,}.*\s(\d+|–)\s*$", line)
            if m:
                rows[int(m.group(1))] = m.group(2)
    return rows


ATTACHED_NOTE = "NHAN XET NOI CU TRU THU NGHIEM"
UNIT_MINUTES = "BIEN BAN HOI NGHI DANG BO"


def attachments_files() -> dict:
    return {
        f"dinh-kem/a-01__2__nhan-xet.pdf": text_pdf(ATTACHED_NOTE),
        "dinh-kem/a-01__9.jpg": image("JPEG", (600, 850)),
        "dinh-kem/btv__3.png": image("PNG", (420, 300)),              # landscape scan
        "dinh-kem/don-vi__3__bien-ban.pdf": text_pdf(UNIT_MINUTES, "TRANG HAI XOAY", rotate=90),
        "dinh-kem/a-02__12.pdf": b"",                                    # zero bytes: refused
        "dinh-kem/a-01__q2-1.pdf": text_pdf("TO TRINH QUY II"),         # belongs to the Q2 dossier
        "dinh-kem/ghi-chu.txt": "không theo quy ước",
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("assemble")
    unit = write_unit(root / "xa-thu-nghiem", attachments_files())
    result = build(unit, "nam", root / "out")
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


def manifest(result) -> dict:
    return json.loads((result.folder / "manifest.json").read_text("utf-8"))


# ----------------------------------------------------------------- the copies

def test_manifest_lists_three_copies_of_each_dossier(built):
    files = manifest(built)["files"]
    copies = [f for f in files if f["document"] == "ho-so"]
    by = {}
    for f in copies:
        by.setdefault(f["subject"], []).append(f)
    assert set(by) == {"a-01", "btv", None}      # the leader, the collective that sends up, the unit
    for subject, fs in by.items():
        folder = subject or "don-vi"
        assert sorted((f["path"], f["copy"]) for f in fs) == [(f"ho-so/{folder}/bo-{k}.pdf", k) for k in (1, 2, 3)]
        assert len({f["pages"] for f in fs}) == 1 and fs[0]["pages"] > 3
        assert len({f["sha256"] for f in fs}) == 3          # three distinct copies
    assert all("copy" not in f for f in files if f["document"] != "ho-so")


def test_unit_dossier_holds_every_generated_pdf_once_plus_front_and_attachments(built):
    files = manifest(built)["files"]
    generated = sum(f["pages"] for f in files if f["format"] == "pdf" and f["document"] != "ho-so")
    attached = 2 + 1 + 1 + 1          # don-vi__3 (2 pages), a-01__2, a-01__9, btv__3
    for k in (1, 2, 3):
        pdf = built.folder / f"ho-so/don-vi/bo-{k}.pdf"
        texts = page_texts(pdf)
        first = min(int(p) for p in toc(texts).values() if p != "–")
        front = first - 1                                   # cover + mục lục
        assert texts[0].count("HỒ SƠ KIỂM ĐIỂM") and "MỤC LỤC HỒ SƠ" in texts[1]
        assert len(texts) == front + generated + attached


def test_subject_dossier_page_count_is_its_components_plus_front(built):
    files = {f["path"]: f for f in manifest(built)["files"]}
    pdf = built.folder / "ho-so/btv/bo-1.pdf"
    texts = page_texts(pdf)
    rows = toc(texts)
    # btv: (1) its Mẫu 01, (3) the PNG scan, (4) its extract of Phụ lục 14 (one page); the rest absent
    assert rows[1] != "–" and rows[3] != "–" and rows[4] != "–" and rows[5] == "–" and rows[6] == "–"
    assert 2 not in rows and 9 not in rows                  # personal components do not apply to a collective
    front = int(rows[1]) - 1
    expected = front + files["mau-01/btv.pdf"]["pages"] + 1 + 1
    assert len(texts) == expected == files["ho-so/btv/bo-1.pdf"]["pages"]
    assert "TRÍCH DANH SÁCH TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ" in texts[int(rows[4]) - 1]


def test_outline_matches_the_toc_page_numbers(built):
    for folder in ("a-01", "btv", "don-vi"):
        pdf = built.folder / f"ho-so/{folder}/bo-3.pdf"
        texts = page_texts(pdf)
        rows = toc(texts)
        marks = outline(pdf)
        top = [(t, p) for d, t, p in marks if d == 0]
        assert top[0] == ("Mục lục hồ sơ", 2)
        listed = {int(t.split(".")[0]): p for t, p in top[1:]}
        assert listed == {n: int(p) for n, p in rows.items() if p != "–"}, folder
        assert "1. Bản kiểm điểm cá nhân, báo cáo kiểm điểm tập thể" in [t for t, _ in top]
    # the unit dossier nests one bookmark per subject under each component, in order
    marks = outline(built.folder / "ho-so/don-vi/bo-1.pdf")
    i = next(i for i, (d, t, _) in enumerate(marks) if t.startswith("1. "))
    children = []
    for d, t, p in marks[i + 1:]:
        if d == 0:
            break
        children.append((t, p))
    assert children[0] == ("Đảng bộ xã Thử Nghiệm", marks[i][2])     # the unit's own pieces first
    assert {"Đồng chí Giàng Seo Páo", "Đồng chí Trần Thị Thu Hà", "Ban Thường vụ Đảng ủy xã"} <= {t for t, _ in children}
    assert [p for _, p in children] == sorted(p for _, p in children) and len(set(children)) == len(children)


def test_every_page_carries_its_own_copy_mark_and_no_other(built):
    for folder in ("a-01", "don-vi"):
        for k, mark in MARKS.items():
            texts = page_texts(built.folder / f"ho-so/{folder}/bo-{k}.pdf")
            for i, t in enumerate(texts):
                flat = " ".join(t.split())
                assert mark in flat, (folder, k, i + 1)
                others = [j for j in MARKS if j != k and (f"Bộ {j}/3" in flat or f"BỘ {j}/3" in flat)]
                assert not others, (folder, k, i + 1, others)
            cover = " ".join(texts[0].split())
            assert f"BỘ {k}/3" in cover and mark.split(" – ")[1].lower() in cover.lower()


def test_copies_differ_only_in_cover_block_mark_and_metadata(built):
    texts = [page_texts(built.folder / f"ho-so/a-01/bo-{k}.pdf") for k in (1, 2, 3)]

    def strip(t, k):
        t = " ".join(t.split()).replace(MARKS[k], "")
        return t

    for i in range(1, len(texts[0])):
        assert strip(texts[0][i], 1) == strip(texts[1][i], 2) == strip(texts[2][i], 3)
    from pypdf import PdfReader
    meta = [PdfReader(str(built.folder / f"ho-so/a-01/bo-{k}.pdf")).metadata for k in (1, 2, 3)]
    assert [m.subject for m in meta] == ["Lưu tại cấp ủy, cơ quan, đơn vị nơi công tác",
                                         "Gửi cấp ủy cấp trên trực tiếp",
                                         "Gửi cơ quan tham mưu về công tác cán bộ cấp trên"]
    assert all("Bộ %d/3" % k in m.title for k, m in zip((1, 2, 3), meta))


def test_mark_is_one_shared_form_xobject_and_upright_on_rotated_pages(built):
    from pypdf import PdfReader

    pdf = built.folder / "ho-so/don-vi/bo-2.pdf"
    r = PdfReader(str(pdf))
    refs = {p["/Resources"]["/XObject"].raw_get("/KdBoMark").idnum for p in r.pages}
    assert len(refs) == 1                                    # one XObject for the whole copy
    rotated = [i for i, p in enumerate(r.pages) if p.get("/Rotate", 0) == 90]
    assert rotated, "the rotated attachment page is there"
    i = rotated[0]
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(i + 1), "-l", str(i + 1), str(pdf), "-"],
                         capture_output=True, check=True).stdout.decode()
    pw, ph = (float(x) for x in re.search(r'<page width="([\d.]+)" height="([\d.]+)"', xml).groups())
    displayed_width = ph                                     # /Rotate 90: shown landscape (word boxes are in displayed space)
    words = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)
    mark = [w for w in words if w[4] == "Bộ"]
    assert mark, "mark text on the rotated page"
    x0, y0, x1, y1 = (float(v) for v in mark[0][:4])
    assert y1 < 30 and displayed_width / 2 < x0 < displayed_width   # top right of the page as shown
    assert (y1 - y0) < 12 < (x1 - x0) * 1.5                          # upright: a horizontal word


def test_no_printed_page_carries_an_arrow_or_a_group_id(built):
    """The rulebooks' reasons say «→» and «nhom-id» for the CLI; every official page (forms,
    lists, report, annex and the dossiers that bind them) says them in words."""
    pdfs = sorted(p for p in built.folder.rglob("*.pdf") if "/bo-2" not in str(p) and "/bo-3" not in str(p))
    assert len(pdfs) > 10
    said = {p.relative_to(built.folder).as_posix(): "".join(page_texts(p)) for p in pdfs}
    assert not [name for name, text in said.items() if "→" in text]
    assert not [name for name, text in said.items() if re.search(r"«[a-z0-9]+-[a-z0-9-]+»", text)]
    assert any("Tổng điểm" in text and ": HT" in text for text in said.values())


def test_attachments_land_in_their_component(built):
    pdf = built.folder / "ho-so/a-01/bo-1.pdf"
    texts = page_texts(pdf)
    rows = toc(texts)
    assert ATTACHED_NOTE in texts[int(rows[2]) - 1]
    toc_text = flat("".join(page_texts(pdf, "-raw")[1:int(rows[1]) - 1]))
    # the office's voice: a scan is «Bản chụp» with its pages, never its file name
    assert flat("Bản nhận xét của cấp ủy nơi cư trú đối với cá nhân (trừ trường hợp đặc biệt) Bản chụp, 1 trang") \
        in toc_text
    assert flat("Phiếu bổ sung hồ sơ đảng viên Bản chụp, 1 trang") in toc_text
    assert not any("__" in t or ".pdf" in t or ".jpg" in t or "Lập tự động" in t for t in texts)
    unit = page_texts(built.folder / "ho-so/don-vi/bo-1.pdf")
    urows = toc(unit)
    assert UNIT_MINUTES in unit[int(urows[3]) - 1]
    # the Q2 file is not in the annual dossier
    assert not any("TO TRINH QUY II" in t for t in unit)


def test_images_become_a4_pages_with_their_aspect_ratio():
    from pypdf import PdfReader

    for size, landscape in (((420, 300), True), ((600, 850), False)):
        pdf = A.image_pdf(image("PNG", size))
        page = PdfReader(io.BytesIO(pdf)).pages[0]
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert sorted((round(w), round(h))) == [595, 842] and (w > h) == landscape
        a, _, _, d, x, y = (float(v) for v in page.get_contents().get_data().split()[1:7])
        assert abs(a / d - size[0] / size[1]) < 0.005          # aspect ratio kept
        assert x >= A.MARGIN - 0.01 and y >= A.MARGIN - 0.01    # inside the margins
    jpeg = image("JPEG", (600, 850))
    assert jpeg in A.image_pdf(jpeg)                             # a JPEG goes in unchanged


def test_missing_required_component_is_thieu_and_a_problem(built):
    texts = page_texts(built.folder / "ho-so/a-01/bo-1.pdf")
    rows = toc(texts)
    assert rows[3] == "–" and rows[10] == "–"
    toc_text = " ".join(" ".join(texts[1:int(rows[1]) - 1]).split())
    assert "THIẾU" in toc_text and "HỒ SƠ CHƯA ĐẦY ĐỦ" not in toc_text
    assert "Không có" in toc_text                              # optional components absent: not THIẾU
    msgs = [str(p) for p in built.problems if "ho-so/a-01" in str(p)]
    assert len(msgs) == 1 and "thiếu thành phần bắt buộc" in msgs[0] and "(3) Biên bản hội nghị kiểm điểm" in msgs[0]
    assert "a-01__3.pdf" in msgs[0]                            # says how to fix it
    assert not msgs[0].startswith("LỖI")                       # a warning unless --strict
    # the cover is an official page: no validation message; the mark line says it, discreetly
    cover = " ".join(texts[0].split())
    assert "CHƯA ĐẦY ĐỦ" not in cover and "THIẾU" not in cover and "thành phần;" not in cover
    assert all("Bộ 1/3 – Lưu tại cấp ủy, cơ quan, đơn vị – bản chưa đủ thành phần" in t for t in texts)


def test_bad_attachment_in_a_build_is_reported_in_kiem_tra_and_the_toc(built):
    report = (built.folder / "kiem-tra.txt").read_text("utf-8")
    assert "dinh-kem/a-02__12.pdf" in report and "tệp rỗng" in report
    assert "dinh-kem/ghi-chu.txt" in report and "không theo quy ước" in report
    pdf = built.folder / "ho-so/don-vi/bo-1.pdf"
    rows = toc(page_texts(pdf))
    first = min(int(p) for p in rows.values() if p != "–")
    toc_text = flat("".join(page_texts(pdf, "-raw")[1:first - 1]))
    assert "a-02__12" not in toc_text and "Tệpbịloại" not in toc_text     # kiem-tra.txt says it


# ----------------------------------------------------------------- every bad attachment case

def _scan(folder: Path, strict: bool = False):
    return A.scan(folder, {"a-01", "a-02", "btv"}, "nam", set(range(1, 14)), strict)


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf("BI MAT"))))
    w.encrypt("mat-khau")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


BAD = [
    ("a-01__2.pdf", lambda: b"", "tệp rỗng (0 byte)"),
    ("a-01__2.pdf", lambda: b"%PDF-1.4\n1 0 obj\n<</Type /Catalog /Pages 9 0 R>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
     "tệp PDF bị hỏng"),
    ("a-01__2.pdf", lambda: text_pdf("X")[:300], "tệp PDF bị hỏng"),
    ("a-01__2.pdf", encrypted_pdf, "tệp PDF có mật khẩu/mã hóa"),
    ("a-01__2.pdf", lambda: b"Hello, this is a Word export gone wrong", "không phải tệp PDF"),
    ("a-01__2.jpg", lambda: b"this is not a picture at all", "không phải ảnh"),
    ("a-01__2.png", lambda: image("PNG", (50, 50))[:60], "không phải ảnh"),
    ("a-01__2.docx", lambda: b"PK\x03\x04", "chỉ PDF, JPEG, PNG"),
    ("x-99__2.pdf", lambda: text_pdf("X"), "không có đối tượng mã «x-99»"),
    ("a-01__99.pdf", lambda: text_pdf("X"), "không có thành phần số 99"),
    ("a-01__hai.pdf", lambda: text_pdf("X"), "phải là số thành phần"),
]


@pytest.mark.parametrize("name,make,message", BAD, ids=[m for _, _, m in BAD])
def test_each_bad_attachment_gives_its_message(tmp_path, name, make, message):
    (tmp_path / "dinh-kem").mkdir()
    (tmp_path / "dinh-kem" / name).write_bytes(make())
    found, rejected, problems = _scan(tmp_path)
    assert not found
    assert len(problems) == 1, problems
    assert message in problems[0].message and problems[0].where.file == f"dinh-kem/{name}"
    assert problems[0].severity == "canh-bao"
    _, _, strict = _scan(tmp_path, strict=True)
    if name.startswith("a-01__2."):
        assert strict[0].severity == "loi"                   # --strict makes a bad file an error


def test_symlink_out_of_the_folder_is_not_followed(tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(text_pdf("SECRET"))
    (tmp_path / "unit" / "dinh-kem").mkdir(parents=True)
    os.symlink(secret, tmp_path / "unit" / "dinh-kem" / "a-01__2.pdf")
    os.symlink(tmp_path, tmp_path / "unit" / "dinh-kem" / "ngoai")         # a directory link, too
    os.symlink(tmp_path / "nowhere.pdf", tmp_path / "unit" / "dinh-kem" / "a-01__3.pdf")
    found, rejected, problems = _scan(tmp_path / "unit")
    assert not found
    text = "\n".join(str(p) for p in problems)
    assert "dinh-kem/a-01__2.pdf" in text and "trỏ ra ngoài thư mục dinh-kem/" in text
    assert "dinh-kem/ngoai" in text
    assert "dinh-kem/a-01__3.pdf" in text and "liên kết (symlink) hỏng" in text
    # a link that stays inside the folder is fine
    real = tmp_path / "unit" / "dinh-kem" / "scans" / "scan-001.pdf"
    real.parent.mkdir()
    real.write_bytes(text_pdf("INSIDE"))
    for p in (tmp_path / "unit" / "dinh-kem").iterdir():
        if p.is_symlink():
            p.unlink()
    os.symlink(real, tmp_path / "unit" / "dinh-kem" / "a-01__4.pdf")
    found, _, problems = _scan(tmp_path / "unit")
    assert [a.name for a in found] == ["a-01__4.pdf"]
    assert [p.where.file for p in problems] == ["dinh-kem/scans/scan-001.pdf"]   # not named by the convention


def test_index_file_names_unconventional_scans_and_refuses_to_leave_the_folder(tmp_path):
    (tmp_path / "secret.pdf").write_bytes(text_pdf("SECRET"))
    d = tmp_path / "unit" / "dinh-kem"
    d.mkdir(parents=True)
    (d / "Scan_0012.pdf").write_bytes(text_pdf("SCAN"))
    (d / "danh-muc.yaml").write_text(
        "dinh_kem:\n"
        "  - {tep: Scan_0012.pdf, doi_tuong: a-01, thanh_phan: 2}\n"
        "  - {tep: ../../secret.pdf, doi_tuong: a-01, thanh_phan: 3}\n"
        "  - {tep: /etc/passwd, doi_tuong: a-01, thanh_phan: 4}\n"
        "  - {tep: khong-co.pdf, doi_tuong: a-01, thanh_phan: 5}\n", "utf-8")
    found, _, problems = _scan(tmp_path / "unit")
    assert [(a.name, a.subject, a.number) for a in found] == [("Scan_0012.pdf", "a-01", 2)]
    text = "\n".join(str(p) for p in problems)
    assert "dinh-kem/danh-muc.yaml:3 tep: «../../secret.pdf»: đường dẫn ra ngoài thư mục dinh-kem/" in text
    assert "«/etc/passwd»: đường dẫn ra ngoài" in text
    assert "«khong-co.pdf»: không có tệp này" in text


# ----------------------------------------------------------------- whole builds

def test_two_builds_give_identical_dossiers_and_zip(built, tmp_path):
    unit = built.folder.parent.parent.parent / "xa-thu-nghiem"
    again = build(unit, "nam", tmp_path / "again", use_cache=False)
    a, b = manifest(built), manifest(again)
    assert a == b
    for f in a["files"]:
        assert (built.folder / f["path"]).read_bytes() == (again.folder / f["path"]).read_bytes(), f["path"]
    for name in ("xa-thu-nghiem-2025.zip", "xa-thu-nghiem-2025.zip.sha256"):
        assert (built.folder / name).read_bytes() == (again.folder / name).read_bytes()


def test_zip_holds_the_period_folder_and_its_hash_is_beside_it(built):
    z = built.folder / "xa-thu-nghiem-2025.zip"
    digest, name = (built.folder / "xa-thu-nghiem-2025.zip.sha256").read_text("utf-8").split()
    assert name == z.name and digest == hashlib.sha256(z.read_bytes()).hexdigest()
    listed = {f["path"] for f in manifest(built)["files"]} | {"manifest.json"}
    with zipfile.ZipFile(z) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {n.removeprefix("xa-thu-nghiem-2025/") for n in names} == listed
        assert {i.date_time for i in zf.infolist()} == {(2025, 11, 7, 0, 0, 0)}   # the plan's date
        assert zf.read("xa-thu-nghiem-2025/ho-so/btv/bo-2.pdf") == (built.folder / "ho-so/btv/bo-2.pdf").read_bytes()
    assert z.name not in listed                                # the manifest cannot hash the ZIP holding it


def test_zip_stores_compressed_formats_deflates_text_and_hashes_what_it_wrote(tmp_path):
    """write_zip: PDF/DOCX/images stored (they are compressed already), text deflated; the bytes
    are those of a plain zipfile run with the same entries, and the .sha256 (computed while the
    ZIP is written) is the hash of the file."""
    import datetime as dt

    from pipeline.publish.bundle import write_zip
    rnd = __import__("random").Random(7)
    files = {"b.pdf": bytes(rnd.randrange(256) for _ in range(3 << 20)), "a.docx": b"PK" + os.urandom(5000),
             "manifest.json": b'{"files": []}\n' * 500, "kiem-tra.txt": "Lỗi: 0\n".encode() * 300,
             "ho-so/x/bo-1.pdf": b"%PDF-1.7\n" * 40000, "scan.jpg": b"\xff\xd8" + os.urandom(100), "empty.png": b""}
    created = dt.datetime(2025, 11, 7)
    path = write_zip(tmp_path, "2025", files, "u", created)
    with zipfile.ZipFile(path) as z:
        kinds = {i.filename.removeprefix("u-2025/"): i.compress_type for i in z.infolist()}
        assert all(z.read(f"u-2025/{k}") == v for k, v in files.items())
    assert kinds == {k: zipfile.ZIP_DEFLATED if k.endswith((".json", ".txt")) else zipfile.ZIP_STORED for k in files}
    expected = tmp_path / "expected.zip"
    with zipfile.ZipFile(expected, "w") as z:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"u-2025/{rel}", date_time=(2025, 11, 7, 0, 0, 0))
            info.create_system, info.external_attr, info.compress_type = 3, 0o100644 << 16, kinds[rel]
            z.writestr(info, files[rel], compresslevel=6)
    assert path.read_bytes() == expected.read_bytes()
    digest, name = (tmp_path / "u-2025.zip.sha256").read_text("utf-8").split()
    assert (digest, name) == (hashlib.sha256(path.read_bytes()).hexdigest(), "u-2025.zip")


def test_cache_entries_round_trip_and_anything_else_is_a_miss(tmp_path):
    from pipeline.assemble.cache import Store
    store = Store(tmp_path, "ho-so")
    body = os.urandom(100_000)
    parts = [body + b"copy %d" % i for i in (1, 2, 3)]
    store.put("ab" * 32, {"pages": 7}, parts, prefix=len(body))
    path = store.path("ab" * 32)
    assert path.stat().st_size < 2 * len(body)          # the shared start is stored once
    assert store.get("ab" * 32) == ({"pages": 7}, parts, [hashlib.sha256(p).hexdigest() for p in parts])
    assert store.get("cd" * 32) is None
    store.put("ef" * 32, {}, [b"abc", b"xyz"], prefix=2)  # a wrong prefix: stored whole
    assert store.get("ef" * 32)[1] == [b"abc", b"xyz"]
    good = path.read_bytes()
    for bad in (good[:-1], good + b"x", good[:50], b"", good.replace(b"copy 2", b"copy 9"),
                good.replace(b'"pages": 7', b'"pages": 8'), good.replace(b"kiem-diem", b"kiem-xxxx"),
                good.split(b"\n")[0] + b"\n[1, 2]\n" + good.split(b"\n", 2)[2]):
        path.write_bytes(bad)
        assert store.get("ab" * 32) is None
    path.write_bytes(good)
    assert store.get("ab" * 32) is not None


def test_strict_fails_on_a_missing_component(tmp_path):
    unit = write_unit(tmp_path / "u")
    code, out, err = run_cli("dossier", str(unit), "--output", str(tmp_path / "o"), "--strict")
    assert code == 1
    assert "LỖI ho-so/a-01: hồ sơ năm 2025 của Đồng chí Giàng Seo Páo (a-01) thiếu thành phần bắt buộc" in err
    assert visible(tmp_path / "o" / "u") == ["2025.kiem-tra.txt"]     # nothing published, the report beside
    assert "LỖI ho-so/don-vi" in (tmp_path / "o" / "u" / "2025.kiem-tra.txt").read_text("utf-8")
    assert "2025.kiem-tra.txt" in err


def test_quarterly_dossier_has_the_five_components(tmp_path):
    unit = write_unit(tmp_path / "u", attachments_files())
    result = build(unit, "Q2", tmp_path / "o")
    assert result.ok and result.folder.name == "2025-Q2"
    pdf = result.folder / "ho-so/a-01/bo-1.pdf"
    texts = page_texts(pdf)
    rows = toc(texts)
    assert set(rows) == {1, 2, 3, 4, 5}
    assert "TO TRINH QUY II" in texts[int(rows[1]) - 1]          # a-01__q2-1.pdf
    assert "QUÝ II NĂM 2025" in texts[0]
    assert not any(ATTACHED_NOTE in t for t in texts)            # annual attachments stay out
    top = [t for d, t, _ in outline(pdf) if d == 0]
    assert top[1].startswith("1. Văn bản đề nghị")
    assert (result.folder / "u-2025-Q2.zip").exists()


def test_a_front_whose_toc_is_longer_than_assumed_is_rendered_again_with_the_same_result(built, tmp_path, monkeypatch):
    """The mục lục's page count is first assumed; a front that comes out otherwise is rendered
    again at once (render_all's each → a new context) – the dossiers must not change."""
    from pipeline.assemble import dossier

    real = dossier._Plan.__init__
    guesses = []

    def wrong_guess(self, *a, **k):
        real(self, *a, **k)
        self.toc_pages = 3          # every front is one or two pages of mục lục: always wrong
        guesses.append(self.d.folder)

    monkeypatch.setattr(dossier._Plan, "__init__", wrong_guess)
    unit = built.folder.parent.parent.parent / "xa-thu-nghiem"
    again = build(unit, "nam", tmp_path / "again", use_cache=False)
    assert guesses and again.ok
    for f in manifest(built)["files"]:
        if f["path"].startswith("ho-so/"):
            assert (built.folder / f["path"]).read_bytes() == (again.folder / f["path"]).read_bytes(), f["path"]


def _corner(pdf: Path, page: int, width_pt: float, height_pt: float) -> str:
    """The text in the top right corner of a page as displayed: the copy mark and the sheet number."""
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-x", str(int(width_pt - 200)), "-y", "0",
                          "-W", "200", "-H", "45", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_every_sheet_of_a_copy_is_numbered_through_and_the_toc_gives_those_numbers(built):
    from pypdf import PdfReader

    pdf = built.folder / "ho-so/don-vi/bo-2.pdf"
    reader = PdfReader(pdf)
    for i, page in enumerate(reader.pages, 1):
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        if page.get("/Rotate", 0) in (90, 270):
            w, h = h, w
        corner = _corner(pdf, i, w, h)
        numbers = re.findall(r"(?m)^\s*(\d+)\s*$", corner)
        assert numbers == [str(i)], (i, corner)
    # the mục lục's sheet column: the sheet each component starts on (and the outline agrees)
    texts = page_texts(pdf)
    rows = toc(texts)
    outline = {o.title.split(".")[0]: reader.get_destination_page_number(o) + 1
               for o in reader.outline if not isinstance(o, list)}
    for n, sheet in rows.items():
        if sheet != "–":
            assert outline[str(n)] == int(sheet)


def test_the_unit_dossiers_toc_lists_each_subject_under_its_component_with_its_sheet(built):
    from pypdf import PdfReader

    pdf = built.folder / "ho-so/don-vi/bo-1.pdf"
    reader = PdfReader(pdf)
    texts = page_texts(pdf)
    listed = {}
    for page in texts[1:]:
        if "Thành phần hồ sơ" not in page:
            break
        for line in page.splitlines():
            m = re.match(r"^\s+– (.+?)\s{2,}(\d+)\s*$", line)
            if m:
                listed.setdefault(m.group(1).strip(), int(m.group(2)))
    # the bookmarks have one child per subject under each component: the same sheets
    kids = {}
    for i, item in enumerate(reader.outline):
        if isinstance(item, list):
            for child in item:
                kids.setdefault(child.title, reader.get_destination_page_number(child) + 1)
    assert listed and set(listed) <= set(kids)
    assert all(listed[name] == kids[name] for name in listed)
    assert "Đồng chí Giàng Seo Páo" in listed


def test_a_signed_scan_takes_the_place_of_the_generated_form(tmp_path):
    """Signed papers first: the office scanned a-01's signed self-review (`a-01__1.pdf`); the
    dossiers carry the scan in its place and the mục lục says so."""
    signed = text_pdf("BAN KIEM DIEM DA KY TEN")
    result = build(write_unit(tmp_path / "u", {"dinh-kem/a-01__1.pdf": signed}), "nam", tmp_path / "o")
    assert result.ok
    for folder in ("a-01", "don-vi"):
        pdf = result.folder / f"ho-so/{folder}/bo-1.pdf"
        texts = page_texts(pdf)
        rows = toc(texts)
        toc_text = flat("".join(page_texts(pdf, "-raw")[1:int(rows[1]) - 1]))
        assert flat("Mẫu 02A – Bản kiểm điểm cá nhân (bản có chữ ký, 1 trang)") in toc_text, folder
        body = " ".join(texts[int(rows[1]) - 1:])
        assert "BAN KIEM DIEM DA KY TEN" in body
        # a-01's generated form is not there; the other members' are (in the unit dossier)
        assert "Giàng Seo Páo" not in " ".join(t for t in texts[int(rows[1]) - 1:] if "BẢN KIỂM ĐIỂM" in t), folder
    # the generated form is still published: the print-out for signing
    assert (result.folder / "mau-02/a-01.pdf").is_file()


def test_a_persons_dossier_holds_an_extract_of_the_lists_with_only_their_own_row(built):
    """No person's dossier shows another person's rating: the lists come as «TRÍCH DANH SÁCH»
    with the subject's own row (numbered as in the whole list), the title and the signature."""
    texts = page_texts(built.folder / "ho-so/a-01/bo-1.pdf")
    lists = [t for t in texts if "DANH SÁCH" in t]
    assert lists and all("TRÍCH DANH SÁCH" in t for t in lists)
    joined = " ".join(lists)
    assert "Giàng Seo Páo" in joined and "T/M ĐẢNG ỦY" in joined
    for other in ("Trần Thị Thu Hà", "Lê Văn Ân"):
        assert other not in " ".join(texts), other
    # the unit's Giải trình is not in a person's dossier: the extract does not send the reader to it
    assert "HTXSNV – Hoàn thành xuất sắc" in joined and "Giải trình căn cứ" not in " ".join(texts)
    unit = " ".join(page_texts(built.folder / "ho-so/don-vi/bo-1.pdf"))
    assert "Trần Thị Thu Hà" in unit and "TRÍCH DANH SÁCH" not in unit
