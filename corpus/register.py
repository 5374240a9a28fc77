"""The fake customer register (persons, companies, their vehicles) and the fixed dealer issuing the papers."""

from __future__ import annotations

import csv
import json
import random
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from . import _data as data
from . import identifiers as ids

__all__ = [
    "CSV_HEADER",
    "DEALER",
    "Company",
    "Customer",
    "Dealer",
    "Person",
    "Vehicle",
    "make_person",
    "make_register",
    "make_walk_in",
    "write_customers_csv",
    "write_dealer_json",
]

CSV_HEADER = (
    "customer_no",
    "name",
    "type",
    "id_number",
    "uscc",
    "phone",
    "vin",
    "plate",
    "dossier_type",
    "delivery_date",
    "department",
    "salesperson",
)


@dataclass(frozen=True, slots=True)
class Person:
    """A natural person as printed on an ID card, a passport and forms."""

    name: str
    surname_en: str  # pinyin, e.g. "Zhang"
    given_en: str  # pinyin, e.g. "Jianhua"
    male: bool
    birth: date
    ethnicity: str
    region: data.Region
    address: str
    address_en: str
    id_number: str
    id_issued: date
    id_expires: date | None  # None: 长期 (valid for life, issued after 46)
    phone: str
    passport_no: str

    @property
    def name_en(self) -> str:
        return f"{self.given_en} {self.surname_en}"


@dataclass(frozen=True, slots=True)
class Company:
    """A business customer as printed on its business licence."""

    name: str
    name_en: str
    uscc: str
    region: data.Region
    address: str
    address_en: str
    legal_rep: Person
    company_type: str
    capital_wan: int  # registered capital in units of 10,000 yuan
    founded: date
    scope: str
    registrar: str  # the market regulation bureau that issued the licence


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle of a customer: one dossier (一车一档)."""

    vin: str
    model: data.Model
    color: tuple[str, str]
    engine_no: str
    plate: str  # canonical, '' while not yet registered
    price: int  # yuan, tax included
    delivery_date: date
    manufactured: date
    cert_no: str  # 合格证编号
    dossier_type: Literal["new_car", "after_sales"]
    department: str
    salesperson: str
    contract_no: str
    mileage: int  # km at the service visit (after-sales)


@dataclass(frozen=True, slots=True)
class Customer:
    """A register entry; `registered=False` marks a walk-in whose papers appear but who is not in the CSV."""

    customer_no: str
    kind: Literal["person", "company"]
    person: Person  # the buyer, or for a company its contact / agent who signs
    company: Company | None
    vehicles: tuple[Vehicle, ...]
    registered: bool = True

    @property
    def name(self) -> str:
        return self.company.name if self.company else self.person.name

    @property
    def name_en(self) -> str:
        return self.company.name_en if self.company else self.person.name_en

    @property
    def phone(self) -> str:
        return self.person.phone

    @property
    def address(self) -> str:
        return self.company.address if self.company else self.person.address

    @property
    def address_en(self) -> str:
        return self.company.address_en if self.company else self.person.address_en

    @property
    def id_number(self) -> str:
        """The resident ID number registered for a person; empty for a company."""
        return "" if self.company else self.person.id_number

    @property
    def uscc(self) -> str:
        return self.company.uscc if self.company else ""

    @property
    def tax_id(self) -> str:
        """What an invoice's 纳税人识别号 box holds: USCC for companies, ID number for persons."""
        return self.company.uscc if self.company else self.person.id_number


@dataclass(frozen=True, slots=True)
class Dealer:
    """The dealership; its identifiers are on every contract and invoice, and the matcher ignores them."""

    name: str
    name_en: str
    short: str
    uscc: str
    phone: str  # landline as printed
    mobile: str  # service mobile, a valid mobile number the matcher must ignore
    hotline: str
    address: str
    address_en: str
    bank: str
    account: str
    legal_rep: str
    tax_office: str
    city: str
    staff: tuple[str, ...] = field(default=())  # salespeople, advisors, technicians, clerks

    def to_json(self) -> dict[str, object]:
        """The content of dealer.json: what the matcher is told to ignore."""
        out = asdict(self)
        out["phones"] = [self.phone, self.mobile, self.hotline]
        out["identifiers"] = {"uscc": [self.uscc], "phone": [self.mobile]}
        return out


DEALER = Dealer(
    name="广州骏达汽车销售服务有限公司",
    name_en="Guangzhou Junda Motor Sales & Service Co., Ltd.",
    short="骏达汽车",
    uscc="9144010648X8983064",
    phone="020-8756 3210",
    mobile="13922803316",
    hotline="400-830-2626",
    address="广东省广州市天河区黄埔大道中668号",
    address_en="No. 668 Huangpu Avenue Middle, Tianhe District, Guangzhou, Guangdong",
    bank="中国工商银行广州天河支行",
    account="3602 0012 0920 0123 456",
    legal_rep="陈国栋",
    tax_office="国家税务总局广州市天河区税务局",
    city="广州市天河区",
    staff=(
        "李俊辉",
        "陈晓婷",
        "王志强",
        "黄嘉欣",
        "刘国华",
        "梁振东",
        "何文斌",
        "郑慧敏",
        "张海峰",
        "罗建华",
        "林美玲",
    ),
)
SALESPEOPLE = DEALER.staff[:6]
ADVISORS = DEALER.staff[6:8]
TECHNICIANS = DEALER.staff[8:10]
CLERK = DEALER.staff[10]


def _region(rng: random.Random, *, local_bias: float = 1.0) -> data.Region:
    weights = [r.weight * (local_bias if r.code.startswith("4401") else 1.0) for r in data.REGIONS]
    return rng.choices(data.REGIONS, weights=weights)[0]


def _address(rng: random.Random, region: data.Region) -> tuple[str, str]:
    road, road_en = rng.choice(data.ROADS)
    no = rng.randrange(1, 999)
    head = region.province + (region.city if region.city != region.province else "") + region.district
    place = f"{head}{road}{no}号"
    parts_en = [f"No. {no} {road_en}"]
    if rng.random() < 0.75:
        estate = rng.choice(data.TRADE_NAMES)[0] + rng.choice(data.RESIDENCES)
        building, room = rng.randrange(1, 30), rng.randrange(1, 33) * 100 + rng.randrange(1, 9)
        place += f"{estate}{building}栋{room}房"
        parts_en.insert(0, f"Room {room}, Building {building}")
    tail = [region.district_en, region.city_en, region.province_en]
    if region.city_en == region.province_en:
        tail.pop()
    return place, ", ".join(parts_en + [t for t in tail if t])


def make_person(
    rng: random.Random,
    *,
    region: data.Region | None = None,
    id_like: str | None = None,
    male: bool | None = None,
) -> Person:
    """Draw a consistent person: the gender digit, birth date and region code agree with the ID number.

    `id_like` makes a near miss: same region and birth date as that ID number, other sequence, still valid,
    so a matcher that accepts "similar" numbers gets caught.
    """
    if id_like:
        male = int(id_like[16]) % 2 == 1
    elif male is None:
        male = rng.random() < 0.62
    surname, surname_en = rng.choice(data.SURNAMES)
    pool = data.GIVEN_MALE if male else data.GIVEN_FEMALE
    given = [rng.choice(pool) for _ in range(rng.choice((1, 2, 2, 2)))]
    name = surname + "".join(c for c, _ in given)
    given_en = "".join(p for _, p in given).capitalize()
    if id_like:
        region = next((r for r in data.REGIONS if r.code == id_like[:6]), region)
        birth = date(int(id_like[6:10]), int(id_like[10:12]), int(id_like[12:14]))
    else:
        region = region or _region(rng)
        birth = ids.random_birth(rng)
    assert region is not None
    id_number = ids.make_id_number(rng, region.code, birth, male=male)
    while id_like and id_number == id_like:
        id_number = ids.make_id_number(rng, region.code, birth, male=male)
    address, address_en = _address(rng, region)
    issued = date(rng.randrange(2012, 2024), birth.month, min(birth.day, 28))
    age_at_issue = issued.year - birth.year
    years = 10 if age_at_issue < 26 else 20 if age_at_issue < 46 else 0
    expires = date(issued.year + years, issued.month, issued.day) if years else None
    return Person(
        name=name,
        surname_en=surname_en,
        given_en=given_en,
        male=male,
        birth=birth,
        ethnicity=rng.choice(data.ETHNICITIES),
        region=region,
        address=address,
        address_en=address_en,
        id_number=id_number,
        id_issued=issued,
        id_expires=expires,
        phone=ids.make_phone(rng),
        passport_no="E" + "".join(rng.choice("0123456789") for _ in range(8)),
    )


def _company(rng: random.Random) -> Company:
    region = _region(rng, local_bias=3.0)
    trade, trade_en = rng.choice(data.TRADE_NAMES)
    industry, industry_en, scope = rng.choice(data.INDUSTRIES)
    city = region.city[:-1]
    legal = "股份有限公司" if rng.random() < 0.15 else "有限公司"
    name = f"{city}{trade}{industry}{legal}"
    name_en = f"{region.city_en} {trade_en} {industry_en} Co., Ltd."
    address, address_en = _address(rng, region)
    registrar = (
        f"{region.city}{region.district}市场监督管理局" if region.district else f"{region.city}市场监督管理局"
    )
    return Company(
        name=name,
        name_en=name_en,
        uscc=ids.make_uscc(rng, region.code, prefix="91"),
        region=region,
        address=address,
        address_en=address_en,
        legal_rep=make_person(rng, region=region),
        company_type=rng.choice(data.COMPANY_TYPES),
        capital_wan=rng.choice((50, 100, 200, 300, 500, 1000, 2000)),
        founded=date(rng.randrange(2003, 2022), rng.randrange(1, 13), rng.randrange(1, 29)),
        scope=scope,
        registrar=registrar,
    )


def _vehicle(
    rng: random.Random, region: data.Region, delivered: date, after_sales: bool, seq: int
) -> Vehicle:
    model = rng.choice(data.MODELS)
    year = delivered.year if delivered.month > 2 else delivered.year - 1
    checked = not model.imported or rng.random() < 0.5
    vin = ids.make_vin(rng, model.wmi, model.vds, year, plant=rng.choice("ABCDEFGH12345"), checked=checked)
    plate = ""
    if after_sales or rng.random() < 0.8:
        plate = ids.make_plate(rng, region.plate[0], region.plate[1], new_energy=model.new_energy)
    low, high = model.price
    price = rng.randrange(low // 100, high // 100 + 1) * 100
    sales = rng.choice(ADVISORS if after_sales else SALESPEOPLE)
    dept = "售后服务部" if after_sales else rng.choice(data.DEPARTMENTS[:3])
    engine_no = model.engine_prefix + "".join(rng.choice("0123456789") for _ in range(rng.choice((6, 7, 8))))
    return Vehicle(
        vin=vin,
        model=model,
        color=rng.choice(data.COLORS),
        engine_no=engine_no,
        plate=plate,
        price=price,
        delivery_date=delivered,
        manufactured=delivered - timedelta(days=rng.randrange(20, 120)),
        cert_no=f"W{model.wmi[:2]}{rng.randrange(10**11, 10**12)}",
        dossier_type="after_sales" if after_sales else "new_car",
        department=dept,
        salesperson=sales,
        contract_no=f"JD{delivered:%Y%m}{seq:04d}",
        mileage=rng.randrange(3000, 60000) if after_sales else 0,
    )


def make_register(rng: random.Random, n: int) -> list[Customer]:
    """Draw `n` customers: about a third companies, a fifth with two vehicles; one name repeats on purpose."""
    customers: list[Customer] = []
    seq = rng.randrange(100, 900)
    used: set[str] = set()
    while len(customers) < n:
        company = _company(rng) if rng.random() < 0.3 else None
        person = make_person(rng, region=company.region if company else None)
        if len(customers) == 5 and company is None:  # names repeat; only strong identifiers tell them apart
            twin = customers[0].person
            person = make_person(rng, region=person.region, male=twin.male)
            person = replace(person, name=twin.name, surname_en=twin.surname_en, given_en=twin.given_en)
        first = date(rng.randrange(2023, 2026), rng.randrange(1, 13), rng.randrange(1, 29))
        after_sales = company is None and rng.random() < 0.12
        vehicles = [_vehicle(rng, person.region, first, after_sales, seq)]
        if rng.random() < 0.2:
            later = first + timedelta(days=rng.randrange(30, 400))
            vehicles.append(_vehicle(rng, person.region, later, False, seq + 1))
        # Identifiers are unique in a register; redraw the rare collision rather than reason about it.
        keys = (
            [person.id_number, person.phone]
            + [v.vin for v in vehicles]
            + [v.plate for v in vehicles if v.plate]
        )
        if company:
            keys.append(company.uscc)
        if used.intersection(keys):
            continue
        used.update(keys)
        seq += rng.randrange(1, 40)
        customers.append(
            Customer(
                customer_no=ids.make_customer_no(first.year, seq),
                kind="company" if company else "person",
                person=person,
                company=company,
                vehicles=tuple(vehicles),
            )
        )
        seq += len(vehicles)
    return customers


def write_customers_csv(path: Path, customers: list[Customer]) -> None:
    """Write the register as the dealer system exports it: one row per customer and vehicle."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(CSV_HEADER)
        for c in customers:
            if not c.registered:
                continue
            for v in c.vehicles:
                out.writerow(
                    [
                        c.customer_no,
                        c.name,
                        c.kind,
                        c.id_number,
                        c.uscc,
                        c.phone,
                        v.vin,
                        v.plate,
                        v.dossier_type,
                        v.delivery_date.isoformat(),
                        v.department,
                        v.salesperson,
                    ]
                )


def write_dealer_json(path: Path, dealer: Dealer = DEALER) -> None:
    """Write dealer.json: the dealer's own identity, which the matcher ignores."""
    path.write_text(json.dumps(dealer.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def make_walk_in(rng: random.Random, like: Customer | None = None) -> Customer:
    """A person whose papers turn up in a batch but who is not in the register (customer_no is empty).

    With `like`, the ID number is a valid near miss of that customer's (same region and birth date), so a
    matcher that accepts "close" numbers would file the papers to the wrong customer.
    """
    id_like = like.person.id_number if like is not None and like.kind == "person" else None
    person = make_person(rng, id_like=id_like)
    delivered = date(rng.randrange(2023, 2026), rng.randrange(1, 13), rng.randrange(1, 29))
    vehicle = _vehicle(rng, person.region, delivered, False, rng.randrange(1000, 9000))
    return Customer(
        customer_no="", kind="person", person=person, company=None, vehicles=(vehicle,), registered=False
    )
