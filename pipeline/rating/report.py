"""The two outward forms of a Result: the stable JSON (xep-loai.json, `rate --json`) and a
plain-text Vietnamese table for the terminal."""
from __future__ import annotations

from ..vn import nfc
from .result import Result
from .text import LEVELS, period_name, show

KIND_LABEL = {"dang-vien": "đảng viên", "can-bo": "cán bộ", "tap-the": "tập thể", "to-chuc-dang": "tổ chức đảng"}


def _num(x):
    if x is None:
        return None
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


def as_json(result: Result, unit=None) -> dict:
    """The JSON shape fixed by issue 3 (stable): unit, year, period, regime, subjects, groups."""
    return {
        "unit": result.unit or (unit.slug if unit is not None else ""),
        "year": result.year,
        "period": result.period,
        "regime": result.regime,
        "subjects": [{
            "id": r.id, "kind": r.kind, "name": r.name, "group": r.group, "score": _num(r.score),
            "self_level": r.self_level, "proposed_level": r.proposed_level, "final_level": r.final_level,
            "rated": r.rated, "reasons": list(r.reasons),
        } for r in result.subjects],
        "groups": [{
            "id": g.id,
            "counts": {k: g.counts.get(k, 0) for k in (*LEVELS, "KXL")},
            "quota": {"base": g.base, "percent": _num(g.percent), "allowed": g.allowed, "used": g.used},
        } for g in result.groups],
    }


def _w(text: str) -> int:
    return len(nfc(text))


def _cut(text: str, width: int) -> str:
    text = nfc(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[list[str]], gap: str = "  ") -> list[str]:
    widths = [max(_w(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for r in rows:
        cells = [c + " " * (widths[i] - _w(c)) for i, c in enumerate(r)]
        out.append(gap.join(cells).rstrip())
    return out


def as_text(result: Result, unit=None, name_width: int = 36) -> str:
    """A readable Vietnamese table: one row per subject in review order, its reasons below it,
    then the counts and HTXSNV quota of each comparison group."""
    from . import rulebook
    try:
        rules = rulebook.load(result.regime)
    except Exception:  # noqa: BLE001 - the table must print even for an unknown regime
        rules = {}
    title = unit.info.name if unit is not None else result.unit
    lines = [f"XẾP LOẠI CHẤT LƯỢNG – {title} – {period_name(rules, result.period, result.year)} – chế độ {result.regime}", ""]
    head = ["TT", "Mã", "Tên", "Loại", "Nhóm", "Điểm", "Tự XL", "Đề xuất", "Quyết định"]
    rows = [head]
    for i, r in enumerate(result.subjects, 1):
        proposed = r.proposed_level or "chưa XL"
        rows.append([str(i), r.id, _cut(r.name, name_width), KIND_LABEL.get(r.kind, r.kind), r.group,
                     show(r.score) if r.score is not None else "–", r.self_level or "–", proposed,
                     r.final_level or "–"])
    table = _table(rows)
    lines += [table[0], "-" * max(_w(t) for t in table)]
    for i, r in enumerate(result.subjects, 1):
        lines.append(table[i])
        lines += [f"      · {reason}" for reason in r.reasons]
    lines += ["", "Nhóm so sánh và hạn mức HTXSNV", ""]
    grows = [["Nhóm", "Số", *LEVELS, "KXL", "HTXSNV được phép", "Đã dùng"]]
    for g in result.groups:
        base = "số HTTNV" if g.base == "HTTNV" else "số được xếp loại"
        note = f"{g.allowed} ({show(g.percent)}% {base})" + (" – nhóm nhỏ" if g.small_group else "")
        flag = "" if g.used <= g.allowed else "  ← VƯỢT"
        grows.append([g.id, str(sum(g.counts.values())), *(str(g.counts.get(k, 0)) for k in LEVELS),
                      str(g.counts.get("KXL", 0)), note, f"{g.used}{flag}"])
    gt = _table(grows)
    lines += [gt[0], "-" * max(_w(t) for t in gt), *gt[1:]]
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    if result.problems:
        lines += ["", f"Lỗi: {errors} · Cảnh báo: {warnings}"]
    return "\n".join(lines) + "\n"
