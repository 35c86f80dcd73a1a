"""Helpers of the web page's tests: a unit with an Excel roster, a real server in a subprocess
(`python -m pipeline serve --port 0`), and a small HTTP client on the standard library that
keeps cookies and sends exactly the bytes a test asks for (no URL clean-up on the way)."""
from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

from openpyxl import Workbook

from conftest import ROOT, write_unit

UNIT = "xa-thu-nghiem"
ROSTER = "danh-sach.xlsx"
ROSTER_HEADER = ["STT", "Mã đảng viên", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Chi bộ", "Điểm tự chấm",
                 "Tỷ lệ vượt chỉ tiêu", "Tự xếp loại"]
ROSTER_ROWS = [[1, "x-01", "Nguyễn Văn Một", "04/03/1981", "07/11/2010", "cb-a", 80, 0, "HTTNV"],
               [2, "x-02", "Trần Thị Hai", "05/06/1985", "07/11/2012", "cb-a", 82, 40, "HTXSNV"],
               [3, "x-03", "Lê Văn Ba", "01/01/1990", "07/11/2015", "cb-a", 75, 0, "HTTNV"]]
TIMEOUT = 60.0


def roster_bytes(rows=None) -> bytes:
    """An Excel roster as an office types it: a title row, the header, one row per member."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append(["ĐẢNG BỘ XÃ THỬ NGHIỆM – DANH SÁCH ĐẢNG VIÊN ĐÁNH GIÁ NĂM 2025"])
    ws.append(ROSTER_HEADER)
    for r in rows or ROSTER_ROWS:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def changed_roster() -> bytes:
    """Trần Thị Hai's score 82 → 96: proposed HTTNV → HTXSNV (the warning about her self-rating goes)."""
    rows = [list(r) for r in ROSTER_ROWS]
    rows[1][6] = 96
    return roster_bytes(rows)


def make_unit(folder: Path) -> Path:
    write_unit(folder)
    (folder / ROSTER).write_bytes(roster_bytes())
    return folder


def build(data: Path, out: Path, slug: str = UNIT):
    from pipeline.build import build as run_build

    result = run_build(data / slug, "nam", out)
    assert result.ok, [str(p) for p in result.problems if p.is_error]
    return result


# ---------------------------------------------------------------- the server


class Server:
    """`python -m pipeline serve` on a free port, with its own inbox, output and data folders."""

    def __init__(self, tmp: Path, *args: str, data: Path | None = None, out: Path | None = None,
                 inbox: Path | None = None):
        self.tmp = tmp
        self.data = data or tmp / "data"
        self.out = out or tmp / "out"
        self.inbox = inbox or tmp / "inbox"
        self.log_path = tmp / f"server-{uuid.uuid4().hex[:6]}.log"
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def argv(self, *extra: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "serve", "--port", "0", "--inbox", str(self.inbox),
                "--output", str(self.out), *self.args, *extra]

    def env(self) -> dict:
        return {**os.environ, "KIEMDIEM_DATA": str(self.data), "PYTHONDONTWRITEBYTECODE": "1"}

    def start(self) -> "Server":
        self.proc = subprocess.Popen(self.argv(), cwd=ROOT, env=self.env(), stdout=open(self.log_path, "wb"),
                                     stderr=subprocess.STDOUT)
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end:
            m = re.search(r"http://(\S+?)/ ", self.log())
            if m:
                host, port = m.group(1).rsplit(":", 1)
                self.url = f"http://127.0.0.1:{port}"
                self.port = int(port)
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"serve did not start:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def client(self) -> "Client":
        return Client(self.port)

    def wait_built(self, client: "Client", slug: str, since: str, timeout: float = TIMEOUT) -> dict:
        """Poll the unit's status until a build newer than `since` (a status stamp) has ended."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            st = client.json(f"/don-vi/{slug}/trang-thai")
            if st["phase"] == "idle" and st["stamp"] != since and st.get("last"):
                return st
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited while waiting:\n{self.log()}")
            time.sleep(0.1)
        raise AssertionError(f"no build of {slug} ended in {timeout} s:\n{self.log()}")


class Response:
    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]


class Client:
    def __init__(self, port: int, host: str = "127.0.0.1"):
        self.port, self.host = port, host
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                chunked: bool = False) -> Response:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        h = dict(headers or {})
        if self.jar and "Cookie" not in h:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        conn.request(method, path, body=body, headers=h, encode_chunked=chunked)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
        conn.close()
        for c in resp.cookies():
            jar = SimpleCookie()
            jar.load(c)
            for k, v in jar.items():
                if v.value:
                    self.jar[k] = v.value
                else:
                    self.jar.pop(k, None)
        return resp

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def json(self, path: str) -> dict:
        r = self.get(path)
        assert r.status == 200, (path, r.status, r.text[:500])
        return json.loads(r.body)

    @property
    def csrf(self) -> str:
        if "csrf" not in self.jar:
            self.get("/")
        return self.jar["csrf"]

    def post_form(self, path: str, fields: dict, headers: dict | None = None) -> Response:
        from urllib.parse import urlencode

        return self.request("POST", path, urlencode(fields).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})})

    def upload(self, slug: str, files: list[tuple[str, bytes]], *, token: str | None = "form",
               headers: dict | None = None, as_json: bool = True, chunked: bool = False) -> Response:
        """POST files to the unit's upload; token "form": the CSRF field first in the body,
        "header": the X-CSRF-Token header, None: no token, any other string: that value in the form."""
        boundary = uuid.uuid4().hex
        parts = []
        h = {"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})}
        if as_json:
            h["Accept"] = "application/json"
        if token == "header":
            h["X-CSRF-Token"] = self.csrf
        elif token is not None:
            value = self.csrf if token == "form" else token
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{value}\r\n'.encode())
        for name, data in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="tep"; filename="{name}"\r\n'
                         f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        body = b"".join(parts)
        if chunked:
            return self.request("POST", f"/don-vi/{slug}/tai-len", body=iter([body[i:i + 65536] for i in
                                                                              range(0, len(body), 65536)]),
                                headers=h, chunked=True)
        return self.request("POST", f"/don-vi/{slug}/tai-len", body=body, headers=h)


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst
