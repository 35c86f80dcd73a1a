"""The office's web page over HTTP: a real `python -m pipeline serve` in a subprocess, its pages'
content, an upload built by the drop folder's watcher, and the guards – CSRF, path escapes, the
upload size limit, the host name, the password off loopback. Every wait is bounded."""
from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
import zipfile
from html import unescape
from pathlib import Path

import pytest

from conftest import ROOT, write_unit
from serve_support import (ROSTER, UNIT, Client, Server, build, changed_roster, copy_tree, make_unit,
                           roster_bytes)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The test unit (YAML plus an Excel roster) built once; each test copies data and output."""
    root = tmp_path_factory.mktemp("serve-built")
    make_unit(root / "data" / UNIT)
    build(root / "data", root / "out")
    return root


def fresh(tmp_path: Path, built: Path) -> None:
    copy_tree(built / "data", tmp_path / "data")
    copy_tree(built / "out", tmp_path / "out")


@pytest.fixture
def server(tmp_path, built):
    fresh(tmp_path, built)
    s = Server(tmp_path).start()
    yield s
    s.stop()
    # SIGTERM: uvicorn stops, then the watcher thread and the render workers – no traceback, exit 0
    assert s.proc.returncode == 0 and s.log().rstrip().endswith("Đã dừng trang web / stopped"), s.log()
    assert "Traceback" not in s.log() and "leaked" not in s.log()


def period_dir(out: Path, slug: str = UNIT) -> Path:
    return (out / slug / "2025").resolve()


def text(r) -> str:
    return unescape(r.text)


# ---------------------------------------------------------------- pages


def test_start_page_lists_every_unit_with_its_figures(server):
    c = server.client()
    r = c.get("/")
    assert r.status == 200
    page = text(r)
    folder = period_dir(server.out)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    ratings = json.loads((folder / "xep-loai.json").read_text("utf-8"))
    warnings = re.search(r"Cảnh báo: (\d+)", (folder / "kiem-tra.txt").read_text("utf-8")).group(1)
    row = page[page.index('data-don-vi="xa-thu-nghiem"'):]
    row = row[:row.index("</tr>")]
    assert "Đảng bộ xã Thử Nghiệm" in row and "Năm 2025" in row
    assert f">{len(manifest['files'])}</a>" in row                      # documents of the published set
    assert f">{warnings}</a>" in row and ">0</a>" in row                 # warnings, no errors
    httnv = sum(1 for s in ratings["subjects"] if s["rated"] and (s["final_level"] or s["proposed_level"]) == "HTTNV")
    assert f"HTTNV</abbr> {httnv}" in row
    assert r.header("Content-Security-Policy").startswith("default-src 'self'")
    csrf = next(c for c in r.cookies() if c.startswith("csrf="))
    assert "HttpOnly" in csrf and "SameSite=Strict" in csrf


def test_problems_table_with_file_line_cell_sorting_and_filters(server):
    c = server.client()
    page = text(c.get(f"/don-vi/{UNIT}/van-de"))
    assert "chi-bo/a.yaml:22" in page and "«Lê Văn Ân» chưa được xếp loại" in page
    assert "danh-sach.xlsx 'Danh sách'!I4" in page and "danh_gia.nam.tu_xep_loai" in page
    assert "«Trần Thị Hai» tự xếp loại HTXSNV cao hơn mức đề xuất theo quy định HTTNV" in page
    only_excel = text(c.get(f"/don-vi/{UNIT}/van-de?tep=danh-sach.xlsx"))
    assert "Trần Thị Hai" in only_excel and "chi-bo/a.yaml:22" not in only_excel
    assert "Không có dòng nào khớp bộ lọc" in text(c.get(f"/don-vi/{UNIT}/van-de?muc=loi"))
    by_file = re.findall(r"<code>([^<]+\.(?:yaml|xlsx)[^<]*)</code>", text(c.get(f"/don-vi/{UNIT}/van-de?sap=tep")))
    by_file_desc = re.findall(r"<code>([^<]+\.(?:yaml|xlsx)[^<]*)</code>",
                              text(c.get(f"/don-vi/{UNIT}/van-de?sap=tep&giam=1")))
    assert by_file == sorted(by_file) and by_file_desc == by_file[::-1] and len(by_file) >= 4
    # from a problem to the lines around it: the YAML line, the Excel cell
    lines = text(c.get(f"/don-vi/{UNIT}/van-de/tep?tep=chi-bo/a.yaml&dong=22"))
    source = (server.data / UNIT / "chi-bo" / "a.yaml").read_text("utf-8").splitlines()
    marked = re.search(r'id="dong-22"><th>22</th><td><pre>([^<]*)</pre>', lines)
    assert marked and marked.group(1) == source[21] and "Lê Văn Ân" in lines
    cell = text(c.get(f"/don-vi/{UNIT}/van-de/tep?tep=danh-sach.xlsx&o=%27Danh%20s%C3%A1ch%27!I4"))
    assert "Trần Thị Hai" in cell and re.search(r'class="o-loi">HTXSNV<', cell)


def test_ratings_table_filters_and_quota(server):
    c = server.client()
    page = text(c.get(f"/don-vi/{UNIT}/xep-loai"))
    for name in ("Giàng Seo Páo", "Trần Thị Hai", "Nguyễn Văn Một", "Ban Thường vụ Đảng ủy xã"):
        assert name in page
    assert "Tổng điểm 82/100 → HTTNV" in page
    in_cell = text(c.get(f"/don-vi/{UNIT}/xep-loai?chi-bo=cb-a"))
    assert "Trần Thị Hai" in in_cell and 'data-ma="btv"' not in in_cell     # unit-level collective: no chi bộ
    group = text(c.get(f"/don-vi/{UNIT}/xep-loai?nhom=dang-vien&muc=HTTNV"))
    rows = re.findall(r'<tr data-ma="([^"]+)">', group)
    ratings = json.loads((period_dir(server.out) / "xep-loai.json").read_text("utf-8"))
    want = [s["id"] for s in ratings["subjects"] if s["group"] == "dang-vien" and "HTTNV" in
            (s["self_level"], s["proposed_level"], s["final_level"])]
    assert rows == want and rows
    quota = re.search(r'<tr data-nhom="dang-vien">(.*?)</tr>', page, re.S).group(1)
    g = next(g for g in ratings["groups"] if g["id"] == "dang-vien")["quota"]
    assert f"được {g['allowed']}, đã dùng {g['used']}" in quota and "✓ trong hạn mức" in quota


def test_documents_preview_downloads_and_zip_hash(server):
    c = server.client()
    folder = period_dir(server.out)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    page = text(c.get(f"/don-vi/{UNIT}/tai-lieu?ky=2025&loai=mau-02a"))
    sha = (folder / f"{UNIT}-2025.zip.sha256").read_text().split()[0]
    assert f'<code id="zip-sha">{sha}</code>' in page and "Bản kiểm điểm cá nhân" in page
    person = text(c.get(f"/don-vi/{UNIT}/tai-lieu?doi-tuong=a-01"))
    assert "Tài liệu của Giàng Seo Páo" in person and "mau-02/a-01.pdf" in person
    z = c.get(f"/don-vi/{UNIT}/tep/2025/{UNIT}-2025.zip?tai=1")
    assert z.status == 200 and "attachment" in z.header("Content-Disposition")
    assert hashlib.sha256(z.body).hexdigest() == sha
    with zipfile.ZipFile(io.BytesIO(z.body)) as zf:
        inside = json.loads(zf.read(next(n for n in zf.namelist() if n.endswith("manifest.json"))))
        assert inside == manifest
        for f in manifest["files"]:
            member = next(n for n in zf.namelist() if n.endswith("/" + f["path"]) or n == f["path"])
            assert hashlib.sha256(zf.read(member)).hexdigest() == f["sha256"], f["path"]
    pdf = next(f for f in manifest["files"] if f["path"] == "ke-hoach.pdf")
    got = c.get(f"/don-vi/{UNIT}/tep/2025/ke-hoach.pdf")
    assert got.header("Content-Type") == "application/pdf" and hashlib.sha256(got.body).hexdigest() == pdf["sha256"]
    preview = text(c.get(f"/don-vi/{UNIT}/xem?tep=ke-hoach.pdf"))
    assert f"{pdf['pages']} trang" in preview and 'type="application/pdf"' in preview and "Tải DOCX" in preview
    png = c.get(f"/don-vi/{UNIT}/anh?tep=ke-hoach.pdf&trang=1")
    assert png.status == 200 and png.body.startswith(b"\x89PNG") and png.header("Content-Type") == "image/png"
    xlsx = c.get(f"/mau/danh-sach-dang-vien.xlsx?don-vi={UNIT}")
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(xlsx.body))
    lists = "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "Chi bộ thôn A" in lists and "Họ và tên" in lists


# ---------------------------------------------------------------- uploads through the drop folder


def test_upload_goes_through_the_drop_folder_and_is_built(server):
    c = server.client()
    before = c.json(f"/don-vi/{UNIT}/trang-thai")["stamp"]
    original = (server.data / UNIT / ROSTER).read_bytes()
    data = changed_roster()
    r = c.upload(UNIT, [(ROSTER, data)], token="header")
    assert r.status == 200 and json.loads(r.body)["files"] == [ROSTER], r.text
    st = server.wait_built(c, UNIT, before)
    assert st["last"]["ok"] and st["last"]["errors"] == 0
    batches = sorted((server.inbox / UNIT / "da-xu-ly").iterdir())
    assert len(batches) == 1 and (batches[0] / ROSTER).read_bytes() == data        # kept untouched
    assert (server.inbox / ".lam-viec" / UNIT / ROSTER).read_bytes() == data      # merged into the work copy
    assert (server.data / UNIT / ROSTER).read_bytes() == original                 # data/ never modified
    receipt = (server.inbox / UNIT / "KET-QUA.txt").read_text("utf-8")
    assert f"da-xu-ly/{batches[0].name}/" in receipt and ROSTER in receipt
    ratings = json.loads((period_dir(server.out) / "xep-loai.json").read_text("utf-8"))
    x02 = next(s for s in ratings["subjects"] if s["id"] == "x-02")
    assert x02["score"] == 96 and x02["proposed_level"] == "HTXSNV"
    page = text(c.get(f"/don-vi/{UNIT}/xep-loai?q=Tr%E1%BA%A7n"))
    assert "Tổng điểm 96/100 → HTXSNV" in page
    assert "danh-sach.xlsx" not in text(c.get(f"/don-vi/{UNIT}/van-de"))          # her warning is gone
    assert not list((server.inbox / ".tai-len").rglob("*.*"))                      # no staging left


def test_a_refused_name_or_an_empty_request_says_why(server):
    c = server.client()
    r = c.upload(UNIT, [("~$danh-sach.xlsx", b"lock")])
    assert r.status == 400 and "tệp ẩn, tệp tạm" in json.loads(r.body)["message"]
    r = c.upload(UNIT, [])
    assert r.status == 400 and "chưa chọn tệp" in json.loads(r.body)["message"]
    r = c.upload("Xa_Sai", [("a.yaml", b"x: 1\n")])
    assert r.status == 404 and "không hợp lệ" in json.loads(r.body)["message"]
    assert not (server.inbox / UNIT).exists()


def test_scans_go_to_dinh_kem_and_folders_are_stripped(server):
    c = server.client()
    before = c.json(f"/don-vi/{UNIT}/trang-thai")["stamp"]
    png = (ROOT / "data" / "xa-lung-phinh" / "dinh-kem" / "lp-cq-001__2__nhan-xet-noi-cu-tru.png").read_bytes()
    r = c.upload(UNIT, [("../../a-01__2__nhan-xet.png", png)], as_json=False)    # a browser without script
    assert r.status == 303 and r.header("Location") == f"/don-vi/{UNIT}?nhan=1", r.text
    assert "Đã nhận 1 tệp" in text(c.get(r.header("Location")))
    server.wait_built(c, UNIT, before)
    assert (server.inbox / ".lam-viec" / UNIT / "dinh-kem" / "a-01__2__nhan-xet.png").read_bytes() == png
    assert not (server.tmp / "a-01__2__nhan-xet.png").exists()


def test_sse_reports_the_phase_as_json(server):
    import http.client

    c = server.client()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", f"/don-vi/{UNIT}/tien-do", headers={"Cookie": f"csrf={c.csrf}"})
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream")
    buf = b""
    while b"\n\n" not in buf.split(b"event: trang-thai", 1)[-1] or b"event: trang-thai" not in buf:
        buf += r.read1(4096)
    conn.close()
    event = buf.split(b"event: trang-thai\ndata: ", 1)[1].split(b"\n\n", 1)[0]
    st = json.loads(event)
    assert st["unit"] == UNIT and st["phase"] == "idle" and st["text"] == "Sẵn sàng" and st["mode"] == "own"
    assert st["last"]["ok"] is True


# ---------------------------------------------------------------- guards


def test_every_post_needs_the_csrf_token(server):
    c = server.client()
    token = c.csrf
    for how in (None, "x" * 43):
        r = c.upload(UNIT, [("a.yaml", b"x: 1\n")], token=how)
        assert r.status == 403 and "mã bảo vệ biểu mẫu" in json.loads(r.body)["message"]
    r = c.upload(UNIT, [("a.yaml", b"x: 1\n")], token=None, headers={"X-CSRF-Token": "sai"})
    assert r.status == 403
    r = c.upload(UNIT, [("a.yaml", b"x: 1\n")], headers={"Origin": "http://evil.example"})
    assert r.status == 403 and "trang web khác" in text(r)
    other = Client(server.port)                      # another browser: its own cookie, our token
    other.get("/")
    r = other.upload(UNIT, [("a.yaml", b"x: 1\n")], token=token)
    assert r.status == 403
    r = c.post_form("/dang-nhap", {"mat-khau": "x"})
    assert r.status == 403 and "Mã bảo vệ biểu mẫu" in text(r)
    assert not (server.inbox / UNIT).exists() and not list((server.inbox / ".tai-len").rglob("*.*"))


@pytest.mark.parametrize("path", [
    f"/don-vi/{UNIT}/tep/2025/../../../../etc/passwd",
    f"/don-vi/{UNIT}/tep/2025/%2e%2e/%2e%2e/don-vi.yaml",
    f"/don-vi/{UNIT}/tep/2025/.khoa",
    f"/don-vi/{UNIT}/tep/2025/secret.txt",
    f"/don-vi/{UNIT}/tep/..%2F..%2Fetc/passwd",
    "/don-vi/..%2Fdata/van-de",
    f"/don-vi/{UNIT}/van-de/tep?tep=../../{UNIT}/don-vi.yaml&dong=1",
    f"/don-vi/{UNIT}/van-de/tep?tep=/etc/passwd&dong=1",
    f"/don-vi/{UNIT}/van-de/tep?tep=link.yaml&dong=1",
    f"/don-vi/{UNIT}/xem?tep=../../../etc/passwd.pdf",
    f"/don-vi/{UNIT}/anh?tep=%2Fetc%2Fpasswd.pdf&trang=1",
])
def test_paths_in_urls_stay_inside_the_unit(server, path):
    (period_dir(server.out) / "secret.txt").write_text("không được lộ")          # in the set, not in its manifest
    outside = server.tmp / "ngoai.yaml"
    outside.write_text("mat_khau: bi-mat\n")
    (server.data / UNIT / "link.yaml").symlink_to(outside)
    r = server.client().get(path)
    assert r.status in (400, 404), (path, r.status)
    assert "không được lộ" not in r.text and "bi-mat" not in r.text and "root:" not in r.text
    assert "Traceback" not in r.text and "<h1>" in r.text


def test_upload_size_limit_is_enforced_while_streaming(tmp_path, built):
    fresh(tmp_path, built)
    s = Server(tmp_path, "--max-upload", "1").start()
    try:
        c = s.client()
        big = os.urandom(1_500_000)
        r = c.upload(UNIT, [("big.zip", big)])
        assert r.status == 413 and "giới hạn 1 MB" in json.loads(r.body)["message"]
        r = c.upload(UNIT, [("big.zip", big)], chunked=True)          # no Content-Length: counted as it comes
        assert r.status == 413 and "quá lớn" in json.loads(r.body)["message"]
        assert not (s.inbox / UNIT).exists()
        assert not [p for p in (s.inbox / ".tai-len").rglob("*") if p.is_file()]
        ok = c.upload(UNIT, [(ROSTER, changed_roster())])
        assert ok.status == 200, ok.text
    finally:
        s.stop()


def test_other_host_names_are_refused_on_loopback(server):
    r = server.client().get("/", headers={"Host": "evil.example:8080"})
    assert r.status == 400 and "127.0.0.1" in text(r) and "Đảng bộ" not in text(r)


def test_password_required_off_loopback_and_login(tmp_path, built):
    fresh(tmp_path, built)
    s = Server(tmp_path, "--host", "0.0.0.0")
    refused = subprocess.run(s.argv(), cwd=ROOT, env=s.env(), capture_output=True, text=True, timeout=60)
    assert refused.returncode == 2 and "phải có mật khẩu" in refused.stderr and "--dat-mat-khau" in refused.stderr
    short = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--dat-mat-khau", "--inbox", str(s.inbox)],
                           cwd=ROOT, env=s.env(), input="ngan\n", capture_output=True, text=True, timeout=60)
    assert short.returncode == 2 and "ít nhất 8 ký tự" in short.stderr
    password = "Lung-Phinh 2025 mật khẩu"
    done = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--dat-mat-khau", "--inbox", str(s.inbox)],
                          cwd=ROOT, env=s.env(), input=password + "\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    stored = (s.inbox / ".mat-khau").read_text("utf-8")
    assert password not in stored and json.loads(stored)["scheme"] == "scrypt"
    assert oct((s.inbox / ".mat-khau").stat().st_mode & 0o777) == "0o600"
    s.start()
    try:
        c = s.client()
        r = c.get("/")
        assert r.status == 303 and r.header("Location").startswith("/dang-nhap")
        assert c.get(f"/don-vi/{UNIT}/tep/2025/{UNIT}-2025.zip").status == 303
        assert c.upload(UNIT, [("a.yaml", b"x: 1\n")], token="header").status == 401
        login = text(c.get("/dang-nhap?tiep=/"))
        assert "Mật khẩu của văn phòng" in login
        r = c.post_form("/dang-nhap", {"csrf": c.csrf, "mat-khau": "sai mat khau", "tiep": "/"})
        assert r.status == 401 and "Mật khẩu không đúng" in text(r)
        r = c.post_form("/dang-nhap", {"csrf": c.csrf, "mat-khau": password, "tiep": "//evil.example/"})
        assert r.status == 303 and r.header("Location") == "/"            # never to another site
        session = next(x for x in r.cookies() if x.startswith("phien="))
        assert "HttpOnly" in session and "SameSite=Strict" in session
        page = text(c.get("/"))
        assert "Đảng bộ xã Thử Nghiệm" in page and "Đăng xuất" in page
        r = c.post_form("/dang-xuat", {"csrf": c.csrf})
        assert r.status == 303 and c.get("/").status == 303
    finally:
        s.stop()


def test_twenty_concurrent_uploads_to_different_units_queue_without_loss(tmp_path, built):
    """20 new units uploaded as ZIPs at the same moment: every upload is kept, every unit built once."""
    fresh(tmp_path, built)
    s = Server(tmp_path).start()
    try:
        c = s.client()
        token = c.csrf
        zips = {}
        for i in range(20):
            slug = f"xa-dong-thoi-{i:02d}"
            src = write_unit(tmp_path / "src" / slug)
            (src / ROSTER).write_bytes(roster_bytes())
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                for p in sorted(src.rglob("*")):
                    if p.is_file():
                        zf.write(p, p.relative_to(src).as_posix())
            zips[slug] = buf.getvalue()
        results: dict[str, int] = {}
        barrier = threading.Barrier(20)

        def send(slug: str) -> None:
            mine = Client(s.port)
            mine.jar = dict(c.jar)
            barrier.wait()
            results[slug] = mine.upload(slug, [(f"{slug}.zip", zips[slug])], token=token).status

        t0 = time.monotonic()
        threads = [threading.Thread(target=send, args=(slug,)) for slug in zips]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        accepted = time.monotonic() - t0
        assert results == {slug: 200 for slug in zips}
        end = time.monotonic() + 600
        while time.monotonic() < end and not all((s.inbox / slug / "KET-QUA.txt").is_file() for slug in zips):
            assert s.proc.poll() is None, s.log()
            time.sleep(0.5)
        built_all = time.monotonic() - t0
        for slug, data in zips.items():
            kept = list((s.inbox / slug / "da-xu-ly").rglob("*.zip"))
            assert [k.read_bytes() for k in kept] == [data], slug                  # kept once, untouched
            assert not (s.inbox / slug / "LOI.txt").exists(), (s.inbox / slug / "LOI.txt").read_text("utf-8")
            m = json.loads((period_dir(s.out, slug) / "manifest.json").read_text("utf-8"))
            assert m["unit"] == slug and len(m["files"]) > 10
        page = text(c.get("/"))
        assert all(f'data-don-vi="{slug}"' in page for slug in zips)
        print(f"\n20 concurrent uploads: all accepted in {accepted:.1f} s, all 20 units built in {built_all:.1f} s")
    finally:
        s.stop()


def test_help_is_bilingual():
    r = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--help"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0
    assert "tùy chọn / options" in r.stdout and "trang web của văn phòng" in r.stdout
    assert "Serve the office's web page" in r.stdout and "--dat-mat-khau, --set-password" in r.stdout


# ---------------------------------------------------------------- pieces


def test_report_lines_read_back_into_their_parts():
    from pipeline import problems as P
    from pipeline.serve import reports

    cases = [
        P.warning(P.Where("chi-bo/01-co-quan-dang.yaml", 63), "danh_gia.nam.tu_xep_loai", "«Bùi Thế Tuấn» tự xếp loại"),
        P.error(P.Where("danh-sach.xlsx", 4, "'Danh sách'!H4"), "ngay_sinh", "ngày «31/02/1990» không có thật"),
        P.error(P.Where("danh-sach.xlsx", 14, "Sheet1!C14"), "", "thiếu họ tên"),
        P.error(P.Where("ghi chú.docx"), "", "không phải tệp dữ liệu (chỉ nhận .yaml, .zip)"),
        P.error(P.Where("x.zip › chi-bo/a.yaml"), "", "tệp rỗng trong ZIP – bỏ qua"),
        P.warning(P.Where(), "ho-so/bch-dang-uy", "hồ sơ năm 2025 thiếu thành phần: ví dụ bch__3.pdf"),
        P.error(P.Where(), "", "HỆ THỐNG (không phải lỗi dữ liệu): RuntimeError: hỏng"),
        P.error(P.Where("don-vi.yaml", 3), "", "thiếu tên đơn vị"),
    ]
    text_ = P.report(cases, "KẾT QUẢ KIỂM TRA DỮ LIỆU – Đảng bộ xã Thử Nghiệm – 2025")
    rows = reports.parse(text_)
    assert reports.counts(text_) == (6, 2) and reports.title(text_) == "Đảng bộ xã Thử Nghiệm"
    got = {(r.severity, r.file, r.line if not r.cell else 0, r.cell, r.field, r.message) for r in rows}
    want = {(p.severity, p.where.file, p.where.line if not p.where.cell else 0, p.where.cell, p.field, p.message)
            for p in cases}
    assert got == want


def test_an_upload_never_overwrites_a_file_waiting_in_the_drop_folder(tmp_path, monkeypatch):
    from pipeline.serve import uploads

    monkeypatch.setattr(uploads, "WAIT_FOR_SLOT", 5.0)
    inbox = tmp_path / "inbox"
    (inbox / "xa-a").mkdir(parents=True)
    waiting = inbox / "xa-a" / "a.yaml"
    waiting.write_bytes(b"old: 1\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    (staging / "0000").write_bytes(b"new: 2\n")
    placed_at = []

    async def scenario():
        placer = uploads.Placer(inbox, on_placed=lambda unit, files: placed_at.append((unit, files)))
        task = asyncio.create_task(placer.place("xa-a", [uploads.Staged("a.yaml", "a.yaml", staging / "0000")]))
        await asyncio.sleep(0.6)
        assert not task.done() and waiting.read_bytes() == b"old: 1\n"      # waits: the old drop is kept
        taken = inbox / "xa-a" / "da-xu-ly" / "b1"
        taken.mkdir(parents=True)
        os.replace(waiting, taken / "a.yaml")                                   # the watcher takes it
        return await asyncio.wait_for(task, 5)

    assert asyncio.run(scenario()) == ["a.yaml"]
    assert waiting.read_bytes() == b"new: 2\n" and placed_at[0][0] == "xa-a"
    assert (inbox / "xa-a" / "da-xu-ly" / "b1" / "a.yaml").read_bytes() == b"old: 1\n"


def test_pages_load_nothing_from_outside_the_machine():
    """No CDN, no web font, no outside address in any template, style sheet or script."""
    folder = ROOT / "pipeline" / "serve"
    texts = {p: p.read_text("utf-8") for p in list((folder / "templates").iterdir()) + list((folder / "static").iterdir())}
    for p, t in texts.items():
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", t.replace("http://127.0.0.1", "")
                             .replace("http://localhost", "")), p
        assert "@import" not in t and "url(" not in t, p
    assert {p.name for p in (folder / "static").iterdir()} == {"trang.css", "trang.js"}


def test_a_bad_drop_shows_its_errors_and_keeps_the_last_documents(server):
    c = server.client()
    before = c.json(f"/don-vi/{UNIT}/trang-thai")["stamp"]
    published = (server.out / UNIT / "2025").resolve()
    broken = (server.data / UNIT / "chi-bo" / "a.yaml").read_text("utf-8").replace("ho_ten: Lê Văn Ân", "ho_ten: [Lê")
    r = c.upload(UNIT, [("a.yaml", broken.encode("utf-8"))], token="header")
    assert r.status == 200, r.text
    st = server.wait_built(c, UNIT, before)
    assert st["last"]["ok"] is False and st["last"]["errors"] >= 1
    assert (server.out / UNIT / "2025").resolve() == published                     # the last good set stays
    page = text(c.get(f"/don-vi/{UNIT}/van-de?muc=loi"))
    assert "LOI.txt của thư mục nhận tệp" in page and "chưa dựng tài liệu" in page
    line = re.search(r"chi-bo/a\.yaml:(\d+)", page)
    assert line, page
    loi = (server.inbox / UNIT / "LOI.txt").read_text("utf-8")
    assert f"chi-bo/a.yaml:{line.group(1)}" in loi
    home = text(c.get("/"))
    row = home[home.index(f'data-don-vi="{UNIT}"'):]
    assert "chưa dựng được" in row[:row.index("</tr>")]


def test_when_another_watcher_holds_the_inbox_it_builds_and_the_page_follows(tmp_path, built):
    fresh(tmp_path, built)
    s = Server(tmp_path)
    env = s.env()
    watcher = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(s.inbox), "--output", str(s.out),
                                "--settle", "0.3", "--debounce", "0.3"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 30
        while not (s.inbox / ".khoa").is_file() or not (s.inbox / ".khoa").read_text().strip():
            assert time.monotonic() < end and watcher.poll() is None
            time.sleep(0.05)
        s.start()
        c = s.client()
        st = c.json(f"/don-vi/{UNIT}/trang-thai")
        assert st["mode"] == "follow"
        assert "Một công cụ theo dõi thư mục nhận tệp khác đang chạy" in text(c.get("/"))
        r = c.upload(UNIT, [(ROSTER, changed_roster())], token="header")
        assert r.status == 200
        done = s.wait_built(c, UNIT, st["stamp"])
        assert done["last"]["ok"] and done["mode"] == "follow"
        assert "Tổng điểm 96/100 → HTXSNV" in text(c.get(f"/don-vi/{UNIT}/xep-loai"))
        assert "trang web: theo dõi" not in s.log()                                  # the server did not build
    finally:
        s.stop()
        watcher.terminate()
        watcher.wait(30)


def test_an_uploaded_zip_meets_the_drop_folders_guards(server):
    """A ZIP whose member climbs out (zip-slip): the watcher refuses it, as for a hand-dropped one."""
    c = server.client()
    before = c.json(f"/don-vi/{UNIT}/trang-thai")["stamp"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../ngoai.yaml", "x: 1\n")
        zf.writestr("chi-bo/a.yaml", (server.data / UNIT / "chi-bo" / "a.yaml").read_text("utf-8"))
    r = c.upload(UNIT, [("don-vi-moi.zip", buf.getvalue())], token="header")
    assert r.status == 200, r.text
    st = server.wait_built(c, UNIT, before)
    assert st["last"]["ok"] is False
    loi = (server.inbox / UNIT / "LOI.txt").read_text("utf-8")
    assert "don-vi-moi.zip" in loi and "trỏ ra ngoài thư mục (..)" in loi
    page = text(c.get(f"/don-vi/{UNIT}/van-de"))
    assert "don-vi-moi.zip" in page and "trỏ ra ngoài thư mục (..)" in page
    assert not list(server.tmp.rglob("ngoai.yaml"))
