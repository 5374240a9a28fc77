"""Write pages to files the way scanners and e-document systems do: image PDFs, TIFF, JPEG, PNG, text PDFs."""

from __future__ import annotations

import io
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pikepdf
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .layout import EllipseOp, GraphicOp, LineOp, Page, RectOp, TextOp
from .raster import paint, text_patch

__all__ = [
    "EXIF_ORIENTATION",
    "EncodedPage",
    "encode_page",
    "write_image_pdf",
    "write_jpeg",
    "write_png",
    "write_text_pdf",
    "write_tiff",
]

#: EXIF Orientation tag that tells a viewer to undo a clockwise rotation of the stored pixels.
EXIF_ORIENTATION = {0: 1, 90: 8, 180: 3, 270: 6}


@dataclass(frozen=True, slots=True)
class EncodedPage:
    """A scanned page already compressed for a PDF: JPEG for grey and colour, Flate 1-bit for bi-level.

    Files are assembled from these, not from decoded images, so a 40-page colour batch at 300 dpi needs a
    few MB of memory instead of a GB.
    """

    data: bytes
    width: int
    height: int
    mode: str  # RGB | L | 1
    dpi: int


def encode_page(img: Image.Image, dpi: int, *, quality: int = 75) -> EncodedPage:
    """Compress one scanned page the way scanner software puts it into a PDF."""
    if img.mode == "1":
        data = zlib.compress(img.tobytes(), 6)
    else:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=quality)
        data = buf.getvalue()
    return EncodedPage(data, img.width, img.height, img.mode, dpi)


def write_image_pdf(
    path: Path,
    pages: Sequence[EncodedPage | Image.Image],
    dpi: Sequence[int] | None = None,
    *,
    quality: int = 75,
) -> None:
    """Write a scanned PDF, one image per page.

    Args:
        path: the file to write.
        pages: encoded pages, or Pillow images (then `dpi` gives each one's resolution and `quality` the JPEG
            quality). The same EncodedPage object given twice becomes one shared image object, so a 500-page
            benchmark file built from a few scans stays small (pdfium still decodes it for every page).
        dpi: resolutions of image pages, in order.
        quality: JPEG quality for image pages.
    """
    pdf = pikepdf.new()
    # Keyed by id() of objects the caller holds; pages encoded here are not shared (their ids may be reused).
    shared: dict[int, pikepdf.Object] = {}
    for i, item in enumerate(pages):
        if isinstance(item, Image.Image):
            if dpi is None:
                raise ValueError("dpi is required for image pages")
            enc = encode_page(item, dpi[i], quality=quality)
            stream = _image_stream(pdf, enc)
        else:
            enc = item
            stream = shared.get(id(enc))
            if stream is None:
                stream = shared[id(enc)] = _image_stream(pdf, enc)
        w_pt, h_pt = enc.width * 72 / enc.dpi, enc.height * 72 / enc.dpi
        page = pdf.add_blank_page(page_size=(w_pt, h_pt))
        page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=stream))
        page.Contents = pdf.make_stream(f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode())
    pdf.docinfo["/Producer"] = "dangan corpus"
    pdf.save(path, deterministic_id=True, compress_streams=True)


def _image_stream(pdf: pikepdf.Pdf, enc: EncodedPage) -> pikepdf.Object:
    if enc.mode == "1":
        stream = pikepdf.Stream(
            pdf,
            enc.data,
            Filter=pikepdf.Name.FlateDecode,
            BitsPerComponent=1,
            ColorSpace=pikepdf.Name.DeviceGray,
        )
    else:
        space = pikepdf.Name.DeviceRGB if enc.mode == "RGB" else pikepdf.Name.DeviceGray
        stream = pikepdf.Stream(
            pdf, enc.data, Filter=pikepdf.Name.DCTDecode, BitsPerComponent=8, ColorSpace=space
        )
    stream.Type = pikepdf.Name.XObject
    stream.Subtype = pikepdf.Name.Image
    stream.Width, stream.Height = enc.width, enc.height
    return pdf.make_indirect(stream)


def write_tiff(
    path: Path, images: Sequence[Image.Image], dpi: int, *, compression: str, quality: int = 75
) -> None:
    """Write a multi-page TIFF; group4 needs bi-level pages, jpeg needs grey or colour ones."""
    kw: dict[str, object] = {"compression": compression, "dpi": (dpi, dpi)}
    if compression == "jpeg":
        kw["quality"] = quality
    first, *rest = images
    first.save(path, "TIFF", save_all=True, append_images=rest, **kw)


def write_jpeg(
    path: Path,
    img: Image.Image,
    dpi: int,
    *,
    quality: int,
    exif_orientation: int | None = None,
    phone: bool = False,
) -> None:
    """Write a JPEG; `exif_orientation` marks pixels stored turned, as phones do."""
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    if phone:
        exif[0x010F] = "Xiaomi"  # Make
        exif[0x0110] = "Redmi Note 12"  # Model
    img.save(path, "JPEG", quality=quality, dpi=(dpi, dpi), exif=exif.tobytes() if len(exif) else b"")


def write_png(path: Path, img: Image.Image, dpi: int) -> None:
    """Write a PNG; noisy greyscale compresses slowly, so a low zlib level keeps generation fast."""
    img.save(path, "PNG", dpi=(dpi, dpi), compress_level=6 if img.mode == "1" else 1)


# --- born-digital PDFs --------------------------------------------------------------------------------------

_WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
_PDF_FONTS = {
    ("cjk", False): "WQY",
    ("cjk", True): "WQY",  # no bold face: drawn with a stroke (render mode 2)
    ("dsans", False): "DejaVuSans",
    ("dsans", True): "DejaVuSans-Bold",
    ("dserif", False): "DejaVuSerif",
    ("dserif", True): "DejaVuSerif-Bold",
    ("mono", False): "DejaVuSansMono",
    ("mono", True): "DejaVuSansMono-Bold",
}


@lru_cache(maxsize=1)
def _register_fonts() -> None:
    """Register the embedded fonts once per process: reportlab parses a CJK TTC in ~0.1 s."""
    pdfmetrics.registerFont(TTFont("WQY", _WQY, subfontIndex=0))
    for name in sorted({v for v in _PDF_FONTS.values() if v != "WQY"}):
        pdfmetrics.registerFont(TTFont(name, _DEJAVU + name + ".ttf"))


def _pdf_font(op: TextOp) -> tuple[str, bool]:
    """(font name, fake bold) for a text run; Latin-only families fall back to the CJK font for CJK text."""
    fam = op.family if op.family in ("dsans", "dserif", "mono") else "cjk"
    if fam != "cjk" and any(ord(ch) > 0x24F for ch in op.text):
        fam = "cjk"
    return _PDF_FONTS[(fam, op.bold)], op.bold and fam == "cjk"


def write_text_pdf(path: Path, pages: Sequence[Page], *, title: str = "", graphics_dpi: int = 120) -> None:
    """Write born-digital pages with reportlab: vector rules, an embedded CJK font, seals as images.

    Text is emitted line by line in reading order, so a text extractor returns the truth text. Graphics
    (seals, signatures, QR codes) are images, so their text never enters the text layer.
    """
    _register_fonts()
    # Without reportlab's C accelerator its ASCII85 encoder dominates the run time; binary streams are fine.
    a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        _write_text_pdf(path, pages, title, graphics_dpi)
    finally:
        rl_config.useA85 = a85


def _write_text_pdf(path: Path, pages: Sequence[Page], title: str, graphics_dpi: int) -> None:
    mm = 72 / 25.4
    k = graphics_dpi / 25.4
    c = canvas.Canvas(str(path), invariant=1, pageCompression=1)
    c.setTitle(title)
    c.setProducer("dangan corpus")
    for page in pages:
        height = page.height
        c.setPageSize((page.width * mm, height * mm))
        for op in page.ops:
            if isinstance(op, LineOp):
                c.setStrokeColorRGB(*(v / 255 for v in op.color))
                c.setLineWidth(op.width * mm)
                c.setDash(op.dash * mm, op.dash * mm) if op.dash else c.setDash()
                c.line(op.x1 * mm, (height - op.y1) * mm, op.x2 * mm, (height - op.y2) * mm)
            elif isinstance(op, RectOp):
                _pdf_shape(c, op, height, mm)
            elif isinstance(op, EllipseOp):
                _pdf_shape(c, op, height, mm)
            elif isinstance(op, GraphicOp):
                patch = paint(_electronic(op), k).rgba()
                c.drawImage(
                    ImageReader(patch),
                    op.x * mm,
                    (height - op.y - op.h) * mm,
                    op.w * mm,
                    op.h * mm,
                    mask="auto",
                )
            elif isinstance(op, TextOp) and not (op.truth and op.angle == 0):
                _pdf_text_image(c, op, height, mm, k)
        for line in page.reading_order():
            for op in line:
                _pdf_text(c, op, height, mm)
        c.showPage()
    c.save()


def _electronic(op: GraphicOp) -> GraphicOp:
    """E-documents carry a perfect electronic seal, identical on every page (and so painted once), and
    signature images from a small set (painted once each)."""
    if op.kind == "signature":
        return GraphicOp("esig", op.x, op.y, 32.0, op.h, op.seed % 24, op.params)
    if op.kind != "seal":
        return op
    params = tuple((k, v) for k, v in op.params if k not in ("angle", "clean")) + (
        ("angle", 0.0),
        ("clean", True),
    )
    w, h = (40.0, 28.0) if op.w > op.h * 1.2 else (40.0, 40.0)
    cx, cy = op.x + op.w / 2, op.y + op.h / 2
    return GraphicOp(op.kind, cx - w / 2, cy - h / 2, w, h, 0, tuple(sorted(params)))


def _pdf_shape(c: canvas.Canvas, op: RectOp | EllipseOp, height: float, mm: float) -> None:
    stroke = 1 if op.width else 0
    fill = 1 if op.fill else 0
    c.setStrokeColorRGB(*(v / 255 for v in op.color))
    c.setLineWidth(max(op.width, 0.01) * mm)
    if op.fill:
        c.setFillColorRGB(*(v / 255 for v in op.fill))
    if isinstance(op, RectOp):
        y = (height - op.y - op.h) * mm
        if op.radius:
            c.roundRect(op.x * mm, y, op.w * mm, op.h * mm, op.radius * mm, stroke=stroke, fill=fill)
        else:
            c.rect(op.x * mm, y, op.w * mm, op.h * mm, stroke=stroke, fill=fill)
    else:
        c.ellipse(
            (op.cx - op.rx) * mm,
            (height - op.cy - op.ry) * mm,
            (op.cx + op.rx) * mm,
            (height - op.cy + op.ry) * mm,
            stroke=stroke,
            fill=fill,
        )


def _pdf_text(c: canvas.Canvas, op: TextOp, height: float, mm: float) -> None:
    name, fake_bold = _pdf_font(op)
    x = op.x * mm
    if op.anchor != "l":
        x -= (0.5 if op.anchor == "m" else 1.0) * pdfmetrics.stringWidth(op.text, name, op.size)
    if fake_bold:  # fill-and-stroke text; render mode and line width are graphics state, so scope them
        c.saveState()
        c.setStrokeColorRGB(*(v / 255 for v in op.color))
        c.setLineWidth(op.size * 0.035)
    t = c.beginText(x, (height - op.y) * mm)
    t.setFont(name, op.size)
    t.setFillColorRGB(*(v / 255 for v in op.color))
    if fake_bold:
        t.setTextRenderMode(2)
    t.textOut(op.text)
    c.drawText(t)
    if fake_bold:
        c.restoreState()


def _pdf_text_image(c: canvas.Canvas, op: TextOp, height: float, mm: float, k: float) -> None:
    """Stamps and overprints go in as pictures, the way they end up in an exported e-document."""
    patch, px, py = text_patch(op, k)
    image = patch.rgba()
    c.drawImage(
        ImageReader(image),
        px / k * mm,
        (height - (py + image.height) / k) * mm,
        image.width / k * mm,
        image.height / k * mm,
        mask="auto",
    )
