"""Page geometry on generated scans: blank pages, line direction of turned pages, skew; no OCR involved."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from corpus import PageTruth
from ocr.geometry import LineDirection, analyse_page, deskew, rotate_quarter


@pytest.mark.parametrize("seed", range(6))
def test_blank_sheets_are_blank(corpus_page: Callable[..., tuple[np.ndarray, PageTruth]], seed: int) -> None:
    # Empty sheets and duplex backs (show-through), clean to normal scans.
    image, _ = corpus_page("blank", "zh", seed=seed, quality=("clean", "normal")[seed % 2])
    assert analyse_page(image).blank


@pytest.mark.parametrize(
    ("doc_type", "lang", "template"),
    [
        ("contract", "zh", "contract.sales_a"),
        ("invoice", "zh", "invoice.motor"),
        ("id_copy", "zh", "id_copy.card"),
        ("inspection_sheet", "en", "inspection.pdi_en"),
        ("other", "zh", "other.photo"),
    ],
)
def test_pages_with_content_are_not_blank(
    corpus_page: Callable[..., tuple[np.ndarray, PageTruth]], doc_type: str, lang: str, template: str
) -> None:
    image, _ = corpus_page(doc_type, lang, seed=11, template=template, quality="bad")
    assert not analyse_page(image).blank


def test_dark_and_tiny_marks() -> None:
    assert not analyse_page(np.zeros((2339, 1654), np.uint8)).blank  # a black page is not blank paper
    page = np.full((2339, 1654), 235, np.uint8)
    page[1000:1002, 600:1000] = 40  # a short rule alone
    page[200:204, 90:94] = 30  # a speck of dust
    assert analyse_page(page).blank


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_line_direction_tells_turned_pages(
    corpus_page: Callable[..., tuple[np.ndarray, PageTruth]], rotation: int
) -> None:
    image, _ = corpus_page("contract", "zh", seed=5, template="contract.sales_b", rotation=rotation)
    expected = LineDirection.HORIZONTAL if rotation in (0, 180) else LineDirection.VERTICAL
    assert analyse_page(image).direction == expected


@pytest.mark.parametrize("extra", [-4.0, 2.5])
def test_skew_is_measured(corpus_page: Callable[..., tuple[np.ndarray, PageTruth]], extra: float) -> None:
    image, truth = corpus_page("invoice", "zh", seed=8, template="invoice.motor", quality="clean")
    # Turn the scan further by a known angle (PIL: counter-clockwise positive) on top of the scan's own
    # clockwise skew; the page must be turned back by the sum.
    turned = np.asarray(
        Image.fromarray(image).rotate(extra, resample=Image.Resampling.BILINEAR, fillcolor=240)
    )
    measured = analyse_page(turned).skew
    assert measured == pytest.approx(truth.skew - extra, abs=0.4)
    straight = analyse_page(deskew(turned, measured)).skew
    assert abs(straight) < 0.3


def test_rotate_quarter_round_trip() -> None:
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert rotate_quarter(image, 0) is image
    assert rotate_quarter(image, 90).shape == (4, 3)
    assert (rotate_quarter(rotate_quarter(image, 90), 270) == image).all()
    assert (rotate_quarter(image, 180) == image[::-1, ::-1]).all()
    with pytest.raises(ValueError):
        rotate_quarter(image, 45)
