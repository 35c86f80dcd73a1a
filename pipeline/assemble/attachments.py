"""Scans and files the office drops into data/<unit>/dinh-kem/.

Naming convention (also in forms/dossiers/*.yaml and the README):
    <subject id>__<component>[__anything].pdf|.jpg|.jpeg|.png
    component: the number in the annual dossier (2, 11) or q<quarter>-<number> (q2-3)
    subject:   an id from the data (member, collective, chi bộ) or don-vi for the unit
Files named otherwise can be listed in dinh-kem/danh-muc.yaml:
    dinh_kem:
      - {tep: Scan_0012.pdf, doi_tuong: lp-cq-001, thanh_phan: 2}

Every file is accounted for: used, belonging to another period, or reported with its reason
(Vietnamese, for the clerk). Nothing outside dinh-kem/ is ever read: `../` in a reference and
symbolic links that point out of the folder are refused, not followed.
Images become A4 PDF pages (portrait or landscape as the image), scaled to fit, aspect kept.
"""
from __future__ import annotations

import io
import os
import re
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import problems as P
from .components import UNIT
from .sanitize import ACTIVE, strip_active
from .sources import BadPdf, check

FOLDER = "dinh-kem"
INDEX = "danh-muc.yaml"
PDF, IMAGES = (".pdf",), (".jpg", ".jpeg", ".png")
IGNORED = {"thumbs.db", "desktop.ini", INDEX}           # plus hidden files (.DS_Store, ~$…)
_COMPONENT = re.compile(r"^(?:q(?P<q>[123])-)?(?P<n>\d{1,2})$", re.I)

A4 = (595.2756, 841.8898)
MARGIN = 34.0          # 12 mm: leaves the top margin to the copy mark
MAX_SIDE = 3508        # 300 dpi on A4: larger images are scaled down before embedding

REASONS = {
    "empty": "tệp rỗng (0 byte) – hãy chép lại tệp",
    "not-pdf": "không phải tệp PDF (nội dung không bắt đầu bằng %PDF)",
    "broken": "tệp PDF bị hỏng, không đọc được – hãy quét hoặc xuất lại",
    "encrypted": "tệp PDF có mật khẩu/mã hóa – hãy lưu lại bản không đặt mật khẩu",
    "no-pages": "tệp PDF không có trang nào",
    "not-image": "không phải ảnh hoặc ảnh bị hỏng (chỉ nhận JPEG, PNG)",
    "too-large": "ảnh quá lớn (trên 89 triệu điểm ảnh) – hãy quét với độ phân giải thấp hơn",
    "outside": "đường dẫn ra ngoài thư mục dinh-kem/ – không đọc",
    "symlink-outside": "là liên kết (symlink) trỏ ra ngoài thư mục dinh-kem/ – không đọc",
    "symlink-broken": "là liên kết (symlink) hỏng, không trỏ tới tệp nào",
    "not-file": "không phải tệp thông thường",
    "missing": "không có tệp này trong thư mục dinh-kem/",
    "unreadable": "không đọc được tệp (quyền truy cập?)",
    "bad-name": "tên tệp có byte không đọc được (không phải chữ Unicode/UTF-8) – hãy đổi tên tệp",
}


@dataclass(frozen=True)
class Attachment:
    rel: str            # path in the unit folder, as shown to the user: dinh-kem/…
    name: str           # file name (shown in the mục lục)
    subject: str | None  # None: the unit
    period: str
    number: int
    data: bytes         # PDF (images converted)
    pages: int


@dataclass(frozen=True)
class Rejected:
    rel: str
    name: str
    subject: str | None
    period: str
    number: int
    reason: str


@dataclass(frozen=True)
class _Target:
    subject: str | None
    period: str
    number: int


def parse_name(name: str, subjects: set[str]) -> tuple[_Target | None, str]:
    """(target, "") or (None, why) from a file name under the convention."""
    stem = name.rsplit(".", 1)[0]
    parts = stem.split("__")
    for i in range(len(parts) - 1, 0, -1):          # subject ids may themselves contain "__"
        subject = "__".join(parts[:i])
        if subject == UNIT or subject in subjects:
            m = _COMPONENT.match(parts[i])
            if not m:
                return None, (f"sau mã đối tượng «{subject}__» phải là số thành phần (ví dụ 2) "
                              f"hoặc q<quý>-<số> (ví dụ q2-3), không phải «{parts[i]}»")
            period = f"Q{m.group('q')}" if m.group("q") else "nam"
            return _Target(None if subject == UNIT else subject, period, int(m.group("n"))), ""
    if len(parts) < 2:
        return None, "tên tệp không theo quy ước <mã đối tượng>__<thành phần>[__ghi chú]"
    return None, (f"không có đối tượng mã «{parts[0]}» trong dữ liệu (dùng mã của đảng viên, tập thể, "
                  f"chi bộ, hoặc {UNIT} cho đơn vị)")


def _target(subject, component, subjects: set[str]) -> tuple[_Target | None, str]:
    subject = str(subject or "").strip()
    if subject != UNIT and subject not in subjects:
        return None, f"không có đối tượng mã «{subject}» trong dữ liệu"
    m = _COMPONENT.match(str(component or "").strip())
    if not m:
        return None, f"thành phần «{component}» không hợp lệ (ví dụ 2 hoặc q2-3)"
    period = f"Q{m.group('q')}" if m.group("q") else "nam"
    return _Target(None if subject == UNIT else subject, period, int(m.group("n"))), ""


def _readable(rel: str) -> str | None:
    """None for a name that is text; for one whose bytes are not UTF-8 (os.walk keeps them as
    surrogates, which crash every writer) the name with U+FFFD in their place, for messages."""
    try:
        rel.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return os.fsencode(rel).decode("utf-8", "replace")


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


# ----------------------------------------------------------------- images → A4 pages

def _sniff(data: bytes) -> str:
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    return ""


def image_pdf(data: bytes) -> bytes:
    """One A4 page (landscape for a landscape image) with the image centred and scaled to fit
    inside a 12 mm margin, aspect ratio kept. JPEGs go in as they are when possible (no
    recompression); other images as lossless Flate. Raises BadPdf("not-image"|"too-large")."""
    from PIL import Image, ImageFile, ImageOps

    lenient = ImageFile.LOAD_TRUNCATED_IMAGES      # WeasyPrint turns this on for everyone
    try:
        ImageFile.LOAD_TRUNCATED_IMAGES = False    # a cut-off scan is a bad file, not a grey page
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            fmt = im.format
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadPdf("too-large")
    except Exception as exc:
        raise BadPdf("not-image", f"{type(exc).__name__}: {exc}")
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    if fmt not in ("JPEG", "PNG"):
        raise BadPdf("not-image", str(fmt))
    rotated = im.getexif().get(0x0112, 1) not in (1, None)
    passthrough = (fmt == "JPEG" and im.mode in ("L", "RGB") and not rotated and max(im.size) <= MAX_SIDE)
    if not passthrough:
        im = ImageOps.exif_transpose(im)
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            im = im.convert("RGBA")
            white = Image.new("RGB", im.size, (255, 255, 255))
            white.paste(im, mask=im.getchannel("A"))
            im = white
        elif im.mode in ("I", "I;16", "F"):
            im = im.convert("L")
        elif im.mode not in ("1", "L", "RGB"):
            im = im.convert("RGB")
        if max(im.size) > MAX_SIDE:
            scale = MAX_SIDE / max(im.size)
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.LANCZOS)
    w, h = im.size
    space = b"/DeviceGray" if im.mode in ("1", "L") else b"/DeviceRGB"
    bits = 1 if im.mode == "1" else 8          # black-and-white scans stay 1 bit per pixel
    if passthrough:
        img, filt = data, b"/DCTDecode"
    elif fmt == "JPEG":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=90, optimize=False, progressive=False)
        img, filt = buf.getvalue(), b"/DCTDecode"
    else:
        img, filt = zlib.compress(im.tobytes(), 6), b"/FlateDecode"
    pw, ph = A4 if h >= w else (A4[1], A4[0])
    scale = min((pw - 2 * MARGIN) / w, (ph - 2 * MARGIN) / h)
    dw, dh = w * scale, h * scale
    x, y = (pw - dw) / 2, (ph - dh) / 2
    content = b"q %.4f 0 0 %.4f %.4f %.4f cm /Im0 Do Q\n" % (dw, dh, x, y)
    objs = [
        b"<</Type /Catalog /Pages 2 0 R>>",
        b"<</Type /Pages /Count 1 /Kids [3 0 R]>>",
        b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources <</XObject <</Im0 5 0 R>>>> "
        b"/Contents 4 0 R>>" % (pw, ph),
        b"<</Length %d>>\nstream\n" % len(content) + content + b"\nendstream",
        b"<</Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent %d "
        b"/Filter %s /Length %d>>\nstream\n" % (w, h, space, bits, filt, len(img)) + img + b"\nendstream",
    ]
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets = []
    pos = len(out[0])
    for i, body in enumerate(objs, 1):
        chunk = b"%d 0 obj\n" % i + body + b"\nendobj\n"
        offsets.append(pos)
        out.append(chunk)
        pos += len(chunk)
    xref = b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out.append(xref + b"trailer\n<</Size %d /Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, pos))
    return b"".join(out)


# ----------------------------------------------------------------- the folder

def _load(path: Path, real: str, root: str, ext: str) -> tuple[bytes, int, str | None]:
    """(pdf bytes, pages, warning) of one file; raises BadPdf with the reason."""
    if not _inside(real, root):
        raise BadPdf("symlink-outside")
    if not os.path.isfile(real):
        raise BadPdf("not-file")
    try:
        data = Path(real).read_bytes()
    except OSError as exc:
        raise BadPdf("unreadable", str(exc))
    if not data:
        raise BadPdf("empty")
    kind = _sniff(data)
    note = None
    expected = "pdf" if ext in PDF else "image"
    if kind and (kind == "pdf") != (expected == "pdf"):
        note = f"đuôi tệp «{ext}» không khớp nội dung ({kind.upper()}) – đã đọc theo nội dung; nên đổi đuôi tệp"
    if kind == "pdf":
        src, pages = check(data)
        if src.repairs:
            note = (f"tệp PDF có lỗi cấu trúc nhưng đọc được {pages} trang ({src.repairs[0][:80]}) – "
                    f"nên kiểm tra lại hoặc quét lại")
        data, removed = strip_active(src, data)       # sanitize.py: only the pages, without scripts
        if removed:
            name = os.fsencode(path.name).decode("utf-8", "replace")      # a name in any bytes prints
            note = "; ".join(filter(None, [note, ACTIVE.format(what=", ".join(removed), name=name)]))
        return data, pages, note
    if expected == "pdf" and not kind:
        raise BadPdf("not-pdf")
    return image_pdf(data), 1, note


def scan(folder: Path, subjects: set[str], period: str, numbers: set[int], strict: bool
         ) -> tuple[list[Attachment], list[Rejected], list[P.Problem]]:
    """Every file of <unit folder>/dinh-kem/ for this period: used, or reported."""
    bad = P.error if strict else P.warning
    root_path = folder / FOLDER
    found: list[Attachment] = []
    rejected: list[Rejected] = []
    problems: list[P.Problem] = []
    if not os.path.lexists(root_path):
        return found, rejected, problems
    unit_real = os.path.realpath(folder)
    root = os.path.realpath(root_path)
    if not _inside(root, unit_real) or not os.path.isdir(root):
        problems.append(bad(P.Where(FOLDER), "", "thư mục dinh-kem là liên kết ra ngoài thư mục đơn vị, "
                                                  "hoặc không phải thư mục – không đọc"))
        return found, rejected, problems

    def rel(p: str) -> str:
        return f"{FOLDER}/{p}"

    # explicit references first: dinh-kem/danh-muc.yaml
    listed: dict[str, _Target] = {}
    index = root_path / INDEX
    if index.is_file() and not index.is_symlink():
        listed = _index(index, root, subjects, problems, bad)

    # every entry of the folder, sorted, never following links out of it
    entries: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root_path, followlinks=False):
        base = os.path.relpath(dirpath, root_path)
        dirnames.sort()
        for d in list(dirnames):
            full = os.path.join(dirpath, d)
            r = os.path.normpath(os.path.join(base, d)).replace(os.sep, "/")
            if d.startswith((".", "~$")):
                dirnames.remove(d)
            elif os.path.islink(full):
                dirnames.remove(d)
                target = os.path.realpath(full)
                why = "symlink-outside" if not _inside(target, root) else None
                msg = REASONS[why] if why else "là liên kết (symlink) tới một thư mục – không đọc hai lần, bỏ qua"
                problems.append((bad if why else P.warning)(P.Where(rel(r)), "", msg))
        for f in sorted(filenames):
            r = os.path.normpath(os.path.join(base, f)).replace(os.sep, "/")
            if f.startswith((".", "~$")) or f.lower() in IGNORED and r == f:
                continue
            entries.append(r)

    for r in entries:
        shown = _readable(r)
        if shown is not None:          # reported under a readable name, never read or copied
            target, _ = parse_name(os.path.basename(shown), subjects)
            problems.append(bad(P.Where(rel(shown)), "", f"{REASONS['bad-name']} – tệp không được đưa vào hồ sơ"))
            if target is not None and target.period == period and target.number in numbers:
                rejected.append(Rejected(rel(shown), os.path.basename(shown), target.subject, target.period,
                                         target.number, REASONS["bad-name"]))
            continue
        full = os.path.join(root_path, r)
        name = os.path.basename(r)
        ext = os.path.splitext(name)[1].lower()
        target = listed.pop(r, None)
        if target is None:
            target, why = parse_name(name, subjects)
            if target is None:
                problems.append(P.warning(P.Where(rel(r)), "", f"{why} – tệp không được đưa vào hồ sơ "
                                          f"(hoặc khai trong dinh-kem/{INDEX})"))
                continue
        if ext not in PDF + IMAGES:
            problems.append(bad(P.Where(rel(r)), "", f"định dạng «{ext or 'không có đuôi'}» không được nhận "
                                                      "(chỉ PDF, JPEG, PNG) – hãy xuất sang PDF"))
            continue
        if target.period != period:
            continue            # belongs to another period's dossier
        if target.number not in numbers:
            problems.append(bad(P.Where(rel(r)), "", f"hồ sơ {'năm' if period == 'nam' else 'quý'} không có "
                                                      f"thành phần số {target.number}"))
            continue
        real = os.path.realpath(full)
        if os.path.islink(full) and not os.path.exists(full):
            why_key, detail = "symlink-broken", ""
        else:
            try:
                data, pages, note = _load(Path(full), real, root, ext)
                if note:
                    problems.append(P.warning(P.Where(rel(r)), "", note))
                found.append(Attachment(rel(r), name, target.subject, target.period, target.number, data, pages))
                continue
            except BadPdf as exc:
                why_key, detail = exc.reason, exc.detail
        reason = REASONS.get(why_key, why_key)
        rejected.append(Rejected(rel(r), name, target.subject, target.period, target.number, reason))
        problems.append(bad(P.Where(rel(r)), "", f"{reason} – tệp không được đưa vào hồ sơ"))
    for r, target in sorted(listed.items()):       # listed but not found
        problems.append(bad(P.Where(rel(INDEX)), "tep", f"«{r}»: {REASONS['missing']}"))
    return found, rejected, problems


def _index(path: Path, root: str, subjects: set[str], problems: list, bad) -> dict[str, _Target]:
    """dinh-kem/danh-muc.yaml → {path in dinh-kem/: target}; bad entries reported with their line."""
    from ..intake.source import read

    rel = f"{FOLDER}/{INDEX}"
    src, probs = read(path, rel)
    problems += [bad(p.where, p.field, p.message) for p in probs]
    out: dict[str, _Target] = {}
    if src is None:
        return out
    items = src.data.get("dinh_kem") if isinstance(src.data, dict) else None
    if not isinstance(items, list):
        problems.append(bad(P.Where(rel, 1), "dinh_kem", "cần danh sách «dinh_kem:» các mục {tep, doi_tuong, thanh_phan}"))
        return out
    for i, item in enumerate(items):
        where = src.where(("dinh_kem", i))
        if not isinstance(item, dict) or not item.get("tep"):
            problems.append(bad(where, "tep", "mỗi mục cần «tep» (tên tệp trong dinh-kem/), «doi_tuong», «thanh_phan»"))
            continue
        name = str(item["tep"]).replace("\\", "/")
        norm = os.path.normpath(name).replace(os.sep, "/")
        real = os.path.realpath(os.path.join(root, name))
        if os.path.isabs(name) or norm.startswith("../") or norm == ".." or not _inside(real, root):
            problems.append(bad(src.where(("dinh_kem", i, "tep")), "tep", f"«{name}»: {REASONS['outside']}"))
            continue
        target, why = _target(item.get("doi_tuong"), item.get("thanh_phan"), subjects)
        if target is None:
            problems.append(bad(where, "doi_tuong", f"«{name}»: {why}"))
            continue
        out[norm] = target
    return out
