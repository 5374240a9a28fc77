"""Reading order on synthetic boxes (no OCR): blocks side by side, table rows, columns, skew, stray text."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from ocr.layout import Rule, content_box, find_rules, ink_mask, page_rules
from ocr.lines import Piece, group_lines

H = 30  # box height of ordinary text in these pages, px


def piece(text: str, left: int, centre: float, width: int = 200, height: int = H, **extra: object) -> Piece:
    top = round(centre - height / 2)
    return Piece(text, 0.95, (left, top, left + width, top + height), **extra)  # type: ignore[arg-type]


def texts(pieces: list[Piece], rules: list[Rule] | None = None) -> list[str]:
    return [line.text for line in group_lines(pieces, rules or [])]


def test_single_column_reads_top_to_bottom_whatever_the_engine_order() -> None:
    column = [piece(f"第{i}行", 100, 100 + 45 * i, width=600) for i in range(6)]
    assert texts(column[::-1]) == [f"第{i}行" for i in range(6)]
    assert texts(column[3:] + column[:3]) == [f"第{i}行" for i in range(6)]


def test_two_blocks_side_by_side_come_out_block_by_block() -> None:
    # The two sides of an ID card copied next to each other: own fonts and line pitches, so their
    # lines fall between each other and a page-wide row grouping would interleave them.
    front = [piece(f"正面{i}", 100, 200 + 42 * i, width=500) for i in range(5)]
    back = [piece(f"背面{i}", 800, 225 + 60 * i, width=450) for i in range(3)]
    assert texts(back + front) == [f"正面{i}" for i in range(5)] + [f"背面{i}" for i in range(3)]


def test_blocks_below_a_full_width_title_and_above_a_footer() -> None:
    title = piece("营业执照", 300, 100, width=600)
    left = [piece(f"左{i}", 100, 300 + 50 * i, width=450) for i in range(4)]
    right = [piece(f"右{i}", 700, 300 + 50 * i + 20, width=450) for i in range(3)]  # off the left's grid
    footer = piece("国家市场监督管理总局监制", 100, 700, width=1050)
    got = texts([footer, *right, title, *left])
    assert got == ["营业执照", "左0", "左1", "左2", "左3", "右0", "右1", "右2", "国家市场监督管理总局监制"]


def test_table_rows_stay_rows_when_columns_line_up() -> None:
    # An unruled item table: wide gaps between the columns, but every line on one side of any gap
    # has a partner on the other, so it is read row by row, each label with its values.
    cells = []
    for i, (item, quantity, amount) in enumerate(
        [
            ("项目名称", "数量", "金额"),
            ("机动车", "1", "186371.68"),
            ("延保服务", "1", "1663.72"),
            ("合计", "", "188035.40"),
        ]
    ):
        y = 100 + 50 * i
        cells += [piece(item, 100, y, 200), piece(amount, 1100, y, 220)]
        if quantity:
            cells.append(piece(quantity, 600, y, 80))
    assert texts(cells[::-1]) == ["项目名称数量金额", "机动车1 186371.68", "延保服务1 1663.72", "合计188035.40"]


def test_two_lists_of_labels_and_values_are_read_column_by_column() -> None:
    # A licence printed in two columns, each a list of labels and values on one row grid: each side
    # is complete on its own, and reading across would interleave the wrapped values.
    cells = []
    for i, (label, value) in enumerate(
        [("名称", "广州宏达餐饮管理有限公司"), ("类型", "有限责任公司"), ("法定代表人", "谭天俊")]
    ):
        cells += [piece(label, 100, 100 + 50 * i, 150), piece(value, 300, 100 + 50 * i, 450)]
    cells.append(piece("餐饮管理", 300, 236, 450))  # a wrapped value: closer than the next entry
    for i, (label, value) in enumerate(
        [("注册资本", "人民币壹佰万元整"), ("成立日期", "2016年08月16日"), ("住所", "广州市南沙区")]
    ):
        cells += [piece(label, 900, 100 + 50 * i, 150), piece(value, 1100, 100 + 50 * i, 450)]
    assert texts(cells) == [
        "名称广州宏达餐饮管理有限公司",
        "类型有限责任公司",
        "法定代表人谭天俊",
        "餐饮管理",
        "注册资本人民币壹佰万元整",
        "成立日期2016年08月16日",
        "住所广州市南沙区",
    ]


def test_ruled_table_stays_rows_even_where_columns_do_not_line_up() -> None:
    # Wrapped values put the right column off the left column's grid; the row rules running across the
    # gap say it is one table, read row by row.
    left = [piece("购买方名称", 100, 100, 250), piece("车辆类型", 100, 170, 250), piece("合格证号", 100, 240, 250)]
    right = [
        piece("广州华信物流有限", 700, 85, 300),
        piece("公司", 700, 118, 100),
        piece("小型轿车", 700, 170, 300),
        piece("WLS935727724791", 700, 225, 300),
        piece("（进口）", 700, 258, 150),
    ]
    rules = [Rule(80, 1050, y) for y in (55, 144, 198, 290)]
    assert texts(left + right, rules) == [
        "广州华信物流有限",
        "购买方名称",
        "公司",
        "车辆类型小型轿车",
        "WLS935727724791",
        "合格证号",
        "（进口）",
    ]
    # Without the rules the same boxes look like two blocks (this is what the rules are for).
    assert texts(left + right)[:3] == ["购买方名称", "车辆类型", "合格证号"]


def test_two_framed_tables_side_by_side_are_read_table_by_table() -> None:
    # Same row height in both tables, so their rows pair up; each has its own frame ending in the gutter.
    left = [piece(f"{i + 1}左项目", 100, 120 + 40 * i, 300) for i in range(5)]
    right = [piece(f"{i + 6}右项目", 620, 120 + 40 * i, 300) for i in range(5)]
    rules = [Rule(80, 560, 100 + 40 * i) for i in range(6)] + [Rule(600, 1080, 100 + 40 * i) for i in range(6)]
    assert texts(right + left, rules) == [p.text for p in left + right]


def test_short_side_by_side_items_stay_rows() -> None:
    # Two signature columns of two lines each: not blocks (fewer than three lines a side).
    pieces = [
        piece("甲方（盖章）：", 100, 100),
        piece("乙方（签字）：", 900, 100),
        piece("日期：2024-01-01", 100, 150),
        piece("日期：2024-01-02", 900, 165),
    ]
    assert texts(pieces) == ["甲方（盖章）：乙方（签字）：", "日期：2024-01-01", "日期：2024-01-02"]


def test_skewed_line_stays_one_line() -> None:
    # A line drifting 1 degree (5 px per 300 px) over 1200 px: 20 px end to end, more than the row
    # tolerance, but each piece is close to its left neighbour (engines that give no angle).
    line = [piece(f"段{i}", 100 + 300 * i, 100 + 5.2 * i, width=260) for i in range(5)]
    below = [piece(f"下{i}", 100 + 300 * i, 145 + 5.2 * i, width=260) for i in range(5)]
    assert texts(below[::-1] + line[::-1]) == ["段0段1段2段3段4", "下0下1下2下3下4"]


def test_skewed_page_is_levelled_by_the_pieces_angles() -> None:
    # A page scanned 1 degree clockwise, read without straightening: a table row's cells 1500 px
    # apart differ by 26 px in height, the two sides of a card copy drift into each other's lines.
    # The detector's angles tell the slope, and the page is read as if level.
    slope = math.tan(math.radians(1.0))

    def tilted(text: str, left: int, centre: float, width: int) -> Piece:
        centre += slope * (left + width / 2)  # descending to the right: y grows with x
        grown = H + slope * width  # the upright box of a tilted line is taller
        return Piece(text, 0.95, (left, round(centre - grown / 2), left + width, round(centre + grown / 2)), -1.0)

    rows = [("发动机号码", "LXT978493", "车架号码", "LSGUL8E12PC588425"), ("合格证号", "WLS9357", "商检单号", "无")]
    pieces = []
    for i, cells in enumerate(rows):
        for j, text in enumerate(cells):
            pieces.append(tilted(text, 100 + 500 * j, 100 + 45 * i, 300))
    assert texts(pieces) == ["发动机号码LXT978493车架号码LSGUL8E12PC588425", "合格证号WLS9357商检单号无"]


def test_wrapped_cell_lines_are_not_merged_into_the_row() -> None:
    # A two-line cell beside single-line cells centred on the row: its lines sit half a pitch above
    # and below the row's centre (boxes overlap), and stay lines of their own.
    row = [piece("车辆类型", 100, 215, 200), piece("小型轿车", 350, 215, 200), piece("产地", 900, 215, 120)]
    cell = [piece("别克牌", 600, 200, 150), piece("SGM6531UAA2", 600, 230, 200)]
    assert texts(row + cell) == ["别克牌", "车辆类型小型轿车产地", "SGM6531UAA2"]


def test_latin_neighbours_are_joined_with_a_space() -> None:
    pieces = [piece("VIN", 100, 100, 80), piece("LSGUL8E12PC588425", 300, 100, 400), piece("车架号", 800, 100)]
    assert texts(pieces) == ["VIN LSGUL8E12PC588425车架号"]


def test_tilted_and_vertical_text_is_read_after_the_page() -> None:
    # A diagonal overprint across two cards would bridge their gutter; a vertical margin note would
    # join whatever row its centre falls in.
    front = [piece(f"正面{i}", 100, 200 + 42 * i, width=500) for i in range(5)]
    back = [piece(f"背面{i}", 800, 225 + 60 * i, width=450) for i in range(3)]
    overprint = Piece("仅供购车使用", 0.9, (300, 150, 1100, 420), angle=25.0)
    margin = Piece("第一联发票联", 0.9, (1300, 150, 1340, 500), vertical=True)
    got = texts([overprint, margin, *back, *front])
    assert got == [f"正面{i}" for i in range(5)] + [f"背面{i}" for i in range(3)] + ["仅供购车使用", "第一联发票联"]


def test_line_box_and_confidence() -> None:
    lines = group_lines([Piece("购买方名称", 0.98, (100, 200, 240, 232)), Piece("张三", 0.90, (300, 198, 360, 229))])
    assert len(lines) == 1
    assert lines[0].box == (100, 198, 360, 232)
    assert lines[0].confidence == pytest.approx((5 * 0.98 + 2 * 0.90) / 7, abs=1e-4)


def test_nothing_to_order() -> None:
    assert group_lines([]) == []
    assert group_lines([Piece(" ", 0.9, (0, 0, 10, 10))]) == []
    assert texts([piece("一", 10, 10)]) == ["一"]


def _ruled_page() -> np.ndarray:
    """A grey page with a ruled table (4 rules, 3 columns) and three rows of character-like marks."""
    page = np.full((800, 1000), 235, np.uint8)
    for y in (100, 160, 220, 280):
        cv2.line(page, (50, y), (950, y), 40, 2)
    for x in (50, 400, 950):
        cv2.line(page, (x, 100), (x, 280), 40, 2)
    for row in range(3):  # 20 px "characters" with horizontal strokes, 6 px apart
        for col in range(12):
            x, y = 70 + 26 * col, 120 + 60 * row
            cv2.rectangle(page, (x, y), (x + 20, y + 20), 30, 2)
            cv2.line(page, (x, y + 10), (x + 20, y + 10), 30, 2)
    return page


def test_find_rules_keeps_rules_and_drops_text() -> None:
    rules = sorted(find_rules(ink_mask(_ruled_page()), min_length=60), key=lambda r: r.y)
    assert [r.y for r in rules] == pytest.approx([100, 160, 220, 280], abs=2)
    assert all(r.left <= 55 and r.right >= 945 for r in rules)


def test_page_rules_are_in_page_pixels() -> None:
    page = cv2.resize(_ruled_page(), None, fx=3, fy=3, interpolation=cv2.INTER_NEAREST)  # 2400 x 3000
    rules = sorted(page_rules(page, min_length=180), key=lambda r: r.y)
    assert [r.y for r in rules] == pytest.approx([300, 480, 660, 840], abs=6)
    assert all(r.left <= 165 and r.right >= 2835 for r in rules)


def test_find_rules_on_a_blank_or_tiny_image() -> None:
    assert find_rules(ink_mask(np.full((300, 200), 250, np.uint8)), min_length=60) == []
    assert find_rules(ink_mask(np.full((20, 20), 250, np.uint8)), min_length=60) == []


def test_content_box_ignores_specks_and_pads() -> None:
    page = np.full((600, 400), 240, np.uint8)
    cv2.putText(page, "TEXT", (120, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 20, 3)
    page[50, 30] = page[550, 370] = 0  # dust
    left, top, right, bottom = content_box(ink_mask(page), margin=10)
    assert 100 <= left < 120 and 250 <= top < 270 and 230 < right <= 280 and 300 < bottom <= 325
    assert content_box(ink_mask(np.full((50, 50), 240, np.uint8)), margin=10) is None
