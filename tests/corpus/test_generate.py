"""generate() writes readable files whose pages match truth.jsonl, deterministically."""

from __future__ import annotations

import csv
import difflib
import json
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageOps

from corpus import DOC_TYPES, FORMATS, IDENTIFIER_KINDS, generate, read_truth
from corpus import identifiers as ids
from corpus.__main__ import main

SEED = 11


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, seed=SEED, customers=3, dpi=100)
    return out


def _page_count(path: Path) -> int:
    if path.suffix.lower() == ".pdf":
        doc = pdfium.PdfDocument(str(path))
        try:
            return len(doc)
        finally:
            doc.close()
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def _norm(s: str) -> str:
    return re.sub(r"[\s\-·]", "", s)


def test_files_open_and_page_counts_match_truth(corpus_dir: Path) -> None:
    truth = read_truth(corpus_dir / "truth.jsonl")
    by_file: dict[str, list[int]] = {}
    for t in truth:
        by_file.setdefault(t.file, []).append(t.page)
    written = {p.name for p in corpus_dir.iterdir()} - {"truth.jsonl", "customers.csv", "dealer.json"}
    assert written == set(by_file)
    for name, pages in by_file.items():
        assert pages == list(range(1, len(pages) + 1)), name
        assert _page_count(corpus_dir / name) == len(pages), name
        if name.lower().endswith((".jpg", ".png", ".tif", ".tiff")):
            with Image.open(corpus_dir / name) as im:
                im.load()


def test_every_format_is_written(corpus_dir: Path) -> None:
    truth = read_truth(corpus_dir / "truth.jsonl")
    suffixes = {Path(t.file).suffix.lower() for t in truth}
    assert {".pdf", ".jpg", ".png"} <= suffixes and suffixes & {".tif", ".tiff"}
    assert any(t.text_layer for t in truth) and any(not t.text_layer for t in truth)
    assert any(Path(t.file).name.startswith(("batch_", "批量扫描")) for t in truth)
    batch = [t for t in truth if t.file.startswith(("batch_", "批量扫描"))]
    assert len({t.customer_no for t in batch if t.doc_type != "blank"}) >= 2  # None: a walk-in's papers


def test_truth_fields(corpus_dir: Path) -> None:
    truth = read_truth(corpus_dir / "truth.jsonl")
    customers = {
        row["customer_no"] for row in csv.DictReader((corpus_dir / "customers.csv").open(encoding="utf-8"))
    }
    docs: dict[str, set[str | None]] = {}
    for t in truth:
        assert t.doc_type in DOC_TYPES and t.lang in ("zh", "en")
        assert t.rotation in (0, 90, 180, 270)
        assert re.fullmatch(r"D\d{4}", t.document_id)
        assert t.customer_no is None or t.customer_no in customers
        assert set(IDENTIFIER_KINDS) <= set(t.identifiers)
        docs.setdefault(t.document_id, set()).add(t.customer_no)
        if t.doc_type == "blank":
            assert t.text == "" and not any(t.identifiers.values())
            continue
        assert t.text.strip()
        flat = _norm(t.text)
        for kind, values in t.identifiers.items():
            for v in values:
                assert _norm(v) in flat, (t.file, t.page, kind, v)
        assert all(ids.is_valid_id_number(v) for v in t.identifiers["id_number"])
        assert all(ids.is_valid_uscc(v) for v in t.identifiers["uscc"])
        assert all(ids.is_valid_phone(v) for v in t.identifiers["phone"])
        assert all(ids.vin_status(v) != "invalid" for v in t.identifiers["vin"])
    assert all(len(owners) == 1 for owners in docs.values())  # pages of one document share its customer
    kinds = {t.doc_type for t in truth}
    assert {"contract", "invoice", "id_copy", "inspection_sheet"} <= kinds


def test_register_and_dealer(corpus_dir: Path) -> None:
    rows = list(csv.DictReader((corpus_dir / "customers.csv").open(encoding="utf-8")))
    assert list(rows[0]) == [
        "customer_no",
        "name",
        "type",
        "id_number",
        "uscc",
        "phone",
        "vin",
        "plate",
        "dossier_type",
        "delivery_date",
        "department",
        "salesperson",
    ]
    for r in rows:
        assert ids.is_valid_customer_no(r["customer_no"]) and r["type"] in ("person", "company")
        assert (
            ids.is_valid_id_number(r["id_number"]) if r["type"] == "person" else ids.is_valid_uscc(r["uscc"])
        )
        assert ids.vin_status(r["vin"]) != "invalid"
    dealer = json.loads((corpus_dir / "dealer.json").read_text(encoding="utf-8"))
    assert ids.is_valid_uscc(dealer["uscc"]) and dealer["name"]


def test_text_layer_matches_truth(corpus_dir: Path) -> None:
    truth = [t for t in read_truth(corpus_dir / "truth.jsonl") if t.text_layer]
    assert truth
    for t in truth:
        doc = pdfium.PdfDocument(str(corpus_dir / t.file))
        text = doc[t.page - 1].get_textpage().get_text_range()
        doc.close()
        a, b = re.sub(r"\s+", "", text), re.sub(r"\s+", "", t.text)
        assert difflib.SequenceMatcher(None, a, b, autojunk=False).ratio() > 0.97, (t.file, t.page)


def test_exif_orientation_makes_jpeg_upright(corpus_dir: Path) -> None:
    for t in read_truth(corpus_dir / "truth.jsonl"):
        if t.file.lower().endswith(".jpg"):
            with Image.open(corpus_dir / t.file) as im:
                upright = ImageOps.exif_transpose(im)
                turned = t.rotation in (90, 270) and t.exif_orientation is None
                assert (upright.width > upright.height) == turned


def test_same_seed_same_truth(corpus_dir: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=SEED, customers=3, dpi=100)
    assert (tmp_path / "truth.jsonl").read_bytes() == (corpus_dir / "truth.jsonl").read_bytes()
    assert (tmp_path / "customers.csv").read_bytes() == (corpus_dir / "customers.csv").read_bytes()
    for f in sorted(corpus_dir.iterdir()):
        assert (tmp_path / f.name).read_bytes() == f.read_bytes(), f.name


def test_file_count_and_formats(tmp_path: Path) -> None:
    m = generate(tmp_path / "a", seed=3, customers=2, files=3, formats=("pdf", "text_pdf"), dpi=72)
    assert len(m.files) == 3 and {f.format for f in m.files} <= {"pdf", "text_pdf"}
    assert sum(f.pages for f in m.files) == len(m.pages)
    m = generate(tmp_path / "b", seed=3, customers=1, formats=("jpeg",), dpi=72)
    assert all(f.format == "jpeg" and f.pages == 1 for f in m.files)
    with pytest.raises(ValueError):
        generate(tmp_path / "c", formats=("docx",))
    assert set(FORMATS) == {"pdf", "tiff", "jpeg", "png", "text_pdf", "batch_pdf"}


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main([str(tmp_path), "--seed", "2", "--customers", "1", "--formats", "text_pdf,pdf", "--dpi", "72"])
        == 0
    )
    out = capsys.readouterr().out
    assert "files" in out and (tmp_path / "truth.jsonl").exists()
    assert main([str(tmp_path), "--formats", "doc"]) == 2
