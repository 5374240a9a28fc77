"""Customer and dossier matching against a small register: strong, good, weak evidence, conflicts, repairs."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from classify.matching import (
    CustomerRecord,
    DealerIdentifiers,
    DossierRecord,
    Match,
    Register,
    Strength,
    VehicleRecord,
    match_document,
    page_customer_keys,
)
from tests.classify.helpers import make_id, make_uscc, make_vin, unchecked_vin, vin_corruptions

TODAY = date(2024, 6, 1)

ID_ZHANG = make_id("110101", "19900307", "123")
ID_LI = make_id("440305", "19850612", "456")
ID_STRANGER = make_id("110101", "19900307", "125")  # valid, one digit from 张三's, and not in the register
USCC_XINGHE = make_uscc("91", "440300", "MA5F1234")
USCC_DEALER = make_uscc("91", "440304", "12345678")
VIN_ZHANG = make_vin("LSVAB2BR0KN123456")
VIN_LI_1 = make_vin("LFV2A21K0M4000001")
VIN_LI_2 = make_vin("LFV2A21K0M4000002")
VIN_IMPORT = unchecked_vin("WDD2050401R123456")

ZHANG, LI, XINGHE, WANG, WANG_WIFE, ZHAO = (
    "KH2023000001",
    "KH2023000002",
    "KH2023000003",
    "KH2023000004",
    "KH2023000005",
    "KH2023000006",
)


@pytest.fixture(scope="module")
def register() -> Register:
    customers = [
        CustomerRecord(ZHANG, "张三", "person", id_number=ID_ZHANG, phone="13812345678"),
        CustomerRecord(LI, "李四", "person", id_number=ID_LI.lower(), phone="139-8765-4321"),
        CustomerRecord(
            XINGHE,
            "深圳市星河科技有限公司",
            "company",
            uscc=USCC_XINGHE,
            phone="13700001111",
            plate="粤B·12345",
        ),
        CustomerRecord(WANG, "王五", "person", phone="13600002222"),
        CustomerRecord(WANG_WIFE, "陈梅", "person", phone="+86 136 0000 2222"),  # the family shares a phone
        CustomerRecord(ZHAO, "赵六", "person", phone="13300003333"),
    ]
    vehicles = [
        VehicleRecord(VIN_ZHANG, ZHANG),
        VehicleRecord(VIN_LI_1, LI, plate="粤B88888"),
        VehicleRecord(VIN_LI_2, LI),
        VehicleRecord(VIN_IMPORT, ZHAO),
    ]
    dossiers = [
        DossierRecord("D-ZHANG", ZHANG, VIN_ZHANG, open=True),
        DossierRecord("D-LI-1", LI, VIN_LI_1, open=True),
        DossierRecord("D-LI-2", LI, VIN_LI_2, open=True),
        DossierRecord("D-XINGHE", XINGHE, None, open=True),
        DossierRecord("D-ZHAO-OLD", ZHAO, VIN_IMPORT, open=False),
    ]
    dealer = DealerIdentifiers(
        uscc=(USCC_DEALER,),
        phones=("13500000000", "0755-12345678"),
        names=("深圳市某某汽车销售服务有限公司",),
        addresses=("深圳市南山区科技园路1号",),
    )
    return Register.build(customers, vehicles, dossiers, dealer)


def match(register: Register, *pages: str) -> Match:
    return match_document(list(pages), register, today=TODAY)


def contract_page(buyer: str) -> str:
    """A contract page as dealers print them: the dealer's identifiers first, then the buyer's."""
    return (
        "汽车销售合同\n出卖人：深圳市某某汽车销售服务有限公司 统一社会信用代码：" + USCC_DEALER + "\n"
        "地址：深圳市南山区科技园路1号 销售热线：135-0000-0000\n" + buyer
    )


# --- should match: certain ------------------------------------------------------------------------

CERTAIN: list[tuple[str, list[str], str, str | None, tuple[str, ...]]] = [
    ("strong: resident ID", [f"公民身份号码 {ID_ZHANG}"], ZHANG, "D-ZHANG", ()),
    ("strong: ID with lower-case x in the register", [f"身份证号 {ID_LI}"], LI, None, ("D-LI-1", "D-LI-2")),
    ("strong: USCC", [f"统一社会信用代码 {USCC_XINGHE}"], XINGHE, "D-XINGHE", ()),
    ("strong: VIN picks the vehicle's dossier", [f"车架号 {VIN_LI_2}"], LI, "D-LI-2", ()),
    ("strong: imported VIN without check digit, exact", [f"VIN {VIN_IMPORT}"], ZHAO, "D-ZHAO-OLD", ()),
    ("good: phone and plate agree", ["联系电话 13700001111\n车牌号 粤B12345"], XINGHE, "D-XINGHE", ()),
    (
        "good: customer number and phone agree",
        ["客户编号 KH2023000001 手机 138 1234 5678"],
        ZHANG,
        "D-ZHANG",
        (),
    ),
    ("good: plate names the vehicle and its dossier", ["手机 13987654321 号牌 粤B·88888"], LI, "D-LI-1", ()),
    ("strong and good agree", [f"身份证 {ID_ZHANG} 电话 13812345678"], ZHANG, "D-ZHANG", ()),
    (
        "pages share the customer: evidence on page 1 only",
        [f"身份证号 {ID_ZHANG}", "第八条 争议解决……"],
        ZHANG,
        "D-ZHANG",
        (),
    ),
    (
        "dealer identifiers are ignored",
        [contract_page(f"买受人：张三 身份证号码：{ID_ZHANG}")],
        ZHANG,
        "D-ZHANG",
        (),
    ),
    ("a name agrees", [f"买方 张三 身份证号 {ID_ZHANG}"], ZHANG, "D-ZHANG", ()),
]


@pytest.mark.parametrize(
    ("name", "pages", "customer", "dossier", "pending"), CERTAIN, ids=[c[0] for c in CERTAIN]
)
def test_should_match_certain(
    register: Register,
    name: str,
    pages: list[str],
    customer: str,
    dossier: str | None,
    pending: tuple[str, ...],
) -> None:
    result = match(register, *pages)
    assert result.certain, result.reason
    assert result.customer_no == customer
    assert result.dossier_key == dossier
    assert result.pending_dossiers == pending
    assert result.confidence >= 0.85


def test_reason_explains(register: Register) -> None:
    result = match(register, f"身份证 {ID_ZHANG} 电话 13812345678 姓名 张三")
    assert result.reason.startswith(f"id_number matches {ZHANG}")
    assert "phone agrees" in result.reason and "name agrees" in result.reason
    assert "D-ZHANG" in result.reason


def test_dealer_identifiers_are_counted_not_used(register: Register) -> None:
    result = match(register, contract_page(f"买受人身份证号码：{ID_ZHANG}"))
    assert "2 dealer identifiers ignored" in result.reason
    assert all(e.value not in (USCC_DEALER, "13500000000") for e in result.evidence)


def test_only_dealer_identifiers_give_no_customer(register: Register) -> None:
    result = match(register, contract_page("买受人：（空白）"))
    assert result.customer_no is None and not result.certain
    assert result.evidence == ()


def test_customer_with_two_open_dossiers_is_pending_in_both(register: Register) -> None:
    result = match(register, f"居民身份证 公民身份号码 {ID_LI}")
    assert result.certain and result.customer_no == LI
    assert result.dossier_key is None
    assert result.pending_dossiers == ("D-LI-1", "D-LI-2")
    assert "pending in 2 open dossiers" in result.reason


def test_vin_of_each_vehicle_picks_its_own_dossier(register: Register) -> None:
    assert match(register, f"VIN {VIN_LI_1}").dossier_key == "D-LI-1"
    assert match(register, f"VIN {VIN_LI_2}").dossier_key == "D-LI-2"


def test_a_document_naming_both_vehicles_is_pending_in_both(register: Register) -> None:
    result = match(register, f"车架号 {VIN_LI_1}\n车架号 {VIN_LI_2}")
    assert result.certain and result.customer_no == LI
    assert result.dossier_key is None and result.pending_dossiers == ("D-LI-1", "D-LI-2")


# --- no match, or not certain ---------------------------------------------------------------------

UNCERTAIN: list[tuple[str, list[str], str | None, str]] = [
    ("nothing at all", ["第八条 争议解决……"], None, "no customer evidence"),
    ("one good identifier is not enough", ["手机 13812345678"], ZHANG, "one good identifier is not enough"),
    ("a name alone is never enough", ["买方：张三"], ZHANG, "only the name matches"),
    ("good evidence conflicts", ["手机 13812345678 客户编号 KH2023000002"], None, "conflict"),
    ("strong and good conflict", [f"身份证 {ID_ZHANG} 手机 13987654321"], None, "conflict"),
    ("two strong conflict", [f"身份证 {ID_ZHANG}\n车架号 {VIN_LI_1}"], None, "conflict"),
    (
        "unknown customer is not replaced by a similar one",
        [f"身份证号 {ID_STRANGER} 买方 张三"],
        None,
        "unknown id_number",
    ),
    (
        "an unknown ID next to a known one",
        [f"身份证 {ID_ZHANG} 共同购车人身份证 {ID_STRANGER}"],
        ZHANG,
        "unknown id_number",
    ),
    ("unknown customer number", [f"身份证 {ID_ZHANG} 客户编号 KH2099000001"], ZHANG, "unknown customer_no"),
    (
        "an unknown phone spoils good-only certainty",
        ["客户编号 KH2023000001 手机 13812345678 13911112222"],
        ZHANG,
        "unknown phone",
    ),
    ("a family phone matches two customers", ["电话 136 0000 2222"], None, "phone matches 2 customers"),
    (
        "family phone and a name narrow it, still uncertain",
        ["电话 13600002222 王五"],
        WANG,
        "name narrows it",
    ),
]


@pytest.mark.parametrize(("name", "pages", "suggested", "reason"), UNCERTAIN, ids=[c[0] for c in UNCERTAIN])
def test_no_certain_match(
    register: Register, name: str, pages: list[str], suggested: str | None, reason: str
) -> None:
    result = match(register, *pages)
    assert not result.certain
    assert result.customer_no == suggested
    assert reason in result.reason
    assert result.confidence < 0.85


def test_conflict_names_both_customers(register: Register) -> None:
    result = match(register, f"身份证 {ID_ZHANG} 手机 13987654321")
    assert ZHANG in result.reason and LI in result.reason
    assert result.dossier_key is None and result.pending_dossiers == ()


def test_a_company_agents_id_does_not_block_a_company_match(register: Register) -> None:
    result = match(register, f"买受人 统一社会信用代码 {USCC_XINGHE}\n经办人身份证号码 {ID_STRANGER}")
    assert result.certain and result.customer_no == XINGHE
    assert "company's agent" in result.reason


def test_an_unknown_phone_next_to_a_strong_match_is_tolerated(register: Register) -> None:
    # Contracts print the sales consultant's mobile: it must not send every contract to review.
    result = match(register, f"身份证 {ID_ZHANG}\n销售顾问 13911112222")
    assert result.certain and result.customer_no == ZHANG
    assert "unknown phone ignored" in result.reason


# --- repaired identifiers -------------------------------------------------------------------------


def test_repaired_id_with_one_candidate_matches(register: Register) -> None:
    read = ID_ZHANG.replace("0", "O", 1).replace("1", "l", 1)
    result = match(register, f"身份证号 {read}")
    assert result.certain and result.customer_no == ZHANG
    assert "id_number (repaired) matches" in result.reason
    assert result.confidence < 0.99  # a repair is a little less sure than a clean reading
    assert result.evidence[0].repaired and result.evidence[0].value == ID_ZHANG


def test_repaired_id_not_in_register_is_not_used(register: Register) -> None:
    read = ID_STRANGER.replace("0", "O", 1)
    result = match(register, f"身份证号 {read}")
    assert result.customer_no is None and not result.certain
    assert "repaired but not in register" in result.reason


def _corrupted_vin(vin: str, candidates: int) -> str:
    for read, repairs in vin_corruptions(vin):
        if len(repairs) == candidates and vin in repairs:
            return read
    raise AssertionError(f"no corruption of {vin} with {candidates} candidates")


def test_repaired_vin_with_one_candidate_matches(register: Register) -> None:
    read = _corrupted_vin(VIN_ZHANG, 1)
    result = match(register, f"车架号 {read}")
    assert result.certain and result.customer_no == ZHANG and result.dossier_key == "D-ZHANG"


def test_repaired_vin_with_two_candidates_is_not_used(register: Register) -> None:
    read = _corrupted_vin(VIN_ZHANG, 2)
    result = match(register, f"车架号 {read}")
    assert result.customer_no is None and not result.certain
    assert "vin unreadable" in result.reason


def test_ambiguous_repair_does_not_block_other_evidence_for_the_same_customer(register: Register) -> None:
    read = _corrupted_vin(VIN_ZHANG, 2)
    result = match(register, f"身份证 {ID_ZHANG}\n车架号 {read}")
    assert result.certain and result.customer_no == ZHANG


# --- privacy --------------------------------------------------------------------------------------


ALL_PAGES = [pages for _, pages, *_ in CERTAIN] + [pages for _, pages, *_ in UNCERTAIN]


@pytest.mark.parametrize("pages", ALL_PAGES)
def test_reasons_never_hold_identifier_values(register: Register, pages: list[str]) -> None:
    result = match(register, *pages)
    for ev in result.evidence:
        if ev.kind != "customer_no":  # the customer number is the register key the reason names
            assert ev.value not in result.reason
            assert ev.value not in repr(ev)
    for secret in (ID_ZHANG, ID_LI, ID_STRANGER, USCC_XINGHE, VIN_ZHANG, "13812345678", "粤B12345", "张三"):
        assert secret not in result.reason
        assert secret not in repr(result)


def test_matching_logs_nothing(register: Register, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        match(register, f"身份证 {ID_ZHANG} 电话 13812345678")
    assert caplog.records == []


def test_register_repr_hides_identifiers(register: Register) -> None:
    assert ID_ZHANG not in repr(register)
    assert ID_ZHANG not in repr(register.customers[ZHANG])


# --- evidence and page keys -----------------------------------------------------------------------


def test_evidence_strengths(register: Register) -> None:
    result = match(register, f"身份证 {ID_ZHANG} 电话 13812345678 张三")
    strengths = {e.kind: e.strength for e in result.evidence}
    assert strengths == {"id_number": Strength.STRONG, "phone": Strength.GOOD, "name": Strength.WEAK}


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        (f"身份证 {ID_ZHANG}", {ZHANG}),
        (f"车架号 {VIN_ZHANG}", {ZHANG}),  # another kind, same customer, same key
        ("电话 13812345678", {ZHANG}),
        ("电话 13600002222", set()),  # shared phone decides nothing
        (contract_page(""), set()),  # dealer only
        (f"身份证 {ID_STRANGER}", {f"id_number:{ID_STRANGER}"}),
        ("第八条 争议解决", set()),
    ],
)
def test_page_customer_keys(register: Register, text: str, keys: set[str]) -> None:
    assert page_customer_keys(text, register, today=TODAY) == frozenset(keys)


def test_custom_customer_number_format() -> None:
    reg = Register.build(
        [CustomerRecord("C-000123", "张三", phone="13812345678")], customer_no_pattern=r"C\d{6}"
    )
    result = match_document(["客户号 C-000123 手机 13812345678"], reg, today=TODAY)
    assert result.certain and result.customer_no == "C-000123"
