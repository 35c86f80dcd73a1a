"""The routes of the office's web page (Starlette, Jinja2 templates, no JavaScript framework).

    GET  /                                   every unit: period, last build, documents, problems, ratings
    GET  /don-vi/mo?ma=<unit>                open (or start) a unit by its slug
    GET  /don-vi/<unit>                      the unit: status, upload, last drops
    POST /don-vi/<unit>/tai-len               upload files → inbox/<unit>/ (the drop folder)
    GET  /don-vi/<unit>/tien-do               live progress (server-sent events)
    GET  /don-vi/<unit>/trang-thai            the same as JSON (for a browser without EventSource)
    GET  /don-vi/<unit>/van-de                problems: severity, file:line or cell, field, message
    GET  /don-vi/<unit>/van-de/tep            the lines of a data file around a problem
    GET  /don-vi/<unit>/xep-loai              ratings, filters, the quota check of each group
    GET  /don-vi/<unit>/tai-lieu              documents by kind and by subject, the ZIP, templates
    GET  /don-vi/<unit>/xem                   preview of a PDF (page pictures and the PDF itself)
    GET  /don-vi/<unit>/anh                   one PDF page as PNG
    GET  /don-vi/<unit>/tep/<period>/<path>   a file of the published set (only those its manifest lists)
    GET  /mau/danh-sach-dang-vien.xlsx        the Excel roster template (…?don-vi=<unit>: its chi bộ, scores)
    GET|POST /dang-nhap, POST /dang-xuat      login when a password is set

Every unit in a URL matches the slug pattern and every file path is checked against the unit's
folders; pages never show a traceback (errors are logged on the server's console).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import time
import traceback
from pathlib import Path
from urllib.parse import quote, urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..model import LEVEL_NAMES
from ..vn import nfc
from . import cells, excerpt, preview, reports, uploads
from . import security as S
from .door import Door
from .guard import Guard, set_cookie
from .units import LEVELS, Places, exists, load, names, valid_slug

HERE = Path(__file__).resolve().parent
log = logging.getLogger("pipeline.serve")

KIND_NAMES = {
    "ke-hoach": "Kế hoạch",
    "mau-01": "Mẫu 01 – Báo cáo kiểm điểm của tập thể",
    "mau-02a": "Mẫu 02A – Bản kiểm điểm cá nhân",
    "mau-02b": "Mẫu 02B – Bản kiểm điểm cá nhân",
    "mau-02c": "Mẫu 02C – Bản kiểm điểm cá nhân",
    "mau-09": "Mẫu 09/HĐĐG – Phiếu chấm điểm",
    "phu-luc-13": "Phụ lục 13 – Danh sách đề xuất xếp loại",
    "phu-luc-14": "Phụ lục 14 – Kết quả xếp loại",
    "bao-cao-ket-qua": "Báo cáo kết quả",
    "ho-so": "Hồ sơ lưu (3 bộ)",
    "xep-loai": "Kết quả xếp loại (xep-loai.json)",
    "kiem-tra": "Báo cáo kiểm tra dữ liệu (kiem-tra.txt)",
}
KIND_ORDER = list(KIND_NAMES)
KIND_LABEL = {"dang-vien": "đảng viên", "can-bo": "cán bộ", "tap-the": "tập thể", "to-chuc-dang": "tổ chức đảng"}
REPORT_KIND = {"set": "kiem-tra.txt của bộ tài liệu đang dùng", "failed": "báo cáo của lần dựng có lỗi",
               "drop": "LOI.txt của thư mục nhận tệp"}
MEDIA = {".pdf": "application/pdf", ".json": "application/json", ".txt": "text/plain; charset=utf-8",
         ".zip": "application/zip", ".sha256": "text/plain; charset=utf-8",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def period_label(name: str | None) -> str:
    if not name:
        return "—"
    year, _, q = name.partition("-")
    return f"Quý {q[1:].replace('1', 'I').replace('2', 'II').replace('3', 'III')}/{year}" if q else f"Năm {year}"


def when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H:%M") if ts else "—"


def size(n: int | None) -> str:
    if n is None:
        return ""
    for unit, step in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= step:
            v = n / step
            return (f"{v:.0f} {unit}" if v == int(v) else f"{v:.1f} {unit}").replace(".", ",")
    return f"{n} byte"


def create_app(places: Places, *, door: Door | None = None, password_file: Path | None = None,
               max_upload: int = 200 * 1024 * 1024, loopback_only: bool = True) -> Starlette:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    env.filters.update(when=when, size=size, period=period_label, urlq=lambda s: quote(str(s), safe=""))
    env.globals.update(LEVELS=LEVELS, LEVEL_NAMES=LEVEL_NAMES, KIND_LABEL=KIND_LABEL, reports=reports)
    sessions = S.Sessions()
    password_file = password_file or places.inbox / S.PASSWORD_FILE
    door = door or Door(places)
    placer = uploads.Placer(places.inbox, on_placed=door.placed)

    def password() -> dict | None:
        return S.load_password(password_file)

    def page(request: Request, name: str, http_status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("unit", None)
        return templates.TemplateResponse(request, name, {
            "csrf": request.scope.get("state", {}).get("csrf", ""),
            "logged_in": request.scope.get("state", {}).get("logged_in", False), **ctx}, status_code=http_status)

    def error_page(scope, status: int, message: str) -> HTMLResponse:
        request = Request(scope)
        return page(request, "loi.html", status, code=status, message=message)

    def unit_or_404(request: Request, must_exist: bool = True):
        slug = request.path_params["unit"]
        if not valid_slug(slug):
            raise HTTPException(404, f"mã đơn vị «{slug[:60]}» không hợp lệ: chỉ chữ thường không dấu, số và "
                                     "dấu gạch ngang, ví dụ xa-lung-phinh")
        if must_exist and not exists(places, slug):
            raise HTTPException(404, f"chưa có đơn vị «{slug}» – hãy tải tệp dữ liệu của đơn vị lên ở trang chủ")
        return load(places, slug, request.query_params.get("ky"))

    def summary(u) -> dict:
        rep = u.report()
        docs, pages = u.documents()
        errors, warnings = rep.counts if rep else (None, None)
        return {"slug": u.slug, "name": u.name(), "period": u.period_name, "periods": u.periods,
                "built_at": max(u.built_at, rep.at if rep else 0) or None, "ok": rep.ok if rep else None,
                "docs": docs, "pages": pages, "errors": errors, "warnings": warnings,
                "report_kind": rep.kind if rep else None, "dist": u.distribution(),
                "has_set": u.set_dir is not None}

    # ------------------------------------------------------------ pages

    async def home(request: Request):
        started = time.perf_counter()
        rows = [summary(load(places, n)) for n in names(places)]
        return page(request, "trang-chu.html", rows=rows, door=door,
                    ms=f"{(time.perf_counter() - started) * 1000:.1f}".replace(".", ","))

    async def open_unit(request: Request):
        slug = request.query_params.get("ma", "").strip().lower()
        if not valid_slug(slug):
            return page(request, "loi.html", 400, code=400,
                        message=f"mã đơn vị «{slug[:60]}» không hợp lệ: chỉ dùng chữ thường không dấu, số và dấu gạch "
                                "ngang giữa các từ, ví dụ xa-lung-phinh, phuong-nguyen-nghiem")
        return RedirectResponse(f"/don-vi/{slug}", 303)

    async def unit_page(request: Request):
        u = unit_or_404(request, must_exist=False)
        batches = []
        done = places.inbox / u.slug / "da-xu-ly"
        if done.is_dir():
            for b in sorted((p for p in done.iterdir() if p.is_dir() and not p.is_symlink()), reverse=True)[:8]:
                files = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
                batches.append((b.name, files))
        receipt = places.inbox / u.slug / "KET-QUA.txt"
        return page(request, "don-vi.html", unit=u, s=summary(u), status=door.status(u.slug), batches=batches,
                    known=exists(places, u.slug), receipt=receipt.read_text("utf-8", "replace")
                    if receipt.is_file() else None, max_upload=max_upload, tab="tong-quan",
                    received=request.query_params.get("nhan"))

    async def problems_page(request: Request):
        u = unit_or_404(request)
        rep = u.report()
        rows = rep.rows if rep else []
        q = request.query_params
        sort, desc = q.get("sap", "muc"), q.get("giam") == "1"
        shown = reports.select(rows, q.get("muc", ""), q.get("tep", ""), q.get("q", ""), sort, desc)
        source = u.source()
        viewable = {r.file for r in rows if r.file and source is not None and _viewable(source, r.file)}
        files = sorted({r.file for r in rows if r.file})

        def sort_link(key: str) -> str:
            params = {k: v for k, v in q.items() if k not in ("sap", "giam")}
            params["sap"] = key
            if key == sort and not desc:
                params["giam"] = "1"
            return f"?{urlencode(params)}"

        return page(request, "van-de.html", unit=u, s=summary(u), report=rep, rows=shown, total=len(rows),
                    files=files, viewable=viewable, q=q, sort=sort, desc=desc, sort_link=sort_link,
                    report_kind=REPORT_KIND, tab="van-de", status=door.status(u.slug))

    async def excerpt_page(request: Request):
        u = unit_or_404(request)
        q = request.query_params
        rel, cell = q.get("tep", ""), q.get("o", "")
        try:
            line = int(q.get("dong", "0") or 0)
        except ValueError:
            line = 0
        source = u.source()
        rep = u.report()
        related = [r for r in (rep.rows if rep else []) if r.file == rel
                   and ((cell and r.cell == cell) or (not cell and r.line == line))]
        ctx = {"unit": u, "s": summary(u), "rel": rel, "line": line, "cell": cell, "related": related,
               "tab": "van-de", "status": door.status(u.slug), "source": source}
        try:
            if source is None:
                raise excerpt.NotShown("đơn vị chưa có thư mục dữ liệu")
            path = excerpt.safe_path(source, rel)
            if path.suffix.lower() in (".xlsx", ".xlsm"):
                ctx["cells"] = await asyncio.to_thread(excerpt.sheet_cells, path, cell)
            else:
                ctx["lines"] = await asyncio.to_thread(excerpt.text_lines, path, line)
        except excerpt.NotShown as exc:
            return page(request, "trich-tep.html", 404, why=str(exc), **ctx)
        return page(request, "trich-tep.html", **ctx)

    async def ratings_page(request: Request):
        u = unit_or_404(request)
        data = u.ratings() or {}
        mapping, cell_list = await asyncio.to_thread(
            cells.of, u.source(), u.set_dir / "xep-loai.json" if u.set_dir else None)
        cell_names = dict(cell_list)
        q = request.query_params
        want_cell, want_group, want_level = q.get("chi-bo", ""), q.get("nhom", ""), q.get("muc", "")
        text = nfc(q.get("q", "")).strip().casefold()
        rows = []
        for i, s in enumerate(data.get("subjects", []), 1):
            level = (s.get("final_level") or s.get("proposed_level")) if s.get("rated") else "KXL"
            row = {**s, "n": i, "level": level or "KXL", "cell": mapping.get(s["id"], ""),
                   "cell_name": cell_names.get(mapping.get(s["id"], ""), "")}
            if want_cell and row["cell"] != want_cell:
                continue
            if want_group and s.get("group") != want_group:
                continue
            if want_level and row["level"] != want_level and s.get("self_level") != want_level \
                    and s.get("proposed_level") != want_level and s.get("final_level") != want_level:
                continue
            if text and text not in f"{s.get('name', '')} {s.get('id', '')}".casefold():
                continue
            rows.append(row)
        groups = []
        for g in data.get("groups", []):
            quota = g.get("quota") or {}
            groups.append({**g, "ok": (quota.get("used") or 0) <= (quota.get("allowed") or 0)})
        group_ids = sorted({s.get("group") for s in data.get("subjects", []) if s.get("group")})
        return page(request, "xep-loai.html", unit=u, s=summary(u), data=data, rows=rows, groups=groups,
                    cells=cell_list, group_ids=group_ids, q=q, tab="xep-loai", status=door.status(u.slug))

    async def documents_page(request: Request):
        u = unit_or_404(request)
        m = u.manifest() or {}
        files = m.get("files", [])
        subjects = {s["id"]: s for s in (u.ratings() or {}).get("subjects", [])}
        subject_name = {k: v.get("name", k) for k, v in subjects.items()}
        subject_name["don-vi"] = u.name()
        kinds: dict[str, list] = {}
        for f in files:
            kinds.setdefault(f["document"], []).append(f)
        kind_list = sorted(kinds, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k))
        q = request.query_params
        chosen_kind = q.get("loai", "")
        chosen_subject = q.get("doi-tuong", "")
        text = nfc(q.get("q", "")).strip().casefold()

        def docs(selected: list[dict]) -> list[dict]:
            """One row per document: its PDF and DOCX (or the dossier's three copies)."""
            out: dict[str, dict] = {}
            for f in sorted(selected, key=lambda f: f["path"]):
                stem = f["path"].rsplit("/", 1)[0] if f["document"] == "ho-so" else f["path"].rsplit(".", 1)[0]
                row = out.setdefault(stem, {"stem": stem, "kind": f["document"], "subject": f.get("subject"),
                                            "name": subject_name.get(f.get("subject") or "", f.get("subject") or ""),
                                            "pdf": None, "docx": None, "copies": [], "other": None})
                if f["document"] == "ho-so":
                    row["copies"].append(f)
                elif f["format"] == "pdf":
                    row["pdf"] = f
                elif f["format"] == "docx":
                    row["docx"] = f
                else:
                    row["other"] = f
            rows = list(out.values())
            if text:
                rows = [r for r in rows if text in f"{r['name']} {r['stem']}".casefold()]
            return rows

        kind_rows = docs(kinds.get(chosen_kind, [])) if chosen_kind else []
        subject_rows = docs([f for f in files if (f.get("subject") or "") == chosen_subject]) if chosen_subject else []
        with_docs = sorted({f.get("subject") for f in files if f.get("subject")},
                           key=lambda s: (s != "don-vi", subject_name.get(s, s)))
        return page(request, "tai-lieu.html", unit=u, s=summary(u), kinds=kinds, kind_list=kind_list,
                    kind_names=KIND_NAMES, kind_rows=kind_rows, chosen_kind=chosen_kind, chosen_subject=chosen_subject,
                    subject_rows=subject_rows, subjects=with_docs, subject_name=subject_name, q=q,
                    zip_name=u.zip_name(), zip_sha=u.zip_sha256(),
                    zip_size=(u.set_dir / u.zip_name()).stat().st_size if u.zip_name() else None,
                    tab="tai-lieu", status=door.status(u.slug))

    def set_file(u, rel: str) -> Path:
        if u.set_dir is None or not u.servable(rel):
            raise HTTPException(404, "không có tệp này trong bộ tài liệu đã dựng")
        path = u.set_dir / rel
        if not path.is_file() or u.set_dir.resolve() not in path.resolve().parents:
            raise HTTPException(404, "không có tệp này trong bộ tài liệu đã dựng")
        return path

    async def preview_page(request: Request):
        u = unit_or_404(request)
        rel = request.query_params.get("tep", "")
        path = set_file(u, rel)
        if not rel.endswith(".pdf"):
            raise HTTPException(404, "chỉ xem trước được tệp PDF")
        entry = next((f for f in (u.manifest() or {}).get("files", []) if f["path"] == rel), {})
        pages = entry.get("pages") or 1
        try:
            first = max(1, min(int(request.query_params.get("trang", "1")), pages))
        except ValueError:
            first = 1
        shown = list(range(first, min(pages, first + 3) + 1))
        docx = rel[:-4] + ".docx"
        return page(request, "xem.html", unit=u, s=summary(u), rel=rel, entry=entry, pages=pages, shown=shown,
                    first=first, docx=docx if u.servable(docx) else None, size_=path.stat().st_size,
                    can_draw=preview.available(), tab="tai-lieu", status=door.status(u.slug))

    async def page_image(request: Request):
        u = unit_or_404(request)
        rel = request.query_params.get("tep", "")
        if not rel.endswith(".pdf"):
            raise HTTPException(404, "chỉ xem trước được tệp PDF")
        path = set_file(u, rel)
        try:
            n = int(request.query_params.get("trang", "1"))
        except ValueError:
            raise HTTPException(404, "số trang không hợp lệ") from None
        png = await preview.page_png(path, n)
        if png is None:
            raise HTTPException(404, "không vẽ được trang này")
        return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    async def download(request: Request):
        u = unit_or_404(request)
        if request.path_params["period"] != u.period_name:
            raise HTTPException(404, "không có kỳ đánh giá này trong kết quả đã dựng")
        rel = request.path_params["path"]
        path = set_file(u, rel)
        inline = request.query_params.get("tai") != "1"
        suffix = "." + rel.rsplit(".", 1)[-1]
        return FileResponse(path, media_type=MEDIA.get(suffix, "application/octet-stream"),
                            filename=path.name, content_disposition_type="inline" if inline else "attachment")

    async def template_xlsx(request: Request):
        from ..scaffold import template_workbook

        slug = request.query_params.get("don-vi", "")
        unit_model = None
        if slug:
            if not valid_slug(slug) or not exists(places, slug):
                raise HTTPException(404, "không có đơn vị này")
            source = load(places, slug).source()
            if source is not None:
                from ..validate import load_unit

                unit_model, _ = await asyncio.to_thread(load_unit, source)

        def make() -> bytes:
            buf = io.BytesIO()
            template_workbook(unit_model).save(buf)
            return buf.getvalue()

        data = await asyncio.to_thread(make)
        name = f"danh-sach-dang-vien-{slug}.xlsx" if unit_model is not None else "danh-sach-dang-vien.xlsx"
        return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # ------------------------------------------------------------ upload and progress

    async def upload(request: Request):
        slug = request.path_params["unit"]
        wants_json = "application/json" in request.headers.get("accept", "")

        def refuse(message: str, status: int):
            if wants_json:
                return JSONResponse({"ok": False, "message": message}, status)
            return page(request, "loi.html", status, code=status, message=message,
                        back=f"/don-vi/{slug}" if valid_slug(slug) else "/")

        if not valid_slug(slug):
            return refuse(f"mã đơn vị «{slug[:60]}» không hợp lệ", 404)
        state = request.scope["state"]
        cookie_token = state.get("csrf", "")
        check = None if state.get("csrf_header_ok") else (lambda v: S.same_token(v, cookie_token))
        try:
            staged = await uploads.receive(request, places.inbox, slug, max_upload, check)
            placed = await placer.place(slug, staged)
        except uploads.Refused as exc:
            return refuse(exc.message, exc.status)
        names_ = ", ".join(placed)
        log.info(f"trang web: nhận {len(placed)} tệp cho {slug}: {names_}")
        if wants_json:
            return JSONResponse({"ok": True, "files": placed,
                                 "message": f"Đã nhận {len(placed)} tệp: {names_}. Đang chờ dựng…"})
        return RedirectResponse(f"/don-vi/{slug}?nhan={len(placed)}", 303)

    async def status_json(request: Request):
        u = unit_or_404(request, must_exist=False)
        return JSONResponse(door.status(u.slug))

    async def progress(request: Request):
        u = unit_or_404(request, must_exist=False)

        async def events():
            last, quiet = None, 0.0
            end = time.monotonic() + 30 * 60      # the browser reconnects by itself after this
            yield "retry: 2000\n\n"
            while time.monotonic() < end:
                now = await asyncio.to_thread(door.status, u.slug)
                text = json.dumps(now, ensure_ascii=False)
                if text != last:
                    yield f"event: trang-thai\ndata: {text}\n\n"
                    last, quiet = text, 0.0
                elif quiet > 15:
                    yield ": còn kết nối\n\n"
                    quiet = 0.0
                await asyncio.sleep(0.25)
                quiet += 0.25

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # ------------------------------------------------------------ login

    async def login_form(request: Request):
        target = _local(request.query_params.get("tiep", "/"))
        return page(request, "dang-nhap.html", target=target, wait=0, wrong=False, needed=password() is not None)

    async def login(request: Request):
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
        if not S.same_token(str(form.get(S.CSRF_FIELD, "")), request.scope["state"].get("csrf")):
            return page(request, "loi.html", 403, code=403,
                        message="Mã bảo vệ biểu mẫu không đúng – hãy tải lại trang đăng nhập rồi thử lại.")
        target = _local(str(form.get("tiep", "/")))
        stored = password()
        if stored is None:
            return RedirectResponse(target, 303)
        address = request.client.host if request.client else "?"
        wait = sessions.wait_needed(address)
        if wait:
            return page(request, "dang-nhap.html", 429, target=target, wait=wait, wrong=False, needed=True)
        ok = await asyncio.to_thread(S.check_password, str(form.get("mat-khau", "")), stored)
        if not ok:
            sessions.failed(address)
            return page(request, "dang-nhap.html", 401, target=target, wait=0, wrong=True, needed=True)
        sessions.succeeded(address)
        response = RedirectResponse(target, 303)
        response.headers.append("set-cookie", set_cookie(S.SESSION_COOKIE, sessions.open(), S.SESSION_SECONDS))
        return response

    async def logout(request: Request):
        form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
        if not S.same_token(str(form.get(S.CSRF_FIELD, "")), request.scope["state"].get("csrf")):
            return page(request, "loi.html", 403, code=403, message="Mã bảo vệ biểu mẫu không đúng.")
        sessions.close(request.scope["state"].get("session"))
        response = RedirectResponse("/dang-nhap", 303)
        response.headers.append("set-cookie", set_cookie(S.SESSION_COOKIE, "", 0))
        return response

    # ------------------------------------------------------------ errors: a page, never a traceback

    async def http_error(request: Request, exc: HTTPException):
        message = exc.detail if isinstance(exc.detail, str) and exc.detail and exc.status_code != 405 else {
            404: "Không có trang này.", 405: "Trang này không nhận kiểu yêu cầu đó."}.get(
            exc.status_code, "Yêu cầu không hợp lệ.")
        if exc.status_code == 404 and message == "Not Found":
            message = "Không có trang này."
        return page(request, "loi.html", exc.status_code, code=exc.status_code, message=message)

    async def server_error(request: Request, exc: Exception):
        log.error("lỗi khi phục vụ %s: %s\n%s", request.url.path, exc, traceback.format_exc())
        return page(request, "loi.html", 500, code=500,
                    message="Lỗi hệ thống (không phải lỗi dữ liệu) – xem thông báo ở cửa sổ chạy trang web và báo "
                            "cho bộ phận kỹ thuật.")

    routes = [
        Route("/", home),
        Route("/don-vi/mo", open_unit),
        Route("/don-vi/{unit}", unit_page),
        Route("/don-vi/{unit}/tai-len", upload, methods=["POST"]),
        Route("/don-vi/{unit}/tien-do", progress),
        Route("/don-vi/{unit}/trang-thai", status_json),
        Route("/don-vi/{unit}/van-de", problems_page),
        Route("/don-vi/{unit}/van-de/tep", excerpt_page),
        Route("/don-vi/{unit}/xep-loai", ratings_page),
        Route("/don-vi/{unit}/tai-lieu", documents_page),
        Route("/don-vi/{unit}/xem", preview_page),
        Route("/don-vi/{unit}/anh", page_image),
        Route("/don-vi/{unit}/tep/{period}/{path:path}", download),
        Route("/mau/danh-sach-dang-vien.xlsx", template_xlsx),
        Route("/dang-nhap", login_form, methods=["GET"]),
        Route("/dang-nhap", login, methods=["POST"]),
        Route("/dang-xuat", logout, methods=["POST"]),
        Mount("/tinh", StaticFiles(directory=str(HERE / "static")), name="tinh"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.door = door
    app.state.places = places
    return Guard(app, sessions=sessions, password=password, loopback_only=loopback_only, render_error=error_page)


def _local(target: str) -> str:
    """Only a path of this site after login (never «//host» or «http://…»)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _viewable(source: Path, rel: str) -> bool:
    try:
        excerpt.safe_path(source, rel)
        return True
    except excerpt.NotShown:
        return False
