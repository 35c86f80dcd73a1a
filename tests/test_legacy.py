"""Legacy Vietnamese encodings: TCVN3 (ABC) and VNI-Windows read through cp1252 → Unicode NFC."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.intake import legacy
from pipeline.intake.legacy import Repaired, repair

NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731
NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

# ---------------------------------------------------------------- real byte sequences

# TCVN3 bytes as produced by glibc's TCVN5712-1 converter (`iconv -t TCVN5712-1`), an
# implementation independent of legacy.py's table.
TCVN3_SAMPLES = [
    (b"Nguy\xd4n V\xa8n H\xefng", "Nguyễn Văn Hùng"),
    (b"\xa7\xb6ng \xf1y x\xb7 L\xefng Ph\xd7nh", "Đảng ủy xã Lùng Phình"),
    (b"Tr\xc7n Th\xde Thu H\xb5", "Trần Thị Thu Hà"),
    (b"Ph\xb9m \xa7\xf8c Anh", "Phạm Đức Anh"),
    (b"Gi\xb5ng Seo P\xb8o", "Giàng Seo Páo"),
    (b"L\xaa Th\xde H\xad\xacng", "Lê Thị Hương"),            # 0xAD = ư (soft hyphen in cp1252)
    (b"Tr\xad\xeang S\xacn", "Trường Sơn"),
    (b"\xa7\xe5ng ch\xdd Nguy\xd4n Th\xde Th\xb6o", "Đồng chí Nguyễn Thị Thảo"),
    (b"B\xefi Qu\xe8c Vi\xd6t", "Bùi Quốc Việt"),
    (b"Chi b\xe9 th\xabn N\xcbm Ng\xc6t", "Chi bộ thôn Nậm Ngặt"),
]

# VNI-Windows bytes, hand-encoded from lamdao/xvnkb vni.h (base letter + mark byte).
VNI_SAMPLES = [
    (b"Nguye\xe3n Va\xean Hu\xf8ng", "Nguyễn Văn Hùng"),
    (b"\xd1a\xfbng u\xfby xa\xf5 Lu\xf8ng Ph\xecnh", "Đảng ủy xã Lùng Phình"),
    (b"Tra\xe0n Th\xf2 Thu Ha\xf8", "Trần Thị Thu Hà"),
    (b"Pha\xefm \xd1\xf6\xf9c Anh", "Phạm Đức Anh"),
    (b"Gia\xf8ng Seo Pa\xf9o", "Giàng Seo Páo"),
    (b"Le\xe2 Th\xf2 H\xf6\xf4ng", "Lê Thị Hương"),
    (b"Tr\xf6\xf4\xf8ng S\xf4n", "Trường Sơn"),
    (b"Bu\xf8i Quo\xe1c Vie\xe4t", "Bùi Quốc Việt"),
    (b"\xd1A\xdbNG U\xdbY XA\xd5 LU\xd8NG PH\xccNH", "ĐẢNG ỦY XÃ LÙNG PHÌNH"),   # capital marks
    (b"A\xd9nh Hoa\xf8ng", "Ánh Hoàng"),          # VNI, unlike TCVN3, has toned capitals
]


@pytest.mark.parametrize("raw, expected", TCVN3_SAMPLES)
def test_tcvn3_real_bytes(raw, expected):
    assert repair(raw.decode("cp1252")) == Repaired(expected, "TCVN3")


@pytest.mark.parametrize("raw, expected", VNI_SAMPLES)
def test_vni_real_bytes(raw, expected):
    assert repair(raw.decode("cp1252")) == Repaired(expected, "VNI")


def test_examples_from_the_brief():
    assert repair("NguyÔn V¨n Hïng") == Repaired("Nguyễn Văn Hùng", "TCVN3")
    assert repair("Nguyeãn Vaên Huøng") == Repaired("Nguyễn Văn Hùng", "VNI")


def test_latin1_decoded_legacy_text():
    # cp1252 curly quotes become C1 controls when the bytes were read as latin-1.
    raw = b"\x93Nguy\xd4n V\xa8n H\xefng\x94"
    assert repair(raw.decode("latin-1")) == Repaired("“Nguyễn Văn Hùng”", "TCVN3")
    assert repair(raw.decode("cp1252")) == Repaired("“Nguyễn Văn Hùng”", "TCVN3")
    raw = b"\x93Nguye\xe3n Va\xean Hu\xf8ng\x94 \x96 B\xed th\xf6"
    assert repair(raw.decode("latin-1")) == Repaired("“Nguyễn Văn Hùng” – Bí thư", "VNI")


def test_tcvn3_h_font_capitals():
    # .VnTimeH shows lower-case codes as capitals; a word typed in capitals is upper-cased.
    assert repair("NGUYÔN V¨N HïNG").text == "NGUYỄN VĂN HÙNG"
    assert repair("§¶NG ñY X· LïNG PH×NH").text == "ĐẢNG ỦY XÃ LÙNG PHÌNH"
    assert repair("Hµ NéI").text == "HÀ NỘI"
    # … but an ordinary mixed-case string keeps its case.
    assert repair("Sè 12-KH/§U").text == "Số 12-KH/ĐU"
    assert repair("UBND x· Lïng Ph×nh").text == "UBND xã Lùng Phình"
    # No H-font clue: a toned capital comes out lower case (documented limitation).
    assert repair("¸nh Hoµng").text == "ánh Hoàng"


# ---------------------------------------------------------------- tables

def _letters():
    out = []
    for base in "aăâeêioôơuưy":
        for mark in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"):
            c = NFC(base + mark)
            if not c.isascii():
                out.append(c)
    return out + ["đ"]


LOWER = _letters()
UPPER = [c.upper() for c in LOWER]


def test_letter_inventory():
    assert len(LOWER) == 67 and len(set(LOWER + UPPER)) == 134


def test_vni_table_covers_all_134_letters():
    assert set(legacy._VNI) == set(LOWER + UPPER)
    # single-byte letters checked against the real table, not guessed
    assert {u: legacy._VNI[u] for u in "ơưđĐỉĩịỵ"} == {
        "ơ": "ô", "ư": "ö", "đ": "ñ", "Đ": "Ñ", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}
    for u, v in legacy._VNI.items():
        assert legacy._vni(v, score=False) == u


def test_tcvn3_table_has_lowercase_and_seven_capitals():
    assert set(legacy._TCVN3) == set(LOWER) | set("ĂÂÊÔƠƯĐ")
    assert len(set(legacy._TCVN3.values())) == 74
    assert all(len(v) == 1 and 0xA1 <= v.encode("cp1252")[0] for v in legacy._TCVN3.values())
    for u, v in legacy._TCVN3.items():
        assert v.translate(legacy._FROM_TCVN3) == u


# ---------------------------------------------------------------- ordinary text stays

ORDINARY = [
    "", "Nguyen Van A", "Café", "São Paulo", "naïve", "50%", "C++", "Ngày 07/11/2025",
    "Số 12-KH/ĐU", "“trích dẫn”", "–", "Nguyễn Văn Hùng", "Đảng ủy xã Lùng Phình",
    "Trần Thị Thu Hà", "Hòa Bình", "Bình", "Thị", "Lò", "Ngày", "Tín", "Chi bộ thôn Nậm Ngặt",
    "Đắk Lắk", "Krông Búk", "Ủy ban Kiểm tra", "email: a.b@example.com", "1.234.567 đồng",
    "Müller", "François", "Straße", "Ångström", "Zoë", "Noël", "Björk", "Søren", "Œuvre",
    "20°C", "Microsoft®", "«Nghị quyết»", "O’Brien", "Nam–Bắc", "¡Hola!", "x² + y²",
    "Tab\tand\nnewline", "Windows\r\nline", "€ 100", "…", "ü", "ñ", "ß",
    "Bí thư Chi bộ; Trưởng thôn", "Điều 5 § 2", "Thửa đất số 12, tờ bản đồ 7",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_unchanged(text):
    assert repair(text) == Repaired(text)


@pytest.mark.parametrize("text", ["Nguyễn Văn Hùng", "Đảng ủy xã Lùng Phình", "Hòa Bình", "Ngày"])
def test_nfd_vietnamese_not_flagged(text):
    r = repair(NFD(text))
    assert r.encoding is None and not r.suspicious and NFC(r.text) == text


# ---------------------------------------------------------------- garbage

GARBAGE = [
    "Nguy\x01n",                    # control character
    "abc\x7f",
    "Nguy\ufffdn Văn Hùng",         # replacement character: data already lost
    "Nguyá»…n VÄƒn HÃ¹ng",          # UTF-8 read as cp1252: neither Unicode nor TCVN3/VNI
    "Nguyễn V¨n Hïng",              # half Unicode, half TCVN3
    "NguyÔn Müller",                # one word converts, the other does not
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_is_suspicious(text):
    assert repair(text) == Repaired(text, suspicious=True)


def test_control_character_blocks_conversion():
    assert repair("NguyÔn\x02 V¨n Hïng") == Repaired("NguyÔn\x02 V¨n Hïng", suspicious=True)


# ---------------------------------------------------------------- syllables

@pytest.mark.parametrize("word", [
    "Nguyễn", "người", "khuya", "khuỷu", "hoặc", "giữa", "quyết", "Việt", "Đắk", "Krông", "oanh",
    "Ánh", "Ước", "Ỷ", "gì", "quý", "Quỳnh", "Páo", "Chớ", "Phình"])
def test_syllable_ok(word):
    assert legacy._syllable_ok(word)


@pytest.mark.parametrize("word", [
    "Café", "naïve", "Müller", "Nguyẽnn", "càt", "hõp", "tiê", "áà", "NguyÔn", "Hïng",
    "Vaên", "Huøng", "strong", "hoaỉ", "đy", "qúy"])
def test_syllable_bad(word):
    assert not legacy._syllable_ok(word)


# ---------------------------------------------------------------- round trips

SYLLABLES = """Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh
Lương Mai Trương Lò Giàng Sùng Vàng Hà Quàng Lầu Thào Mùa Văn Thị Hữu Đức Minh Quốc Thanh Ngọc
Xuân Thu Hồng Kim Bảo Gia Seo Mí Hùng Anh Ánh Ấn Ân Ổn Ước Ưng Ý Yến Hương Thảo Dũng Tuấn Khoa
Huệ Tuyết Quyên Khuê Nguyệt Phượng Thuý Thủy Hòa Hoà Khánh Quỳnh Chớ Páo Súa Dế Chứ Pủa Mỷ Sính
Lềnh Xuyến Oanh Uyên Lực Nghĩa Nhường Giang Khuyến Thoại Hoạt Quế Toản Loan Ngoan Duyệt Thuyết
Huân Tuân Quân Luật Nhật Ngữ Khương Nghiêm Giáp Điệp Phúc Lộc Thọ Đạt Đảng ủy xã Lùng Phình Chi
bộ thôn Nậm Ngặt Ban Thường vụ Huyện Kiểm tra Tổ chức Tuyên giáo Dân vận Mặt trận Hội Cựu chiến
binh Phụ nữ Đoàn niên Cộng sản Chí khuya khuỷu người hoặc giữa quyết Đắk Lắk Krông Búk Pắc Ơn Ớt
Ỷ Ẩn Ắt Ếch Ọc Ốc Ổi Ở Ủ Ứ Ừ Ự Ĩnh Ũng""".split()

names = st.lists(st.sampled_from(SYLLABLES), min_size=1, max_size=6).map(" ".join)


def to_tcvn3(text: str) -> tuple[str, str]:
    """(legacy string, what repair can give back): TCVN3 has no toned capitals, so they fall
    to the lower-case code – and come back lower case."""
    legacy_text, expected = [], []
    for c in text:
        if c in legacy._TCVN3:
            legacy_text.append(legacy._TCVN3[c]); expected.append(c)
        elif c.lower() in legacy._TCVN3:
            legacy_text.append(legacy._TCVN3[c.lower()]); expected.append(c.lower())
        else:
            legacy_text.append(c); expected.append(c)
    return "".join(legacy_text), "".join(expected)


def to_vni(text: str) -> str:
    return "".join(legacy._VNI.get(c, c) for c in text)


def _left_alone_for_a_reason(raw: str) -> bool:
    """When repair does not convert a legacy string, it must be for a documented reason:
    the legacy form is itself well-formed Unicode Vietnamese ("Thò" is VNI for "Thị"), only
    one-letter words would be valid, or TCVN3 and VNI readings are equally good ("Tæ": TCVN3
    "Tổ", VNI "Tỉ")."""
    if legacy._score(raw)[1] == 0:
        return True
    tcvn3 = legacy._score(raw.translate(legacy._SCORE_TCVN3))
    vni = legacy._score(legacy._vni(raw, score=True))
    best = min(tcvn3, vni, key=lambda c: (c[1], -c[0]))
    return tcvn3 == vni or best[0] == 0


@settings(max_examples=500, deadline=None)
@given(names)
def test_round_trip_tcvn3(name):
    raw, expected = to_tcvn3(name)
    assert raw.encode("cp1252")            # real single-byte text
    r = repair(raw)
    if r.encoding is None:
        assert r.text == raw and _left_alone_for_a_reason(raw)
    else:
        assert r == Repaired(expected, "TCVN3")
        assert r.text == NFC(r.text)


@settings(max_examples=500, deadline=None)
@given(names)
def test_round_trip_vni(name):
    raw = to_vni(name)
    assert raw.encode("cp1252")
    r = repair(raw)
    if r.encoding is None:
        assert r.text == raw and _left_alone_for_a_reason(raw)
    else:
        assert r == Repaired(name, "VNI")
        assert r.text == NFC(r.text)


def _h_font_clue(name: str) -> bool:
    """A capitalised word with a TCVN3 letter and another capital after its first letter."""
    return any(any(c not in legacy._TCVN3 and c.lower() in legacy._TCVN3 for c in w)
               and any(c.isascii() for c in w[1:]) for w in name.split())


@settings(max_examples=300, deadline=None)
@given(names)
def test_round_trip_capitals(name):
    name = name.upper()
    raw, lowered = to_tcvn3(name)
    r = repair(raw)
    if r.encoding:
        assert r.encoding == "TCVN3"
        # the H-font heuristic restores capitals when some word shows them; else lower case
        assert r.text == (name if _h_font_clue(name) else lowered)
    else:
        assert _left_alone_for_a_reason(raw)
    raw = to_vni(name)
    r = repair(raw)
    if r.encoding is None:
        assert _left_alone_for_a_reason(raw)
    else:
        assert r == Repaired(name, "VNI")  # VNI has real capitals


@settings(max_examples=300, deadline=None)
@given(names)
def test_unicode_names_left_alone(name):
    assert repair(name) == Repaired(name)
    assert repair(NFD(name)) == Repaired(NFD(name))


def test_round_trips_mostly_convert():
    """The "reads as Unicode already" escape hatch above must stay rare for real names."""
    full = [f"{a} {b} {c}" for a, b, c in zip(SYLLABLES, SYLLABLES[7:], SYLLABLES[19:])]
    converted = sum(repair(to_tcvn3(n)[0]).encoding == "TCVN3" for n in full)
    assert converted >= 0.95 * len(full)
    converted = sum(repair(to_vni(n)).encoding == "VNI" for n in full)
    assert converted >= 0.9 * len(full)


def test_long_tcvn3_text_with_english_and_a_typo():
    raw = ("§ång chÝ NguyÔn V¨n Hïng, BÝ th\xad Chi bé, hoµn thµnh tèt nhiÖm vô; "
           "cã chøng chØ tiÕng Anh B1 (IELTS 6.0), tham gia khãa häc online trªn Zoom. Gi÷a nn¨m")
    r = repair(raw)
    assert r.encoding == "TCVN3"
    assert r.text.startswith("Đồng chí Nguyễn Văn Hùng, Bí thư Chi bộ, hoàn thành tốt nhiệm vụ; "
                             "có chứng chỉ tiếng Anh B1 (IELTS 6.0), tham gia khóa học online trên Zoom.")


cp1252_text = st.text(alphabet=st.sampled_from(
    [chr(i) for i in range(0x20, 0x7f)] + list(legacy._CP1252)), max_size=40)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), cp1252_text))
def test_any_text_is_handled(text):
    r = repair(text)
    assert isinstance(r.text, str)
    if r.encoding is None:
        assert r.text == text
    else:
        assert r.encoding in ("TCVN3", "VNI") and not r.suspicious and r.text == NFC(r.text)
    if text.isascii() and text.isprintable():
        assert r == Repaired(text)


def test_one_letter_words_are_no_evidence():
    assert repair("Einsilbler mit au/äu/ck/sst/ß/ä/ö/ü") == Repaired("Einsilbler mit au/äu/ck/sst/ß/ä/ö/ü")
    assert repair("Sinh ra ë Hµ Néi").text == "Sinh ra ở Hà Nội"     # … but are converted along
