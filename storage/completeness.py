"""The database side of completeness: the facts of every registered dossier, for `classify.completeness.assess`."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from classify.completeness import DocumentFact, DossierFacts, PendingFact
from storage.documents import Document, DocumentState
from storage.register import Customer, Dossier, DossierState, Vehicle


def dossier_facts(session: Session) -> list[DossierFacts]:
    """One entry per dossier of every registered customer and vehicle, papers or not.

    A document waiting in review is pending in the dossiers it may belong to: those the matcher named
    (a certain customer with several open dossiers), or, when it only suggests a customer, each of that
    customer's open dossiers. It never counts as present.
    """
    customers = {c.id: c for c in session.scalars(select(Customer))}
    vins = dict(session.execute(select(Vehicle.id, Vehicle.vin)).all())
    dossiers = session.scalars(select(Dossier).order_by(Dossier.archive_no)).all()
    filed: dict[int, list[DocumentFact]] = defaultdict(list)
    pending: dict[str, list[PendingFact]] = defaultdict(list)
    open_by_customer_no: dict[str, list[str]] = defaultdict(list)
    for d in dossiers:
        if d.state == DossierState.OPEN:
            open_by_customer_no[customers[d.customer_id].customer_no].append(d.archive_no)
    for doc in session.scalars(select(Document).where(Document.state.in_((DocumentState.FILED, DocumentState.REVIEW)))
                               .order_by(Document.id)):
        if doc.state == DocumentState.FILED and doc.dossier_id is not None:
            filed[doc.dossier_id].append(DocumentFact(doc.doc_type, doc.archive_no or ""))
            continue
        if doc.doc_type == "blank":
            continue  # an empty sheet can fill no requirement
        targets = list(doc.pending_dossiers or ()) or open_by_customer_no.get(doc.suggested_customer_no or "", [])
        for archive_no in targets:
            pending[archive_no].append(PendingFact(doc.doc_type, doc.review_reason or ""))
    return [
        DossierFacts(
            archive_no=d.archive_no,
            dossier_type=d.dossier_type,
            customer_no=customers[d.customer_id].customer_no,
            customer_name=customers[d.customer_id].name,
            vin=vins.get(d.vehicle_id) if d.vehicle_id else None,
            department=d.department,
            salesperson=d.salesperson,
            state=d.state,
            documents=tuple(filed.get(d.id, ())),
            pending=tuple(pending.get(d.archive_no, ())),
        )
        for d in dossiers
    ]
