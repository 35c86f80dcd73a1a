"""Typed records of one unit's data.

Data files speak the staff's language (keys are Vietnamese without diacritics: `ho_ten`,
`ngay_sinh`); code speaks English. Each field's alias is the key in the files and its
description is the Vietnamese label used in messages and in the published JSON Schema.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainSerializer,
                      PrivateAttr, Tag, model_validator)
from pydantic_core import PydanticCustomError

from . import markup
from .problems import Where
from .vn import date_form, parse_date, plausible_year

# ---------------------------------------------------------------- value types

LEVELS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
LEVEL_NAMES = {
    "HTXSNV": "Hoàn thành xuất sắc nhiệm vụ",
    "HTTNV": "Hoàn thành tốt nhiệm vụ",
    "HTNV": "Hoàn thành nhiệm vụ",
    "KHTNV": "Không hoàn thành nhiệm vụ",
    "KXL": "Không xếp loại",
}
CRITERION_LEVELS = ("xuat-sac", "tot", "trung-binh", "kem")
CRITERION_NAMES = {"xuat-sac": "Xuất sắc", "tot": "Tốt", "trung-binh": "Trung bình", "kem": "Kém"}


def plain(text: str) -> str:
    """Lower-case ASCII form used to accept spelling variants ("Xuất sắc" → "xuat sac")."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn").lower().strip()


def _date(v: Any) -> Any:
    if v is None:
        return v
    if isinstance(v, dt.date):      # from Excel: a real date, but 0001 or 2999 is a typing slip
        plausible_year(v, date_form(v))
        return v
    if isinstance(v, str):
        return parse_date(v)
    raise ValueError(f"«{v}» không phải ngày tháng (viết dạng ngày/tháng/năm, ví dụ 07/11/2025)")


def _level(v: Any) -> Any:
    if v is None:
        return v
    s = plain(v).replace(" ", "")
    for code, name in LEVEL_NAMES.items():
        if s in (code.lower(), plain(name).replace(" ", "")):
            return code
    raise ValueError(f"«{v}» không phải mức xếp loại (HTXSNV, HTTNV, HTNV, KHTNV hoặc KXL)")


def _criterion(v: Any) -> Any:
    s = plain(v).replace("-", " ")
    for code, name in CRITERION_NAMES.items():
        if s in (code.replace("-", " "), plain(name)):
            return code
    raise ValueError(f"«{v}» không phải mức tiêu chí (Xuất sắc, Tốt, Trung bình hoặc Kém)")


def _number(v: Any) -> Any:
    # YAML's true/yes/on are booleans, and pydantic would take them for 1: a score of «true».
    if isinstance(v, bool):
        raise PydanticCustomError("bool_not_number", "a yes/no value is not a number")
    return v


def Number(kind: type = float, **limits) -> Any:
    """Every number of the data: never a boolean, never nan or infinity (.nan, .inf in YAML).
    Limits go here, before the validator (not on the field), so that the JSON Schema still
    shows them as minimum/maximum."""
    if kind is float:
        limits["allow_inf_nan"] = False
    return Annotated[kind, Field(**limits), BeforeValidator(_number)]


Int = Number(int)
Float = Number(float)
Points = Number(float, ge=0)
Month = Number(int, ge=1, le=12)

Date = Annotated[dt.date, BeforeValidator(_date), PlainSerializer(lambda d: d.isoformat()),
                 Field(json_schema_extra={"type": "string", "examples": ["07/11/2025"]})]
Level = Annotated[Literal["HTXSNV", "HTTNV", "HTNV", "KHTNV", "KXL"], BeforeValidator(_level)]
CriterionLevel = Annotated[Literal["xuat-sac", "tot", "trung-binh", "kem"], BeforeValidator(_criterion)]
Percent = Number(float, ge=0, le=100)
Id = Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
NAME_MAX = 100    # a person's name; longer is a pasting slip (and would not fit any form's line)
TITLE_MAX = 255   # names of the unit, chi bộ, collectives (also a DOCX core property's limit)


def f(alias: str, label: str, default: Any = ..., **kw) -> Any:
    """A field whose file key is `alias` and whose Vietnamese label is `label`."""
    return Field(default, alias=alias, description=label, **kw)


class Record(BaseModel):
    """Base of every record: keys as in the files, unknown keys refused, source kept."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", str_strip_whitespace=True)
    _where: Where = PrivateAttr(default_factory=Where)
    _lines: dict = PrivateAttr(default_factory=dict)  # alias → Where of that field

    def where(self, alias: str | None = None) -> Where:
        return self._lines.get(alias, self._where) if alias else self._where


# ---------------------------------------------------------------- evaluation inputs

# A criterion's points: checked by validation (at least 0, at most the criterion's maximum of the
# subject's framework, two decimals) with messages that name the criterion; the schema still says ≥ 0.
CriterionPoints = Annotated[float, Field(allow_inf_nan=False, json_schema_extra={"minimum": 0}),
                            BeforeValidator(_number)]


class Score(Record):
    """Points of one review (tự chấm or thẩm định): per criterion (`tieu_chi`, ids of the subject's
    criteria set in forms/criteria/) and per group. Validation computes a group's points from its
    criteria when the data gives only those, and checks them against the group's points when it
    gives both; data with group points only (no `tieu_chi`) is read as before."""

    general: Points | None = f("chung", "điểm nhóm tiêu chí chung", None)
    results: Points | None = f("ket_qua", "điểm nhóm kết quả thực hiện nhiệm vụ", None)
    total: Points | None = f("tong", "tổng điểm", None)
    criteria: dict[str, CriterionPoints] = f("tieu_chi", "điểm từng tiêu chí (mã tiêu chí: điểm)",
                                             default_factory=dict)

    def value(self) -> float | None:
        if self.general is not None or self.results is not None:
            return round((self.general or 0) + (self.results or 0), 2)
        if self.total is None and self.criteria:
            return round(sum(self.criteria.values()), 2)
        return self.total


class Ballots(Record):
    HTXSNV: Int = Field(0, ge=0, description="số phiếu HTXSNV")
    HTTNV: Int = Field(0, ge=0, description="số phiếu HTTNV")
    HTNV: Int = Field(0, ge=0, description="số phiếu HTNV")
    KHTNV: Int = Field(0, ge=0, description="số phiếu KHTNV")
    tie_decision: Level | None = f("quyet_dinh_khi_ngang_phieu",
                                   "mức do người đứng đầu quyết định khi số phiếu ngang nhau", None)


class MemberResults(Record):
    """How many members of a party organisation were rated at each level – what a đảng bộ
    reports of its own members to the committee above, which lists only its leaders."""

    HTXSNV: Int = Field(0, ge=0, description="số đảng viên HTXSNV")
    HTTNV: Int = Field(0, ge=0, description="số đảng viên HTTNV")
    HTNV: Int = Field(0, ge=0, description="số đảng viên HTNV")
    KHTNV: Int = Field(0, ge=0, description="số đảng viên KHTNV")


class Evaluation(Record):
    """One period's review of one subject (year or quarter)."""

    self_score: Score | None = f("tu_cham", "điểm tự chấm", None)
    vetted_score: Score | None = f("tham_dinh", "điểm thẩm định", None)
    criteria: dict[str, CriterionLevel] = f("tieu_chi", "mức đạt của từng tiêu chí (chế độ 2018/2023)",
                                            default_factory=dict)
    tasks_done_given: Percent | None = f("hoan_thanh", "tỷ lệ % nhiệm vụ hoàn thành đúng hạn, bảo đảm chất lượng "
                                                       "(không ghi: 100 trừ phần chậm tiến độ)", None)
    tasks_exceeded: Percent = f("vuot", "tỷ lệ % nhiệm vụ vượt chỉ tiêu", 0)
    tasks_late: Percent = f("cham_tien_do", "tỷ lệ % nhiệm vụ chậm tiến độ", 0)
    targets_done: Percent | None = f("chi_tieu_dat", "tỷ lệ % chỉ tiêu, nhiệm vụ kế hoạch đạt được", None)
    basic_targets_missed: bool = f("khong_dat_5_chi_tieu", "không đạt 5 chỉ tiêu kinh tế - xã hội cơ bản", False)
    low_confidence: Percent | None = f("tin_nhiem_thap", "tỷ lệ % phiếu tín nhiệm thấp", None)
    shortcomings_fixed: bool = f("khac_phuc_han_che", "đã khắc phục hạn chế kỳ trước", True)
    ballots: Ballots | None = f("phieu", "kết quả bỏ phiếu biểu quyết", None)
    members_rated: MemberResults | None = f(
        "ket_qua_dang_vien", "tổ chức đảng: số đảng viên xếp loại ở từng mức (gồm cả người có trong danh sách); "
                             "có thì tỷ lệ đảng viên tính theo số này", None)
    self_level: Level | None = f("tu_xep_loai", "mức tự xếp loại", None)
    decided_level: Level | None = f("xep_loai", "mức xếp loại do cấp có thẩm quyền quyết định", None)
    decision_reason: str | None = f("ly_do_quyet_dinh", "lý do của cấp có thẩm quyền khi quyết định khác đề xuất", None)
    outstanding_unit: bool = f("don_vi_tieu_bieu", "đơn vị được cấp có thẩm quyền công nhận tiêu biểu (hạn mức 25%)", False)

    @property
    def tasks_done(self) -> float:
        """The on-time share: as written, else all but the late ones (never more than 100 − late)."""
        return self.tasks_done_given if self.tasks_done_given is not None else 100 - self.tasks_late


class ScoreRow(Record):
    """One row of the scoring workbook (`template-xlsx --cham-diem`): a subject's points for one period,
    read from Excel only (intake/excel.py) and put into that subject's review by validation."""

    subject: Id = f("doi_tuong", "mã đối tượng được chấm (đảng viên, chi bộ, tập thể; đảng bộ: dang-bo)")
    name: str | None = f("ten", "tên ghi trên bảng chấm điểm", None)
    role: Literal["tap-the", "to-chuc-dang", "lanh-dao", "khong-lanh-dao", "ngoai-he-thong"] = \
        f("bo", "bộ tiêu chí của trang chấm điểm")
    period: Literal["nam", "quy_1", "quy_2", "quy_3"] = f("ky", "kỳ đánh giá của bảng chấm điểm", "nam")
    self_score: Score | None = f("tu_cham", "điểm tự chấm", None)
    vetted_score: Score | None = f("tham_dinh", "điểm thẩm định", None)


class Periods(Record):
    year: Evaluation | None = f("nam", "đánh giá cả năm", None)
    q1: Evaluation | None = f("quy_1", "đánh giá quý I", None)
    q2: Evaluation | None = f("quy_2", "đánh giá quý II", None)
    q3: Evaluation | None = f("quy_3", "đánh giá quý III", None)

    def get(self, period: str) -> Evaluation | None:
        return {"nam": self.year, "Q1": self.q1, "Q2": self.q2, "Q3": self.q3}.get(period)


class Discipline(Record):
    form: str = f("hinh_thuc", "hình thức kỷ luật (khiển trách, cảnh cáo, cách chức, khai trừ)")
    date: Date = f("ngay", "ngày quyết định kỷ luật")
    reason: str | None = f("ly_do", "lý do kỷ luật", None)
    duty_related: bool = f("lien_quan_nhiem_vu", "vi phạm trong thực hiện nhiệm vụ", True)


class Facts(Record):
    """Facts that force or block a level whatever the score (RULES.md: forced KHTNV)."""

    degenerate: bool = f("suy_thoai", "có biểu hiện suy thoái, “tự diễn biến”, “tự chuyển hóa”", False)
    personnel_violation: bool = f("vi_pham_cong_tac_can_bo", "vi phạm trong công tác cán bộ", False)
    disunity: bool = f("mat_doan_ket", "mất đoàn kết nội bộ", False)
    corruption_in_area: bool = f("tham_nhung_trong_linh_vuc", "để xảy ra tham nhũng bị xử lý kỷ luật trong lĩnh vực phụ trách", False)
    self_remedied: bool = f("tu_phat_hien_khac_phuc", "tự phát hiện và khắc phục (cấp có thẩm quyền xem xét)", False)
    disciplined: bool = f("bi_ky_luat", "tập thể, tổ chức bị xử lý kỷ luật trong năm (cá nhân: ghi ở ky_luat)", False)


# ---------------------------------------------------------------- subjects

Role = Literal["lanh-dao", "khong-lanh-dao", "ngoai-he-thong"]
Status = Literal["sinh-hoat", "mien-sinh-hoat", "dinh-chi", "nghi-om", "nghi-thai-san"]


class Prose(Record):
    """Free text of a self-review (Mẫu 01/02 filled mode). Missing → a blank form is printed."""

    strengths: list[str] = f("uu_diem", "ưu điểm, kết quả đạt được", default_factory=list)
    shortcomings: list[str] = f("han_che", "hạn chế, khuyết điểm và nguyên nhân", default_factory=list)
    previous_fixed: list[str] = f("khac_phuc_ky_truoc", "kết quả khắc phục hạn chế kỳ trước", default_factory=list)
    explanations: list[str] = f("giai_trinh", "giải trình vấn đề được gợi ý (nếu có)", default_factory=list)
    responsibility: list[str] = f("trach_nhiem", "trách nhiệm đối với hạn chế của tập thể (nếu có)", default_factory=list)
    plans: list[str] = f("phuong_huong", "phương hướng, biện pháp khắc phục", default_factory=list)

    def is_empty(self) -> bool:
        return not any((self.strengths, self.shortcomings, self.plans))


class Member(Record):
    id: Id = f("id", "mã đảng viên")
    name: str = f("ho_ten", "họ tên", min_length=2, max_length=NAME_MAX)
    sex: Literal["nam", "nu"] | None = f("gioi_tinh", "giới tính (nam/nu)", None)
    born: Date | None = f("ngay_sinh", "ngày sinh", None)
    joined: Date = f("ngay_vao_dang", "ngày vào Đảng")
    official: Date | None = f("ngay_chinh_thuc", "ngày chính thức", None)
    cell: Id | None = f("chi_bo", "chi bộ sinh hoạt", None)
    party_post: str = f("chuc_vu_dang", "chức vụ Đảng", "Đảng viên")
    gov_post: str | None = f("chuc_vu_chinh_quyen", "chức vụ chính quyền", None)
    mass_post: str | None = f("chuc_vu_doan_the", "chức vụ đoàn thể", None)
    workplace: str | None = f("don_vi_cong_tac", "đơn vị công tác", None)
    role: Role = f("vai_tro", "vai trò: lanh-dao, khong-lanh-dao hoặc ngoai-he-thong", "khong-lanh-dao")
    group: str | None = f("nhom", "nhóm so sánh (cùng chức vụ, vai trò)", None)
    status: Status = f("trang_thai", "tình trạng sinh hoạt đảng", "sinh-hoat")
    appointed: Date | None = f("ngay_bo_nhiem", "ngày bổ nhiệm vào chức vụ hiện tại", None)
    arrived_in_year: bool = f("moi_chuyen_den", "mới chuyển đến nhận công tác trong năm", False)
    priority: Int = f("thu_tu", "thứ tự ưu tiên trong danh sách (số nhỏ đứng trước)", 1000)
    discipline: list[Discipline] = f("ky_luat", "các quyết định kỷ luật", default_factory=list)
    facts: Facts = f("tinh_tiet", "tình tiết ảnh hưởng đến xếp loại", default_factory=Facts)
    reviews: Periods = f("danh_gia", "kết quả đánh giá theo kỳ", default_factory=Periods)
    prose: Prose = f("noi_dung", "nội dung bản kiểm điểm", default_factory=Prose)


class PartyCell(Record):
    """A chi bộ (or a sub-đảng bộ) directly under the unit's party committee."""

    id: Id = f("id", "mã chi bộ")
    name: str = f("ten", "tên chi bộ", max_length=TITLE_MAX)
    kind: Literal["thon", "to-dan-pho", "co-quan", "truong-hoc", "tram-y-te", "luc-luong-vu-trang", "doanh-nghiep", "khac"] = \
        f("loai", "loại chi bộ", "thon")
    founded: Date | None = f("ngay_thanh_lap", "ngày thành lập", None)
    secretary: Id | None = f("bi_thu", "mã đảng viên là bí thư chi bộ", None)
    committee: list[Id] = f("chi_uy", "mã các chi ủy viên", default_factory=list)
    group: str | None = f("nhom", "nhóm so sánh", None)
    priority: Int = f("thu_tu", "thứ tự trong danh sách", 1000)
    facts: Facts = f("tinh_tiet", "tình tiết ảnh hưởng đến xếp loại", default_factory=Facts)
    reviews: Periods = f("danh_gia", "kết quả đánh giá theo kỳ", default_factory=Periods)
    prose: Prose = f("noi_dung", "nội dung báo cáo kiểm điểm", default_factory=Prose)


class Collective(Record):
    """A leadership collective (BTV Đảng ủy, UBKT, Thường trực HĐND, lãnh đạo UBND, …)."""

    id: Id = f("id", "mã tập thể")
    name: str = f("ten", "tên tập thể", max_length=TITLE_MAX)
    kind: str = f("loai", "loại tập thể (btv, ubkt, hdnd, ubnd, mttq, doan-the, chi-uy, co-quan)")
    head: Id | None = f("nguoi_dung_dau", "mã đảng viên là người đứng đầu", None)
    members: list[Id] = f("thanh_vien", "mã các thành viên", default_factory=list)
    cell: Id | None = f("chi_bo", "chi bộ (với tập thể chi ủy)", None)
    group: str | None = f("nhom", "nhóm so sánh", None)
    founded: Date | None = f("ngay_thanh_lap", "ngày thành lập", None)
    priority: Int = f("thu_tu", "thứ tự kiểm điểm (số nhỏ trước)", 1000)
    dossier: bool = f("gui_ho_so", "gửi hồ sơ lên cấp trên", True)
    facts: Facts = f("tinh_tiet", "tình tiết ảnh hưởng đến xếp loại", default_factory=Facts)
    reviews: Periods = f("danh_gia", "kết quả đánh giá theo kỳ", default_factory=Periods)
    prose: Prose = f("noi_dung", "nội dung báo cáo kiểm điểm", default_factory=Prose)


# ---------------------------------------------------------------- the plan (Kế hoạch)

# Plan text that may carry the inline markup of pipeline/markup.py (**đậm**, *nghiêng*,
# chữ[^chú thích]): checked here, at the door, so a stray ** is a problem at its file:line.
Rich = Annotated[str, AfterValidator(markup.check)]

NumberStyle = Literal["la-ma", "la-ma-gach", "so", "so-gach", "so-long", "chu", "gach", "cong"]
HeadingStyle = Literal["dam", "dam-nghieng", "thuong"]


def _one_label(line: dict) -> dict:
    if len(line) != 1:
        raise ValueError("mỗi dòng ghi đúng một nhãn và nội dung, ví dụ «- Cơ quan chỉ đạo: Ban Thường vụ Đảng ủy»")
    return line


# one «Nhãn: nội dung» per line (the schema says so to editors; the check says it in Vietnamese)
TaskLine = Annotated[dict[str, Rich], AfterValidator(_one_label),
                     Field(json_schema_extra={"minProperties": 1, "maxProperties": 1})]


class TableBlock(Record):
    columns: list[str] = f("cot", "tiêu đề các cột")
    rows: list[list[str]] = f("dong", "các dòng", default_factory=list)
    widths: list[Float] | None = f("do_rong", "độ rộng tương đối của các cột", None)
    group_first: bool = f("gop_cot_dau", "gộp các ô trống ở cột đầu vào ô phía trên", True)


class Task(Record):
    """One task of a timeline plan: a numbered paragraph, more paragraphs, then labelled lines
    («- Cơ quan chỉ đạo: …») in the order written. The four old keys still work; their lines
    come first, in their fixed order."""

    title: Rich | None = f("ten", "nội dung công việc (đoạn đầu, có số thứ tự)", None)
    name: Rich | None = f("nhiem_vu", "nội dung công việc (cách ghi cũ, như «ten»)", None)
    marker: str | None = f("so_muc", "số thứ tự tự ghi (mặc định đánh tự động)", None)
    paragraphs: list[Rich] = f("doan", "các đoạn văn tiếp theo của công việc", default_factory=list)
    lines: list[TaskLine] = f("dong", "các dòng có nhãn, theo thứ tự ghi (- Cơ quan chỉ đạo: …)",
                              default_factory=list)
    directs: Rich | None = f("chi_dao", "cơ quan chỉ đạo", None)
    advises: Rich | None = f("tham_muu", "cơ quan tham mưu", None)
    executes: Rich | None = f("thuc_hien", "cơ quan thực hiện", None)
    deadline: Rich | None = f("thoi_gian", "thời gian hoàn thành", None)

    @model_validator(mode="after")
    def _one_name(self) -> "Task":
        if (self.title is None) == (self.name is None):
            raise ValueError("mỗi nhiệm vụ ghi nội dung công việc ở đúng một khóa: «ten» (hoặc «nhiem_vu» theo cách cũ)")
        return self

    def heading(self) -> str:
        return self.title if self.title is not None else self.name

    def labelled(self) -> list[tuple[str, str]]:
        """(label, text) of every labelled line, in print order."""
        old = [(label, v) for label, v in (("Cơ quan chỉ đạo", self.directs), ("Cơ quan tham mưu", self.advises),
                                           ("Cơ quan thực hiện", self.executes),
                                           ("Thời gian hoàn thành", self.deadline)) if v]
        return old + [next(iter(line.items())) for line in self.lines]


class Block(Record):
    """One block of a section: exactly one of the keys below."""

    para: Rich | None = f("doan", "đoạn văn", None)
    items: list[Rich] | None = f("gach", "các ý gạch đầu dòng (-)", None)
    subitems: list[Rich] | None = f("cong", "các ý dấu cộng (+)", None)
    numbered: list[Rich] | None = f("doan_so", "các đoạn văn có số thứ tự (1., 2. …): in như đoạn văn, "
                                               "không phải tiêu đề", None)
    table: TableBlock | None = f("bang", "bảng", None)
    tasks: list[Task] | None = f("nhiem_vu", "các nhiệm vụ theo mốc thời gian", None)
    italic: bool = f("nghieng", "in nghiêng", False)


def _block_or_text(v: Any) -> str:
    return "str" if isinstance(v, str) else "Block"


# A plain line is a paragraph, anything else a Block: the discriminator picks one, so a bad
# paragraph is one problem, not one per alternative.
BlockOrText = Annotated[Annotated[Block, Tag("Block")] | Annotated[Rich, Tag("str")], Discriminator(_block_or_text)]


class Section(Record):
    title: Rich = f("tieu_de", "tiêu đề mục")
    marker: str | None = f("so_muc", "số thứ tự tự ghi (mặc định đánh tự động: I., 1., a))", None)
    bold: bool = f("dam", "in đậm tiêu đề", True)
    blocks: list[BlockOrText] = f("noi_dung", "các đoạn, ý và bảng của mục", default_factory=list)
    sections: list["Section"] = f("muc", "các mục con", default_factory=list)


class Signature(Record):
    authority: str = f("quyen_han", "quyền hạn ký (T/M ĐẢNG ỦY)")
    title: str = f("chuc_vu", "chức vụ người ký (BÍ THƯ)")
    name: str = f("ho_ten", "họ tên người ký", max_length=NAME_MAX)


class Plan(Record):
    number: Number(int, ge=1) | None = f("so", "số văn bản (để trống để viết tay)", None)
    date: Date | None = f("ngay", "ngày ban hành (để trống để viết tay)", None)
    month: Month | None = f("thang", "tháng ban hành khi để trống ngày", None)
    title: str = f("ten_loai", "tên loại văn bản; xuống dòng ở chỗ muốn ngắt (KẾ HOẠCH / CỦA BAN THƯỜNG VỤ TỈNH ỦY)",
                   "KẾ HOẠCH")
    subject: str = f("trich_yeu", "trích yếu nội dung; xuống dòng ở chỗ muốn ngắt")
    grounds: list[Rich] = f("can_cu", "các căn cứ", default_factory=list)
    opening: Rich | None = f("mo_dau", "đoạn mở đầu", None)
    numbering: list[NumberStyle] | None = f(
        "danh_so", "cách đánh số tiêu đề từng cấp: la-ma (I.), la-ma-gach (I-), so (1.), so-gach (1-), "
                   "so-long (1.1.), chu (a)), gach (-), cong (+); mặc định [la-ma, so, chu, gach]", None, min_length=1)
    heading_styles: list[HeadingStyle] | None = f(
        "kieu_tieu_de", "kiểu chữ tiêu đề từng cấp: dam (đậm), dam-nghieng (đậm nghiêng), thuong (thường); "
                        "mặc định [dam, dam, dam-nghieng, thuong]", None, min_length=1)
    upper_parts: bool = f("in_hoa_phan", "in hoa tiêu đề các phần (cấp I); false: in đúng như đã gõ", True)
    sections: list[Section] = f("phan", "các phần của kế hoạch")
    closing: list[Rich] = f("ket_luan", "các đoạn kết", default_factory=list)
    recipients: list[str] = f("noi_nhan", "nơi nhận (dòng cuối là «Lưu …»)", min_length=1)
    signature: Signature = f("ky", "người ký")


# ---------------------------------------------------------------- the unit

class Signer(Record):
    """Who signs the unit's documents; what is not given comes from the unit's level."""

    authority: str | None = f("quyen_han", "quyền hạn ký (T/M BAN THƯỜNG VỤ); không ghi: theo cấp của đơn vị", None)
    title: str | None = f("chuc_vu", "chức vụ người ký (BÍ THƯ, PHÓ BÍ THƯ THƯỜNG TRỰC)", None)
    name: str | None = f("ho_ten", "họ tên người ký", None, max_length=NAME_MAX)


class UnitInfo(Record):
    name: str = f("ten", "tên đảng bộ (Đảng bộ xã Lùng Phình)", max_length=TITLE_MAX)
    issuer: str = f("cap_uy", "tên cấp ủy ban hành văn bản (Đảng ủy xã Lùng Phình)", max_length=TITLE_MAX)
    issuer_code: str = f("ky_hieu", "ký hiệu cơ quan ban hành (ĐU)")
    superior: str | None = f("cap_tren", "đảng bộ cấp trên (Đảng bộ tỉnh Lào Cai)", None, max_length=TITLE_MAX)
    place: str = f("dia_danh", "địa danh ghi ở ngày tháng (Lùng Phình)")
    regime: str = f("che_do", "chế độ đánh giá: qd132-2018, qd124-2023, qd366-2025 …")
    year: Int = f("nam", "năm đánh giá", ge=2000, le=2100)
    rating_date: Date | None = f("ngay_danh_gia", "ngày chốt đánh giá (tính 6 tháng)", None)
    secretary: Id | None = f("bi_thu", "mã đảng viên là bí thư đảng ủy", None)
    level: str | None = f("cap", "cấp của đảng bộ: co-so, cap-tren-co-so, cap-huyen, cap-tinh "
                                 "(không ghi: nhận theo tên cấp ủy)", None)
    superior_committee: str | None = f("cap_uy_cap_tren", "tên cấp ủy cấp trên trực tiếp (Tỉnh ủy Lào Cai); "
                                                          "không ghi: suy từ cap_tren", None, max_length=TITLE_MAX)
    signer: Signer | None = f("ky", "người ký văn bản của đơn vị (quyen_han, chuc_vu, ho_ten)", None)
    signers: dict[str, Signer] = f("ky_van_ban", "người ký riêng từng loại văn bản (phu-luc-14: …)",
                                   default_factory=dict)
    reviews: Periods = f("danh_gia", "kết quả đánh giá đảng bộ theo kỳ", default_factory=Periods)
    facts: Facts = f("tinh_tiet", "tình tiết ảnh hưởng đến xếp loại", default_factory=Facts)


class Unit(BaseModel):
    """Everything known about one unit after intake and validation."""

    slug: str
    info: UnitInfo
    plan: Plan | None = None
    cells: list[PartyCell] = []
    collectives: list[Collective] = []
    members: list[Member] = []

    def member(self, mid: str) -> Member | None:
        return self._members_by_id().get(mid)

    def _members_by_id(self) -> dict[str, Member]:
        cache = self.__dict__.setdefault("_by_id", {})
        if len(cache) != len(self.members):
            cache.clear()
            cache.update({m.id: m for m in self.members})
        return cache


# What each top-level key of a data file holds; one file may hold several of them.
SECTIONS: dict[str, tuple[type[Record], bool]] = {
    "don_vi": (UnitInfo, False),
    "ke_hoach": (Plan, False),
    "chi_bo": (PartyCell, True),
    "tap_the": (Collective, True),
    "dang_vien": (Member, True),
}
SECTION_LABELS = {
    "don_vi": "thông tin đơn vị",
    "ke_hoach": "kế hoạch",
    "chi_bo": "chi bộ",
    "tap_the": "tập thể",
    "dang_vien": "đảng viên",
}
