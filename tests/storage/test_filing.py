"""Filing a document: its lossless original, page images, searchable PDF, manifest and dossier objects."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw, ImageFont

from corpus.textdiff import cer
from dangan.errors import ImageTooLargeError
from dangan.records import OcrLine, TextSource
from storage import filing
from storage.filing import (
    DocumentManifest,
    DocumentObjects,
    ManifestPage,
    ScanPage,
    delete_dossier_objects,
    document_manifest,
    extract_document_original,
    move_dossier_objects,
    read_manifest,
    render_page_image,
    render_thumbnail,
    searchable_pdf,
    write_dossier_objects,
)
from storage.objects import LocalObjectStore, ObjectStore, original_key

CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DPI = 150

# Han, full-width punctuation, digits, Latin, a one-character line, and a name character beyond the BMP.
LINES = [
    "汽车销售合同",
    "合同编号：HT202405-0087",
    "买受人（乙方）：张三 身份证号码：330106199001011234",
    "车架号（VIN）：LSVAB2BM5KN123456 联系电话：13800138000",
    "Vehicle price: CNY 199,000.00",
    "印",
    "签名：吉𠮷",
]


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects")


def _put_intake(store: ObjectStore, data: bytes) -> str:
    key = original_key(hashlib.sha256(data).hexdigest())
    store.put_bytes(key, data, immutable=True)
    return key


def _noise_page(seed: int, size: tuple[int, int] = (300, 400), mode: str = "L") -> Image.Image:
    """A small page whose pixels differ from page to page (a JPEG of it cannot be confused with another's)."""
    rng = np.random.default_rng(seed)
    grey = rng.integers(0, 256, size=(size[1], size[0]), dtype=np.uint8)
    image = Image.fromarray(grey)
    ImageDraw.Draw(image).text((20, 20), f"page {seed}", fill=0)
    return image.convert(mode) if mode != "L" else image


def _text_page(lines: list[str], size: tuple[int, int] = (1240, 900)) -> tuple[Image.Image, list[OcrLine]]:
    """A clean page with `lines` drawn in a CJK font, and OCR lines with their exact boxes."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(CJK_FONT, 30)
    ocr = []
    for number, text in enumerate(lines):
        origin = (80, 60 + 70 * number)
        draw.text(origin, text, font=font, fill=0)
        ocr.append(OcrLine(text, 0.95, draw.textbbox(origin, text, font=font)))
    return image, ocr


def _image_streams(page: pikepdf.Page) -> list[bytes]:
    return [x.read_raw_bytes() for x in page.Resources.XObject.values() if x.get("/Subtype") == "/Image"]


# --- document originals ---------------------------------------------------------------------------------


def test_pdf_pages_are_copied_with_their_image_streams_untouched(store: LocalObjectStore) -> None:
    pages = [_noise_page(n) for n in (1, 2, 3)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    intake = _put_intake(store, buffer.getvalue())

    media_type = extract_document_original(store, intake, filing.PDF, [2, 3], "originals/documents/7")

    assert media_type == "application/pdf"
    with pikepdf.open(io.BytesIO(store.get_bytes(intake))) as src:
        with pikepdf.open(io.BytesIO(store.get_bytes("originals/documents/7"))) as doc:
            assert len(doc.pages) == 2
            assert _image_streams(doc.pages[0]) == _image_streams(src.pages[1])
            assert _image_streams(doc.pages[1]) == _image_streams(src.pages[2])
            assert _image_streams(src.pages[0])[0] not in store.get_bytes("originals/documents/7")


def test_pdf_copy_leaves_out_other_pages_shared_resources_and_links(store: LocalObjectStore) -> None:
    """Scanner software may give all pages one resource dictionary: pages 2-3 must not carry pages 1 and 4."""
    pdf = pikepdf.new()
    images = {}
    for n in range(4):
        jpeg = io.BytesIO()
        _noise_page(10 + n, (60, 80)).save(jpeg, "JPEG")
        images[f"/Im{n}"] = pdf.make_stream(
            jpeg.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=60, Height=80,
            ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode,
        )  # fmt: skip
    for n in range(4):
        content = pdf.make_stream(f"q 60 0 0 80 0 0 cm /Im{n} Do Q".encode())
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, Contents=content)))
    # Inherited by every page from the page tree: one resource dictionary, the media box, the rotation.
    pdf.Root.Pages.Resources = pdf.make_indirect(pikepdf.Dictionary(XObject=pikepdf.Dictionary(images)))
    pdf.Root.Pages.MediaBox = pikepdf.Array([0, 0, 60, 80])
    pdf.Root.Pages.Rotate = 90
    links = [
        pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([0, 0, 10, 10]),
            Dest=pikepdf.Array([pdf.pages[target].obj, pikepdf.Name.Fit]),
        ))
        for target in (0, 2)  # to page 1, which stays behind, and to page 3, which comes along
    ]  # fmt: skip
    pdf.pages[1].Annots = pdf.make_indirect(pikepdf.Array(links))
    buffer = io.BytesIO()
    pdf.save(buffer)
    intake = _put_intake(store, buffer.getvalue())

    extract_document_original(store, intake, filing.PDF, [2, 3], "originals/documents/8")

    data = store.get_bytes("originals/documents/8")
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert len(doc.pages) == 2
        first, second = doc.pages
        assert first.Rotate == 90 and list(first.MediaBox) == [0, 0, 60, 80]
        assert list(first.Resources.XObject.keys()) == ["/Im1"]
        assert list(second.Resources.XObject.keys()) == ["/Im2"]
        streams = [o for o in doc.objects if isinstance(o, pikepdf.Stream)]
        assert sum(1 for o in streams if o.get("/Subtype") == "/Image") == 2
        pages = [o for o in doc.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Page"]
        assert len(pages) == 2
        to_first, to_third = first.Annots
        assert to_first.Dest[0] is None  # nowhere to go: the page is another document's
        assert to_third.Dest[0].objgen == second.obj.objgen
    rendered = pdfium.PdfDocument(data)[0].render(scale=1).to_numpy()
    assert rendered.shape[:2] == (60, 80)  # turned by the inherited /Rotate


def _tiff(frames: list[Image.Image], compressions: list[str], **options: object) -> bytes:
    for frame, compression in zip(frames, compressions, strict=True):
        frame.encoderinfo = {"compression": compression}
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], **options)
    return buffer.getvalue()


def _frames(data: bytes) -> list[np.ndarray]:
    out = []
    with Image.open(io.BytesIO(data)) as image:
        for index in range(image.n_frames):
            image.seek(index)
            out.append(np.array(image))
    return out


def _srgb() -> bytes:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


# Each case: a factory of the frames, their compressions, and save options (built per test, not at import).
TIFF_CASES = [
    pytest.param(
        lambda: [_noise_page(1).convert("1"), _noise_page(2), _noise_page(3)],
        ["group4", "tiff_lzw", "jpeg"],
        lambda: {"dpi": (200, 200)},
        id="bilevel-g4-lzw-jpeg",
    ),
    pytest.param(  # tags that must survive: orientation (pages stored turned) and the colour profile
        lambda: [_noise_page(n, mode="RGB") for n in (1, 2, 3)],
        ["tiff_lzw"] * 3,
        lambda: {"tiffinfo": {274: 6}, "icc_profile": _srgb()},
        id="orientation-icc",
    ),
    pytest.param(  # big-endian, 16 bits a sample: the pixel bytes themselves have a byte order
        lambda: [
            Image.fromarray(np.array(_noise_page(n), dtype=np.uint16) * 257).convert("I;16B")
            for n in (4, 5, 6)
        ],
        ["raw"] * 3,
        dict,
        id="big-endian-16bit",
    ),
    pytest.param(
        lambda: [_noise_page(n) for n in (7, 8, 9)], ["raw"] * 3, lambda: {"big_tiff": True}, id="bigtiff"
    ),
]


@pytest.mark.parametrize("frames, compressions, options", TIFF_CASES)
def test_tiff_frames_are_copied_as_they_are(
    store: LocalObjectStore,
    frames: Callable[[], list[Image.Image]],
    compressions: list[str],
    options: Callable[[], dict[str, object]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = _tiff(frames(), compressions, **options())
    intake = _put_intake(store, source)

    with caplog.at_level(logging.WARNING, logger="storage.filing"):
        assert (
            extract_document_original(store, intake, filing.TIFF, [1, 3], "originals/documents/9")
            == filing.TIFF
        )

    assert not caplog.records  # copied, not re-encoded
    copied = store.get_bytes("originals/documents/9")
    assert copied[:4] == source[:4]  # same byte order and flavour (classic or BigTIFF)
    before, after = _frames(source), _frames(copied)
    assert len(after) == 2
    assert np.array_equal(after[0], before[0]) and np.array_equal(after[1], before[2])
    with Image.open(io.BytesIO(source)) as a, Image.open(io.BytesIO(copied)) as b:
        a.seek(2)
        b.seek(1)
        strip = (a.tag_v2[273][0], a.tag_v2[279][0])
        copy = (b.tag_v2[273][0], b.tag_v2[279][0])
        assert source[strip[0] : strip[0] + strip[1]] == copied[copy[0] : copy[0] + copy[1]]
        assert a.tag_v2.get(259) == b.tag_v2.get(259)
        assert (a.tag_v2.get(274), a.tag_v2.get(34675)) == (b.tag_v2.get(274), b.tag_v2.get(34675))


def test_tiff_frames_the_copier_refuses_are_re_encoded_without_losing_a_pixel(
    store: LocalObjectStore, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    source = _tiff([_noise_page(1).convert("1"), _noise_page(2), _noise_page(3)], ["tiff_adobe_deflate"] * 3)
    intake = _put_intake(store, source)

    # Fault injection: the copier refuses the intake file, as it does old-style JPEG. Re-encoding joins its
    # one-frame TIFFs with the same copier, so only the first call fails.
    original_frames = filing._TiffReader.frames
    calls = {"n": 0}

    def refuse_first(self: filing._TiffReader, page_nos: list[int]) -> list[object]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise filing._TiffCopyError("old-style JPEG compression")
        return original_frames(self, page_nos)

    monkeypatch.setattr(filing._TiffReader, "frames", refuse_first)
    with caplog.at_level(logging.WARNING, logger="storage.filing"):
        extract_document_original(store, intake, filing.TIFF, [1, 3], "originals/documents/10")

    assert "re-encoded" in caplog.text and "old-style JPEG" in caplog.text
    copied = store.get_bytes("originals/documents/10")
    before, after = _frames(source), _frames(copied)
    assert len(after) == 2
    assert np.array_equal(after[0], before[0]) and np.array_equal(after[1], before[2])
    with Image.open(io.BytesIO(copied)) as image:
        assert image.info["compression"] == "group4"  # bilevel frames stay G4
        image.seek(1)
        assert image.info["compression"] == "tiff_adobe_deflate"


def test_a_tiff_frame_beyond_the_pixel_limit_is_refused(store: LocalObjectStore) -> None:
    intake = _put_intake(store, _tiff([_noise_page(1), _noise_page(2)], ["tiff_lzw"] * 2))

    with pytest.raises(ImageTooLargeError):
        extract_document_original(
            store, intake, filing.TIFF, [2], "originals/documents/15", max_page_pixels=10_000
        )
    assert not store.exists("originals/documents/15")


@pytest.mark.parametrize("fmt, media_type", [("JPEG", filing.JPEG), ("PNG", filing.PNG)])
def test_single_images_are_kept_byte_for_byte(store: LocalObjectStore, fmt: str, media_type: str) -> None:
    buffer = io.BytesIO()
    _noise_page(4).save(buffer, fmt)
    intake = _put_intake(store, buffer.getvalue())

    assert extract_document_original(store, intake, media_type, [1], "originals/documents/11") == media_type
    assert store.get_bytes("originals/documents/11") == buffer.getvalue()
    with pytest.raises(IndexError):
        extract_document_original(store, intake, media_type, [2], "originals/documents/12")


def test_extraction_is_immutable_and_a_retry_is_a_no_op(store: LocalObjectStore) -> None:
    pages = [_noise_page(n) for n in (1, 2)]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:])
    intake = _put_intake(store, buffer.getvalue())
    extract_document_original(store, intake, filing.PDF, [1], "originals/documents/13")
    first = store.get_bytes("originals/documents/13")

    extract_document_original(store, intake, filing.PDF, [1], "originals/documents/13")

    assert store.get_bytes("originals/documents/13") == first
    assert (store.root / "originals/documents/13").stat().st_mode & 0o222 == 0
    with pytest.raises(ValueError):
        extract_document_original(store, intake, filing.PDF, [1, 1], "originals/documents/14")
    with pytest.raises(IndexError):
        extract_document_original(store, intake, filing.PDF, [3], "originals/documents/14")
    assert not store.exists("originals/documents/14")


# --- page images -----------------------------------------------------------------------------------------


def test_page_images_are_shrunk_never_enlarged_and_keep_grey_or_colour() -> None:
    grey = np.full((2400, 1700), 255, dtype=np.uint8)
    page = Image.open(io.BytesIO(render_page_image(grey)))
    thumb = Image.open(io.BytesIO(render_thumbnail(grey)))
    small = Image.open(io.BytesIO(render_page_image(np.zeros((100, 80), dtype=np.uint8))))
    colour = Image.open(io.BytesIO(render_thumbnail(Image.new("RGBA", (600, 800), (200, 0, 0, 255)))))

    assert (page.format, page.mode, page.size) == ("JPEG", "L", (1417, 2000))
    assert thumb.size == (212, 300)
    assert small.size == (80, 100)
    assert colour.mode == "RGB" and colour.size == (225, 300)


# --- the searchable PDF ----------------------------------------------------------------------------------


def test_searchable_pdf_text_extracts_and_the_page_looks_like_the_scan() -> None:
    scan, lines = _text_page(LINES)
    jpeg = render_page_image(scan, max_side=1000)  # smaller than the page OCR read, as in production

    pdf = searchable_pdf([ScanPage(jpeg, scan.width, scan.height, lines)], dpi=DPI)

    truth = "\n".join(LINES)
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[0]
        assert (page.width, page.height) == pytest.approx((scan.width * 72 / DPI, scan.height * 72 / DPI))
        text = page.extract_text()
        assert cer(text, truth) <= 0.05
        assert [t for t in text.split("\n")] == LINES  # each line whole, in reading order
        # Selection boxes sit on the scan's letters: the line's characters span its box.
        left, top, right, bottom = lines[3].box
        chars = [c for c in page.chars if abs(c["top"] - top * 72 / DPI) < 0.5]
        assert "".join(c["text"] for c in chars) == LINES[3]
        assert chars[0]["x0"] == pytest.approx(left * 72 / DPI, abs=0.5)
        assert chars[-1]["x1"] == pytest.approx(right * 72 / DPI, abs=0.5)
        assert chars[0]["bottom"] == pytest.approx(bottom * 72 / DPI, abs=0.5)
    document = pdfium.PdfDocument(pdf)
    assert cer(document[0].get_textpage().get_text_range(), truth) <= 0.05  # Chrome's viewer engine
    rendered = document[0].render(scale=DPI / 72, grayscale=True).to_numpy()
    rendered = rendered[: scan.height, : scan.width, 0] if rendered.ndim == 3 else rendered
    rendered = rendered[: scan.height, : scan.width]
    difference = np.abs(rendered.astype(int) - np.asarray(scan, dtype=int))
    assert difference.mean() < 4  # the invisible text paints nothing; JPEG and scaling blur a little


def test_searchable_pdf_mixes_scans_with_born_digital_pages_of_the_original() -> None:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=(300, 200))
    sheet.drawString(20, 100, "Electronic invoice No. 0123456789")
    sheet.showPage()
    sheet.save()
    scan, lines = _text_page(LINES[:2], size=(600, 300))

    pdf = searchable_pdf(
        [1, (render_page_image(scan), 600, 300, lines)], dpi=DPI, original_pdf=buffer.getvalue()
    )

    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) == 2
        assert "Electronic invoice No. 0123456789" in doc.pages[0].extract_text()
        assert cer(doc.pages[1].extract_text(), "\n".join(LINES[:2])) <= 0.05


def test_searchable_pdf_refuses_an_image_that_is_not_the_ocr_d_page() -> None:
    scan, lines = _text_page(LINES[:1], size=(600, 300))
    turned = render_page_image(scan.rotate(90, expand=True))

    with pytest.raises(ValueError, match="shape"):
        searchable_pdf([(turned, 600, 300, lines)], dpi=DPI)


# --- manifest and dossier objects ------------------------------------------------------------------------


def _manifest(objects: DocumentObjects, pages: int = 2) -> DocumentManifest:
    return DocumentManifest(
        document_id=17,
        archive_no=objects.document_archive_no,
        dossier_archive_no=objects.dossier_archive_no,
        customer_no="KH000123",
        doc_type="contract",
        created_at=datetime(2025, 5, 1, 16, 30, tzinfo=UTC),
        original_key="originals/documents/17",
        original_sha256="ab" * 32,
        original_media_type=filing.PDF,
        pdf_key=objects.pdf,
        pages=tuple(
            ManifestPage(
                page_no=n,
                intake_sha256="cd" * 32,
                source_page_no=n + 2,
                image_key=objects.page(n),
                thumb_key=objects.thumb(n),
                text_source=TextSource.OCR,
                ocr_engine="rapidocr",
                ocr_confidence=0.91,
                skew=0.4,
                width=1654,
                height=2339,
            )
            for n in range(1, pages + 1)
        ),
    )


def test_manifest_round_trips_and_holds_no_page_text() -> None:
    objects = DocumentObjects("DA-2025-000123", "DA-2025-000123-HT-01")
    manifest = _manifest(objects)

    data = document_manifest(manifest)

    parsed = json.loads(data)
    assert parsed["schema"] == filing.MANIFEST_SCHEMA
    assert parsed["created_at"] == "2025-05-01T16:30:00Z"
    assert parsed["pages"][1]["source_page_no"] == 4 and parsed["pages"][1]["text_source"] == "ocr"
    assert not {"text", "lines"} & {key for page in parsed["pages"] for key in page}
    assert read_manifest(data) == manifest
    with pytest.raises(ValueError):
        document_manifest(dataclasses.replace(manifest, created_at=datetime(2025, 5, 1)))  # no time zone


def test_document_objects_name_keys_by_archive_number() -> None:
    objects = DocumentObjects("DA-2025-000123", "DA-2025-000123-HT-01")

    assert objects.pdf == "dossiers/DA-2025-000123/DA-2025-000123-HT-01/document.pdf"
    assert objects.page(1) == "dossiers/DA-2025-000123/DA-2025-000123-HT-01/pages/0001.jpg"
    assert objects.thumb(12) == "dossiers/DA-2025-000123/DA-2025-000123-HT-01/thumbs/0012.jpg"
    assert objects.manifest.endswith("/manifest.json")
    for bad in ("档案-2025-1", "DA/2025", "..", ".tmp-1", ""):
        with pytest.raises(ValueError):
            DocumentObjects(bad, "X-1")


def _write(store: ObjectStore, objects: DocumentObjects, pages: int) -> list[str]:
    return write_dossier_objects(
        store,
        objects,
        pdf=b"%PDF-1.7 stand-in",
        pages=[f"page {n}".encode() for n in range(pages)],
        thumbs=[f"thumb {n}".encode() for n in range(pages)],
        manifest=document_manifest(_manifest(objects, pages)),
    )


def test_write_rewrite_move_and_delete_leave_no_orphan_keys(store: LocalObjectStore) -> None:
    store.put_bytes("originals/documents/17", b"the original", immutable=True)
    old = DocumentObjects("DA-2025-000001", "DA-2025-000001-HT-01")
    new = DocumentObjects("DA-2025-000002", "DA-2025-000002-HT-01")
    neighbour = DocumentObjects("DA-2025-000001", "DA-2025-000001-FP-01")
    _write(store, neighbour, 1)

    _write(store, old, 3)
    written = _write(store, old, 2)  # the document lost a page on review: its third page must go

    assert sorted(store.keys(old.prefix)) == sorted(written)
    assert written[-1] == old.manifest

    moved = move_dossier_objects(store, old, new, manifest=document_manifest(_manifest(new, 2)))

    assert list(store.keys(old.prefix)) == []
    assert sorted(store.keys(new.prefix)) == sorted(moved)
    assert store.get_bytes(new.page(2)) == b"page 1"
    assert read_manifest(store.get_bytes(new.manifest)).dossier_archive_no == "DA-2025-000002"

    assert sorted(delete_dossier_objects(store, new)) == sorted(moved)
    assert sorted(delete_dossier_objects(store, "dossiers/DA-2025-000001/")) == sorted(
        [neighbour.page(1), neighbour.thumb(1), neighbour.pdf, neighbour.manifest]
    )
    assert list(store.keys("dossiers/")) == []
    assert store.exists("originals/documents/17")  # originals go only through approved destruction
    for prefix in ("originals/", "dossiers/DA-2025-000001", "dossiers/", "dossiers/a/b/c/"):
        with pytest.raises(ValueError):
            delete_dossier_objects(store, prefix)


class _FailingDeletes:
    """Fault injection: a store whose deletes fail after `allowed` of them, as a crash mid-move would."""

    def __init__(self, inner: ObjectStore, allowed: int) -> None:
        self.inner, self.allowed = inner, allowed

    def delete(self, key: str) -> None:
        if self.allowed == 0:
            raise OSError("simulated crash")
        self.allowed -= 1
        self.inner.delete(key)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_an_interrupted_move_is_finished_by_calling_it_again(store: LocalObjectStore) -> None:
    old = DocumentObjects("DA-2025-000001", "DA-2025-000001-HT-01")
    new = DocumentObjects("DA-2025-000002", "DA-2025-000002-HT-01")
    _write(store, old, 2)
    manifest = document_manifest(_manifest(new, 2))

    with pytest.raises(OSError, match="simulated crash"):
        move_dossier_objects(_FailingDeletes(store, allowed=1), old, new, manifest=manifest)  # type: ignore[arg-type]
    assert not store.exists(old.manifest)  # the manifest went first: the old place reads as incomplete

    moved = move_dossier_objects(store, old, new, manifest=manifest)

    assert list(store.keys(old.prefix)) == []
    assert sorted(store.keys(new.prefix)) == sorted(moved) and len(moved) == 6
