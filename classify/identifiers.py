"""Chinese customer identifiers: validators, OCR-confusion repair, and a finder for page text."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from classify._text import compact, mask, nfkc

__all__ = [
    "IdKind",
    "VinStatus",
    "Found",
    "STRONG_KINDS",
    "GOOD_KINDS",
    "DEFAULT_CUSTOMER_NO_PATTERN",
    "id_check_char",
    "normalize_id_number",
    "is_valid_id_number",
    "org_code_check_char",
    "is_valid_org_code",
    "uscc_check_char",
    "is_valid_uscc",
    "vin_check_digit",
    "vin_status",
    "normalize_phone",
    "normalize_plate",
    "repair_candidates",
    "find_identifiers",
]


class IdKind(StrEnum):
    """The identifier kinds the finder knows; the values are stable names used in reasons and the database."""

    ID_NUMBER = "id_number"  # 居民身份证号码, GB 11643
    USCC = "uscc"  # 统一社会信用代码, GB 32100
    VIN = "vin"  # 车辆识别代号, GB 16735 / ISO 3779
    PHONE = "phone"  # mainland mobile number
    PLATE = "plate"  # 号牌号码, GA 36
    CUSTOMER_NO = "customer_no"  # the dealer system's customer key


#: Evidence strength per DESIGN.md: these carry a check character and identify one customer or vehicle.
STRONG_KINDS = frozenset({IdKind.ID_NUMBER, IdKind.USCC, IdKind.VIN})
#: Identify a customer well but have no check character (or, for the customer number, are ours to mistype).
GOOD_KINDS = frozenset({IdKind.CUSTOMER_NO, IdKind.PHONE, IdKind.PLATE})

#: Default customer number: `KH` followed by 6 to 12 digits (e.g. KH2023000123). A leading literal prefix in
#: upper-case letters is what OCR repair keeps; the rest of the number is repaired towards digits.
DEFAULT_CUSTOMER_NO_PATTERN = r"KH\d{6,12}"


class VinStatus(StrEnum):
    """What the shape and the position-9 check digit say about a 17-character VIN."""

    CHECKED = "checked"  # right shape and the check digit holds
    UNCHECKED = (
        "unchecked"  # right shape, check digit does not hold, and the maker need not carry one (imports)
    )
    INVALID = "invalid"  # wrong shape, or a Chinese-made VIN (WMI region L) whose mandatory check digit fails


@dataclass(frozen=True, slots=True, repr=False)
class Found:
    """One identifier found in page text.

    `value` is the token as read, normalised (NFKC, upper case, separators removed, x/× read as X, a +86
    prefix dropped). When `valid` is false the token does not validate as read and `repairs` holds the values
    that do after substituting OCR-confused characters; a repair is trustworthy only when there is exactly one
    and the register knows it (the matcher decides that). A VIN that is `valid` but not `checked` (an import
    without a check digit) may also carry `repairs`: checked VINs one confusion away, for the matcher.

    Attributes:
        kind: the identifier kind.
        value: the normalised token as read.
        span: start and end offsets in the NFKC-normalised text (what `find_identifiers` searched).
        raw: the text of that span, separators and all.
        valid: the token as read has the right shape and, where it has one, the right check character
            (for a VIN: checked or unchecked).
        checked: a check character confirms the value as read (resident ID, USCC, checked VIN).
        repairs: candidate values, sorted, when the value as read is not valid (or is an unchecked VIN).
        labelled: a label for this kind (身份证号, VIN, 手机...) stands just before it on the same line.
    """

    kind: IdKind
    value: str
    span: tuple[int, int]
    raw: str
    valid: bool
    checked: bool
    repairs: tuple[str, ...] = ()
    labelled: bool = False

    def __repr__(self) -> str:
        # Identifiers are personal data: keep them out of any log line that formats this object.
        return (
            f"Found(kind={self.kind.value}, value={mask(self.value)}, span={self.span}, valid={self.valid}, "
            f"checked={self.checked}, repairs={len(self.repairs)}, labelled={self.labelled})"
        )


# --- OCR confusions -------------------------------------------------------------------------------

#: Characters OCR engines mistake for one another, on upper-cased text. '|' is never a target: no identifier
#: contains it. Lower-case input is upper-cased first, so 'l' arrives here as 'L'.
_CONFUSABLE: dict[str, str] = {
    "0": "ODQ",
    "O": "0DQ",
    "D": "0O",
    "Q": "0O",
    "1": "IL",
    "I": "1L",
    "L": "1I",
    "|": "1IL",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6",
    "8": "B",
    "B": "8",
}

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Substitution budget. A character that is illegal where it stands (a letter among the digits of an ID
# number) MUST be replaced: it costs a "forced" substitution and has few alternatives. Replacing a legal
# character by a look-alike is speculation: at most one such "flip" per token, or chance check-digit hits
# multiply.
_MAX_FORCED = 3
_MAX_FLIPS = 1
_MAX_CANDIDATES = 4096


def _repair(
    token: str,
    allowed: Sequence[str],
    validate: Callable[[str], bool],
    *,
    max_forced: int = _MAX_FORCED,
    max_flips: int = _MAX_FLIPS,
) -> tuple[str, ...]:
    """Return the values one OCR-confusion repair away from `token` that validate.

    Candidates are tried in order of the number of substitutions; the result is the set of validating
    candidates with the smallest number, because one substitution is far likelier than two. The token itself
    is never a candidate.

    Args:
        token: the upper-cased token, exactly as long as the identifier.
        allowed: for each position, the characters the identifier may hold there.
        validate: the full check of a candidate value.
        max_forced: give up when more characters than this are illegal where they stand.
        max_flips: at most this many legal characters replaced by look-alikes.

    Returns:
        Sorted candidate values, empty when none validates.
    """
    if len(token) != len(allowed):
        return ()
    forced: list[tuple[int, str]] = []
    flippable: list[tuple[int, str]] = []
    for i, ch in enumerate(token):
        alternatives = "".join(a for a in _CONFUSABLE.get(ch, "") if a in allowed[i])
        if ch in allowed[i]:
            if alternatives:
                flippable.append((i, alternatives))
        elif alternatives:
            forced.append((i, alternatives))
        else:
            return ()
    if len(forced) > max_forced:
        return ()
    budget = _MAX_CANDIDATES
    for flips in range(max_flips + 1):
        found: set[str] = set()
        for flip_set in itertools.combinations(flippable, flips):
            positions = forced + list(flip_set)
            for choice in itertools.product(*(alts for _, alts in positions)):
                budget -= 1
                if budget < 0:
                    return tuple(sorted(found))
                chars = list(token)
                for (i, _), ch in zip(positions, choice, strict=True):
                    chars[i] = ch
                candidate = "".join(chars)
                if candidate != token and validate(candidate):
                    found.add(candidate)
        if found:
            return tuple(sorted(found))
    return ()


# --- resident identity card number, GB 11643-1999 -------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province part of the GB/T 2260 division code: the full table changes every year and old codes stay valid on
# cards already issued, so only the province is checked. 83 is the residence permit of Taiwan residents.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
    "71 81 82 83".split()
)
_ID_ALLOWED = (_DIGITS,) * 17 + (_DIGITS + "X",)
_MAX_AGE = 130


def id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character (0-9 or X) of the first 17 digits of an ID number.

    Args:
        first17: 17 ASCII digits.

    Returns:
        The 18th character.

    Raises:
        ValueError: `first17` is not 17 digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need 17 digits")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Canonical form of an ID number as printed: NFKC, no spaces, x / × / Ｘ as X.

    Args:
        value: the number as printed or typed.

    Returns:
        The canonical string; it is not validated.
    """
    return re.sub(r"\s+", "", nfkc(value)).upper().replace("×", "X")


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    """True if `value` is an 18-character resident ID number: known province, real and plausible birth date,
    correct check character.

    The foreign permanent resident ID of 2023 (first digit 9, then a province) shares the layout and is
    accepted. The 15-digit first-generation number has no check character and is not accepted.

    Args:
        value: the number, canonical or as printed (x and × are accepted for X).
        today: the reference date for "born in the past"; defaults to the current date.

    Returns:
        Whether the number validates.
    """
    value = normalize_id_number(value)
    if (
        len(value) != 18
        or not value[:17].isascii()
        or not value[:17].isdigit()
        or value[17] not in "0123456789X"
    ):
        return False
    province = value[1:3] if value[0] == "9" else value[:2]
    if province not in _PROVINCES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    today = today or date.today()
    if born > today or today.year - born.year > _MAX_AGE:
        return False
    return id_check_char(value[:17]) == value[17]


# --- organisation code, GB 11714-1997 -------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    if ch in _DIGITS:
        return int(ch)
    if ch in _UPPER:
        return ord(ch) - ord("A") + 10
    raise ValueError(f"bad organisation code character {ch!r}")


def org_code_check_char(body8: str) -> str:
    """Return the check character (0-9 or X) of an 8-character organisation code body (GB 11714).

    Args:
        body8: 8 characters from 0-9 and A-Z.

    Returns:
        The 9th character.

    Raises:
        ValueError: `body8` is not 8 such characters.
    """
    if len(body8) != 8:
        raise ValueError("need 8 characters")
    rem = 11 - sum(_org_value(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return "X" if rem == 10 else "0" if rem == 11 else str(rem)


def is_valid_org_code(value: str) -> bool:
    """True if `value` is a 9-character organisation code with its check character ('-' before it allowed).

    Args:
        value: e.g. "MA5F1234-5" or "MA5F12345".

    Returns:
        Whether it validates.
    """
    value = nfkc(value).replace("-", "").upper()
    if not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", value):
        return False
    return org_code_check_char(value[:8]) == value[8]


# --- unified social credit code, GB 32100-2015 ----------------------------------------------------

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_ALLOWED = (_USCC_CHARSET,) * 2 + (_DIGITS,) * 6 + (_USCC_CHARSET,) * 10
# Central-level bodies register with division code 100000.
_USCC_REGIONS = _PROVINCES | {"10"}


def uscc_check_char(first17: str) -> str:
    """Return the 18th character of a unified social credit code (weighted sum mod 31 of the first 17).

    Args:
        first17: 17 characters of the USCC charset (0-9, A-Z without I O S V Z).

    Returns:
        The check character.

    Raises:
        ValueError: `first17` has the wrong length or characters.
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("need 17 characters from the USCC charset")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True if `value` is an 18-character USCC: charset, a six-digit division code with a known province, the
    embedded organisation code (characters 9-17) with its GB 11714 check, and the mod-31 check character.

    Args:
        value: the code, any case.

    Returns:
        Whether it validates.
    """
    value = nfkc(value).upper()
    if len(value) != 18 or any(c not in _USCC_VALUE for c in value):
        return False
    if not value[2:8].isdigit() or value[2:4] not in _USCC_REGIONS:
        return False
    if not is_valid_org_code(value[8:17]):
        return False
    return uscc_check_char(value[:17]) == value[17]


# --- vehicle identification number, GB 16735 / ISO 3779 -------------------------------------------

_VIN_CHARSET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_VIN_TRANSLIT = {
    **{d: int(d) for d in _DIGITS},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# Shape: positions 1-13 from the VIN charset, the last four digits (ISO 3779 and GB 16735 make the last four
# characters of the VIS numeric). Position 9 is not restricted to 0-9 / X: makers outside the check-digit
# regimes put anything there (European VINs often a Z).
_VIN_ALLOWED = (_VIN_CHARSET,) * 13 + (_DIGITS,) * 4


def vin_check_digit(vin: str) -> str:
    """Return the position-9 check digit (0-9 or X) of a 17-character VIN.

    Args:
        vin: 17 characters without I, O, Q.

    Returns:
        The check digit the VIN should carry.

    Raises:
        ValueError: wrong length or characters.
    """
    if len(vin) != 17 or any(c not in _VIN_TRANSLIT for c in vin):
        raise ValueError("need 17 VIN characters (no I, O, Q)")
    rem = sum(_VIN_TRANSLIT[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if rem == 10 else str(rem)


def _vin_shape(vin: str) -> bool:
    return (
        len(vin) == 17
        and all(c in allowed for c, allowed in zip(vin, _VIN_ALLOWED, strict=True))
        and any(c in _UPPER for c in vin)  # a VIN's WMI holds letters; 17 bare digits are something else
    )


def vin_status(vin: str) -> VinStatus:
    """Classify a VIN by shape and check digit.

    The shape decides validity; the check digit decides checked versus unchecked, with one exception: a VIN
    whose WMI starts with L (region China) must carry the check digit under GB 16735, so a failing check there
    means a misread VIN (invalid), not an import without one.

    Args:
        vin: the VIN, canonical (upper case, no separators).

    Returns:
        The status.
    """
    vin = nfkc(vin).upper()
    if not _vin_shape(vin):
        return VinStatus.INVALID
    if vin_check_digit(vin) == vin[8]:
        return VinStatus.CHECKED
    return VinStatus.INVALID if vin[0] == "L" else VinStatus.UNCHECKED


def _vin_checked(vin: str) -> bool:
    return _vin_shape(vin) and vin_check_digit(vin) == vin[8]


# --- mobile phone ---------------------------------------------------------------------------------

_PHONE = re.compile(r"1[3-9]\d{9}")


def _strip_country_code(digits: str) -> str:
    if len(digits) == 13 and digits.startswith("86"):
        return digits[2:]
    if len(digits) == 15 and digits.startswith("0086"):
        return digits[4:]
    return digits


def normalize_phone(value: str) -> str | None:
    """Canonical 11-digit mainland mobile number, or None if `value` is not one.

    Separators (spaces, '-', '.', parentheses) and a +86 / 0086 country code are tolerated.

    Args:
        value: the number as printed or typed.

    Returns:
        The 11 digits, or None.
    """
    digits = re.sub(r"[\s\-.()+]", "", nfkc(value))
    digits = _strip_country_code(digits)
    return digits if _PHONE.fullmatch(digits) else None


# --- licence plate, GA 36 -------------------------------------------------------------------------

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_CANONICAL = re.compile(
    rf"[{_PLATE_PROVINCES}][A-HJ-NP-Z]"
    r"(?:[A-HJ-NP-Z0-9]{5}|[DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[挂学警港澳])"
)
# As printed: province, issuing-office letter, an optional separator (· • ・ . - or a space), the serial.
_PLATE_IN_TEXT = re.compile(
    rf"(?P<prov>[{_PLATE_PROVINCES}])[ \t]?(?P<letter>[A-Za-z])[ \t]?[·•・.\-]?[ \t]?"
    r"(?P<serial>[0-9A-Za-z|]{5,6}(?![0-9A-Za-z|])|[0-9A-Za-z|]{4}[挂学警港澳])"
)
_PLATE_SERIAL_REPAIR = str.maketrans({"O": "0", "I": "1", "|": "1"})  # plates never hold I or O


def normalize_plate(value: str) -> str | None:
    """Canonical plate (粤B12345, new-energy 粤AD12345 / 粤A12345D), or None if `value` is not one.

    Separators between the parts (·, a space, '-') are dropped; I and O, which plates never hold, are not
    repaired here (see `find_identifiers`).

    Args:
        value: the plate as printed or typed.

    Returns:
        The canonical plate, or None.
    """
    value = re.sub(r"[\s·•・.\-]", "", nfkc(value)).upper()
    if not _PLATE_CANONICAL.fullmatch(value):
        return None
    serial = value[2:]
    if len(serial) == 5 and sum(c.isdigit() for c in serial) < 2:
        return None  # real serials hold at most three letters; five letters after 京A are a word, not a plate
    return value


# --- customer number ------------------------------------------------------------------------------


def _literal_prefix(pattern: str) -> str:
    match = re.match(r"[A-Z]+", pattern)
    if not match:
        return ""
    prefix = match.group()
    # A quantifier right after the prefix applies to its last letter only: that letter is not literal.
    if pattern[len(prefix) : len(prefix) + 1] in ("?", "*", "+", "{"):
        prefix = prefix[:-1]
    return prefix


def _customer_no_repairs(token: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    prefix = _literal_prefix(pattern.pattern)
    if not prefix or not token.startswith(prefix):
        return ()
    allowed = (_UPPER,) * len(prefix) + (_DIGITS,) * (len(token) - len(prefix))
    return _repair(token, allowed, lambda v: pattern.fullmatch(v) is not None, max_flips=0)


# --- repair entry point ---------------------------------------------------------------------------


def repair_candidates(
    kind: IdKind,
    token: str,
    *,
    today: date | None = None,
    customer_no_pattern: str = DEFAULT_CUSTOMER_NO_PATTERN,
) -> tuple[str, ...]:
    """Values of `kind` that `token` becomes after substituting OCR-confused characters, and that validate.

    Illegal characters (a letter among the digits of an ID number, an O in a VIN) must be replaced, up to
    three of them; at most one legal character is replaced by a look-alike (8 for B in a VIN). The candidates
    with the fewest substitutions win. Phones and plates have no check character: their candidates only fix
    illegal characters, so there is at most one.

    Args:
        kind: the identifier kind to repair towards.
        token: the token as read, without separators.
        today: reference date for ID birth dates.
        customer_no_pattern: the customer number regex (its leading upper-case letters are kept as read).

    Returns:
        Sorted candidate values, empty when none validates; the token itself is never among them.
    """
    token = nfkc(token).upper().replace("×", "X")
    if kind is IdKind.ID_NUMBER:
        return _repair(token, _ID_ALLOWED, lambda v: is_valid_id_number(v, today=today), max_flips=0)
    if kind is IdKind.USCC:
        return _repair(token, _USCC_ALLOWED, is_valid_uscc)
    if kind is IdKind.VIN:
        return _repair(token, _VIN_ALLOWED, _vin_checked)
    if kind is IdKind.PHONE:
        token = _strip_country_code(token)
        return _repair(
            token, (_DIGITS,) * 11, lambda v: _PHONE.fullmatch(v) is not None, max_forced=2, max_flips=0
        )
    if kind is IdKind.PLATE:
        if len(token) < 7:
            return ()
        fixed = token[:2] + token[2:].translate(_PLATE_SERIAL_REPAIR)
        return (fixed,) if fixed != token and normalize_plate(fixed) else ()
    return _customer_no_repairs(token, re.compile(customer_no_pattern))


# --- finder ---------------------------------------------------------------------------------------

# Labels that announce a kind, in compact case-folded form. The label nearest before a token (the one ending
# last, the longest when several end together: 手机号码 over 号码) decides: it makes `labelled` true and
# breaks ties between an 18-character token read as an ID number and as a USCC.
_KIND_LABELS: dict[IdKind, tuple[str, ...]] = {
    IdKind.ID_NUMBER: (
        "公民身份号码",
        "身份证号码",
        "身份证号",
        "身份证",
        "证件号码",
        "证件号",
        "身份号码",
        "idno",
        "idcard",
        "idnumber",
        "identity",
    ),
    IdKind.USCC: (
        "统一社会信用代码",
        "信用代码",
        "纳税人识别号",
        "识别号",
        "税号",
        "证件号码",
        "taxid",
        "uscc",
    ),
    IdKind.VIN: (
        "车架号",
        "车架号码",
        "车辆识别代号",
        "车辆识别代码",
        "车辆识别号",
        "识别代号",
        "底盘号",
        "vin",
        "chassis",
        "chassisno",
    ),
    IdKind.PHONE: (
        "电话",
        "电话号码",
        "联系电话",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "tel",
        "telno",
        "telephone",
        "mobile",
        "mobileno",
        "phone",
        "phoneno",
        "mob",
        "cell",
    ),
    IdKind.PLATE: ("车牌", "车牌号", "车牌号码", "号牌", "号牌号码", "牌照", "plate", "plateno"),
    IdKind.CUSTOMER_NO: ("客户编号", "客户号", "客户代码", "customerno", "customer", "clientno"),
}
# Labels of numbers that are none of ours. An 11-digit number after one of them is not a phone: the tax
# office code on every vehicle invoice (主管税务机关及代码 13201...) has a mobile number's shape.
_OTHER_LABELS = (
    "代码",
    "编码",
    "编号",
    "号码",
    "单号",
    "账号",
    "帐号",
    "卡号",
    "证号",
    "批号",
    "序列号",
    "发动机号",
    "code",
    "account",
    "acct",
    "serial",
    "invoiceno",
    "orderno",
)
_LABELS: tuple[tuple[str, frozenset[IdKind]], ...] = tuple(
    (label, frozenset(k for k, labels in _KIND_LABELS.items() if label in labels))
    for label in sorted({*(x for labels in _KIND_LABELS.values() for x in labels), *_OTHER_LABELS})
)
_LABEL_LOOKBACK = 16  # compact characters before the token, on the same line

# Identifier characters as OCR gives them: '|' and '×' stand for 1 and X often enough to keep.
_PIECE = re.compile(r"[0-9A-Za-z|×]+")
# What may separate the parts of one identifier: OCR splits, or the '-' of 138-1234-5678. Not a line break.
_JOINER = re.compile(r"[ \t]{1,3}|[ \t]*[-–—][ \t]*")
# An English label glued to its value ("Tel13812345678", "VINLSV..."): split it off.
_GLUED_LABEL = re.compile(r"(?i)(?:vin|tel|mob|mobile|phone|no|id)(?=[0-9A-Za-z|×]{11,}$)")
_MAX_PIECES = 6
_MAX_WINDOW = 24


@dataclass(frozen=True, slots=True)
class _Piece:
    start: int
    end: int
    text: str  # upper-cased, × as X
    raw: str

    @property
    def has_digit(self) -> bool:
        return any(c.isdigit() for c in self.text)


def _joinable(window: Sequence[_Piece]) -> bool:
    """Whether pieces separated by spaces may be one identifier split by OCR.

    Every part of a split identifier holds a digit, except a short upper-case head (the KH of a customer
    number, the WMI of a VIN). Words of a sentence next to a number (SEVEN 1440...) are not identifier parts.
    """
    if len(window) == 1:
        return True
    head, rest = window[0], window[1:]
    if not all(p.has_digit for p in rest):
        return False
    return head.has_digit or (len(head.raw) <= 5 and head.raw.isupper())


@dataclass(frozen=True, slots=True)
class _Candidate:
    found: Found
    rank: tuple[int, int, int, int]


def _pieces(text: str) -> list[list[_Piece]]:
    """Split text into chains of identifier-character pieces that may belong to one identifier."""
    chains: list[list[_Piece]] = []
    current: list[_Piece] = []
    last_end = -1
    for match in _PIECE.finditer(text):
        start, token = match.start(), match.group()
        parts = [(start, token)]
        glued = _GLUED_LABEL.match(token)
        if glued:
            parts = [(start, token[: glued.end()]), (start + glued.end(), token[glued.end() :])]
        for part_start, part in parts:
            piece = _Piece(part_start, part_start + len(part), part.upper().replace("×", "X"), part)
            if current and (last_end == part_start or _JOINER.fullmatch(text, last_end, part_start)):
                current.append(piece)
            else:
                if current:
                    chains.append(current)
                current = [piece]
            last_end = piece.end
    if current:
        chains.append(current)
    return chains


def _nearest_label(text: str, start: int) -> frozenset[IdKind] | None:
    """Kinds the label nearest before `start` on its line announces; empty for another number's label,
    None when there is no label."""
    line_start = text.rfind("\n", 0, start) + 1
    before = compact(text[max(line_start, start - 3 * _LABEL_LOOKBACK) : start])[-_LABEL_LOOKBACK:]
    best: tuple[int, int] = (-1, 0)
    kinds: frozenset[IdKind] | None = None
    for label, label_kinds in _LABELS:
        pos = before.rfind(label)
        if pos != -1 and (pos + len(label), len(label)) > best:
            best = (pos + len(label), len(label))
            kinds = label_kinds
    return kinds


def _candidate(
    kind: IdKind,
    text: str,
    span: tuple[int, int],
    value: str,
    valid: bool,
    checked: bool,
    repairs: tuple[str, ...],
    n_pieces: int,
) -> _Candidate:
    labelled = kind in (_nearest_label(text, span[0]) or ())
    found = Found(kind, value, span, text[span[0] : span[1]], valid, checked, repairs, labelled)
    if valid:
        tier = 0 if checked else 1
    else:
        tier = 2 if len(repairs) == 1 else 3
    return _Candidate(found, (tier, 0 if labelled else 1, n_pieces, span[0]))


def _plausible_unchecked_vin(window: Sequence[_Piece]) -> bool:
    """Without a check digit to vouch for it, a VIN must look like one: one unbroken token, a letter in the
    WMI, and a model-year code in position 10 (never I, O, Q, U, Z or 0)."""
    token = window[0].text
    return len(window) == 1 and any(c in _UPPER for c in token[:3]) and token[9] not in "IOQUZ0"


def _window_candidates(
    text: str, window: Sequence[_Piece], today: date | None, customer_no: re.Pattern[str]
) -> list[_Candidate]:
    if not _joinable(window):
        return []
    token = "".join(p.text for p in window)
    span = (window[0].start, window[-1].end)
    n = len(window)
    out: list[_Candidate] = []
    if len(token) == 18:
        if is_valid_id_number(token, today=today):
            out.append(_candidate(IdKind.ID_NUMBER, text, span, token, True, True, (), n))
        elif repairs := repair_candidates(IdKind.ID_NUMBER, token, today=today):
            out.append(_candidate(IdKind.ID_NUMBER, text, span, token, False, False, repairs, n))
        if is_valid_uscc(token):
            out.append(_candidate(IdKind.USCC, text, span, token, True, True, (), n))
        elif repairs := repair_candidates(IdKind.USCC, token):
            out.append(_candidate(IdKind.USCC, text, span, token, False, False, repairs, n))
    elif len(token) == 17 and (n == 1 or IdKind.VIN in (_nearest_label(text, span[0]) or ())):
        # A VIN is printed in one piece; parts joined across a space need a VIN label, or two numbers side by
        # side in a table (a 15-character certificate number, then 16) pass the 1-in-11 check by chance.
        status = vin_status(token)
        if status is VinStatus.CHECKED:
            out.append(_candidate(IdKind.VIN, text, span, token, True, True, (), n))
        elif status is VinStatus.UNCHECKED and _plausible_unchecked_vin(window):
            repairs = repair_candidates(IdKind.VIN, token)
            out.append(_candidate(IdKind.VIN, text, span, token, True, False, repairs, n))
        elif repairs := repair_candidates(IdKind.VIN, token):
            out.append(_candidate(IdKind.VIN, text, span, token, False, False, repairs, n))
    if len(token) in (11, 13, 15) and _nearest_label(text, span[0]) != frozenset():
        phone = _strip_country_code(token)
        if len(phone) == 11:
            if _PHONE.fullmatch(phone):
                out.append(_candidate(IdKind.PHONE, text, span, phone, True, False, (), n))
            elif repairs := repair_candidates(IdKind.PHONE, phone):
                out.append(_candidate(IdKind.PHONE, text, span, phone, False, False, repairs, n))
    if customer_no.fullmatch(token):
        out.append(_candidate(IdKind.CUSTOMER_NO, text, span, token, True, False, (), n))
    elif repairs := _customer_no_repairs(token, customer_no):
        out.append(_candidate(IdKind.CUSTOMER_NO, text, span, token, False, False, repairs, n))
    return out


def _plate_candidates(text: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    for match in _PLATE_IN_TEXT.finditer(text):
        token = (match["prov"] + match["letter"] + match["serial"]).upper()
        span = match.span()
        if normalize_plate(token):
            out.append(_candidate(IdKind.PLATE, text, span, token, True, False, (), 1))
        elif repairs := repair_candidates(IdKind.PLATE, token):
            out.append(_candidate(IdKind.PLATE, text, span, token, False, False, repairs, 1))
    return out


def find_identifiers(
    text: str,
    *,
    customer_no_pattern: str = DEFAULT_CUSTOMER_NO_PATTERN,
    today: date | None = None,
) -> list[Found]:
    """Find the identifiers in a page's text.

    The text is NFKC-normalised first. An identifier may be split by OCR into parts separated by up to three
    spaces or a dash on the same line (138 1234 5678, 1101 0119 9003 0777 77); the parts are joined when the
    whole validates, which keeps the tolerance unambiguous: a part never joins a neighbour that would spoil a
    check. Where candidates overlap, a value that validates as read beats a repaired one, a labelled one beats
    an unlabelled one, and fewer parts beat more. Tokens that neither validate nor repair are not reported.

    Args:
        text: the page text as OCR or the text layer gave it.
        customer_no_pattern: regex a whole customer number matches (upper case, separators removed).
        today: reference date for ID birth dates (tests pass a fixed one).

    Returns:
        The identifiers in reading order; spans refer to the NFKC form of `text`.
    """
    text = nfkc(text)
    customer_no = re.compile(customer_no_pattern)
    candidates: list[_Candidate] = _plate_candidates(text)
    for chain in _pieces(text):
        for i in range(len(chain)):
            length = 0
            for j in range(i, min(i + _MAX_PIECES, len(chain))):
                length += len(chain[j].text)
                if length > _MAX_WINDOW:
                    break
                candidates.extend(_window_candidates(text, chain[i : j + 1], today, customer_no))
    taken: list[tuple[int, int]] = []
    chosen: list[Found] = []
    for cand in sorted(candidates, key=lambda c: c.rank):
        start, end = cand.found.span
        if any(start < t_end and t_start < end for t_start, t_end in taken):
            continue
        taken.append((start, end))
        chosen.append(cand.found)
    return sorted(chosen, key=lambda f: f.span)
