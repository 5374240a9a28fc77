"""The OCR engine contract, the optional orientation capability, and the registry that builds engines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from dangan.errors import ConfigError
from dangan.records import OcrLine

if TYPE_CHECKING:
    from dangan.settings import OcrSettings

__all__ = ["ENGINES", "OcrEngine", "OrientationDetector", "OrientationGuess", "make_engine"]


@runtime_checkable
class OcrEngine(Protocol):
    """Reads the text of one upright page.

    Contract:
    - Construction MUST be done once per worker process (the pool calls `make_engine` in its initializer)
      and MUST load everything the engine needs up front, so that a missing model, binary or language
      file is a `ConfigError` at start-up, not a failure on every page. It MUST NOT download anything.
    - An engine MUST use a single thread, and its constructor MUST limit OpenCV to one thread too
      (`read_page` uses OpenCV in the same process): the worker pool runs one process per core.
    - `name` MUST be the registry kind ("tesseract", "rapidocr"); it is recorded on each page.
    - `recognize` MUST accept any 2-D `uint8` greyscale array (0 black, 255 white) the size of a page or of
      a small photo, MUST NOT modify it, and MUST return the lines in reading order (top to bottom, a
      row of a form or table as one line, left to right) with boxes in the pixels of that array and
      confidences in 0..1. It MUST return an empty list for an image without text. It MAY raise on
      failure: `read_page` turns that into a FAILED page, never a failed batch.
    - `recognize` SHOULD return the text unnormalised; `read_page` normalises it once for all engines.
    - Engines MAY keep state between pages (sessions, buffers), but a page's result MUST NOT depend on
      the pages before it.
    """

    name: str

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        """Read an upright greyscale page.

        Args:
            image: A 2-D uint8 array, upright; left untouched.

        Returns:
            Lines in reading order with confidences in 0..1 and boxes in `image` pixels.
        """
        ...


@dataclass(frozen=True, slots=True)
class OrientationGuess:
    """How far a page must be turned clockwise to be upright, and how sure the guess is."""

    rotation: int  # 0, 90, 180 or 270, clockwise
    confidence: float  # 0..1; 0 when the engine could not tell


@runtime_checkable
class OrientationDetector(Protocol):
    """An engine's own full orientation check, cheaper than reading the page four ways.

    `read_page` calls it only when a page looks turned (lines run vertically, or the OCR result is poor),
    or on every page with `orientation=always`. Engines without it are checked by OCR'ing the candidate
    rotations and keeping the best reading.

    Contract: `detect_orientation` MUST accept the same images as `recognize`, MUST NOT modify them,
    MUST return one of 0/90/180/270 (clockwise, to be applied to make the page upright) and MUST return
    confidence 0 rather than raise when the page has too little text to tell. `suspect_below` MUST be
    the mean line confidence under which this engine's reading of a page suggests the page is upside
    down: engines score differently (RapidOCR reads upright pages at 0.98 and upside-down ones at 0.7;
    Tesseract at 0.75-0.87 and 0.2).
    """

    suspect_below: float

    def detect_orientation(self, image: np.ndarray) -> OrientationGuess:
        """Guess the clockwise rotation that makes `image` upright.

        Args:
            image: A 2-D uint8 greyscale page in any of the four orientations; left untouched.

        Returns:
            The rotation to apply and a confidence.
        """
        ...


def _registry() -> dict[str, type]:
    # Imported here, not at module level, so that `ocr.engine` can be imported by either engine module.
    from ocr.rapid import RapidOcrEngine
    from ocr.tesseract import TesseractEngine

    return {TesseractEngine.name: TesseractEngine, RapidOcrEngine.name: RapidOcrEngine}


ENGINES: dict[str, type] = {}
"""Engine classes by kind; filled on first use. Each class takes the `OcrSettings` as its only argument."""


def make_engine(settings: OcrSettings) -> OcrEngine:
    """Build the engine the settings name, once per worker process.

    Args:
        settings: The OCR settings (`DANGAN_OCR__*`); `settings.engine` is the kind.

    Returns:
        A ready engine: models loaded, files checked.

    Raises:
        ConfigError: The kind is unknown (the message lists the known kinds), or the engine's models,
            binary or language data are missing.
    """
    if not ENGINES:
        ENGINES.update(_registry())
    kind = str(settings.engine)
    engine_class = ENGINES.get(kind)
    if engine_class is None:
        known = ", ".join(sorted(ENGINES))
        raise ConfigError(
            f"未知的 OCR 引擎“{kind}”，可选：{known}",
            f"unknown OCR engine {kind!r}; known engines: {known}",
        )
    engine: OcrEngine = engine_class(settings)
    return engine
