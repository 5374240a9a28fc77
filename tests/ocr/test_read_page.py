"""The page reading stage with the real engines on generated scans; failure paths with the faulty engine."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from PIL import Image

from corpus import PageTruth
from corpus.textdiff import cer
from dangan.records import PageRecord, StageError, Status, TextSource
from dangan.settings import OcrSettings, Orientation
from ocr import OcrEngine, read_page
from tests.ocr.conftest import FaultyEngine

Render = Callable[..., tuple[np.ndarray, PageTruth]]
PAGE = PageRecord(job_id=7, page_no=3)


def _identifiers(truth: PageTruth) -> list[str]:
    ids = truth.identifiers
    return [v for kind in ("id_number", "uscc", "vin", "phone") for v in ids.get(kind, [])]


def _assert_read(record: PageRecord, truth: PageTruth, engine: OcrEngine, max_cer: float) -> None:
    assert record.status == Status.OK, record.errors
    assert record.text_source == TextSource.OCR and record.engine == engine.name
    assert cer(record.text, truth.text) < max_cer
    assert record.text == "\n".join(line.text for line in record.lines)
    assert set(record.timings) == {"orientation", "deskew", "ocr"}
    for line in record.lines:
        left, top, right, bottom = line.box
        assert 0 <= left < right <= record.width + 1 and 0 <= top < bottom <= record.height + 1
        assert 0.0 <= line.confidence <= 1.0


@pytest.mark.slow
@pytest.mark.parametrize(("lang", "template"), [("zh", "contract.sales_b"), ("en", "contract.sales_en")])
def test_rapidocr_reads_a_page(
    corpus_page: Render, rapid_engine: OcrEngine, rapid_settings: OcrSettings, lang: str, template: str
) -> None:
    image, truth = corpus_page("contract", lang, seed=21, template=template)
    record = read_page(PAGE, image, rapid_engine, rapid_settings)
    _assert_read(record, truth, rapid_engine, max_cer=0.05)
    assert record.ocr_confidence is not None and record.ocr_confidence > 0.9 and not record.low_quality
    flat = record.text.replace(" ", "")
    assert all(identifier in flat for identifier in _identifiers(truth))
    assert (record.job_id, record.page_no) == (PAGE.job_id, PAGE.page_no)


@pytest.mark.slow
@pytest.mark.tesseract
@pytest.mark.parametrize(
    ("lang", "template", "max_cer"),
    # Tesseract reads these scans far worse than RapidOCR (see shared/notes/ocr-measured.md).
    [("zh", "contract.sales_a", 0.3), ("en", "contract.sales_en", 0.1)],
)
def test_tesseract_reads_a_page(
    corpus_page: Render,
    tesseract_engine: OcrEngine,
    tesseract_settings: OcrSettings,
    lang: str,
    template: str,
    max_cer: float,
) -> None:
    image, truth = corpus_page("contract", lang, seed=22, template=template, quality="clean")
    record = read_page(PAGE, image, tesseract_engine, tesseract_settings)
    _assert_read(record, truth, tesseract_engine, max_cer=max_cer)
    if lang == "zh":
        assert "合同" in record.text  # Han characters joined without Tesseract's spaces


@pytest.mark.slow
@pytest.mark.parametrize("turned", [90, 180, 270])
def test_turned_page_comes_out_upright(
    corpus_page: Render, rapid_engine: OcrEngine, rapid_settings: OcrSettings, turned: int
) -> None:
    image, truth = corpus_page("other", "zh", seed=30 + turned, template="other.letter", rotation=turned)
    record = read_page(PAGE, image, rapid_engine, rapid_settings)
    assert record.rotation == (360 - turned) % 360
    assert (record.height > record.width) == (image.shape[0] < image.shape[1]) or turned == 180
    _assert_read(record, truth, rapid_engine, max_cer=0.08)


@pytest.mark.slow
def test_skewed_page_is_straightened(
    corpus_page: Render, rapid_engine: OcrEngine, rapid_settings: OcrSettings
) -> None:
    image, truth = corpus_page("contract", "zh", seed=40, template="contract.sales_b", quality="clean")
    crooked = np.asarray(
        Image.fromarray(image).rotate(4.0, resample=Image.Resampling.BILINEAR, fillcolor=245)
    )
    record = read_page(PAGE, crooked, rapid_engine, rapid_settings)
    assert record.skew == pytest.approx(truth.skew - 4.0, abs=0.4)
    assert (record.width, record.height) == (crooked.shape[1], crooked.shape[0])
    _assert_read(record, truth, rapid_engine, max_cer=0.08)
    unstraightened = read_page(
        PAGE, crooked, rapid_engine, rapid_settings.model_copy(update={"deskew": False})
    )
    assert unstraightened.skew == 0.0


def test_blank_page_is_not_sent_to_the_engine(corpus_page: Render, rapid_settings: OcrSettings) -> None:
    image, _ = corpus_page("blank", "zh", seed=2)
    engine = FaultyEngine()  # any call to it would fail the page
    record = read_page(PAGE, image, engine, rapid_settings)
    assert engine.recognize_calls == 0
    assert record.status == Status.OK and record.errors == ()
    assert record.text == "" and record.lines == () and record.text_source == TextSource.NONE
    assert record.ocr_confidence is None and not record.low_quality
    assert (record.width, record.height) == (image.shape[1], image.shape[0])


def test_engine_crash_fails_only_the_page(corpus_page: Render, rapid_settings: OcrSettings) -> None:
    image, _ = corpus_page("contract", "zh", seed=5, template="contract.sales_a")
    earlier = StageError("rasterise", 3, "slow_page", "took long")
    page = PageRecord(job_id=7, page_no=3, errors=(earlier,))
    record = read_page(page, image, FaultyEngine(), rapid_settings)
    assert record.status == Status.FAILED
    assert record.errors[0] == earlier
    error = record.errors[-1]
    assert (error.stage, error.page_no, error.code) == ("ocr", 3, "engine_error")
    assert "injected engine crash" in error.message
    assert record.text == "" and record.text_source == TextSource.NONE
    assert record.timings["ocr"] >= 0.0


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (None, "bad_image"),
        (np.zeros((100, 100), np.float32), "bad_image"),
        (np.zeros((8, 500), np.uint8), "bad_image"),  # too small to hold a character
        (np.zeros((10, 10, 10), np.uint8), "bad_image"),
    ],
)
def test_bad_images_fail_the_page_without_raising(
    image: object, code: str, rapid_settings: OcrSettings
) -> None:
    record = read_page(PAGE, image, FaultyEngine(), rapid_settings)  # type: ignore[arg-type]
    assert record.status == Status.FAILED
    assert record.errors[-1].code == code


@pytest.mark.parametrize("form", ["rgb", "rgba", "uint16", "bool", "single_channel"])
def test_other_pixel_formats_reach_the_engine(
    corpus_page: Render, rapid_settings: OcrSettings, form: str
) -> None:
    grey, _ = corpus_page("other", "zh", seed=4, template="other.letter")
    image = {
        "rgb": np.stack([grey] * 3, axis=2),
        "rgba": np.dstack([grey, grey, grey, np.full_like(grey, 255)]),
        "uint16": grey.astype(np.uint16) * 257,
        "bool": grey > 128,
        "single_channel": grey[:, :, None],
    }[form]
    engine = FaultyEngine()  # crashes when reached: the page was accepted as an image
    record = read_page(PAGE, image, engine, rapid_settings)
    assert engine.recognize_calls == 1
    assert record.errors[-1].code == "engine_error"


@pytest.mark.slow
def test_failed_orientation_check_gives_a_partial_page(
    corpus_page: Render, rapid_engine: OcrEngine, rapid_settings: OcrSettings
) -> None:
    image, truth = corpus_page("other", "zh", seed=9, template="other.letter")
    engine = FaultyEngine(rapid_engine, crash_recognize=False, crash_orientation=True)
    settings = rapid_settings.model_copy(update={"orientation": Orientation.ALWAYS})
    record = read_page(PAGE, image, engine, settings)
    assert record.status == Status.PARTIAL
    assert [(e.stage, e.code, e.page_no) for e in record.errors] == [("orientation", "orientation_failed", 3)]
    assert cer(record.text, truth.text) < 0.08  # read as scanned, upright


@pytest.mark.slow
def test_page_without_text_is_low_quality(rapid_engine: OcrEngine, rapid_settings: OcrSettings) -> None:
    # Pen scribbles and no print: not blank, so it is read, and flagged for review.
    rng = np.random.default_rng(1)
    page = np.full((2339, 1654), 238, np.uint8)
    for _ in range(12):
        start = rng.integers((300, 400), (1300, 1900))
        points = np.cumsum(rng.integers(-40, 41, (30, 2)), axis=0) + start
        cv2.polylines(page, [points.astype(np.int32)], False, 40, thickness=4)
    record = read_page(PAGE, page, rapid_engine, rapid_settings)
    assert record.status == Status.OK
    assert record.text_source == TextSource.OCR
    assert record.low_quality
