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
