"""Filing end to end on a generated corpus of born-digital papers: typed, grouped, matched, never misfiled."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

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
def filed(settings: Settings, tmp_path: Path, database_url: str) -> tuple[Settings, list[corpus.PageTruth], Path]:
    """A generated corpus imported and filed, on SQLite and on PostgreSQL."""
    settings.database_url = database_url
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
    env = {"DANGAN_HOME": str(settings.home), "DANGAN_DATABASE_URL": settings.database_url}
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


def test_review_decisions_file_split_merge_and_are_audited(filed) -> None:
    from storage.audit import os_actor
    from storage.models import AuditEvent
    from storage.review import ReviewError, file_document, merge_documents, review_queue, set_page_type, split_document

    settings, truth, _ = filed
    numbering = ArchiveNumbering(settings.archive)
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        queue = review_queue(s)
        assert queue and all(item.reason for item in queue)
        # A document the matcher could tie to a customer but not to one dossier: a person picks the dossier.
        item = next(i for i in queue if i.pending_dossiers)
        customer_no = item.suggested_customer_no
        with pytest.raises(ReviewError):
            file_document(s, item.document_id, customer_no, None, actor="os:archivist", numbering=numbering)
        with pytest.raises(ReviewError):
            file_document(s, item.document_id, "KH0000000000", None, actor="os:archivist", numbering=numbering)
        file_document(s, item.document_id, customer_no, item.pending_dossiers[0], actor="os:archivist",
                      numbering=numbering)
        s.commit()
        doc = s.get_one(Document, item.document_id)
        assert doc.state == DocumentState.FILED and doc.archive_no.startswith(item.pending_dossiers[0])
        assert item.document_id not in [i.document_id for i in review_queue(s)]

        # Split a filed multi-page document, then merge it back: the pages end where they began.
        multi = next(d for d in s.scalars(select(Document).where(Document.state == DocumentState.FILED))
                     if len(s.scalars(select(Page.id).where(Page.document_id == d.id)).all()) >= 2)
        page_ids = s.scalars(select(Page.id).where(Page.document_id == multi.id).order_by(Page.page_no)).all()
        touched = split_document(s, multi.id, page_ids[1], actor="os:archivist", numbering=numbering)
        s.commit()
        new_id = touched[1]
        assert s.get_one(Document, new_id).state == DocumentState.REVIEW
        merge_documents(s, multi.id, new_id, actor="os:archivist", numbering=numbering)
        s.commit()
        assert s.get_one(Document, new_id).state == DocumentState.REMOVED
        assert s.scalars(select(Page.id).where(Page.document_id == multi.id).order_by(Page.page_no)).all() == page_ids

        # Correcting the type of a filed document's only content page renumbers it with the new type code.
        before = multi.archive_no
        first = s.get_one(Page, page_ids[0])
        new_type = "other" if first.doc_type != "other" else "contract"
        for pid in page_ids:
            set_page_type(s, pid, new_type, actor="os:archivist", numbering=numbering)
        s.commit()
        assert multi.archive_no != before and f"-{settings.archive.type_codes[new_type]}-" in multi.archive_no
        actions = [a for a, in s.execute(select(AuditEvent.action).where(AuditEvent.actor == "os:archivist"))]
        assert {"review.file", "review.split", "review.move_pages", "review.set_type"} <= set(actions)
    engine.dispose()
    assert os_actor().startswith("os:")


def test_filed_documents_have_their_own_original_and_dossier_objects(filed) -> None:
    import pdfplumber
    import pikepdf

    from storage.filing import read_manifest
    from storage.objects import original_key

    settings, _, _ = filed
    objects = settings.objects.path
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        for doc in s.scalars(select(Document)):
            pages = s.scalars(select(Page).where(Page.document_id == doc.id)).all()
            original = objects / doc.original_key
            with pikepdf.open(original) as pdf:  # the document's own pages, cut from the intake file
                assert len(pdf.pages) == len(pages)
            if doc.state == DocumentState.FILED:
                prefix = objects / doc.objects_prefix
                manifest = read_manifest((prefix / "manifest.json").read_bytes())
                assert manifest.archive_no == doc.archive_no and len(manifest.pages) == len(pages)
                manifest_text = (prefix / "manifest.json").read_text(encoding="utf-8")
                assert not any(line[:8] in manifest_text for line in pages[0].text.splitlines() if len(line) >= 8)
                with pdfplumber.open(prefix / "document.pdf") as pdf:
                    extracted = "".join(page.extract_text() or "" for page in pdf.pages)
                assert pages[0].text.split()[0][:4] in extracted.replace(" ", "")
                assert all((prefix / f"pages/{n:04d}.jpg").is_file() for n in range(1, len(pages) + 1))
            else:
                assert doc.objects_prefix is None
        for job in s.scalars(select(Job)):
            states = {d.state for d in s.scalars(select(Document).where(Document.job_id == job.id))}
            # The intake file is retired from the store once every document of it is filed on its own.
            assert (objects / original_key(job.sha256)).exists() == (states != {DocumentState.FILED})
    engine.dispose()


def test_review_cli_files_a_document_and_writes_its_dossier_objects(filed) -> None:
    from typer.testing import CliRunner

    from dangan.cli import app

    settings, _, _ = filed
    env = {"DANGAN_HOME": str(settings.home), "DANGAN_DATABASE_URL": settings.database_url}
    listed = CliRunner().invoke(app, ["review", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    item = next(i for i in json.loads(listed.stdout) if i["pending_dossiers"])
    args = ["review", "file", str(item["document_id"]), "--customer", item["suggested_customer_no"],
            "--dossier", item["pending_dossiers"][0]]
    done = CliRunner().invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        doc = s.get_one(Document, item["document_id"])
        assert doc.state == DocumentState.FILED
        assert (settings.objects.path / doc.objects_prefix / "manifest.json").is_file()
    engine.dispose()
    wrong = CliRunner().invoke(app, [*args[:3], "--customer", "KH0000000001"], env=env)
    assert wrong.exit_code == 1 and "KH0000000001" in wrong.output


def test_a_register_import_files_documents_of_customers_it_adds(settings: Settings, tmp_path: Path) -> None:
    """Papers of a customer not yet in the register wait in review; importing the customer files them."""
    import csv as csv_module

    from typer.testing import CliRunner

    from dangan.cli import app

    out = tmp_path / "corpus"
    manifest = corpus.generate(out, seed=12, customers=3, formats=["text_pdf"])
    with_dealer(settings, out)
    rows = list(csv_module.DictReader((out / "customers.csv").open(encoding="utf-8-sig")))
    late = rows[0]["customer_no"]
    early = tmp_path / "early.csv"
    with early.open("w", encoding="utf-8", newline="") as f:
        writer = csv_module.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["customer_no"] != late)
    import_customers(settings, early)
    with Pipeline(settings, actor="os:clerk", keep_files=True) as pipeline:
        for entry in manifest.files:
            pipeline.submit(out / entry.name)
        pipeline.drain()

    def filed_pages_of(customer_no: str) -> int:
        engine = db.make_engine(settings.database_url)
        with db.session_factory(engine)() as s:
            n = s.scalar(select(func.count()).select_from(Page).join(Document, Document.id == Page.document_id)
                         .join(Customer, Customer.id == Document.customer_id)
                         .where(Customer.customer_no == customer_no, Document.state == DocumentState.FILED))
        engine.dispose()
        return int(n or 0)

    assert filed_pages_of(late) == 0  # never replaced by a similar customer
    env = {"DANGAN_HOME": str(settings.home), "DANGAN_DATABASE_URL": settings.database_url,
           "DANGAN_CLASSIFY__DEALER_USCC": settings.classify.dealer_uscc,
           "DANGAN_CLASSIFY__DEALER_PHONES": settings.classify.dealer_phones}
    result = CliRunner().invoke(app, ["customers", "import", str(out / "customers.csv")], env=env)
    assert result.exit_code == 0, result.output
    assert filed_pages_of(late) > 0


def test_the_same_paper_scanned_again_is_flagged_not_filed_twice(filed) -> None:
    """Other bytes, same paper: a re-made PDF of a filed document goes to review naming what it repeats."""
    import pikepdf

    settings, _, inbox = filed
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        doc, name = s.execute(
            select(Document, Job.source_name).join(Job, Job.id == Document.job_id)
            .where(Document.state == DocumentState.FILED, Document.doc_type == "contract")
        ).first()
        archive_no, page_nos = doc.archive_no, [p.page_no for p in s.scalars(
            select(Page).where(Page.document_id == doc.id).order_by(Page.page_no))]
    engine.dispose()
    again = inbox.parent / "rescan.pdf"
    with pikepdf.open(inbox / name) as src:
        out = pikepdf.new()
        for n in page_nos:
            out.pages.append(src.pages[n - 1])
        out.docinfo["/Title"] = "scanned again"  # different bytes, same paper
        out.save(again)
    with Pipeline(settings, actor="os:clerk", keep_files=True) as pipeline:
        pipeline.submit(again)
        pipeline.drain()
    engine = db.make_engine(settings.database_url)
    with db.session_factory(engine)() as s:
        repeat = s.scalars(select(Document).join(Job, Job.id == Document.job_id)
                           .where(Job.source_name == "rescan.pdf")).one()
        assert repeat.state == DocumentState.REVIEW and repeat.duplicate_of == doc.id
        assert archive_no in (repeat.review_reason or "")
    engine.dispose()
