"""Fixtures for OCR tests: real engines built once per session, corpus pages, the fault-injecting engine."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from corpus import PageTruth
from dangan.records import OcrLine
from dangan.settings import OcrEngineKind, OcrSettings
from ocr import OcrEngine, OrientationGuess, make_engine

# Real-OCR pages are rendered at 200 dpi: what rapidocr's detector works at anyway, and 2.2x fewer
# pixels than 300 dpi for Tesseract. Identifiers and small print stay readable at this size.
TEST_DPI = 200


@pytest.fixture(scope="session")
def rapid_settings() -> OcrSettings:
    return OcrSettings(engine=OcrEngineKind.RAPIDOCR, dpi=TEST_DPI)


@pytest.fixture(scope="session")
def tesseract_settings() -> OcrSettings:
    return OcrSettings(engine=OcrEngineKind.TESSERACT, languages="chi_sim+eng", dpi=TEST_DPI)


@pytest.fixture(scope="session")
def rapid_engine(rapid_settings: OcrSettings) -> OcrEngine:
    """One RapidOCR engine for the whole session, as a worker process would hold it."""
    return make_engine(rapid_settings)


@pytest.fixture(scope="session")
def tesseract_engine(tesseract_settings: OcrSettings) -> OcrEngine:
    return make_engine(tesseract_settings)


@pytest.fixture(scope="session")
def corpus_page() -> Callable[..., tuple[np.ndarray, PageTruth]]:
    """Render a scanned-looking page with the project's corpus generator: (greyscale array, truth)."""
    from corpus import render_page

    def render(
        doc_type: str,
        lang: str,
        *,
        seed: int,
        template: str | None = None,
        quality: str = "normal",
        rotation: int = 0,
        dpi: int = TEST_DPI,
    ) -> tuple[np.ndarray, PageTruth]:
        image, truth = render_page(
            doc_type,
            lang,
            seed=seed,
            quality=quality,
            rotation=rotation,
            dpi=dpi,
            template=template,
            mode="grey",
        )
        return np.asarray(image.convert("L")), truth

    return render


class FaultyEngine:
    """Fault injection: raises where told, otherwise delegates to a real engine (or reads nothing).

    The only fake engine in the tests: everything that is not a failure path runs the real engines.
    """

    def __init__(
        self, inner: OcrEngine | None = None, *, crash_recognize: bool = True, crash_orientation: bool = False
    ) -> None:
        self.name = "faulty"
        self.suspect_below = getattr(inner, "suspect_below", 0.8)
        self.inner = inner
        self.crash_recognize = crash_recognize
        self.crash_orientation = crash_orientation
        self.recognize_calls = 0

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        self.recognize_calls += 1
        if self.crash_recognize:
            raise RuntimeError("injected engine crash")
        return self.inner.recognize(image) if self.inner is not None else []

    def detect_orientation(self, image: np.ndarray) -> OrientationGuess:
        if self.crash_orientation:
            raise RuntimeError("injected orientation crash")
        if self.inner is not None and hasattr(self.inner, "detect_orientation"):
            return self.inner.detect_orientation(image)  # type: ignore[no-any-return]
        return OrientationGuess(0, 0.0)


@pytest.fixture()
def faulty_engine() -> type[FaultyEngine]:
    return FaultyEngine
