"""Dropped files → the unit's work copy: what counts as a drop, safe ZIP extraction, merging.

The work copy (<inbox>/.lam-viec/<unit>/) is the union of everything dropped for the unit so
far, seeded once from data/<unit>/ when that exists. A dropped file replaces the file of the
same path in it; a ZIP is checked whole, then its files are merged the same way. The files of a
batch are applied in the order they arrived – modification time (kept by the rename into
da-xu-ly/), then name – a ZIP's members at the ZIP's place, so a correction dropped after a ZIP
wins; each placement is recorded as a Supply for the receipt. Nothing here touches the dropped
files themselves: they are read from da-xu-ly/<batch>/ and stay there.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .. import intake
from ..intake import archive
from ..problems import Problem, Where, error, warning

# Files the pipeline itself writes into inbox/<unit>/ – never inputs.
OWN_FILES = {"KET-QUA.txt", "LOI.txt", "LOI.html"}
DONE_DIR = "da-xu-ly"
# Half-copied or system files: copy tools, Office lock files, browsers, Windows/macOS litter.
_TEMP_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".download", ".swp", "~")
_SYSTEM_NAMES = {"thumbs.db", "desktop.ini", "__macosx"}

ZIP_MAX_BYTES = archive.MAX_BYTES    # everything a ZIP may unpack to
ZIP_MAX_FILES = archive.MAX_FILES
ZIP_MAX_RATIO = archive.MAX_RATIO    # uncompressed/compressed, for members over 1 MB


def ignored(name: str) -> bool:
    """Names the watcher never picks up: hidden, temporary, or system files."""
    low = name.lower()
    return (name.startswith((".", "~$", "~")) or low.endswith(_TEMP_SUFFIXES) or low in _SYSTEM_NAMES)


def data_suffixes() -> tuple[str, ...]:
    return tuple(s.lower() for s in intake.DATA_SUFFIXES)


def attachment_dirs() -> set[str]:
    return set(intake.SKIP_DIRS)  # dinh-kem/: scans of any type


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _kinds() -> str:
    return ", ".join(data_suffixes() + (".zip",))


# ---------------------------------------------------------------- the work copy


def seed(work: Path, data_folder: Path | None) -> bool:
    """Create the work copy once, from data/<unit>/ if it exists (copied, never modified)."""
    if work.is_dir():
        return False
    work.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{work.name}.tao-", dir=work.parent))
    seeded = False
    if data_folder is not None and data_folder.is_dir():
        # Links are copied as links (and reported by intake as errors), never as what they name.
        shutil.copytree(data_folder, tmp, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".*"))
        seeded = True
    tmp.chmod(0o755)
    os.replace(tmp, work)
    return seeded


def _copy_into(src: Path, dst: Path) -> None:
    """Copy src over dst so that dst is always either the old or the new file."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            shutil.copyfileobj(inp, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _files_named(work: Path, name: str) -> list[Path]:
    """Files (or links) called name in the work copy; hidden and linked folders are not walked."""
    found = []
    for dirpath, dirnames, filenames in os.walk(work, followlinks=False):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        if name in filenames:
            found.append(Path(dirpath, name))
    return sorted(found)


def _linked_folder(work: Path, rel: PurePosixPath) -> str | None:
    """The first folder on the way to rel in the work copy that is a symbolic link (seeded from a
    link in data/<unit>/): writing through it would write outside the work copy."""
    for i in range(1, len(rel.parts)):
        if (work.joinpath(*rel.parts[:i])).is_symlink():
            return "/".join(rel.parts[:i])
    return None


@dataclass(frozen=True)
class Supply:
    """One dropped file put into the work copy."""

    target: str      # its path in the work copy
    source: str      # the dropped file as shown (a ZIP member: «x.zip › chi-bo/a.yaml»)
    mtime: float     # when it was dropped: its modification time (a ZIP member: the ZIP's)


def replacements(supplies: list[Supply]) -> list[tuple[str, Supply, list[Supply]]]:
    """(work-copy file, the dropped file used – the last –, the dropped files it replaced) for
    every file of the work copy that more than one dropped file supplied, in applied order."""
    by_target: dict[str, list[Supply]] = {}
    for s in supplies:
        by_target.setdefault(s.target, []).append(s)
    return [(t, ss[-1], ss[:-1]) for t, ss in by_target.items() if len(ss) > 1]


def _place(rel: PurePosixPath, src: Path, work: Path, shown: str, changed: list[str],
           problems: list[Problem], strict: bool, supplies: list[Supply] | None = None,
           mtime: float = 0.0) -> None:
    """Put one incoming file (src, at rel inside the unit) into the work copy."""
    parts = rel.parts
    in_attachments = len(parts) > 1 and parts[0] in attachment_dirs()
    if not in_attachments and rel.suffix.lower() not in data_suffixes():
        msg = (f"không phải tệp dữ liệu (chỉ nhận {_kinds()}; bản quét đặt trong thư mục "
               f"{'/'.join(sorted(attachment_dirs()))}/) – tệp được cất lại, không dùng để dựng")
        problems.append(error(Where(shown), "", msg) if strict else
                        warning(Where(shown), "", msg.replace("tệp được cất lại, ", "")))
        return
    target = work / rel
    if len(parts) == 1 and not target.exists():
        # A single changed file dropped without its sub-folder replaces the one file of that name.
        same = _files_named(work, rel.name)
        if len(same) == 1:
            target = same[0]
        elif len(same) > 1:
            where = ", ".join(p.relative_to(work).as_posix() for p in same)
            problems.append(error(Where(shown), "", f"có {len(same)} tệp cùng tên «{rel.name}» ({where}); hãy thả tệp "
                                  "kèm đúng thư mục con của nó (hoặc nén cả thư mục thành ZIP)"))
            return
    linked = _linked_folder(work, PurePosixPath(target.relative_to(work).as_posix()))
    if linked:
        problems.append(error(Where(shown), "", f"thư mục «{linked}» của bản làm việc là liên kết (symlink) – không "
                              "ghi qua liên kết; thay liên kết trong dữ liệu của đơn vị bằng thư mục thật, hoặc xóa "
                              "bản làm việc để bắt đầu lại"))
        return
    _copy_into(src, target)
    changed.append(target.relative_to(work).as_posix())
    if supplies is not None:
        supplies.append(Supply(changed[-1], shown, mtime))


def _strip_wrapper(rels: list[PurePosixPath], names: set[str]) -> list[PurePosixPath]:
    """A ZIP of a folder («Send to › Compressed folder») wraps everything in that folder: drop it."""
    if rels and all(len(r.parts) > 1 for r in rels):
        top = {r.parts[0] for r in rels}
        if len(top) == 1 and nfc(next(iter(top))).casefold() in {n.casefold() for n in names}:
            return [PurePosixPath(*r.parts[1:]) for r in rels]
    return rels


def arrival_order(batch: Path) -> list[tuple[Path, os.stat_result | None]]:
    """Every file (and link) of a batch, in the order it arrived: modification time, then name.

    Links are listed (to be refused), never followed – a linked folder is not walked.
    """
    found: list[tuple[int, str, Path, os.stat_result | None]] = []
    for dirpath, dirnames, filenames in os.walk(batch, followlinks=False):
        for name in [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))] + filenames:
            p = Path(dirpath, name)
            try:
                st = p.lstat()
            except OSError:
                st = None
            found.append((st.st_mtime_ns if st else 0, nfc(p.relative_to(batch).as_posix()), p, st))
    return [(p, st) for _, _, p, st in sorted(found, key=lambda f: (f[0], f[1]))]


def merge(batch: Path, work: Path, unit: str, scratch: Path,
          supplies: list[Supply] | None = None) -> tuple[list[str], list[Problem]]:
    """Merge one batch of dropped files into the work copy, in the order they arrived; returns
    (files changed, problems). `supplies` (if given) receives every placement, in order."""
    changed: list[str] = []
    problems: list[Problem] = []
    if not batch.is_dir():
        return changed, problems
    for p, st in arrival_order(batch):
        rel = PurePosixPath(nfc(p.relative_to(batch).as_posix()))
        shown = rel.as_posix()
        if p.is_symlink():
            problems.append(error(Where(shown), "", "là liên kết (symlink), không phải tệp thật – không dùng"))
            continue
        if rel.parts[0] == unit and len(rel.parts) > 1:  # the unit's folder itself was dropped
            rel = PurePosixPath(*rel.parts[1:])
        try:
            if st is None:
                st = p.stat()
            size = st.st_size
        except OSError as exc:
            problems.append(error(Where(shown), "", f"không đọc được tệp ({exc.strerror or exc})"))
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append(error(Where(shown), "", "không phải tệp thông thường – không dùng"))
            continue
        if size == 0:
            problems.append(error(Where(shown), "", "tệp rỗng (0 byte) – có thể sao chép chưa xong; hãy thả lại tệp"))
            continue
        if rel.suffix.lower() == ".zip" and not (len(rel.parts) > 1 and rel.parts[0] in attachment_dirs()):
            c, probs = merge_zip(p, shown, work, unit, scratch, supplies, st.st_mtime)
            changed += c
            problems += probs
            continue
        _place(rel, p, work, shown, changed, problems, strict=True, supplies=supplies, mtime=st.st_mtime)
    return changed, problems


# ---------------------------------------------------------------- ZIP


UnsafeZip = archive.Unsafe


def safe_extract(path: Path, dest: Path) -> list[tuple[PurePosixPath, Path]]:
    """Check the whole archive, then extract its regular files into dest; raises UnsafeZip.

    Rejected (intake/archive.py, the checks every .xlsx passes too): absolute paths, '..',
    symlinks, encrypted members, an abnormal compression ratio, more than ZIP_MAX_FILES members,
    more than ZIP_MAX_BYTES unpacked (declared, and counted on the bytes actually read).
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnsafeZip("tệp ZIP hỏng hoặc không phải ZIP (có thể sao chép chưa xong); hãy nén và thả lại") from None
    with zf:
        named = archive.members(zf, "tệp ZIP", ZIP_MAX_FILES, ZIP_MAX_BYTES, ZIP_MAX_RATIO)
        budget = archive.Budget("tệp ZIP", ZIP_MAX_BYTES)
        out: list[tuple[PurePosixPath, Path]] = []
        for n, (info, name) in enumerate(named):
            rel = PurePosixPath(name)
            if any(ignored(part) for part in rel.parts):
                continue
            target = dest / f"{n:05d}"
            try:
                with open(target, "wb") as dst:
                    archive.unpack(zf, info, budget, dst)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                raise UnsafeZip(f"mục «{name}» trong ZIP bị hỏng; hãy nén và thả lại") from None
            out.append((rel, target))
        return out


def merge_zip(path: Path, shown: str, work: Path, unit: str, scratch: Path, supplies: list[Supply] | None = None,
              mtime: float = 0.0) -> tuple[list[str], list[Problem]]:
    changed: list[str] = []
    problems: list[Problem] = []
    scratch.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".giai-nen-", dir=scratch))
    try:
        try:
            members = safe_extract(path, tmp)
        except UnsafeZip as exc:
            return changed, [error(Where(shown), "", f"{exc} – không dùng tệp ZIP này")]
        if not members:
            return changed, [error(Where(shown), "", "tệp ZIP không có tệp nào dùng được")]
        rels = _strip_wrapper([r for r, _ in members], {unit, nfc(Path(shown).stem)})
        for rel, extracted in zip(rels, (t for _, t in members)):
            inner = f"{shown} › {rel.as_posix()}"
            if extracted.stat().st_size == 0:
                problems.append(warning(Where(inner), "", "tệp rỗng trong ZIP – bỏ qua"))
                continue
            _place(rel, extracted, work, inner, changed, problems, strict=False, supplies=supplies, mtime=mtime)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return changed, problems
