"""Hostile and odd input: every case is a Vietnamese problem at its file:line (or cell) and a
non-zero exit – never a traceback, never «LỖI HỆ THỐNG», never English, never a wrong document –
and the bombs (nesting, aliases, ZIP) are refused quickly."""
from __future__ import annotations

import datetime as dt
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import CELL, PLAN, ROOT, UNIT, run_cli, write_unit

NAME_LINE = 23                           # «ho_ten: Lê Văn Ân» in CELL
SCORE_LINE = 21                          # «tu_cham: {chung: 25, ket_qua: 55}» in CELL


def validate(folder: Path) -> tuple[int, str]:
    code, out, err = run_cli("validate", str(folder))
    assert "Traceback" not in out + err and "HỆ THỐNG" not in out + err, out + err
    return code, out + err


def _limit_memory():  # a bomb that is not refused must fail the test, not the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def cli(*argv: str, timeout: float = 60, env: dict | None = None) -> tuple[int, str, float]:
    """python -m pipeline … in a subprocess with a memory cap: (exit code, stdout+stderr, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([sys.executable, "-m", "pipeline", *argv], cwd=ROOT, capture_output=True, text=True,
                           timeout=timeout, preexec_fn=_limit_memory, env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        pytest.fail(f"python -m pipeline {' '.join(argv)}: still running after {timeout} s")
    out = p.stdout + p.stderr
    assert "Traceback" not in out, out
    return p.returncode, out, time.monotonic() - t0


# ---------------------------------------------------------------- 1. over-long names


def test_overlong_names_are_refused_with_their_limit(tmp_path):
    long_name = "Nguyễn " * 715                                        # 5,005 characters
    cell = CELL.replace("Lê Văn Ân", long_name.strip()).replace("ten: Chi bộ thôn A", "ten: " + "A" * 300)
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell})
    code, out = validate(folder)
    assert code == 1
    assert f"LỖI chi-bo/a.yaml:{NAME_LINE} ho_ten: họ tên quá dài (tối đa 100 ký tự)" in out, out[:3000]
    assert "LỖI chi-bo/a.yaml:3 ten: tên chi bộ quá dài (tối đa 255 ký tự)" in out, out[:3000]
    assert long_name.strip() not in out                                   # never echoed in full


# ---------------------------------------------------------------- 2. nesting


@pytest.mark.parametrize("name, text, line", [
    ("sau.yaml", "x: " + "[" * 10_000 + "]" * 10_000 + "\n", 1),
    ("sau-khoi.yaml", "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v: 1\n", 101),
    ("sau.json", '{"x": ' + "[" * 10_000 + "]" * 10_000 + "}\n", 1),
], ids=["yaml-flow", "yaml-block", "json"])
def test_deep_nesting_is_refused_quickly_at_its_line(tmp_path, name, text, line):
    folder = write_unit(tmp_path / "u", {name: text})
    t0 = time.monotonic()
    code, out = validate(folder)
    assert time.monotonic() - t0 < 5
    assert code == 1
    assert f"LỖI {name}:{line} dữ liệu lồng nhau quá sâu (quá 100 tầng)" in out, out


def test_deep_but_legal_data_still_reads(tmp_path):
    from pipeline.intake.source import read

    for levels in (50, 99):
        path = tmp_path / f"d{levels}.yaml"
        path.write_text("x: " + "[" * (levels - 1) + "1" + "]" * (levels - 1) + "\n", "utf-8")
        src, problems = read(path, path.name)
        assert not problems and src is not None
        value, depth = src.data["x"], 2
        while isinstance(value, list):
            value, depth = value[0], depth + 1
        assert (value, depth) == (1, levels + 1)


# ---------------------------------------------------------------- 3. lone surrogates


def test_lone_surrogate_in_json_is_an_error_naming_the_field(tmp_path):
    member = ('{"dang_vien": [{"id": "s-1", "ho_ten": "Lê \\ud800 Ân", "chi_bo": "cb-a",\n'
              '  "ngay_vao_dang": "01/01/2010", "chuc_vu_dang": "\\ud83e\\udd80"}]}\n')
    folder = write_unit(tmp_path / "u", {"dv.json": member})
    code, out = validate(folder)
    assert code == 1
    assert "LỖI dv.json:1 dang_vien.ho_ten: «Lê \ufffd Ân» có ký tự hỏng (U+D800" in out, out
    # a surrogate pair is one character (here an emoji, which the fonts cannot draw)
    assert "LỖI dv.json:2 chuc_vu_dang: «🦀» có ký tự «🦀» (U+1F980)" in out, out
    assert "unicode" not in out and "Input should" not in out


# ---------------------------------------------------------------- 4. alias bomb

BOMB = "".join(
    f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9 if i else ['"lol"'] * 9) + "]\n"
    for i in range(10))


@pytest.mark.timeout(120)
def test_alias_bomb_is_refused_within_a_second(tmp_path, monkeypatch):
    folder = write_unit(tmp_path / "u", {"bom.yaml": BOMB})
    code, out, seconds = cli("validate", str(folder), timeout=30)
    assert code == 1
    assert "LỖI bom.yaml:" in out and "tham chiếu (alias «*…»)" in out, out
    assert seconds < 5, seconds
    from pipeline.intake import source

    for pure in (False, True):                              # both parsers refuse it, neither retries
        with monkeypatch.context() as m:
            if pure:
                m.setattr(source, "_CLoader", None)
            t0 = time.monotonic()
            src, problems = source.read(folder / "bom.yaml", "bom.yaml")
            assert time.monotonic() - t0 < 1
        assert src is None and len(problems) == 1 and problems[0].is_error
        assert re.match(r"LỖI bom\.yaml:\d+ dữ liệu có quá nhiều tham chiếu", str(problems[0])), problems


def test_a_recursive_alias_is_refused(tmp_path):
    folder = write_unit(tmp_path / "u", {"vong.yaml": "a: &x [1, *x]\n"})
    code, out = validate(folder)
    assert code == 1 and "LỖI vong.yaml:1 dữ liệu lồng nhau quá sâu" in out, out


def test_aliases_of_reasonable_size_still_read(tmp_path):
    from pipeline.intake.source import read

    path = tmp_path / "a.yaml"
    path.write_text("mau: &m {chung: 25, ket_qua: 55}\n" + "".join(f"d{i}: *m\n" for i in range(2000)), "utf-8")
    src, problems = read(path, "a.yaml")
    assert not problems and src.data["d1999"] == {"chung": 25, "ket_qua": 55}


# ---------------------------------------------------------------- 5. ZIP bomb in an .xlsx


@pytest.fixture(scope="module")
def xlsx_bomb(tmp_path_factory) -> Path:
    """A real roster whose sheet XML unpacks to a gigabyte (about 1 MB packed): a gigabyte of
    spaces before its closing tag, which openpyxl would read through."""
    from test_excel import HEADER, member, roster

    folder = tmp_path_factory.mktemp("bomb")
    good = roster(folder / "good.xlsx", HEADER, [member(1)])
    bomb = folder / "danh-sach.xlsx"
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = src.read(info)
                big = zipfile.ZipInfo(info.filename)
                big.compress_type = zipfile.ZIP_DEFLATED
                with dst.open(big, "w", force_zip64=True) as out:
                    out.write(xml[:xml.rindex(b"</worksheet>")])
                    for _ in range(1024):
                        out.write(chunk)
                    out.write(b"</worksheet>")
            else:
                dst.writestr(info, src.read(info))
    return bomb


@pytest.mark.timeout(120)
def test_xlsx_zip_bomb_is_refused_within_two_seconds(tmp_path, xlsx_bomb):
    folder = write_unit(tmp_path / "u")
    shutil.copy(xlsx_bomb, folder / "danh-sach.xlsx")
    code, out, seconds = cli("validate", str(folder), timeout=60)
    assert code == 1
    assert "LỖI danh-sach.xlsx mục «xl/worksheets/sheet1.xml» nén bất thường" in out, out
    from pipeline.intake import excel

    t0 = time.monotonic()
    src, problems = excel.read(folder / "danh-sach.xlsx", "danh-sach.xlsx")
    assert time.monotonic() - t0 < 2
    assert src is None and len(problems) == 1, problems
    assert re.fullmatch(r"LỖI danh-sach\.xlsx mục «xl/worksheets/sheet1\.xml» nén bất thường \(10737\d+ byte từ \d+ byte\) "
                        r"– không đọc tệp Excel này", str(problems[0])), problems


def test_xlsx_over_the_size_limit_is_refused_before_openpyxl_reads_it(tmp_path, monkeypatch):
    from test_excel import HEADER, member, roster

    from pipeline.intake import excel

    path = roster(tmp_path / "u" / "danh-sach.xlsx", HEADER, [member(1), member(2)])
    monkeypatch.setattr(excel, "MAX_UNPACKED", 2000)
    src, problems = excel.read(path, "danh-sach.xlsx")
    assert src is None and [str(p) for p in problems] == [
        "LỖI danh-sach.xlsx tệp Excel giải nén ra quá 2.000 byte – không đọc tệp Excel này"], problems


# ---------------------------------------------------------------- 6. control characters


def test_raw_nul_byte_is_reported_at_its_line_and_column(tmp_path):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("Lê Văn Ân", "Lê Văn\x00 Ân")})
    code, out = validate(folder)
    assert code == 1
    assert (f"LỖI chi-bo/a.yaml:{NAME_LINE} có ký tự điều khiển không in được (U+0000) ở cột 19 – "
            "hãy xóa ký tự này") in out, out
    assert "special characters" not in out and "position" not in out


def test_escaped_control_character_and_json_nul_are_errors(tmp_path):
    cell = CELL.replace("ho_ten: Lê Văn Ân", 'ho_ten: "Lê\\x01Văn Ân"')
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell,
                                         "x.json": '{"dang_vien": [{"id": "z", "ho_ten": "A\x00B"}]}'})
    code, out = validate(folder)
    assert code == 1
    assert (f"LỖI chi-bo/a.yaml:{NAME_LINE} dang_vien.ho_ten: «Lê‹U+0001›Văn Ân» có ký tự điều khiển không in được "
            "(U+0001) – hãy xóa ký tự này") in out, out
    assert "LỖI x.json:1 JSON sai cú pháp ở cột 40: có ký tự điều khiển không in được trong chuỗi" in out, out


# ---------------------------------------------------------------- 7. English leaks


def test_every_pydantic_error_type_has_a_vietnamese_sentence():
    from typing import get_args

    from pydantic_core.core_schema import ErrorType

    from pipeline.model import Member
    from pipeline.validate import _message

    ctx = {"max_length": 3, "min_length": 1, "expected": "'a' or 'b'", "le": 1, "ge": 0, "lt": 1, "gt": 0,
           "error": "lỗi riêng của mã", "pattern": "x", "multiple_of": 2, "class_name": "X"}
    for kind in get_args(ErrorType):
        msg = _message(Member, {"type": kind, "loc": ("ho_ten",), "msg": "ENGLISH MESSAGE", "input": "x",
                                "ctx": ctx}, "đảng viên thứ 1")
        assert "ENGLISH" not in msg and ("họ tên" in msg or "«ho_ten»" in msg), (kind, msg)


def test_literal_choices_are_joined_in_vietnamese(tmp_path):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("ho_ten: Lê Văn Ân", "ho_ten: Lê Văn Ân\n    gioi_tinh: 1")})
    code, out = validate(folder)
    assert code == 1
    assert f"LỖI chi-bo/a.yaml:{NAME_LINE + 1} gioi_tinh: giới tính (nam/nu) «1» không hợp lệ; chỉ nhận: 'nam' hoặc 'nu'" \
        in out, out


@pytest.mark.parametrize("argv, words", [
    (["validate", "xa-lung-phinh", "-x"], ["tham số không nhận ra: -x"]),
    (["validate"], ["thiếu tham số bắt buộc: unit"]),
    (["frob"], ["lệnh «frob» không có", "validate, rate"]),
    (["year", "hai-nghin"], ["tham số year: giá trị «hai-nghin» không hợp lệ"]),
    (["dossier", "u", "--output"], ["tham số --output cần một giá trị"]),
])
def test_command_line_mistakes_are_explained_in_vietnamese(argv, words):
    code, out, _ = cli(*argv)
    assert code == 2
    for w in words:
        assert w in out, out
    assert "cách dùng / usage: python -m pipeline" in out, out
    english = re.sub(r" / [^\n]*", "", out)           # English is allowed only after « / »
    assert not re.search(r"\b(usage|error|unrecognized|required|invalid|expected|choose)\b", english), out


@pytest.mark.parametrize("value, words", [
    (".nan", "phải là một số thật (không nhận nan, vô cực)"),
    (".inf", "phải là một số thật (không nhận nan, vô cực)"),
    ("-.inf", "phải là một số thật (không nhận nan, vô cực)"),
    ('"nan"', "phải là một số thật (không nhận nan, vô cực)"),
    ("-2.5", "«-2,5» nhỏ hơn mức tối thiểu 0"),
])
def test_non_finite_and_negative_scores_in_vietnamese(tmp_path, value, words):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("{chung: 25,", f"{{chung: {value},")})
    code, out = validate(folder)
    assert code == 1
    assert f"LỖI chi-bo/a.yaml:{SCORE_LINE} danh_gia.nam.tu_cham.chung: điểm nhóm tiêu chí chung {words}" in out, out
    assert "0.0" not in out and "inf" not in out.replace(value, "")


# ---------------------------------------------------------------- 8. cannot write the output


def _can_unshare() -> bool:
    return os.geteuid() == 0 and shutil.which("unshare") is not None and \
        subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


def _in_private_mounts(mount: str, argv: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run python -m pipeline … with `mount` (shell) done first in a private mount namespace:
    root ignores permissions, so a read-only or full file system is the only real refusal."""
    cmd = " ".join(f"'{a}'" for a in [sys.executable, "-m", "pipeline", *argv])
    p = subprocess.run(["unshare", "-m", "sh", "-c", f"set -e; {mount}; cd '{ROOT}'; exec {cmd}"],
                       capture_output=True, text=True, timeout=timeout, preexec_fn=_limit_memory)
    return p.returncode, p.stdout + p.stderr


def _assert_cannot_write(code: int, out: str, path: Path, why: str) -> None:
    assert code == 4, (code, out)
    assert f"LỖI không ghi được vào {path}" in out and why in out, out
    assert "HỆ THỐNG" not in out and "LỖI LỖI" not in out and "Errno" not in out and "Traceback" not in out, out


@pytest.mark.timeout(300)
def test_read_only_output_folder_says_it_cannot_write(tmp_path):
    unit = write_unit(tmp_path / "u")
    out = tmp_path / "ra"
    out.mkdir()
    if os.geteuid() != 0:
        out.chmod(0o555)
        code, text, _ = cli("dossier", str(unit), "--output", str(out))
        _assert_cannot_write(code, text, out, "không có quyền ghi")
        return
    if not _can_unshare():
        pytest.skip("root without a private mount namespace: a read-only folder cannot be arranged")
    code, text = _in_private_mounts(f"mount --bind '{out}' '{out}'; mount -o remount,ro,bind '{out}'",
                                    ["dossier", str(unit), "--output", str(out)])
    _assert_cannot_write(code, text, out, "chỉ cho đọc (read-only)")


@pytest.mark.timeout(300)
def test_full_disk_says_it_cannot_write(tmp_path):
    if not _can_unshare():
        pytest.skip("a full disk needs a small private tmpfs (root and unshare)")
    unit = write_unit(tmp_path / "u")
    out = tmp_path / "ra"
    out.mkdir()
    code, text = _in_private_mounts(f"mount -t tmpfs -o size=48k tmpfs '{out}'",
                                    ["dossier", str(unit), "--output", str(out)])
    assert code == 4 and "LỖI không ghi được vào" in text and "đĩa đã đầy" in text, text
    assert "HỆ THỐNG" not in text and "Errno" not in text


def test_a_file_where_the_output_folder_should_be(tmp_path):
    unit = write_unit(tmp_path / "u")
    (tmp_path / "ra").write_text("không phải thư mục")
    code, out, err = run_cli("dossier", str(unit), "--output", str(tmp_path / "ra"))
    assert code == 4, out + err
    assert f"LỖI không ghi được vào {tmp_path / 'ra'}" in err and "là một tệp, không phải thư mục" in err, err
    assert "HỆ THỐNG" not in out + err and "Errno" not in out + err


@pytest.mark.timeout(300)
def test_watcher_with_read_only_output_writes_one_plain_error(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "ra"
    write_unit(inbox / "xa-r")
    out.mkdir()
    argv = ["watch", str(inbox), "--once", "--settle", "0", "--debounce", "0", "--output", str(out)]
    if os.geteuid() != 0:
        out.chmod(0o555)
        code, _, _ = cli(*argv, env={"KIEMDIEM_DATA": str(tmp_path / "none")})
    elif _can_unshare():
        code, _ = _in_private_mounts(f"export KIEMDIEM_DATA='{tmp_path / 'none'}'; mount --bind '{out}' '{out}'; "
                                     f"mount -o remount,ro,bind '{out}'", argv)
    else:
        pytest.skip("root without a private mount namespace: a read-only folder cannot be arranged")
    report = (inbox / "xa-r" / "LOI.txt").read_text("utf-8")
    assert code == 4, report
    assert f"LỖI không ghi được vào {out}" in report, report
    assert "LỖI LỖI" not in report and "HỆ THỐNG" not in report and "Errno" not in report, report
    assert "máy không ghi được kết quả" in report and "Cách sửa: sửa các tệp" not in report, report


# ---------------------------------------------------------------- 9. a scan whose name is not UTF-8


@pytest.mark.timeout(300)
def test_scan_with_a_name_that_is_not_utf8_is_reported_and_the_build_goes_on(tmp_path):
    from test_assemble import text_pdf

    unit = write_unit(tmp_path / "u")
    (unit / "dinh-kem").mkdir()
    with open(os.fsencode(unit / "dinh-kem") + b"/a-01__2__\xff\xfe.pdf", "wb") as fh:
        fh.write(text_pdf("Nhan xet noi cu tru"))
    code, out, err = run_cli("dossier", str(unit), "--output", str(tmp_path / "ra"))
    assert code == 0, out + err
    expected = ("CẢNH BÁO dinh-kem/a-01__2__\ufffd\ufffd.pdf tên tệp có byte không đọc được "
                "(không phải chữ Unicode/UTF-8) – hãy đổi tên tệp – tệp không được đưa vào hồ sơ")
    assert expected in err, err
    report = next((tmp_path / "ra").glob("u/2025/kiem-tra.txt")).read_text("utf-8")
    assert expected in report


# ---------------------------------------------------------------- 10. booleans are not numbers


@pytest.mark.parametrize("file, old, new, line, field, label", [
    ("chi-bo/a.yaml", "{chung: 25,", "{chung: true,", SCORE_LINE, "danh_gia.nam.tu_cham.chung", "điểm nhóm tiêu chí chung"),
    ("chi-bo/a.yaml", "ket_qua: 55}", "ket_qua: yes}", SCORE_LINE, "danh_gia.nam.tu_cham.ket_qua",
     "điểm nhóm kết quả thực hiện nhiệm vụ"),
    ("chi-bo/a.yaml", "ho_ten: Lê Văn Ân", "ho_ten: Lê Văn Ân\n    thu_tu: on", NAME_LINE + 1, "thu_tu",
     "thứ tự ưu tiên trong danh sách (số nhỏ đứng trước)"),
    ("don-vi.yaml", "nam: 2025", "nam: true", 8, "nam", "năm đánh giá"),
    ("ke-hoach.yaml", "so: 7", "so: true", 2, "so", "số văn bản (để trống để viết tay)"),
])
def test_a_boolean_is_never_a_number(tmp_path, file, old, new, line, field, label):
    base = {"chi-bo/a.yaml": CELL, "don-vi.yaml": UNIT, "ke-hoach.yaml": PLAN}[file]
    folder = write_unit(tmp_path / "u", {file: base.replace(old, new)})
    code, out = validate(folder)
    assert code == 1
    assert f"LỖI {file}:{line} {field}: {label} phải là một số, không phải giá trị có/không" in out, out


def _numeric_fields():
    import typing

    from pipeline import model

    seen, out = set(), []
    todo = [m for m, _ in model.SECTIONS.values()]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, fl in cls.model_fields.items():
            flat, stack = set(), [fl.annotation]
            while stack:
                a = stack.pop()
                if isinstance(a, type) and issubclass(a, model.Record):
                    todo.append(a)
                flat.add(a)
                stack += list(typing.get_args(a))
            if flat & {int, float}:
                origins = {typing.get_origin(x) for x in flat}
                out.append((cls, fl.alias or name, "list" if list in origins else "dict" if dict in origins else ""))
    return out


def test_every_numeric_field_refuses_booleans():
    from pydantic import ValidationError

    fields = _numeric_fields()
    assert len(fields) >= 19          # scores, percents, ballots, thu_tu, so, thang, nam, do_rong
    for cls, alias, shape in fields:     # a list of numbers, a mapping to numbers (tieu_chi: {mã: điểm}), a number
        with pytest.raises(ValidationError) as exc:
            cls.model_validate({alias: {"list": [True], "dict": {"ma": True}}.get(shape, True)})
        kinds = {e["type"] for e in exc.value.errors() if e["loc"][0] == alias}
        assert kinds == {"bool_not_number"}, (cls.__name__, alias, kinds)


# ---------------------------------------------------------------- 11. bidi and invisible characters


def test_bidi_override_is_an_error_and_zero_width_is_stripped(tmp_path):
    from pipeline.validate import load_unit

    cell = CELL.replace("Lê Văn Ân", "Lê \u202eVăn Ân").replace("Trần Thị Thu Hà", "Trần Thị\u200b Thu\ufeff Hà")
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": cell})
    code, out = validate(folder)
    assert code == 1
    assert (f"LỖI chi-bo/a.yaml:{NAME_LINE} dang_vien.ho_ten: «Lê ‹U+202E›Văn Ân» có ký tự điều khiển hướng chữ "
            "(U+202E) làm chữ in ra bị đảo ngược – hãy gõ lại") in out, out
    assert ("CẢNH BÁO chi-bo/a.yaml:16 dang_vien.ho_ten: đã xóa ký tự vô hình (U+200B, U+FEFF) trong "
            "«Trần Thị Thu Hà»") in out, out
    fixed = write_unit(tmp_path / "v", {"chi-bo/a.yaml": CELL.replace("Trần Thị Thu Hà", "Trần Thị\u2060 Thu Hà")})
    unit, problems = load_unit(fixed)
    assert unit.member("a-02").name == "Trần Thị Thu Hà"
    assert [p.is_error for p in problems if "vô hình" in p.message] == [False]


def test_bidi_in_excel_is_an_error_at_its_cell(tmp_path):
    from test_excel import HEADER, member, roster

    folder = write_unit(tmp_path / "u")
    roster(folder / "danh-sach.xlsx", HEADER, [member(1, **{"HỌ VÀ TÊN": "Nguyễn \u2067Văn\u2069 Thử"})])
    code, out = validate(folder)
    assert code == 1
    assert "LỖI danh-sach.xlsx Sheet1!D4 ho_ten: «Nguyễn ‹U+2067›Văn‹U+2069› Thử» có ký tự điều khiển hướng chữ" \
        in out, out


# ---------------------------------------------------------------- 12. characters the fonts cannot draw


def test_font_coverage_comes_from_the_font_files():
    from pipeline import fonts, forms

    cover = fonts.coverage(forms.profile())
    if cover is None:
        pytest.skip("fontconfig finds no font files here")
    assert {ord(c) for c in "Đảng bộ xã Lùng Phình ƯỚC – «»"} <= cover
    assert 0x6F22 not in cover and 0x1F980 not in cover


@pytest.mark.parametrize("text, char", [("Lê Văn 漢", "漢"), ("Lê Văn Ân 🦀", "🦀")])
def test_characters_the_fonts_cannot_draw_are_errors(tmp_path, text, char):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("Lê Văn Ân", text)})
    code, out = validate(folder)
    assert code == 1
    assert (f"LỖI chi-bo/a.yaml:{NAME_LINE} ho_ten: «{text}» có ký tự «{char}» (U+{ord(char):04X}) "
            "mà phông chữ của bản in không có (sẽ in ra ô trống) – hãy bỏ hoặc thay ký tự này") in out, out


def test_characters_the_fonts_cannot_draw_in_excel(tmp_path):
    from test_excel import HEADER, member, roster

    folder = write_unit(tmp_path / "u")
    roster(folder / "danh-sach.xlsx", HEADER, [member(1, **{"Chức vụ": "Đảng viên 漢"})])
    code, out = validate(folder)
    assert code == 1
    assert "LỖI danh-sach.xlsx Sheet1!H4 chuc_vu_dang: «Đảng viên 漢» có ký tự «漢» (U+6F22)" in out, out


# ---------------------------------------------------------------- 13. implausible dates


@pytest.mark.parametrize("value, year", [("01/01/0001", "1"), ("0001-01-01", "1"), ("31/12/1899", "1899"),
                                         ("01/01/2101", "2101")])
def test_dates_outside_1900_2100_are_errors(tmp_path, value, year):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("01/01/1985", value)})
    code, out = validate(folder)
    assert code == 1
    assert (f"LỖI chi-bo/a.yaml:{NAME_LINE + 1} ngay_sinh: ngày sinh: ngày «{value}» có năm {year} không hợp lý "
            "(chỉ nhận từ năm 1900 đến năm 2100)") in out, out


def test_excel_date_cell_outside_the_range(tmp_path):
    from test_excel import HEADER, member, roster

    folder = write_unit(tmp_path / "u")
    roster(folder / "danh-sach.xlsx", HEADER, [member(1, **{"Ngày, tháng, năm sinh": dt.datetime(1850, 3, 4)})])
    code, out = validate(folder)
    assert code == 1
    assert "LỖI danh-sach.xlsx Sheet1!C4 ngay_sinh: ngày sinh: ngày «04/03/1850» có năm 1850 không hợp lý" in out, out


# ---------------------------------------------------------------- 14. hidden sheets


def test_hidden_roster_sheet_is_read_with_a_warning(tmp_path):
    from openpyxl import load_workbook
    from test_excel import HEADER, member, roster

    from pipeline.validate import load_unit

    folder = write_unit(tmp_path / "u")
    path = roster(folder / "danh-sach.xlsx", HEADER, [member(1), member(2)])
    wb = load_workbook(path)
    hidden = wb.copy_worksheet(wb["Sheet1"])
    hidden.title = "Chi bộ B"
    for r, m in enumerate([member(3), member(4)], 4):
        for c, v in enumerate(m, 1):
            hidden.cell(r, c, v)
    hidden.sheet_state = "hidden"
    wb.save(path)
    unit, problems = load_unit(folder)
    assert {"x-01", "x-02", "x-03", "x-04"} <= {m.id for m in unit.members}
    shown = [str(p) for p in problems]
    assert "CẢNH BÁO danh-sach.xlsx 'Chi bộ B'!A1 trang «Chi bộ B» đang bị ẩn nhưng có danh sách; đã đọc cả " \
           "trang này (nếu không dùng, hãy xóa trang)" in shown, shown


def test_hidden_chi_bo_list_is_skipped_with_a_warning(tmp_path):
    from openpyxl import load_workbook
    from test_excel import HEADER, member, roster

    from pipeline.validate import load_unit

    folder = write_unit(tmp_path / "u")
    path = roster(folder / "danh-sach.xlsx", HEADER, [member(1)])
    wb = load_workbook(path)
    lists = wb.create_sheet("DM")
    for row in (["Tên chi bộ", "Mã chi bộ"], ["Chi bộ thôn A", "cb-a"], ["Chi bộ thôn B", "cb-b"]):
        lists.append(row)
    lists.sheet_state = "hidden"
    wb.save(path)
    unit, problems = load_unit(folder)
    assert [c.id for c in unit.cells] == ["cb-a"]
    assert "CẢNH BÁO danh-sach.xlsx DM!A1 trang «DM» đang bị ẩn và trông như danh mục chi bộ cho ô chọn; không " \
           "đọc trang này (nếu là dữ liệu, hãy bỏ ẩn trang)" in [str(p) for p in problems]
