"""What a dropped scan really is, whether it is safe to read, and its pages one at a time as grey arrays."""

from __future__ import annotations

import contextlib
import ctypes
import math
import struct
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageFile

from dangan.errors import (
    BadInputError,
    CorruptFileError,
    EmptyFileError,
    EncryptedFileError,
    FileTooLargeError,
    ImageTooLargeError,
    TooManyPagesError,
    TruncatedFileError,
    UnsupportedFormatError,
)
from dangan.settings import IntakeSettings
from ingest import _formats
from ingest._formats import JPEG, PDF, PNG, SNIFF_BYTES, TIFF, sniff_media_type

__all__ = [
    "JPEG",
    "PDF",
    "PNG",
    "SNIFF_BYTES",
    "SUPPORTED_MEDIA_TYPES",
    "TIFF",
    "SourceInfo",
    "inspect_file",
    "load_page_image",
    "sniff_media_type",
]

SUPPORTED_MEDIA_TYPES = frozenset({PDF, TIFF, JPEG, PNG})

_MIB = 1024 * 1024
_PIL_FORMATS = {TIFF: "TIFF", JPEG: "JPEG", PNG: "PNG"}
_KIND = {PDF: "PDF", TIFF: "TIFF", JPEG: "JPEG", PNG: "PNG"}
_EXIF_ORIENTATION = 0x0112
_ALPHA_MODES = frozenset({"LA", "La", "PA", "RGBA", "RGBa"})
_MAX_FORM_DEPTH = 16  # Form XObjects nested deeper than this are not searched for images

# PDFium is not thread-safe: every call into it in this module holds this lock, so that a watcher thread
# inspecting a file cannot race a thread loading a page. Page workers are processes, so it is uncontended.
_PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What `inspect_file` learned about a file: enough to queue its pages, nothing that holds it open.

    There is deliberately no per-page text-layer hint: finding one costs PDFium about a millisecond a page
    (a second on a 1000-page file), and the page worker checks the text layer anyway when it has the page.
    """

    media_type: str  # "application/pdf" | "image/tiff" | "image/jpeg" | "image/png"
    page_count: int


def inspect_file(path: Path, limits: IntakeSettings, dpi: int) -> SourceInfo:
    """Decide what a file is and refuse it, with a reason a clerk understands, if it cannot be processed.

    The content decides the type, never the name (`IMG_0042.PDF` may be a JPEG). Every limit is checked
    from headers before any pixel is decoded: file size, page or frame count, and the pixel size of each
    page at `dpi` (PDF) or of each image frame. Cut-off files are found from their structure (a PDF
    without its final `%%EOF`, a JPEG without EOI, a PNG without IEND, TIFF strips beyond the end), so
    that a broken file goes to quarantine at intake instead of failing page by page in the workers.

    Decisions on PDFs: a PDF whose cross-reference table is damaged but which PDFium repairs is accepted
    (scanner software writes such files and every viewer opens them); a PDF cut short is refused even if
    PDFium could open a part of it, because filing half a file and retiring the original loses pages. A
    PDF that needs a password to open is refused; one with only an owner password (it opens without a
    password but asks viewers not to print or copy) is accepted: its content is not encrypted against
    anyone, the permission flags are advisory, and archiving a signed contract sent that way is exactly
    what the archive is for.

    Args:
        path: A local file (the stored original); it is only read.
        limits: The intake limits (`DANGAN_INTAKE__*`).
        dpi: The resolution PDF pages will be rasterised at (`DANGAN_OCR__DPI`), for the page size check.

    Returns:
        The media type and the number of pages.

    Raises:
        BadInputError: One of its subclasses, with `reason_zh` and `reason_en` for the quarantine sidecar.
        FileNotFoundError: The file is gone; that is not the file's fault, so it is not a BadInputError.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    size = path.stat().st_size
    if size == 0:
        raise EmptyFileError(
            "文件是空的（0 字节），扫描或复制可能没有完成。请重新扫描或重新复制后再放入。",
            "The file is empty (0 bytes); the scan or copy probably did not finish. Scan or copy it again.",
        )
    if size > limits.max_file_mb * _MIB:
        raise FileTooLargeError(
            f"文件太大：{size / _MIB:,.1f} MB，超过上限 {limits.max_file_mb:,} MB。请拆分后再放入，"
            "或请管理员调整设置 DANGAN_INTAKE__MAX_FILE_MB。",
            f"The file is too large: {size / _MIB:,.1f} MB, above the limit of {limits.max_file_mb:,} MB. "
            "Split it, or ask an administrator to raise DANGAN_INTAKE__MAX_FILE_MB.",
        )
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
        media_type = sniff_media_type(head)
        if media_type is None:
            raise _unsupported(head, path)
        if media_type == PDF:
            page_count = _inspect_pdf(path, fh, size, limits, dpi)
        else:
            page_count = _inspect_raster(fh, size, media_type, limits)
    return SourceInfo(media_type=media_type, page_count=page_count)


def load_page_image(
    path: Path, media_type: str, page_no: int, *, dpi: int, limits: IntakeSettings
) -> np.ndarray:
    """One page as a greyscale uint8 array (height × width), upright as far as the file's metadata says.

    Only this page is decoded and nothing of it is kept afterwards, so memory stays flat however long
    the file. PDF pages are rasterised in memory by PDFium straight to grey (no PNG in between), with the
    page's /Rotate applied; TIFF frames and JPEG/PNG images get their EXIF/TIFF orientation applied;
    transparency is flattened onto white; 1-bit, palette and 16-bit images become 8-bit grey.

    The limits are checked again before decoding (the worker may get a file `inspect_file` never saw, and
    a PDF's embedded images can only be checked once its page is parsed). Nothing is cached between
    calls: the file is opened for the page and closed after it (see `_load_pdf_page` for the figures).

    Args:
        path: A local file of the type `inspect_file` reported.
        media_type: The type `inspect_file` returned.
        page_no: The page, from 1.
        dpi: Resolution for PDF pages; images keep their own pixels.
        limits: The intake limits (`DANGAN_INTAKE__*`).

    Returns:
        A C-contiguous, writable `numpy.uint8` array of shape (height, width); 0 is black, 255 white.

    Raises:
        BadInputError: A subclass, when the page is damaged, too large or unreadable.
        IndexError: `page_no` is beyond the file's pages (a caller's bug, not the file's fault).
        ValueError: `page_no` below 1 or an unknown `media_type` (a caller's bug).
    """
    if page_no < 1:
        raise ValueError(f"page_no counts from 1, not {page_no}")
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    if media_type == PDF:
        return _load_pdf_page(path, page_no, dpi, limits)
    if media_type in _PIL_FORMATS:
        return _load_raster_page(path, media_type, page_no, limits)
    raise ValueError(f"unsupported media type {media_type!r}")


# --- PDF -------------------------------------------------------------------------------------------------


def _inspect_pdf(path: Path, fh: BinaryIO, size: int, limits: IntakeSettings, dpi: int) -> int:
    if not _formats.pdf_has_eof(fh, size):
        raise _truncated(PDF, "no %%EOF in the last 1024 bytes")
    with _PDFIUM_LOCK:
        # Opening reads the trailer and cross-reference table only; page count and page sizes come from
        # the page tree without parsing any page's content, so a 1000-page file takes milliseconds.
        document = _open_pdf(path)
        try:
            page_count = len(document)
            _check_page_count(page_count, limits)
            for index in range(page_count):
                _pdf_page_pixels(document, index, dpi, limits)
        finally:
            document.close()
    return page_count


def _load_pdf_page(path: Path, page_no: int, dpi: int, limits: IntakeSettings) -> np.ndarray:
    # The document is opened for each page and closed after it, on purpose. PDFium keeps every object
    # it has parsed for as long as a document is open, image streams included, so a document held open
    # across the pages of a scanned file grows by each page's compressed image (about 1 MB a page:
    # 63 → 405 MB RSS over 300 pages). Opening costs 2-20 ms (the latter when PDFium must rebuild a
    # broken cross-reference table of a 300 MB file) against about 100 ms to rasterise a scanned page,
    # and measured no slower overall, so a per-process cache of open documents would buy nothing.
    with _PDFIUM_LOCK:
        document = _open_pdf(path)
        try:
            return _render_pdf_page(document, page_no, dpi, limits)
        finally:
            document.close()


def _render_pdf_page(
    document: pdfium.PdfDocument, page_no: int, dpi: int, limits: IntakeSettings
) -> np.ndarray:
    if page_no > len(document):
        raise IndexError(f"page {page_no} of a {len(document)}-page PDF")
    width, height = _pdf_page_pixels(document, page_no - 1, dpi, limits)
    try:
        page = document.get_page(page_no - 1)
    except pdfium.PdfiumError as exc:
        raise _corrupt(PDF, f"page {page_no}: {exc}") from exc
    try:
        _check_pdf_images(page, page_no, limits)
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        try:
            # A native bitmap's buffer is owned by Python and outlives the bitmap: the array is the only
            # copy of the pixels, and closing bitmap and page frees everything else at once.
            image = bitmap.to_numpy()
        finally:
            bitmap.close()
    finally:
        page.close()
    if image.shape != (height, width):  # a PDFium behaviour change would otherwise pass silently
        raise RuntimeError(f"PDFium rendered {image.shape}, expected {(height, width)}")
    return image


def _open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if exc.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedFileError(
                "PDF 设置了打开密码，系统无法读取。请去掉密码后再放入（用原软件另存为不加密的 PDF）。",
                "The PDF needs a password to open, so it cannot be read. Save a copy without a password "
                "and drop that instead.",
                str(exc),
            ) from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedFileError(
                "PDF 使用了不支持的加密方式，系统无法读取。请另存为不加密的 PDF 后再放入。",
                "The PDF uses an unsupported encryption scheme. Save a copy without encryption and drop "
                "that.",
                str(exc),
            ) from exc
        if exc.err_code == pdfium_c.FPDF_ERR_SUCCESS:  # it opened, but has no page
            raise CorruptFileError(
                "PDF 文件里没有任何页面。请检查扫描软件的设置后重新扫描。",
                "The PDF has no pages. Check the scanner software and scan again.",
                str(exc),
            ) from exc
        raise _corrupt(PDF, str(exc)) from exc


def _pdf_page_pixels(
    document: pdfium.PdfDocument, index: int, dpi: int, limits: IntakeSettings
) -> tuple[int, int]:
    """Pixel size of a page at `dpi`, from the page tree alone; refuses it before anything is allocated."""
    try:
        width_pt, height_pt = document.get_page_size(index)
    except pdfium.PdfiumError as exc:
        raise _corrupt(PDF, f"page {index + 1}: {exc}") from exc
    if not (math.isfinite(width_pt) and math.isfinite(height_pt)):
        raise _corrupt(PDF, f"page {index + 1} has no finite size")
    scale = dpi / 72
    # Rounded as pypdfium2's render() rounds, so the check is on the bitmap it would allocate.
    width, height = math.ceil(width_pt * scale), math.ceil(height_pt * scale)
    if width < 1 or height < 1:
        raise _corrupt(PDF, f"page {index + 1} is {width_pt} x {height_pt} pt")
    if width * height > limits.max_page_pixels:
        raise _image_too_large(index + 1, width, height, limits, dpi=dpi)
    return width, height


def _check_pdf_images(page: pdfium.PdfPage, page_no: int, limits: IntakeSettings) -> None:
    """Refuse a page embedding an image that would decode to more pixels than the limit.

    A tiny page can draw a 100000 × 100000 image that compresses to kilobytes; PDFium decodes the whole
    image whatever the output size, so the page size check alone does not stop such a bomb. The declared
    size is read from the image dictionary without decoding, through the raw API (pypdfium2's object
    helpers build a Python object per text object, which costs milliseconds on a dense page).
    """
    width, height = ctypes.c_uint(), ctypes.c_uint()

    def walk(
        parent: Any, count_objects: Callable[..., int], get_object: Callable[..., Any], depth: int
    ) -> None:
        for i in range(count_objects(parent)):
            obj = get_object(parent, i)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                if pdfium_c.FPDFImageObj_GetImagePixelSize(obj, width, height):
                    if width.value * height.value > limits.max_page_pixels:
                        raise _image_too_large(page_no, width.value, height.value, limits, embedded=True)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < _MAX_FORM_DEPTH:
                walk(obj, pdfium_c.FPDFFormObj_CountObjects, pdfium_c.FPDFFormObj_GetObject, depth + 1)

    walk(page.raw, pdfium_c.FPDFPage_CountObjects, pdfium_c.FPDFPage_GetObject, 0)


# --- TIFF, JPEG, PNG -------------------------------------------------------------------------------------


def _inspect_raster(fh: BinaryIO, size: int, media_type: str, limits: IntakeSettings) -> int:
    try:
        if media_type == TIFF:
            scan = _formats.scan_tiff(fh, size, limits.max_tiff_frames)
            if scan.more:
                raise TooManyPagesError(
                    f"TIFF 文件的帧（页）数超过上限 {limits.max_tiff_frames:,}。请把文件拆分后再放入，"
                    "或请管理员调整设置 DANGAN_INTAKE__MAX_TIFF_FRAMES。",
                    f"The TIFF has more than {limits.max_tiff_frames:,} frames (pages). Split it, or ask an "
                    "administrator to raise DANGAN_INTAKE__MAX_TIFF_FRAMES.",
                )
            frames = scan.frames
        elif media_type == JPEG:
            frames = (_formats.scan_jpeg(fh, size),)
        else:
            frames = (_formats.scan_png(fh, size),)
    except _formats.StructureError as exc:
        if exc.truncated:
            raise _truncated(media_type, exc.detail) from exc
        raise _corrupt(media_type, exc.detail) from exc
    _check_page_count(len(frames), limits)
    for page_no, frame in enumerate(frames, start=1):
        if frame.width * frame.height > limits.max_page_pixels:
            raise _image_too_large(page_no, frame.width, frame.height, limits)
    # Pillow must accept the header too (pixel mode, compression); opening reads no pixels.
    with _pillow_guard(limits), _decode_errors(media_type, limits):
        with Image.open(fh, formats=[_PIL_FORMATS[media_type]]):
            pass
    return len(frames)


def _load_raster_page(path: Path, media_type: str, page_no: int, limits: IntakeSettings) -> np.ndarray:
    # Pillow gets a file object, not the path: given a path it memory-maps uncompressed single-strip TIFFs,
    # and in Pillow 13 that path decodes frames with orientation 5-8 (turned 90°) into garbage (it uses
    # the upright size for the stored raster). Reading through a file object also avoids SIGBUS if a
    # mapped file on a network share shrinks.
    with path.open("rb") as fh, _pillow_guard(limits), _decode_errors(media_type, limits):
        with Image.open(fh, formats=[_PIL_FORMATS[media_type]]) as image:
            if page_no > 1:
                if media_type != TIFF:
                    raise IndexError(f"page {page_no} of a single-page {_KIND[media_type]}")
                try:
                    image.seek(page_no - 1)  # reads the IFD chain's tags, decodes nothing
                except EOFError:
                    raise IndexError(f"page {page_no} is beyond the TIFF's frames") from None
            if image.width * image.height > limits.max_page_pixels:
                raise _image_too_large(page_no, image.width, image.height, limits)
            if media_type == JPEG and image.mode == "RGB":
                # libjpeg then emits only the luma channel: a third of the memory and faster, and the
                # same grey as converting afterwards.
                image.draft("L", image.size)
            image.load()
            # Read after load(): Pillow turns TIFF frames upright itself while loading and then drops
            # the tag, so reading it afterwards never turns a page twice; JPEG and PNG keep theirs.
            orientation = _orientation(image)
            grey = _grey_array(image)
    return _upright(grey, orientation)


@contextlib.contextmanager
def _pillow_guard(limits: IntakeSettings) -> Iterator[None]:
    """Make Pillow's decompression-bomb warning an error at our pixel limit, and refuse truncated data.

    `Image.MAX_IMAGE_PIXELS`, `ImageFile.LOAD_TRUNCATED_IMAGES` and the warnings filters are process-wide,
    so they are set only for the duration of one load and restored afterwards, leaving other code's Pillow
    use untouched. This is not thread-safe (no process-wide setting can be); it is a second line of
    defence: the pixel limits are also checked explicitly before every decode, which needs no global.
    """
    saved_pixels, saved_truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        Image.MAX_IMAGE_PIXELS = limits.max_page_pixels
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved_pixels
            ImageFile.LOAD_TRUNCATED_IMAGES = saved_truncated


@contextlib.contextmanager
def _decode_errors(media_type: str, limits: IntakeSettings) -> Iterator[None]:
    """Turn Pillow's many failure types into our errors, without guessing from message texts."""
    try:
        yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(
            f"图像太大，超过上限 {limits.max_page_pixels:,} 像素，可能是恶意文件。如确为正常文件，"
            "请管理员调整设置 DANGAN_INTAKE__MAX_PAGE_PIXELS。",
            f"The image has more than {limits.max_page_pixels:,} pixels, possibly a hostile file. If it is "
            "a genuine scan, ask an administrator to raise DANGAN_INTAKE__MAX_PAGE_PIXELS.",
            str(exc),
        ) from exc
    except OSError as exc:
        if exc.errno is not None:
            raise  # a real I/O failure (disk, network share) is not the file's fault: retry, not quarantine
        raise _corrupt(media_type, f"{type(exc).__name__}: {exc}") from exc
    except (SyntaxError, ValueError, EOFError, struct.error, zlib.error) as exc:
        raise _corrupt(media_type, f"{type(exc).__name__}: {exc}") from exc


def _orientation(image: Image.Image) -> int:
    """The EXIF/TIFF orientation (1-8) of the current frame; 1 when absent or unreadable."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # noqa: BLE001 - Pillow's EXIF parser fails in many ways on odd metadata, and
        return 1  # broken metadata must not make a readable page unreadable
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _grey_array(image: Image.Image) -> np.ndarray:
    """8-bit grey pixels of a loaded image of any mode; transparency composited onto white paper."""
    mode = image.mode
    if mode.startswith("I;16"):
        # Pillow's convert("L") clips 16-bit values at 255 instead of scaling them.
        return (np.asarray(image) >> 8).astype(np.uint8)
    if mode == "I":  # 32-bit integer grey, which Pillow also uses for some 16-bit files
        return (np.clip(np.asarray(image), 0, 65535) >> 8).astype(np.uint8)
    if mode in _ALPHA_MODES or "transparency" in image.info:
        grey_alpha = np.asarray(image.convert("LA"), dtype=np.uint16)
        grey, alpha = grey_alpha[..., 0], grey_alpha[..., 1]
        # grey·alpha + 255·(255 − alpha) ≤ 255·255, so uint16 cannot overflow.
        return ((grey * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    if mode != "L":
        image = image.convert("L")
    return np.array(image)  # np.asarray would give a read-only view


def _upright(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """Apply an EXIF orientation as Pillow's `ImageOps.exif_transpose` does, in numpy."""
    transforms = {
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1, :],
        5: lambda a: a.T,
        6: lambda a: np.rot90(a, k=-1),
        7: lambda a: a[::-1, ::-1].T,
        8: lambda a: np.rot90(a, k=1),
    }
    if orientation in transforms:
        pixels = transforms[orientation](pixels)
    return np.ascontiguousarray(pixels)


# --- shared checks and the reasons a clerk reads ----------------------------------------------------------


def _check_page_count(page_count: int, limits: IntakeSettings) -> None:
    if page_count > limits.max_pages:
        raise TooManyPagesError(
            f"页数太多：{page_count:,} 页，超过上限 {limits.max_pages:,} 页。请把文件拆分后再放入，"
            "或请管理员调整设置 DANGAN_INTAKE__MAX_PAGES。",
            f"Too many pages: {page_count:,}, above the limit of {limits.max_pages:,}. Split the file, or "
            "ask an administrator to raise DANGAN_INTAKE__MAX_PAGES.",
        )


def _image_too_large(
    page_no: int,
    width: int,
    height: int,
    limits: IntakeSettings,
    *,
    dpi: int | None = None,
    embedded: bool = False,
) -> ImageTooLargeError:
    what_zh, what_en = ("页内嵌入的图像", "an image embedded in page") if embedded else ("页", "page")
    at_zh, at_en = (f"（按 {dpi} dpi）", f" at {dpi} dpi") if dpi else ("", "")
    hint_zh = "；若是大幅图纸，也可降低 DANGAN_OCR__DPI" if dpi else ""
    hint_en = ", or lower DANGAN_OCR__DPI for large drawings" if dpi else ""
    return ImageTooLargeError(
        f"第 {page_no} {what_zh}太大：{width:,}×{height:,} 像素{at_zh}，"
        f"超过上限 {limits.max_page_pixels:,} 像素。可能是恶意文件或页面尺寸错误；"
        f"如确为正常文件，请管理员调整设置 DANGAN_INTAKE__MAX_PAGE_PIXELS{hint_zh}。",
        f"{what_en.capitalize()} {page_no} is too large: {width:,} x {height:,} pixels{at_en}, above the "
        f"limit of {limits.max_page_pixels:,}. It may be a hostile file or a wrong page size; if it is "
        f"genuine, ask an administrator to raise DANGAN_INTAKE__MAX_PAGE_PIXELS{hint_en}.",
        f"page {page_no}: {width}x{height}",
    )


def _truncated(media_type: str, detail: str) -> TruncatedFileError:
    kind = _KIND[media_type]
    return TruncatedFileError(
        f"文件不完整：{kind} 文件在结尾处被截断，可能是扫描、复制或下载中断了。"
        "请重新扫描或重新复制后再放入。",
        f"The file is incomplete: the {kind} ends early, probably an interrupted scan, copy or download. "
        "Scan or copy it again.",
        detail,
    )


def _corrupt(media_type: str, detail: str) -> CorruptFileError:
    kind = _KIND[media_type]
    return CorruptFileError(
        f"文件已损坏，无法读取（{kind} 文件结构有错误）。请重新扫描后再放入。",
        f"The file is damaged and cannot be read (the {kind} structure is broken). Scan it again.",
        detail,
    )


_CLAIMED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".jpe", ".png"}


def _unsupported(head: bytes, path: Path) -> BadInputError:
    if _formats.is_all_zero(head):
        return CorruptFileError(
            "文件内容全是零字节，复制可能没有完成。请重新复制或重新扫描后再放入。",
            "The file holds only zero bytes; the copy probably did not finish. Copy or scan it again.",
        )
    what_zh, what_en = _formats.describe_content(head, path)
    # Only the extension is quoted, never the name: names of scans often carry a customer's name.
    suffix = path.suffix.lower()
    lie_zh = f"（文件名后缀是 {suffix}，但内容不是）" if suffix in _CLAIMED_SUFFIXES else ""
    lie_en = f" (the name ends in {suffix}, but the content is not)" if suffix in _CLAIMED_SUFFIXES else ""
    return UnsupportedFormatError(
        f"不支持的文件格式：内容是{what_zh}{lie_zh}。只接受 PDF、TIFF、JPEG、PNG 格式的扫描件。",
        f"Unsupported format: the content is {what_en}{lie_en}. Only PDF, TIFF, JPEG and PNG scans are "
        "accepted.",
        f"head {head[:16].hex()}",
    )
