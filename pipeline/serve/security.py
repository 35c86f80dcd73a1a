"""What keeps the page safe on an office network: who may listen where, the password (hashed
at rest with scrypt), login sessions, and the token every form carries against cross-site
request forgery.

* Loopback only unless told otherwise; any other address needs a password (serve refuses to
  start without one, in Vietnamese).
* The password file holds only a salted scrypt hash (<inbox>/.mat-khau, mode 0600), never
  the password. A set password is asked for on every address.
* Sessions are random tokens kept in memory (a restart logs everyone out), sent in a cookie
  that is HttpOnly and SameSite=Strict; five wrong passwords from one address wait a minute.
* CSRF: a random token in its own HttpOnly, SameSite=Strict cookie, repeated in each form (or
  in the X-CSRF-Token header of the page's own script) and compared in constant time; a
  request whose Origin is another site is refused as well.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from pathlib import Path

from .. import fs

PASSWORD_FILE = ".mat-khau"
SESSION_COOKIE = "phien"
CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 8
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}   # ~50 ms and 16 MB per check on the office PC


def is_loopback(host: str) -> bool:
    """127.0.0.1, ::1, localhost: only this computer can connect."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- the password, hashed


def hash_password(password: str, salt: bytes | None = None, **params) -> dict:
    params = {**_SCRYPT, **params}
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=params["n"], r=params["r"], p=params["p"],
                            maxmem=64 * 1024 * 1024, dklen=32)
    return {"scheme": "scrypt", **params, "salt": base64.b64encode(salt).decode(),
            "hash": base64.b64encode(digest).decode()}


def check_password(password: str, stored: dict) -> bool:
    try:
        salt = base64.b64decode(stored["salt"])
        want = base64.b64decode(stored["hash"])
        got = hash_password(password, salt, n=int(stored["n"]), r=int(stored["r"]), p=int(stored["p"]))["hash"]
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(base64.b64decode(got), want)


def save_password(path: Path, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự / at least {MIN_PASSWORD} characters")
    text = json.dumps(hash_password(password)) + "\n"
    fs.write_text(path, text)
    os.chmod(path, 0o600)


def load_password(path: Path) -> dict | None:
    try:
        stored = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return stored if isinstance(stored, dict) and stored.get("scheme") == "scrypt" else None


# ---------------------------------------------------------------- sessions and tokens


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode(), b.encode())


class Sessions:
    """Login sessions in memory: token → expiry, and failed logins per address."""

    def __init__(self):
        self._live: dict[str, float] = {}
        self._failed: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def open(self) -> str:
        token = new_token()
        with self._lock:
            now = time.time()
            self._live = {t: e for t, e in self._live.items() if e > now}
            self._live[token] = now + SESSION_SECONDS
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expiry = self._live.get(token)
            if expiry is None or expiry < time.time():
                self._live.pop(token, None)
                return False
            self._live[token] = time.time() + SESSION_SECONDS   # sliding: an active clerk stays in
            return True

    def close(self, token: str | None) -> None:
        with self._lock:
            self._live.pop(token or "", None)

    def wait_needed(self, address: str) -> int:
        """Seconds this address must wait before trying again (after 5 failures in a minute)."""
        with self._lock:
            recent = [t for t in self._failed.get(address, []) if t > time.time() - 60]
            self._failed[address] = recent
            return int(60 - (time.time() - recent[-5])) + 1 if len(recent) >= 5 else 0

    def failed(self, address: str) -> None:
        with self._lock:
            self._failed.setdefault(address, []).append(time.time())

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failed.pop(address, None)
