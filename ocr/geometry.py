"""Cheap page geometry with OpenCV before any OCR: blank or not, which way the lines run, how skewed.

Everything here works on a copy shrunk to a 1000 px long side (about 85 dpi for A4) and costs 30-60 ms
a page, most of it shrinking the page, against 1.5-3 s for OCR: it decides whether a page needs the
engine at all, whether the engine's full orientation check is worth running, and by how much to
straighten the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np

__all__ = ["LineDirection", "PageGeometry", "analyse_page", "deskew", "rotate_quarter"]

_WORK_SIDE = 1000  # long side of the analysis copy, px
_MAX_SKEW = 15.0  # degrees; anything beyond is a photo or a collage, not a crooked sheet
_MIN_SKEW = 0.2  # degrees; below this, straightening costs more than it gives


class LineDirection(StrEnum):
    """Which way the page's text lines run as scanned."""

    HORIZONTAL = "horizontal"  # upright or upside down
    VERTICAL = "vertical"  # turned 90° or 270°
    UNKNOWN = "unknown"  # too little text, or no clear direction (a photo, a drawing)


@dataclass(frozen=True, slots=True)
class PageGeometry:
    """What `analyse_page` found."""

    blank: bool  # nothing but paper, noise, show-through and edge shadows
    direction: LineDirection
    skew: float  # degrees to turn the page counter-clockwise to level its lines, in any quarter turn
    expected_chars: int  # rough number of characters the text lines could hold; judges an OCR result


def analyse_page(image: np.ndarray) -> PageGeometry:
    """Find blankness, line direction and skew of a greyscale page from its ink alone.

    Blank means almost no pen or toner strokes in the middle of the sheet (see `_blank`): paper tone,
    noise, dust, show-through from the back, punch holes and scanner edges do not count. Ink is what is
    clearly darker than the local paper (a dilated copy of the page), so uneven lighting does not count.
    Ruling lines (tables, underlines) are removed, then characters are smeared together along each axis with a
    kernel about one character wide: along the line direction they merge into long bars, across it
    they stay apart, because line spacing is wider than letter spacing in Chinese and in Latin text.
    The bars' mean angle, refined by a projection profile, is the skew.

    Args:
        image: A 2-D uint8 greyscale page, 0 black.

    Returns:
        The page's geometry.
    """
    small = _shrink(image)
    h, w = small.shape
    if float(np.median(small)) < 80:  # a dark page (lid open, a photo): not blank, nothing to measure
        return PageGeometry(False, LineDirection.UNKNOWN, 0.0, 0)
    if _blank(small):
        return PageGeometry(True, LineDirection.UNKNOWN, 0.0, 0)
    ink = _ink(small)
    margin = round(0.025 * max(h, w))
    ink[:margin], ink[h - margin :], ink[:, :margin], ink[:, w - margin :] = 0, 0, 0, 0
    # Ruling lines, frames and underlines are whole components far longer than any character; removing
    # them as components works whatever the skew (a morphological opening loses tilted thin rules).
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    long = (stats[:, cv2.CC_STAT_WIDTH] > w // 5) | (stats[:, cv2.CC_STAT_HEIGHT] > h // 5)
    long[0] = False
    text = ink & ~long[labels].astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(text, connectivity=8)
    chars = stats[1:][stats[1:, cv2.CC_STAT_AREA] >= 4]
    if len(chars) < 8:
        return PageGeometry(False, LineDirection.UNKNOWN, 0.0, 0)
    size = float(np.median(np.maximum(chars[:, cv2.CC_STAT_WIDTH], chars[:, cv2.CC_STAT_HEIGHT])))
    along = max(2, round(0.9 * size))

    across_bars = _bars(cv2.rotate(text, cv2.ROTATE_90_CLOCKWISE), along, size)
    bars = _bars(text, along, size)
    horizontal = sum(b[2] for b in bars)
    vertical = sum(b[2] for b in across_bars)
    if horizontal >= 2 * vertical and horizontal >= 8 * size:
        direction, mask, found = LineDirection.HORIZONTAL, ink, bars
    elif vertical >= 2 * horizontal and vertical >= 8 * size:
        direction, found = LineDirection.VERTICAL, across_bars
        mask = cv2.rotate(ink, cv2.ROTATE_90_CLOCKWISE)
    else:
        return PageGeometry(False, LineDirection.UNKNOWN, 0.0, round((horizontal + vertical) / size))
    return PageGeometry(False, direction, _skew(found, mask), round(sum(b[2] for b in found) / size))


def _shrink(image: np.ndarray) -> np.ndarray:
    scale = _WORK_SIDE / max(image.shape[:2])
    if scale >= 1.0:
        return image
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _blank(small: np.ndarray) -> bool:
    """Whether the middle of the sheet holds under 0.05 % strokes (about 30 mm² on A4, a few characters).

    Strokes, not ink: a black-hat filter (closing minus image, 2 mm kernel) keeps thin dark lines (pen,
    toner strokes) and drops wide soft blobs, which is what show-through of a duplex back looks like.
    Frames and rulings showing through (marks spanning 15 % of the sheet) and dust specks under 1 mm² do
    not count. The outer 10 % left and right and 7 % top and bottom are ignored: punch holes (centred
    12 mm from the edge), staples and scanner edges sit there.
    """
    h, w = small.shape
    strokes = cv2.morphologyEx(small, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (7, 7)))
    level = float(np.median(strokes))
    spread = 1.4826 * float(np.median(np.abs(strokes.astype(np.float32) - level)))
    marks = (strokes > level + min(80.0, max(30.0, 6.0 * spread))).astype(np.uint8)
    my, mx = round(0.07 * h), round(0.10 * w)
    count, _, stats, _ = cv2.connectedComponentsWithStats(marks[my : h - my, mx : w - mx], connectivity=8)
    mm2 = (max(h, w) / 297.0) ** 2  # pixels per mm² on an A4 page shrunk to the working size
    stats = stats[1:]
    areas = stats[:, cv2.CC_STAT_AREA]
    frames = (stats[:, cv2.CC_STAT_WIDTH] > 0.15 * w) | (stats[:, cv2.CC_STAT_HEIGHT] > 0.15 * h)
    return int(areas[(areas >= mm2) & ~frames].sum()) < 0.0005 * h * w


def _ink(small: np.ndarray) -> np.ndarray:
    """1 where the page is clearly darker than the paper around it, with isolated specks removed."""
    paper = cv2.blur(cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))), (15, 15))
    diff = cv2.subtract(paper, small)
    level = float(np.median(diff))
    spread = 1.4826 * float(np.median(np.abs(diff.astype(np.float32) - level)))
    threshold = level + min(80.0, max(30.0, 6.0 * spread))
    ink = (diff > threshold).astype(np.uint8)
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 1), np.uint8)) | cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, np.ones((1, 2), np.uint8)
    )


def _bars(text: np.ndarray, along: int, size: float) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Characters smeared horizontally into line bars: (xs, ys, length) of bars 3 characters long or more."""
    smeared = cv2.morphologyEx(text, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (along, 1)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(smeared, connectivity=8)
    bars = []
    for i in range(1, count):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        # Thin bars are bits of ruling lines that broke off their table (a tilted rule is a staircase of
        # short level steps); they would pull the angle towards zero.
        if bw >= 3 * bh and bw >= 3 * size and bh >= 0.5 * size:
            ys, xs = np.nonzero(labels[y : y + bh, x : x + bw] == i)
            bars.append((xs + x, ys + y, bw))
    return bars


def _skew(bars: list[tuple[np.ndarray, np.ndarray, int]], mask: np.ndarray) -> float:
    """Length-weighted median angle of the bars, refined to 0.05° by the sharpest row projection of `mask`."""
    angles, weights = [], []
    for xs, ys, length in bars:
        if len(xs) < 20:
            continue
        dx, dy = xs - xs.mean(), ys - ys.mean()
        angles.append(0.5 * np.degrees(np.arctan2(2 * (dx * dy).mean(), (dx * dx).mean() - (dy * dy).mean())))
        weights.append(length)
    if not angles:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.asarray(weights, float)[order])
    estimate = float(np.asarray(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])
    ys, xs = np.nonzero(mask)
    if len(xs) > 80_000:  # a regular subsample keeps the profile's shape at a fraction of the cost
        step = len(xs) // 80_000 + 1
        xs, ys = xs[::step], ys[::step]
    xs = xs.astype(np.float32) - mask.shape[1] / 2
    ys = ys.astype(np.float32)
    best, best_score = estimate, -1.0
    for angle in np.arange(estimate - 0.6, estimate + 0.6001, 0.05):
        rows = np.round(ys - xs * np.float32(np.tan(np.radians(angle)))).astype(np.int32)
        counts = np.bincount(rows - rows.min())
        score = float(np.dot(counts, counts))
        if score > best_score:
            best, best_score = float(angle), score
    if abs(best) > _MAX_SKEW:
        return 0.0
    return round(best, 2)


def rotate_quarter(image: np.ndarray, rotation: int) -> np.ndarray:
    """Turn a page clockwise by 0, 90, 180 or 270 degrees (exact, no resampling).

    Args:
        image: A 2-D array.
        rotation: Clockwise degrees, a multiple of 90.

    Returns:
        The turned page (the same array for 0).
    """
    rotation %= 360
    if rotation == 0:
        return image
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    if rotation not in codes:
        raise ValueError(f"rotation must be a multiple of 90, not {rotation}")
    return cv2.rotate(image, codes[rotation])


def deskew(image: np.ndarray, angle: float) -> np.ndarray:
    """Turn a page counter-clockwise by a small angle about its centre, keeping its size.

    The corners uncovered by the turn are filled with the paper's tone (the page median), not black,
    so they do not look like ink to the engine.

    Args:
        image: A 2-D uint8 page.
        angle: Degrees, counter-clockwise positive; angles under 0.2° are ignored.

    Returns:
        The straightened page (the same array when nothing was done).
    """
    if abs(angle) < _MIN_SKEW:
        return image
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    paper = int(np.median(image[:: max(1, h // 200), :: max(1, w // 200)]))
    return cv2.warpAffine(
        image, matrix, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=paper
    )
