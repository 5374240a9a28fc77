"""Reading order: pieces of text found anywhere on a page become lines, block by block, top to bottom.

Engines return pieces of text with boxes in their own order (PP-OCR in detection order, Tesseract block
by block). A reader, and every rule downstream (keywords, identifiers next to their labels), wants
lines: a row of a form or table as one line, left to right; but two things side by side that are read
separately (the two sides of an ID card copied next to each other, a licence printed in two columns,
two tables next to each other) one after the other, each top to bottom. Grouping the whole page into
rows interleaves such blocks line by line.

The page is segmented by a recursive XY-cut on the piece boxes:

1. A region is cut into horizontal strips at every whitespace gap running across it.
2. Each vertical gap inside a strip is a candidate gutter; it is followed up and down over the
   neighbouring strips as long as it stays free of text and no ruling line crosses it. The largest
   run of strips whose gutter passes the block test below is cut there: what lies above the run, its
   left part, its right part and what lies below are then segmented in that order, each from step 1.
   Without such a run, each strip is segmented on its own (a strip without horizontal gaps can still
   hold two blocks whose lines fall between each other, like two cards side by side).
3. What cannot be cut is a block; its pieces are grouped into lines by their vertical centres.

The block test is what keeps tables whole. A gutter separates two blocks only if no ruling line
crosses it (a table's row lines run across its column gaps; a table row whose cells hold several lines
is recognised by the rules just above and below it), no piece straddles it, each side has at least
three lines, and either each side is framed by its own rules ending in the gutter (two tables, two
cards), or the gutter is wide and the two sides are not one table. Sides whose lines pair up row for row
are read as rows, label beside value, as a table or form is; unless each side is a list of labels and
values of its own (most lines two or more pieces, like a licence printed in two columns), where reading
across would interleave values that wrap onto a second line.

Before that, pieces tilted well off the horizontal (overprints, seals, handwriting) and vertical lines of
text are set aside and read last, and a page still skewed is levelled using the pieces' angles.

Lengths are in units of the median box height of the page, so they hold at any resolution. They were
chosen on generated scans (forms, invoices, ID card and licence copies, contracts, inspection sheets)
against their truth, which reads blocks top to bottom, and by eye: on the 40 pages of
bench/ocr_engines.py, RapidOCR's CER fell from 13.2 % to 4.3 % (Chinese) and 2.8 % to 1.2 % (English),
against 2.3 % and 0.9 % if order did not count. Ordered CER moves by about 0.4 % with small changes of
the boxes (check marks, signatures and values printed off their line land on one side or the other of
the row tolerance), so differences below that are noise.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from dangan.records import OcrLine
from ocr.layout import Rule
from ocr.text import join_tokens

__all__ = ["TILT_LIMIT", "Piece", "group_lines", "reading_order"]

# Pieces whose baseline is tilted more than this (degrees) are not part of the printed layout: diagonal
# "for car purchase only" overprints, seal text, handwriting. Placed among the lines they would bridge
# gutters and join rows they do not belong to, so they are read after the page's lines, top to
# bottom, as are vertical lines of text (margin notes, vertical labels). Printed text of a deskewed
# page lies within 2 degrees.
TILT_LIMIT = 8.0
# A residual skew under this (degrees) is ignored; over it, boxes are levelled first (see `_slope`).
_MIN_SKEW = 0.1
_SLOPE_PIECE_LENGTH = 4.0  # pieces at least this many times as long as high give the page's angle

# Lengths in median box heights (a PP-OCR box is about 1.5 times the font size).
_SHRINK = 0.15  # boxes are shrunk by this (each side) before looking for horizontal gaps: padded
# boxes of neighbouring lines touch, and a slight skew makes them overlap.
_MIN_GUTTER = 0.5  # narrowest vertical gap considered at all (between two framed tables)
_WIDE_GUTTER = 1.5  # narrowest unframed gap that can separate blocks (a licence's two columns: 1.8)
_JOIN_BOTH = 1.5  # a strip with text on both sides of a gutter joins its run if no further away than this
_JOIN_ONE_SIDE = 0.5  # a strip with text on one side only, if no further away than this
_RULE_SLACK = 0.5  # a rule may stop this short of the text on either side and still cross the gap
_ROW_RULE_REACH = 1.0  # rules this close above and below a band of text are the borders of its table row
_PAIR_TOLERANCE = 0.3  # two lines sit on one row if their centres are this close
# Not in page units:
_MIN_BLOCK_LINES = 3  # each side of a cut must have this many lines: a block, not a label or a stray
_MIN_FRAME_RULES = 2  # rules that must end in the gutter from each side to count as separate frames
_ROW_GRID_SHARE = 0.5  # share of the smaller side's lines paired with the other side's: one row grid
_PAIRS_SHARE = 0.5  # share of a side's lines made of two or more pieces: a list of labels and values
_ROW_TOLERANCE = 0.25  # of the smaller of two box heights: centres this close are on one line
_ROW_OVERLAP = 0.5  # of the smaller box height: pieces overlapping more horizontally are not on one line


@dataclass(frozen=True, slots=True)
class Piece:
    """A piece of text an engine found: a PP-OCR box or a Tesseract line, with its box in page pixels."""

    text: str
    confidence: float  # 0..1
    box: tuple[int, int, int, int]  # left, top, right, bottom
    angle: float = 0.0  # degrees the baseline rises left to right; 0 where the engine does not say
    vertical: bool = False  # a column of text (read top to bottom), not a line

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> float:
        return (self.box[1] + self.box[3]) / 2


Gap = tuple[float, float]  # left, right: a vertical strip of whitespace


def group_lines(pieces: Sequence[Piece], rules: Sequence[Rule] = ()) -> list[OcrLine]:
    """Pieces in reading order, as lines: see the module docstring for the order.

    Args:
        pieces: Text pieces with boxes in page pixels, in any order; the page upright and deskewed.
        rules: Horizontal ruling lines of the page (`ocr.layout.find_rules`). Without them, a gutter
            is judged by the boxes alone: ruled tables stay whole only through their row grid, and
            two tables side by side whose rows line up are read row by row.

    Returns:
        Lines in reading order; within a line the pieces left to right, joined by `join_tokens`; the
        line's confidence is the pieces' mean weighted by text length and its box their union.
    """
    lines = []
    for members in reading_order(pieces, rules):
        text = join_tokens(p.text for p in members)
        weight = sum(len(p.text) for p in members)
        confidence = sum(len(p.text) * p.confidence for p in members) / weight
        box = (
            min(p.box[0] for p in members),
            min(p.box[1] for p in members),
            max(p.box[2] for p in members),
            max(p.box[3] for p in members),
        )
        lines.append(OcrLine(text=text, confidence=round(confidence, 4), box=box))
    return lines


def reading_order(pieces: Sequence[Piece], rules: Sequence[Rule] = ()) -> list[list[Piece]]:
    """The pieces grouped into lines in reading order, each line left to right (see `group_lines`)."""
    pieces = [p for p in pieces if p.text.strip()]
    layout = [p for p in pieces if not _off_layout(p)]
    aside = sorted((p for p in pieces if _off_layout(p)), key=lambda p: (p.centre, p.box[0]))
    lines: list[list[Piece]] = []
    if layout:
        slope = _slope(layout)
        if slope:  # work on levelled copies, hand back the originals
            levelled = [_level(p, slope) for p in layout]
            # By identity: copies of two equal pieces are equal. `levelled` keeps every copy alive
            # until the last look-up, so no id can be reused meanwhile.
            original = {id(copy): piece for copy, piece in zip(levelled, layout, strict=True)}
            rules = [Rule(r.left, r.right, round(r.y + slope * (r.left + r.right) / 2)) for r in rules]
        else:
            levelled, original = layout, {}
        page = _Page(statistics.median(p.height for p in levelled), rules)
        for block in page.blocks(levelled):
            lines.extend([original.get(id(p), p) for p in row] for row in _rows(block))
    return lines + [[p] for p in aside]


def _slope(pieces: list[Piece]) -> float:
    """The page's residual skew as a slope (tangent), from the angles of its long pieces; 0 if small.

    A tilt of half a degree moves the end of a 2000 px line by 17 px, more than the tolerance that
    tells a table row from a wrapped cell beside it, and makes the boxes of neighbouring lines
    overlap. `read_page` straightens pages first, so this matters only where that was off or failed.
    """
    angles = [p.angle for p in pieces if p.box[2] - p.box[0] >= _SLOPE_PIECE_LENGTH * p.height]
    if not angles:
        return 0.0
    angle = statistics.median(angles)
    return math.tan(math.radians(angle)) if abs(angle) >= _MIN_SKEW else 0.0


def _level(piece: Piece, slope: float) -> Piece:
    """The piece as it would lie on a level page: y sheared by the slope (a rising baseline has a
    positive angle, and y grows downwards), its height reduced to the text's own."""
    left, top, right, bottom = piece.box
    shift = slope * (left + right) / 2
    height = max(1.0, (bottom - top) - abs(slope) * (right - left))
    centre = (top + bottom) / 2 + shift
    return dataclasses.replace(
        piece, box=(left, round(centre - height / 2), right, round(centre + height / 2)), angle=0.0
    )


def _off_layout(piece: Piece) -> bool:
    return piece.vertical or abs(piece.angle) > TILT_LIMIT


class _Page:
    """The XY-cut over one page: its unit of length (median box height) and its ruling lines."""

    def __init__(self, unit: float, rules: Sequence[Rule]) -> None:
        self.unit = max(1.0, unit)
        self.rules = sorted(rules, key=lambda r: r.y)
        self._rule_ys = [r.y for r in self.rules]

    def _rules_between(self, top: float, bottom: float) -> list[Rule]:
        """The rules with top <= y <= bottom."""
        return self.rules[bisect.bisect_left(self._rule_ys, top) : bisect.bisect_right(self._rule_ys, bottom)]

    def blocks(self, region: list[Piece]) -> list[list[Piece]]:
        """The region's blocks in reading order (steps 1-3 of the module docstring)."""
        if len(region) < 2:
            return [region]
        strips = self._strips(region)
        if len(strips) == 1:
            cut = self._cut(region)
            return [region] if cut is None else self.blocks(cut[0]) + self.blocks(cut[1])
        columns = self._columns(strips)
        if columns is None:
            return [block for strip in strips for block in self.blocks(strip)]
        first, last, left, right = columns
        before = [p for strip in strips[:first] for p in strip]
        after = [p for strip in strips[last + 1 :] for p in strip]
        out = self.blocks(before) if before else []
        out += self.blocks(left) + self.blocks(right)
        return out + (self.blocks(after) if after else [])

    def _strips(self, region: list[Piece]) -> list[list[Piece]]:
        """The region cut at every horizontal whitespace gap, top to bottom."""
        strips: list[list[Piece]] = []
        bottom = 0.0
        for piece in sorted(region, key=lambda p: p.box[1] + _SHRINK * p.height):
            top = piece.box[1] + _SHRINK * piece.height
            if not strips or top > bottom:
                strips.append([])
            strips[-1].append(piece)
            bottom = max(bottom, piece.box[3] - _SHRINK * piece.height)
        return strips

    def _columns(self, strips: list[list[Piece]]) -> tuple[int, int, list[Piece], list[Piece]] | None:
        """The largest run of strips that one gutter divides into two blocks, as (first strip, last
        strip, left pieces, right pieces); None if there is none.

        Every gap inside a strip seeds a candidate gutter, grown over the strips above and below while
        it stays free of text and of crossing rules. A strip with text on both sides of it joins if it
        is within `_JOIN_BOTH` of the run; one with text on one side only (the last lines of the
        longer column, or lines of two blocks that fall between each other) within `_JOIN_ONE_SIDE`:
        a wider gap starts a new section (a conclusion under two tables).
        """
        low = min(p.box[0] for strip in strips for p in strip)
        high = max(p.box[2] for strip in strips for p in strip)
        free = [self._gaps(strip, low, high) for strip in strips]
        spans = [(min(p.box[0] for p in strip), max(p.box[2] for p in strip)) for strip in strips]
        tops = [min(p.box[1] for p in strip) for strip in strips]
        bottoms = [max(p.box[3] for p in strip) for strip in strips]
        explored: list[tuple[int, int, Gap]] = []  # runs already grown: their seeds would grow the same
        best: tuple[int, int, list[Piece], list[Piece]] | None = None
        for seed, strip in enumerate(strips):
            for gap in self._gaps(strip):
                if any(a <= seed <= b and _intersect([gap], [g], _MIN_GUTTER * self.unit) for a, b, g in explored):
                    continue
                first = last = seed
                for step in (1, -1):
                    while 0 <= (k := last + 1 if step > 0 else first - 1) < len(strips):
                        inside = _intersect([gap], free[k], _MIN_GUTTER * self.unit)
                        if not inside:
                            break
                        grown = inside[0]
                        distance = tops[k] - bottoms[last] if step > 0 else tops[first] - bottoms[k]
                        both = spans[k][0] < grown[0] and grown[1] < spans[k][1]
                        if distance > (_JOIN_BOTH if both else _JOIN_ONE_SIDE) * self.unit:
                            break
                        if self._crossed(grown, min(tops[first], tops[k]), max(bottoms[last], bottoms[k])):
                            break
                        gap = grown
                        first, last = min(first, k), max(last, k)
                explored.append((first, last, gap))
                if last == first:
                    continue
                region = [p for s in strips[first : last + 1] for p in s]
                if best is not None and len(region) <= len(best[2]) + len(best[3]):
                    continue
                split = self._split(region, gap)
                if split is not None:
                    best = (first, last, *split)
        return best

    def _gaps(self, region: list[Piece], low: float | None = None, high: float | None = None) -> list[Gap]:
        """Vertical whitespace gaps between the region's pieces, at least `_MIN_GUTTER` wide; with
        `low` and `high`, also the margins between them and the region's text."""
        spans = sorted((float(p.box[0]), float(p.box[2])) for p in region)
        if low is None:
            reach, spans = spans[0][1], spans[1:]
        else:
            reach = low
        gaps = []
        for left, right in spans:
            if left - reach >= _MIN_GUTTER * self.unit:
                gaps.append((reach, left))
            reach = max(reach, right)
        if high is not None and high - reach >= _MIN_GUTTER * self.unit:
            gaps.append((reach, high))
        return gaps

    def _cut(self, region: list[Piece]) -> tuple[list[Piece], list[Piece]] | None:
        """A region without horizontal gaps cut at its widest gutter between two blocks; or None."""
        for gap in sorted(self._gaps(region), key=lambda g: g[0] - g[1]):
            split = self._split(region, gap)
            if split is not None:
                return split
        return None

    def _split(self, region: list[Piece], gap: Gap) -> tuple[list[Piece], list[Piece]] | None:
        """The region's pieces left and right of the gap if the gap separates two blocks (the block
        test of the module docstring), else None."""
        top = min(p.box[1] for p in region)
        bottom = max(p.box[3] for p in region)
        if self._crossed(gap, top, bottom):
            return None  # a table's columns
        framed = self._framed(gap, top, bottom)
        if not framed and gap[1] - gap[0] < _WIDE_GUTTER * self.unit:
            return None
        middle = (gap[0] + gap[1]) / 2
        left = [p for p in region if p.box[2] <= middle]
        right = [p for p in region if p.box[0] >= middle]
        if len(left) + len(right) < len(region):
            return None  # a piece straddles the gap
        left_rows, right_rows = _rows(left), _rows(right)
        if min(len(left_rows), len(right_rows)) < _MIN_BLOCK_LINES:
            return None
        if not framed and self._one_grid(left_rows, right_rows) and not (_pairs(left_rows) and _pairs(right_rows)):
            return None  # rows of a table or form: read across
        return left, right

    def _crossed(self, gap: Gap, top: float, bottom: float) -> bool:
        """Whether rules tie the two sides of the gap between `top` and `bottom` into one table: a rule
        across the gap inside that band, or one just above it and one just below it (a single table
        row whose cells hold several lines)."""
        slack = _RULE_SLACK * self.unit
        reach = _ROW_RULE_REACH * self.unit
        across = [
            r.y
            for r in self._rules_between(top - reach, bottom + reach)
            if r.left <= gap[0] + slack and r.right >= gap[1] - slack
        ]
        if any(top < y < bottom for y in across):
            return True
        return any(y <= top for y in across) and any(y >= bottom for y in across)

    def _framed(self, gap: Gap, top: float, bottom: float) -> bool:
        """Whether rules from the left end inside the gap and rules from the right start inside it."""
        slack = _RULE_SLACK * self.unit
        inside = [rule for rule in self._rules_between(top, bottom) if top < rule.y < bottom]
        from_left = sum(r.left < gap[0] and gap[0] - slack <= r.right <= gap[1] for r in inside)
        from_right = sum(r.right > gap[1] and gap[0] <= r.left <= gap[1] + slack for r in inside)
        return from_left >= _MIN_FRAME_RULES and from_right >= _MIN_FRAME_RULES

    def _one_grid(self, left: list[list[Piece]], right: list[list[Piece]]) -> bool:
        """Whether the lines of the two sides pair up row for row (most lines of the smaller side)."""
        tolerance = _PAIR_TOLERANCE * self.unit
        free = sorted(_line_centre(row) for row in right)
        paired = 0
        for centre in (_line_centre(row) for row in left):
            if not free:
                break
            nearest = min(range(len(free)), key=lambda i: abs(free[i] - centre))
            if abs(free[nearest] - centre) <= tolerance:
                paired += 1
                del free[nearest]
        return paired >= _ROW_GRID_SHARE * min(len(left), len(right))


def _intersect(a: list[Gap], b: list[Gap], minimum: float) -> list[Gap]:
    """The intervals common to `a` and `b` that are at least `minimum` wide."""
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            low, high = max(a0, b0), min(a1, b1)
            if high - low >= minimum:
                out.append((low, high))
    return out


def _pairs(rows: list[list[Piece]]) -> bool:
    """Whether most lines hold two or more pieces: a list of labels and values, complete on its own."""
    return sum(len(row) >= 2 for row in rows) >= _PAIRS_SHARE * len(rows)


def _line_centre(row: list[Piece]) -> float:
    return sum(p.centre for p in row) / len(row)


def _rows(block: list[Piece]) -> list[list[Piece]]:
    """Pieces grouped into lines, top to bottom, each left to right.

    Pieces are taken left to right; each joins the line whose last piece lies to its left with a
    vertical centre within a quarter of the smaller box height (the closest such line), or starts a
    new one. Comparing with the neighbour rather than a page-wide row position follows a line that
    drifts with a residual skew, while the tight tolerance keeps apart a table row and the two lines
    of a wrapped cell beside it, which sit only half a line pitch above and below the row's centre.
    """
    lines: list[list[Piece]] = []
    for piece in sorted(block, key=lambda p: p.box[0]):
        best, distance = None, 0.0
        for line in lines:
            last = line[-1]
            smaller = min(piece.height, last.height)
            if last.box[2] - piece.box[0] > _ROW_OVERLAP * smaller:
                continue
            offset = abs(piece.centre - last.centre)
            if offset <= _ROW_TOLERANCE * smaller and (best is None or offset < distance):
                best, distance = line, offset
        if best is None:
            lines.append([piece])
        else:
            best.append(piece)
    lines.sort(key=_line_centre)
    return lines
