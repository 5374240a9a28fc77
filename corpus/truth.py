"""Ground truth records: one PageTruth per page (truth.jsonl), one FileEntry per file, and the manifest."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["IDENTIFIER_KINDS", "CorpusManifest", "FileEntry", "PageTruth", "read_truth", "write_truth"]

#: Keys of PageTruth.identifiers; every key is always present, possibly with an empty list.
IDENTIFIER_KINDS = ("id_number", "uscc", "vin", "phone", "plate")


@dataclass(frozen=True, slots=True)
class PageTruth:
    """What is known about one generated page.

    Attributes:
        file: file name relative to the corpus directory ('' for pages made by render_page).
        page: 1-based page (or frame) number within the file.
        doc_type: contract | invoice | id_copy | inspection_sheet | other | blank.
        lang: 'zh' or 'en' (the main language; Chinese documents carry Latin codes and vice versa).
        customer_no: the register key of the customer whose dossier the page belongs to; None for pages of
            people not in the register and for standalone blank sheets. A duplex back belongs to its sheet's
            document and customer.
        document_id: 'D0001'...: pages of one paper document share it, also across files.
        rotation: clockwise degrees the content is turned in the stored pixels (0/90/180/270); rotating the
            image counter-clockwise by this much makes it upright. See exif_orientation for JPEGs.
        text: horizontal printed text in reading order, lines joined by '\\n'. Seal text, signatures,
            handwriting and diagonal overprints are left out.
        identifiers: canonical values (plates without separator, phones as 11 digits) of the identifiers
            printed on the page, by kind; the dealer's own (see dealer.json) are included when printed.
        text_layer: True for born-digital pages whose PDF text layer holds `text`.
        template: the template that drew the page, e.g. 'invoice.motor'.
        quality: clean | normal | bad for scans; 'digital' for text-layer pages.
        mode: color | grey | bw for scans; 'vector' for text-layer pages.
        dpi: scan resolution (0 for text-layer pages).
        skew: clockwise skew in degrees added by the scan.
        exif_orientation: the EXIF Orientation tag written into a JPEG, if any; applying it (e.g.
            PIL.ImageOps.exif_transpose) makes the image upright.
    """

    file: str
    page: int
    doc_type: str
    lang: str
    customer_no: str | None
    document_id: str
    rotation: int
    text: str
    identifiers: dict[str, list[str]]
    text_layer: bool
    template: str = ""
    quality: str = ""
    mode: str = ""
    dpi: int = 0
    skew: float = 0.0
    exif_orientation: int | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PageTruth:
        return cls(**d)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One generated file: its name, format (pdf, tiff, jpeg, png, text_pdf, batch_pdf) and page count."""

    name: str
    format: str
    pages: int


@dataclass(frozen=True, slots=True)
class CorpusManifest:
    """What generate() wrote: the files, the truth of every page and the register rows."""

    out_dir: Path
    seed: int
    files: tuple[FileEntry, ...]
    pages: tuple[PageTruth, ...]
    customers: int  # customers in customers.csv
    register_rows: int  # rows in customers.csv (one per customer and vehicle)
    seconds: float = field(default=0.0, compare=False)

    def summary(self) -> str:
        """A few lines for people: counts by format, document type and language."""
        fmt = Counter(f.format for f in self.files)
        types = Counter(p.doc_type for p in self.pages)
        langs = Counter(p.lang for p in self.pages)
        docs = len({p.document_id for p in self.pages})
        lines = [
            f"corpus in {self.out_dir} (seed {self.seed}): {len(self.files)} files, {len(self.pages)} pages, "
            f"{docs} documents, {self.customers} customers ({self.register_rows} register rows)"
            + (f", {self.seconds:.1f} s" if self.seconds else ""),
            "  files:  " + ", ".join(f"{k} {v}" for k, v in sorted(fmt.items())),
            "  pages:  " + ", ".join(f"{k} {v}" for k, v in sorted(types.items())),
            "  langs:  " + ", ".join(f"{k} {v}" for k, v in sorted(langs.items())),
        ]
        return "\n".join(lines)


def write_truth(path: Path, pages: list[PageTruth] | tuple[PageTruth, ...]) -> None:
    """Write truth.jsonl: one JSON object per page, in file then page order."""
    with path.open("w", encoding="utf-8") as fh:
        for p in pages:
            fh.write(p.to_json() + "\n")


def read_truth(path: Path) -> list[PageTruth]:
    """Read a truth.jsonl back (tests and benchmarks use this)."""
    with path.open(encoding="utf-8") as fh:
        return [PageTruth.from_dict(json.loads(line)) for line in fh if line.strip()]
