# ruff: noqa: T201  (a benchmark prints its figures)
"""OCR bench: the same generated scans through each engine, one process per core; prints figures only.

Run from the project root:

    .venv/bin/python -m bench.ocr_engines                      # defaults: 30 pages, both engines
    .venv/bin/python -m bench.ocr_engines --pages 12 --engines rapidocr --dpi 200 300
    .venv/bin/python -m bench.ocr_engines --det-side 1280 2000   # RapidOCR detection size variants

Pages come from the corpus generator (`corpus.render_page`): contracts, invoices, ID copies, inspection
sheets and other papers in Chinese and English, at mixed scan quality, some turned 90/180/270, plus blank
sheets. They are written as one scanned PDF (300 dpi JPEG pages, as office scanners make them) and each
worker rasterises its page at the dpi under test, as the ingest workers do. Per configuration it prints
pages/min on all cores (by the clock, and as the CPU time per page allows when the machine is not shared),
wall seconds per page for each stage, CER on Chinese and on English pages (pooled: edit distance over
truth length, whitespace removed, NFKC; and the same ignoring reading order), identifiers found exactly
(ID numbers, USCC, VINs, phones), orientation right, blanks skipped, and the 1-minute load average
before and after the run (the bench's own two workers count 2: more means the machine was shared, and
the clock figures suffer first); then text-layer pages/s on a long born-digital PDF.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from corpus.textdiff import edit_distance, squash  # noqa: E402
from dangan.records import PageRecord, TextSource  # noqa: E402
from dangan.settings import OcrEngineKind, OcrSettings  # noqa: E402

KEY_KINDS = ("id_number", "uscc", "vin", "phone")  # the identifiers customer matching relies on
_SEPARATORS = re.compile(r"[\s\-·]")


@dataclass(frozen=True)
class BenchPage:
    lang: str
    text: str
    identifiers: tuple[str, ...]
    rotation: int  # clockwise degrees the content is turned in the scan
    blank: bool


@dataclass
class Config:
    label: str
    engine: str
    dpi: int
    languages: str = "chi_sim+eng"
    det_side: int | None = None


@dataclass
class Result:
    page: int
    text: str
    rotation: int
    source: str
    timings: dict[str, float] = field(default_factory=dict)
    status: str = ""


# --- page set ------------------------------------------------------------------------------------------


def make_pages(count: int, seed: int, workdir: Path) -> tuple[Path, list[BenchPage]]:
    """Render `count` pages with the corpus generator into one scanned PDF at 300 dpi."""
    import corpus
    from corpus.writers import encode_page, write_image_pdf

    rng = random.Random(seed)
    plan = [
        ("contract", "zh"),
        ("invoice", "zh"),
        ("id_copy", "zh"),
        ("inspection_sheet", "zh"),
        ("other", "zh"),
        ("contract", "en"),
        ("invoice", "en"),
        ("inspection_sheet", "en"),
        ("contract", "zh"),
        ("invoice", "zh"),
    ]
    images, pages = [], []
    for i in range(count):
        if i % 15 == 14:
            doc_type, lang = "blank", "zh"
        else:
            doc_type, lang = plan[i % len(plan)]
        quality = rng.choice(["clean", "normal", "normal", "bad"])
        rotation = rng.choices([0, 90, 180, 270], weights=[85, 5, 5, 5])[0]
        image, truth = corpus.render_page(
            doc_type, lang, seed=seed * 1000 + i, quality=quality, rotation=rotation, dpi=300
        )
        images.append(image.convert("L"))
        ids = tuple(v for kind in KEY_KINDS for v in truth.identifiers.get(kind, []))
        pages.append(BenchPage(truth.lang, truth.text, ids, truth.rotation, doc_type == "blank"))
    path = workdir / "bench-scans.pdf"
    # Encoded here and kept alive: write_image_pdf shares one image object per id() of an encoded page,
    # and the temporaries it makes from Pillow images can be collected and their ids reused.
    write_image_pdf(path, [encode_page(image, 300) for image in images])
    return path, pages


# --- workers -------------------------------------------------------------------------------------------

_engine = None
_settings: OcrSettings | None = None


def _init(config: Config) -> None:
    global _engine, _settings
    os.environ["OMP_THREAD_LIMIT"] = "1"
    from ocr import make_engine

    _settings = OcrSettings(engine=OcrEngineKind(config.engine), dpi=config.dpi, languages=config.languages)
    if config.engine == "rapidocr" and config.det_side:
        from ocr.rapid import RapidOcrEngine

        _engine = RapidOcrEngine(_settings, det_max_side=config.det_side)
    else:
        _engine = make_engine(_settings)


def _rasterise(pdf: Path, page_no: int, dpi: int) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        page = document[page_no - 1]
        bitmap = page.render(scale=dpi / 72, grayscale=True)
        array = np.array(bitmap.to_numpy()[:, :, 0] if bitmap.to_numpy().ndim == 3 else bitmap.to_numpy())
        page.close()
        return array
    finally:
        document.close()


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _work(task: tuple[Path, int]) -> Result:
    from ocr import read_page

    assert _settings is not None and _engine is not None
    pdf, page_no = task
    cpu = _cpu()
    started = time.perf_counter()
    image = _rasterise(pdf, page_no, _settings.dpi)
    rasterise = time.perf_counter() - started
    record = read_page(PageRecord(job_id=0, page_no=page_no), image, _engine, _settings)
    timings = {
        "rasterise": rasterise,
        **record.timings,
        "total": time.perf_counter() - started,
        "cpu": _cpu() - cpu,
    }
    return Result(page_no, record.text, record.rotation, str(record.text_source), timings, str(record.status))


# --- scoring -------------------------------------------------------------------------------------------


def bag_distance(a: str, b: str) -> int:
    """Edit distance if reading order did not matter: characters missing or extra, ignoring position.

    A two-column form read row by row instead of column by column costs CER but loses no text; this
    lower bound on the edit distance separates recognition errors from reading-order differences.
    """
    missing = Counter(b)
    missing.subtract(Counter(a))
    extra = sum(-v for v in missing.values() if v < 0)
    lacking = sum(v for v in missing.values() if v > 0)
    return max(extra, lacking)


def run_config(config: Config, pdf: Path, pages: list[BenchPage], workers: int) -> None:
    tasks = [(pdf, i + 1) for i in range(len(pages))]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(config,)) as pool:
        list(pool.map(_work, tasks[:workers]))  # warm-up: engines loaded, first inference done
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        results = list(pool.map(_work, tasks))
        wall = time.perf_counter() - started
        load_after = os.getloadavg()[0]

    errors: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    keys_found = keys_total = oriented = turned = blanks_skipped = blanks = 0
    stage_totals: dict[str, float] = defaultdict(float)
    for page, result in zip(pages, results, strict=True):
        for stage, seconds in result.timings.items():
            stage_totals[stage] += seconds
        if page.blank:
            blanks += 1
            blanks_skipped += result.source == TextSource.NONE
            continue
        truth, hypothesis = squash(page.text), squash(result.text)
        errors[page.lang][0] += edit_distance(hypothesis, truth)
        errors[page.lang][1] += len(truth)
        errors[page.lang][2] += bag_distance(hypothesis, truth)
        flat = _SEPARATORS.sub("", unicodedata.normalize("NFKC", result.text))
        for identifier in page.identifiers:
            keys_total += 1
            keys_found += identifier in flat
        oriented += result.rotation == (360 - page.rotation) % 360
        turned += page.rotation != 0
    n = len(pages)
    cer = {lang: f"{e / max(1, t):.1%}" for lang, (e, t, _) in sorted(errors.items())}
    bag = {lang: f"{b / max(1, t):.1%}" for lang, (_, t, b) in sorted(errors.items())}
    cpu = stage_totals["cpu"] / n
    stages = " ".join(
        f"{stage} {stage_totals[stage] / n:.3f}"
        for stage in ("rasterise", "orientation", "deskew", "ocr", "total")
        if stage in stage_totals
    )
    print(
        f"{config.label:<24} {n / wall * 60:5.1f} pages/min on {workers} "
        f"({workers * 60 / cpu:5.1f} by CPU time, "
        f"{cpu:.2f} CPU s/page) | wall s/page {stages} | CER zh {cer.get('zh', '-')} en {cer.get('en', '-')} "
        f"(order-free zh {bag.get('zh', '-')} en {bag.get('en', '-')}) | keys {keys_found}/{keys_total} | "
        f"orientation {oriented}/{n - blanks} ({turned} turned) | blanks skipped {blanks_skipped}/{blanks} | "
        f"load {load_before:.1f} -> {load_after:.1f} on {os.cpu_count()} cores",
        flush=True,
    )


# --- text layer ----------------------------------------------------------------------------------------


def bench_text_layer(pages: int, workdir: Path) -> None:
    import corpus
    from ocr import read_text_layer

    path = workdir / "bench-born-digital.pdf"
    started = time.perf_counter()
    truths = corpus.text_pdf(path, pages, seed=7)
    made = time.perf_counter() - started
    started = time.perf_counter()
    texts = [read_text_layer(path, i) for i in range(1, pages + 1)]
    seconds = time.perf_counter() - started
    accepted = sum(t is not None for t in texts)
    sample = range(0, pages, max(1, pages // 20))
    errors = sum(edit_distance(squash(texts[i] or ""), squash(truths[i].text)) for i in sample)
    length = sum(len(squash(truths[i].text)) for i in sample)
    print(
        f"text layer (PDFium): {pages / seconds:.0f} pages/s over {pages} pages "
        f"({path.stat().st_size / 1e6:.1f} MB, made in {made:.1f} s); accepted {accepted}/{pages}; "
        f"CER on {len(sample)} sampled pages {errors / max(1, length):.2%}",
        flush=True,
    )
    try:
        import pdfplumber
    except ImportError:
        return
    count = min(50, pages)
    started = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages[:count]:
            page.extract_text()
            page.close()
    print(
        f"text layer (pdfplumber, for comparison): {count / (time.perf_counter() - started):.0f} pages/s "
        f"over the first {count} pages",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=30, help="scanned pages per configuration")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--engines", nargs="+", default=["rapidocr", "tesseract"], choices=["rapidocr", "tesseract"]
    )
    parser.add_argument(
        "--dpi", nargs="+", type=int, default=None, help="rasterisation dpi (default: 200 300)"
    )
    parser.add_argument("--det-side", nargs="*", type=int, default=[], help="extra RapidOCR detection sizes")
    parser.add_argument("--languages", default="chi_sim+eng", help="Tesseract languages")
    parser.add_argument("--text-layer-pages", type=int, default=1000, help="0 to skip")
    args = parser.parse_args(argv)

    dpis = args.dpi or [200, 300]
    configs = []
    for engine in args.engines:
        for dpi in dpis:
            configs.append(Config(f"{engine} {dpi}dpi", engine, dpi, args.languages))
            if engine == "rapidocr":
                for side in args.det_side:
                    configs.append(Config(f"{engine} {dpi}dpi det{side}", engine, dpi, args.languages, side))

    with tempfile.TemporaryDirectory(prefix="dangan-bench-") as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        pdf, pages = make_pages(args.pages, args.seed, workdir)
        langs = {lang: sum(p.lang == lang and not p.blank for p in pages) for lang in ("zh", "en")}
        blanks, turned = sum(p.blank for p in pages), sum(p.rotation != 0 for p in pages)
        print(
            f"{len(pages)} pages ({langs['zh']} Chinese, {langs['en']} English, {blanks} blank, "
            f"{turned} turned) rendered in {time.perf_counter() - started:.1f} s; "
            f"{args.workers} worker processes, 1 thread each",
            flush=True,
        )
        for config in configs:
            run_config(config, pdf, pages, args.workers)
        if args.text_layer_pages:
            bench_text_layer(args.text_layer_pages, workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
