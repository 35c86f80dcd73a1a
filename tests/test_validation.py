"""Every bad input gets a Vietnamese message at the right file and line, and exit code 1."""
from __future__ import annotations

import pytest

from conftest import CELL, COLLECTIVES, UNIT, run_cli, write_unit
from pipeline.validate import load_unit

CASES = {
    # name: (files to replace, expected file, expected line, words the message must contain)
    "malformed-yaml": ({"tap-the.yaml": "tap_the:\n  - id: btv\n    ten: [Ban Thường vụ\n"},
                       "tap-the.yaml", 4, ["YAML sai cú pháp"]),
    "tab-indent": ({"tap-the.yaml": "tap_the:\n\t- id: btv\n"}, "tap-the.yaml", 2, ["Tab"]),
    "malformed-json": ({"tap-the.yaml": None, "tap-the.json": '{"tap_the": [\n  {"id": "btv",\n   "ten": "X"\n  }\n  {"id": "b"}]}'},
                       "tap-the.json", 5, ["JSON sai cú pháp", "thiếu dấu phẩy"]),
    "empty-file": ({"tap-the.yaml": ""}, "tap-the.yaml", 1, ["tệp rỗng"]),
    "only-comments": ({"tap-the.yaml": "# chưa có gì\n"}, "tap-the.yaml", 1, ["tệp rỗng"]),
    "missing-name": ({"chi-bo/a.yaml": CELL.replace("    ho_ten: Trần Thị Thu Hà\n", "")},
                     "chi-bo/a.yaml", 15, ["thiếu họ tên", "đảng viên thứ 2"]),
    "wrong-type": ({"don-vi.yaml": UNIT.replace("nam: 2025", "nam: hai nghìn")},
                   "don-vi.yaml", 8, ["năm đánh giá", "phải là một số", "hai nghìn"]),
    "score-130": ({"chi-bo/a.yaml": CELL.replace("tu_cham: {chung: 25, ket_qua: 55}", "tu_cham: {tong: 130}")},
                  "chi-bo/a.yaml", 21, ["130", "vượt quá", "Trần Thị Thu Hà"]),
    "general-31": ({"chi-bo/a.yaml": CELL.replace("chung: 27", "chung: 31")},
                   "chi-bo/a.yaml", 14, ["nhóm tiêu chí chung", "31", "tối đa 30", "Giàng Seo Páo"]),
    "bad-date": ({"chi-bo/a.yaml": CELL.replace("14/11/1990", "31/02/2025")},
                 "chi-bo/a.yaml", 17, ["31/02/2025", "không có thật"]),
    "not-a-date": ({"chi-bo/a.yaml": CELL.replace("14/11/1990", "mùa xuân")},
                   "chi-bo/a.yaml", 17, ["mùa xuân", "ngày/tháng/năm"]),
    "duplicate-id": ({"chi-bo/a.yaml": CELL.replace("id: a-03", "id: a-02")},
                     "chi-bo/a.yaml", 22, ["a-02", "bị trùng", "chi-bo/a.yaml:15"]),
    "unknown-cell": ({"chi-bo/b.yaml": "dang_vien:\n  - id: b-01\n    ho_ten: Vũ Văn Lợi\n    ngay_vao_dang: 01/01/2010\n    chi_bo: cb-b\n"},
                     "chi-bo/b.yaml", 5, ["không có chi bộ nào mã «cb-b»"]),
    "unknown-member": ({"tap-the.yaml": COLLECTIVES.replace("[a-01, a-02]", "[a-01, a-09]")},
                       "tap-the.yaml", 6, ["không có đảng viên nào mã «a-09»"]),
    "unknown-regime": ({"don-vi.yaml": UNIT.replace("qd366-2025", "qd366-2052")},
                       "don-vi.yaml", 7, ["qd366-2052", "có phải ý là «qd366-2025»"]),
    "head-not-member": ({"tap-the.yaml": COLLECTIVES.replace("[a-01, a-02]", "[a-02, a-03]")},
                        "tap-the.yaml", 5, ["Giàng Seo Páo", "không có trong danh sách thành viên"]),
    "python-tag": ({"tap-the.yaml": "tap_the: !!python/object/apply:os.system ['echo hi']\n"},
                   "tap-the.yaml", 1, ["thẻ YAML", "không được phép"]),
    "duplicate-key": ({"don-vi.yaml": UNIT + "  nam: 2024\n"}, "don-vi.yaml", 10, ["«nam»", "lặp lại"]),
    "not-utf8": ({"tap-the.yaml": "tap_the:\n  - id: btv\n    ten: Ban Th\xb0\xeang v\xf9\n".encode("latin-1")},
                 "tap-the.yaml", 3, ["UTF-8"]),
    "unknown-key": ({"chi-bo/a.yaml": CELL.replace("    ngay_sinh: 14/11/1990", "    ngay_sinhh: 14/11/1990")},
                    "chi-bo/a.yaml", 17, ["ngay_sinhh", "có phải ý là «ngay_sinh»"]),
    "unknown-section": ({"tap-the.yaml": COLLECTIVES.replace("tap_the:", "tapthe:")},
                        "tap-the.yaml", 1, ["tapthe", "tap_the"]),
    "bad-level": ({"chi-bo/a.yaml": CELL.replace("tu_cham: {chung: 25, ket_qua: 55}", "tu_xep_loai: Tốt lắm")},
                  "chi-bo/a.yaml", 21, ["Tốt lắm", "không phải mức xếp loại"]),
    "bad-role": ({"chi-bo/a.yaml": CELL.replace("vai_tro: lanh-dao", "vai_tro: sep")},
                 "chi-bo/a.yaml", 10, ["«sep»", "lanh-dao"]),
    "joined-before-born": ({"chi-bo/a.yaml": CELL.replace("19/05/2015", "19/05/1980")},
                           "chi-bo/a.yaml", 18, ["phải sau ngày sinh"]),
    "no-unit": ({"don-vi.yaml": None}, "", 0, ["không có thông tin đơn vị"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_reported_at_its_line(tmp_path, name):
    files, file, line, words = CASES[name]
    folder = write_unit(tmp_path / "u", files)
    _, problems = load_unit(folder)
    errors = [p for p in problems if p.is_error]
    assert errors, f"{name}: no error reported"
    hits = [p for p in errors if all(w in str(p) for w in words)]
    assert hits, f"{name}: no error with {words}: {[str(p) for p in errors]}"
    if file:
        assert (hits[0].where.file, hits[0].where.line) == (file, line), str(hits[0])


@pytest.mark.parametrize("name", ["malformed-yaml", "score-130", "python-tag", "empty-file", "not-utf8"])
def test_cli_exits_1_without_traceback(tmp_path, name):
    files = CASES[name][0]
    folder = write_unit(tmp_path / "u", files)
    for verb in ("validate", "dossier"):
        code, out, err = run_cli(verb, str(folder), *(["--output", str(tmp_path / "out")] if verb == "dossier" else []))
        assert code == 1
        assert "Traceback" not in out + err
        assert "LỖI" in out + err


def test_valid_unit_passes(unit_dir):
    unit, problems = load_unit(unit_dir)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems]
    assert [m.name for m in unit.members] == ["Giàng Seo Páo", "Trần Thị Thu Hà", "Lê Văn Ân"]
    assert unit.members[1].cell == "cb-a"  # members in a chi bộ's own file belong to it


def test_problem_line_format(tmp_path):
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("    ho_ten: Trần Thị Thu Hà\n", "")})
    _, problems = load_unit(folder)
    text = [str(p) for p in problems if p.is_error][0]
    assert text.startswith("LỖI chi-bo/a.yaml:15 ho_ten: thiếu họ tên")


def test_nfd_input_becomes_nfc(tmp_path):
    import unicodedata
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    folder = write_unit(tmp_path / "u", {"chi-bo/a.yaml": CELL.replace("Trần Thị Thu Hà", nfd)})
    unit, _ = load_unit(folder)
    assert unit.members[1].name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", unit.members[1].name)


def test_sample_unit_is_valid_and_realistic():
    from conftest import SAMPLE
    unit, problems = load_unit(SAMPLE)
    assert not [p for p in problems if p.is_error], [str(p) for p in problems if p.is_error]
    assert len(unit.cells) >= 10 and len(unit.members) >= 150
    statuses = {m.status for m in unit.members}
    assert {"mien-sinh-hoat", "dinh-chi"} <= statuses
    assert sum(bool(m.discipline) for m in unit.members) >= 2
    assert any(m.joined.year == 2025 and m.joined.month >= 6 for m in unit.members)
    letters = set("".join(m.name for m in unit.members))
    for ch in "ăâđêôơưàảãáạ":
        assert ch in letters.union({c.lower() for c in letters}), ch
