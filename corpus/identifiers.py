"""Chinese customer identifiers with their check characters: generators and validators, self-contained."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "ID_CHECK_CHARS",
    "USCC_CHARSET",
    "PROVINCE_CODES",
    "PLATE_PROVINCES",
    "id_check_char",
    "is_valid_id_number",
    "make_id_number",
    "org_code_check_char",
    "is_valid_org_code",
    "uscc_check_char",
    "is_valid_uscc",
    "make_uscc",
    "vin_check_digit",
    "vin_status",
    "is_valid_vin",
    "make_vin",
    "VIN_YEAR_CODES",
    "is_valid_phone",
    "make_phone",
    "format_phone",
    "is_valid_plate",
    "make_plate",
    "format_plate",
    "is_valid_customer_no",
    "make_customer_no",
    "random_birth",
]

# --- resident identity card number, GB 11643-1999 (ISO 7064 MOD 11-2) ---------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11

#: First two digits of the administrative division codes of GB/T 2260 (provinces; 71 Taiwan, 81/82 HK/Macau).
PROVINCE_CODES = frozenset(
    (
        "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 "
        "71 81 82"
    ).split()
)


def id_check_char(first17: str) -> str:
    """Return the check character (0-9 or X) for the first 17 digits of a resident ID number."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    """True if `value` is an 18-char resident ID: known province, real birth date, correct check char.

    Only the province part of the region code is checked: the full GB/T 2260 table changes every year and old
    codes stay valid on cards already issued. A lower-case x is not accepted here; callers normalise first.
    """
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    if value[:2] not in PROVINCE_CODES:
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or date.today()):
        return False
    return id_check_char(value[:17]) == value[17]


def make_id_number(rng: random.Random, region: str, birth: date, *, male: bool) -> str:
    """Build a valid ID number; the 17th digit is odd for men and even for women, as on real cards."""
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be a 6-digit division code")
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


# --- organisation code, GB 11714-1997 -----------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    if ch.isdigit():
        return int(ch)
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    raise ValueError(f"bad organisation code character {ch!r}")


def org_code_check_char(body8: str) -> str:
    """Return the check character (0-9 or X) of an 8-character organisation code body."""
    if len(body8) != 8:
        raise ValueError("need 8 characters")
    rem = 11 - sum(_org_value(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return "X" if rem == 10 else "0" if rem == 11 else str(rem)


def is_valid_org_code(value: str) -> bool:
    """True if `value` is a 9-char organisation code (an optional '-' before the check char is allowed)."""
    value = value.replace("-", "")
    if len(value) != 9 or not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", value):
        return False
    return org_code_check_char(value[:8]) == value[8]


# --- unified social credit code, GB 32100-2015 --------------------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registering authority and category pairs seen on licences: 91 enterprise, 92 individual business,
# 93 farmers' co-operative (market regulation), 12 public institution, 52 private non-enterprise unit.
_USCC_PREFIXES = ("91", "91", "91", "91", "91", "92", "93", "12", "52")


def uscc_check_char(first17: str) -> str:
    """Return the 18th character of a unified social credit code (mod 31 over the first 17)."""
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError("need 17 characters from the USCC charset")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    """True if `value` is an 18-char USCC: charset, province, embedded org code check and mod-31 check."""
    if len(value) != 18 or any(c not in _USCC_VALUE for c in value):
        return False
    if not value[2:8].isdigit() or value[2:4] not in PROVINCE_CODES:
        return False
    if not is_valid_org_code(value[8:17]):
        return False
    return uscc_check_char(value[:17]) == value[17]


def make_uscc(rng: random.Random, region: str, *, prefix: str | None = None) -> str:
    """Build a valid USCC for a body registered in `region` (6-digit division code)."""
    prefix = prefix or rng.choice(_USCC_PREFIXES)
    # The org code body must use the USCC charset; real ones are mostly digits with an occasional letter.
    while True:
        letters = "ABCDEFGHJKLMNPQRTUWXY"
        body = "".join(
            rng.choice(letters) if rng.random() < 0.12 else rng.choice("0123456789") for _ in range(8)
        )
        check = org_code_check_char(body)
        if check in _USCC_VALUE:
            break
    first17 = f"{prefix}{region}{body}{check}"
    return first17 + uscc_check_char(first17)


# --- vehicle identification number, GB 16735 / ISO 3779 -----------------------------------------------------

_VIN_TRANSLIT = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
#: Model-year code (VIN position 10); the cycle repeats every 30 years.
VIN_YEAR_CODES = dict(zip(range(2010, 2040), "ABCDEFGHJKLMNPRSTVWXY123456789", strict=True))


def vin_check_digit(vin: str) -> str:
    """Return the position-9 check digit (0-9 or X) of a 17-character VIN."""
    if len(vin) != 17 or any(c not in _VIN_TRANSLIT for c in vin):
        raise ValueError("need 17 VIN characters (no I, O, Q)")
    rem = sum(_VIN_TRANSLIT[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True)) % 11
    return "X" if rem == 10 else str(rem)


def vin_status(vin: str) -> Literal["valid", "unchecked", "invalid"]:
    """Classify a VIN: 'valid' with a correct check digit; 'unchecked' if well-formed but the check digit
    does not hold and the maker is not Chinese (imported cars may not carry one); 'invalid' otherwise."""
    if len(vin) != 17 or any(c not in _VIN_TRANSLIT for c in vin):
        return "invalid"
    if vin_check_digit(vin) == vin[8]:
        return "valid"
    return "invalid" if vin[0] == "L" else "unchecked"


def is_valid_vin(vin: str) -> bool:
    """True if `vin` is well-formed and its position-9 check digit holds (mandatory for Chinese VINs)."""
    return vin_status(vin) == "valid"


def make_vin(
    rng: random.Random, wmi: str, vds: str, year: int, *, plant: str = "A", checked: bool = True
) -> str:
    """Build a VIN from a 3-char WMI and 5-char descriptor; `checked=False` leaves position 9 arbitrary
    (never accidentally right), as on some imported vehicles."""
    serial = f"{rng.randrange(0, 1_000_000):06d}"
    body = f"{wmi}{vds}0{VIN_YEAR_CODES[year]}{plant}{serial}"
    if len(body) != 17 or any(c not in _VIN_TRANSLIT for c in body):
        raise ValueError(f"bad VIN parts: {body!r}")
    right = vin_check_digit(body)
    if checked:
        return body[:8] + right + body[9:]
    wrong = rng.choice([c for c in "0123456789" if c != right])
    return body[:8] + wrong + body[9:]


# --- mobile phone numbers -----------------------------------------------------------------------------------

_PHONE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 145 147 150 151 152 153 155 156 157 158 159 166 "
    "170 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 196 198 199"
).split()
_PHONE_RE = re.compile(r"1[3-9]\d{9}")


def is_valid_phone(value: str) -> bool:
    """True for an 11-digit mainland mobile number (1[3-9] followed by 9 digits)."""
    return _PHONE_RE.fullmatch(value) is not None


def make_phone(rng: random.Random) -> str:
    """Return a random mobile number from a real operator segment."""
    return rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(0, 100_000_000):08d}"


def format_phone(value: str, style: int) -> str:
    """Print a mobile number as people write it: 0 plain, 1 '138 1234 5678', 2 '138-1234-5678'."""
    if style == 1:
        return f"{value[:3]} {value[3:7]} {value[7:]}"
    if style == 2:
        return f"{value[:3]}-{value[3:7]}-{value[7:]}"
    return value


# --- licence plates (GA 36) ---------------------------------------------------------------------------------

PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
_PLATE_RE = re.compile(
    rf"[{PLATE_PROVINCES}][A-HJ-NP-Z](?:[A-HJ-NP-Z0-9]{{5}}|[DF][A-HJ-NP-Z0-9]\d{{4}}|\d{{5}}[DF])"
)


def is_valid_plate(value: str) -> bool:
    """True for a canonical plate without separator: 粤B12345, or new-energy 粤AD12345 / 粤A12345D."""
    return _PLATE_RE.fullmatch(value) is not None


def make_plate(rng: random.Random, province: str, city: str, *, new_energy: bool = False) -> str:
    """Return a canonical plate (no separator); new-energy small cars get D/F + 5 characters."""
    if new_energy:
        tail = (
            rng.choice("DF")
            + rng.choice(_PLATE_LETTERS[:8] + "0123456789")
            + f"{rng.randrange(0, 10000):04d}"
        )
        return f"{province}{city}{tail}"
    chars = [rng.choice("0123456789") for _ in range(5)]
    for _ in range(rng.choice((0, 0, 1, 1, 2))):  # most plates have at most two letters
        chars[rng.randrange(5)] = rng.choice(_PLATE_LETTERS)
    return f"{province}{city}{''.join(chars)}"


def format_plate(value: str, style: int) -> str:
    """Print a plate: 0 plain '粤B12345', 1 with a middle dot '粤B·12345', 2 with a space '粤B 12345'."""
    sep = {1: "·", 2: " "}.get(style, "")
    return value[:2] + sep + value[2:]


# --- the dealer system's customer number --------------------------------------------------------------------

_CUSTOMER_NO_RE = re.compile(r"KH(19|20)\d{2}\d{6}")


def is_valid_customer_no(value: str) -> bool:
    """True for the register key format `KH` + 4-digit year + 6-digit sequence, e.g. KH2023000123."""
    return _CUSTOMER_NO_RE.fullmatch(value) is not None


def make_customer_no(year: int, seq: int) -> str:
    """Return the register key of the `seq`-th customer opened in `year`."""
    return f"KH{year:04d}{seq:06d}"


def random_birth(rng: random.Random, *, oldest: int = 1955, youngest: int = 2002) -> date:
    """A birth date between 1 Jan `oldest` and 31 Dec `youngest` (car buyers are adults)."""
    start = date(oldest, 1, 1)
    span = (date(youngest, 12, 31) - start).days
    return start + timedelta(days=rng.randrange(span + 1))
