"""Completeness of dossiers: which required documents each holds and lacks, by rules loaded from data."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from dangan.errors import ConfigError

__all__ = [
    "BLANK",
    "NEVER_REQUIRED",
    "OTHER",
    "Completeness",
    "CompletenessStatus",
    "DocumentFact",
    "DocumentTypeSpec",
    "DossierFacts",
    "DossierTypeSpec",
    "DossierTypes",
    "DossierTypesError",
    "Label",
    "PendingFact",
    "assess",
    "load_dossier_types",
]

#: Document types that exist always and never satisfy a requirement (the same names as classify.doctype).
OTHER = "other"
BLANK = "blank"
NEVER_REQUIRED = frozenset({OTHER, BLANK})

_FORMAT = 1
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PACKAGED = "classify/dossier_types.toml"


class DossierTypesError(ConfigError):
    """The dossier-types file cannot be used: dangan refuses to start rather than check with wrong rules."""

    code = "dossier_types_error"

    def __init__(self, where: str, problem: str) -> None:
        super().__init__("档案类型配置文件有误", "the dossier-types file is wrong", f"{where}: {problem}")


# --- configuration --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """A user-facing name in Chinese and English."""

    zh: str
    en: str

    def text(self, lang: str) -> str:
        """The label in `lang`: "en" gives English, anything else Chinese (the product's first language)."""
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True, slots=True)
class DocumentTypeSpec:
    """A document type as configured: its name (as the classifier gives it) and labels."""

    name: str
    label: Label
    description: str = ""


@dataclass(frozen=True, slots=True)
class DossierTypeSpec:
    """A dossier type and the document types a complete dossier of it holds, in report order."""

    name: str
    label: Label
    requires: tuple[str, ...]
    description: str = ""


_DEFAULT_LABELS = {OTHER: Label("其他", "Other"), BLANK: Label("空白页", "Blank page")}


@dataclass(frozen=True, slots=True)
class DossierTypes:
    """A loaded dossier-types file: document types and dossier types, each in the file's order.

    Attributes:
        documents: every document type, `other` and `blank` included.
        dossiers: every dossier type.
        source: where the file came from, for messages.
    """

    documents: tuple[DocumentTypeSpec, ...]
    dossiers: tuple[DossierTypeSpec, ...]
    source: str = _PACKAGED

    def dossier(self, name: str) -> DossierTypeSpec:
        """The dossier type called `name`.

        Raises:
            DossierTypesError: the type is not configured (the register uses a type the file lacks).
        """
        for spec in self.dossiers:
            if spec.name == name:
                return spec
        known = [s.name for s in self.dossiers]
        raise DossierTypesError(self.source, f"dossier type {name!r} is not configured; configured: {known}")

    def require_dossier_types(self, names: Iterable[str]) -> None:
        """Refuse a file lacking a dossier type the caller uses; call it at startup with the register's types.

        This module does not know the register (classify sits upstream of storage), so the check is the
        caller's: a missing type found at startup is a clear error, found in a report it would be a crash.

        Args:
            names: the dossier types that must be configured (storage.register.DossierType values).

        Raises:
            DossierTypesError: naming every missing type.
        """
        configured = {s.name for s in self.dossiers}
        if missing := sorted(set(names) - configured):
            raise DossierTypesError(self.source, f"dossier types used by the register are missing: {missing}")

    @property
    def required_types(self) -> tuple[str, ...]:
        """Every document type some dossier type requires, in document-type order: the report's columns."""
        wanted = {t for spec in self.dossiers for t in spec.requires}
        return tuple(d.name for d in self.documents if d.name in wanted)

    def document_label(self, name: str, lang: str = "zh") -> str:
        """The label of document type `name`; an unconfigured name is shown as itself rather than hidden."""
        for spec in self.documents:
            if spec.name == name:
                return spec.label.text(lang)
        return name

    def dossier_label(self, name: str, lang: str = "zh") -> str:
        """The label of dossier type `name`; an unconfigured name is shown as itself."""
        for spec in self.dossiers:
            if spec.name == name:
                return spec.label.text(lang)
        return name


_DOCUMENT_KEYS = frozenset({"zh", "en", "description"})
_DOSSIER_KEYS = frozenset({"zh", "en", "description", "requires"})


def _check_keys(body: Any, allowed: frozenset[str], required: frozenset[str], where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise DossierTypesError(where, "must be a table")
    # A misspelt key (`require = [...]`) would otherwise be ignored and the type would require nothing.
    if unknown := sorted(set(body) - allowed):
        raise DossierTypesError(where, f"unknown keys {unknown}; allowed: {sorted(allowed)}")
    if absent := sorted(required - set(body)):
        raise DossierTypesError(where, f"missing keys {absent}")
    return body


def _label(body: dict[str, Any], where: str) -> Label:
    values = []
    for key in ("zh", "en"):
        value = body[key]
        if not isinstance(value, str) or not value.strip():
            raise DossierTypesError(where, f"{key} must be a non-empty string")
        values.append(value.strip())
    return Label(*values)


def _description(body: dict[str, Any], where: str) -> str:
    value = body.get("description", "")
    if not isinstance(value, str):
        raise DossierTypesError(where, "description must be a string")
    return value


def _tables(data: dict[str, Any], key: str, source: str) -> dict[str, Any]:
    tables = data.get(key)
    if not isinstance(tables, dict) or not tables:
        raise DossierTypesError(source, f"no [{key}.*] tables")
    for name in tables:
        if not _NAME.fullmatch(name):
            raise DossierTypesError(f"{source} [{key}.{name}]", "names are lower-case words (a-z, 0-9, _)")
    return tables


def load_dossier_types(
    path: Path | None = None, *, known_doc_types: Collection[str] | None = None
) -> DossierTypes:
    """Load and check a dossier-types file.

    Args:
        path: a TOML file in the format described at the top of classify/dossier_types.toml; None loads the
            file packaged with dangan. A file given replaces the packaged one as a whole.
        known_doc_types: the document types the classifier can give (e.g. the type names of
            `classify.load_rules()`); when given, a requirement naming any other type is refused, because no
            dossier could ever satisfy it.

    Returns:
        The configuration, ready for `assess` and for report labels.

    Raises:
        DossierTypesError: the file is not valid TOML or breaks the format.
    """
    if path is None:
        source = _PACKAGED
        raw = resources.files("classify").joinpath("dossier_types.toml").read_bytes()
    else:
        source = str(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise DossierTypesError(source, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DossierTypesError(source, f"not a valid TOML file: {exc}") from exc
    if data.get("format") != _FORMAT:
        raise DossierTypesError(source, f"format must be {_FORMAT}")
    if unknown := sorted(set(data) - {"format", "document_types", "dossier_types"}):
        raise DossierTypesError(source, f"unknown top-level keys {unknown}")

    documents: list[DocumentTypeSpec] = []
    for name, body in _tables(data, "document_types", source).items():
        where = f"{source} [document_types.{name}]"
        body = _check_keys(body, _DOCUMENT_KEYS, frozenset({"zh", "en"}), where)
        documents.append(DocumentTypeSpec(name, _label(body, where), _description(body, where)))
    for name, label in _DEFAULT_LABELS.items():
        if all(d.name != name for d in documents):
            documents.append(DocumentTypeSpec(name, label))
    document_names = {d.name for d in documents}

    dossiers: list[DossierTypeSpec] = []
    for name, body in _tables(data, "dossier_types", source).items():
        where = f"{source} [dossier_types.{name}]"
        body = _check_keys(body, _DOSSIER_KEYS, frozenset({"zh", "en", "requires"}), where)
        requires = body["requires"]
        if not isinstance(requires, list) or not all(isinstance(t, str) for t in requires):
            raise DossierTypesError(where, "requires must be a list of document type names")
        if len(set(requires)) != len(requires):
            raise DossierTypesError(where, "requires names a document type twice")
        if never := sorted(set(requires) & NEVER_REQUIRED):
            raise DossierTypesError(where, f"{never} can never be required")
        if undeclared := [t for t in requires if t not in document_names]:
            raise DossierTypesError(where, f"requires undeclared document types {undeclared}")
        if known_doc_types is not None and (unknown := [t for t in requires if t not in known_doc_types]):
            raise DossierTypesError(where, f"requires {unknown}, which the classifier never gives")
        label, description = _label(body, where), _description(body, where)
        dossiers.append(DossierTypeSpec(name, label, tuple(requires), description))
    return DossierTypes(tuple(documents), tuple(dossiers), source)


# --- facts and assessment -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentFact:
    """A document filed in the dossier: its type and its archive number."""

    doc_type: str
    archive_no: str


@dataclass(frozen=True, slots=True)
class PendingFact:
    """A document that may belong in the dossier but waits for a person.

    Either its customer is certain but its dossier is not (the customer has several open dossiers: it is
    pending in each), or its type or customer waits in the review queue with this dossier as the suggestion.

    Attributes:
        doc_type: the type if known (the classifier's suggestion counts); None when the type is in doubt.
        reason: why it waits, as the review queue states it (for the record; not used to decide anything).
    """

    doc_type: str | None
    reason: str


@dataclass(frozen=True, slots=True, repr=False)
class DossierFacts:
    """What the database knows about one dossier: the input of `assess` and of the completeness report.

    A dossier whose papers never came has no documents and is missing everything it requires.

    Attributes:
        archive_no: the dossier's archive number (档案号).
        dossier_type: a dossier type of the configuration (new_car, after_sales, customer).
        customer_no: the customer's number in the register.
        customer_name: the customer's name, as the register gives it.
        vin: the vehicle's VIN; None for a customer dossier.
        department: the responsible department (部门), for filtering reports.
        salesperson: the responsible salesperson or service adviser, for filtering reports.
        state: the dossier's state (open, handed_in).
        documents: the documents filed in it, in filing order.
        pending: documents waiting for a person that may belong in it.
    """

    archive_no: str
    dossier_type: str
    customer_no: str
    customer_name: str
    vin: str | None = None
    department: str | None = None
    salesperson: str | None = None
    state: str = "open"
    documents: Sequence[DocumentFact] = ()
    pending: Sequence[PendingFact] = ()

    def __repr__(self) -> str:
        # The name is personal data: a stray log line shows keys and counts only.
        return (
            f"DossierFacts(archive_no={self.archive_no!r}, dossier_type={self.dossier_type!r}, "
            f"customer_no={self.customer_no!r}, documents={len(self.documents)}, pending={len(self.pending)})"
        )


class CompletenessStatus(StrEnum):
    """How complete a dossier is; see `assess` for the exact rule."""

    COMPLETE = "complete"  # every required type is filed
    INCOMPLETE = "incomplete"  # something required is missing that no document waiting in review can supply
    PENDING = "pending"  # something required is missing, and documents waiting in review may supply all of it


@dataclass(frozen=True, slots=True)
class Completeness:
    """The completeness of one dossier.

    Attributes:
        present: archive numbers of the filed documents per type (every type filed, `other` included),
            types in configuration order, numbers in the order given.
        missing: required types with no filed document, in the order the dossier type lists them.
        pending_review: how many documents wait in review for this dossier (all of them, whether or not they
            could supply a missing type).
        status: see `CompletenessStatus` and `assess`.
    """

    present: dict[str, tuple[str, ...]] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    pending_review: int = 0
    status: CompletenessStatus = CompletenessStatus.COMPLETE


def assess(dossier: DossierFacts, types: DossierTypes) -> Completeness:
    """Decide which required documents a dossier holds and lacks.

    The rule:
      - A required type is satisfied by at least one filed document of that type. Documents waiting in review
        never satisfy anything, and neither do `other` or `blank` (they cannot be required).
      - complete: no required type is missing. Documents still waiting are counted in `pending_review` but
        do not change the status, since nothing is lacking.
      - pending: something is missing, and review alone could make the dossier complete: every missing type
        has a waiting document of that type, or a waiting document whose type is not yet known stands for it
        (one such document for one missing type). Nobody needs to fetch paper, a person needs to decide; a
        customer's ID copy that waits because the customer has several open dossiers makes each of them
        pending when it is all they lack.
      - incomplete: something is missing that the waiting documents cannot all supply, so paper must still
        be brought in. A dossier lacking its contract stays incomplete even while its ID copy waits in
        review: "pending" must never hide a gap someone has to close.

    Args:
        dossier: the facts of one dossier.
        types: the configuration giving the dossier type's requirements.

    Returns:
        What is present and missing, and the status.

    Raises:
        DossierTypesError: the dossier's type is not configured.
    """
    spec = types.dossier(dossier.dossier_type)
    grouped: dict[str, list[str]] = {}
    for doc in dossier.documents:
        grouped.setdefault(doc.doc_type, []).append(doc.archive_no)
    order = {d.name: i for i, d in enumerate(types.documents)}
    present = {
        t: tuple(grouped[t]) for t in sorted(grouped, key=lambda t: (order.get(t, len(order)), t))
    }
    missing = tuple(t for t in spec.requires if t not in present)
    waiting_types = {p.doc_type for p in dossier.pending}
    uncovered = [t for t in missing if t not in waiting_types]
    untyped = sum(1 for p in dossier.pending if p.doc_type is None)
    if not missing:
        status = CompletenessStatus.COMPLETE
    elif len(uncovered) <= untyped:
        status = CompletenessStatus.PENDING
    else:
        status = CompletenessStatus.INCOMPLETE
    return Completeness(present, missing, len(dossier.pending), status)
