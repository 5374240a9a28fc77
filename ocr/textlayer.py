"""A PDF page's own text layer, when it is real text: read with PDFium, a thousand pages a second."""

from __future__ import annotations

import atexit
import threading
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ocr.text import normalize_text

__all__ = ["read_text_layer"]

# Latin-1 and Latin Extended letters in a Chinese dealer's paper are almost always mojibake: GBK or UTF-8
# bytes decoded as Latin-1 or CP1252 ("ºÏÍ¬±àºÅ" for 合同编号). Symbols real documents use are allowed.
_LATIN1_ALLOWED = set(
    "\u00a0\u00a2\u00a3\u00a5\u00a7\u00a9\u00ab\u00ae\u00b0\u00b1\u00b2\u00b3\u00b5\u00b7\u00bb\u00d7\u00f7"
)
_MAX_BAD_SHARE = 0.10  # replacement, private-use, control or mojibake characters
_MAX_SYMBOL_SHARE = 0.40  # ASCII punctuation: what glyph ids of a font without a Unicode map turn into
_RENDER_SAMPLE = 64  # characters whose render mode is checked for an invisible (OCR) layer
_LOCK = threading.Lock()  # PDFium is not thread-safe; worker processes have one thread, the lock is cheap
_cache: tuple[tuple[str, int, int, int, int], pdfium.PdfDocument] | None = None


def read_text_layer(pdf_path: Path, page_no: int, *, min_chars: int = 20) -> str | None:
    """The text of a PDF page's text layer if it is real, visible text; else None (rasterise and OCR it).

    The rule, in order:

    1. The page has at least `min_chars` characters other than whitespace (a cover sheet with a few
       words is cheap to OCR, and a stray page number is not a text layer).
    2. It is not garbage: at most 10 % of those characters are U+FFFD, private-use, unassigned, control
       or surrogate code points, or Latin-1/Latin Extended letters (mojibake of Chinese), and at most 40 %
       are ASCII punctuation (what a font without a Unicode map extracts as).
    3. It is visible: most characters are not drawn in render mode 3 (invisible). An invisible layer is
       someone's OCR of a scanned image (a scanner's, OCRmyPDF's). It is rejected because its quality is
       unknown (no confidences; Chinese OCR layers are often poor, Tesseract's chi_sim measured 17 % CER
       here) and because our own OCR also gives orientation, confidence and line boxes.

    PDFium rather than pdfplumber: on a 1000-page born-digital PDF PDFium extracted about 1000 pages/s
    (150 pages/s reopening the file for each page), pdfplumber 17 pages/s with the file open and 3
    pages/s opening it per page, since pdfminer parses the page tree on open. Only the requested page is
    loaded and it is closed before returning, so memory stays flat however long the file; the last
    opened document is kept open for the next page of the same file (keyed by path, inode, size and
    modification time).

    Args:
        pdf_path: A local PDF file.
        page_no: The page, from 1.
        min_chars: Minimum non-whitespace characters (`DANGAN_OCR__TEXT_LAYER_MIN_CHARS`).

    Returns:
        The page's text, normalised like OCR output (`normalize_text`), or None when the page has no
        usable text layer, including when PDFium cannot open the file (rasterising will say why).

    Raises:
        IndexError: `page_no` is outside the document (a caller's bug, not the file's fault).
    """
    if page_no < 1:
        raise IndexError(f"page_no counts from 1, not {page_no}")
    with _LOCK:
        try:
            document = _open(pdf_path)
        except (pdfium.PdfiumError, OSError):
            return None
        if page_no > len(document):
            raise IndexError(f"page {page_no} of a {len(document)}-page PDF")
        try:
            page = document[page_no - 1]
        except pdfium.PdfiumError:
            return None
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_bounded()  # full Unicode; get_text_range is UCS-2 only
                visible = _visible(textpage) if _usable(text, min_chars) else False
            finally:
                textpage.close()
        except pdfium.PdfiumError:
            return None
        finally:
            page.close()
    return normalize_text(text) if visible else None


def _usable(text: str, min_chars: int) -> bool:
    chars = [ch for ch in text if not ch.isspace()]
    if len(chars) < max(1, min_chars):
        return False
    bad = symbols = 0
    for ch in chars:
        category = unicodedata.category(ch)
        code = ord(ch)
        if ch == "\ufffd" or category in ("Co", "Cn", "Cs", "Cc"):
            bad += 1
        elif 0x80 <= code <= 0x24F and ch not in _LATIN1_ALLOWED:
            bad += 1
        elif code < 0x80 and not ch.isalnum():
            symbols += 1
    return bad <= _MAX_BAD_SHARE * len(chars) and symbols <= _MAX_SYMBOL_SHARE * len(chars)


def _visible(textpage: pdfium.PdfTextPage) -> bool:
    """Whether most of a sample of the page's characters are drawn visibly (render mode other than 3)."""
    count = textpage.count_chars()
    step = max(1, count // _RENDER_SAMPLE)
    seen = invisible = 0
    for index in range(0, count, step):
        obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
        if not obj:  # characters PDFium generated itself (spaces, line breaks) have no text object
            continue
        seen += 1
        if pdfium_c.FPDFTextObj_GetTextRenderMode(obj) == pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE:
            invisible += 1
    return seen > 0 and invisible * 2 < seen


def _open(path: Path) -> pdfium.PdfDocument:
    global _cache
    stat = Path(path).stat()
    key = (str(Path(path).absolute()), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if _cache is not None and _cache[0] == key:
        return _cache[1]
    _close_cached()
    document = pdfium.PdfDocument(str(path))
    _cache = (key, document)
    return document


def _close_cached() -> None:
    global _cache
    if _cache is not None:
        _cache[1].close()
        _cache = None


# Close before interpreter shutdown, where PDFium complains about documents still open.
atexit.register(_close_cached)
