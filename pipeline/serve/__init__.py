"""The office's web page: `python -m pipeline serve [--port 8080] [--host 127.0.0.1]` (`make serve`).

A third door to the same pipeline, beside `dossier` and the drop folder: uploads are written
into the drop folder (uploads.py) and built by the drop folder's own watcher, run in this
process (door.py); pages read what the builds published (units.py, reports.py). Starlette
routes and Jinja2 templates (app.py, templates/), one small script of our own (static/), served
by Uvicorn. Nothing is fetched from or sent to another machine.

    app.py       routes                      guard.py     host, login, CSRF, security headers
    security.py  password hash, sessions     uploads.py   streamed uploads → inbox/<unit>/
    door.py      the watcher thread, status  units.py     what the pipeline published, per unit
    reports.py   kiem-tra.txt / LOI.txt rows excerpt.py   a data file's lines around a problem
    cells.py     chi bộ of each rated subject preview.py  PDF pages as pictures (pdftoppm)
"""
from __future__ import annotations

import getpass
import signal
import socket
import sys
from pathlib import Path

from . import security as S

DEFAULT_PORT = 8080
DEFAULT_HOST = "127.0.0.1"


def set_password(inbox: Path) -> int:
    """Ask for the password (twice on a terminal, one line on standard input otherwise) and
    store its scrypt hash in <inbox>/.mat-khau."""
    inbox.mkdir(parents=True, exist_ok=True)
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu mới / new password: ")
        if getpass.getpass("Nhập lại / again: ") != first:
            print("LỖI: hai lần nhập không giống nhau – chưa đổi mật khẩu / the two entries differ", file=sys.stderr)
            return 2
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    path = inbox / S.PASSWORD_FILE
    try:
        S.save_password(path, first)
    except ValueError as exc:
        print(f"LỖI: {exc}", file=sys.stderr)
        return 2
    print(f"✓ đã lưu mật khẩu (chỉ lưu mã băm scrypt, không lưu mật khẩu) vào {path} / password hash saved")
    return 0


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def run(inbox: Path, out_root: Path, data_root: Path, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
        period: str = "nam", max_upload_mb: int = 200, settle: float = 2.0, debounce: float = 3.0) -> int:
    import uvicorn

    from .app import create_app
    from .door import Door
    from .units import Places
    from .uploads import clean_staging

    loopback = S.is_loopback(host)
    if not loopback and S.load_password(inbox / S.PASSWORD_FILE) is None:
        print(f"LỖI: trang web mở cho máy khác trong mạng (--host {host}) thì phải có mật khẩu. Hãy đặt mật khẩu "
              f"trước:\n  python -m pipeline serve --dat-mat-khau{'' if inbox == _default_inbox() else f' --inbox {inbox}'}"
              f"\nrồi chạy lại. Chỉ dùng trên máy này thì bỏ --host (mặc định 127.0.0.1). / A non-loopback address "
              "needs a password: set one with --set-password first.", file=sys.stderr)
        return 2
    try:
        sock = _bind(host, port)
    except OSError as exc:
        why = "cổng đang được dùng" if exc.errno == 98 else (exc.strerror or str(exc))
        print(f"LỖI: không mở được địa chỉ {host}:{port} ({why}) – chọn cổng khác, ví dụ --port {port + 1} / "
              f"cannot listen on {host}:{port}", file=sys.stderr)
        return 2
    inbox.mkdir(parents=True, exist_ok=True)
    clean_staging(inbox)
    places = Places(inbox, out_root, data_root, period)
    door = Door(places, settle, debounce)
    app = create_app(places, door=door, max_upload=max_upload_mb * 1024 * 1024, loopback_only=loopback)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    print(f"Trang web của văn phòng: http://{shown}:{bound}/  (Ctrl+C để dừng / to stop)", flush=True)
    if not loopback:
        print("Máy khác trong mạng mở bằng địa chỉ IP của máy này; cần mật khẩu để vào.", flush=True)
    door.start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2, server_header=False)

    def interrupt(*_):
        raise KeyboardInterrupt

    # Uvicorn stops gracefully on SIGINT/SIGTERM and then raises the signal again for the handler
    # that was there before: this one, so the watcher and the render workers end cleanly too.
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        door.stop()
        sock.close()
    print("Đã dừng trang web / stopped", flush=True)
    return 0


def _default_inbox() -> Path:
    from ..watch import DEFAULT_INBOX

    return DEFAULT_INBOX
