"""Normalisation, token joining and line grouping: pure functions, tested with tables of cases."""

from __future__ import annotations

import pytest

from ocr.lines import Piece, group_lines
from ocr.text import join_tokens, normalize_text


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        (
            "ＶＩＮ：ＬＳＶ１２３４５",
            "VIN:LSV12345",
        ),  # full-width letters and digits; colon after Latin: ASCII
        ("２０２４年５月１日，星期三", "2024年5月1日，星期三"),
        ("电话:13800138000", "电话：13800138000"),  # after Chinese: full-width
        ("Tel：13800138000", "Tel:13800138000"),  # after Latin: ASCII
        ("车架号(VIN)：LSV1", "车架号（VIN）：LSV1"),  # brackets opened after Chinese stay a pair
        ("Amount (USD): 45,000.00", "Amount (USD): 45,000.00"),
        ("合 同 编 号 : HT-2024", "合同编号：HT-2024"),  # Tesseract's spaces between Han characters
        ("甲方 ( 盖章 ) :", "甲方（盖章）："),
        ("“合同” 。", "“合同”。"),
        ("①检查  ②确认", "1检查 2确认"),  # compatibility forms unfolded, runs of spaces collapsed
        ("买受人\u3000张三", "买受人张三"),  # the ideographic space between Chinese words goes
        ("a\u200bb\r\n\r\n  c\x07d  ", "ab\nc d"),  # zero-width and control characters, empty lines
        ("身份证号 33010619900101123Ｘ", "身份证号 33010619900101123X"),  # a space before Latin stays
    ],
)
def test_normalize_text(raw: str, normalised: str) -> None:
    assert normalize_text(raw) == normalised
    assert normalize_text(normalised) == normalised  # idempotent


@pytest.mark.parametrize(
    ("tokens", "line"),
    [
        (
            ["购买方名称", "郑伟", "身份证号码", "330212199610161375"],
            "购买方名称郑伟身份证号码330212199610161375",
        ),
        (["13836043163", "15803565765"], "13836043163 15803565765"),  # two numbers never fuse
        (["USD", "45,000.00"], "USD 45,000.00"),
        (["¥", "217,000.00"], "¥217,000.00"),
        (["合", "同", "HT2024", "号"], "合同HT2024号"),
        (["  ", "VIN", ""], "VIN"),
    ],
)
def test_join_tokens(tokens: list[str], line: str) -> None:
    assert join_tokens(tokens) == line


def test_group_lines_puts_table_cells_in_rows() -> None:
    # Detection order: a column of labels, then a column of values (as PP-OCR returns table cells).
    pieces = [
        Piece("车辆识别代号", 0.99, (100, 300, 260, 330)),
        Piece("购买方名称", 0.98, (100, 200, 240, 232)),
        Piece("LSVAB2BM5KN123456", 0.95, (300, 302, 620, 331)),
        Piece("张三", 0.90, (300, 198, 360, 229)),
        Piece("机动车销售统一发票", 0.99, (150, 80, 560, 130)),
    ]
    lines = group_lines(pieces)
    assert [line.text for line in lines] == [
        "机动车销售统一发票",
        "购买方名称张三",
        "车辆识别代号LSVAB2BM5KN123456",
    ]
    assert lines[1].box == (100, 198, 360, 232)
    # Confidence weighted by text length: 5 characters at 0.98, 2 at 0.90.
    assert lines[1].confidence == pytest.approx((5 * 0.98 + 2 * 0.90) / 7, abs=1e-4)


def test_group_lines_keeps_close_rows_apart() -> None:
    pieces = [Piece(f"第{i}行", 0.9, (100, 100 + 40 * i, 300, 130 + 40 * i)) for i in range(5)]
    assert len(group_lines(pieces)) == 5
    assert group_lines([]) == []
    assert group_lines([Piece("  ", 0.9, (0, 0, 10, 10))]) == []
