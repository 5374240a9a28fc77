"""Filing end to end on a generated corpus of born-digital papers: typed, grouped, matched, never misfiled."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

import corpus
from dangan.pipeline import Pipeline
from dangan.settings import Settings
from ingest.inbox import iter_files
from storage import db
from storage.archive_numbers import ArchiveNumbering
from storage.documents import Document, DocumentState
from storage.models import Job, Page
from storage.register import Customer, Dossier
from storage.register_import import import_register


def with_dealer(settings: Settings, corpus_dir: Path) -> Settings:
    """The corpus dealer's own identifiers, configured as a real installation would."""
    dealer = json.loads((corpus_dir / "dealer.json").read_text(encoding="utf-8"))
    settings.classify.dealer_uscc = ",".join(dealer["identifiers"]["uscc"])
    settings.classify.dealer_phones = ",".join(dealer["phones"])
    settings.classify.dealer_names = dealer["name"]
    settings.classify.dealer_addresses = dealer["address"]
    return settings


def import_customers(settings: Settings, csv_path: Path) -> None:
    engine = db.make_engine(settings.database_url)
    db.migrate(engine)
    with db.session_factory(engine)() as s:
        result = import_register(s, csv_path, numbering=ArchiveNumbering(settings.archive))
        assert result.rejected == 0
        s.commit()
    engine.dispose()


@pytest.fixture
def filed(settings: Settings, tmp_path: Path) -> tuple[Settings, list[corpus.PageTruth], Path]:
    out = tmp_path / "corpus"
    manifest = corpus.generate(out, seed=11, customers=4, formats=["text_pdf"])
    with_dealer(settings, out)
    import_customers(settings, out / "customers.csv")
    inbox = tmp_path / "drop"
    inbox.mkdir()
    for entry in manifest.files:
        (out / entry.name).rename(inbox / entry.name)
    with Pipeline(settings, actor="os:clerk", keep_files=True) as pipeline:
        for path in iter_files([inbox]):
            pipeline.submit(path)
        summary = pipeline.drain()
    assert summary.failed_pages == 0 and summary.documents > 0
    return settings, corpus.read_truth(out / "truth.jsonl"), inbox


def test_no_page_is_filed_to_a_wrong_customer_and_most_are_filed(filed) -> None:
    settings, truth, _ = filed
    by_page = {(t.file, t.page): t for t in truth}
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        rows = s.execute(
            select(Job.source_name, Page.page_no, Page.doc_type, Document.state, Customer.customer_no)
            .join(Page, Page.job_id == Job.id)
            .join(Document, Document.id == Page.document_id)
            .outerjoin(Customer, Customer.id == Document.customer_id)
        ).all()
    engine.dispose()
    assert len(rows) == len(truth)  # every page belongs to a document
    outcome: Counter[str] = Counter()
    for name, page_no, doc_type, state, customer_no in rows:
        t = by_page[(name, page_no)]
        if state == DocumentState.FILED:
            assert customer_no == t.customer_no, f"{name} p{page_no} misfiled"  # a privacy incident
            outcome["filed"] += 1
        else:
            outcome["review"] += 1
        outcome["type_ok"] += doc_type == t.doc_type
    registered = sum(1 for t in truth if t.customer_no)
    assert outcome["filed"] >= 0.6 * registered, outcome
    assert outcome["type_ok"] >= 0.9 * len(truth), outcome


def test_filed_documents_carry_archive_numbers_of_their_customers_dossier(filed) -> None:
    settings, _, _ = filed
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        docs = s.scalars(select(Document).where(Document.state == DocumentState.FILED)).all()
        assert docs
        numbers = [d.archive_no for d in docs]
        assert len(set(numbers)) == len(numbers)
        for doc in docs:
            dossier = s.get_one(Dossier, doc.dossier_id)
            assert dossier.customer_id == doc.customer_id
            assert doc.archive_no.startswith(dossier.archive_no + "-")
            code = settings.archive.type_codes.get(doc.doc_type)
            assert code and f"-{code}-" in doc.archive_no
        for doc in s.scalars(select(Document).where(Document.state == DocumentState.REVIEW)):
            assert doc.archive_no is None and doc.review_reason
    engine.dispose()


def test_export_pages_gives_one_record_per_page_with_its_decision(filed) -> None:
    import csv
    import io

    from typer.testing import CliRunner

    from dangan.cli import app
    from storage.export import PAGE_FIELDS

    settings, truth, _ = filed
    env = {"DANGAN_HOME": str(settings.home)}
    out = CliRunner().invoke(app, ["export", "pages", "--with-text"], env=env)
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == len(truth)
    assert set(PAGE_FIELDS) | {"text"} <= set(records[0])
    for r in records:
        assert (r["customer_no"] is None) == r["needs_review"] == (r["archive_no"] is None)
        assert r["reason"].startswith("type: ")
    as_csv = CliRunner().invoke(app, ["export", "pages", "--format", "csv"], env=env)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(truth) and "text" not in rows[0]
    assert CliRunner().invoke(app, ["export", "pages", "--format", "xml"], env=env).exit_code == 2
