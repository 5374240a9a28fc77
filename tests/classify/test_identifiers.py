"""Identifier validators, OCR-confusion repair and the finder: tables of should-match / no-match cases."""

from __future__ import annotations

from datetime import date

import pytest

from classify.identifiers import (
    Found,
    IdKind,
    VinStatus,
    find_identifiers,
    id_check_char,
    is_valid_id_number,
    is_valid_org_code,
    is_valid_uscc,
    normalize_phone,
    normalize_plate,
    org_code_check_char,
    repair_candidates,
    uscc_check_char,
    vin_check_digit,
    vin_status,
)
from tests.classify.helpers import make_id, make_uscc, make_vin, unchecked_vin, vin_corruptions

TODAY = date(2024, 6, 1)


def id_ending_in_x() -> str:
    """A valid ID number whose check character is X (about one sequence in eleven)."""
    for seq in range(1000):
        first17 = f"44030519851224{seq:03d}"
        if id_check_char(first17) == "X":
            return first17 + "X"
    raise AssertionError("no X check character in 1000 sequences")


ID_X = id_ending_in_x()

# --- resident ID numbers --------------------------------------------------------------------------


def test_id_check_char_known_value() -> None:
    # The worked example of GB 11643 (11010519491231002X).
    assert id_check_char("11010519491231002") == "X"
    assert is_valid_id_number("11010519491231002X", today=TODAY)


ID_SHOULD_MATCH = [
    make_id(),
    make_id("440305", "19851224", "001"),
    make_id("650102", "20000229", "318"),  # leap day
    ID_X,
    ID_X[:-1] + "x",  # OCR and typists write a lower-case x
    ID_X[:-1] + "×",  # multiplication sign
    ID_X[:-1] + "Ｘ",  # full-width X
    " ".join([make_id()[:6], make_id()[6:14], make_id()[14:]]),  # spaces as printed on some forms
]

ID_NO_MATCH = [
    make_id()[:-1] + ("0" if make_id()[-1] != "0" else "1"),  # wrong check character
    make_id(birth="19900230")[:17] + id_check_char(make_id(birth="19900230")[:17]),  # 30 February
    make_id(birth="20990101"),  # born in the future
    make_id(birth="18500101"),  # older than anyone alive
    make_id(region="990101"),  # no such province
    make_id()[:17],  # 17 characters
    make_id() + "1",  # 19 characters
    "11010119900307123A",  # letter as check character
    "",
]


@pytest.mark.parametrize("value", ID_SHOULD_MATCH)
def test_id_number_should_match(value: str) -> None:
    assert is_valid_id_number(value, today=TODAY)


@pytest.mark.parametrize("value", ID_NO_MATCH)
def test_id_number_no_match(value: str) -> None:
    assert not is_valid_id_number(value, today=TODAY)


# --- USCC and organisation code -------------------------------------------------------------------


def test_uscc_known_value() -> None:
    # A published code (a well-known listed company): mod-31 and embedded organisation code both hold.
    assert is_valid_uscc("91350100M000100Y43")
    assert uscc_check_char("91350100M000100Y4") == "3"


USCC_SHOULD_MATCH = [
    make_uscc(),
    make_uscc("92", "320102", "L1234567"),
    make_uscc("12", "100000", "40000012"),  # central-level body, division code 100000
    make_uscc().lower(),
]


def _uscc_with_bad_org_check() -> str:
    body = "MA5F1234"
    wrong = "0" if org_code_check_char(body) != "0" else "1"
    first17 = f"91440300{body}{wrong}"
    return first17 + uscc_check_char(first17)  # the mod-31 check holds, the embedded one does not


USCC_NO_MATCH = [
    make_uscc()[:-1] + ("0" if make_uscc()[-1] != "0" else "1"),  # wrong mod-31 check
    _uscc_with_bad_org_check(),
    make_uscc().replace("M", "O", 1),  # O is not in the charset
    "91440300MA5F1234I" + "1",  # I is not in the charset
    make_uscc(region="990000"),  # unknown province
    make_uscc()[:17],
]


@pytest.mark.parametrize("value", USCC_SHOULD_MATCH)
def test_uscc_should_match(value: str) -> None:
    assert is_valid_uscc(value)


@pytest.mark.parametrize("value", USCC_NO_MATCH)
def test_uscc_no_match(value: str) -> None:
    assert not is_valid_uscc(value)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("MA5F1234-" + org_code_check_char("MA5F1234"), True),
        ("12345678-" + org_code_check_char("12345678"), True),
    ]
    + [("12345678-" + ("0" if org_code_check_char("12345678") != "0" else "1"), False), ("1234567", False)],
)
def test_org_code(value: str, valid: bool) -> None:
    assert is_valid_org_code(value) is valid


# --- VIN ------------------------------------------------------------------------------------------


def test_vin_check_digit_known_value() -> None:
    # The textbook example of the North American / ISO 3779 check digit.
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"


@pytest.mark.parametrize(
    ("vin", "status"),
    [
        (make_vin(), VinStatus.CHECKED),
        (make_vin("LFV2A21K0M4000001"), VinStatus.CHECKED),
        ("1M8GDM9AXKP042788", VinStatus.CHECKED),
        (make_vin().lower(), VinStatus.CHECKED),
        (unchecked_vin(), VinStatus.UNCHECKED),  # a European import: Z in position 9
        (unchecked_vin("WDD2050401R123456"), VinStatus.UNCHECKED),
        # Made in China (WMI region L): the check digit is mandatory, so a failing one is a misread.
        (make_vin()[:8] + ("0" if make_vin()[8] != "0" else "1") + make_vin()[9:], VinStatus.INVALID),
        ("LSVAB2BR0KN12345", VinStatus.INVALID),  # 16 characters
        ("LSVAB2BROKN123456", VinStatus.INVALID),  # O is never in a VIN
        ("LSVAB2BR0KN12345Q", VinStatus.INVALID),
        ("LSVAB2BR0KN1234A6", VinStatus.INVALID),  # the last four are digits
        ("12345678901234567", VinStatus.INVALID),  # 17 digits are not a VIN
    ],
)
def test_vin_status(vin: str, status: VinStatus) -> None:
    assert vin_status(vin) is status


# --- phones and plates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("(+86)13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("12812345678", None),  # no 12x segment
        ("1381234567", None),
        ("0755-12345678", None),  # a landline is not a mobile
        ("粤B12345", None),
    ],
)
def test_normalize_phone(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("粤B12345", "粤B12345"),
        ("粤B·12345", "粤B12345"),
        ("粤B 12345", "粤B12345"),
        ("粤b-1234x", "粤B1234X"),
        ("京AD12345", "京AD12345"),  # new energy, small car
        ("沪A12345D", "沪A12345D"),  # new energy, large car
        ("粤B1234学", "粤B1234学"),  # driving-school car
        ("粤BO1234", None),  # plates never hold O
        ("粤B1234", None),
        ("粤BABCDE", None),  # five letters are a word
        ("京A123456", None),  # six characters without D/F is not a new-energy plate
        ("13812345678", None),
    ],
)
def test_normalize_plate(raw: str, expected: str | None) -> None:
    assert normalize_plate(raw) == expected


# --- repair ---------------------------------------------------------------------------------------


def test_id_repair_forced_letters_have_exactly_one_candidate() -> None:
    good = make_id()
    assert good.count("0") >= 2
    read = good.replace("0", "O", 1).replace("1", "l", 1)
    assert repair_candidates(IdKind.ID_NUMBER, read, today=TODAY) == (good,)


def test_id_repair_gives_up_beyond_three_letters() -> None:
    read = make_id().replace("0", "O").replace("1", "I")
    assert repair_candidates(IdKind.ID_NUMBER, read, today=TODAY) == ()


def test_id_repair_cannot_fix_a_wrong_digit() -> None:
    good = make_id()
    wrong = good[:5] + ("7" if good[5] != "7" else "3") + good[6:]  # digit for digit: nothing to repair
    assert repair_candidates(IdKind.ID_NUMBER, wrong, today=TODAY) == ()


def test_vin_single_flip_repairs_always_contain_the_truth() -> None:
    vin = make_vin("LFV2A21K0M4000001")
    corruptions = vin_corruptions(vin)
    assert len(corruptions) >= 5
    for read, repairs in corruptions:
        assert vin in repairs, read


def test_vin_repairs_can_be_ambiguous() -> None:
    # With a one-in-eleven check, another look-alike often validates too: then no repair is trustworthy.
    counts = {
        len(repairs)
        for vin in (make_vin(), make_vin("LFV2A21K0M4000001"))
        for _, repairs in vin_corruptions(vin)
    }
    assert 1 in counts
    assert any(n >= 2 for n in counts)


def test_uscc_repair_of_illegal_letter() -> None:
    good = make_uscc("91", "440300", "10012345")
    read = good[:8] + good[8:].replace("0", "O", 1)
    assert "O" in read
    assert good in repair_candidates(IdKind.USCC, read)


def test_phone_repair_is_forced_only() -> None:
    assert repair_candidates(IdKind.PHONE, "l38l2345678") == ("13812345678",)
    assert repair_candidates(IdKind.PHONE, "13812345678") == ()  # nothing to repair
    assert repair_candidates(IdKind.PHONE, "I3BI2S4S67B") == ()  # too many letters to trust


def test_customer_no_repair_keeps_prefix() -> None:
    assert repair_candidates(IdKind.CUSTOMER_NO, "KH2O23OOO123") == ()  # four letters: too many
    assert repair_candidates(IdKind.CUSTOMER_NO, "KH2O23000l23") == ("KH2023000123",)
    assert repair_candidates(IdKind.CUSTOMER_NO, "KHZ023000123") == ("KH2023000123",)


# --- finder ---------------------------------------------------------------------------------------


def kinds_values(text: str, **kwargs: object) -> list[tuple[str, str]]:
    return [(f.kind.value, f.value) for f in find_identifiers(text, today=TODAY, **kwargs)]  # type: ignore[arg-type]


FIND_SHOULD_MATCH: list[tuple[str, list[tuple[str, str]]]] = [
    (f"公民身份号码 {make_id()}", [("id_number", make_id())]),
    (f"身份证号:{make_id()[:6]} {make_id()[6:14]} {make_id()[14:]}", [("id_number", make_id())]),
    (f"身份证号码 {ID_X[:-1]}x", [("id_number", ID_X)]),
    (f"ID No. {ID_X[:-1]}×", [("id_number", ID_X)]),
    ("手机：138-1234-5678", [("phone", "13812345678")]),
    ("Tel: +86 138 1234 5678", [("phone", "13812345678")]),
    ("Tel13812345678", [("phone", "13812345678")]),
    ("Tel No. 13812345678", [("phone", "13812345678")]),
    ("手机号码：13812345678", [("phone", "13812345678")]),
    ("电话 １３８１２３４５６７８", [("phone", "13812345678")]),
    ("联系电话 13812345678 / 13987654321", [("phone", "13812345678"), ("phone", "13987654321")]),
    (f"统一社会信用代码：{make_uscc()}", [("uscc", make_uscc())]),
    (f"纳税人识别号 {make_uscc().lower()}", [("uscc", make_uscc())]),
    (f"车架号：{make_vin()}", [("vin", make_vin())]),
    (f"车辆识别代号/车架号 {make_vin()[:8]} {make_vin()[8:]}", [("vin", make_vin())]),
    (f"VIN:{unchecked_vin()}", [("vin", unchecked_vin())]),
    (f"VIN{make_vin()}", [("vin", make_vin())]),
    ("车牌号 粤B·12345", [("plate", "粤B12345")]),
    ("号牌号码：京AD12345", [("plate", "京AD12345")]),
    ("客户编号：KH2023000123", [("customer_no", "KH2023000123")]),
    ("Customer No. KH 2023000123", [("customer_no", "KH2023000123")]),
    # A plate is not a phone, and a phone next to a plate stays a phone.
    ("车牌 粤B12345 手机 13812345678", [("plate", "粤B12345"), ("phone", "13812345678")]),
]


@pytest.mark.parametrize(("text", "expected"), FIND_SHOULD_MATCH)
def test_find_should_match(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds_values(text) == expected


FIND_NO_MATCH = [
    "开票日期 2023-05-01 金额 ¥138,000.00",
    "发票代码 144031900110 发票号码 01234567",  # 12 and 8 digits
    "账号 6222 0212 3456 7890 123",  # a bank account is no phone
    "The Buyer shall pay the Seller the full price within SEVEN 144031900110 days",
    "合同编号 HT-2023-0456",
    "12345678901234567",  # 17 digits: no VIN
    "粤B12345678",  # too long for a plate, and not a phone
    f"{make_id()[:-1]}{'0' if make_id()[-1] != '0' else '1'}",  # wrong check character, nothing to repair
    "INTERNATIONALIZED",
    "主管税务机关及代码 13201000000",  # a tax office code has a mobile number's shape
    "机器编号 13812345678",
    # Two numbers side by side in a table do not make a VIN without a VIN label, whatever the check says.
    f"合格证编号 {make_vin()[:15]} {make_vin()[15:]}",
]


@pytest.mark.parametrize("text", FIND_NO_MATCH)
def test_find_no_match(text: str) -> None:
    assert kinds_values(text) == []


def test_find_reports_span_raw_and_label() -> None:
    text = f"买方 张三 身份证号码：{make_id()[:9]} {make_id()[9:]}"
    (found,) = find_identifiers(text, today=TODAY)
    assert found.raw == f"{make_id()[:9]} {make_id()[9:]}"
    assert text[found.span[0] : found.span[1]] == found.raw
    assert found.labelled and found.valid and found.checked and found.repairs == ()


def test_find_repairs_ocr_confused_id_number() -> None:
    good = make_id()
    read = good.replace("0", "O", 1).replace("1", "l", 1)
    (found,) = find_identifiers(f"身份证 {read}", today=TODAY)
    assert found.kind is IdKind.ID_NUMBER
    assert not found.valid
    assert found.repairs == (good,)


def test_find_unchecked_vin_is_valid_but_not_checked() -> None:
    (found,) = find_identifiers(f"车架号 {unchecked_vin()}", today=TODAY)
    assert found.valid and not found.checked


def test_found_repr_hides_the_value() -> None:
    (found,) = find_identifiers(f"身份证号 {make_id()}", today=TODAY)
    assert make_id() not in repr(found)
    assert make_id()[:10] not in repr(found)


def test_customer_no_pattern_is_configurable() -> None:
    text = "客户号 C-000123"
    assert kinds_values(text) == []
    assert kinds_values(text, customer_no_pattern=r"C\d{6}") == [("customer_no", "C000123")]


def test_find_handles_a_long_noisy_page_quickly() -> None:
    # Not a timing assertion: a page of 20 000 identifier-ish characters must simply complete.
    text = ("AB12 CD34 " * 1000) + f" 身份证 {make_id()}"
    found = find_identifiers(text, today=TODAY)
    assert [f.kind for f in found if f.valid] == [IdKind.ID_NUMBER]


def test_found_is_frozen() -> None:
    (found,) = find_identifiers("手机 13812345678")
    assert isinstance(found, Found)
    with pytest.raises(AttributeError):
        found.value = "x"  # type: ignore[misc]
