"""Layout hints from the page image: ruling lines that tie table cells together, and where the ink is.

Reading order (`ocr.lines`) decides from text boxes alone whether a wide vertical gap separates two
independent blocks (read one after the other) or two columns of one table (read row by row). Boxes
cannot always tell: a ruled table with short values has gutters as wide as the gap between two
side-by-side forms. The rules can: a table's row lines run across its column gaps, while two separate
tables or cards each have their own frame, ending at the gutter between them.

The same ink mask tells where the page's content lies, so that text detection can skip empty margins.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = ["MIN_LENGTH_HEIGHTS", "Rule", "content_box", "find_rules", "ink_mask", "page_rules"]

# `page_rules` works on a copy whose long side is about this (150 dpi for A4): a 0.2 mm hairline is still a
# pixel wide there, and the morphology costs a fraction of what it costs at 300 dpi. RapidOCR passes its
# detection copy (110 dpi), where rules were found as well.
_WORK_SIDE = 1750
# Ink: darker than the mean of its neighbourhood by this much (grey levels), so that grey paper, copier
# tone and uneven lighting are not ink, while grey printed rules are.
_BLOCK = 15  # px of the work copy, odd
_CONTRAST = 12
# A rule is at least this many median text-box heights long: longer than any stroke of a character,
# shorter than the narrowest table cell worth knowing about.
MIN_LENGTH_HEIGHTS = 3.0
# A row or column of the ink mask with fewer ink pixels than this is paper (specks, dust) for `content_box`.
_CONTENT_PIXELS = 4
# A rule is at most this thick on average (area / length, so that a slightly tilted rule still counts), as
# a share of `min_length`: half a text height. Thicker is a filled bar or a dark area, not a rule.
_MAX_THICKNESS = 1 / 6


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal ruling line (table border, cell boundary, underline) in page pixels."""

    left: int
    right: int
    y: int


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Ink as 255, paper as 0: pixels darker than the mean of their neighbourhood by `_CONTRAST`.

    Args:
        image: A 2-D uint8 page (at any scale; the neighbourhood is `_BLOCK` pixels of it).
    """
    return cv2.adaptiveThreshold(image, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, _BLOCK, _CONTRAST)


def find_rules(ink: np.ndarray, min_length: float) -> list[Rule]:
    """Find the horizontal ruling lines in an ink mask, a few ms for an A4 page at 110-150 dpi.

    A morphological opening with a horizontal bar `min_length` long keeps what is at least that long
    and one pixel high: rules, frames and underlines survive, text does not (a character's strokes are
    about one text height long, and characters are not joined). Dashed rules whose dashes are shorter
    than `min_length` are lost; that only makes a table look unruled.

    Args:
        ink: `ink_mask` of the upright, deskewed page (or of a reduced copy of it).
        min_length: Shortest rule to report, in the mask's pixels (callers pass a few text heights).

    Returns:
        The rules, in the mask's pixels, in no particular order.
    """
    length = max(8, round(min_length))
    if length >= ink.shape[1]:
        return []
    bars = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(bars, connectivity=8)
    thickest = max(3.0, _MAX_THICKNESS * min_length)
    return [Rule(int(x), int(x + w), round(y + h / 2)) for x, y, w, h, area in stats[1:count] if area <= thickest * w]


def page_rules(image: np.ndarray, min_length: float) -> list[Rule]:
    """`find_rules` for a full-resolution page: found on a copy of about 150 dpi, in page pixels.

    Args:
        image: The upright, deskewed page as a 2-D uint8 array, 0 black.
        min_length: Shortest rule to report, in page pixels.
    """
    height, width = image.shape[:2]
    scale = min(1.0, _WORK_SIDE / max(height, width))
    small = image
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    rules = find_rules(ink_mask(small), min_length * scale)
    return [Rule(round(r.left / scale), round(r.right / scale), round(r.y / scale)) for r in rules]


def content_box(ink: np.ndarray, margin: int) -> tuple[int, int, int, int] | None:
    """The part of the page that holds ink, widened by `margin`: (left, top, right, bottom), or None.

    Rows and columns count as ink when they hold at least `_CONTENT_PIXELS` ink pixels, so that
    isolated specks of a clean scan do not count (a noisy scan simply keeps the whole page).

    Args:
        ink: `ink_mask` of the page or of a reduced copy.
        margin: Pixels of the mask added on each side, clipped to the mask.
    """
    marked = ink > 0
    rows = np.flatnonzero(np.count_nonzero(marked, axis=1) >= _CONTENT_PIXELS)
    columns = np.flatnonzero(np.count_nonzero(marked, axis=0) >= _CONTENT_PIXELS)
    if not len(rows) or not len(columns):
        return None
    height, width = ink.shape[:2]
    return (
        max(0, int(columns[0]) - margin),
        max(0, int(rows[0]) - margin),
        min(width, int(columns[-1]) + 1 + margin),
        min(height, int(rows[-1]) + 1 + margin),
    )
