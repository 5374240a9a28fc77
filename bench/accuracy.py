# ruff: noqa: T201  (a benchmark prints its figures)
"""Accuracy bench: a fresh generated corpus through `dangan ingest` with filing; prints figures, asserts nothing.

    .venv/bin/python -m bench.accuracy                         # 20 customers, every format, real OCR
    .venv/bin/python -m bench.accuracy --customers 30 --seed 7 --formats text_pdf   # fast, no OCR

Prints end-to-end pages/min (OCR and filing included), doc-type accuracy and macro-F1 over the five
non-blank types with the confusion matrix, pages filed to a wrong customer (goal 0), the share of the
registered customers' pages that were filed (goal >= 0.97), completeness-flag precision and recall over
dossiers with nothing pending (goal 1.00 / 1.00), dossiers with something pending, and documents split or
merged wrongly (truth documents cut into several, and dangan documents holding several truth documents).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

import corpus  # noqa: E402
from classify.completeness import load_dossier_types  # noqa: E402
from search_api.reports import completeness_rows  # noqa: E402
from storage import db  # noqa: E402
from storage.completeness import dossier_facts  # noqa: E402
from storage.documents import Document, DocumentState  # noqa: E402
from storage.models import Job, Page  # noqa: E402
from storage.register import Customer, Dossier, Vehicle  # noqa: E402

TYPES = ("contract", "invoice", "id_copy", "inspection_sheet", "other")


def _dangan(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, "-m", "dangan.cli", *args], env=env, capture_output=True, text=True,
                         cwd=ROOT)
    if out.returncode not in (0, 1):
        raise SystemExit(f"dangan {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000)
    parser.add_argument("--formats", default=",".join(corpus.FORMATS))
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--keep", type=Path, help="Keep the corpus and DANGAN_HOME in this folder.")
    args = parser.parse_args(argv)

    work = args.keep or Path(tempfile.mkdtemp(prefix="dangan-accuracy-"))
    out, home, inbox = work / "corpus", work / "home", work / "inbox"
    manifest = corpus.generate(out, seed=args.seed, customers=args.customers, formats=args.formats.split(","))
    print(f"corpus seed {args.seed}: {len(manifest.files)} files, {len(manifest.pages)} pages, "
          f"{manifest.customers} customers, {manifest.register_rows} register rows; formats {args.formats}")
    inbox.mkdir(parents=True, exist_ok=True)
    for entry in manifest.files:
        (out / entry.name).rename(inbox / entry.name)
    dealer = json.loads((out / "dealer.json").read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGAN_")}
    env.update(
        DANGAN_HOME=str(home), DANGAN_OCR__ENGINE=args.engine,
        DANGAN_CLASSIFY__DEALER_USCC=",".join(dealer["identifiers"]["uscc"]),
        DANGAN_CLASSIFY__DEALER_PHONES=",".join(dealer["phones"]),
        DANGAN_CLASSIFY__DEALER_NAMES=dealer["name"], DANGAN_CLASSIFY__DEALER_ADDRESSES=dealer["address"],
    )
    _dangan(env, "customers", "import", str(out / "customers.csv"))
    started = time.perf_counter()
    summary = json.loads(_dangan(env, "ingest", "--json", str(inbox)))
    wall = time.perf_counter() - started
    print(f"ingest: {summary['pages']} pages in {wall:.1f} s wall = {60 * summary['pages'] / wall:.1f} pages/min "
          f"end to end (process start, OCR, filing); ocr {summary['ocr_pages']}, text layer "
          f"{summary['text_layer_pages']}, documents {summary['documents']} (filed {summary['filed_documents']}, "
          f"review {summary['review_documents']}), failed pages {summary['failed_pages']}")
    stage = summary["stage_seconds"]
    print("seconds per page by stage (summed over workers): " + ", ".join(
        f"{k} {v / max(1, summary['pages']):.3f}" for k, v in sorted(stage.items())))

    truth = {(t.file, t.page): t for t in manifest.pages}
    engine = db.make_engine(f"sqlite:///{home / 'dangan.db'}")
    with db.session_factory(engine)() as s:
        rows = s.execute(
            select(Job.source_name, Page.page_no, Page.doc_type, Page.document_id, Document.state,
                   Customer.customer_no, Vehicle.vin, Document.review_reason)
            .join(Page, Page.job_id == Job.id)
            .outerjoin(Document, Document.id == Page.document_id)
            .outerjoin(Customer, (Customer.id == Document.customer_id) & (Document.state == DocumentState.FILED))
            .outerjoin(Dossier, (Dossier.id == Document.dossier_id) & (Document.state == DocumentState.FILED))
            .outerjoin(Vehicle, Vehicle.id == Dossier.vehicle_id)
        ).all()
        types = load_dossier_types()
        report = completeness_rows(dossier_facts(s), types)
    engine.dispose()

    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    wrong_customer = filed_registered = registered = 0
    truth_docs_of: dict[int, set[str]] = defaultdict(set)
    docs_of_truth: dict[str, set[int]] = defaultdict(set)
    filed_vins = []
    unfiled: Counter[str] = Counter()  # why registered customers' pages wait in review
    for name, page_no, doc_type, document_id, state, customer_no, vin, review_reason in rows:
        t = truth[(name, page_no)]
        if t.doc_type != "blank":
            confusion[t.doc_type][doc_type or "-"] += 1
            truth_docs_of[document_id].add(t.document_id)
            docs_of_truth[t.document_id].add(document_id)
        if t.customer_no:
            registered += 1
            filed_registered += state == DocumentState.FILED
            if state != DocumentState.FILED:
                unfiled[f"{t.doc_type}: {(review_reason or '-')[:90]}"] += 1
        if state == DocumentState.FILED and customer_no != t.customer_no:
            wrong_customer += 1
        elif state == DocumentState.FILED:
            filed_vins.append((t.document_id, vin))
    total = sum(sum(c.values()) for c in confusion.values())
    correct = sum(confusion[t][t] for t in confusion)
    f1s = []
    for t in TYPES:
        tp = confusion[t][t]
        fp = sum(confusion[o][t] for o in confusion if o != t)
        fn = sum(confusion[t].values()) - tp
        f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
    print(f"doc type: accuracy {correct / max(1, total):.3f} over {total} non-blank pages, "
          f"macro-F1 {sum(f1s) / len(f1s):.3f} "
          f"({', '.join(f'{t} {f:.2f}' for t, f in zip(TYPES, f1s, strict=True))})")
    print("confusion (truth → predicted):")
    for t in TYPES:
        print(f"  {t:17s} " + "  ".join(f"{p}:{n}" for p, n in confusion[t].most_common()))
    print(f"pages filed to a wrong customer: {wrong_customer} (goal 0)")
    print(f"registered customers' pages filed: {filed_registered}/{registered} = "
          f"{filed_registered / max(1, registered):.3f} (goal >= 0.97)")
    for why, n in unfiled.most_common():
        print(f"  in review: {n} × {why}")
    split = sum(len(d) - 1 for d in docs_of_truth.values())
    merged = sum(len(t) - 1 for t in truth_docs_of.values())
    print(f"documents: {len(docs_of_truth)} in truth; split wrongly {split}, merged wrongly {merged}")

    # Completeness truth: the types of the registered customers' truth documents in each dossier.
    register = list(csv.DictReader((out / "customers.csv").open(encoding="utf-8-sig")))
    vins_of: dict[str, set[str]] = defaultdict(set)
    for row in register:
        if row["vin"]:
            vins_of[row["customer_no"]].add(row["vin"])
    present: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    doc_truth: dict[str, list[corpus.PageTruth]] = defaultdict(list)
    for t in manifest.pages:
        doc_truth[t.document_id].append(t)
    # A paper naming no VIN (an ID copy) belongs to the dossier its file's other papers name, as a clerk
    # scanning one dossier at a time would have it; else to the customer's only vehicle.
    file_vins: dict[tuple[str, str], set[str]] = defaultdict(set)
    for t in manifest.pages:
        if t.customer_no:
            file_vins[(t.file, t.customer_no)].update(set(t.identifiers.get("vin", ())) & vins_of[t.customer_no])
    truth_vin: dict[str, str | None] = {}
    for doc_id, pages in doc_truth.items():
        c = pages[0].customer_no
        if not c:
            continue
        named = {v for p in pages for v in p.identifiers.get("vin", ())} & vins_of[c]
        context = set().union(*(file_vins[(p.file, c)] for p in pages))
        targets = named or (context if len(context) == 1 else vins_of[c] if len(vins_of[c]) == 1 else set())
        truth_vin[doc_id] = next(iter(targets)) if len(targets) == 1 else None
        present[(c, truth_vin[doc_id])].update(p.doc_type for p in pages)
    wrong_dossier = sum(1 for doc_id, vin in filed_vins if truth_vin.get(doc_id) and vin != truth_vin[doc_id])
    print(f"pages filed to the right customer but another of their dossiers: {wrong_dossier}")
    tp = fp = fn = considered = pending = 0
    for row in report:
        if row.pending_review:
            pending += 1
            continue
        considered += 1
        required = set(types.dossier(row.dossier_type).requires)
        truly_incomplete = bool(required - present[(row.customer_no, row.vin)])
        flagged = row.status != "complete"
        tp += flagged and truly_incomplete
        fp += flagged and not truly_incomplete
        fn += truly_incomplete and not flagged
    print(f"completeness flags over {considered} dossiers with nothing pending: precision "
          f"{tp / max(1, tp + fp):.2f}, recall {tp / max(1, tp + fn):.2f} (goal 1.00 / 1.00); "
          f"{pending} dossiers with something pending")
    print(f"work folder: {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
