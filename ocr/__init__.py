"""OCR: engines behind one Protocol, the page reading stage, the PDF text layer and text normalisation."""

from ocr.engine import ENGINES, OcrEngine, OrientationDetector, OrientationGuess, make_engine
from ocr.geometry import LineDirection, PageGeometry, analyse_page
from ocr.read import read_page
from ocr.text import normalize_text
from ocr.textlayer import read_text_layer

__all__ = [
    "ENGINES",
    "LineDirection",
    "OcrEngine",
    "OrientationDetector",
    "OrientationGuess",
    "PageGeometry",
    "analyse_page",
    "make_engine",
    "normalize_text",
    "read_page",
    "read_text_layer",
]
