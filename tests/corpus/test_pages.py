"""render_page, text_pdf and scanned_pdf: fast single pages and long files with truth; no tofu."""

from __future__ import annotations

import difflib
import random
import re
from functools import cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from reportlab.pdfbase import pdfmetrics

from corpus import DOC_TYPES, TEMPLATES, render_page, scan, scanned_pdf, text_pdf
from corpus.generator import _build, _context_for
from corpus.layout import TextOp, font
from corpus.writers import _pdf_font, _register_fonts


@pytest.mark.parametrize("doc_type", DOC_TYPES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_page(doc_type: str, lang: str) -> None:
    img, truth = render_page(doc_type, lang, seed=5, dpi=100, quality="bad", rotation=90)
    assert truth.doc_type == doc_type and truth.rotation == 90
    assert img.width > img.height  # turned sideways
    assert (truth.text == "") == (doc_type == "blank")
    again, truth2 = render_page(doc_type, lang, seed=5, dpi=100, quality="bad", rotation=90)
    assert truth2 == truth and np.array_equal(np.asarray(again), np.asarray(img))


def test_render_page_modes() -> None:
    for mode, pil_mode in (("color", "RGB"), ("grey", "L"), ("bw", "1")):
        img, _ = render_page("invoice", "zh", seed=1, dpi=100, mode=mode, quality="clean")
        assert img.mode == pil_mode and img.size == (827, 1169)


def test_scan_is_deterministic() -> None:
    page = Image.new("L", (400, 560), 255)
    ImageDraw.Draw(page).rectangle((50, 50, 300, 80), fill=0)
    a, pa = scan.scan(page, seed=3, quality="bad")
    b, pb = scan.scan(page, seed=3, quality="bad")
    c, _ = scan.scan(page, seed=4, quality="bad")
    assert pa == pb and np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


def test_text_pdf(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    truth = text_pdf(path, 40, seed=2)
    assert [t.page for t in truth] == list(range(1, 41))
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 40
    for t in truth[::7]:
        got = re.sub(r"\s+", "", doc[t.page - 1].get_textpage().get_text_range())
        assert difflib.SequenceMatcher(None, got, re.sub(r"\s+", "", t.text), autojunk=False).ratio() > 0.97
    doc.close()


def test_scanned_pdf(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    truth = scanned_pdf(path, 30, seed=1, dpi=72, distinct=4)
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == len(truth) == 30
    doc.close()
    assert len({t.document_id for t in truth}) > len({t.document_id for t in truth[:4]})


@cache
def _tofu(family: str, bold: bool) -> bytes:
    return _glyph(family, bold, "\ue000")


@cache
def _glyph(family: str, bold: bool, ch: str) -> bytes:
    im = Image.new("L", (48, 48))
    ImageDraw.Draw(im).text((4, 4), ch, font=font(family, bold, 32), fill=255)
    return im.tobytes()


def test_no_tofu_in_any_template() -> None:
    """Every printed character has a glyph in the raster font and in the PDF font that draws it."""
    _register_fonts()
    missing: set[tuple[str, str, str]] = set()
    for name, t in TEMPLATES.items():
        c, v = _context_for(t, 3)
        for seed in range(3):
            for page in _build(t, c, v, seed):
                for op in page.ops:
                    if not isinstance(op, TextOp):
                        continue
                    pdf_font = pdfmetrics.getFont(_pdf_font(op)[0])
                    cmap = pdf_font.face.charToGlyph
                    for ch in set(op.text) - {" "}:
                        if _glyph(op.family, op.bold, ch) == _tofu(op.family, op.bold):
                            missing.add((name, op.family, ch))
                        if op.truth and ord(ch) not in cmap:
                            missing.add((name, "pdf:" + pdf_font.fontName, ch))
    assert not missing, sorted(missing)[:20]


def test_templates_cover_types_and_languages() -> None:
    pairs = {(t.doc_type, t.lang) for t in TEMPLATES.values()}
    for doc_type in DOC_TYPES:
        if doc_type != "blank":
            assert (doc_type, "zh") in pairs and (doc_type, "en") in pairs, doc_type
    rng = random.Random(0)
    assert rng  # templates are also exercised by test_no_tofu_in_any_template
