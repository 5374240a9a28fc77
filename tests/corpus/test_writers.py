"""The file writers produce files Pillow and pdfium open, in every colour mode and compression."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageOps

from corpus.writers import EXIF_ORIENTATION, encode_page, write_image_pdf, write_jpeg, write_png, write_tiff


def _page(mode: str) -> Image.Image:
    im = Image.new("L", (300, 420), 255)
    ImageDraw.Draw(im).rectangle((30, 30, 200, 60), fill=0)
    return im.convert(mode)


def test_image_pdf_modes(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pages = [encode_page(_page(mode), 100) for mode in ("RGB", "L", "1")]
    write_image_pdf(path, [*pages, pages[0], _page("L")], [0, 0, 0, 0, 100])  # encoded or plain images
    doc = pdfium.PdfDocument(str(path))
    assert len(doc) == 5
    for page in doc:
        assert round(page.get_width()) == 216  # 300 px at 100 dpi = 3 in
        px = page.render(scale=100 / 72).to_pil().convert("L")
        assert px.getpixel((100, 45)) < 80 and px.getpixel((100, 300)) > 200
    doc.close()


@pytest.mark.parametrize(
    ("compression", "mode"), [("group4", "1"), ("tiff_lzw", "1"), ("jpeg", "L"), ("jpeg", "RGB")]
)
def test_tiff(tmp_path: Path, compression: str, mode: str) -> None:
    path = tmp_path / "scan.tif"
    write_tiff(path, [_page(mode), _page(mode)], 200, compression=compression)
    with Image.open(path) as im:
        assert im.n_frames == 2 and im.info["compression"] == compression
        im.seek(1)
        im.load()


def test_jpeg_exif_and_png(tmp_path: Path) -> None:
    upright = _page("RGB")
    turned = upright.rotate(-90, expand=True)  # content turned 90 degrees clockwise
    write_jpeg(tmp_path / "a.jpg", turned, 200, quality=80, exif_orientation=EXIF_ORIENTATION[90], phone=True)
    with Image.open(tmp_path / "a.jpg") as im:
        fixed = ImageOps.exif_transpose(im).convert("L")
    assert fixed.size == upright.size
    assert fixed.getpixel((100, 45)) < 80  # the bar is back at the top left
    write_png(tmp_path / "b.png", _page("1"), 200)
    with Image.open(tmp_path / "b.png") as im:
        assert im.mode == "1" and im.info["dpi"][0] == pytest.approx(200, abs=1)
