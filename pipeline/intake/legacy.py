"""Legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows) → Unicode.

Old spreadsheets typed in .VnTime (TCVN3) or VNI-Times (VNI-Windows) reach us as the bytes
read through Windows-1252, e.g. "NguyÔn V¨n Hïng" (TCVN3) or "Nguyeãn Vaên Huøng" (VNI) for
"Nguyễn Văn Hùng". `repair` decides, per string, whether it is such text and converts it.

Text read as latin-1 instead is accepted too (its C1 controls are taken as the cp1252 bytes).

Decision (conservative – a wrong conversion is worse than a missed one):
  * A string with any character outside Windows-1252 cannot be legacy text: it is left alone
    (pure ASCII and most Vietnamese Unicode leave here, for about a microsecond).
  * Otherwise each reading – as is, as TCVN3, as VNI – is scored by splitting it into words
    and checking each word that has a non-ASCII letter against Vietnamese syllable structure
    (initial + vowel nucleus + final, one tone mark at most and on a vowel that can carry it,
    no grave/hook/tilde before -c/-ch/-p/-t), and by counting symbols glued to letters
    ("V¨n") – or letters the encoding never produces – as junk.
  * The string as is wins when it has no invalid word and no junk.  A legacy reading is taken
    only when it is clearly better: ≥ 80 % of its words valid (one-letter words don't count
    as evidence), fewer bad words than the original, and not tied with the other reading.
  * `suspicious` only for clear garbage: control characters, U+FFFD, private-use characters,
    symbols glued to words, or text that converts in part but not enough (or ambiguously:
    "Tæ" is TCVN3 "Tổ" and VNI "Tỉ") – the user is asked to retype it.
  * A legacy string that already reads as valid Unicode Vietnamese ("Thò" is VNI for "Thị")
    is left alone: per string there is no telling.

TCVN3 (VN3, the .VnTime fonts) has no upper-case toned letters: those live at the lower-case
codes in the ".VnTimeH" fonts, so bytes alone cannot tell them apart.  We map to lower case;
only when a word is plainly written in capitals ("NGUYÔN" → "NGUYỄN") do we upper-case it.

Tables: TCVN3 from TCVN 5712:1993 as implemented by glibc's TCVN5712-1 converter, VN3 subset
only (lower-case letters plus Ă Â Ê Ô Ơ Ư Đ; VN1's extra capitals at À Á Â Ã … would clash with
Latin text), cross-checked with duydev/vietnamese-conversion src/charsets.ts and lamdao/xvnkb
tcvn.h.  VNI-Windows from lamdao/xvnkb vni.h, cross-checked with the same charsets.ts.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Repaired:
    text: str
    encoding: str | None = None     # "TCVN3" / "VNI" when converted
    suspicious: bool = False        # neither Unicode Vietnamese nor a known legacy encoding


# ---------------------------------------------------------------- tables

# Unicode letters in tone order (none/grave/hook/tilde/acute/dot), zipped with their encodings.
_TCVN3 = dict(zip(
    "ăâêôơưđ" "àảãáạ" "ằẳẵắặ" "ầẩẫấậ" "èẻẽéẹ" "ềểễếệ" "ìỉĩíị" "òỏõóọ" "ồổỗốộ" "ờởỡớợ"
    "ùủũúụ" "ừửữứự" "ỳỷỹýỵ" "ĂÂÊÔƠƯĐ",
    bytes.fromhex(
        "a8a9aaabacadae" "b5b6b7b8b9" "bbbcbdbec6" "c7c8c9cacb" "cccecfd0d1" "d2d3d4d5d6"
        "d7d8dcddde" "dfe1e2e3e4" "e5e6e7e8e9" "eaebecedee" "eff1f2f3f4" "f5f6f7f8f9"
        "fafbfcfdfe" "a1a2a3a4a5a6a7").decode("cp1252"),
))
_TCVN3_DECODE = {v: k for k, v in _TCVN3.items()}
_FROM_TCVN3 = str.maketrans(_TCVN3_DECODE)

# VNI-Windows: a toned letter is base letter + mark byte; ơ ư đ and the toned i / ỵ are single
# bytes.  Upper case uses the upper-case mark bytes (Latin-1 .upper() of the lower-case ones).
_VNI_LOWER = dict(zip(
    "áàảãạ âấầẩẫậ ăắằẳẵặ éèẻẽẹ êếềểễệ óòỏõọ ôốồổỗộ ơớờởỡợ úùủũụ ưứừửữự íìỉĩị ýỳỷỹỵ đ".split(),
    "aù,aø,aû,aõ,aï aâ,aá,aà,aå,aã,aä aê,aé,aè,aú,aü,aë eù,eø,eû,eõ,eï eâ,eá,eà,eå,eã,eä "
    "où,oø,oû,oõ,oï oâ,oá,oà,oå,oã,oä ô,ôù,ôø,ôû,ôõ,ôï uù,uø,uû,uõ,uï ö,öù,öø,öû,öõ,öï "
    "í,ì,æ,ó,ò yù,yø,yû,yõ,î ñ".split(),
))
_VNI = {}
for _group, _codes in _VNI_LOWER.items():
    for _u, _v in zip(_group, _codes.split(",")):
        _VNI[_u] = _v
        _VNI[_u.upper()] = _v.upper()
del _group, _codes, _u, _v
_FROM_VNI = {v: k for k, v in _VNI.items() if v != k}
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _FROM_VNI), key=len, reverse=True)))

_CP1252 = bytes(range(0x80, 0x100)).decode("cp1252", errors="ignore")   # 123 chars; 5 bytes undefined
_CP1252_LETTERS = [c for c in _CP1252 if c.isalpha()]
# latin-1 decoding leaves C1 controls where cp1252 has punctuation; read them as cp1252.
_C1_TO_CP1252 = {ord(c.encode("cp1252").decode("latin-1")): c for c in _CP1252[:27]}

# Scoring tables: a letter the encoding never produces is prefixed with _MARK, which the junk
# check then sees as a symbol glued to a word ("Ngày" read as TCVN3 → "Ng?ày": VN3 has no à).
_MARK = "\ue000"
_SCORE_TCVN3 = str.maketrans({**{c: _MARK + c for c in _CP1252_LETTERS}, **_TCVN3_DECODE})
_VNI_BYTES = set("".join(_VNI.values()))
_VNI_MARKS = set("ùøûõïâáàåãäêéèúüëÙØÛÕÏÂÁÀÅÃÄÊÉÈÚÜË")      # meaningful only after a base letter
_SCORE_VNI = {**{c: _MARK + c for c in _CP1252_LETTERS if c not in _VNI_BYTES or c in _VNI_MARKS},
              **_FROM_VNI}
_SCORE_VNI_RE = re.compile(_VNI_RE.pattern + "|[" + re.escape(
    "".join(c for c in _SCORE_VNI if c not in _FROM_VNI)) + "]")

# ---------------------------------------------------------------- character classes

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_NOT_CP1252 = re.compile("[^\x00-\xff" + re.escape(_CP1252[:27]) + "]")
_WORD = re.compile(r"[^\W\d_]+")
_CAP_INSIDE = re.compile(r"(?<=[^\W\d_])[A-Z]")
_L = r"[^\W\d_]"
# Non-letter, non-space characters that can occur in cp1252 text, plus the scoring mark.
_SYM = "".join(c for c in _CP1252 if not c.isalpha() and not c.isspace()) + _MARK


class _Glued:
    """Symbols stuck to letters: inside a word, before one, or after one (minus ordinary
    punctuation).  A plain character-class scan first keeps the common case cheap."""

    def __init__(self, sym: str, inner_ok: str, open_ok: str, close_ok: str):
        cls = lambda s: "[" + re.escape(s) + "]"  # noqa: E731
        without = lambda ok: cls("".join(c for c in sym if c not in ok))  # noqa: E731
        self._any = re.compile(cls(sym))
        self._re = re.compile(f"(?<={_L}){without(inner_ok)}(?={_L})"
                              f"|(?<!{_L}){without(open_ok)}(?={_L})"
                              f"|(?<={_L}){without(close_ok)}(?!{_L})")

    def count(self, text: str) -> int:
        return len(self._re.findall(text)) if self._any.search(text) else 0


# ’ – — are ordinary between letters; quotes/guillemets/¡¿ open words, closing quotes, ® ° ² … close them.
_JUNK = _Glued(_SYM, "’–—", "«¡¿“‘„‚‹–—•…°", "»”’›…®©™°²³¹–—•‰€£¢¥")
# For genuine-Unicode strings only TCVN3's symbol-looking letters count ("Nguyễn V¨n"); the soft
# hyphen (TCVN3 ư) is left out because real Unicode text uses it for hyphenation.
_JUNK_UNICODE = _Glued("¡¢£¤¥¦§¨©«¬®¶·¸¹»¼½¾×÷", "", "«¡¿", "»®©¹")

# ---------------------------------------------------------------- syllables

_TONE_MARKS = "\u0300\u0309\u0303\u0301\u0323"   # grave, hook, tilde, acute, dot below
_BASE: dict[str, tuple[str, int]] = {}
for _c in "aăâeêioôơuưy":
    for _t, _m in enumerate(("",) + tuple(_TONE_MARKS)):
        _BASE[unicodedata.normalize("NFC", _c + _m)] = (_c, _t)
del _c, _t, _m

# Vowel nuclei by whether a final consonant may/must follow, each with the positions (within
# the nucleus) where the tone mark may sit – both the old "hòa/thúy" and new "hoà/thuý" styles.
_OPEN = {**dict.fromkeys("ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu y".split(), "0"),
         **dict.fromkeys("uơ oai oao oay oeo uây uôi ươi ươu iêu yêu uya uyu".split(), "1")}
_EITHER = {**dict.fromkeys("aeêioôơuư", "0"), **dict.fromkeys("oa oe uy uê".split(), "01")}
_CLOSED = {**dict.fromkeys("iê yê uô ươ oă uâ".split(), "1"), "uyê": "2", "ă": "0", "â": "0"}
_FINALS = "ch|c|m|ng|nh|n|p|t|k"
_alt = lambda d: "|".join(sorted(d, key=len, reverse=True))  # noqa: E731
_Y_AFTER = {"", "h", "k", "l", "m", "n", "s", "t", "v", "th", "qu"}   # "lý", "kỳ", "Vy" – not "đy"
_SYLLABLE = re.compile(
    "(ngh|ng|nh|ch|gh|gi|kh|ph|qu|q(?=u)|th|tr|kr|dr|bl|br|pl|[bcdđghklmnprstvxfjwz]|)"
    f"(?:({_alt(_OPEN)})|({_alt(_EITHER)})({_FINALS})?|({_alt(_CLOSED)})({_FINALS}))")
_STOPS = {"c", "ch", "p", "t", "k"}


@functools.lru_cache(maxsize=16384)
def _syllable_ok(word: str) -> bool:
    """Is `word` (letters only) a well-formed Vietnamese syllable?"""
    base, tone, at = [], 0, -1
    for ch in word.lower():
        b = _BASE.get(ch)
        if b is None:
            if ch not in "bcdđfghjklmnpqrstvwxz":
                return False
            base.append(ch)
        else:
            if b[1]:
                if tone:
                    return False          # two tone marks
                tone, at = b[1], len(base)
            base.append(b[0])
    m = _SYLLABLE.fullmatch("".join(base))
    if not m:
        return False
    if m.group(2):
        g, places = 2, _OPEN[m.group(2)]
        if m.group(2) == "y" and m.group(1) not in _Y_AFTER:
            return False
    elif m.group(3):
        g, places = 3, _EITHER[m.group(3)] if not m.group(4) else _EITHER[m.group(3)][-1]
    else:
        g, places = 5, _CLOSED[m.group(5)]
    if tone and str(at - m.start(g)) not in places:
        return False                       # tone on the wrong vowel: "hoaỉ"
    final = m.group(4) or m.group(6) or ""
    return not (final in _STOPS and tone in (1, 2, 3))   # stops take only acute or dot below


def _score(text: str) -> tuple[int, int]:
    """(valid words, bad words + junk) over words that have a non-ASCII letter.  A valid
    one-letter word proves nothing ("ü" → TCVN3 "ỹ", "ö" → "ử") and is not counted."""
    valid = bad = 0
    for w in _WORD.findall(text):
        if not w.isascii():
            if not _syllable_ok(w):
                bad += 1
            elif len(w) > 1:
                valid += 1
    return valid, bad + _JUNK.count(text)


# ---------------------------------------------------------------- conversion

def _vni(text: str, score: bool) -> str:
    if score:
        return _SCORE_VNI_RE.sub(lambda m: _SCORE_VNI[m.group()], text)
    return _VNI_RE.sub(lambda m: _FROM_VNI[m.group()], text)


def _tcvn3(text: str) -> str:
    out = text.translate(_FROM_TCVN3)
    # H fonts: a word typed in capitals comes out "NGUYễN"; upper-case it, and the whole string
    # when it has no lower-case ASCII letter at all ("Hµ NéI" → "HÀ NỘI").
    if not _CAP_INSIDE.search(out):
        return out
    fixed = False

    def word(m: re.Match) -> str:
        nonlocal fixed
        w = m.group()
        if any(c.islower() for c in w if not c.isascii()) \
                and any(c.isupper() for c in w[1:] if c.isascii()) \
                and not any(c.islower() for c in w if c.isascii()):
            fixed = True
            return w.upper()
        return w
    out = _WORD.sub(word, out)
    if fixed and not any("a" <= c <= "z" for c in out):
        out = out.upper()
    return out


def repair(text: str) -> Repaired:
    if text.isascii():
        return Repaired(text, suspicious=bool(_CTRL.search(text)))
    if _NOT_CP1252.search(text):
        # Has a character no cp1252-decoded byte gives: genuine Unicode, never legacy.
        return Repaired(text, suspicious=bool(_CTRL.search(text) or _JUNK_UNICODE.count(text)))
    return _repair_cp1252(text)


def _repair_cp1252(text: str) -> Repaired:
    control = bool(_CTRL.search(text))
    s = text.translate(_C1_TO_CP1252) if control else text
    orig_valid, orig_bad = _score(s)
    if orig_bad == 0:
        return Repaired(text, suspicious=control)
    cands = sorted(((*_score(conv), name) for name, conv in
                    (("TCVN3", s.translate(_SCORE_TCVN3)), ("VNI", _vni(s, score=True)))),
                   key=lambda c: (c[1], -c[0]))
    (valid, bad, name), (valid2, bad2, _) = cands
    clear = valid and bad * 4 <= valid and bad < orig_bad and (valid, bad) != (valid2, bad2)
    if clear:
        out = _tcvn3(s) if name == "TCVN3" else _vni(s, score=False)
        if not _CTRL.search(out):
            return Repaired(out, name)
    partly_legacy = valid > orig_valid and bad < orig_bad
    return Repaired(text, suspicious=control or partly_legacy or bool(_JUNK.count(s)))
