"""Completeness rules: the packaged dossier types, the status rule as a table, and broken config files."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify.completeness import (
    CompletenessStatus,
    DocumentFact,
    DossierFacts,
    DossierTypes,
    DossierTypesError,
    PendingFact,
    assess,
    load_dossier_types,
)
from classify.doctype import load_rules

COMPLETE = CompletenessStatus.COMPLETE
INCOMPLETE = CompletenessStatus.INCOMPLETE
PENDING = CompletenessStatus.PENDING


@pytest.fixture(scope="module")
def types() -> DossierTypes:
    return load_dossier_types()


def docs(*types_: str) -> tuple[DocumentFact, ...]:
    return tuple(DocumentFact(t, f"DA-2025-000001-{i:02d}") for i, t in enumerate(types_, start=1))


def dossier(
    documents: tuple[DocumentFact, ...] = (),
    pending: tuple[PendingFact, ...] = (),
    dossier_type: str = "new_car",
    archive_no: str = "DA-2025-000001",
) -> DossierFacts:
    return DossierFacts(
        archive_no=archive_no, dossier_type=dossier_type, customer_no="C001", customer_name="张三",
        vin="LSVAB2BR0KN123456" if dossier_type != "customer" else None, documents=documents, pending=pending,
    )


ALL_NEW_CAR = ("contract", "invoice", "id_copy", "inspection_sheet")

# (case, dossier type, filed types, pending types, expected missing, expected status)
CASES = [
    ("all present", "new_car", ALL_NEW_CAR, (), (), COMPLETE),
    ("missing invoice", "new_car", ("contract", "id_copy", "inspection_sheet"), (), ("invoice",), INCOMPLETE),
    ("papers never came", "new_car", (), (), ALL_NEW_CAR, INCOMPLETE),
    ("pending invoice may fill the gap", "new_car", ("contract", "id_copy", "inspection_sheet"), ("invoice",),
     ("invoice",), PENDING),
    ("pending page of unknown type", "new_car", ("contract", "id_copy", "inspection_sheet"), (None,),
     ("invoice",), PENDING),
    ("a pending ID copy does not hide three other gaps", "new_car", (), ("id_copy",), ALL_NEW_CAR,
     INCOMPLETE),
    ("two gaps, one pending invoice", "new_car", ("contract", "id_copy"), ("invoice",),
     ("invoice", "inspection_sheet"), INCOMPLETE),
    ("two gaps, a pending invoice and an untyped page", "new_car", ("contract", "id_copy"), ("invoice", None),
     ("invoice", "inspection_sheet"), PENDING),
    ("two gaps, one untyped page", "new_car", ("contract", "id_copy"), (None,),
     ("invoice", "inspection_sheet"), INCOMPLETE),
    ("pending contract cannot fill a missing invoice", "new_car", ("contract", "id_copy", "inspection_sheet"),
     ("contract",), ("invoice",), INCOMPLETE),
    ("complete stays complete with a page in review", "new_car", ALL_NEW_CAR, ("other",), (), COMPLETE),
    ("other satisfies nothing", "new_car", ("other", "other", "blank"), (), ALL_NEW_CAR, INCOMPLETE),
    ("pending other fills nothing", "new_car", ("contract", "invoice", "id_copy"), ("other",),
     ("inspection_sheet",), INCOMPLETE),
    ("after-sales: repair order and 12-item sheet", "after_sales", ("contract", "inspection_sheet"), (), (),
     COMPLETE),
    ("after-sales without inspection sheet", "after_sales", ("contract", "other"), (), ("inspection_sheet",),
     INCOMPLETE),
    ("customer dossier", "customer", ("contract", "id_copy"), (), (), COMPLETE),
    ("customer dossier without ID copy", "customer", ("contract",), (), ("id_copy",), INCOMPLETE),
]


@pytest.mark.parametrize(
    ("dossier_type", "filed", "waiting", "missing", "status"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_status_rule(
    types: DossierTypes,
    dossier_type: str,
    filed: tuple[str, ...],
    waiting: tuple[str | None, ...],
    missing: tuple[str, ...],
    status: CompletenessStatus,
) -> None:
    pending = tuple(PendingFact(t, "type_uncertain") for t in waiting)
    result = assess(dossier(docs(*filed), pending, dossier_type), types)
    assert result.missing == missing
    assert result.status is status
    assert result.pending_review == len(waiting)
    assert set(result.present) == set(filed)


def test_present_lists_archive_numbers_per_type_in_config_order(types: DossierTypes) -> None:
    filed = (
        DocumentFact("other", "X-QT-01"), DocumentFact("invoice", "X-FP-01"),
        DocumentFact("contract", "X-HT-01"), DocumentFact("contract", "X-HT-02"),
    )
    result = assess(dossier(filed), types)
    assert result.present == {
        "contract": ("X-HT-01", "X-HT-02"), "invoice": ("X-FP-01",), "other": ("X-QT-01",)
    }
    assert result.missing == ("id_copy", "inspection_sheet")


def test_an_id_copy_pending_in_two_open_dossiers_makes_both_pending(types: DossierTypes) -> None:
    # The customer has two open new-car dossiers; an ID copy naming only the customer waits in each.
    id_copy = PendingFact("id_copy", "several_open_dossiers")
    filed = docs("contract", "invoice", "inspection_sheet")
    first = assess(dossier(filed, (id_copy,), archive_no="DA-2025-000001"), types)
    second = assess(dossier(filed, (id_copy,), archive_no="DA-2025-000002"), types)
    for result in (first, second):
        assert result.status is PENDING
        assert result.missing == ("id_copy",)
        assert "id_copy" not in result.present


def test_unknown_dossier_type_is_a_config_error(types: DossierTypes) -> None:
    with pytest.raises(DossierTypesError, match="lease"):
        assess(dossier(dossier_type="lease"), types)
    with pytest.raises(DossierTypesError, match="lease"):
        types.require_dossier_types(["new_car", "lease"])
    types.require_dossier_types(["new_car", "after_sales", "customer"])


def test_packaged_config_labels_and_classifier_types(types: DossierTypes) -> None:
    assert types.dossier("new_car").requires == ALL_NEW_CAR
    assert types.required_types == ALL_NEW_CAR
    assert types.document_label("id_copy") == "身份证明复印件"
    assert types.document_label("inspection_sheet", "en") == "Inspection sheet"
    assert types.document_label("blank") == "空白页"
    assert types.dossier_label("after_sales") == "售后档案"
    assert types.document_label("unheard_of") == "unheard_of"
    # Every required type is one the classifier can give.
    load_dossier_types(known_doc_types={t.name for t in load_rules().types})


CUSTOM = """
format = 1
[document_types.contract]
zh = "合同"
en = "Contract"
[document_types.invoice]
zh = "发票"
en = "Invoice"
[dossier_types.after_sales]
zh = "售后档案"
en = "After-sales dossier"
requires = ["contract", "invoice"]
[dossier_types.new_car]
zh = "新车"
en = "New car"
requires = []
"""


def test_custom_config(tmp_path: Path) -> None:
    path = tmp_path / "types.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    types = load_dossier_types(path)
    result = assess(dossier(docs("contract", "inspection_sheet"), dossier_type="after_sales"), types)
    assert result.missing == ("invoice",)
    assert result.status is INCOMPLETE
    assert assess(dossier(dossier_type="new_car"), types).status is COMPLETE  # requires nothing
    assert types.document_label("other") == "其他"  # always there, labelled by default


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (('requires = ["contract", "invoice"]', 'require = ["contract", "invoice"]'), "unknown keys"),
        (('requires = ["contract", "invoice"]', 'requires = ["contract", "other"]'), "never be required"),
        (('requires = ["contract", "invoice"]', 'requires = ["contract", "receipt"]'), "undeclared"),
        (('requires = ["contract", "invoice"]', 'requires = ["invoice", "invoice"]'), "twice"),
        (('requires = ["contract", "invoice"]', 'requires = "contract"'), "list"),
        (('zh = "发票"', 'zh = ""'), "non-empty"),
        (("format = 1", "format = 2"), "format"),
        (("[dossier_types.new_car]", "[dossier_types.New-Car]"), "lower-case"),
        (('en = "Invoice"', "en = "), "TOML"),
    ],
)
def test_broken_config_is_refused(tmp_path: Path, change: tuple[str, str], complaint: str) -> None:
    path = tmp_path / "types.toml"
    path.write_text(CUSTOM.replace(*change, 1), encoding="utf-8")
    with pytest.raises(DossierTypesError, match=complaint):
        load_dossier_types(path)


def test_requirement_the_classifier_never_gives_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "types.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    with pytest.raises(DossierTypesError, match="never gives"):
        load_dossier_types(path, known_doc_types={"contract", "other", "blank"})
