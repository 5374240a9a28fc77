"""Customer and dossier matching of a document against the customer register, explained and never guessed."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from classify._text import compact, is_han, mask, nfkc
from classify.identifiers import (
    DEFAULT_CUSTOMER_NO_PATTERN,
    STRONG_KINDS,
    Found,
    IdKind,
    find_identifiers,
    normalize_id_number,
    normalize_phone,
    normalize_plate,
)

__all__ = [
    "CustomerRecord",
    "VehicleRecord",
    "DossierRecord",
    "DealerIdentifiers",
    "Register",
    "Strength",
    "EvidenceStatus",
    "Evidence",
    "Match",
    "match_document",
    "page_customer_keys",
]


# --- register -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class CustomerRecord:
    """A row of the customer register as the dealer system exports it.

    Attributes:
        customer_no: the register key (客户编号).
        name: person or company name.
        type: "person" or "company".
        id_number: resident ID number of a person.
        uscc: unified social credit code of a company.
        phone: mobile number(s); several may be separated by , ; / or spaces.
        plate: a licence plate.
    """

    customer_no: str
    name: str = ""
    type: str = "person"
    id_number: str | None = None
    uscc: str | None = None
    phone: str | None = None
    plate: str | None = None

    def __repr__(self) -> str:
        return f"CustomerRecord(customer_no={self.customer_no!r}, type={self.type!r})"


@dataclass(frozen=True, slots=True, repr=False)
class VehicleRecord:
    """A vehicle of the register, owned by one customer."""

    vin: str
    customer_no: str
    plate: str | None = None

    def __repr__(self) -> str:
        return f"VehicleRecord(vin={mask(self.vin)}, customer_no={self.customer_no!r})"


@dataclass(frozen=True, slots=True)
class DossierRecord:
    """A dossier: one per vehicle sale (vin set) or per customer (vin None). Open = not yet handed in."""

    dossier_key: str
    customer_no: str
    vin: str | None = None
    open: bool = True


@dataclass(frozen=True, slots=True, repr=False)
class DealerIdentifiers:
    """The dealer's own identifiers, printed on every contract and invoice: never evidence of a customer.

    Attributes:
        uscc: the dealer's credit codes (group companies may have several).
        phones: its mobile numbers (hotlines, sales staff who print theirs on contracts).
        names: its company names; removed from the text before names are looked up.
        addresses: its addresses; removed likewise.
    """

    uscc: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"DealerIdentifiers({len(self.uscc)} uscc, {len(self.phones)} phones, {len(self.names)} names)"


_PHONE_SPLIT = re.compile(r"[,;/，；、\s]+")


def _frozen(index: Mapping[str, set[str]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({k: frozenset(v) for k, v in index.items()})


@dataclass(frozen=True, slots=True, repr=False)
class Register:
    """The register data matching needs, indexed by normalised identifier. Build it with `Register.build`.

    Lookups return the set of customer numbers a value belongs to: usually one, several when the register
    shares a value (a family phone), which makes that value unable to decide on its own.
    """

    customers: Mapping[str, CustomerRecord]
    by_kind: Mapping[IdKind, Mapping[str, frozenset[str]]]
    vehicles: Mapping[str, VehicleRecord]
    plate_vins: Mapping[str, frozenset[str]]
    dossiers_by_customer: Mapping[str, tuple[DossierRecord, ...]]
    dossiers_by_vin: Mapping[str, tuple[DossierRecord, ...]]
    names: Mapping[str, frozenset[str]]
    name_prefixes: Mapping[str, frozenset[int]]
    dealer_values: Mapping[IdKind, frozenset[str]]
    dealer_texts: tuple[str, ...]
    customer_no_pattern: str = DEFAULT_CUSTOMER_NO_PATTERN

    def __repr__(self) -> str:
        return f"Register({len(self.customers)} customers, {len(self.vehicles)} vehicles)"

    @classmethod
    def build(
        cls,
        customers: Iterable[CustomerRecord],
        vehicles: Iterable[VehicleRecord] = (),
        dossiers: Iterable[DossierRecord] = (),
        dealer: DealerIdentifiers | None = None,
        *,
        customer_no_pattern: str = DEFAULT_CUSTOMER_NO_PATTERN,
    ) -> Register:
        """Index plain register records.

        Values are normalised the way the finder normalises page text (NFKC, upper case, x as X, phone
        separators and +86 dropped, plate separators dropped). A value the register holds that does not
        validate (an imported VIN without check digit, a mistyped ID) is indexed as it is: the register is
        the authority, and only an exact reading can match it.

        Args:
            customers: customer rows.
            vehicles: vehicle rows (VIN, owner, plate).
            dossiers: dossier rows (key, customer, VIN or None, open).
            dealer: the dealer's own identifiers to ignore.
            customer_no_pattern: the regex of a customer number on paper (see `find_identifiers`).

        Returns:
            The register.
        """
        dealer = dealer or DealerIdentifiers()
        by_kind: dict[IdKind, dict[str, set[str]]] = {kind: defaultdict(set) for kind in IdKind}
        customer_map: dict[str, CustomerRecord] = {}
        names: dict[str, set[str]] = defaultdict(set)
        for c in customers:
            customer_map[c.customer_no] = c
            by_kind[IdKind.CUSTOMER_NO][_norm_plain(c.customer_no)].add(c.customer_no)
            if c.id_number:
                by_kind[IdKind.ID_NUMBER][normalize_id_number(c.id_number)].add(c.customer_no)
            if c.uscc:
                by_kind[IdKind.USCC][_norm_plain(c.uscc)].add(c.customer_no)
            for phone in _PHONE_SPLIT.split(nfkc(c.phone or "")):
                if normalized := normalize_phone(phone):
                    by_kind[IdKind.PHONE][normalized].add(c.customer_no)
            if c.phone and (whole := normalize_phone(c.phone)):  # "138 1234 5678" split by the loop above
                by_kind[IdKind.PHONE][whole].add(c.customer_no)
            if c.plate and (plate := normalize_plate(c.plate)):
                by_kind[IdKind.PLATE][plate].add(c.customer_no)
            if name := compact(c.name):
                names[name].add(c.customer_no)
        vehicle_map: dict[str, VehicleRecord] = {}
        plate_vins: dict[str, set[str]] = defaultdict(set)
        for v in vehicles:
            vin = _norm_plain(v.vin)
            vehicle_map[vin] = v
            by_kind[IdKind.VIN][vin].add(v.customer_no)
            if v.plate and (plate := normalize_plate(v.plate)):
                by_kind[IdKind.PLATE][plate].add(v.customer_no)
                plate_vins[plate].add(vin)
        by_customer: dict[str, list[DossierRecord]] = defaultdict(list)
        by_vin: dict[str, list[DossierRecord]] = defaultdict(list)
        for d in dossiers:
            by_customer[d.customer_no].append(d)
            if d.vin:
                by_vin[_norm_plain(d.vin)].append(d)
        prefixes: dict[str, set[int]] = defaultdict(set)
        for name in names:
            if len(name) >= 2:
                prefixes[name[:2]].add(len(name))
        dealer_values = {
            IdKind.USCC: frozenset(_norm_plain(u) for u in dealer.uscc),
            IdKind.PHONE: frozenset(p for p in (normalize_phone(x) for x in dealer.phones) if p),
        }
        return cls(
            customers=MappingProxyType(customer_map),
            by_kind=MappingProxyType({kind: _frozen(index) for kind, index in by_kind.items()}),
            vehicles=MappingProxyType(vehicle_map),
            plate_vins=_frozen(plate_vins),
            dossiers_by_customer=MappingProxyType({k: tuple(v) for k, v in by_customer.items()}),
            dossiers_by_vin=MappingProxyType({k: tuple(v) for k, v in by_vin.items()}),
            names=_frozen(names),
            name_prefixes=MappingProxyType({k: frozenset(v) for k, v in prefixes.items()}),
            dealer_values=MappingProxyType(dealer_values),
            dealer_texts=tuple(t for t in (compact(x) for x in (*dealer.names, *dealer.addresses)) if t),
            customer_no_pattern=customer_no_pattern,
        )

    def lookup(self, kind: IdKind, value: str) -> frozenset[str]:
        """Customer numbers the register holds `value` of `kind` for (empty when unknown)."""
        return self.by_kind[kind].get(value, frozenset())

    def is_dealer(self, kind: IdKind, value: str) -> bool:
        """True if `value` is one of the dealer's own identifiers."""
        return value in self.dealer_values.get(kind, frozenset())


def _norm_plain(value: str) -> str:
    return re.sub(r"[\s\-]+", "", nfkc(value)).upper()


# --- evidence -------------------------------------------------------------------------------------


class Strength(StrEnum):
    """How much one piece of evidence says about the customer (DESIGN.md, customer matching)."""

    STRONG = "strong"  # resident ID, USCC, VIN: check character, one person, company or vehicle
    GOOD = "good"  # customer number, mobile phone, plate
    WEAK = "weak"  # a name: names repeat, never enough alone


class EvidenceStatus(StrEnum):
    """What the register says about one identifier found in the document."""

    MATCH = "match"  # the value (or its single valid repair) is in the register
    UNKNOWN = "unknown"  # valid as read, but the register does not know it
    UNKNOWN_REPAIR = "unknown_repair"  # only a repair validates, and the register does not know it
    AMBIGUOUS_REPAIR = "ambiguous_repair"  # several repairs validate: none is used


@dataclass(frozen=True, slots=True, repr=False)
class Evidence:
    """One piece of customer evidence found in a document.

    `value` is personal data: it may go to the database with the match, never to a log (the repr hides it).

    Attributes:
        kind: an `IdKind` value, or "name".
        strength: strong, good or weak.
        status: match, unknown, unknown_repair or ambiguous_repair.
        value: the normalised value used (the repair when one was used).
        customers: customer numbers it points to; for an ambiguous repair, those any candidate points to.
        repaired: the value is an OCR repair, not the text as read.
        page: 0-based index of the page it was found on.
    """

    kind: str
    strength: Strength
    status: EvidenceStatus
    value: str
    customers: tuple[str, ...]
    repaired: bool
    page: int

    def __repr__(self) -> str:
        return (
            f"Evidence(kind={self.kind}, strength={self.strength.value}, status={self.status.value}, "
            f"value={mask(self.value)}, customers={self.customers}, repaired={self.repaired}, "
            f"page={self.page})"
        )


@dataclass(frozen=True, slots=True)
class Match:
    """The customer and dossier of a document, and how sure that is.

    Attributes:
        customer_no: the customer; when `certain` is false it is only a suggestion for the review queue
            (None when evidence conflicts or points nowhere).
        dossier_key: the dossier to file into, when one is determined.
        pending_dossiers: open dossiers the document is pending in when the customer has several and the
            document does not say which (an ID copy); a person decides.
        confidence: 0..1.
        certain: file without review.
        reason: a short English explanation naming kinds, customer numbers and dossier keys, never the
            identifier values (it goes to the database and the review queue, not to logs).
        evidence: what was found, values included (database only).
    """

    customer_no: str | None
    dossier_key: str | None
    pending_dossiers: tuple[str, ...]
    confidence: float
    certain: bool
    reason: str
    evidence: tuple[Evidence, ...] = field(default=())

    def __repr__(self) -> str:
        return (
            f"Match(customer_no={self.customer_no!r}, dossier_key={self.dossier_key!r}, "
            f"pending_dossiers={self.pending_dossiers}, confidence={self.confidence}, "
            f"certain={self.certain}, "
            f"reason={self.reason!r}, evidence={len(self.evidence)} items)"
        )


def _strength(kind: IdKind) -> Strength:
    return Strength.STRONG if kind in STRONG_KINDS else Strength.GOOD


def _evidence_for(found: Found, register: Register, page: int) -> Evidence | None:
    """Turn one found identifier into evidence, or None when it is the dealer's own."""
    kind, strength = found.kind, _strength(found.kind)
    values = ([found.value] if found.valid else []) + list(found.repairs)
    if any(register.is_dealer(kind, v) for v in values):
        return None
    if found.valid:
        customers = register.lookup(kind, found.value)
        if customers:
            return Evidence(
                kind.value, strength, EvidenceStatus.MATCH, found.value, tuple(sorted(customers)), False, page
            )
    # Not valid as read, or valid but unknown while its repairs might be known (an unchecked VIN).
    if len(found.repairs) == 1:
        repaired = found.repairs[0]
        customers = register.lookup(kind, repaired)
        if customers:
            return Evidence(
                kind.value, strength, EvidenceStatus.MATCH, repaired, tuple(sorted(customers)), True, page
            )
    if found.valid:
        return Evidence(kind.value, strength, EvidenceStatus.UNKNOWN, found.value, (), False, page)
    if len(found.repairs) == 1:
        return Evidence(kind.value, strength, EvidenceStatus.UNKNOWN_REPAIR, found.repairs[0], (), True, page)
    pointed = sorted({c for r in found.repairs for c in register.lookup(kind, r)})
    return Evidence(
        kind.value, strength, EvidenceStatus.AMBIGUOUS_REPAIR, found.value, tuple(pointed), True, page
    )


def _find_names(flat: str, register: Register) -> dict[str, set[str]]:
    """Register names occurring in compact text: name -> customer numbers (longest name at each position)."""
    hits: dict[str, set[str]] = {}
    i = 0
    while i < len(flat) - 1:
        lengths = register.name_prefixes.get(flat[i : i + 2])
        if lengths:
            for length in sorted(lengths, reverse=True):
                candidate = flat[i : i + length]
                customers = register.names.get(candidate)
                if customers and _name_bounded(flat, i, length):
                    hits[candidate] = set(customers)
                    i += length - 1
                    break
        i += 1
    return hits


def _name_bounded(flat: str, start: int, length: int) -> bool:
    # A Latin name must not sit inside a longer word; Chinese text has no word boundaries to check.
    name = flat[start : start + length]
    if is_han(name[0]):
        return True
    before = flat[start - 1] if start else " "
    after = flat[start + length] if start + length < len(flat) else " "
    return not (before.isalnum() and not is_han(before)) and not (after.isalnum() and not is_han(after))


def _collect(
    pages_text: Sequence[str], register: Register, today: date | None
) -> tuple[list[Evidence], int, str]:
    evidence: list[Evidence] = []
    seen: set[tuple[str, str, EvidenceStatus]] = set()
    dealer_hits = 0
    for page, text in enumerate(pages_text):
        for found in find_identifiers(text, customer_no_pattern=register.customer_no_pattern, today=today):
            ev = _evidence_for(found, register, page)
            if ev is None:
                dealer_hits += 1
                continue
            key = (ev.kind, ev.value, ev.status)
            if key not in seen:  # the same number on three pages is one piece of evidence, not three
                seen.add(key)
                evidence.append(ev)
    flat = compact("\n".join(pages_text))
    for dealer_text in register.dealer_texts:
        flat = flat.replace(dealer_text, "|")
    return evidence, dealer_hits, flat


def page_customer_keys(text: str, register: Register, *, today: date | None = None) -> frozenset[str]:
    """Customer evidence keys of one page, for `segment.PageFacts.keys`.

    Pages of one customer share keys whatever identifiers they print: each identifier that resolves to
    exactly one customer contributes that customer number. A valid identifier the register does not know
    contributes itself (prefixed with its kind), so that two unknown customers in one batch still differ.
    Dealer identifiers, shared values and unresolved repairs contribute nothing.

    Args:
        text: the page text.
        register: the register.
        today: reference date for ID birth dates.

    Returns:
        The keys; they include identifier values, so keep them out of logs.
    """
    keys: set[str] = set()
    for found in find_identifiers(text, customer_no_pattern=register.customer_no_pattern, today=today):
        ev = _evidence_for(found, register, 0)
        if ev is None:
            continue
        if ev.status is EvidenceStatus.MATCH and len(ev.customers) == 1:
            keys.add(ev.customers[0])
        elif ev.status is EvidenceStatus.UNKNOWN and ev.strength is Strength.STRONG:
            keys.add(f"{ev.kind}:{ev.value}")
    return frozenset(keys)


# --- decision -------------------------------------------------------------------------------------


def _describe(ev: Evidence) -> str:
    return f"{ev.kind} (repaired)" if ev.repaired else ev.kind


def _choose_dossier(
    customer: str, evidence: Sequence[Evidence], register: Register
) -> tuple[str | None, tuple[str, ...], str]:
    """The customer's dossier: by VIN (or plate) when the document names the vehicle, else the open one."""
    vins: set[str] = set()
    for ev in evidence:
        if ev.status is not EvidenceStatus.MATCH or customer not in ev.customers:
            continue
        if ev.kind == IdKind.VIN:
            vins.add(ev.value)
        elif ev.kind == IdKind.PLATE:
            vins.update(
                v
                for v in register.plate_vins.get(ev.value, ())
                if register.vehicles[v].customer_no == customer
            )
    via = "vin" if any(ev.kind == IdKind.VIN and ev.value in vins for ev in evidence) else "plate"
    if vins:
        dossiers = [
            d
            for vin in sorted(vins)
            for d in register.dossiers_by_vin.get(vin, ())
            if d.customer_no == customer
        ]
        if len(dossiers) == 1:
            closed = "" if dossiers[0].open else " (closed)"
            return dossiers[0].dossier_key, (), f"dossier {dossiers[0].dossier_key} by {via}{closed}"
        open_ = sorted(d.dossier_key for d in dossiers if d.open)
        if len(open_) == 1:
            return open_[0], (), f"dossier {open_[0]} by {via}"
        if len(open_) > 1:
            return None, tuple(open_), f"{via} has {len(open_)} open dossiers: pending"
        if dossiers:
            return (
                None,
                tuple(sorted(d.dossier_key for d in dossiers)),
                f"{via} has {len(dossiers)} closed dossiers: pending",
            )
        # One car, one dossier: a page about a vehicle without a dossier must not go into another car's. Only
        # a dossier kept per customer (no VIN) may take it.
        open_ = sorted(
            d.dossier_key for d in register.dossiers_by_customer.get(customer, ()) if d.open and not d.vin
        )
        if len(open_) == 1:
            return open_[0], (), f"{via} has no dossier; dossier {open_[0]}, the customer's own"
        return None, (), f"{via} has no dossier"
    open_ = sorted(d.dossier_key for d in register.dossiers_by_customer.get(customer, ()) if d.open)
    if len(open_) == 1:
        return open_[0], (), f"dossier {open_[0]}, the customer's one open dossier"
    if len(open_) > 1:
        return None, tuple(open_), f"pending in {len(open_)} open dossiers"
    return None, (), "no open dossier"


def match_document(
    pages_text: Sequence[str],
    register: Register,
    *,
    today: date | None = None,
) -> Match:
    """Match a document (its pages share one customer) to a customer and a dossier.

    Certain when one strong identifier (resident ID, USCC, VIN) matches exactly one customer, or two good
    ones of different kinds (customer number, phone, plate) agree, and nothing points elsewhere: evidence
    for another customer is a conflict, a valid identifier the register does not know leaves it uncertain
    (an unknown customer is never replaced by a similar one). A phone or plate the register does not know
    only blocks certainty that rests on good evidence alone, because contracts print staff and co-buyer
    numbers next to the customer's own; nor does an unknown resident ID on a company's papers (its
    agent's) block certainty that a strong identifier gives. A name is weak: it is reported when it agrees
    and offered as a suggestion when it is all there is, never enough alone. A repaired identifier counts
    only when exactly one repair validates and the register knows it.

    Args:
        pages_text: the text of each page of the document.
        register: the register (`Register.build`).
        today: reference date for ID birth dates.

    Returns:
        The match, with a reason naming kinds, customer numbers and dossier keys only.
    """
    evidence, dealer_hits, flat = _collect(pages_text, register, today)
    matched = [e for e in evidence if e.status is EvidenceStatus.MATCH]
    unique = [e for e in matched if len(e.customers) == 1]
    shared = [e for e in matched if len(e.customers) > 1]
    strong_customers = {e.customers[0] for e in unique if e.strength is Strength.STRONG}
    good_customers = {e.customers[0] for e in unique if e.strength is Strength.GOOD}
    notes: list[str] = []
    if dealer_hits:
        notes.append(f"{dealer_hits} dealer identifiers ignored")

    if len(strong_customers) > 1 or (not strong_customers and len(good_customers) > 1):
        return Match(None, None, (), 0.2, False, _conflict_reason(unique, shared, notes), tuple(evidence))
    if not strong_customers and not good_customers:
        return _no_decisive(evidence, shared, flat, register, notes)
    customer = next(iter(strong_customers or good_customers))
    if _points_elsewhere(unique, shared, customer):
        return Match(None, None, (), 0.2, False, _conflict_reason(unique, shared, notes), tuple(evidence))

    agreeing = sorted(
        (e for e in unique if e.customers[0] == customer),
        key=lambda e: (e.strength is not Strength.STRONG, e.repaired, e.kind),
    )
    blockers: list[str] = []
    remarks: list[str] = []
    company = customer in register.customers and register.customers[customer].type == "company"
    for e in evidence:
        if e.status is EvidenceStatus.UNKNOWN:
            if company and e.kind == IdKind.ID_NUMBER and strong_customers:
                # A company acts through people: its papers carry the ID of the agent or legal
                # representative who signs, whom the register does not list.
                remarks.append("unknown id_number ignored (a company's agent)")
            elif e.strength is Strength.STRONG or e.kind == IdKind.CUSTOMER_NO or not strong_customers:
                blockers.append(f"unknown {e.kind} (not in register)")
            else:
                remarks.append(f"unknown {e.kind} ignored")
        elif e.status is EvidenceStatus.AMBIGUOUS_REPAIR and any(c != customer for c in e.customers):
            blockers.append(f"{e.kind} unreadable: repairs point to {', '.join(e.customers)}")
        elif e.status is EvidenceStatus.UNKNOWN_REPAIR:
            remarks.append(f"{e.kind} repaired but not in register, ignored")
    repaired_only = all(e.repaired for e in agreeing)
    head = f"{_describe(agreeing[0])} matches {customer}"
    extra = [f"{_describe(e)} agrees" for e in agreeing[1:]]
    if strong_customers:
        certain = not blockers
        confidence = (0.95 if repaired_only else 0.99) if certain else 0.7
    else:
        kinds = {e.kind for e in agreeing}
        if len(kinds) < 2:
            blockers.append("one good identifier is not enough")
        certain = not blockers
        confidence = (0.85 if repaired_only else 0.9) if certain else 0.55
    parts = [head, *extra, *blockers, *remarks]
    if any(customer in named for named in _find_names(flat, register).values()):
        parts.append("name agrees")
        evidence.append(_name_evidence(register, customer))
    dossier, pending, dossier_note = _choose_dossier(customer, evidence, register)
    reason = "; ".join([*parts, dossier_note, *notes])
    return Match(customer, dossier, pending, confidence, certain, reason, tuple(evidence))


def _points_elsewhere(unique: Sequence[Evidence], shared: Sequence[Evidence], customer: str) -> bool:
    return any(e.customers[0] != customer for e in unique) or any(customer not in e.customers for e in shared)


def _conflict_reason(unique: Sequence[Evidence], shared: Sequence[Evidence], notes: Sequence[str]) -> str:
    by_customer: dict[str, list[str]] = defaultdict(list)
    for e in unique:
        by_customer[e.customers[0]].append(_describe(e))
    parts = [f"{' + '.join(sorted(set(kinds)))} -> {c}" for c, kinds in sorted(by_customer.items())]
    parts += [f"{_describe(e)} -> {' / '.join(e.customers)}" for e in shared]
    return "; ".join([f"conflict: {', '.join(parts)}", *notes])


def _name_evidence(register: Register, customer: str) -> Evidence:
    return Evidence(
        "name", Strength.WEAK, EvidenceStatus.MATCH, register.customers[customer].name, (customer,), False, -1
    )


def _no_decisive(
    evidence: list[Evidence], shared: Sequence[Evidence], flat: str, register: Register, notes: Sequence[str]
) -> Match:
    """No identifier points to exactly one customer: say what there is, suggest by name at most."""
    parts: list[str] = []
    for e in shared:
        parts.append(f"{_describe(e)} matches {len(e.customers)} customers")
    for e in evidence:
        if e.status is EvidenceStatus.UNKNOWN:
            parts.append(f"unknown {e.kind} (not in register)")
        elif e.status is EvidenceStatus.UNKNOWN_REPAIR:
            parts.append(f"{e.kind} repaired but not in register")
        elif e.status is EvidenceStatus.AMBIGUOUS_REPAIR:
            parts.append(f"{e.kind} unreadable: several repairs validate")
    # Customers every shared value agrees on (a family phone plus a shared plate) are still only a suggestion.
    suggestion: str | None = None
    common = set.intersection(*(set(e.customers) for e in shared)) if shared else set()
    name_hits = _find_names(flat, register)
    named = set().union(*name_hits.values()) if name_hits else set()
    unknown_strong = any(
        e.status is EvidenceStatus.UNKNOWN and e.strength is Strength.STRONG for e in evidence
    )
    confidence = 0.0
    if len(common) == 1:
        suggestion = next(iter(common))
        confidence = 0.4
    elif common and len(common & named) == 1:
        suggestion = next(iter(common & named))
        parts.append("name narrows it")
        confidence = 0.4
    elif not shared and not unknown_strong and len(named) == 1:
        suggestion = next(iter(named))
        parts.append(f"only the name matches {suggestion}, not enough")
        confidence = 0.3
    elif not shared and len(named) > 1:
        parts.append(f"names match {len(named)} customers")
    if not parts:
        parts.append("no customer evidence found")
    if suggestion is not None:
        if suggestion in named:
            evidence.append(_name_evidence(register, suggestion))
        dossier, pending, dossier_note = _choose_dossier(suggestion, evidence, register)
        parts.append(dossier_note)
    else:
        dossier, pending = None, ()
    return Match(
        suggestion, dossier, pending, confidence, False, "; ".join([*parts, *notes]), tuple(evidence)
    )
