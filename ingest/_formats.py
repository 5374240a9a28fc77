"""Byte-level sniffing and structure walks of scan files, done with seeks and never by decoding pixels."""

from __future__ import annotations

import mmap
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"

#: How many leading bytes `sniff_media_type` wants. PDF readers accept the `%PDF-` header anywhere in
#: the first 1024 bytes (some scanners and mail gateways put junk before it), so sniffing needs that much.
SNIFF_BYTES = 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TIFF_SIGNATURES = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF

# Caps on structure walks: a hostile file of millions of empty chunks must not keep a worker busy for
# minutes. Real scans stay far below (a PNG has tens to thousands of chunks, a JPEG tens of segments).
_MAX_PNG_CHUNKS = 1_000_000
_MAX_JPEG_SEGMENTS = 100_000

# "%%EOF must appear somewhere in the last 1024 bytes" is what Acrobat itself requires (PDF reference,
# implementation note 18); a file without it was cut short.
_PDF_TAIL_BYTES = 1024


def sniff_media_type(head: bytes) -> str | None:
    """Tell a supported scan format from its first bytes, ignoring the file name.

    Args:
        head: The first bytes of the file; `SNIFF_BYTES` of them (or the whole file if shorter).

    Returns:
        "application/pdf", "image/tiff", "image/jpeg" or "image/png"; None for anything else.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head[:4] in _TIFF_SIGNATURES:
        return TIFF
    if b"%PDF-" in head[:SNIFF_BYTES]:
        return PDF
    return None


# --- what an unsupported file looks like -------------------------------------------------------------

_ZIP_KINDS = (  # a member name that gives the container away, in order of precedence
    ("OFD.xml", "OFD 版式文件（电子发票常用）", "an OFD document (used for e-invoices)"),
    ("word/", "Word 文档 (DOCX)", "a Word document (DOCX)"),
    ("xl/", "Excel 表格 (XLSX)", "an Excel workbook (XLSX)"),
    ("ppt/", "PowerPoint 演示文稿 (PPTX)", "a PowerPoint presentation (PPTX)"),
)

_MAGIC_KINDS = (  # (offset, magic, zh, en)
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文档 (DOC/XLS)", "an old Office file (DOC/XLS)"),
    (0, b"Rar!\x1a\x07", "RAR 压缩包", "a RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z 压缩包", "a 7z archive"),
    (0, b"\x1f\x8b", "GZIP 压缩包", "a GZIP archive"),
    (0, b"GIF8", "GIF 图片", "a GIF image"),
    (0, b"BM", "BMP 图片", "a BMP image"),
    (8, b"WEBP", "WebP 图片", "a WebP image"),
    (4, b"ftypheic", "HEIC 照片（苹果手机）", "a HEIC photo (iPhone)"),
    (4, b"ftypheix", "HEIC 照片（苹果手机）", "a HEIC photo (iPhone)"),
    (4, b"ftypmif1", "HEIF 照片", "a HEIF photo"),
    (4, b"ftypavif", "AVIF 图片", "an AVIF image"),
    (4, b"jP  ", "JPEG 2000 图片", "a JPEG 2000 image"),
    (0, b"\xff\x4f\xff\x51", "JPEG 2000 图片", "a JPEG 2000 image"),
    (0, b"8BPS", "Photoshop 文件 (PSD)", "a Photoshop file (PSD)"),
    (0, b"{\\rtf", "RTF 文档", "an RTF document"),
    (0, b"MZ", "可执行程序 (EXE)", "a program (EXE)"),
)


def is_all_zero(head: bytes) -> bool:
    """True for a head of only NUL bytes: what a network copy leaves when it stopped before writing data."""
    return bool(head) and not head.strip(b"\x00")


def describe_content(head: bytes, path: Path) -> tuple[str, str]:
    """Say in words what an unsupported file seems to be, so the clerk knows what went wrong.

    Args:
        head: The first `SNIFF_BYTES` of the file.
        path: The file, opened only to list a ZIP container's member names (never extracted).

    Returns:
        (Chinese, English) noun phrases such as ("网页 (HTML)", "a web page (HTML)").
    """
    if head.startswith(b"PK\x03\x04"):
        return _describe_zip(path)
    for offset, magic, zh, en in _MAGIC_KINDS:
        if head[offset : offset + len(magic)] == magic:
            return zh, en
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")) or b"<html" in text[:512]:
        return "网页 (HTML)", "a web page (HTML)"
    if text.startswith(b"<?xml"):
        return "XML 数据文件", "an XML data file"
    if _looks_like_text(head):
        return "纯文本文件", "a plain text file"
    return "无法识别的内容", "unrecognised content"


def _describe_zip(path: Path) -> tuple[str, str]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "ZIP 压缩包", "a ZIP archive"
    for marker, zh, en in _ZIP_KINDS:
        if any(name == marker or name.endswith("/" + marker) or name.startswith(marker) for name in names):
            return zh, en
    if "mimetype" in names:
        return "OpenDocument 文档", "an OpenDocument file"
    return "ZIP 压缩包", "a ZIP archive"


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # A cut multi-byte character at the end of the head is not evidence against text.
            decoded = head.decode(encoding, errors="strict" if len(head) < SNIFF_BYTES else "ignore")
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in decoded if ord(ch) < 32 and ch not in "\t\r\n\f")
        if decoded and controls == 0:
            return True
    return False


# --- structure walks -----------------------------------------------------------------------------------


class StructureError(Exception):
    """A file whose structure is broken; `truncated` says it simply ends too early."""

    def __init__(self, detail: str, *, truncated: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.truncated = truncated


@dataclass(frozen=True, slots=True)
class FrameHeader:
    """Pixel size of one image or TIFF frame, as its header declares it."""

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class TiffScan:
    """The frames found by `scan_tiff`; `more` is True when the walk stopped at its frame cap."""

    frames: tuple[FrameHeader, ...]
    more: bool


def pdf_has_eof(fh: BinaryIO, size: int) -> bool:
    """True when `%%EOF` is in the last 1024 bytes, as Acrobat requires; else the file was cut short."""
    fh.seek(max(0, size - _PDF_TAIL_BYTES))
    return b"%%EOF" in fh.read(_PDF_TAIL_BYTES)


def scan_png(fh: BinaryIO, size: int) -> FrameHeader:
    """Walk a PNG's chunks by their lengths up to IEND; return the IHDR size.

    Raises:
        StructureError: Bad signature or IHDR, or (truncated) a chunk running past the end or no IEND.
    """
    fh.seek(0)
    if fh.read(8) != _PNG_SIGNATURE:
        raise StructureError("bad PNG signature")
    header = fh.read(8 + 13)
    if len(header) < 21:
        raise StructureError("PNG ends inside its header", truncated=True)
    length, kind = struct.unpack(">I4s", header[:8])
    if kind != b"IHDR" or length != 13:
        raise StructureError("PNG does not start with IHDR")
    width, height = struct.unpack(">II", header[8:16])
    if width == 0 or height == 0:
        raise StructureError("PNG declares an empty image")
    pos = 8 + 8 + 13 + 4
    for _ in range(_MAX_PNG_CHUNKS):
        fh.seek(pos)
        chunk = fh.read(8)
        if len(chunk) < 8:
            raise StructureError("PNG has no IEND chunk", truncated=True)
        length, kind = struct.unpack(">I4s", chunk)
        if length > 0x7FFFFFFF:
            raise StructureError("PNG chunk length out of range")
        pos += 12 + length
        if pos > size:
            raise StructureError("PNG chunk runs past the end of the file", truncated=True)
        if kind == b"IEND":
            return FrameHeader(width, height)
    raise StructureError("PNG has too many chunks")


_JPEG_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")  # skips byte stuffing, restarts and fill
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def scan_jpeg(fh: BinaryIO, size: int) -> FrameHeader:
    """Walk a JPEG's marker segments and entropy-coded scans up to EOI; return the frame size.

    Entropy-coded data has no length field, so it is skipped with a regex over a memory map (in C, about
    a millisecond a megabyte). Bytes after EOI (phone "motion photo" trailers, MPO images) are ignored.

    Raises:
        StructureError: No SOI or frame header, or (truncated) the file ends before EOI.
    """
    with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:2] != b"\xff\xd8":
            raise StructureError("JPEG does not start with SOI")
        frame: FrameHeader | None = None
        pos = 2
        for _ in range(_MAX_JPEG_SEGMENTS):
            while pos < size and data[pos] == 0xFF and pos + 1 < size and data[pos + 1] == 0xFF:
                pos += 1  # fill bytes before a marker
            if pos + 2 > size:
                raise StructureError("JPEG ends before EOI", truncated=True)
            if data[pos] != 0xFF:
                raise StructureError(f"JPEG marker expected at byte {pos}")
            marker = data[pos + 1]
            if marker == 0xD9:
                if frame is None:
                    raise StructureError("JPEG has no frame header")
                return frame
            if 0xD0 <= marker <= 0xD7 or marker in (0x01, 0xD8):
                pos += 2
                continue
            if pos + 4 > size:
                raise StructureError("JPEG ends inside a segment header", truncated=True)
            (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            if length < 2:
                raise StructureError("JPEG segment length out of range")
            end = pos + 2 + length
            if end > size:
                raise StructureError("JPEG segment runs past the end of the file", truncated=True)
            if marker in _JPEG_SOF:
                if length < 8:
                    raise StructureError("JPEG frame header too short")
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                if width == 0 or height == 0:
                    raise StructureError("JPEG declares an empty frame")  # DNL-sized frames: not supported
                frame = FrameHeader(width, height)
            if marker == 0xDA:
                if frame is None:
                    raise StructureError("JPEG scan before its frame header")
                found = _JPEG_NEXT_MARKER.search(data, end)  # type: ignore[call-overload]
                if found is None:
                    raise StructureError("JPEG ends inside image data", truncated=True)
                pos = found.start()
            else:
                pos = end
        raise StructureError("JPEG has too many segments")


# TIFF field types that may hold sizes and offsets: BYTE, SHORT, LONG, IFD, LONG8, IFD8.
_TIFF_INT_TYPES = {
    1: np.dtype("u1"),
    3: np.dtype("u2"),
    4: np.dtype("u4"),
    13: np.dtype("u4"),
    16: np.dtype("u8"),
    18: np.dtype("u8"),
}
_WIDTH, _LENGTH, _STRIP_OFFSETS, _STRIP_COUNTS, _TILE_OFFSETS, _TILE_COUNTS = 256, 257, 273, 279, 324, 325
_TIFF_WANTED = frozenset({_WIDTH, _LENGTH, _STRIP_OFFSETS, _STRIP_COUNTS, _TILE_OFFSETS, _TILE_COUNTS})


def scan_tiff(fh: BinaryIO, size: int, max_frames: int) -> TiffScan:
    """Follow a TIFF's chain of image directories (IFDs) by seeks, reading only their tags.

    For every frame it reads the declared pixel size and checks that the frame's strips or tiles lie
    inside the file, which is how a cut-off multi-page TIFF shows before any decoding. The walk stops
    after `max_frames + 1` frames (then `more` is True), so a chain of a million IFDs costs nothing.

    Args:
        fh: The file, opened for binary reading.
        size: Its size in bytes.
        max_frames: The frame limit; one frame beyond it is enough to know it is exceeded.

    Returns:
        The frames' declared sizes, and whether there are more than `max_frames`.

    Raises:
        StructureError: A bad header, a loop in the IFD chain, missing size tags, or (truncated) an IFD,
            strip or tile beyond the end of the file.
    """
    fh.seek(0)
    header = fh.read(16)
    order = "<" if header[:2] == b"II" else ">"
    (magic,) = struct.unpack(order + "H", header[2:4])
    if magic == 42:
        big, count_fmt, entry_size, value_size, off_fmt = False, "H", 12, 4, "I"
        (ifd,) = struct.unpack(order + "I", header[4:8])
    elif magic == 43:
        big, count_fmt, entry_size, value_size, off_fmt = True, "Q", 20, 8, "Q"
        (ifd,) = struct.unpack(order + "Q", header[8:16])
    else:
        raise StructureError("bad TIFF header")
    count_size = 8 if big else 2
    entry_fmt = order + ("HHQ8s" if big else "HHI4s")

    frames: list[FrameHeader] = []
    seen: set[int] = set()
    while ifd:
        if len(frames) > max_frames:
            return TiffScan(tuple(frames), more=True)
        if ifd in seen:
            raise StructureError("TIFF image directories form a loop")
        seen.add(ifd)
        fh.seek(ifd)
        raw_count = fh.read(count_size)
        if len(raw_count) < count_size:
            raise StructureError("TIFF image directory beyond the end of the file", truncated=True)
        (entries,) = struct.unpack(order + count_fmt, raw_count)
        table_size = entries * entry_size + value_size
        if ifd + count_size + table_size > size:
            raise StructureError("TIFF image directory runs past the end of the file", truncated=True)
        table = fh.read(table_size)
        tags: dict[int, np.ndarray] = {}
        for i in range(entries):
            tag, kind, count, value = struct.unpack_from(entry_fmt, table, i * entry_size)
            if tag in _TIFF_WANTED:
                tags[tag] = _tiff_values(fh, size, order, kind, count, value, value_size, off_fmt)
        (ifd,) = struct.unpack_from(order + off_fmt, table, entries * entry_size)
        frames.append(_tiff_frame(tags, size, len(frames) + 1))
    if not frames:
        raise StructureError("TIFF has no image directory")
    return TiffScan(tuple(frames), more=len(frames) > max_frames)


def _tiff_values(
    fh: BinaryIO, size: int, order: str, kind: int, count: int, value: bytes, value_size: int, off_fmt: str
) -> np.ndarray:
    if kind not in _TIFF_INT_TYPES:
        raise StructureError(f"TIFF size or offset tag of type {kind}")
    dtype = _TIFF_INT_TYPES[kind].newbyteorder(order)
    nbytes = count * dtype.itemsize
    if nbytes <= value_size:
        raw = value[:nbytes]
    else:
        (offset,) = struct.unpack(order + off_fmt, value)
        if offset + nbytes > size:
            raise StructureError("TIFF tag values run past the end of the file", truncated=True)
        fh.seek(offset)
        raw = fh.read(nbytes)
    return np.frombuffer(raw, dtype=dtype).astype(np.uint64)


def _tiff_frame(tags: dict[int, np.ndarray], size: int, frame_no: int) -> FrameHeader:
    width, height = tags.get(_WIDTH), tags.get(_LENGTH)
    if width is None or height is None or not width.size or not height.size:
        raise StructureError(f"TIFF frame {frame_no} has no pixel size")
    if int(width[0]) == 0 or int(height[0]) == 0:
        raise StructureError(f"TIFF frame {frame_no} declares an empty image")
    for offsets_tag, counts_tag in ((_STRIP_OFFSETS, _STRIP_COUNTS), (_TILE_OFFSETS, _TILE_COUNTS)):
        offsets, counts = tags.get(offsets_tag), tags.get(counts_tag)
        if offsets is None:
            continue
        if counts is None or counts.size != offsets.size:
            raise StructureError(f"TIFF frame {frame_no} has strips without byte counts")
        # Each bound first, so that offset + count cannot wrap around in uint64.
        if offsets.size and (
            int(offsets.max()) > size or int(counts.max()) > size or int((offsets + counts).max()) > size
        ):
            raise StructureError(
                f"TIFF frame {frame_no} image data runs past the end of the file", truncated=True
            )
        break
    else:
        raise StructureError(f"TIFF frame {frame_no} has no image data")
    return FrameHeader(int(width[0]), int(height[0]))
