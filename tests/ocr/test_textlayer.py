"""PDF text layer: born-digital text is read (so the page is not OCR'd); garbage and OCR layers are not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from corpus.textdiff import cer
from ocr import read_text_layer

# A CJK TrueType font reportlab can embed (the Noto CJK fonts have CFF outlines, which it cannot).
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

CONTRACT = [
    "汽车销售合同",
    "合同编号：HT202405-0087",
    "买受人（乙方）：张三  身份证号码：330106199001011234",
    "车架号（VIN）：LSVAB2BM5KN123456  联系电话：13800138000",
    "甲乙双方根据《中华人民共和国民法典》及相关法律法规的规定，就乙方购买汽车事宜达成如下协议。",
    "车辆价款：人民币壹拾玖万玖仟元整（¥199,000.00）",
]


@pytest.fixture(scope="module")
def cjk_font() -> str:
    if "WQY-test" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("WQY-test", str(CJK_FONT), subfontIndex=0))
    return "WQY-test"


def _pdf(
    path: Path,
    font: str,
    pages: list[list[str]],
    *,
    render_mode: int = 0,
    background: Image.Image | None = None,
) -> Path:
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        if background is not None:
            buf = io.BytesIO()
            background.save(buf, "JPEG")
            c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 0, 0, width=A4[0], height=A4[1])
        text = c.beginText(60, 780)
        text.setFont(font, 12)
        text.setTextRenderMode(render_mode)
        for line in lines:
            text.textLine(line)
        c.drawText(text)
        c.showPage()
    c.save()
    return path


def test_born_digital_page_is_read(tmp_path: Path, cjk_font: str) -> None:
    pdf = _pdf(tmp_path / "contract.pdf", cjk_font, [["封面"] * 2, CONTRACT])
    text = read_text_layer(pdf, 2)
    assert text is not None  # a text layer was returned: the worker does not OCR this page
    assert cer(text, "\n".join(CONTRACT)) < 0.01
    assert "330106199001011234" in text and "LSVAB2BM5KN123456" in text
    assert "合同编号：HT202405-0087" in text  # normalised like OCR output
    assert read_text_layer(pdf, 1) is None  # "封面封面": too few characters to trust, OCR it instead
    assert read_text_layer(pdf, 1, min_chars=2) is not None


def test_full_width_text_layer_is_normalised(tmp_path: Path, cjk_font: str) -> None:
    pdf = _pdf(
        tmp_path / "fw.pdf",
        cjk_font,
        [["车架号：ＬＳＶＡＢ２ＢＭ５ＫＮ１２３４５６，电话：１３８００１３８０００"]],
    )
    assert read_text_layer(pdf, 1) == "车架号：LSVAB2BM5KN123456，电话：13800138000"


@pytest.mark.parametrize(
    "garbage",
    [
        # GBK bytes of a contract decoded as Latin-1: what some old invoicing software leaves in its PDFs.
        ["".join(line.encode("gbk", errors="replace").decode("latin-1") for line in CONTRACT)],
        # Private-use code points: a font's glyph ids mapped nowhere useful.
        ["".join(chr(0xE000 + (i * 37) % 3000) for i in range(200))],
        # ASCII punctuation soup: glyph ids of a subset font without a Unicode map.
        ["!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" * 5],
    ],
)
def test_garbage_text_layer_is_rejected(tmp_path: Path, cjk_font: str, garbage: list[str]) -> None:
    pdf = _pdf(tmp_path / "garbage.pdf", cjk_font, [garbage])
    assert read_text_layer(pdf, 1) is None


def test_invisible_ocr_layer_over_a_scan_is_rejected(tmp_path: Path, cjk_font: str) -> None:
    scan = Image.new("L", (620, 877), 235)
    pdf = _pdf(tmp_path / "ocrd-scan.pdf", cjk_font, [CONTRACT], render_mode=3, background=scan)
    assert read_text_layer(pdf, 1) is None
    visible = _pdf(tmp_path / "visible.pdf", cjk_font, [CONTRACT], render_mode=0, background=scan)
    assert read_text_layer(visible, 1) is not None


def test_unreadable_pdf_gives_none_and_bad_page_number_raises(tmp_path: Path, cjk_font: str) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
    assert read_text_layer(broken, 1) is None
    assert read_text_layer(tmp_path / "missing.pdf", 1) is None
    pdf = _pdf(tmp_path / "one.pdf", cjk_font, [CONTRACT])
    with pytest.raises(IndexError):
        read_text_layer(pdf, 2)
    with pytest.raises(IndexError):
        read_text_layer(pdf, 0)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


@pytest.mark.slow
def test_thousand_page_pdf_in_bounded_memory(tmp_path: Path) -> None:
    import corpus

    path = tmp_path / "long.pdf"
    truths = corpus.text_pdf(path, 1000, seed=3)
    texts = []
    for page_no in range(1, 1001):
        texts.append(read_text_layer(path, page_no))
        if page_no == 100:
            baseline = _rss_mb()
    grown = _rss_mb() - baseline
    assert grown < 40, f"resident memory grew by {grown:.0f} MB over 900 pages"
    assert sum(t is not None for t in texts) >= 990
    for page_no in (1, 500, 1000):
        assert cer(texts[page_no - 1] or "", truths[page_no - 1].text) < 0.02
