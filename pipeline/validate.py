"""Validation: located plain data → typed Unit + problems (schema, cross-references, domain).

Each record is validated on its own, so one bad member does not hide the others, and each
pydantic error is turned into a Vietnamese sentence at the file:line of the offending value.
"""
from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from . import intake
from .intake.source import SourceFile
from .model import SECTION_LABELS, SECTIONS, Record, Unit, UnitInfo
from .problems import Problem, Where, error, warning
from .rating import rulebook
from .rating.criteria import UnknownFramework, scoring_set
from .vn import number

# ---------------------------------------------------------------- pydantic → Vietnamese


def _label(model: type[Record], loc: tuple) -> str:
    """Vietnamese label of the field at loc, from the model's own descriptions."""
    cls, label = model, ""
    for part in loc:
        if isinstance(part, int) or cls is None or not hasattr(cls, "model_fields"):
            continue
        field = next((fl for name, fl in cls.model_fields.items() if (fl.alias or name) == part), None)
        if field is None:
            return label
        label = field.description or str(part)
        ann = field.annotation
        cls = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, Record)), None)
        if cls is None and isinstance(ann, type) and issubclass(ann, Record):
            cls = ann
        if cls is None:  # list[Record] / dict[str, Record]
            for a in getattr(ann, "__args__", ()):
                for b in getattr(a, "__args__", (a,)):
                    if isinstance(b, type) and issubclass(b, Record):
                        cls = b
    return label


def _fields_of(model: type[Record], loc: tuple) -> list[str]:
    cls = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((fl for name, fl in cls.model_fields.items() if (fl.alias or name) == part), None)
        if field is None:
            return []
        ann = field.annotation
        found = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, Record)]
        if not found:
            for a in getattr(ann, "__args__", ()):
                found += [b for b in getattr(a, "__args__", (a,)) if isinstance(b, type) and issubclass(b, Record)]
        if not found:
            return []
        cls = found[0]
    return [fl.alias or n for n, fl in cls.model_fields.items()]


def _shown(given) -> str:
    """A value as the clerk typed it, in a message: numbers the Vietnamese way, long text cut."""
    if isinstance(given, (dict, list)):
        return "một nhóm giá trị"
    if isinstance(given, bool):
        return "«có»" if given else "«không»"
    if isinstance(given, (int, float)):
        return f"«{number(given)}»"
    text = str(given)
    return f"«{text[:60]}…»" if len(text) > 60 else f"«{text}»"


def _message(model: type[Record], err: dict, what: str) -> str:
    """One Vietnamese sentence for a pydantic error: pydantic's own English never reaches a clerk."""
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("function-after", "function-before")))
    label = _label(model, loc) or (str(loc[-1]) if loc else "")
    kind, ctx, given = err["type"], err.get("ctx") or {}, err.get("input")
    shown = _shown(given)
    if kind == "missing":
        return f"thiếu {label} của {what}"
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _fields_of(model, loc[:-1]), n=1)
        hint = f"; có phải ý là «{close[0]}»?" if close else ""
        return f"khóa «{key}» không có trong mẫu dữ liệu{hint}"
    if kind in ("less_than_equal", "less_than"):
        return f"{label} {shown} vượt quá mức tối đa {_n(ctx.get('le', ctx.get('lt')))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label} {shown} nhỏ hơn mức tối thiểu {_n(ctx.get('ge', ctx.get('gt')))}"
    if kind == "bool_not_number":
        return f"{label} phải là một số, không phải giá trị có/không (true/false, yes/no, on/off)"
    if kind == "finite_number":
        return f"{label} phải là một số thật (không nhận nan, vô cực)"
    if kind == "int_from_float":
        return f"{label} phải là số nguyên, không phải {shown}"
    if kind.startswith(("int_", "float_", "decimal_", "complex_")) or kind in ("multiple_of", "number_type"):
        return f"{label} phải là một số, không phải {shown}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} phải là có/không (true/false), không phải {shown}"
    if kind == "string_unicode":
        return f"{label} có ký tự hỏng, không phải chữ – hãy gõ lại"
    if kind in ("string_type", "string_sub_type"):
        return f"{label} phải là chữ, không phải {shown}"
    if kind in ("list_type", "tuple_type", "set_type", "frozen_set_type", "iterable_type"):
        return f"{label} phải là một danh sách (mỗi dòng bắt đầu bằng «- »)"
    if kind in ("model_type", "dict_type", "model_attributes_type", "mapping_type", "dataclass_type"):
        return f"{label} phải là một nhóm khóa: giá trị, không phải {shown}"
    if kind == "string_too_short":
        return f"{label} không được để trống"
    if kind == "too_short":
        return f"{label} cần ít nhất {ctx.get('min_length')} mục"
    if kind == "string_too_long":
        return f"{label} quá dài (tối đa {ctx.get('max_length')} ký tự)"
    if kind == "too_long":
        return f"{label} có quá nhiều mục (tối đa {ctx.get('max_length')})"
    if kind == "string_pattern_mismatch":
        return f"{label} {shown} chỉ được gồm chữ không dấu, số, dấu gạch ngang (ví dụ: lp-001)"
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return f"{label} {shown} không hợp lệ; chỉ nhận: {choices}"
    if kind.startswith(("date", "datetime", "time")):
        return f"{label} {shown} không phải ngày tháng (viết dạng ngày/tháng/năm, ví dụ 07/11/2025)"
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        return f"{label}: {ctx['error']}"    # raised by our own validators, in Vietnamese
    return f"{label} {shown} không hợp lệ"


def _record(model: type[Record], data, src: SourceFile, path: tuple, what: str, problems: list[Problem]):
    if not isinstance(data, dict):
        problems.append(error(src.where(path), "", f"{what} phải là một nhóm khóa: giá trị"))
        return None
    try:
        rec = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
            # Union members repeat an error per alternative; keep the first alternative's.
            loc = tuple(p for p in loc if not (isinstance(p, str) and p in ("str", "Block", "constrained-str")))
            field = ".".join(str(p) for p in loc if not isinstance(p, int))
            problems.append(error(src.where(path + loc), field, _message(model, {**err, "loc": loc}, what)))
        return None
    _locate(rec, data, src, path)
    return rec


def _locate(rec: Record, data: dict, src: SourceFile, path: tuple) -> None:
    """Give every nested record the file:line of its own values, for later checks' messages."""
    rec._where = src.where(path)
    rec._lines = {k: src.where(path + (k,)) for k in data}
    for name, field in type(rec).model_fields.items():
        key = field.alias or name
        value, raw = getattr(rec, name), data.get(key)
        if isinstance(value, Record) and isinstance(raw, dict):
            _locate(value, raw, src, path + (key,))
        elif isinstance(value, list) and isinstance(raw, list):
            for i, (v, r) in enumerate(zip(value, raw)):
                if isinstance(v, Record) and isinstance(r, dict):
                    _locate(v, r, src, path + (key, i))


# ---------------------------------------------------------------- whole unit


def _describe(section: str, data, index: int) -> str:
    label = SECTION_LABELS[section]
    name = data.get("ho_ten") or data.get("ten") if isinstance(data, dict) else None
    return f"{label} «{name}»" if name else f"{label} thứ {index + 1}"


def undrawable(sources: list[SourceFile]) -> list[Problem]:
    """Characters the PDF's fonts cannot draw (Han characters, emoji: they would print as empty
    boxes), each an error at its field: the coverage of the font files fontconfig resolves for
    the profile's font stack (fonts.py)."""
    from . import fonts, forms

    cover = fonts.coverage(forms.profile())
    if cover is None:       # no fontconfig here: nothing can be said
        return []
    problems: list[Problem] = []

    def walk(value, path: tuple, src: SourceFile) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, path + (k,), src)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, path + (i,), src)
        elif isinstance(value, str) and not value.isascii():
            missing = [c for c in dict.fromkeys(value) if ord(c) not in cover and c not in "\t\n\r"]
            if missing:
                chars = ", ".join(f"«{c}» (U+{ord(c):04X})" for c in missing)
                inner = path[1:] if path and path[0] in SECTIONS else path   # as the record names it
                field = ".".join(str(p) for p in inner if not isinstance(p, int))
                problems.append(error(src.where(path), field, f"«{value}» có ký tự {chars} mà phông chữ của bản in "
                                                              "không có (sẽ in ra ô trống) – hãy bỏ hoặc thay ký tự này"))

    for src in sources:
        walk(src.data, (), src)
    return problems


def load_unit(folder: Path) -> tuple[Unit | None, list[Problem]]:
    """Read, type and check one unit folder. Unit is None only if nothing usable was read."""
    sources, problems = intake.read_folder(folder)
    problems += undrawable(sources)
    infos: list[UnitInfo] = []
    plans, cells, collectives, members = [], [], [], []
    for src in sources:
        if not isinstance(src.data, dict):
            problems.append(error(src.where(()), "", "tệp phải bắt đầu bằng một khóa như don_vi:, chi_bo:, tap_the:, dang_vien:"))
            continue
        file_cells = []
        for key, value in src.data.items():
            if key not in SECTIONS:
                close = difflib.get_close_matches(key, list(SECTIONS), n=1)
                hint = f"; có phải ý là «{close[0]}»?" if close else f" (dùng: {', '.join(SECTIONS)})"
                problems.append(error(src.where((key,)), key, f"khóa «{key}» không có trong mẫu dữ liệu{hint}"))
                continue
            model, many = SECTIONS[key]
            items = value if many and isinstance(value, list) else [value]
            if many and isinstance(value, dict) and key != "chi_bo":
                problems.append(error(src.where((key,)), key, f"{key} phải là một danh sách (mỗi mục bắt đầu bằng «- »)"))
                continue
            for i, item in enumerate(items):
                path = (key, i) if many and isinstance(value, list) else (key,)
                if isinstance(item, dict) and key == "dang_vien" and "chi_bo" not in item and len(file_cells) == 1:
                    item = {**item, "chi_bo": file_cells[0]}  # members in a chi bộ's own file belong to it
                rec = _record(model, item, src, path, _describe(key, item, i), problems)
                if rec is None:
                    continue
                {"don_vi": infos, "ke_hoach": plans, "chi_bo": cells, "tap_the": collectives,
                 "dang_vien": members}[key].append(rec)
                if key == "chi_bo":
                    file_cells.append(rec.id)
    if not infos:
        if sources:
            problems.append(error(Where(sources[0].rel if len(sources) == 1 else ""), "don_vi",
                                  "không có thông tin đơn vị (khóa don_vi:) trong thư mục dữ liệu"))
        return None, problems
    for extra in infos[1:]:
        problems.append(error(extra.where(), "don_vi", f"thông tin đơn vị khai báo lần thứ hai (lần đầu ở {infos[0].where()})"))
    for extra in plans[1:]:
        problems.append(error(extra.where(), "ke_hoach", f"kế hoạch khai báo lần thứ hai (lần đầu ở {plans[0].where()})"))
    unit = Unit(slug=folder.name, info=infos[0], plan=plans[0] if plans else None,
                cells=cells, collectives=collectives, members=members)
    problems += check(unit)
    return unit, problems


def check(unit: Unit) -> list[Problem]:
    """Cross-references and domain checks on a typed unit."""
    problems: list[Problem] = []
    info = unit.info
    try:
        rules = rulebook.load(info.regime)
    except rulebook.UnknownRegime:
        close = difflib.get_close_matches(info.regime, rulebook.known(), n=1)
        hint = f"; có phải ý là «{close[0]}»?" if close else ""
        problems.append(error(info.where("che_do"), "che_do",
                              f"chế độ đánh giá «{info.regime}» không có (có: {', '.join(rulebook.known())}){hint}"))
        rules = None

    def dupes(records, kind):
        seen: dict[str, Record] = {}
        for r in records:
            if r.id in seen:
                problems.append(error(r.where("id"), "id", f"mã {kind} «{r.id}» bị trùng (đã dùng ở {seen[r.id].where('id')})"))
            else:
                seen[r.id] = r
        return seen

    members = dupes(unit.members, "đảng viên")
    cells = dupes(unit.cells, "chi bộ")
    dupes(unit.collectives, "tập thể")

    def ref(rec: Record, field: str, mid: str | None, table: dict, kind: str):
        if mid is not None and mid not in table:
            close = difflib.get_close_matches(mid, list(table), n=1)
            hint = f"; có phải ý là «{close[0]}»?" if close else ""
            problems.append(error(rec.where(field), field, f"không có {kind} nào mã «{mid}»{hint}"))
            return False
        return mid is not None

    if info.secretary:
        ref(info, "bi_thu", info.secretary, members, "đảng viên")
    problems += _check_level(info)
    for m in unit.members:
        if m.cell is None:
            problems.append(error(m.where(), "chi_bo", f"thiếu chi bộ sinh hoạt của đảng viên «{m.name}»"))
        else:
            ref(m, "chi_bo", m.cell, cells, "chi bộ")
        if m.born and m.joined and m.joined <= m.born:
            problems.append(error(m.where("ngay_vao_dang"), "ngay_vao_dang",
                                  f"ngày vào Đảng của «{m.name}» phải sau ngày sinh"))
        if m.joined.year > info.year:
            problems.append(error(m.where("ngay_vao_dang"), "ngay_vao_dang",
                                  f"ngày vào Đảng của «{m.name}» sau năm đánh giá {info.year}"))
    for c in unit.cells:
        if ref(c, "bi_thu", c.secretary, members, "đảng viên") and members[c.secretary].cell != c.id:
            problems.append(error(c.where("bi_thu"), "bi_thu",
                                  f"bí thư «{members[c.secretary].name}» không sinh hoạt ở {c.name}"))
        for mid in c.committee:
            ref(c, "chi_uy", mid, members, "đảng viên")
    for col in unit.collectives:
        for mid in col.members:
            ref(col, "thanh_vien", mid, members, "đảng viên")
        if col.cell:
            ref(col, "chi_bo", col.cell, cells, "chi bộ")
        if ref(col, "nguoi_dung_dau", col.head, members, "đảng viên") and col.head not in col.members:
            problems.append(error(col.where("nguoi_dung_dau"), "nguoi_dung_dau",
                                  f"người đứng đầu «{members[col.head].name}» không có trong danh sách thành viên của {col.name}"))
        counts = Counter(col.members)
        for mid, n in counts.items():
            if n > 1:
                problems.append(warning(col.where("thanh_vien"), "thanh_vien", f"thành viên «{mid}» ghi {n} lần trong {col.name}"))
    if rules is not None:
        problems += _check_scores(unit, rules)
    return problems


# Documents signed on behalf of the unit, which don_vi.ky_van_ban may give a signer of their own
# (the plan has its own: ke_hoach.ky).
SIGNED_DOCUMENTS = ("mau-01", "mau-02", "phu-luc-13", "phu-luc-14", "bao-cao-ket-qua")


def _check_level(info: UnitInfo) -> list[Problem]:
    """The unit's level (don_vi.cap) is known or recognisable; ky_van_ban names real documents."""
    from .compose import authority

    problems = []
    known = list(authority.levels()["levels"])
    if info.level is not None and info.level not in known:
        close = difflib.get_close_matches(info.level, known, n=1)
        hint = f"; có phải ý là «{close[0]}»?" if close else ""
        problems.append(error(info.where("cap"), "cap", f"cấp «{info.level}» không có (có: {', '.join(known)}){hint}"))
    elif authority.level_of(info) is None:
        problems.append(error(info.where("cap_uy"), "cap_uy",
                              f"không nhận ra cấp của đơn vị từ tên cấp ủy «{info.issuer}»; hãy ghi don_vi.cap "
                              f"({', '.join(known)})"))
    for doc in info.signers:
        if doc not in SIGNED_DOCUMENTS:
            close = difflib.get_close_matches(doc, SIGNED_DOCUMENTS, n=1)
            hint = f"; có phải ý là «{close[0]}»?" if close else ""
            problems.append(error(info.where("ky_van_ban"), "ky_van_ban",
                                  f"«{doc}» không phải văn bản ký thay mặt đơn vị (có: {', '.join(SIGNED_DOCUMENTS)}){hint}"))
    return problems


def _sheet(rules: dict, role: str):
    """The criteria set of the role's scoring sheet, or None (an unknown framework is the rating's error)."""
    try:
        return scoring_set(rules, role)
    except (UnknownFramework, ValueError, KeyError, TypeError):
        return None


SHEET_ROLES = {"don_vi": "to-chuc-dang", "chi_bo": "to-chuc-dang", "tap_the": "tap-the"}   # who may have a scoring sheet


def _subjects(unit: Unit):
    yield "don_vi", unit.info, unit.info.name
    for c in unit.cells:
        yield "chi_bo", c, c.name
    for c in unit.collectives:
        yield "tap_the", c, c.name
    for m in unit.members:
        yield "dang_vien", m, m.name


def _check_scores(unit: Unit, rules: dict) -> list[Problem]:
    """Points within the regime's maxima (a score of 130/100 is an error)."""
    problems = []
    scale = rules.get("score") or {}
    points = rules.get("method") == "points"
    for key, rec, name in _subjects(unit):
        max_g, max_r = scale.get("general"), scale.get("results")
        # A criteria regime has no points, except on a scoring sheet (Mẫu 09/HDĐG) that a province
        # rulebook gives this kind of subject: there they count against the sheet's group maxima.
        sheet = None if points else _sheet(rules, SHEET_ROLES.get(key, ""))
        if sheet is not None:
            maxima = {g.id: g.max for g in sheet.groups}
            max_g, max_r = maxima.get("chung"), maxima.get("ket-qua")
        total_max = (max_g or 0) + (max_r or 0)
        for pkey in ("nam", "quy_1", "quy_2", "quy_3"):
            ev = rec.reviews.get({"nam": "nam", "quy_1": "Q1", "quy_2": "Q2", "quy_3": "Q3"}[pkey])
            if ev is None:
                continue
            if ev.tasks_done_given is not None and ev.tasks_done_given + ev.tasks_late > 100 + 1e-9:
                problems.append(error(ev.where("hoan_thanh"), f"danh_gia.{pkey}.hoan_thanh",
                                      f"«{name}»: {_n(ev.tasks_done_given)}% nhiệm vụ đúng tiến độ cộng {_n(ev.tasks_late)}% "
                                      "chậm tiến độ là hơn 100%; phần đúng tiến độ tối đa là "
                                      f"{_n(100 - ev.tasks_late)}% (hoặc bỏ hoan_thanh để tính tự động)"))
            for skey in ("tu_cham", "tham_dinh"):
                score = getattr(ev, {"tu_cham": "self_score", "tham_dinh": "vetted_score"}[skey])
                if score is None:
                    continue
                for part in ("chung", "ket_qua", "tong"):
                    v = getattr(score, {"chung": "general", "ket_qua": "results", "tong": "total"}[part])
                    if v is not None and abs(v * 100 - round(v * 100)) > 1e-6:
                        # one rounding rule: what is printed is what the band is checked on
                        problems.append(error(score.where(part), f"danh_gia.{pkey}.{skey}.{part}",
                                              f"điểm của «{name}» ghi {str(v).replace('.', ',')}: điểm chỉ ghi tối đa hai chữ số thập phân "
                                              f"(ví dụ {_n(round(v, 2))})"))
                if not points and (sheet is None or pkey != "nam"):
                    problems.append(warning(score.where(), f"danh_gia.{pkey}.{skey}",
                                            f"chế độ {rules['id']} không chấm điểm; điểm của «{name}» bị bỏ qua"))
                    continue
                for part, mx, label in (("chung", max_g, "nhóm tiêu chí chung"), ("ket_qua", max_r, "nhóm kết quả thực hiện nhiệm vụ")):
                    v = getattr(score, {"chung": "general", "ket_qua": "results"}[part])
                    if v is not None and mx is not None and v > mx:
                        problems.append(error(score.where(part), f"danh_gia.{pkey}.{skey}.{part}",
                                              f"điểm {label} của «{name}» là {_n(v)}, vượt quá mức tối đa {_n(mx)}"))
                if score.total is not None and total_max and score.total > total_max:
                    problems.append(error(score.where("tong"), f"danh_gia.{pkey}.{skey}.tong",
                                          f"tổng điểm của «{name}» là {_n(score.total)}/{_n(total_max)}, vượt quá mức tối đa {_n(total_max)}"))
                if score.total is not None and (score.general is not None or score.results is not None) \
                        and abs(score.total - score.value()) > 0.001:
                    problems.append(error(score.where("tong"), f"danh_gia.{pkey}.{skey}.tong",
                                          f"tổng điểm của «{name}» ghi {_n(score.total)} nhưng cộng các nhóm được {_n(score.value())}"))
    return problems


def _n(x) -> str:
    return number(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else str(x)
