"""Blank pages: empty sheets (separators, forgotten pages) and duplex backs showing the front through."""

from __future__ import annotations

import random

from ..layout import Page, Style
from . import template
from .common import DocContext


def _specks(p: Page, rng: random.Random, n: int) -> None:
    """Dust and fibres as tiny vector marks: a whole-page raster layer would cost more than the page."""
    for _ in range(n):
        x, y = rng.uniform(5, p.width - 5), rng.uniform(5, p.height - 5)
        grey = rng.randrange(20, 120)
        if rng.random() < 0.8:
            r = rng.uniform(0.05, 0.3)
            p.ellipse(x, y, r, r, width=0, fill=(grey, grey, grey))
        else:
            p.line(x, y, x + rng.uniform(-4, 4), y + rng.uniform(-4, 4), width=0.08, color=(grey, grey, grey))


@template("blank.empty", "blank", "zh")
def empty(ctx: DocContext, rng: random.Random) -> list[Page]:
    """An empty sheet with a few specks of dust."""
    p = Page(Style())
    if rng.random() < 0.7:
        _specks(p, rng, rng.randrange(1, 12))
    return [p]


def duplex_back(front: Page, rng: random.Random) -> Page:
    """The back of a single-sided sheet scanned in duplex: the front shows through, mirrored and faint."""
    p = Page(Style())
    p.graphic(
        "bleed",
        0,
        0,
        p.width,
        p.height,
        seed=rng.randrange(1 << 30),
        source=front,
        strength=round(rng.uniform(0.03, 0.12), 3),
    )
    if rng.random() < 0.5:
        _specks(p, rng, rng.randrange(1, 6))
    return p
