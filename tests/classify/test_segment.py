"""Segmentation of batches into documents: duplex blanks, continuation pages, several customers per batch."""

from __future__ import annotations

import pytest

from classify.segment import PageFacts, page_number, segment_pages

BLANK_PAGE = PageFacts("blank", 0.95, blank=True)


def contract(*keys: str, titled: bool = True, confidence: float = 0.9) -> PageFacts:
    return PageFacts("contract", confidence, titled=titled, keys=frozenset(keys))


def continuation(*keys: str, doc_type: str = "contract", confidence: float = 0.5) -> PageFacts:
    """Page 2 of something: no title, often no name; its type is whatever its clauses say."""
    return PageFacts(doc_type, confidence, titled=False, keys=frozenset(keys))


def invoice(*keys: str) -> PageFacts:
    return PageFacts("invoice", 0.95, titled=True, keys=frozenset(keys))


def id_copy(*keys: str, titled: bool = False) -> PageFacts:
    return PageFacts("id_copy", 0.9, titled=titled, keys=frozenset(keys))


def inspection(*keys: str) -> PageFacts:
    return PageFacts("inspection_sheet", 0.9, titled=True, keys=frozenset(keys))


def unclear() -> PageFacts:
    return PageFacts("other", 0.25)


def groups(pages: list[PageFacts]) -> list[tuple[int, ...]]:
    return [segment.pages for segment in segment_pages(pages)]


CASES: list[tuple[str, list[PageFacts], list[tuple[int, ...]]]] = [
    ("empty batch", [], []),
    ("one page", [contract("KH1")], [(0,)]),
    (
        "contract of three pages: continuation pages join",
        [contract("KH1"), continuation(), continuation(doc_type="other", confidence=0.2)],
        [(0, 1, 2)],
    ),
    (
        "duplex: a blank back after every sheet never splits",
        [contract("KH1"), BLANK_PAGE, continuation(), BLANK_PAGE, continuation("KH1"), BLANK_PAGE],
        [(0, 1, 2, 3, 4, 5)],
    ),
    (
        "duplex dossier: contract, invoice, ID copy, PDI sheet of one customer",
        [
            contract("KH1"),
            BLANK_PAGE,
            continuation(),
            BLANK_PAGE,
            invoice("KH1"),
            BLANK_PAGE,
            id_copy("KH1"),
            BLANK_PAGE,
            inspection(),
            BLANK_PAGE,
        ],
        [(0, 1, 2, 3), (4, 5), (6, 7), (8, 9)],
    ),
    (
        "three customers in one batch, documents without titles split on customer evidence",
        [
            contract("KH1"),
            continuation(),
            continuation("KH2", confidence=0.7),
            continuation(),
            id_copy("KH3"),
        ],
        [(0, 1), (2, 3), (4,)],
    ),
    (
        "three customers, each a contract and an ID copy",
        [
            contract("KH1"),
            continuation(),
            id_copy("KH1"),
            contract("KH2"),
            continuation(),
            id_copy("KH2"),
            contract("KH3"),
            continuation("KH3"),
            id_copy("KH3"),
        ],
        [(0, 1), (2,), (3, 4), (5,), (6, 7), (8,)],
    ),
    (
        "an ID copy is one sheet; its other side, scanned separately, joins it",
        [id_copy("KH1"), id_copy(titled=True), contract("KH1")],
        [(0, 1), (2,)],
    ),
    (
        "two ID copies in a row: the second carries another customer's number",
        [id_copy("KH1"), id_copy("KH2")],
        [(0,), (1,)],
    ),
    (
        "an ID copy followed by an unclassified page: one sheet ends the ID copy",
        [id_copy("KH1"), unclear()],
        [(0,), (1,)],
    ),
    (
        "a new title starts a document even for the same customer",
        [contract("KH1"), continuation(), contract("KH1")],
        [(0, 1), (2,)],
    ),
    (
        "a confident change of type without a title starts a document",
        [contract("KH1"), continuation(), continuation(doc_type="inspection_sheet", confidence=0.8)],
        [(0, 1), (2,)],
    ),
    (
        "an unsure change of type does not, unless a blank page stands between",
        [
            contract("KH1"),
            continuation(doc_type="invoice", confidence=0.4),
            BLANK_PAGE,
            continuation(doc_type="inspection_sheet", confidence=0.4),
        ],
        [(0, 1, 2), (3,)],
    ),
    (
        "leading blank pages join the first document",
        [BLANK_PAGE, BLANK_PAGE, contract("KH1"), continuation()],
        [(0, 1, 2, 3)],
    ),
    ("a batch of blank pages is one blank group", [BLANK_PAGE, BLANK_PAGE], [(0, 1)]),
    (
        "a page numbering itself 2 continues despite a repeated running title",
        [
            contract("KH1"),
            PageFacts("contract", 0.9, titled=True, page_of=2),
            PageFacts("contract", 0.9, True, page_of=1),
        ],
        [(0, 1), (2,)],
    ),
    (
        "unknown customers differ by their identifiers",
        [contract("id_number:A"), continuation(), contract("id_number:B", titled=False)],
        [(0, 1), (2,)],
    ),
    (
        "pages naming no customer never split on evidence",
        [contract("KH1"), continuation(), continuation(), continuation("KH1")],
        [(0, 1, 2, 3)],
    ),
]


@pytest.mark.parametrize(("name", "pages", "expected"), CASES, ids=[c[0] for c in CASES])
def test_segmentation(name: str, pages: list[PageFacts], expected: list[tuple[int, ...]]) -> None:
    assert groups(pages) == expected


def test_a_sparse_page_unlike_the_document_starts_one() -> None:
    # A photo page captioned 交车留念 after a PDI sheet is not its page 2; a signature page with 甲方/乙方
    # after a contract is.
    caption = PageFacts("other", 0.25, chars=4, scores=(("contract", 0.0), ("inspection_sheet", 0.0)))
    signatures = PageFacts("other", 0.2, chars=12, scores=(("contract", 5.0),))
    annex = PageFacts("other", 0.25, chars=600, scores=())  # a full page of unrecognised text continues
    assert groups([inspection("KH1"), BLANK_PAGE, caption, BLANK_PAGE]) == [(0, 1), (2, 3)]
    assert groups([contract("KH1"), signatures]) == [(0, 1)]
    assert groups([contract("KH1"), annex]) == [(0, 1)]


def test_facts_from_a_classification() -> None:
    from classify.doctype import classify_page, load_rules

    result = classify_page("汽车销售合同\n甲方 乙方 本合同一式两份", [], load_rules())
    facts = PageFacts.from_classification(result, keys=frozenset({"KH1"}), page_of=1)
    assert (facts.doc_type, facts.titled, facts.keys, facts.page_of) == (
        "contract",
        True,
        frozenset({"KH1"}),
        1,
    )
    assert facts.chars == result.chars > 0 and not facts.is_blank


def test_every_page_exactly_once_and_in_order() -> None:
    pages = [
        BLANK_PAGE,
        contract("KH1"),
        BLANK_PAGE,
        id_copy("KH1"),
        id_copy("KH2"),
        unclear(),
        invoice("KH2"),
    ]
    flat = [i for g in groups(pages) for i in g]
    assert flat == list(range(len(pages)))


def test_segments_explain_their_start() -> None:
    segments = segment_pages(
        [contract("KH1"), continuation(), continuation("KH2", confidence=0.7), id_copy("KH2")]
    )
    assert [s.reason for s in segments] == [
        "start of batch",
        "customer evidence changed",
        "type changed to id_copy",
    ]
    assert [s.doc_type for s in segments] == ["contract", "contract", "id_copy"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("本合同其他条款……\n第 2 页 共 3 页", 2),
        ("第1页/共2页\n汽车销售合同", 1),
        ("Page 3 of 4", 3),
        ("terms continue\np. 2/5", 2),
        ("汽车销售合同\n第一条 车辆信息", None),
        ("2/3 of the price is due on delivery", None),
    ],
)
def test_page_number(text: str, expected: int | None) -> None:
    assert page_number(text) == expected


def test_a_page_repeating_its_contract_number_continues_the_contract_even_under_a_title_like_header() -> None:
    from classify.segment import document_refs

    first = PageFacts("contract", 0.9, titled=True, refs=document_refs("汽车销售合同\n合同编号：JD2024040418"))
    second = PageFacts("contract", 0.8, titled=True, refs=document_refs("合同编号：JD2024040418\n第六条 其他约定"))
    assert [s.pages for s in segment_pages([first, second])] == [(0, 1)]
    other_contract = PageFacts("contract", 0.9, titled=True, refs=document_refs("合同编号：JD2024040999"))
    assert [s.pages for s in segment_pages([first, other_contract])] == [(0,), (1,)]
    # An invoice citing the contract is still a document of its own.
    invoice = PageFacts("invoice", 0.9, titled=True, refs=document_refs("机动车销售统一发票 合同编号：JD2024040418"))
    assert [s.pages for s in segment_pages([first, invoice])] == [(0,), (1,)]
