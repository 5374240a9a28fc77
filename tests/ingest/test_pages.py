"""Intake of scan files: type told by content, hostile or broken files refused with reasons, pages loaded."""

from __future__ import annotations

import io
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageFile, ImageOps
from reportlab.pdfgen import canvas

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
from ingest import pages
from ingest.pages import JPEG, PDF, PNG, TIFF, SourceInfo, inspect_file, load_page_image, sniff_media_type

LIMITS = IntakeSettings()
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- file makers: tiny inputs generated per test ----------------------------------------------------------


def marked_page(height: int = 60, width: int = 40) -> np.ndarray:
    """White page with a black block in its top-left corner, so orientation can be checked."""
    pixels = np.full((height, width), 255, np.uint8)
    pixels[: height // 6, : width // 4] = 0
    return pixels


def write_pdf(path: Path, page_sizes: list[tuple[float, float]], *, text: str = "page") -> Path:
    c = canvas.Canvas(str(path))
    for n, (width, height) in enumerate(page_sizes, start=1):
        c.setPageSize((width, height))
        c.drawString(10, height - 20, f"{text} {n}")
        c.showPage()
    c.save()
    return path


def write_tiff_frames(path: Path, frames: list[np.ndarray], **save: object) -> Path:
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, save_all=True, append_images=images[1:], **save)
    return path


def tiny_tiff(
    frames: list[np.ndarray],
    *,
    claimed: tuple[int, int] | None = None,
    loop: bool = False,
    missing_bytes: int = 0,
    big_endian: bool = False,
) -> bytes:
    """A hand-made uncompressed grey TIFF that can lie: about a frame's size, its chain of IFDs (a loop),
    or the length of its pixel data (as if the file was cut inside the data, its IFDs intact)."""
    order = ">" if big_endian else "<"
    out = bytearray(b"MM\x00*\x00\x00\x00\x00" if big_endian else b"II*\x00\x00\x00\x00\x00")
    ifds, next_fields = [], []
    for pixels in frames:
        height, width = pixels.shape
        data_at = len(out)
        out += pixels.tobytes() + b"\x00" * (len(pixels.tobytes()) % 2)
        cw, ch = claimed or (width, height)
        tags = [
            (256, 4, cw),
            (257, 4, ch),
            (258, 3, 8),
            (259, 3, 1),
            (262, 3, 1),
            (273, 4, data_at),
            (277, 3, 1),
            (278, 4, height),
            (279, 4, width * height + missing_bytes),
        ]
        ifds.append(len(out))
        out += struct.pack(order + "H", len(tags))
        for tag, kind, value in tags:
            field = struct.pack(order + "HH", value, 0) if kind == 3 else struct.pack(order + "I", value)
            out += struct.pack(order + "HHI", tag, kind, 1) + field
        next_fields.append(len(out))
        out += b"\x00\x00\x00\x00"
    struct.pack_into(order + "I", out, 4, ifds[0])
    for field_at, ifd in zip(next_fields, ifds[1:] + ([ifds[0]] if loop else [0]), strict=True):
        struct.pack_into(order + "I", out, field_at, ifd)
    return bytes(out)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small valid-looking PNG whose header claims `width` × `height` pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def with_orientation(pixels: np.ndarray, path: Path, orientation: int, **save: object) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(pixels).save(path, exif=exif.tobytes(), **save)
    return path


def pdf_with_image(path: Path, width: int, height: int) -> Path:
    """A 1-inch page drawing an image XObject that declares `width` × `height` pixels."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(72, 72))
    image = pikepdf.Stream(pdf, zlib.compress(b"\x80" * 64))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height, image.BitsPerComponent = width, height, 8
    image.ColorSpace, image.Filter = pikepdf.Name.DeviceGray, pikepdf.Name.FlateDecode
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(pdf, b"q 72 0 0 72 0 0 cm /Im0 Do Q")
    pdf.save(path)
    return path


def read(
    path: Path, info: SourceInfo, page_no: int = 1, *, dpi: int = 72, limits: IntakeSettings = LIMITS
) -> np.ndarray:
    return load_page_image(path, info.media_type, page_no, dpi=dpi, limits=limits)


# --- sniffing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", PDF),
        (b"\r\n" * 100 + b"%PDF-1.4\n", PDF),  # junk before the header, as some gateways add
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", PNG),
        (b"II*\x00\x08\x00\x00\x00", TIFF),
        (b"MM\x00*\x00\x00\x00\x08", TIFF),
        (b"II+\x00\x08\x00\x00\x00", TIFF),  # BigTIFF
        (b"<!DOCTYPE html><html>", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_sniff_media_type(head: bytes, expected: str | None) -> None:
    assert sniff_media_type(head) == expected


# --- good files ---------------------------------------------------------------------------------------------


def test_pdf_pages_at_dpi_and_rotation(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [(600, 800), (600, 800)])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[1].Rotate = 90  # page 2 scanned sideways and marked so
        pdf.save(path)
    info = inspect_file(path, LIMITS, 144)
    assert info == SourceInfo(PDF, 2)
    first, second = read(path, info, 1, dpi=144), read(path, info, 2, dpi=144)
    assert first.shape == (1600, 1200) and second.shape == (1200, 1600)
    assert first.dtype == np.uint8 and first.flags.c_contiguous and first.flags.writeable
    assert first.min() < 128 < first.max()  # the text is drawn, on white


def test_multipage_tiff_frames(tmp_path: Path) -> None:
    frames = [marked_page(60, 40), np.full((30, 50), 7, np.uint8), marked_page(80, 20)]
    path = write_tiff_frames(tmp_path / "batch.tif", frames, compression="tiff_lzw")
    info = inspect_file(path, LIMITS, 300)
    assert info == SourceInfo(TIFF, 3)
    for n, frame in enumerate(frames, start=1):
        assert np.array_equal(read(path, info, n), frame)


def test_fax_tiff_bilevel_group4(tmp_path: Path) -> None:
    frames = [marked_page(64, 48) for _ in range(2)]
    images = [Image.fromarray(f).convert("1") for f in frames]
    path = tmp_path / "fax.tiff"
    images[0].save(path, save_all=True, append_images=images[1:], compression="group4")
    info = inspect_file(path, LIMITS, 300)
    assert info == SourceInfo(TIFF, 2)
    page = read(path, info, 2)
    assert set(np.unique(page)) == {0, 255} and np.array_equal(page, frames[1])


def test_jpeg_exif_orientation_6_comes_out_upright(tmp_path: Path) -> None:
    upright = marked_page(60, 40)
    stored = np.rot90(upright, k=1)  # the camera stored it turned; orientation 6 says turn 90° clockwise
    path = with_orientation(stored, tmp_path / "IMG_0001.jpg", 6, quality=95)
    info = inspect_file(path, LIMITS, 300)
    assert info == SourceInfo(JPEG, 1)
    page = read(path, info)
    assert page.shape == upright.shape
    assert np.abs(page.astype(int) - upright).mean() < 8


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["png", "tif"])
def test_every_orientation_matches_pillow_exif_transpose(tmp_path: Path, orientation: int, fmt: str) -> None:
    stored = marked_page(60, 40)
    stored[50:, 30:] = 100  # a second mark: mirrored and turned results differ
    path = tmp_path / f"o.{fmt}"
    if fmt == "png":
        with_orientation(stored, path, orientation)
    else:  # uncompressed, which Pillow 13 mis-decodes when it memory-maps a turned frame
        Image.fromarray(stored).save(path, tiffinfo={0x0112: orientation})
    reference = Image.fromarray(stored)
    exif = Image.Exif()
    exif[0x0112] = orientation
    reference.info["exif"] = exif.tobytes()
    expected = np.array(ImageOps.exif_transpose(reference))
    assert np.array_equal(read(path, inspect_file(path, LIMITS, 300)), expected)


@pytest.mark.parametrize("big_endian", [False, True])
def test_tiff_byte_orders_and_bigtiff(tmp_path: Path, big_endian: bool) -> None:
    frames = [marked_page(60, 40), marked_page(30, 20)]
    path = tmp_path / "scan.tif"
    path.write_bytes(tiny_tiff(frames, big_endian=big_endian))
    info = inspect_file(path, LIMITS, 300)
    assert info == SourceInfo(TIFF, 2) and np.array_equal(read(path, info, 2), frames[1])
    big = write_tiff_frames(tmp_path / "big.tif", frames * 2, big_tiff=True)
    assert big.read_bytes()[:4] == b"II+\x00"
    info = inspect_file(big, LIMITS, 300)
    assert info == SourceInfo(TIFF, 4) and np.array_equal(read(big, info, 4), frames[1])


@pytest.mark.parametrize(
    "save", [{"progressive": True}, {"restart_marker_rows": 1}, {"quality": 30, "subsampling": 2}]
)
def test_jpeg_variants_pass_the_structure_walk(tmp_path: Path, save: dict[str, object]) -> None:
    path = tmp_path / "scan.jpg"
    noise = np.random.default_rng(4).integers(0, 255, (90, 70, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path, **save)
    assert read(path, inspect_file(path, LIMITS, 300)).shape == (90, 70)
    path.write_bytes(path.read_bytes()[:-300])
    with pytest.raises(TruncatedFileError):
        inspect_file(path, LIMITS, 300)


def test_jpeg_with_data_after_eoi_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "MVIMG_0001.jpg"  # phones append a video after the image ("motion photo")
    Image.fromarray(marked_page()).save(path, quality=95)
    path.write_bytes(path.read_bytes() + b"\x00\x00\x00\x18ftypmp42" + bytes(5000))
    assert inspect_file(path, LIMITS, 300) == SourceInfo(JPEG, 1)


def test_png_alpha_is_flattened_onto_white(tmp_path: Path) -> None:
    rgba = np.zeros((10, 30, 4), np.uint8)  # black everywhere
    rgba[:, 10:20, 3] = 255  # opaque in the middle third
    rgba[:, 20:, 3] = 128  # half transparent on the right
    path = tmp_path / "cutout.png"
    Image.fromarray(rgba, "RGBA").save(path)
    page = read(path, inspect_file(path, LIMITS, 300))
    assert page.shape == (10, 30)
    assert (
        (page[:, :10] == 255).all() and (page[:, 10:20] == 0).all() and (abs(page[:, 20:] - 127) <= 1).all()
    )


def test_png_palette_with_transparency_and_16_bit(tmp_path: Path) -> None:
    palette = Image.new("P", (4, 2))
    palette.putpalette([0, 0, 0, 200, 200, 200])
    palette.putpixel((0, 0), 1)
    palette.save(tmp_path / "p.png", transparency=0)  # index 0 (black) is transparent
    page = read(tmp_path / "p.png", inspect_file(tmp_path / "p.png", LIMITS, 300))
    assert page[0, 0] == 200 and (page[1] == 255).all()

    deep = np.array([[0, 0x8000, 0xFFFF]], dtype=np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    page = read(tmp_path / "deep.png", inspect_file(tmp_path / "deep.png", LIMITS, 300))
    assert page.tolist() == [[0, 128, 255]]  # scaled, not clipped at 255


def test_cmyk_jpeg_becomes_grey(tmp_path: Path) -> None:
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (16, 8), (0, 0, 0, 255)).save(path)
    page = read(path, inspect_file(path, LIMITS, 300))
    assert page.shape == (8, 16) and page.max() < 40


def test_content_decides_not_the_extension(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0042.PDF"
    Image.fromarray(marked_page()).save(path, format="JPEG")
    assert inspect_file(path, LIMITS, 300).media_type == JPEG


def test_owner_password_only_pdf_is_accepted(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "restricted.pdf", [(100, 100)])
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        no_copy = pikepdf.Permissions(extract=False, modify_other=False, print_highres=False)
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="secret", R=6, allow=no_copy))
    info = inspect_file(path, LIMITS, 72)
    assert info == SourceInfo(PDF, 1) and read(path, info).shape == (100, 100)


def test_pdf_with_broken_xref_that_pdfium_repairs_is_accepted(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "scanner.pdf", [(100, 100), (100, 100)])
    path.write_bytes(re.sub(rb"startxref\s+\d+", b"startxref\n999999", path.read_bytes()))
    info = inspect_file(path, LIMITS, 72)
    assert info.page_count == 2 and read(path, info, 2).shape == (100, 100)


def test_thousand_page_pdf_is_inspected_without_loading_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    single = write_pdf(tmp_path / "one.pdf", [(300, 400)], text="Vehicle sales contract")
    path = tmp_path / "long.pdf"
    with pikepdf.open(single) as source, pikepdf.new() as long:
        for _ in range(1000):
            long.pages.append(source.pages[0])
        long.save(path)

    def no_page_loading(*_: object) -> None:
        raise AssertionError("inspect_file loaded a page")

    with monkeypatch.context() as patched:
        patched.setattr(pages.pdfium.PdfDocument, "get_page", no_page_loading)
        info = inspect_file(path, LIMITS, 300)
    assert info == SourceInfo(PDF, 1000)
    assert read(path, info, 1000).shape == (400, 300)


# --- refusals -----------------------------------------------------------------------------------------------


def _cut(data: bytes, fraction: float = 0.6) -> bytes:
    return data[: int(len(data) * fraction)]


def _pdf_bytes(tmp_path: Path) -> bytes:
    return write_pdf(tmp_path / "src.pdf", [(200, 200)] * 3).read_bytes()


def _jpeg_bytes(_: Path) -> bytes:
    noise = np.random.default_rng(1).integers(0, 255, (120, 90), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, "JPEG")
    return buffer.getvalue()


def _png_bytes(_: Path) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.random.default_rng(2).integers(0, 255, (120, 90), dtype=np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _tiff_bytes(_: Path) -> bytes:
    return tiny_tiff([marked_page(), marked_page()])


def _docx_bytes(_: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", "<Types/>")
        docx.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _encrypt(tmp_path: Path, **encryption: object) -> bytes:
    path = write_pdf(tmp_path / "plain.pdf", [(100, 100)])
    with pikepdf.open(path) as pdf:
        pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(**encryption))  # type: ignore[arg-type]
    return (tmp_path / "locked.pdf").read_bytes()


REFUSED: list[tuple[str, str, Callable[[Path], bytes], type[BadInputError], str]] = [
    ("empty", "scan.pdf", lambda _: b"", EmptyFileError, "空"),
    ("zeros", "scan.pdf", lambda _: b"\x00" * 4096, CorruptFileError, "零字节"),
    (
        "html renamed .pdf",
        "invoice.pdf",
        lambda _: b"<!DOCTYPE html><html><body>404</body></html>",
        UnsupportedFormatError,
        "HTML",
    ),
    ("docx", "contract.pdf", _docx_bytes, UnsupportedFormatError, "Word"),
    ("text", "notes.pdf", lambda _: "客户名单\nline 2\n".encode(), UnsupportedFormatError, "文本"),
    (
        "random bytes",
        "scan.jpg",
        lambda _: np.random.default_rng(3).bytes(5000),
        UnsupportedFormatError,
        "无法识别",
    ),
    ("truncated pdf", "scan.pdf", lambda p: _cut(_pdf_bytes(p)), TruncatedFileError, "截断"),
    ("truncated jpeg", "scan.jpg", lambda p: _cut(_jpeg_bytes(p)), TruncatedFileError, "截断"),
    ("truncated png", "scan.png", lambda p: _cut(_png_bytes(p)), TruncatedFileError, "截断"),
    ("truncated tiff", "scan.tif", lambda p: _cut(_tiff_bytes(p), 0.9), TruncatedFileError, "截断"),
    (
        "tiff data cut, ifds intact",
        "scan.tif",
        lambda _: tiny_tiff([marked_page()], missing_bytes=10_000),
        TruncatedFileError,
        "截断",
    ),
    (
        "tiff without ifd",
        "scan.tif",
        lambda _: b"II*\x00\x00\x00\x00\x00" + b"\x00" * 64,
        CorruptFileError,
        "损坏",
    ),
    (
        "pdf garbage",
        "scan.pdf",
        lambda _: b"%PDF-1.4\n" + b"\x13\x37" * 500 + b"\n%%EOF\n",
        CorruptFileError,
        "损坏",
    ),
    ("png garbage", "scan.png", lambda _: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, CorruptFileError, "损坏"),
    (
        "jpeg without frame",
        "scan.jpg",
        lambda _: b"\xff\xd8\xff\xfe\x00\x04ab\xff\xd9",
        CorruptFileError,
        "损坏",
    ),
    (
        "tiff ifd loop",
        "scan.tif",
        lambda _: tiny_tiff([marked_page(), marked_page()], loop=True),
        CorruptFileError,
        "损坏",
    ),
    (
        "pdf user password aes",
        "locked.pdf",
        lambda p: _encrypt(p, user="u", owner="o", R=6),
        EncryptedFileError,
        "密码",
    ),
    (
        "pdf user password rc4",
        "locked.pdf",
        lambda p: _encrypt(p, user="u", owner="o", R=4, aes=False, metadata=False),
        EncryptedFileError,
        "密码",
    ),
    (
        "png claims 100k x 100k",
        "scan.png",
        lambda _: png_claiming(100_000, 100_000),
        ImageTooLargeError,
        "像素",
    ),
    (
        "tiff frame claims 100k x 100k",
        "scan.tif",
        lambda _: tiny_tiff([marked_page()], claimed=(100_000, 100_000)),
        ImageTooLargeError,
        "像素",
    ),
]


@pytest.mark.parametrize(("name", "filename", "make", "error", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_bad_input_is_refused_with_a_reason(
    tmp_path: Path,
    name: str,
    filename: str,
    make: Callable[[Path], bytes],
    error: type[BadInputError],
    words: str,
) -> None:
    path = tmp_path / filename
    path.write_bytes(make(tmp_path))
    with pytest.raises(error) as caught:
        inspect_file(path, LIMITS, 300)
    refused = caught.value
    assert type(refused) is error and refused.code == error.code
    assert CJK.search(refused.reason_zh) and refused.reason_en
    assert words in refused.reason_zh + refused.reason_en
    assert (
        filename not in refused.reason_zh + refused.reason_en + refused.detail
    )  # names may hold personal data


def test_unsupported_reason_says_the_extension_lies(tmp_path: Path) -> None:
    path = tmp_path / "发票.pdf"
    path.write_text("<html><head><title>Error</title></head></html>")
    with pytest.raises(UnsupportedFormatError) as caught:
        inspect_file(path, LIMITS, 300)
    assert ".pdf" in caught.value.reason_zh and "网页" in caught.value.reason_zh


def test_error_codes_are_distinct() -> None:
    classes = [
        EmptyFileError,
        UnsupportedFormatError,
        CorruptFileError,
        TruncatedFileError,
        EncryptedFileError,
        FileTooLargeError,
        TooManyPagesError,
        ImageTooLargeError,
    ]
    assert len({cls.code for cls in classes}) == len(classes)


def test_file_above_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024 // 2))
    with pytest.raises(FileTooLargeError) as caught:
        inspect_file(path, IntakeSettings(max_file_mb=1), 300)
    assert "DANGAN_INTAKE__MAX_FILE_MB" in caught.value.reason_zh


def test_pdf_above_page_limit(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "long.pdf", [(100, 100)] * 3)
    with pytest.raises(TooManyPagesError) as caught:
        inspect_file(path, IntakeSettings(max_pages=2), 300)
    assert "DANGAN_INTAKE__MAX_PAGES" in caught.value.reason_zh
    assert "3" in caught.value.reason_zh and "2" in caught.value.reason_zh


def test_tiff_above_frame_limit_is_refused_before_decoding(tmp_path: Path) -> None:
    path = write_tiff_frames(tmp_path / "many.tif", [marked_page()] * 5)
    with pytest.raises(TooManyPagesError) as caught:
        inspect_file(path, IntakeSettings(max_tiff_frames=3), 300)
    assert "DANGAN_INTAKE__MAX_TIFF_FRAMES" in caught.value.reason_zh
    with pytest.raises(TooManyPagesError):
        inspect_file(path, IntakeSettings(max_pages=4), 300)


def test_pdf_page_too_large_at_dpi_is_refused_before_rasterising(tmp_path: Path) -> None:
    path = tmp_path / "bomb.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(72 * 200, 72 * 200))  # 200 × 200 inches: 3.6e9 pixels at 300 dpi
        pdf.save(path)
    with pytest.raises(ImageTooLargeError) as caught:
        inspect_file(path, LIMITS, 300)
    assert "300 dpi" in caught.value.reason_zh
    assert re.search(r"60,00\d×60,00\d 像素", caught.value.reason_zh)  # ceil() as pypdfium2 rounds
    with pytest.raises(ImageTooLargeError):  # the worker checks again, before allocating the bitmap
        load_page_image(path, PDF, 1, dpi=300, limits=LIMITS)
    assert inspect_file(path, LIMITS, 10).page_count == 1  # the same page is fine at a low dpi


def test_pdf_embedded_image_bomb_is_refused_before_rendering(tmp_path: Path) -> None:
    path = pdf_with_image(tmp_path / "bomb.pdf", 60_000, 60_000)
    info = inspect_file(path, LIMITS, 300)  # page size is harmless; the image is seen when the page is parsed
    with pytest.raises(ImageTooLargeError) as caught:
        read(path, info, dpi=300)
    assert "嵌入" in caught.value.reason_zh
    assert read(pdf_with_image(tmp_path / "fine.pdf", 8, 8), info).shape == (72, 72)


def test_pixel_bomb_refused_on_load_too(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(100_000, 100_000))
    with pytest.raises(ImageTooLargeError):
        load_page_image(path, PNG, 1, dpi=300, limits=LIMITS)
    path.write_bytes(png_claiming(2_000, 2_000))  # between the limit and twice it: Pillow only warns
    with pytest.raises(ImageTooLargeError):
        load_page_image(path, PNG, 1, dpi=300, limits=IntakeSettings(max_page_pixels=3_000_000))


def test_truncated_images_fail_on_load_even_if_someone_allowed_truncation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    for name, data, media_type in (
        ("a.png", _png_bytes(tmp_path), PNG),
        ("a.jpg", _jpeg_bytes(tmp_path), JPEG),
    ):
        path = tmp_path / name
        path.write_bytes(_cut(data, 0.7))
        with pytest.raises(CorruptFileError):
            load_page_image(path, media_type, 1, dpi=300, limits=LIMITS)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # restored for whoever set it


def test_pillow_globals_are_left_as_found(tmp_path: Path) -> None:
    path = tmp_path / "a.png"
    Image.fromarray(marked_page()).save(path)
    pixels_before, filters_before = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    read(path, inspect_file(path, IntakeSettings(max_page_pixels=1_000_000), 300))
    assert Image.MAX_IMAGE_PIXELS == pixels_before and warnings.filters == filters_before


def test_caller_errors_are_not_bad_input(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):  # gone: retry or bug, never quarantine
        inspect_file(tmp_path / "missing.pdf", LIMITS, 300)
    path = write_pdf(tmp_path / "two.pdf", [(100, 100)] * 2)
    with pytest.raises(IndexError):
        load_page_image(path, PDF, 3, dpi=72, limits=LIMITS)
    with pytest.raises(ValueError):
        load_page_image(path, PDF, 0, dpi=72, limits=LIMITS)
    png = tmp_path / "a.png"
    Image.fromarray(marked_page()).save(png)
    with pytest.raises(IndexError):
        load_page_image(png, PNG, 2, dpi=72, limits=LIMITS)
