"""The page reading stage: blank check, orientation, deskew and OCR of one rasterised page."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import cv2
import numpy as np

from dangan.records import OcrLine, PageRecord, StageError, Status, TextSource
from dangan.settings import OcrSettings, Orientation
from ocr.engine import OcrEngine, OrientationDetector, OrientationGuess
from ocr.geometry import LineDirection, PageGeometry, analyse_page, deskew, rotate_quarter
from ocr.text import normalize_text

__all__ = ["read_page"]

# A reading this poor on a page whose lines run horizontally may be upside down: worth the engine's
# orientation check. Engines with their own check say where their threshold lies (`suspect_below`);
# this is for the others. Poor upright pages at worst cost one check.
DOUBT_CONFIDENCE = 0.8
DOUBT_CHAR_SHARE = 0.25  # recognised characters / characters the line geometry could hold
# Fewer characters than this on a page that is not blank: not enough text to classify or match.
MIN_PAGE_CHARS = 10
MIN_SIDE = 16  # px; an image smaller than this cannot hold a readable character
_MESSAGE_LIMIT = 300


class _StageFailure(Exception):
    """A sub-stage failed in a way that leaves the page without text."""

    def __init__(self, error: StageError) -> None:
        super().__init__(error.message)
        self.error = error


def read_page(page: PageRecord, image: np.ndarray, engine: OcrEngine, settings: OcrSettings) -> PageRecord:
    """Read one rasterised page: skip it if blank, turn it upright, straighten it, OCR it.

    Orientation is found cheaply. The page geometry (OpenCV, 30-60 ms) tells whether text lines run
    horizontally; only when they do not (turned 90°/270°, or no clear lines) is the engine's full
    check run (RapidOCR: detection plus its line classifier, 0.3 s; Tesseract: OSD, 0.9 s; engines
    without one: reading the candidate rotations). Upside-down pages look horizontal, so with
    `orientation=auto` a poor reading (mean confidence under the engine's `suspect_below`, or under a
    quarter of the characters the lines could hold) triggers the check afterwards, and the page is read
    again if it was turned; the better of the two readings is kept. `always` checks every page first,
    `never` trusts the scan.

    A blank page (paper, noise, show-through, punch holes) is never sent to the engine: it comes back
    with empty text and `text_source` NONE; classification calls it blank.

    Failures stay on the page: an image that is not a page, or an engine that raises, gives a FAILED
    page with a StageError; a failed orientation check or deskew gives a PARTIAL page read without it.
    Only bugs in the caller (a wrong argument type for `page` or `settings`) raise.

    Args:
        page: The page so far; its errors and status are carried over.
        image: The page as a 2-D uint8 greyscale array (0 black), as rasterised; not modified. RGB(A)
            arrays are converted to grey.
        engine: A ready engine (built once per worker process).
        settings: `orientation`, `deskew` and `min_confidence` apply here.

    Returns:
        A new record: normalised `text` and `lines` (boxes in the pixels of the turned and straightened
        page, whose size is `width` × `height`), `ocr_confidence` (mean over lines weighted by text
        length), `low_quality` (confidence under `min_confidence`, or fewer than 10 characters on a page
        that is not blank), `rotation` (clockwise degrees applied), `skew` (degrees turned
        counter-clockwise to level the lines; negative is clockwise), `status`, `errors` and
        `timings` in seconds for `orientation` (including blank detection), `deskew` and `ocr`.
    """
    timings = {"orientation": 0.0, "deskew": 0.0, "ocr": 0.0}
    errors: list[StageError] = []

    def fail(code: str, stage: str, exc: BaseException | str) -> StageError:
        return StageError(stage, page.page_no, code, _message(exc))

    try:
        grey = _as_grey(image)
    except ValueError as exc:
        return _failed(page, fail("bad_image", "ocr", exc), timings)

    with _timed(timings, "orientation"):
        geometry = analyse_page(grey)
    if geometry.blank:
        height, width = grey.shape
        return dataclasses.replace(
            page,
            text_source=TextSource.NONE,
            engine="",
            text="",
            lines=(),
            ocr_confidence=None,
            low_quality=False,
            rotation=0,
            skew=0.0,
            width=width,
            height=height,
            timings=timings,
        )

    rotation, checked = 0, False
    wants_check = settings.orientation == Orientation.ALWAYS or (
        settings.orientation == Orientation.AUTO and geometry.direction != LineDirection.HORIZONTAL
    )
    if wants_check:
        checked = True
        try:
            with _timed(timings, "orientation"):
                rotation = _check_orientation(engine, grey, geometry).rotation
        except Exception as exc:  # a broken check must not cost the page its text
            errors.append(fail("orientation_failed", "orientation", exc))

    try:
        reading = _read(engine, grey, rotation, geometry, settings, timings, errors)
        if (
            settings.orientation == Orientation.AUTO
            and not checked
            and _doubtful(engine, reading.lines, geometry)
        ):
            try:
                with _timed(timings, "orientation"):
                    guess = _check_orientation(engine, reading.image, None)
            except Exception as exc:
                errors.append(fail("orientation_failed", "orientation", exc))
                guess = OrientationGuess(0, 0.0)
            if guess.rotation:
                turned = (rotation + guess.rotation) % 360
                try:
                    again = _read(engine, grey, turned, geometry, settings, timings, errors)
                except _StageFailure as failure:  # the first reading stands
                    errors.append(failure.error)
                else:
                    if _score(again.lines) > _score(reading.lines):
                        reading = again
    except _StageFailure as failure:
        return _failed(page, failure.error, timings, errors)

    lines = tuple(
        dataclasses.replace(line, text=text) for line in reading.lines if (text := normalize_text(line.text))
    )
    chars = sum(len(line.text) for line in lines)
    confidence = sum(len(line.text) * line.confidence for line in lines) / chars if chars else 0.0
    height, width = reading.image.shape
    status = page.status
    if errors and status != Status.FAILED:
        status = Status.PARTIAL
    return dataclasses.replace(
        page,
        status=status,
        text_source=TextSource.OCR,
        engine=engine.name,
        text="\n".join(line.text for line in lines),
        lines=lines,
        ocr_confidence=round(confidence, 4),
        low_quality=confidence < settings.min_confidence or chars < MIN_PAGE_CHARS,
        rotation=reading.rotation,
        skew=reading.skew,
        width=width,
        height=height,
        errors=page.errors + tuple(dataclasses.replace(e, page_no=page.page_no) for e in errors),
        timings=timings,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class _Reading:
    lines: list[OcrLine]
    image: np.ndarray  # turned and straightened: what the engine read and the boxes refer to
    rotation: int
    skew: float


def _read(
    engine: OcrEngine,
    grey: np.ndarray,
    rotation: int,
    geometry: PageGeometry,
    settings: OcrSettings,
    timings: dict[str, float],
    errors: list[StageError],
) -> _Reading:
    """Turn, straighten and OCR.

    The scan's skew holds whichever quarter turn is applied: rotations commute, so lines tilted by an
    angle from their axis stay tilted by it after the page is turned.
    """
    upright = rotate_quarter(grey, rotation)
    angle = 0.0
    if settings.deskew:
        try:
            with _timed(timings, "deskew"):
                angle = geometry.skew
                straight = deskew(upright, angle)
                if straight is upright:
                    angle = 0.0
                upright = straight
        except Exception as exc:  # an OpenCV failure on a strange image: read it crooked
            errors.append(StageError("deskew", None, "deskew_failed", _message(exc)))
            angle = 0.0
    try:
        with _timed(timings, "ocr"):
            lines = engine.recognize(upright)
    except Exception as exc:
        raise _StageFailure(StageError("ocr", None, "engine_error", _message(exc))) from exc
    return _Reading(list(lines), upright, rotation, angle)


def _check_orientation(
    engine: OcrEngine, image: np.ndarray, geometry: PageGeometry | None
) -> OrientationGuess:
    """The engine's own check, or, for engines without one, the best of the candidate readings.

    Candidates for the reading fallback: 90/270 when the lines run vertically, 0/180 after a doubtful
    reading of a horizontal page (`geometry` None), all four when the direction is unknown.
    """
    if isinstance(engine, OrientationDetector):
        return engine.detect_orientation(image)
    if geometry is not None and geometry.direction == LineDirection.VERTICAL:
        candidates: Sequence[int] = (90, 270)
    elif geometry is None:
        candidates = (0, 180)
    else:
        candidates = (0, 90, 180, 270)
    scores = {rotation: _score(engine.recognize(rotate_quarter(image, rotation))) for rotation in candidates}
    best = max(scores, key=lambda rotation: scores[rotation])
    total = sum(scores.values())
    return OrientationGuess(best, scores[best] / total if total else 0.0)


def _score(lines: Sequence[OcrLine]) -> float:
    """How much confident text a reading holds; a wrong orientation yields little, and unsure."""
    return sum(len(line.text) * line.confidence**2 for line in lines)


def _doubtful(engine: OcrEngine, lines: Sequence[OcrLine], geometry: PageGeometry) -> bool:
    """Whether a reading of a horizontal page is poor enough that the page may be upside down."""
    chars = sum(len(line.text) for line in lines)
    if not chars:
        return geometry.expected_chars > 0
    confidence = sum(len(line.text) * line.confidence for line in lines) / chars
    threshold = engine.suspect_below if isinstance(engine, OrientationDetector) else DOUBT_CONFIDENCE
    return confidence < threshold or chars < DOUBT_CHAR_SHARE * geometry.expected_chars


def _as_grey(image: object) -> np.ndarray:
    """The page as a contiguous 2-D uint8 array, or ValueError saying why it is not a page image."""
    if not isinstance(image, np.ndarray):
        raise ValueError(f"expected a numpy array, got {type(image).__name__}")
    array = image
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        array = (array >> 8).astype(np.uint8)
    if array.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {array.dtype}")
    if array.ndim == 3 and array.shape[2] in (3, 4):
        array = cv2.cvtColor(
            np.ascontiguousarray(array), cv2.COLOR_RGB2GRAY if array.shape[2] == 3 else cv2.COLOR_RGBA2GRAY
        )
    if array.ndim != 2:
        raise ValueError(f"expected a 2-D greyscale image, got shape {image.shape}")
    if min(array.shape) < MIN_SIDE:
        raise ValueError(f"image of {array.shape[1]}×{array.shape[0]} px is too small to hold text")
    return np.ascontiguousarray(array)


def _failed(
    page: PageRecord, error: StageError, timings: dict[str, float], earlier: Sequence[StageError] = ()
) -> PageRecord:
    mine = tuple(dataclasses.replace(e, page_no=page.page_no) for e in (*earlier, error))
    return dataclasses.replace(
        page,
        status=Status.FAILED,
        text_source=TextSource.NONE,
        text="",
        lines=(),
        ocr_confidence=None,
        errors=page.errors + mine,
        timings=timings,
    )


def _message(exc: BaseException | str) -> str:
    """Short error text for the record; engine messages carry no page text, but can be long tracebacks."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


@contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[key] = timings.get(key, 0.0) + time.perf_counter() - started
