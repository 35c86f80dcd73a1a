"""The office's web page in a real browser: Debian's Chromium (installed by `make`; nothing is
downloaded) driven by Playwright, as a clerk uses it – the start page, an Excel roster dropped in,
the build's live progress, a problem and the lines around it, the ratings filtered, a PDF
preview, the ZIP downloaded and checked. A screenshot of each page is kept in the test's folder
and copied to /tmp/serve-shots/ for a person to look at."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from serve_support import ROSTER, UNIT, Server, build, changed_roster, copy_tree, make_unit

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
SHOTS = Path("/tmp/serve-shots")

if not Path(CHROMIUM).exists():   # `make` installs Debian's chromium; CI must not skip silently
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: `make` installs it (APT_PACKAGES)")
    pytest.skip(f"{CHROMIUM} is not installed (make installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-built")
    make_unit(root / "data" / UNIT)
    build(root / "data", root / "out")
    return root


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Shots:
    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        SHOTS.mkdir(parents=True, exist_ok=True)

    def take(self, page, name: str, full: bool = True) -> None:
        path = self.folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full)
        shutil.copy(path, SHOTS / path.name)


def test_a_clerk_uploads_a_roster_and_reads_the_results(tmp_path, built, browser):
    copy_tree(built / "data", tmp_path / "data")
    copy_tree(built / "out", tmp_path / "out")
    server = Server(tmp_path).start()
    shots = Shots(tmp_path / "shots")
    outside: list[str] = []
    try:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN")
        page = ctx.new_page()
        # any request over the network that is not to this server (the browser's own PDF viewer loads
        # chrome:// and chrome-extension:// resources from inside the browser: not the network)
        page.on("request", lambda r: outside.append(r.url) if r.url.startswith(("http:", "https:", "ws:", "wss:"))
                and not r.url.startswith(server.url) else None)

        # the start page: the unit, its period, documents, problems and ratings
        page.goto(server.url + "/")
        row = page.locator('tr[data-don-vi="xa-thu-nghiem"]')
        assert "Đảng bộ xã Thử Nghiệm" in row.inner_text() and "Năm 2025" in row.inner_text()
        assert "HTXSNV 0" in row.inner_text()
        shots.take(page, "01-trang-chu")

        # the unit's page; an Excel roster with one changed score dropped in
        page.click("text=Đảng bộ xã Thử Nghiệm")
        page.wait_for_selector("#form-tai-len")
        stamp = page.get_attribute("#tien-do", "data-stamp")
        shots.take(page, "02-don-vi")
        t0 = time.monotonic()
        page.set_input_files("#chon-tep", files=[{"name": ROSTER, "mimeType": "application/vnd.openxmlformats-"
                                                  "officedocument.spreadsheetml.sheet", "buffer": changed_roster()}])
        seen, shot_taken = [], False
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                now = page.get_attribute("#tien-do", "data-stamp")
                line = page.inner_text("#tien-do .chu")
            except sync_api.Error:           # the page is reloading
                continue
            if now != stamp:
                break
            if not seen or seen[-1] != line:
                seen.append(line)
            if line.startswith("Đang") and not shot_taken:
                shots.take(page, "03-dang-dung", full=False)
                shot_taken = True
            time.sleep(0.03)
        visible = time.monotonic() - t0
        page.wait_for_load_state()
        assert page.get_attribute("#tien-do", "data-stamp") != stamp, seen
        assert any(s.startswith(("Đã nhận tệp", "Đang")) for s in seen), seen     # the build's progress, live
        assert "HTXSNV 1" in page.inner_text("#phan-bo")                         # new ratings visible
        assert "đã dựng xong" in page.inner_text("#lan-dung")
        assert ROSTER in page.inner_text("#da-xu-ly")
        shots.take(page, "04-da-dung-xong")
        print(f"\nupload → new ratings on the page: {visible:.2f} s; progress seen: {seen}")

        # a problem with its file:line, and the lines around it
        page.click("nav.the >> text=Lỗi & cảnh báo")
        page.select_option("select[name=muc]", "canh-bao")
        page.click("#loc-van-de button[type=submit]")
        table = page.inner_text("#bang-van-de")
        assert "chi-bo/a.yaml:22" in table and "«Lê Văn Ân» chưa được xếp loại" in table
        assert "danh-sach.xlsx" not in table                                     # the roster's warning is gone
        shots.take(page, "05-loi-canh-bao")
        page.click("text=chi-bo/a.yaml:22")
        marked = page.inner_text("#trich tr.dong-loi")
        line22 = (tmp_path / "inbox" / ".lam-viec" / UNIT / "chi-bo" / "a.yaml").read_text("utf-8").splitlines()[21]
        assert marked.split("\n", 1)[0].strip() == "22" and line22.strip() in marked
        shots.take(page, "06-dong-quanh-loi")

        # ratings filtered by chi bộ and level, with the quota check
        page.click("nav.the >> text=Xếp loại")
        page.select_option("select[name=chi-bo]", "cb-a")
        page.select_option("#loc-xep-loai select[name=muc]", "HTXSNV")
        page.click("#loc-xep-loai button[type=submit]")
        rows = page.locator("#bang-xep-loai tr[data-ma]")
        assert rows.count() == 1 and "Trần Thị Hai" in rows.first.inner_text()
        assert "Tổng điểm 96/100 → HTXSNV" in page.inner_text("#bang-xep-loai")
        quota = page.inner_text('#bang-nhom tr[data-nhom="dang-vien"]')
        assert "đã dùng 1" in quota and "trong hạn mức" in quota
        shots.take(page, "07-xep-loai")

        # documents: a PDF preview (pictures of its pages and the PDF itself), the ZIP and its hash
        page.click("nav.the >> text=Tài liệu")
        page.click("text=Phụ lục 14 – Kết quả xếp loại")
        shots.take(page, "08-tai-lieu")
        with page.expect_response(lambda r: r.url.endswith("/phu-luc-14.pdf")) as pdf_response:
            page.click("#bang-loai a.xem")
            page.click("summary:has-text('trình xem PDF')")
        assert pdf_response.value.headers["content-type"] == "application/pdf"
        end = time.monotonic() + 30          # the strict CSP forbids wait_for_function's eval: poll from here
        while page.locator("#cac-trang img").first.evaluate("img => img.naturalWidth") < 400:
            assert time.monotonic() < end, "the page picture did not load"
            time.sleep(0.1)
        assert page.locator("#cac-trang img").count() >= 1
        shots.take(page, "09-xem-truoc-pdf")
        page.click("nav.the >> text=Tài liệu")
        shown_sha = page.inner_text("#zip-sha").strip()
        with page.expect_download() as dl:
            page.click("#tai-zip")
        saved = tmp_path / "tai-ve.zip"
        dl.value.save_as(saved)
        folder = (tmp_path / "out" / UNIT / "2025").resolve()
        on_disk = (folder / f"{UNIT}-2025.zip.sha256").read_text().split()[0]
        assert hashlib.sha256(saved.read_bytes()).hexdigest() == shown_sha == on_disk
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        with zipfile.ZipFile(saved) as zf:
            names = {n.split("/", 1)[1] if n.startswith(f"{UNIT}-2025/") else n: n for n in zf.namelist()}
            for f in manifest["files"]:
                assert hashlib.sha256(zf.read(names[f["path"]])).hexdigest() == f["sha256"], f["path"]
        x02 = next(s for s in manifest["files"] if s["path"] == "xep-loai.json")
        assert x02["sha256"] == hashlib.sha256((folder / "xep-loai.json").read_bytes()).hexdigest()

        # the same start page on a phone
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
        small = phone.new_page()
        small.goto(server.url + "/")
        assert "Đảng bộ xã Thử Nghiệm" in small.inner_text("#don-vi")
        shots.take(small, "10-dien-thoai")
        phone.close()
        assert outside == [], outside                     # nothing fetched from outside the machine
        ctx.close()
    finally:
        server.stop()


def test_the_login_page_when_a_password_is_set(tmp_path, built, browser):
    copy_tree(built / "data", tmp_path / "data")
    copy_tree(built / "out", tmp_path / "out")
    server = Server(tmp_path)
    done = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--dat-mat-khau", "--inbox", str(server.inbox)],
                          cwd=ROOT, env=server.env(), input="mat-khau-van-phong\n", capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    server.start()
    shots = Shots(tmp_path / "shots")
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 700})
        page.goto(server.url + f"/don-vi/{UNIT}/xep-loai")
        assert "/dang-nhap" in page.url
        page.fill("input[name=mat-khau]", "sai")
        page.click("button:has-text('Đăng nhập')")
        assert "Mật khẩu không đúng" in page.inner_text("#thong-bao")
        shots.take(page, "11-dang-nhap")
        page.fill("input[name=mat-khau]", "mat-khau-van-phong")
        page.click("button:has-text('Đăng nhập')")
        page.wait_for_url(re.compile(r".*/don-vi/xa-thu-nghiem/xep-loai$"))
        assert "Giàng Seo Páo" in page.inner_text("#bang-xep-loai")
        cookie = next(c for c in page.context.cookies() if c["name"] == "phien")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    finally:
        server.stop()
