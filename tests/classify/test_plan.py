"""Scan context: what a file's certain documents tell about their neighbours, without ever misfiling."""

from __future__ import annotations

from classify.matching import Evidence, EvidenceStatus, Match, Strength
from classify.plan import DocumentPlan, apply_scan_context


def _doc(match: Match) -> DocumentPlan:
    return DocumentPlan((1,), "other", 0.9, "test", match)


def _certain(customer: str, dossier: str | None = "DA-1", pending: tuple[str, ...] = ()) -> Match:
    ev = Evidence("id_number", Strength.STRONG, EvidenceStatus.MATCH, "x", (customer,), False, 0)
    return Match(customer, dossier, pending, 0.99, True, f"id_number matches {customer}", (ev,))


def _one_phone(customer: str, *, also: tuple[str, ...] = ()) -> Match:
    ev = Evidence("phone", Strength.GOOD, EvidenceStatus.MATCH, "p", (customer, *also), False, 0)
    return Match(customer, "DA-1", (), 0.6, False, "one good identifier is not enough", (ev,))


def _nothing() -> Match:
    return Match(None, None, (), 0.0, False, "no customer evidence found", ())


def test_one_good_identifier_next_to_a_certain_document_of_that_customer_becomes_certain() -> None:
    docs = apply_scan_context([_doc(_certain("KH1")), _doc(_one_phone("KH1"))])
    assert docs[1].match.certain and not docs[1].needs_review


def test_no_upgrade_when_the_neighbour_is_another_customer_or_the_evidence_is_shared() -> None:
    assert not apply_scan_context([_doc(_certain("KH2")), _doc(_one_phone("KH1"))])[1].match.certain
    shared = apply_scan_context([_doc(_certain("KH1")), _doc(_one_phone("KH1", also=("KH3",)))])
    assert not shared[1].match.certain


def test_pending_dossier_resolved_only_when_the_scan_names_one_of_them() -> None:
    id_copy = _certain("KH1", dossier=None, pending=("DA-1", "DA-2"))
    docs = apply_scan_context([_doc(_certain("KH1", "DA-2")), _doc(id_copy)])
    assert docs[1].match.dossier_key == "DA-2" and not docs[1].needs_review
    split = apply_scan_context([_doc(_certain("KH1", "DA-1")), _doc(id_copy), _doc(_certain("KH1", "DA-2"))])
    assert split[1].needs_review and split[1].match.pending_dossiers == ("DA-1", "DA-2")


def test_a_document_without_evidence_is_only_suggested_never_filed() -> None:
    docs = apply_scan_context([_doc(_certain("KH1")), _doc(_nothing()), _doc(_certain("KH1"))])
    assert docs[1].match.customer_no == "KH1" and docs[1].needs_review
    mixed = apply_scan_context([_doc(_certain("KH1", "DA-1")), _doc(_nothing()), _doc(_certain("KH2", "DA-2"))])
    assert mixed[1].match.customer_no is None and mixed[1].needs_review
    assert mixed[1].match.pending_dossiers == ("DA-1", "DA-2")  # pending in both until a person decides


def test_a_blank_sheet_in_a_duplex_scan_is_set_apart_and_backs_stay() -> None:
    from classify.plan import set_blank_sheets_apart
    from classify.segment import Segment

    #            p1 contract, back, p2 contract, back, blank sheet front, its back, invoice, back
    blank = [False, True, False, True, True, True, False, True]
    segments = [Segment((0, 1, 2, 3, 4, 5), "contract", "title"), Segment((6, 7), "invoice", "title")]
    out = set_blank_sheets_apart(segments, blank)
    assert [s.pages for s in out] == [(0, 1, 2, 3), (4, 5), (6, 7)]
    assert out[1].doc_type == "blank"
    simplex = [False, True, False, False]  # not duplex: a blank page stays with its document
    assert set_blank_sheets_apart([Segment((0, 1, 2, 3), "contract", "t")], simplex)[0].pages == (0, 1, 2, 3)


def test_dashed_footer_page_numbers_are_read() -> None:
    from classify.segment import page_number

    assert page_number("合同编号：JD2024110493\n第七条 合同生效\n日期：2024-10-18\n- 2 -") == 2
    assert page_number("Terms\n— 3 —") == 3
    assert page_number("单价 - 2 - 件") is None


def _unknown_id(value: str) -> Evidence:
    return Evidence("id_number", Strength.STRONG, EvidenceStatus.UNKNOWN, value, (), False, 0)


def _company_contract(customer: str, dossier: str | None, agent_id: str | None) -> Match:
    """A company's contract: its USCC matches, the agent's ID number printed on it is not in the register."""
    ev = [Evidence("uscc", Strength.STRONG, EvidenceStatus.MATCH, "u", (customer,), False, 0)]
    if agent_id:
        ev.append(_unknown_id(agent_id))
    return Match(customer, dossier, (), 0.99, True, f"uscc matches {customer}", tuple(ev))


def _agent_card(value: str) -> Match:
    return Match(None, None, (), 0.0, False, "unknown id_number (not in register)", (_unknown_id(value),))


def test_an_unknown_id_card_is_filed_only_when_a_certain_document_of_the_scan_prints_its_number() -> None:
    vouched = apply_scan_context([_doc(_company_contract("KH1", "DA-1", "ID-A")), _doc(_agent_card("ID-A"))])
    assert not vouched[1].needs_review
    assert (vouched[1].match.customer_no, vouched[1].match.dossier_key) == ("KH1", "DA-1")
    assert "certainly KH1's" in vouched[1].match.reason
    # The contract names another agent, or none: the card stays in review.
    for agent in ("ID-B", None):
        stays = apply_scan_context([_doc(_company_contract("KH1", "DA-1", agent)), _doc(_agent_card("ID-A"))])
        assert stays[1].needs_review and stays[1].match.customer_no is None


def test_an_unknown_id_card_vouched_for_by_two_customers_or_two_dossiers_stays_in_review() -> None:
    two_customers = apply_scan_context([
        _doc(_company_contract("KH1", "DA-1", "ID-A")), _doc(_agent_card("ID-A")),
        _doc(_company_contract("KH2", "DA-2", "ID-A")),
    ])
    assert two_customers[1].needs_review
    two_dossiers = apply_scan_context([
        _doc(_company_contract("KH1", "DA-1", "ID-A")), _doc(_agent_card("ID-A")),
        _doc(_company_contract("KH1", "DA-3", None)),
    ])
    assert two_dossiers[1].needs_review
    # A card whose name is another registered customer's is not vouched for either.
    name = Evidence("name", Strength.WEAK, EvidenceStatus.MATCH, "n", ("KH9",), False, 0)
    card = Match(None, None, (), 0.0, False, "unknown id_number", (_unknown_id("ID-A"), name))
    named = apply_scan_context([_doc(_company_contract("KH1", "DA-1", "ID-A")), _doc(card)])
    assert named[1].needs_review


def test_the_same_paper_in_another_dossier_of_the_customer_is_no_duplicate() -> None:
    from classify.duplicates import Earlier
    from classify.plan import JobPlan, flag_duplicates

    text = ("中华人民共和国居民身份证 姓名 张伟 性别 男 民族 汉 出生 1985年3月2日 住址 广东省广州市天河区体育西路100号"
            " 公民身份号码 440106198503020017 签发机关 广州市公安局天河分局 有效期限 2015.03.02-2035.03.02")
    plan = JobPlan({1: None}, (DocumentPlan((1,), "id_copy", 0.9, "title", _certain("KH1", "DA-2")),))  # type: ignore[dict-item]
    in_other = [Earlier(7, "DA-1-SF-01", (text,), ("DA-1",))]
    assert not flag_duplicates(plan, {1: text}, lambda _c: in_other).documents[0].needs_review
    in_same = [Earlier(7, "DA-2-SF-01", (text,), ("DA-2",))]
    flagged = flag_duplicates(plan, {1: text}, lambda _c: in_same).documents[0]
    assert flagged.needs_review and flagged.duplicate_of == 7
