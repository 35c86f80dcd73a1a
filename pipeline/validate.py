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
from .intake.excel import SCORE_ROWS    # the rows of a scoring workbook (template-xlsx --cham-diem)
from .intake.source import SourceFile
from .model import SECTION_LABELS, SECTIONS, Record, Score, ScoreRow, Unit, UnitInfo
from .problems import Problem, Where, error, warning
from .rating import rulebook
from .rating.criteria import UnknownFramework, points_set, scoring_set
from .vn import number

# ---------------------------------------------------------------- pydantic → Vietnamese


def _label(model: type[Record], loc: tuple) -> str:
    """Vietnamese label of the field at loc, from the model's own descriptions."""
    cls, label, key = model, "", ""
    for part in loc:
        if isinstance(part, int):
            continue
        if cls is None or not hasattr(cls, "model_fields"):
            key = str(part)       # a key of a mapping field (tieu_chi: {mã: …}): named in the message
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
    return f"{label} «{key}»" if key and label else label


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
        elif isinstance(value, dict) and isinstance(raw, dict):     # tieu_chi: {mã: điểm} → "tieu_chi.mã"
            for k in raw:
                rec._lines[f"{key}.{k}"] = src.where(path + (key, k))
        elif isinstance(value, list) and isinstance(raw, list):
            for i, (v, r) in enumerate(zip(value, raw)):
                if isinstance(v, Record) and isinstance(r, dict):
                    _locate(v, r, src, path + (key, i))


# ---------------------------------------------------------------- the scoring workbook's rows

ROLE_SUBJECTS = {"to-chuc-dang": "tổ chức đảng", "tap-the": "tập thể lãnh đạo, quản lý",
                 "lanh-dao": "cán bộ lãnh đạo, quản lý", "khong-lanh-dao": "đảng viên không giữ chức vụ lãnh đạo",
                 "ngoai-he-thong": "đảng viên không làm việc trong hệ thống chính trị"}
PERIOD_OF = {"nam": "nam", "quy_1": "Q1", "quy_2": "Q2", "quy_3": "Q3"}
SCORE_OF = {"tu_cham": "self_score", "tham_dinh": "vetted_score"}
SCORE_WORD = {"tu_cham": "tự chấm", "tham_dinh": "thẩm định"}


def _score_rows(src: SourceFile, value, out: list[ScoreRow]) -> list[Problem]:
    """The rows of a scoring workbook, typed; the key belongs to Excel workbooks only."""
    from .intake import EXCEL_SUFFIXES

    if not src.rel.lower().endswith(EXCEL_SUFFIXES):
        return [error(src.where((SCORE_ROWS,)), SCORE_ROWS,
                      f"khóa «{SCORE_ROWS}» chỉ có trong bảng chấm điểm Excel (template-xlsx --cham-diem); trong tệp "
                      "YAML/JSON hãy ghi điểm từng tiêu chí ở danh_gia.<kỳ>.tu_cham.tieu_chi của từng đối tượng")]
    problems: list[Problem] = []
    for i, item in enumerate(value if isinstance(value, list) else []):
        name = item.get("ten") or item.get("doi_tuong") if isinstance(item, dict) else None
        rec = _record(ScoreRow, item, src, (SCORE_ROWS, i), f"dòng chấm điểm «{name}»" if name else
                      f"dòng chấm điểm thứ {i + 1}", problems)
        if rec is not None:
            out.append(rec)
    return problems


def _by_role(unit: Unit, role: str) -> dict:
    """The records a scoring sheet of this role names, by id (the đảng bộ itself is «dang-bo»)."""
    from .rating.subjects import UNIT_ID

    if role == "to-chuc-dang":
        return {**{c.id: c for c in unit.cells}, UNIT_ID: unit.info}
    if role == "tap-the":
        return {c.id: c for c in unit.collectives}
    return {m.id: m for m in unit.members}


def _merge_score(target: Score, row: Score, name: str, field: str) -> list[Problem]:
    """A workbook's points into the points the YAML already gives for the same review: criteria and
    group points written in both places must be the same."""
    problems = []
    for cid, v in row.criteria.items():
        old = target.criteria.get(cid)
        if old is not None and abs(old - v) > 1e-9:
            problems.append(error(row.where(f"tieu_chi.{cid}"), f"{field}.tieu_chi.{cid}",
                                  f"điểm tiêu chí «{cid}» của «{name}» ghi {_n(v)} ở đây nhưng {_n(old)} ở "
                                  f"{target.where(f'tieu_chi.{cid}')}; chỉ ghi ở một nơi"))
            continue
        target.criteria[cid] = v
        target._lines[f"tieu_chi.{cid}"] = row.where(f"tieu_chi.{cid}")
    for alias, attr, label in (("chung", "general", "nhóm tiêu chí chung"),
                               ("ket_qua", "results", "nhóm kết quả thực hiện nhiệm vụ"), ("tong", "total", "tổng điểm")):
        v, old = getattr(row, attr), getattr(target, attr)
        if v is None:
            continue
        if old is not None and abs(old - v) > 1e-9:
            problems.append(error(row.where(alias), f"{field}.{alias}",
                                  f"{label} của «{name}» ghi {_n(v)} ở đây nhưng {_n(old)} ở "
                                  f"{target.where(alias)}; chỉ ghi ở một nơi"))
            continue
        setattr(target, attr, v)
        target._lines[alias] = row.where(alias)
    if "tieu_chi" not in target._lines and row.criteria:
        target._lines["tieu_chi"] = row.where("tieu_chi")
    return problems


def apply_score_rows(unit: Unit, rows: list[ScoreRow]) -> list[Problem]:
    """Each row of a scoring workbook into its subject's review of that period (created when the data
    has none); a row naming nobody, or someone of another criteria set, or twice, is an error."""
    from .model import Evaluation

    problems: list[Problem] = []
    seen: dict[tuple, ScoreRow] = {}
    for row in rows:
        table = _by_role(unit, row.role)
        rec = table.get(row.subject)
        where = row.where("doi_tuong")
        if rec is None:
            close = difflib.get_close_matches(row.subject, list(table), n=1)
            hint = f"; có phải ý là «{close[0]}»?" if close else ""
            problems.append(error(where, "doi_tuong", f"không có {ROLE_SUBJECTS[row.role]} nào mã «{row.subject}»{hint}"))
            continue
        name = getattr(rec, "name", row.subject)
        own_role = getattr(rec, "role", row.role)
        if own_role != row.role:
            problems.append(error(where, "doi_tuong",
                                  f"«{name}» là {ROLE_SUBJECTS[own_role]} nhưng được chấm ở trang của "
                                  f"{ROLE_SUBJECTS[row.role]} (bộ tiêu chí khác): hãy chấm ở trang của "
                                  f"{ROLE_SUBJECTS[own_role]}, hoặc sửa vai_tro của đảng viên"))
            continue
        key = (row.role, row.subject, row.period)
        if key in seen:
            problems.append(error(where, "doi_tuong", f"«{name}» được chấm hai lần trong kỳ này (lần đầu ở "
                                                      f"{seen[key].where('doi_tuong')})"))
            continue
        seen[key] = row
        if row.name and _plain_name(row.name) != _plain_name(name):
            problems.append(warning(row.where("ten"), "ten", f"mã «{row.subject}» là «{name}» nhưng bảng chấm "
                                                            f"điểm ghi tên «{row.name}»: kiểm tra dòng này có bị lệch không"))
        if row.self_score is None and row.vetted_score is None:
            continue
        period = PERIOD_OF[row.period]
        ev = rec.reviews.get(period)
        if ev is None:
            ev = Evaluation()
            ev._where = row.where()
            attr = {"nam": "year", "Q1": "q1", "Q2": "q2", "Q3": "q3"}[period]
            setattr(rec.reviews, attr, ev)
        for skey, attr in SCORE_OF.items():
            got = getattr(row, attr)
            if got is None:
                continue
            mine = getattr(ev, attr)
            if mine is None:
                setattr(ev, attr, got)
            else:
                problems += _merge_score(mine, got, name, f"danh_gia.{row.period}.{skey}")
    return problems


def _plain_name(text: str) -> str:
    from .model import plain

    return " ".join(plain(text).split())


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
    score_rows: list[ScoreRow] = []
    for src in sources:
        if not isinstance(src.data, dict):
            problems.append(error(src.where(()), "", "tệp phải bắt đầu bằng một khóa như don_vi:, chi_bo:, tap_the:, dang_vien:"))
            continue
        file_cells = []
        for key, value in src.data.items():
            if key == SCORE_ROWS:
                problems += _score_rows(src, value, score_rows)
                continue
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
    problems += apply_score_rows(unit, score_rows)
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
        problems += _criterion_scores(unit, rules)
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


GROUP_FIELDS = {"chung": ("general", "chung", "nhóm tiêu chí chung"),
                "ket-qua": ("results", "ket_qua", "nhóm kết quả thực hiện nhiệm vụ")}


def _short(title: str, limit: int = 60) -> str:
    """A criterion's title cut for a message: its first clause, at most `limit` characters."""
    head = title.split(";")[0].strip()
    return head if len(head) <= limit else head[:limit].rsplit(" ", 1)[0] + "…"


def _points_set(rules: dict, role: str, period: str):
    try:
        return points_set(rules, role, period)
    except (UnknownFramework, ValueError, KeyError, TypeError):
        return None


def _criterion_scores(unit: Unit, rules: dict) -> list[Problem]:
    """Points per criterion (tu_cham/tham_dinh.tieu_chi): known ids of the subject's criteria set, within
    0 … the criterion's maximum, two decimals, a vetted point only beside a self-scored one; each group
    scored on all its criteria or on none. A group's points are computed from its criteria when the data
    gives only those, and must agree with them when it gives both."""
    problems: list[Problem] = []
    points = rules.get("method") == "points"
    for key, rec, name in _subjects(unit):
        role = SHEET_ROLES.get(key) or getattr(rec, "role", "")
        for pkey, period in PERIOD_OF.items():
            ev = rec.reviews.get(period)
            if ev is None:
                continue
            scores = {skey: getattr(ev, attr) for skey, attr in SCORE_OF.items()}
            if not any(sc is not None and sc.criteria for sc in scores.values()):
                continue
            cset = _points_set(rules, role, period)
            if cset is None or not cset.criteria:
                if points:      # a criteria regime's ignored points are a warning of _check_scores
                    sc = next(sc for sc in scores.values() if sc is not None and sc.criteria)
                    problems.append(error(sc.where("tieu_chi"), f"danh_gia.{pkey}",
                                          f"khung tiêu chí {rules.get('criteria')} không có bộ tiêu chí cho "
                                          f"{ROLE_SUBJECTS.get(role, role)}: không chấm được điểm từng tiêu chí của «{name}»"))
                continue
            for skey, sc in scores.items():
                if sc is not None and sc.criteria:
                    problems += _one_score(sc, cset, name, f"danh_gia.{pkey}.{skey}", SCORE_WORD[skey])
            own, vet = scores["tu_cham"], scores["tham_dinh"]
            known = cset.by_id()
            for cid, v in (vet.criteria.items() if vet is not None else ()):
                if cid in known and (own is None or cid not in own.criteria):
                    problems.append(error(vet.where(f"tieu_chi.{cid}"), f"danh_gia.{pkey}.tham_dinh.tieu_chi.{cid}",
                                          f"«{name}»: tiêu chí «{cid}» ({_short(known[cid].title)}) có điểm thẩm định "
                                          f"{_n(v)} nhưng chưa có điểm tự chấm – ghi điểm tự chấm của tiêu chí này "
                                          f"(danh_gia.{pkey}.tu_cham.tieu_chi.{cid})"))
    return problems


def _one_score(sc: Score, cset, name: str, field: str, word: str) -> list[Problem]:
    problems = []
    known = cset.by_id()
    bad: set[str] = set()       # criteria whose points are wrong: their group is neither computed nor compared
    for cid, v in sc.criteria.items():
        where, at = sc.where(f"tieu_chi.{cid}"), f"{field}.tieu_chi.{cid}"
        c = known.get(cid)
        if c is None:
            close = difflib.get_close_matches(cid, list(known), n=1)
            hint = f"; có phải ý là «{close[0]}»?" if close else f" (có: {', '.join(known)})"
            problems.append(error(where, at, f"tiêu chí «{cid}» (điểm {word} của «{name}») không có trong bộ tiêu chí "
                                             f"«{cset.title}»{hint}"))
            continue
        what = f"điểm {word} tiêu chí «{cid}» ({_short(c.title)}) của «{name}»"
        if v < 0:
            problems.append(error(where, at, f"{what} là {_n(v)}: điểm không được nhỏ hơn 0"))
            bad.add(cid)
        elif abs(v * 100 - round(v * 100)) > 1e-6:
            problems.append(error(where, at, f"{what} ghi {str(v).replace('.', ',')}: điểm chỉ ghi tối đa hai chữ số "
                                             f"thập phân (ví dụ {_n(round(v, 2))})"))
            bad.add(cid)
        elif c.max is not None and v > c.max + 1e-9:
            problems.append(error(where, at, f"{what} là {_n(v)}, vượt quá mức tối đa {_n(c.max)}"))
            bad.add(cid)
    for g in cset.groups:
        given = [c for c in g.criteria if c.id in sc.criteria]
        if not given or g.id not in GROUP_FIELDS:
            continue
        attr, alias, label = GROUP_FIELDS[g.id]
        if len(given) < len(g.criteria):
            missing = [c.id for c in g.criteria if c.id not in sc.criteria]
            problems.append(error(sc.where("tieu_chi"), f"{field}.tieu_chi",
                                  f"điểm {word} của «{name}» mới ghi {len(given)}/{len(g.criteria)} tiêu chí của "
                                  f"{label}; thiếu: {', '.join(missing)} – ghi đủ các tiêu chí của nhóm, hoặc chỉ "
                                  f"ghi điểm nhóm ({alias})"))
            continue
        if any(c.id in bad for c in given):
            continue
        total = round(sum(sc.criteria[c.id] for c in given), 2)
        stated = getattr(sc, attr)
        if stated is None:
            setattr(sc, attr, total)              # the group's points, computed from its criteria
            sc._lines.setdefault(alias, sc.where("tieu_chi"))
        elif abs(stated - total) > 0.001:
            parts = " + ".join(f"{c.id} {_n(sc.criteria[c.id])}" for c in given)
            elsewhere = sc.where(f"tieu_chi.{given[0].id}")
            there = f" (điểm tiêu chí ở {elsewhere})" if elsewhere.file != sc.where(alias).file else ""
            problems.append(error(sc.where(alias), f"{field}.{alias}",
                                  f"điểm {word} {label} của «{name}» ghi {_n(stated)} nhưng cộng điểm các tiêu chí "
                                  f"được {_n(total)}: {parts}{there}"))
    return problems


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
