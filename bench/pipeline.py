# ruff: noqa: T201  (a benchmark prints its figures)
"""Pipeline bench: the OCR bench's pages through each engine alone and through `dangan ingest`; prints figures.

    .venv/bin/python -m bench.pipeline                       # 40 pages, default engine, long-file figures too
    .venv/bin/python -m bench.pipeline --pages 20 --long-pages 100 --engines rapidocr tesseract

For each engine: pages/min of the engine alone (one process per core; warm, as bench.ocr_engines runs
it, and cold, with process start and model loading as a run of `dangan ingest` has them) and of
`dangan ingest` on the same scanned PDF (a fresh DANGAN_HOME; process start, intake, OCR, page images,
classification, filing and commits included), their ratios, CER on Chinese and English pages for both,
and the pipeline's seconds per page by stage. Then peak memory (PSS, and summed RSS, of dangan and its
workers) while ingesting a long scanned PDF, and born-digital pages/s through `dangan ingest`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ocr_engines import Config, _init, _work, make_pages  # noqa: E402
from corpus.textdiff import edit_distance, squash  # noqa: E402
from dangan.settings import OcrEngineKind  # noqa: E402


def _cer(texts: list[str], pages: list, lang: str) -> str:
    errors = total = 0
    for text, page in zip(texts, pages, strict=True):
        if page.lang == lang and not page.blank:
            truth = squash(page.text)
            errors += edit_distance(squash(text), truth)
            total += len(truth)
    return f"{errors / total:.1%}" if total else "-"


def engine_alone(
    engine: str, dpi: int, pdf: Path, pages: list, workers: int
) -> tuple[float, float, float, list[str]]:
    """Pages/min of the engine alone, warm (models loaded, first inference done, as bench.ocr_engines
    measures) and cold (process start, model loading and shutdown included, as a run of `dangan ingest`
    pays them); the CPU seconds of the cold run; and the texts."""
    tasks = [(pdf, i + 1) for i in range(len(pages))]
    ctx = multiprocessing.get_context("spawn")
    started, cpu = time.perf_counter(), _children_cpu()
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                             initargs=(Config(engine, engine, dpi),)) as pool:
        list(pool.map(_work, tasks))
    cold = time.perf_counter() - started
    cold_cpu = _children_cpu() - cpu
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                             initargs=(Config(engine, engine, dpi),)) as pool:
        list(pool.map(_work, tasks[:workers]))  # warm: models loaded
        started = time.perf_counter()
        results = list(pool.map(_work, tasks))
        warm = time.perf_counter() - started
    return 60 * len(tasks) / warm, 60 * len(tasks) / cold, cold_cpu, [r.text for r in results]


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children and their own waited-for children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _env(home: Path, engine: str, dpi: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_")}
    env.update(DANGAN_HOME=str(home), DANGAN_OCR__ENGINE=engine, DANGAN_OCR__DPI=str(dpi))
    return env


def _tree_memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in bytes of a process and its descendants (Linux /proc).

    PSS shares each shared page among the processes mapping it, so the workers' common libraries (numpy,
    onnxruntime, OpenCV) count once; summed RSS counts them once per process.
    """
    pss = rss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return pss, rss


def ingest(files: list[Path], env: dict[str, str]) -> tuple[dict, float, tuple[int, int], float]:
    """Run `dangan ingest --json --keep`; return its summary, wall seconds, peak tree (PSS, RSS) and CPU seconds."""
    started, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen([sys.executable, "-m", "dangan.cli", "ingest", "--json", "--keep", *map(str, files)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = (0, 0)
    while proc.poll() is None:
        pss, rss = _tree_memory(proc.pid)
        peak = (max(peak[0], pss), max(peak[1], rss))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    out, err = proc.communicate()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"dangan ingest failed:\n{err[-3000:]}")
    return json.loads(out), wall, peak, _children_cpu() - cpu


def page_texts(home: Path) -> list[str]:
    from sqlalchemy import select

    from storage import db
    from storage.models import Page

    engine = db.make_engine(f"sqlite:///{home / 'dangan.db'}")
    with db.session_factory(engine)() as s:
        texts = list(s.scalars(select(Page.text).order_by(Page.page_no)))
    engine.dispose()
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--engines", nargs="+", default=[OcrEngineKind.RAPIDOCR.value])
    parser.add_argument("--long-pages", type=int, default=500, help="0 skips the long scanned PDF")
    parser.add_argument("--text-pages", type=int, default=1000, help="0 skips the born-digital PDF")
    args = parser.parse_args(argv)
    workers = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="dangan-bench-"))
    pdf, pages = make_pages(args.pages, args.seed, work)
    print(f"{len(pages)} generated scans at 300 dpi, rasterised at {args.dpi} dpi; {workers} cores; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    for engine in args.engines:
        alone, alone_cold, alone_cpu, alone_texts = engine_alone(engine, args.dpi, pdf, pages, workers)
        summary, wall, _, cpu = ingest([pdf], _env(work / f"home-{engine}", engine, args.dpi))
        piped = 60 * summary["pages"] / wall
        texts = page_texts(work / f"home-{engine}")
        n = max(1, summary["pages"])
        stages = ", ".join(f"{k} {v / n:.3f}" for k, v in sorted(summary["stage_seconds"].items()))
        print(f"{engine}: engine alone {alone:.1f} pages/min warm, {alone_cold:.1f} with process start "
              f"(CER zh {_cer(alone_texts, pages, 'zh')}, en {_cer(alone_texts, pages, 'en')}); dangan ingest "
              f"{piped:.1f} pages/min by the clock, process start included (CER zh {_cer(texts, pages, 'zh')}, "
              f"en {_cer(texts, pages, 'en')}); ratio {piped / alone_cold:.2f} with process start on both sides, "
              f"{piped / alone:.2f} against the warm engine", flush=True)
        print(f"  by CPU time, as on a quiet machine with {workers} cores (process start included on both sides): "
              f"engine alone {60 * n * workers / alone_cpu:.1f} pages/min ({alone_cpu / n:.2f} CPU s/page), "
              f"dangan ingest {60 * n * workers / cpu:.1f} pages/min ({cpu / n:.2f} CPU s/page), "
              f"ratio {alone_cpu / cpu:.2f}; load average now {os.getloadavg()[0]:.1f}", flush=True)
        print(f"  pipeline seconds per page by stage (worker time; 2 workers run at once): {stages}; "
              f"rest (intake, classification, filing, commits, start-up) "
              f"{max(0.0, wall * workers / n - sum(summary['stage_seconds'].values()) / n):.3f}", flush=True)
    if args.long_pages:
        import corpus

        long_pdf = work / "long-scan.pdf"
        corpus.scanned_pdf(long_pdf, args.long_pages, seed=5, dpi=150)
        summary, wall, peak, _ = ingest([long_pdf], _env(work / "home-long", args.engines[0], args.dpi))
        print(f"long scanned PDF: {summary['pages']} pages in {wall:.0f} s; peak memory of dangan and its workers: "
              f"PSS {peak[0] / 2**20:.0f} MiB (goal <= 1024), summed RSS {peak[1] / 2**20:.0f} MiB", flush=True)
    if args.text_pages:
        import corpus

        text_pdf = work / "born-digital.pdf"
        corpus.text_pdf(text_pdf, args.text_pages, seed=8)
        summary, wall, peak, cpu = ingest([text_pdf], _env(work / "home-text", args.engines[0], args.dpi))
        print(f"born-digital PDF: {summary['pages']} pages in {wall:.1f} s = {summary['pages'] / wall:.0f} pages/s "
              f"through dangan ingest, process start included (goal >= 50); text layer "
              f"{summary['text_layer_pages']}; {summary['pages'] * workers / cpu:.0f} pages/s by CPU time on "
              f"{workers} cores; peak PSS {peak[0] / 2**20:.0f} MiB", flush=True)
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
