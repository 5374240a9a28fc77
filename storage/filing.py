"""The objects of a filed document: its own lossless original, page images, searchable PDF and manifest."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import struct
import tempfile
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import cv2
import numpy as np
import pikepdf
from PIL import Image

from dangan.errors import CorruptFileError, ImageTooLargeError
from dangan.records import OcrLine, TextSource
from storage._pdf import PdfPageSource, ScanPage, build_searchable_pdf
from storage.objects import ObjectStore, check_key

__all__ = [
    "MANIFEST_SCHEMA",
    "DocumentManifest",
    "DocumentObjects",
    "ManifestPage",
    "IntakeFile",
    "ScanPage",
    "delete_dossier_objects",
    "document_manifest",
    "extract_document_original",
    "move_dossier_objects",
    "read_manifest",
    "render_page_image",
    "render_thumbnail",
    "searchable_pdf",
    "searchable_pdf_from_original",
    "write_dossier_objects",
]

log = logging.getLogger(__name__)

# The media types of ingest.pages, spelled out: storage sits after ingest in the data flow and must not
# import it for four constants.
PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"

# --- 1. the document's own original -------------------------------------------------------------------------


class IntakeFile(contextlib.ExitStack):
    """An intake file fetched from the store once (and, a PDF, opened once) for all its documents' originals.

    Use as a context manager around the extraction of every document of one job.
    """

    def __init__(self, store: ObjectStore, key: str) -> None:
        super().__init__()
        self.store, self.key = store, key
        self._path: Path | None = None
        self._pdf: PdfPageSource | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = self.enter_context(self.store.local_copy(self.key))
        return self._path

    @property
    def pdf(self) -> PdfPageSource:
        if self._pdf is None:
            self._pdf = self.enter_context(PdfPageSource(self.path))
        return self._pdf


def extract_document_original(
    store: ObjectStore,
    intake_key: str,
    media_type: str,
    page_nos: Sequence[int],
    dest_key: str,
    *,
    max_page_pixels: int | None = None,
    intake_file: IntakeFile | None = None,
) -> str:
    """Store a document's own original: its pages copied losslessly out of the intake file.

    One scanned file may hold several customers' papers, and each dossier must be destroyable on its own;
    so every document gets an original of its own, and the intake file is retired once all its pages are
    stored so (DESIGN.md, "Failure and durability rules"). What lossless means per format:

    - PDF: a new PDF of those pages, copied as PDF objects by qpdf with every stream byte for byte (no
      re-rendering, images and fonts untouched). Resources the pages do not use and references to other
      pages are cut, so the copy holds nothing of the other documents (see `storage._pdf.copy_pdf_pages`).
    - TIFF: a TIFF of those frames. Each frame's compressed strips or tiles and its tags are copied as
      they are (a G4, LZW or JPEG-compressed frame keeps its exact bytes); Exif and GPS directories come
      along, thumbnails (SubIFDs) and maker notes do not. The copy is checked against the intake file
      through Pillow (same tags, same strip bytes). A frame this copier cannot handle (old-style JPEG
      compression, a damaged directory) is instead re-encoded losslessly: G4 for bilevel frames, Deflate
      otherwise, and then checked pixel for pixel; its pixels are preserved, its bytes are not, and a
      JPEG-compressed frame grows several times; this is logged as a warning (by key, never content).
    - JPEG and PNG: the file's bytes, unchanged (they hold one page).

    The object is written immutably and atomically; when `dest_key` already exists (a retry after a
    crash) it is left as it is and nothing is extracted again.

    Args:
        store: The object store holding the intake file, and receiving the document original.
        intake_key: The intake file's key (`originals/<sha256>`).
        media_type: Its media type as intake found it ("application/pdf", "image/tiff", "image/jpeg",
            "image/png").
        page_nos: The document's pages in the intake file, from 1, in document order, each once.
        dest_key: Where to store the document original (`originals/documents/<document id>`).
        max_page_pixels: The intake limit (`DANGAN_INTAKE__MAX_PAGE_PIXELS`) for TIFF frames Pillow has to
            open; None keeps Pillow's own limit (about 179 million pixels).
        intake_file: The intake file, already fetched for the job's other documents (`IntakeFile(store,
            intake_key)`); None fetches it for this call.

    Returns:
        The media type written, which is always that of the intake file.

    Raises:
        CorruptFileError: The intake file cannot be read this time (it passed intake, so this is rare).
        ImageTooLargeError: A TIFF frame beyond `max_page_pixels`.
        IndexError: A page number beyond the file's pages.
        ValueError: An unknown media type, a bad key or page list (a caller's bug).
    """
    pages = _check_page_nos(page_nos)
    check_key(dest_key)
    if media_type not in (PDF, TIFF, JPEG, PNG):
        raise ValueError(f"unsupported media type {media_type!r}")
    if store.exists(dest_key):
        return media_type
    with contextlib.ExitStack() as stack:
        if intake_file is None:
            intake_file = stack.enter_context(IntakeFile(store, intake_key))
        elif intake_file.key != intake_key:
            raise ValueError(f"intake file {intake_file.key!r} given for {intake_key!r}")
        src = intake_file.path
        if media_type in (JPEG, PNG):
            if pages != (1,):
                raise IndexError(f"pages {list(pages)} of a single-page {media_type} file")
            store.put_file(dest_key, src, immutable=True)
            return media_type
        # A private folder (mode 0700) removed on the way out: the copy holds a customer's papers.
        with tempfile.TemporaryDirectory(prefix="dangan-filing-") as work:
            out = Path(work) / "document"
            if media_type == PDF:
                try:
                    intake_file.pdf.copy(pages, out)
                except pikepdf.PdfError as exc:
                    raise _unreadable("PDF", str(exc)) from exc
            else:
                _copy_tiff_frames(src, pages, out, Path(work), dest_key, max_page_pixels)
            store.put_file(dest_key, out, immutable=True)
    return media_type


def _check_page_nos(page_nos: Sequence[int]) -> tuple[int, ...]:
    pages = tuple(page_nos)
    if not pages:
        raise ValueError("a document has at least one page")
    if any(not isinstance(n, int) or n < 1 for n in pages):
        raise ValueError(f"page numbers count from 1: {list(pages)}")
    if len(set(pages)) != len(pages):
        raise ValueError(f"a page appears twice: {list(pages)}")
    return pages


def _unreadable(kind: str, detail: str) -> CorruptFileError:
    return CorruptFileError(
        f"文件已损坏，无法从中复制页面（{kind} 文件结构有错误）。请重新扫描后再放入。",
        f"The file is damaged and its pages cannot be copied (the {kind} structure is broken). "
        "Scan it again.",
        detail,
    )


# --- TIFF frames, copied as they are ------------------------------------------------------------------------

# Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, ..., IFD, LONG8, SLONG8, IFD8).
_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
                    16: 8, 17: 8, 18: 8}  # fmt: skip
_TIFF_INT_CODES = {1: "B", 3: "H", 4: "I", 13: "I", 16: "Q", 18: "Q"}
_LONG, _LONG8 = 4, 16
_BLOCK_TAGS = {273: 279, 324: 325}  # StripOffsets → StripByteCounts, TileOffsets → TileByteCounts
_IFD_POINTER_TAGS = frozenset({34665, 34853, 40965})  # Exif, GPS, Interoperability: copied as directories
# Not copied: free-space lists (288, 289), thumbnails (SubIFDs, 330), old-style JPEG streams (513, 514),
# and maker notes (37500), whose private offsets break when moved.
_DROPPED_TAGS = frozenset({288, 289, 330, 513, 514, 37500})
_IFD_TYPES = frozenset({13, 18})  # values that point at directories: dropped unless followed above
_OFFSET_TAGS = frozenset(_BLOCK_TAGS) | _IFD_POINTER_TAGS | _DROPPED_TAGS
_COMPRESSION, _OLD_JPEG = 259, 6
_MAX_TAGS = 4096
_MAX_VALUE_BYTES = 64 << 20  # a tag value beyond this is no scan's metadata
_CHUNK = 1 << 20


class _TiffCopyError(Exception):
    """The frame cannot be copied as it is; it gets re-encoded instead."""


@dataclass(slots=True)
class _Entry:
    tag: int
    kind: int
    count: int
    data: bytes  # the value, in the source's byte order


@dataclass(slots=True)
class _Ifd:
    entries: list[_Entry]
    nested: dict[int, _Ifd] = field(default_factory=dict)
    block_tag: int | None = None
    blocks: list[tuple[int, int]] = field(default_factory=list)  # (offset, length) of strips or tiles


class _TiffReader:
    """Reads image file directories (IFDs) of a classic or Big TIFF by seeks, checking every bound."""

    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh, self.size = fh, size
        head = self.read(0, 8)
        if head[:2] not in (b"II", b"MM"):
            raise _TiffCopyError("no TIFF byte order mark")
        self.order = "<" if head[:2] == b"II" else ">"
        magic = self.unpack("H", head[2:4])[0]
        if magic == 42:
            self.big, self.first = False, self.unpack("I", head[4:8])[0]
        elif magic == 43 and self.unpack("HH", head[4:8]) == (8, 0):
            self.big, self.first = True, self.unpack("Q", self.read(8, 8))[0]
        else:
            raise _TiffCopyError(f"TIFF magic {magic}")
        self.inline = 8 if self.big else 4
        self.count_code, self.offset_code = ("Q", "Q") if self.big else ("H", "I")
        self.entry_size = 20 if self.big else 12

    def unpack(self, codes: str, data: bytes) -> tuple[Any, ...]:
        return struct.unpack(self.order + codes, data)

    def read(self, at: int, length: int) -> bytes:
        if at < 0 or length < 0 or at + length > self.size:
            raise _TiffCopyError(f"{length} bytes at {at} run past the end of the file")
        self.fh.seek(at)
        data = self.fh.read(length)
        if len(data) != length:
            raise _TiffCopyError("short read")
        return data

    def copy(self, at: int, length: int, out: BinaryIO) -> None:
        if at < 0 or at + length > self.size:
            raise _TiffCopyError("image data runs past the end of the file")
        self.fh.seek(at)
        while length:
            chunk = self.fh.read(min(length, _CHUNK))
            if not chunk:
                raise _TiffCopyError("short read")
            out.write(chunk)
            length -= len(chunk)

    def frames(self, page_nos: Sequence[int]) -> list[_Ifd]:
        """The directories of frames `page_nos` (from 1) of the main chain, as Pillow's seek counts them."""
        wanted = max(page_nos)
        offsets: list[int] = []
        at, seen = self.first, set()
        while at and len(offsets) < wanted:
            if at in seen:
                raise _TiffCopyError("directories form a loop")
            seen.add(at)
            offsets.append(at)
            at = self._next_ifd(at)
        if len(offsets) < wanted:
            raise IndexError(f"page {wanted} is beyond the TIFF's {len(offsets)} frames")
        return [self._ifd(offsets[n - 1], depth=0) for n in page_nos]

    def _next_ifd(self, at: int) -> int:
        count = self.unpack(self.count_code, self.read(at, 8 if self.big else 2))[0]
        start = at + (8 if self.big else 2) + count * self.entry_size
        return int(self.unpack(self.offset_code, self.read(start, self.inline))[0])

    def ints(self, entry: _Entry) -> tuple[int, ...]:
        code = _TIFF_INT_CODES.get(entry.kind)
        if code is None:
            raise _TiffCopyError(f"tag {entry.tag} of type {entry.kind} where integers belong")
        return self.unpack(f"{entry.count}{code}", entry.data)

    def _ifd(self, at: int, *, depth: int) -> _Ifd:
        count_size = 8 if self.big else 2
        count = self.unpack(self.count_code, self.read(at, count_size))[0]
        if not 0 < count <= _MAX_TAGS:
            raise _TiffCopyError(f"directory of {count} tags")
        raw = self.read(at + count_size, count * self.entry_size)
        ifd = _Ifd(entries=[])
        by_tag: dict[int, _Entry] = {}
        for i in range(count):
            field_bytes = raw[i * self.entry_size : (i + 1) * self.entry_size]
            tag, kind, n = self.unpack("HH" + self.offset_code, field_bytes[: 4 + self.inline])
            value = field_bytes[4 + self.inline :]
            if kind not in _TIFF_TYPE_SIZES:
                raise _TiffCopyError(f"tag {tag} of unknown type {kind}")
            length = _TIFF_TYPE_SIZES[kind] * n
            if length > _MAX_VALUE_BYTES:
                raise _TiffCopyError(f"tag {tag} holds {length} bytes")
            if length <= self.inline:
                data = value[:length]
            else:
                data = self.read(self.unpack(self.offset_code, value)[0], length)
            by_tag[tag] = _Entry(tag, kind, n, data)
        compression = by_tag.get(_COMPRESSION)
        if compression is not None and self.ints(compression) == (_OLD_JPEG,):
            raise _TiffCopyError("old-style JPEG compression")
        for tag, entry in sorted(by_tag.items()):
            if tag in _IFD_POINTER_TAGS:
                if depth < 2 and entry.count == 1:  # Exif in the frame, Interoperability inside Exif
                    # Metadata only: a damaged Exif directory is dropped, not a reason to re-encode pixels.
                    with contextlib.suppress(_TiffCopyError, struct.error):
                        ifd.nested[tag] = self._ifd(self.ints(entry)[0], depth=depth + 1)
                continue
            if tag in _DROPPED_TAGS or entry.kind in _IFD_TYPES:
                continue
            if depth > 0 and (tag in _BLOCK_TAGS or tag in _BLOCK_TAGS.values()):
                continue  # image data belongs to frames; metadata directories have none
            if tag in _BLOCK_TAGS:
                if ifd.block_tag is not None:
                    raise _TiffCopyError("both strips and tiles")
                counts = by_tag.get(_BLOCK_TAGS[tag])
                offsets = self.ints(entry)
                lengths = self.ints(counts) if counts is not None else ()
                if len(lengths) != len(offsets):
                    raise _TiffCopyError("strip offsets and byte counts disagree")
                for offset, length in zip(offsets, lengths, strict=True):
                    if length and offset + length > self.size:
                        raise _TiffCopyError("image data runs past the end of the file")
                ifd.block_tag, ifd.blocks = tag, list(zip(offsets, lengths, strict=True))
                continue
            ifd.entries.append(entry)
        if depth == 0 and not any(length for _, length in ifd.blocks):
            raise _TiffCopyError("frame without image data")
        return ifd


class _TiffWriter:
    """Writes frames read by a `_TiffReader` into a new TIFF of the same byte order and flavour.

    The byte order must be the source's: tag values and, for samples wider than a byte, the pixel data
    itself are copied as they are.
    """

    def __init__(self, out: BinaryIO, order: str, big: bool) -> None:
        self.out, self.order, self.big = out, order, big
        mark = b"II" if order == "<" else b"MM"
        if big:
            out.write(mark + struct.pack(order + "HHHQ", 43, 8, 0, 0))
            self.link = 8  # where the offset of the next directory goes
        else:
            out.write(mark + struct.pack(order + "HI", 42, 0))
            self.link = 4
        self.inline = 8 if big else 4

    def _offset(self, value: int) -> bytes:
        if not self.big and value > 0xFFFFFFFF:
            raise _TiffCopyError("classic TIFF beyond 4 GiB")
        return struct.pack(self.order + ("Q" if self.big else "I"), value)

    def _align(self) -> None:
        self.out.write(b"\x00" * (-self.out.tell() % 2))  # TIFF wants offsets on word boundaries

    def add_frame(self, reader: _TiffReader, ifd: _Ifd) -> None:
        if reader.order != self.order or reader.big != self.big:
            raise _TiffCopyError("frames of different byte order or flavour")
        new_offsets = []
        for offset, length in ifd.blocks:
            if not length:
                new_offsets.append(0)  # an absent (sparse) tile stays absent
                continue
            self._align()
            new_offsets.append(self.out.tell())
            reader.copy(offset, length, self.out)
        at, link = self._write_ifd(ifd, new_offsets)
        end = self.out.tell()
        self.out.seek(self.link)
        self.out.write(self._offset(at))
        self.out.seek(end)
        self.link = link

    def _write_ifd(self, ifd: _Ifd, block_offsets: list[int]) -> tuple[int, int]:
        """Write a directory and its out-of-line values; returns its offset and that of its next-link."""
        pointer_kind = _LONG8 if self.big else _LONG
        entries = list(ifd.entries)
        for tag, nested in ifd.nested.items():
            entries.append(_Entry(tag, pointer_kind, 1, self._offset(self._write_ifd(nested, [])[0])))
        if ifd.block_tag is not None:
            # Always LONG (LONG8): a source may use SHORT offsets, which the new positions can outgrow.
            data = b"".join(self._offset(v) for v in block_offsets)
            entries.append(_Entry(ifd.block_tag, pointer_kind, len(block_offsets), data))
        fields = []
        for entry in sorted(entries, key=lambda e: e.tag):
            if len(entry.data) <= self.inline:
                value = entry.data.ljust(self.inline, b"\x00")
            else:
                self._align()
                value = self._offset(self.out.tell())
                self.out.write(entry.data)
            count = struct.pack(self.order + ("Q" if self.big else "I"), entry.count)
            fields.append(struct.pack(self.order + "HH", entry.tag, entry.kind) + count + value)
        self._align()
        at = self.out.tell()
        count = struct.pack(self.order + ("Q" if self.big else "H"), len(fields))
        self.out.write(count + b"".join(fields) + self._offset(0))
        return at, at + len(count) + sum(len(f) for f in fields)


def _copy_tiff_frames(
    src: Path, page_nos: Sequence[int], out: Path, work: Path, dest_key: str, max_pixels: int | None
) -> None:
    """Copy frames as they are if possible and verified; else re-encode them losslessly, verifying pixels."""
    try:
        with src.open("rb") as fh, out.open("wb") as dest:
            reader = _TiffReader(fh, src.stat().st_size)
            writer = _TiffWriter(dest, reader.order, reader.big)
            for ifd in reader.frames(page_nos):
                writer.add_frame(reader, ifd)
        if _same_tiff_tags_and_data(src, page_nos, out, max_pixels):
            return
        reason = "the copy did not read back the same"
    except _TiffCopyError as exc:
        reason = str(exc)
    except (struct.error, SyntaxError, ValueError, EOFError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a real I/O failure (disk, network share): retry, not re-encode
        reason = f"{type(exc).__name__}: {exc}"  # Pillow could not read the copy back
    log.warning("TIFF frames for %s re-encoded losslessly, not copied: %s", dest_key, reason)
    _reencode_tiff_frames(src, page_nos, out, work, max_pixels)


@contextlib.contextmanager
def _pillow_limit(max_pixels: int | None) -> Iterator[None]:
    """Pillow's decompression-bomb check at the intake limit, as an error; restored afterwards.

    `Image.MAX_IMAGE_PIXELS` is process-wide, so this is not thread-safe; page workers are processes.
    """
    saved = Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        if max_pixels is not None:
            Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            yield
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLargeError(
                "图像太大，超过像素上限，可能是恶意文件。如确为正常文件，请管理员调整设置 "
                "DANGAN_INTAKE__MAX_PAGE_PIXELS。",
                "The image has more pixels than allowed, possibly a hostile file. If it is a genuine scan, "
                "ask an administrator to raise DANGAN_INTAKE__MAX_PAGE_PIXELS.",
                str(exc),
            ) from exc
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def _same_tiff_tags_and_data(src: Path, page_nos: Sequence[int], out: Path, max_pixels: int | None) -> bool:
    """Whether Pillow reads the copy's frames with the same tags and the same strip bytes as the source's.

    Pillow parses the files independently of the copier; equal tags (offsets aside) and equal compressed
    bytes decode to equal pixels, so no frame needs decoding for this check.
    """
    with _pillow_limit(max_pixels), src.open("rb") as fa, out.open("rb") as fb:
        with Image.open(fa, formats=["TIFF"]) as a, Image.open(fb, formats=["TIFF"]) as b:
            for index, page_no in enumerate(page_nos):
                a.seek(page_no - 1)
                b.seek(index)
                if (a.size, a.mode) != (b.size, b.mode):
                    return False
                # Every tag of the copy as in the source (offsets aside); missing only what is dropped.
                if any(b.tag_v2[k] != a.tag_v2.get(k) for k in b.tag_v2 if k not in _OFFSET_TAGS):
                    return False
                missing = set(a.tag_v2) - set(b.tag_v2) - _OFFSET_TAGS
                if any(a.tag_v2.tagtype.get(k) not in _IFD_TYPES for k in missing):
                    return False
                if not _same_blocks(fa, a, fb, b):
                    return False
            try:
                b.seek(len(page_nos))
            except EOFError:
                return True
            return False


def _same_blocks(fa: BinaryIO, a: Image.Image, fb: BinaryIO, b: Image.Image) -> bool:
    for offsets_tag, counts_tag in _BLOCK_TAGS.items():
        if offsets_tag not in a.tag_v2:
            continue
        offsets_a, offsets_b = a.tag_v2[offsets_tag], b.tag_v2.get(offsets_tag)
        counts = a.tag_v2[counts_tag]
        offsets_a = offsets_a if isinstance(offsets_a, tuple) else (offsets_a,)
        offsets_b = offsets_b if isinstance(offsets_b, tuple) else (offsets_b,)
        counts = counts if isinstance(counts, tuple) else (counts,)
        if len(offsets_a) != len(offsets_b):
            return False
        for at_a, at_b, length in zip(offsets_a, offsets_b, counts, strict=True):
            fa.seek(at_a)
            fb.seek(at_b)
            while length:
                step = min(length, _CHUNK)
                if fa.read(step) != fb.read(step):
                    return False
                length -= step
    return True


def _reencode_tiff_frames(
    src: Path, page_nos: Sequence[int], out: Path, work: Path, max_pixels: int | None
) -> None:
    """Re-encode frames losslessly, one single-frame TIFF each, then join them with the frame copier.

    Pillow writes one compression for all frames of a file, and a document may mix bilevel and grey
    frames; so each frame gets its own (G4 for bilevel, Deflate otherwise) and the copier joins them.
    Pillow turns frames upright as it loads them, so the result carries no orientation tag.
    """
    parts = []
    try:
        with _pillow_limit(max_pixels), src.open("rb") as fh, Image.open(fh, formats=["TIFF"]) as image:
            for index, page_no in enumerate(page_nos):
                try:
                    image.seek(page_no - 1)
                except EOFError:
                    raise IndexError(f"page {page_no} is beyond the TIFF's frames") from None
                image.load()
                part = work / f"frame-{index:05d}.tif"
                options: dict[str, Any] = {
                    "compression": "group4" if image.mode == "1" else "tiff_adobe_deflate"
                }
                for key in ("dpi", "icc_profile"):
                    if image.info.get(key):
                        options[key] = image.info[key]
                image.save(part, "TIFF", **options)
                parts.append(part)
        with out.open("wb") as dest:
            writer: _TiffWriter | None = None
            for part in parts:
                with part.open("rb") as fh:
                    reader = _TiffReader(fh, part.stat().st_size)
                    writer = writer or _TiffWriter(dest, reader.order, reader.big)
                    (ifd,) = reader.frames([1])
                    writer.add_frame(reader, ifd)
        if not _same_tiff_pixels(src, page_nos, out, max_pixels):
            raise RuntimeError("re-encoded TIFF frames differ from the source's pixels")
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error, _TiffCopyError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # a real I/O failure is not the file's fault: retry
        raise _unreadable("TIFF", f"{type(exc).__name__}: {exc}") from exc


def _same_tiff_pixels(src: Path, page_nos: Sequence[int], out: Path, max_pixels: int | None) -> bool:
    with _pillow_limit(max_pixels), src.open("rb") as fa, out.open("rb") as fb:
        with Image.open(fa, formats=["TIFF"]) as a, Image.open(fb, formats=["TIFF"]) as b:
            for index, page_no in enumerate(page_nos):
                a.seek(page_no - 1)
                b.seek(index)
                if a.size != b.size or not np.array_equal(np.asarray(a), np.asarray(b)):
                    return False
    return True


# --- 2. page images for the web UI --------------------------------------------------------------------------


def render_page_image(image: np.ndarray | Image.Image, *, max_side: int = 2000, quality: int = 80) -> bytes:
    """A JPEG of the page for the web UI, and the image layer of the searchable PDF.

    Give it the upright, deskewed image that OCR read: the boxes of the page's OCR lines refer to its
    pixels. It is shrunk (never enlarged) so that its longer side is at most `max_side`, with area
    averaging, which keeps thin strokes of small print legible where plain resampling breaks them up.

    JPEG rather than WebP, measured on corpus pages (contract, invoice, inspection sheet) scanned at 300
    dpi and reduced to 2000 px: WebP at quality 80 is about half the size (63-126 KiB against 150-275
    KiB) at the same PSNR, but takes 160 ms to encode against 8 ms and 25 ms to decode against 4 ms;
    above all, PDF cannot hold WebP, and these bytes go into the searchable PDF unchanged (DCTDecode), so
    one encoding serves both and the PDF shows exactly what the web UI shows. Baseline, Huffman-optimised
    (-6 to -11 % for 4 ms); progressive would save 5 % more but doubles decoding time.

    Args:
        image: A greyscale (H × W) or RGB (H × W × 3) uint8 array, or a Pillow image of any common mode.
        max_side: The longest side in pixels of the result.
        quality: JPEG quality, 1-95.

    Returns:
        The JPEG bytes: greyscale for a grey page, RGB for a colour one.
    """
    return _jpeg(_fit(_pixels(image), max_side), quality)


def render_thumbnail(image: np.ndarray | Image.Image, *, max_side: int = 300, quality: int = 80) -> bytes:
    """A small JPEG of the page for lists and dossier overviews (about 6-10 KiB at 300 px).

    Args:
        image: As for `render_page_image`; the page image itself or its rendering both work.
        max_side: The longest side in pixels of the result.
        quality: JPEG quality, 1-95.

    Returns:
        The JPEG bytes.
    """
    return _jpeg(_fit(_pixels(image), max_side), quality)


def _pixels(image: np.ndarray | Image.Image) -> np.ndarray:
    """Grey (H × W) or RGB (H × W × 3) uint8 pixels of an array or image; transparency goes onto white."""
    if isinstance(image, Image.Image):
        mode = image.mode
        if mode in ("L", "RGB"):
            return np.asarray(image)
        if mode.startswith("I;16") or mode == "I":
            return (np.clip(np.asarray(image, dtype=np.int64), 0, 65535) >> 8).astype(np.uint8)
        if mode in ("1", "F"):
            return np.asarray(image.convert("L"))
        if mode in ("LA", "La", "RGBA", "RGBa", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            flat = Image.alpha_composite(paper, rgba).convert("RGB")
            return np.asarray(flat.convert("L") if mode in ("LA", "La") else flat)
        return np.asarray(image.convert("RGB"))
    array = np.asarray(image)
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    if array.dtype != np.uint8:
        raise ValueError(f"page pixels must be uint8, not {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3):
        return array
    raise ValueError(f"page pixels of shape {array.shape}: give H × W grey or H × W × 3 RGB")


def _fit(pixels: np.ndarray, max_side: int) -> np.ndarray:
    if max_side < 16:
        raise ValueError(f"max_side {max_side} is too small for a page")
    height, width = pixels.shape[:2]
    if height == 0 or width == 0:
        raise ValueError("empty page image")
    if max(height, width) <= max_side:
        return pixels
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def _jpeg(pixels: np.ndarray, quality: int) -> bytes:
    if not 1 <= quality <= 95:
        raise ValueError(f"JPEG quality {quality} outside 1-95")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


# --- 3. the searchable PDF ----------------------------------------------------------------------------------


def searchable_pdf(
    pages: Sequence[ScanPage | tuple[bytes, int, int, Sequence[OcrLine]] | int],
    *,
    dpi: float,
    original_pdf: bytes | None = None,
) -> bytes:
    """The document as a PDF of its scans with an invisible, searchable and selectable text layer.

    Each page is the page JPEG stretched over a page of `width` × `height` pixels at `dpi` (so the PDF
    has the paper's size), and each OCR line is placed over its box as text in render mode 3 (invisible):
    font size = box height, baseline = box bottom, horizontal scaling (Tz) stretching the line to the box
    width. CJK and full-width characters advance twice as far as others, so a mixed line selects close to
    where its characters are on the scan.

    The font is a glyphless TrueType font (760 bytes, built in `storage._pdf`) as a Type0 font with a
    ToUnicode map, the way Tesseract and OCRmyPDF do it. Measured on three corpus pages (1437
    characters), with pdfplumber and PDFium extraction:

    - glyphless: 2.5 kB a page beyond the JPEG (4.4 kB for a one-page document), CER 0 with both;
    - reportlab TTFont of wqy-zenhei, subset and embedded: 60 kB a page (123 kB for one page), CER 0;
    - reportlab UnicodeCIDFont STSong-Light, not embedded (viewers substitute a font; PDF/A forbids
      it): 36-74 kB a page as reportlab writes it, CER 0.0034 with pdfplumber.

    A page can also be a number: that page of `original_pdf` (the document original) is copied as it is.
    Born-digital pages keep their own text layer this way, which is better than OCR; a document of such
    pages only needs `searchable_pdf_from_original`.

    Pages OCR found no text on (blank, or photos) get the image alone. Lines with empty boxes are
    skipped; boxes are clipped to the page. Vertical text lines are set horizontally, squeezed into
    their box: searchable, not nicely selectable.

    Args:
        pages: In document order: `ScanPage(jpeg, width, height, lines)` or plain tuples of the same, or
            page numbers (from 1) of `original_pdf`. `width` and `height` are the size of the image OCR
            read; the JPEG must have its shape (it may be smaller, e.g. the 2000 px web rendering).
        dpi: Resolution of the images OCR read (the render dpi for PDF pages, the scan's for images).
        original_pdf: The document original, when `pages` refers to its pages.

    Returns:
        The PDF's bytes, the same for the same input.
    """
    if dpi <= 0:
        raise ValueError(f"dpi must be positive, not {dpi}")
    if not pages:
        raise ValueError("a document has at least one page")
    return build_searchable_pdf(pages, dpi=dpi, original=original_pdf)


def searchable_pdf_from_original(original_pdf_bytes: bytes) -> bytes:
    """The searchable PDF of a born-digital document: its original, as it is.

    A born-digital PDF's own text layer is exact where OCR is not, and its pages are already what the
    viewer should show; re-rendering would lose both. The caller stores these bytes as `document.pdf`.

    Args:
        original_pdf_bytes: The document original (from `extract_document_original`).

    Returns:
        The same bytes.
    """
    if b"%PDF-" not in original_pdf_bytes[:1024]:
        raise ValueError("not a PDF")
    return original_pdf_bytes


# --- 4. the manifest ----------------------------------------------------------------------------------------

#: The manifest format; a reader accepts the same major version ("/1").
MANIFEST_SCHEMA = "dangan.document-manifest/1"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class ManifestPage:
    """One page of a document in its manifest: where it came from and how it was read; never its text."""

    page_no: int  # in the document, from 1
    intake_sha256: str  # the intake file the page was scanned in
    source_page_no: int  # the page in that file, from 1
    image_key: str
    thumb_key: str
    text_source: TextSource
    ocr_engine: str  # "" for a text layer or no text
    ocr_confidence: float | None  # 0..1; None when not OCR'd
    rotation: int = 0  # degrees clockwise applied to make the page upright
    skew: float = 0.0  # degrees corrected by deskew
    width: int = 0  # pixels of the image OCR read
    height: int = 0


@dataclass(frozen=True, slots=True)
class DocumentManifest:
    """What `manifest.json` says about a filed document.

    No page text, and no identifier read from the pages (ID numbers, names, phones, VINs): manifests sit
    beside the images in the object store, are read by other tools (backup checks, migrations, a rebuild
    of the database from the store) and get copied around, while the text lives in the database and the
    index, where roles and the audit log apply (seed 003 §四). The customer number is the one exception:
    it is the dealer's own register key, meaningless outside the dealer's systems, and without it a
    dossier could not be tied back to its customer from the store alone.
    """

    document_id: int | str
    archive_no: str
    dossier_archive_no: str
    customer_no: str | None
    doc_type: str
    created_at: datetime  # timezone-aware
    original_key: str
    original_sha256: str
    original_media_type: str
    pdf_key: str
    pages: tuple[ManifestPage, ...]


def document_manifest(manifest: DocumentManifest) -> bytes:
    """The manifest as UTF-8 JSON (Chinese kept readable), keys in a fixed order, times in UTC.

    Args:
        manifest: The document's facts.

    Returns:
        The bytes of `manifest.json`.

    Raises:
        ValueError: A malformed hash, key, time or page numbering.
    """
    if manifest.created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    if not _SHA256.match(manifest.original_sha256):
        raise ValueError("original_sha256 is not a lowercase hex sha256")
    if not manifest.pages:
        raise ValueError("a document has at least one page")
    for key in (manifest.original_key, manifest.pdf_key):
        check_key(key)
    pages = []
    for number, page in enumerate(manifest.pages, start=1):
        if page.page_no != number:
            raise ValueError(f"page {page.page_no} where page {number} belongs")
        if not _SHA256.match(page.intake_sha256):
            raise ValueError(f"page {number}: intake_sha256 is not a lowercase hex sha256")
        if page.ocr_confidence is not None and not 0.0 <= page.ocr_confidence <= 1.0:
            raise ValueError(f"page {number}: confidence {page.ocr_confidence} outside 0..1")
        check_key(page.image_key)
        check_key(page.thumb_key)
        pages.append(
            {
                "page_no": page.page_no,
                "intake_sha256": page.intake_sha256,
                "source_page_no": page.source_page_no,
                "image_key": page.image_key,
                "thumb_key": page.thumb_key,
                "text_source": TextSource(page.text_source).value,
                "ocr_engine": page.ocr_engine,
                "ocr_confidence": None if page.ocr_confidence is None else round(page.ocr_confidence, 4),
                "rotation": page.rotation,
                "skew": round(page.skew, 3),
                "width": page.width,
                "height": page.height,
            }
        )
    document = {
        "schema": MANIFEST_SCHEMA,
        "document_id": manifest.document_id,
        "archive_no": manifest.archive_no,
        "dossier_archive_no": manifest.dossier_archive_no,
        "customer_no": manifest.customer_no,
        "doc_type": manifest.doc_type,
        "created_at": manifest.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "original": {
            "key": manifest.original_key,
            "sha256": manifest.original_sha256,
            "media_type": manifest.original_media_type,
        },
        "pdf_key": manifest.pdf_key,
        "pages": pages,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_manifest(data: bytes) -> DocumentManifest:
    """Parse `manifest.json` bytes back into a `DocumentManifest`.

    Args:
        data: The bytes `document_manifest` wrote.

    Returns:
        The manifest.

    Raises:
        ValueError: Not a manifest of a known schema version, or malformed.
    """
    try:
        doc = json.loads(data.decode("utf-8"))
        schema = doc["schema"]
        if not isinstance(schema, str) or schema.rsplit("/", 1)[0] != MANIFEST_SCHEMA.rsplit("/", 1)[0]:
            raise ValueError(f"not a document manifest: schema {schema!r}")
        if schema != MANIFEST_SCHEMA:
            raise ValueError(f"unknown manifest version {schema!r}; this reader knows {MANIFEST_SCHEMA!r}")
        return DocumentManifest(
            document_id=doc["document_id"],
            archive_no=doc["archive_no"],
            dossier_archive_no=doc["dossier_archive_no"],
            customer_no=doc["customer_no"],
            doc_type=doc["doc_type"],
            created_at=datetime.fromisoformat(doc["created_at"]),
            original_key=doc["original"]["key"],
            original_sha256=doc["original"]["sha256"],
            original_media_type=doc["original"]["media_type"],
            pdf_key=doc["pdf_key"],
            pages=tuple(
                ManifestPage(
                    page_no=p["page_no"],
                    intake_sha256=p["intake_sha256"],
                    source_page_no=p["source_page_no"],
                    image_key=p["image_key"],
                    thumb_key=p["thumb_key"],
                    text_source=TextSource(p["text_source"]),
                    ocr_engine=p["ocr_engine"],
                    ocr_confidence=p["ocr_confidence"],
                    rotation=p["rotation"],
                    skew=p["skew"],
                    width=p["width"],
                    height=p["height"],
                )
                for p in doc["pages"]
            ),
        )
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"malformed document manifest: {exc!r}") from exc


# --- 5. the dossier objects ---------------------------------------------------------------------------------

# An archive number becomes one segment of an object key: the characters object keys allow, no slash,
# and a letter or digit first (a leading dot would also hide it among the store's temporary files).
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_DOSSIER_PREFIX = re.compile(r"^dossiers/[A-Za-z0-9][A-Za-z0-9._-]*/(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?$")
_MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class DocumentObjects:
    """The keys of a filed document's derived objects, under `dossiers/<dossier no>/<document no>/`.

    Laid out by archive number so that a person browsing the store (or a restore) finds a dossier the way
    the paper archive files it, and so that a dossier's objects go with one prefix.
    """

    dossier_archive_no: str
    document_archive_no: str

    def __post_init__(self) -> None:
        for number in (self.dossier_archive_no, self.document_archive_no):
            if not _SEGMENT.match(number):
                raise ValueError(
                    f"archive number {number!r} cannot name objects: use ASCII letters, digits, '.', '_' and "
                    "'-', starting with a letter or digit"
                )

    @property
    def prefix(self) -> str:
        """`dossiers/<dossier no>/<document no>/`, with the trailing slash."""
        return f"dossiers/{self.dossier_archive_no}/{self.document_archive_no}/"

    @property
    def pdf(self) -> str:
        return self.prefix + "document.pdf"

    @property
    def manifest(self) -> str:
        return self.prefix + _MANIFEST

    def page(self, page_no: int) -> str:
        """The page image of page `page_no` (from 1), e.g. `pages/0001.jpg`."""
        return self.prefix + f"pages/{_page_no(page_no):04d}.jpg"

    def thumb(self, page_no: int) -> str:
        """The thumbnail of page `page_no` (from 1), e.g. `thumbs/0001.jpg`."""
        return self.prefix + f"thumbs/{_page_no(page_no):04d}.jpg"


def _page_no(page_no: int) -> int:
    if page_no < 1:
        raise ValueError(f"page numbers count from 1, not {page_no}")
    return page_no


def write_dossier_objects(
    store: ObjectStore,
    objects: DocumentObjects,
    *,
    pdf: bytes,
    pages: Sequence[bytes],
    thumbs: Sequence[bytes],
    manifest: bytes,
) -> list[str]:
    """Write a document's derived objects; writing them again overwrites them (they are derived).

    Each object is written atomically. The manifest goes last, so a document folder with a manifest is
    complete and one without is an interrupted write (or delete) to be redone. Objects under the prefix
    that are not part of the new set (pages of an earlier, longer version) are removed afterwards.

    Args:
        store: The object store.
        objects: The document's keys.
        pdf: The searchable PDF (`searchable_pdf` or `searchable_pdf_from_original`).
        pages: Page JPEGs in document order (`render_page_image`).
        thumbs: Thumbnails in document order (`render_thumbnail`), one per page.
        manifest: `document_manifest` bytes naming these keys.

    Returns:
        The keys written, manifest last.
    """
    if len(pages) != len(thumbs):
        raise ValueError(f"{len(pages)} page images but {len(thumbs)} thumbnails")
    if not pages:
        raise ValueError("a document has at least one page")
    written = []
    for number, (page, thumb) in enumerate(zip(pages, thumbs, strict=True), start=1):
        store.put_bytes(objects.page(number), page)
        store.put_bytes(objects.thumb(number), thumb)
        written += [objects.page(number), objects.thumb(number)]
    store.put_bytes(objects.pdf, pdf)
    store.put_bytes(objects.manifest, manifest)
    written += [objects.pdf, objects.manifest]
    _delete_others(store, objects.prefix, set(written))
    return written


def move_dossier_objects(
    store: ObjectStore, source: DocumentObjects, dest: DocumentObjects, *, manifest: bytes
) -> list[str]:
    """Move a document's derived objects to another place (reassignment): write the new place, then delete.

    The page images and PDF are copied; the manifest is the caller's new one, since it names the new
    dossier and keys. A crash anywhere leaves either the old place complete or the new one (its
    manifest written last), and calling again finishes the move: when the new place already holds this
    manifest, only the old place is deleted.

    Args:
        store: The object store.
        source: Where the objects are.
        dest: Where they go.
        manifest: `document_manifest` bytes for the new place.

    Returns:
        The keys at the new place, manifest last.

    Raises:
        FileNotFoundError: Neither place is complete: rebuild the objects from the document original.
        ValueError: The manifest names keys outside `dest`, or the two places are the same.
    """
    if source.prefix == dest.prefix:
        raise ValueError("source and destination are the same")
    parsed = read_manifest(manifest)
    named = [parsed.pdf_key, *(p.image_key for p in parsed.pages), *(p.thumb_key for p in parsed.pages)]
    if any(not key.startswith(dest.prefix) for key in named):
        raise ValueError("the manifest names keys outside the destination")
    if store.exists(dest.manifest) and store.get_bytes(dest.manifest) == manifest:
        written = sorted(k for k in store.keys(dest.prefix) if k != dest.manifest) + [dest.manifest]
    else:
        if not store.exists(source.manifest):
            raise FileNotFoundError(f"{source.prefix} is incomplete and {dest.prefix} not written")
        written = []
        for key in store.keys(source.prefix):
            if key != source.manifest:
                target = dest.prefix + key[len(source.prefix) :]
                store.put_bytes(target, store.get_bytes(key))
                written.append(target)
        store.put_bytes(dest.manifest, manifest)
        written.append(dest.manifest)
        _delete_others(store, dest.prefix, set(written))
    delete_dossier_objects(store, source.prefix)
    return written


def delete_dossier_objects(store: ObjectStore, prefix: str | DocumentObjects) -> list[str]:
    """Delete the derived objects of a document (`dossiers/<dossier>/<document>/`) or a dossier.

    Manifests go first, so that an interrupted delete leaves a folder recognisably incomplete. Only keys
    under `dossiers/` can be deleted here: document originals go only through approved destruction.

    Args:
        store: The object store.
        prefix: A document's `DocumentObjects`, or a prefix `dossiers/<dossier>/` or
            `dossiers/<dossier>/<document>/` (with the trailing slash, so `DA-1/` never matches `DA-10/`).

    Returns:
        The keys deleted.
    """
    if isinstance(prefix, DocumentObjects):
        prefix = prefix.prefix
    if not _DOSSIER_PREFIX.match(prefix):
        raise ValueError(f"{prefix!r} is not a dossier or document prefix under dossiers/")
    keys = sorted(store.keys(prefix), key=lambda k: (not k.endswith("/" + _MANIFEST), k))
    for key in keys:
        store.delete(key)
    return keys


def _delete_others(store: ObjectStore, prefix: str, keep: set[str]) -> None:
    for key in list(store.keys(prefix)):
        if key not in keep:
            store.delete(key)
