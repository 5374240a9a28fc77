"""Identifier generators make valid codes; validators reject corrupted ones."""

from __future__ import annotations

import random
from datetime import date

import pytest

from corpus import identifiers as ids
from corpus.register import DEALER, make_register
from corpus.templates.common import amount_en, amount_zh
from corpus.templates.id_copy import _mrz_check

RNG_SEEDS = range(5)


def _digit_swaps(value: str, positions: range) -> list[str]:
    """Every single-digit substitution at the given positions."""
    out = []
    for i in positions:
        if value[i].isdigit():
            out += [value[:i] + d + value[i + 1 :] for d in "0123456789" if d != value[i]]
    return out


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("11010519491231002X", True),
        ("11010519491231002x", False),
        ("110105194912310021", False),
        ("99010519491231002X", False),
        ("11010519491331002X", False),
        ("1101051949123100", False),
    ],
)
def test_id_number_known(value: str, ok: bool) -> None:
    assert ids.is_valid_id_number(value) is ok


def test_id_number_generated_valid_and_corruptions_rejected() -> None:
    rng = random.Random(1)
    for _ in range(200):
        male = rng.random() < 0.5
        v = ids.make_id_number(rng, "440106", ids.random_birth(rng), male=male)
        assert ids.is_valid_id_number(v)
        assert int(v[16]) % 2 == (1 if male else 0)
        for bad in _digit_swaps(v, range(14, 17)):  # MOD 11-2 catches every single substitution
            assert not ids.is_valid_id_number(bad)
    assert not ids.is_valid_id_number("440106" + "20990101" + "1234", today=date(2024, 1, 1))


def test_org_code_and_uscc() -> None:
    assert ids.is_valid_uscc("91350100M000100Y43")
    assert ids.is_valid_org_code("M000100Y4")
    assert not ids.is_valid_uscc("91350100M000100Y44")
    rng = random.Random(2)
    for _ in range(200):
        v = ids.make_uscc(rng, "440106")
        assert ids.is_valid_uscc(v), v
        assert ids.is_valid_org_code(v[8:17])
        assert not any(ch in v for ch in "IOSVZ")
        i = rng.randrange(18)
        for ch in ids.USCC_CHARSET:  # mod 31 catches every single substitution
            if ch != v[i]:
                assert not ids.is_valid_uscc(v[:i] + ch + v[i + 1 :])


def test_vin() -> None:
    assert ids.vin_status("1M8GDM9AXKP042788") == "valid"
    assert ids.vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert ids.vin_status("1M8GDM9A1KP042788") == "unchecked"  # not Chinese: may lack a check digit
    assert ids.vin_status("LM8GDM9A1KP042788") == "invalid"
    assert ids.vin_status("1M8GDM9AXKP04278O") == "invalid"  # O is not a VIN character
    rng = random.Random(3)
    for _ in range(200):
        v = ids.make_vin(rng, "LFV", "2A21K", 2024)
        assert ids.is_valid_vin(v) and len(v) == 17 and not set("IOQ") & set(v)
        weighted = [i for i in range(17) if i != 8]
        for bad in _digit_swaps(v, range(11, 17)):  # weights 2..8 times a digit change never vanish mod 11
            assert not ids.is_valid_vin(bad)
        assert weighted
        imported = ids.make_vin(rng, "WBA", "JU010", 2024, checked=False)
        assert ids.vin_status(imported) == "unchecked"


def test_phone_plate_customer_no() -> None:
    rng = random.Random(4)
    for _ in range(100):
        p = ids.make_phone(rng)
        assert ids.is_valid_phone(p)
        assert ids.format_phone(p, 1).replace(" ", "") == p
        plate = ids.make_plate(rng, "粤", "B")
        assert ids.is_valid_plate(plate), plate
        ne = ids.make_plate(rng, "粤", "A", new_energy=True)
        assert ids.is_valid_plate(ne) and len(ne) == 8, ne
    for bad in ("12812345678", "1381234567", "23812345678"):
        assert not ids.is_valid_phone(bad)
    assert ids.is_valid_plate("京A12345") and ids.is_valid_plate("粤BD12345")
    assert not ids.is_valid_plate("粤I12345") and not ids.is_valid_plate("粤B1234")
    assert ids.format_plate("粤B12345", 1) == "粤B·12345"
    assert (
        ids.is_valid_customer_no(ids.make_customer_no(2023, 123))
        and ids.make_customer_no(2023, 123) == "KH2023000123"
    )


def test_register_identifiers_valid_and_unique() -> None:
    for seed in RNG_SEEDS:
        reg = make_register(random.Random(seed), 12)
        assert len(reg) == 12
        vins = [v.vin for c in reg for v in c.vehicles]
        assert len(vins) == len(set(vins))
        for c in reg:
            assert ids.is_valid_customer_no(c.customer_no)
            assert ids.is_valid_phone(c.phone)
            if c.kind == "company":
                assert ids.is_valid_uscc(c.uscc) and c.id_number == ""
            else:
                assert ids.is_valid_id_number(c.id_number) and c.uscc == ""
            for v in c.vehicles:
                assert ids.vin_status(v.vin) in ("valid", "unchecked")
                assert v.vin[0] != "L" or ids.is_valid_vin(v.vin)
                assert not v.plate or ids.is_valid_plate(v.plate)
    assert ids.is_valid_uscc(DEALER.uscc) and ids.is_valid_phone(DEALER.mobile)


def test_amounts_and_mrz() -> None:
    assert amount_zh(158000) == "壹拾伍万捌仟元整"
    assert amount_zh(100500) == "壹拾万零伍佰元整"
    assert amount_zh(1005, "圆") == "壹仟零伍圆整"
    assert amount_zh(100010000) == "壹亿零壹万元整"
    assert amount_zh(18176.99) == "壹万捌仟壹佰柒拾陆元玖角玖分"
    assert amount_en(158000) == "One Hundred and Fifty-Eight Thousand Yuan Only"
    # ICAO 9303 worked example
    assert (_mrz_check("L898902C3"), _mrz_check("740812"), _mrz_check("120415")) == ("6", "2", "9")
