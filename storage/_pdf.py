"""PDF plumbing for filing: pages copied out of an intake PDF, and scans with an invisible OCR text layer."""

from __future__ import annotations

import functools
import io
import struct
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image

from dangan.records import OcrLine

# --- copying pages ------------------------------------------------------------------------------------------


def copy_pdf_pages(src: Path, page_nos: Sequence[int], dest: Path) -> None:
    """Write a new PDF holding `page_nos` of `src`, every stream copied byte for byte (see `PdfPageSource`)."""
    with PdfPageSource(src) as source:
        source.copy(page_nos, dest)


class PdfPageSource:
    """An intake PDF opened once, out of which the pages of several documents are copied.

    A batch of 1000 born-digital pages may hold 600 documents: opening the file (and listing its pages)
    for each one made copying quadratic in the batch, 30 ms a document for that file.
    """

    def __init__(self, src: Path) -> None:
        self.src = src
        self._pdf: pikepdf.Pdf | None = None
        self._page_ids: list[tuple[int, int]] = []

    def __enter__(self) -> PdfPageSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None

    def _open(self) -> pikepdf.Pdf:
        if self._pdf is None:
            self._pdf = pikepdf.open(self.src)
            self._page_ids = [page.obj.objgen for page in self._pdf.pages]
        return self._pdf

    def copy(self, page_nos: Sequence[int], dest: Path) -> None:
        """Write a new PDF holding `page_nos` of the source, every stream copied byte for byte.

        Pages are copied as PDF objects (qpdf's foreign-object copy), never re-rendered: images, fonts and
        content streams keep their exact bytes, and attributes a page inherits from the page tree (resources,
        media box, rotation) are pushed down onto it first. Two things are cut so that the copy holds nothing
        of the intake file's other pages, which may be another customer's papers:

        - resources the copied pages do not use. Scanner software often gives all pages one shared resource
          dictionary naming every page's image; copied as is, page 3's original would carry pages 1-40.
        - references to pages that are not copied (a link's destination, an annotation's /P). Following them
          would drag those whole pages, content and images, into the copy; a link to a page that is not in
          the document has nowhere to go anyway.

        Interactive form field trees spanning pages and article threads are not split further: scanned
        batches have neither.

        Args:
            page_nos: Pages to copy, from 1, in the order they are to appear.
            dest: Where to write the new PDF.

        Raises:
            IndexError: A page number beyond the file's pages.
            pikepdf.PdfError: qpdf cannot read the file.
        """
        pdf = self._open()
        count = len(self._page_ids)
        for page_no in page_nos:
            if not 1 <= page_no <= count:
                raise IndexError(f"page {page_no} is beyond the PDF's {count} pages")
        keep = [pdf.pages[n - 1] for n in page_nos]
        kept = {page.obj.objgen for page in keep}
        others = set(self._page_ids) - kept
        # In memory only, never saved; but the next document's pages may have lost references to these
        # pages through objects they share, so the file is read afresh for the next copy.
        changed = _cut_references([page.obj for page in keep], others, pdf.Root.Pages)
        out = pikepdf.new()
        try:
            out.pages.extend(keep)
            for page in out.pages:
                page.remove_unreferenced_resources()
            out.save(
                dest,
                min_version=pdf.pdf_version,
                compress_streams=False,  # an uncompressed stream stays as it was: byte for byte means that
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                recompress_flate=False,
                deterministic_id=True,  # the same pages give the same bytes, so a retry gives the same sha256
            )
        finally:
            out.close()
        _check_copy(pdf, page_nos, dest)
        if changed:
            self.close()


def _cut_references(
    roots: Sequence[pikepdf.Object], others: set[tuple[int, int]], tree: pikepdf.Object
) -> bool:
    """Remove every reference reachable from the pages `roots` to one of the pages `others`; True if any.

    The page tree (`tree`, the catalog's /Pages, and any /Pages node) is not followed: it names every
    page, and qpdf re-parents copied pages anyway.
    """
    seen: set[tuple[int, int]] = {tree.objgen}
    stack: list[pikepdf.Object] = list(roots)
    changed = False
    while stack:
        obj = stack.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            for key in list(obj.keys()):
                value = obj[key]
                if _points_to(value, others):
                    del obj[key]
                    changed = True
                elif _followed(value):
                    stack.append(value)
        elif isinstance(obj, Array):
            for index, value in enumerate(obj):
                if _points_to(value, others):
                    obj[index] = None
                    changed = True
                elif _followed(value):
                    stack.append(value)
    return changed


def _followed(value: pikepdf.Object) -> bool:
    if isinstance(value, Array):
        return True
    return isinstance(value, (Dictionary, pikepdf.Stream)) and value.get("/Type") != "/Pages"  # the tree


def _points_to(value: pikepdf.Object, others: set[tuple[int, int]]) -> bool:
    return isinstance(value, (Dictionary, pikepdf.Stream)) and value.is_indirect and value.objgen in others


def _check_copy(source: pikepdf.Pdf, page_nos: Sequence[int], dest: Path) -> None:
    """Re-read the copy: the intake file is retired on the strength of it, so trust nothing unread."""
    with pikepdf.open(dest) as after:
        if len(after.pages) != len(page_nos):
            raise RuntimeError(f"PDF page copy has {len(after.pages)} pages, not {len(page_nos)}")
        for page_no, page in zip(page_nos, after.pages, strict=True):
            if _content_bytes(source.pages[page_no - 1]) != _content_bytes(page):
                raise RuntimeError(f"PDF page copy: content of page {page_no} differs from the source")


def _content_bytes(page: pikepdf.Page) -> list[bytes]:
    contents = page.obj.get("/Contents")
    if contents is None:
        return []
    streams = contents if isinstance(contents, Array) else [contents]
    return [s.read_raw_bytes() for s in streams if isinstance(s, pikepdf.Stream)]


# --- the searchable PDF -------------------------------------------------------------------------------------


class ScanPage(NamedTuple):
    """One scanned page for `searchable_pdf`: its image and its OCR lines.

    `width` and `height` are the size in pixels of the image OCR read, which the lines' boxes refer to.
    The JPEG may be smaller (the web rendering): it is stretched over the whole page, so only its aspect
    ratio has to agree.
    """

    jpeg: bytes
    width: int
    height: int
    lines: Sequence[OcrLine]


# Advance widths in thousandths of the font size: wide (CJK, full-width) characters are square, the rest
# half as wide, so that a mixed line like "车架号：LSVAB2BM5KN123456" selects close to where its characters
# sit on the scan; Tz then stretches the line to its box.
_WIDE, _NARROW = 1000, 500
_FONT = "/GlyphLessFont"  # the name Tesseract and OCRmyPDF use, so tools recognise an OCR layer
_MAX_CIDS = 0xFFFF
_POINTS_PER_INCH = 72


def build_searchable_pdf(
    pages: Sequence[ScanPage | tuple[bytes, int, int, Sequence[OcrLine]] | int],
    *,
    dpi: float,
    original: bytes | None = None,
) -> bytes:
    """A PDF of scans with OCR lines as invisible text over them; pages given as numbers come from `original`.

    See `storage.filing.searchable_pdf` for the why of the font; this is the mechanics. All text goes
    through one glyphless Type0 font whose CIDs are assigned per document (1..n, by code point), with a
    ToUnicode map per CID: that covers characters beyond the BMP (rare name characters such as 𠮷), which
    Tesseract's CID-equals-UTF-16-unit scheme loses.
    """
    scans = [ScanPage(*p) for p in pages if not isinstance(p, int)]
    chars = sorted({ch for scan in scans for line in scan.lines for ch in _text(line.text)})
    if len(chars) > _MAX_CIDS:
        raise ValueError(f"{len(chars)} distinct characters do not fit one font")
    cids = {ch: cid for cid, ch in enumerate(chars, start=1)}

    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary())
    source = pikepdf.open(io.BytesIO(original)) if original is not None else None
    try:
        for item in pages:
            if isinstance(item, int):
                if source is None:
                    raise ValueError("a page number needs the original PDF")
                if not 1 <= item <= len(source.pages):
                    raise IndexError(f"page {item} is beyond the original's {len(source.pages)} pages")
                pdf.pages.append(source.pages[item - 1])
            else:
                _add_scan_page(pdf, ScanPage(*item), dpi, font, cids)
        if chars:  # else the placeholder stays unreferenced, and qpdf writes only what is referenced
            _fill_font(pdf, font, chars)
        buffer = io.BytesIO()
        pdf.docinfo[Name.Producer] = "dangan"
        pdf.save(
            buffer,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            deterministic_id=True,
        )
        return buffer.getvalue()
    finally:
        if source is not None:
            source.close()


def _text(text: str) -> str:
    """The characters of a line that go into the text layer: controls and lone surrogates cannot."""
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs"))


def _advance(ch: str) -> int:
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0  # combining marks and format characters take no room of their own
    return _WIDE if unicodedata.east_asian_width(ch) in ("W", "F") else _NARROW


def _image_xobject(pdf: pikepdf.Pdf, jpeg: bytes) -> tuple[pikepdf.Stream, int, int]:
    with Image.open(io.BytesIO(jpeg)) as image:  # reads the header only
        if image.format != "JPEG":
            raise ValueError(f"page image is {image.format}, not JPEG")
        spaces = {"L": Name.DeviceGray, "RGB": Name.DeviceRGB}
        if image.mode not in spaces:
            raise ValueError(f"page JPEG in mode {image.mode}; give a grey or RGB JPEG")
        width, height = image.size
        space = spaces[image.mode]
    stream = pikepdf.Stream(
        pdf,
        jpeg,  # DCTDecode: the JPEG's bytes go in unchanged, never re-encoded
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=width,
        Height=height,
        ColorSpace=space,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    return stream, width, height


def _add_scan_page(
    pdf: pikepdf.Pdf, scan: ScanPage, dpi: float, font: pikepdf.Object, cids: dict[str, int]
) -> None:
    if scan.width <= 0 or scan.height <= 0:
        raise ValueError(f"page size {scan.width}x{scan.height} px")
    image, image_w, image_h = _image_xobject(pdf, scan.jpeg)
    # The JPEG is usually a downscaled rendering of the page OCR read; a different shape means a mix-up
    # (another page's image, or one rotated differently from the boxes).
    if abs(image_w * scan.height - image_h * scan.width) > 0.01 * scan.width * scan.height:
        raise ValueError(
            f"page image {image_w}x{image_h} has not the shape of the OCR'd page {scan.width}x{scan.height}"
        )
    scale = _POINTS_PER_INCH / dpi
    page_w, page_h = scan.width * scale, scan.height * scale
    ops = [f"q {_num(page_w)} 0 0 {_num(page_h)} 0 0 cm /Im0 Do Q"]
    text_ops = [_line_ops(line, scan.width, scan.height, scale, cids) for line in scan.lines]
    text_ops = [op for op in text_ops if op]
    if text_ops:
        # Render mode 3: neither filled nor stroked. The text is there to be found, selected and copied.
        ops += ["BT", "3 Tr", *text_ops, "ET"]
    resources = Dictionary(XObject=Dictionary(Im0=pdf.make_indirect(image)))
    if text_ops:
        resources.Font = Dictionary(F0=font)
    page = Dictionary(
        Type=Name.Page,
        MediaBox=Array([0, 0, _round(page_w), _round(page_h)]),
        Resources=resources,
        Contents=pdf.make_stream("\n".join(ops).encode("ascii")),  # compressed by save()
    )
    pdf.pages.append(pikepdf.Page(page))


def _line_ops(line: OcrLine, width: int, height: int, scale: float, cids: dict[str, int]) -> str:
    """Operators placing a line: size = box height, baseline = box bottom, Tz stretching it to box width."""
    text = _text(line.text)
    left, top, right, bottom = line.box
    left, right = max(0, left), min(width, right)
    top, bottom = max(0, top), min(height, bottom)
    natural = sum(_advance(ch) for ch in text) / 1000  # width at size 1
    if not text or right <= left or bottom <= top or natural <= 0:
        return ""
    size = (bottom - top) * scale
    stretch = 100 * (right - left) * scale / (natural * size)
    codes = "".join(f"{cids[ch]:04X}" for ch in text)
    x, y = left * scale, (height - bottom) * scale
    return f"/F0 {_num(size)} Tf {_num(stretch)} Tz 1 0 0 1 {_num(x)} {_num(y)} Tm <{codes}> Tj"


def _num(value: float) -> str:
    """A PDF number with at most 3 decimals and no exponent (PDF has none)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _round(value: float) -> float | int:
    rounded = round(value, 3)
    return int(rounded) if rounded == int(rounded) else rounded


def _fill_font(pdf: pikepdf.Pdf, font: pikepdf.Object, chars: Sequence[str]) -> None:
    """Make `font` the Type0 font of CIDs 1..n = `chars`, each drawing an invisible glyph of its width."""
    widths = Array()
    for first, last, width in _width_runs(_advance(ch) for ch in chars):
        if width != _NARROW:
            widths.extend([first, last, width])
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name(_FONT),
        Flags=4,  # symbolic: its glyphs are no standard character set
        FontBBox=Array([0, 0, _WIDE, _WIDE]),
        ItalicAngle=0,
        Ascent=_WIDE,
        Descent=0,  # with Ascent = 1000 a character spans baseline to baseline + size: exactly the line's box
        CapHeight=_WIDE,
        StemV=80,
        FontFile2=pdf.make_stream(glyphless_font()),
    )
    # CID 0 is .notdef (glyph 0); a wide character draws glyph 2, any other glyph 1: their bounding boxes
    # then match the advances, which is what PDFium shows as the selection.
    cid_to_gid = b"\x00\x00" + b"".join(b"\x00\x02" if _advance(ch) == _WIDE else b"\x00\x01" for ch in chars)
    cid_font = Dictionary(
        Type=Name.Font,
        Subtype=Name.CIDFontType2,
        BaseFont=Name(_FONT),
        CIDSystemInfo=Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        DW=_NARROW,
        W=widths,
        CIDToGIDMap=pdf.make_stream(cid_to_gid),
    )
    font.Type = Name.Font
    font.Subtype = Name.Type0
    font.BaseFont = Name(_FONT)
    font.Encoding = Name("/Identity-H")
    font.DescendantFonts = Array([pdf.make_indirect(cid_font)])
    font.ToUnicode = pdf.make_stream(_to_unicode(chars))


def _width_runs(widths: Iterable[int]) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    for cid, width in enumerate(widths, start=1):
        if runs and runs[-1][2] == width and runs[-1][1] == cid - 1:
            runs[-1] = (runs[-1][0], cid, width)
        else:
            runs.append((cid, cid, width))
    return runs


def _to_unicode(chars: Sequence[str]) -> bytes:
    """A ToUnicode CMap: CID i → chars[i-1], as UTF-16BE (a surrogate pair beyond the BMP)."""
    out = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    entries = [
        f"<{cid:04X}> <{ch.encode('utf-16-be').hex().upper()}>" for cid, ch in enumerate(chars, start=1)
    ]
    for start in range(0, len(entries), 100):  # at most 100 mappings per block, as the CMap format wants
        block = entries[start : start + 100]
        out += [f"{len(block)} beginbfchar", *block, "endbfchar"]
    out += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(out).encode("ascii")


# --- the glyphless TrueType font ----------------------------------------------------------------------------


@functools.cache
def glyphless_font() -> bytes:
    """A minimal valid TrueType font of three invisible glyphs (.notdef, narrow, wide); 1000 units per em.

    PDF viewers want the font of any text embedded, even of text never drawn (Acrobat warns about a
    missing font, PDF/A forbids one); the glyphs' look does not matter because render mode 3 draws
    nothing, and advances come from the PDF's /W array. So the font holds no real glyphs: 760 bytes
    instead of the 60-120 kB a subset of a CJK font adds to a scanned page. Tesseract ships such a font
    (pdf.ttf); this one is built here from the TrueType tables so that no data file is needed.
    """
    units = _WIDE
    # Glyph 0 (.notdef) is empty and never used. Glyphs 1 and 2, narrow and wide, are each one contour of
    # two points: a line from the origin to the top right corner of the em box (500 or 1000 wide). It
    # encloses no area, so even a viewer that ignored render mode 3 would paint nothing; but it gives the
    # glyph a bounding box, without which PDFium drops a one-character line from its text (it skips text
    # objects of zero width) and cannot show a selection.
    glyphs = [b""] + [_line_glyph(advance, units) for advance in (_NARROW, _WIDE)]
    glyf = b"".join(glyphs)
    offsets = [0]
    for glyph in glyphs:
        offsets.append(offsets[-1] + len(glyph))
    loca = struct.pack(f">{len(offsets)}H", *(offset // 2 for offset in offsets))  # short: in words
    head = struct.pack(
        ">IIIIHHqqhhhhHHhhh",
        0x00010000,  # version
        0x00010000,  # fontRevision
        0,  # checkSumAdjustment, set below
        0x5F0F3CF5,  # magic
        0x000B,  # flags: baseline at y=0, lsb at x=0, integer ppem
        units,
        0,  # created: fixed, so the font (and every PDF) is reproducible
        0,  # modified
        0,
        0,
        units,
        units,  # xMin, yMin, xMax, yMax
        0,  # macStyle
        8,  # lowestRecPPEM
        2,  # fontDirectionHint
        0,  # indexToLocFormat: short
        0,  # glyphDataFormat
    )
    hhea = struct.pack(
        ">IhhhHhhhhhhhhhhhH", 0x00010000, units, 0, 0, units, 0, 0, units, 1, 0, 0, 0, 0, 0, 0, 0, 3
    )
    maxp = struct.pack(">IHHHHHHHHHHHHHH", 0x00010000, 3, 2, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)
    hmtx = struct.pack(">HhHhHh", _NARROW, 0, _NARROW, 0, units, 0)
    # A cmap that maps nothing (only the mandatory final segment): PDF reaches glyphs through CIDToGIDMap.
    cmap = struct.pack(">HHHHI", 0, 1, 3, 1, 12) + struct.pack(">7H", 4, 24, 0, 2, 2, 0, 0)
    cmap += struct.pack(">HHHhH", 0xFFFF, 0, 0xFFFF, 1, 0)
    os2 = struct.pack(
        ">HhHHH10hh10s4I4s3H3h2H2I2h3H",
        3, 500, 400, 5, 0,  # version, xAvgCharWidth, weight, width class, fsType 0: installable embedding
        *([0] * 10), 0, b"\x00" * 10, 0, 0, 0, 0, b"DNGN",
        0x0040, 0x20, 0xFFFF,  # fsSelection REGULAR, first and last char index
        units, 0, 0, units, 0,  # typo ascender, descender, line gap; win ascent, descent
        1, 0,  # code page ranges: Latin 1
        0, 0, 0, 0x20, 0,  # xHeight, capHeight, default char, break char, max context
    )  # fmt: skip
    post = struct.pack(">IIhhIIIII", 0x00030000, 0, -100, 50, 0, 0, 0, 0, 0)
    name = _name_table({1: "GlyphLessFont", 2: "Regular", 3: "dangan:GlyphLessFont", 4: "GlyphLessFont",
                        5: "Version 1.0", 6: "GlyphLessFont"})  # fmt: skip
    tables = {
        b"OS/2": os2,
        b"cmap": cmap,
        b"glyf": glyf,
        b"head": head,
        b"hhea": hhea,
        b"hmtx": hmtx,
        b"loca": loca,
        b"maxp": maxp,
        b"name": name,
        b"post": post,
    }
    font, offsets = _sfnt(tables)
    adjustment = (0xB1B0AFBA - _checksum(font)) & 0xFFFFFFFF
    at = offsets[b"head"] + 8  # checkSumAdjustment: the whole font then sums to 0xB1B0AFBA
    return font[:at] + struct.pack(">I", adjustment) + font[at + 4 :]


def _line_glyph(advance: int, units: int) -> bytes:
    """A simple glyph of one two-point contour from (0, 0) to (advance, units): a bounding box, no area."""
    glyph = struct.pack(">hhhhh", 1, 0, 0, advance, units)  # contours, xMin, yMin, xMax, yMax
    glyph += struct.pack(">HH", 1, 0)  # endPtsOfContours[0] = 1 (two points), no instructions
    glyph += bytes([0x01, 0x01])  # flags: on curve; x and y as int16 deltas
    glyph += struct.pack(">2h", 0, advance) + struct.pack(">2h", 0, units)
    return glyph + b"\x00" * (-len(glyph) % 4)


def _name_table(names: dict[int, str]) -> bytes:
    records, strings = b"", b""
    for name_id, text in sorted(names.items()):
        data = text.encode("utf-16-be")
        records += struct.pack(">6H", 3, 1, 0x409, name_id, len(data), len(strings))
        strings += data
    return struct.pack(">3H", 0, len(names), 6 + len(records)) + records + strings


def _checksum(data: bytes) -> int:
    padded = data + b"\x00" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[bytes, bytes]) -> tuple[bytes, dict[bytes, int]]:
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1, count * 16 - power * 16
    )
    offset = len(header) + 16 * count
    directory, body, offsets = b"", b"", {}
    for tag in sorted(tables):
        data = tables[tag]
        offsets[tag] = offset + len(body)
        directory += struct.pack(">4sIII", tag, _checksum(data), offsets[tag], len(data))
        body += data + b"\x00" * (-len(data) % 4)
    return header + directory + body, offsets
