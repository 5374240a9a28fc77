"""Valid identifiers built from the validators' own check functions, so tests need no outside generator."""

from __future__ import annotations

from classify.identifiers import (
    IdKind,
    VinStatus,
    id_check_char,
    org_code_check_char,
    repair_candidates,
    uscc_check_char,
    vin_check_digit,
    vin_status,
)


def make_id(region: str = "110101", birth: str = "19900307", seq: str = "123") -> str:
    """A valid resident ID number: region, birth date (YYYYMMDD), 3-digit sequence, check character."""
    first17 = f"{region}{birth}{seq}"
    return first17 + id_check_char(first17)


def make_uscc(prefix: str = "91", region: str = "440300", body8: str = "MA5F1234") -> str:
    """A valid USCC around an organisation code body (its check character must be in the USCC charset)."""
    first17 = f"{prefix}{region}{body8}{org_code_check_char(body8)}"
    return first17 + uscc_check_char(first17)


def make_vin(body: str = "LSVAB2BR0KN123456") -> str:
    """A checked VIN: `body` with its position-9 character replaced by the right check digit."""
    return body[:8] + vin_check_digit(body) + body[9:]


def unchecked_vin(body: str = "WVWZZZ1KZ8W123456") -> str:
    """An imported car's VIN without a check digit: position 9 holds anything but the right one."""
    if vin_check_digit(body) == body[8]:
        raise ValueError("this body happens to be checked")
    return body


def vin_corruptions(vin: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each way OCR turns one character of `vin` into a look-alike, with the repairs proposed for it."""
    swaps = {
        "8": "B",
        "B": "8",
        "5": "S",
        "2": "Z",
        "Z": "2",
        "6": "G",
        "G": "6",
        "0": "D",
        "D": "0",
        "1": "L",
    }
    out = []
    for i, ch in enumerate(vin):
        if ch in swaps:
            read = vin[:i] + swaps[ch] + vin[i + 1 :]
            if vin_status(read) is not VinStatus.CHECKED:
                out.append((read, repair_candidates(IdKind.VIN, read)))
    return out
