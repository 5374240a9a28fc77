"""The query language: what people type becomes the tree the backends translate; mistakes get a message."""

from __future__ import annotations

from datetime import date

import pytest

from search_api.query import (
    All,
    And,
    CustomerIs,
    DateIn,
    Not,
    Or,
    QueryError,
    Text,
    TypeIs,
    parse_query,
    text_phrases,
    with_filters,
)

CASES = [
    ("张伟", Text(("张", "伟"))),
    # A bare title word is its text or the document type; quoted, only text.
    ("张伟 购车发票", And((Text(("张", "伟")), Or((Text(("购", "车", "发", "票")), TypeIs("invoice")))))),
    ('张伟 "购车发票"', And((Text(("张", "伟")), Text(("购", "车", "发", "票"))))),
    ('"sales agreement"', Text(("sales", "agreement"))),
    ("“购车 发票”", Text(("购", "车", "发", "票"))),
    ("ＬＳＶＡＵ２１８０", Text(tuple("lsvau2180"))),
    ("a OR b c", Or((Text(("a",)), And((Text(("b",)), Text(("c",))))))),
    ("张伟 -维修", And((Text(("张", "伟")), Not(Text(("维", "修")))))),
    ("NOT 发票", Not(Or((Text(("发", "票")), TypeIs("invoice"))))),
    ("+张伟", Text(("张", "伟"))),
    ("(a OR b) AND c", And((Or((Text(("a",)), Text(("b",)))), Text(("c",))))),
    ("type:发票", TypeIs("invoice")),
    ("customer:kh2023001", CustomerIs("KH2023001")),
    ("date:2024-02", DateIn("date", date(2024, 2, 1), date(2024, 2, 29))),
    ("入库:2024-05-01..2024-05-31", DateIn("ingested", date(2024, 5, 1), date(2024, 5, 31))),
    ("docdate:2023..", DateIn("doc_date", date(2023, 1, 1), None)),
    ("日期:2024年5月", DateIn("date", date(2024, 5, 1), date(2024, 5, 31))),
    ("10:30", Text(("1", "0", "3", "0"))),
    ("HT-2024-0088", Text(("ht", "2", "0", "2", "4", "0", "0", "8", "8"))),
]


@pytest.mark.parametrize(("query", "tree"), CASES, ids=[c[0] for c in CASES])
def test_parse(query: str, tree: object) -> None:
    assert parse_query(query) == tree


BAD = ['"张伟', "(张伟", "张伟)", "张伟 OR", "OR 张伟", "AND 张伟", "张伟 AND", "type:car", "type:", "date:2024-13",
       "date:soon", "NOT", "-", "", "   ", "()", "，。", '""', "张伟 OR ，"]


@pytest.mark.parametrize("query", BAD)
def test_malformed_queries_get_a_message_in_both_languages(query: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert info.value.reason_zh and info.value.reason_en and info.value.code == "bad_query"


def test_filters_from_the_command_line_narrow_the_query() -> None:
    node = with_filters(parse_query("维修"), doc_type="invoice", customer_no="kh1", start=date(2024, 1, 1))
    start = DateIn("date", date(2024, 1, 1), None)
    assert node == And((Text(("维", "修")), TypeIs("invoice"), CustomerIs("KH1"), start))
    assert with_filters(All(), doc_type="合同") == And((All(), TypeIs("contract")))
    with pytest.raises(QueryError):
        with_filters(All(), doc_type="car")


def test_negated_text_is_not_highlighted() -> None:
    assert text_phrases(parse_query("张伟 -发票 OR 王芳")) == [("张", "伟"), ("王", "芳")]
