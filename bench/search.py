"""Search benchmark: build time, index size and latency per query class, Tantivy beside SQLite FTS5 (trigram).

    python -m bench.search [--pages 100000] [--runs 200] [--cli-runs 20] [--work DIR]

Pages come from the corpus generator's layouts (names, addresses, IDs, VINs, phones, contract and invoice
wording) without rendering: their text is what a perfect OCR would read. Latency is measured through the
Python API (`SearchIndex.search`, limit 10, total counted) and through `dangan search --json` (a new process
each time, so start-up is included). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from search_api._tantivy import TantivyIndex
from search_api.index import PageDoc
from search_api.text import fold, normalize

CHUNK = 2000  # pages per generator run; each run draws its own customers


@dataclass
class Corpus:
    pages: list[PageDoc] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    vins: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (name, customer_no)


def generate(n: int, seed: int) -> Corpus:
    from corpus.generator import _stream_docs

    out = Corpus()
    start = datetime(2023, 1, 1, tzinfo=UTC)
    rng = random.Random(seed)
    chunk = 0
    while len(out.pages) < n:
        for page, doc in _stream_docs(seed * 1000 + chunk, min(CHUNK, n - len(out.pages)), born_digital=False):
            text = page.truth_text()
            customer_no = f"{doc.customer_no}-{chunk}" if doc.customer_no else None
            out.pages.append(PageDoc(
                page_id=len(out.pages) + 1, text=text, doc_type=doc.template.doc_type,
                ingested=start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60)), document_id=len(out.pages) + 1,
                source_file=f"scan-{chunk}-{doc.doc_id}.pdf", source_page=1, customer_no=customer_no,
            ))
            out.ids += page.identifiers.get("id_number", [])
            out.vins += page.identifiers.get("vin", [])
        chunk += 1
    return out


# --- query classes -------------------------------------------------------------------------------------------


def query_classes(c: Corpus, rng: random.Random, k: int) -> dict[str, list[tuple[str, dict[str, object]]]]:
    """Per class, k queries drawn from the corpus: (query text, extra search options)."""
    from corpus._data import SURNAMES

    ids = sorted(set(c.ids))
    vins = sorted(set(c.vins))
    owned = [p for p in c.pages if p.customer_no]
    names = []
    for p in c.pages[:: max(1, len(c.pages) // 2000)]:
        if p.doc_type == "contract" and "买受人（乙方）：" in p.text:
            names.append(p.text.split("买受人（乙方）：", 1)[1].split("\n", 1)[0].strip())
    names = [n for n in names if 2 <= len(n) <= 4] or ["张伟"]
    words2 = "合同 发票 车辆 检查 客户 销售 广州 保险 轮胎 付款 交付 维修 电话 地址".split()
    english = ["vehicle", "invoice", "warranty", "buyer", "inspection", "payment", "delivery", "agreement"]
    titles = ["发票", "合同", "检查表", "身份证"]
    pick = rng.choice
    return {
        "surname (1 char)": [(pick(SURNAMES)[0], {}) for _ in range(k)],
        "word (2 chars)": [(pick(words2), {}) for _ in range(k)],
        "name + title": [(f"{pick(names)} {pick(titles)}", {}) for _ in range(k)],
        "full ID": [(pick(ids), {"reveal_sensitive": True}) for _ in range(k)],
        "ID tail (6)": [(pick(ids)[-6:], {"reveal_sensitive": True}) for _ in range(k)],
        "VIN": [(pick(vins), {}) for _ in range(k)],
        "VIN tail (6)": [(pick(vins)[-6:], {}) for _ in range(k)],
        "English word": [(pick(english), {}) for _ in range(k)],
        "boolean NOT": [(f"{pick(words2)} -{pick(words2)}", {}) for _ in range(k)],
        "type + customer": [_filtered(pick(owned), rng) for _ in range(k)],
        "facets (2 chars)": [(pick(words2), {"facets": True}) for _ in range(k)],
    }


def _filtered(page: PageDoc, rng: random.Random) -> tuple[str, dict[str, object]]:
    """Two Chinese characters of one customer's page, filtered by its type and customer: at least one hit."""
    spots = [i for i in range(len(page.text) - 1) if _han(page.text[i]) and _han(page.text[i + 1])]
    i = rng.choice(spots) if spots else 0
    return f"{page.text[i:i + 2]} type:{page.doc_type} customer:{page.customer_no}", {}


def _han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# --- measurement ---------------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return q[49], q[94], q[98]


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- SQLite FTS5 trigram, as a user might set it up instead -------------------------------------------------


def build_fts(path: Path, pages: list[PageDoc]) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE pages (id INTEGER PRIMARY KEY, text TEXT, doc_type TEXT, customer_no TEXT)")
    conn.execute("CREATE VIRTUAL TABLE fts USING fts5(text, content='pages', content_rowid='id', tokenize='trigram')")
    conn.executemany("INSERT INTO pages VALUES (?, ?, ?, ?)",
                     ((p.page_id, fold(normalize(p.text)), p.doc_type, p.customer_no) for p in pages))
    conn.execute("INSERT INTO fts(fts) VALUES ('rebuild')")
    conn.commit()
    return conn


def fts_search(conn: sqlite3.Connection, query: str, opts: dict[str, object]) -> int:
    """Terms of 3+ characters through the trigram index; shorter ones need LIKE (trigram finds nothing)."""
    where, args = [], []
    for raw in query.split():
        neg = raw.startswith("-")
        term = raw.lstrip("-")
        if ":" in term:
            name, value = term.split(":", 1)
            where.append("doc_type = ?" if name == "type" else "customer_no = ?")
            args.append(value)
            continue
        term = fold(normalize(term))
        if len(term) >= 3:
            clause = "id IN (SELECT rowid FROM fts WHERE fts MATCH ?)"
            args.append('"' + term.replace('"', '""') + '"')
        else:
            clause = "text LIKE ?"
            args.append(f"%{term}%")
        where.append(f"NOT ({clause})" if neg else clause)
    sql_where = " AND ".join(where) or "1"
    total = conn.execute(f"SELECT count(*) FROM pages WHERE {sql_where}", args).fetchone()[0]
    conn.execute(f"SELECT id, substr(text, 1, 120) FROM pages WHERE {sql_where} LIMIT 10", args).fetchall()
    if opts.get("facets"):
        conn.execute(f"SELECT doc_type, count(*) FROM pages WHERE {sql_where} GROUP BY doc_type", args).fetchall()
        conn.execute(f"SELECT customer_no, count(*) FROM pages WHERE {sql_where} GROUP BY customer_no "
                     "ORDER BY 2 DESC LIMIT 50", args).fetchall()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=200, help="queries per class through the API")
    ap.add_argument("--cli-runs", type=int, default=20, help="queries per class through `dangan search`")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=None, help="folder to build in (default: a temporary one)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="dangan-bench-search-"))
    shutil.rmtree(work / "home", ignore_errors=True)
    (work / "fts.db").unlink(missing_ok=True)
    say = print  # noqa: T201 - a benchmark prints its figures

    t = time.perf_counter()
    corpus = generate(args.pages, args.seed)
    chars = sum(len(p.text) for p in corpus.pages)
    say(f"corpus: {len(corpus.pages)} pages, {chars / len(corpus.pages):.0f} chars/page, "
        f"generated in {time.perf_counter() - t:.1f} s")

    index = TantivyIndex(work / "home" / "index", writer_heap_mb=256)
    t = time.perf_counter()
    with index.batch() as batch:
        for page in corpus.pages:
            batch.upsert(page)
    build = time.perf_counter() - t
    say(f"tantivy: build {build:.1f} s ({len(corpus.pages) / build:.0f} pages/s), "
        f"index {dir_size(work / 'home' / 'index') / 1e6:.1f} MB")
    t = time.perf_counter()
    conn = build_fts(work / "fts.db", corpus.pages)
    fts_build = time.perf_counter() - t
    say(f"fts5 trigram: build {fts_build:.1f} s, database {(work / 'fts.db').stat().st_size / 1e6:.1f} MB "
        "(text included)")

    rng = random.Random(args.seed)
    classes = query_classes(corpus, rng, args.runs)
    for queries in classes.values():  # warm both (page cache, first reader)
        for q, opts in queries[:3]:
            index.search(q, **{"facets": False, **opts})
            fts_search(conn, q, opts)

    env = {**os.environ, "DANGAN_HOME": str(work / "home")}
    dangan = str(Path(sys.executable).with_name("dangan"))
    subprocess.run([dangan, "search", "warm", "--json"], env=env, capture_output=True, check=True)

    header = (f"{'class':<18} {'hits p50':>8} | {'API p50':>8} {'p95':>7} {'p99':>7} | {'CLI p50':>8} {'p95':>7} "
              f"{'p99':>7} | {'FTS5 p50':>8} {'p95':>7} {'p99':>7}  (ms)")
    say(header)
    say("-" * len(header))
    for name, queries in classes.items():
        api, fts, hits = [], [], []
        for q, opts in queries:
            options = {"facets": False, **opts}
            api.append(timed(lambda q=q, options=options, hits=hits: hits.append(index.search(q, **options).total)))
            fts.append(timed(lambda q=q, opts=opts: fts_search(conn, q, opts)))
        cli = []
        for q, opts in queries[: args.cli_runs]:
            cmd = [dangan, "search", q, "--json"] + (["--reveal"] if opts.get("reveal_sensitive") else [])
            cli.append(timed(lambda cmd=cmd: subprocess.run(cmd, env=env, capture_output=True, check=True)))
        a, c, f = percentiles(api), percentiles(cli), percentiles(fts)
        say(f"{name:<18} {statistics.median(hits):>8.0f} | {a[0]:>8.1f} {a[1]:>7.1f} {a[2]:>7.1f} | "
            f"{c[0]:>8.0f} {c[1]:>7.0f} {c[2]:>7.0f} | {f[0]:>8.1f} {f[1]:>7.1f} {f[2]:>7.1f}")
    say(f"API: {args.runs} queries per class, limit 10, total counted, facets only in the facets class; "
        f"CLI: {args.cli_runs} runs per class of `dangan search --json` (process start included); "
        "FTS5: terms under 3 characters fall back to LIKE (trigram returns nothing for them), no ranking.")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
