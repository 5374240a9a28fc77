"""Helpers shared by the templates: styles, dates, amounts in words, letterheads, seals, signatures."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..layout import BLACK, PT_MM, RED, Color, Page, Style
from ..register import Customer, Dealer, Person, Vehicle

__all__ = [
    "DocContext",
    "Flow",
    "amount_en",
    "amount_zh",
    "checkbox",
    "company_seal",
    "dealer_seal",
    "fmt_date",
    "fmt_date_en",
    "letterhead",
    "money",
    "page_footer",
    "pick_style",
    "sign_line",
    "signature",
    "tick",
]


@dataclass(frozen=True, slots=True)
class DocContext:
    """What a template needs to draw one document for one vehicle dossier."""

    customer: Customer
    vehicle: Vehicle
    dealer: Dealer
    person: Person  # whose identity document is copied: the buyer, or a company's agent
    seed: int


def pick_style(rng: random.Random, lang: str = "zh", *, form: bool = False) -> Style:
    """A random but plausible look; forms get slightly smaller type and sometimes coloured rules."""
    family = rng.choice(("sans", "serif", "serif", "hei"))
    latin = rng.choice(("dsans", "dserif", "sans", "serif")) if lang == "en" else family
    size = rng.choice((9.5, 10.0, 10.5, 10.5, 11.0, 12.0)) - (0.5 if form else 0.0)
    rule: Color = BLACK
    if form and rng.random() < 0.3:
        rule = rng.choice(((120, 70, 40), (40, 70, 130), (110, 60, 110)))
    ink = (rng.randrange(5, 45),) * 3
    return Style(
        family=latin if lang == "en" else family,
        latin=latin,
        size=size,
        ink=ink,
        rule=rule,
        rule_w=rng.choice((0.2, 0.25, 0.3, 0.35)),
        margin=rng.uniform(16, 24),
        top=rng.uniform(14, 24),
        leading=rng.uniform(1.45, 1.8),
        date_style=rng.randrange(4),
        checked_mark="cross"
        if lang == "en" and rng.random() < 0.3
        else "tick",  # × means "fault" on Chinese forms
    )


def fmt_date(d: date, style: int) -> str:
    """Dates as Chinese forms print them."""
    return (
        f"{d.year}年{d.month}月{d.day}日",
        f"{d:%Y-%m-%d}",
        f"{d:%Y.%m.%d}",
        f"{d.year}年{d:%m}月{d:%d}日",
    )[style % 4]


def fmt_date_en(d: date, style: int) -> str:
    return (f"{d.day} {d:%B %Y}", f"{d:%B} {d.day}, {d.year}", f"{d:%d/%m/%Y}", f"{d:%Y-%m-%d}")[style % 4]


def money(v: float) -> str:
    return f"{v:,.2f}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿")


def amount_zh(amount: float, yuan: str = "元") -> str:
    """RMB amount in capital numerals as on invoices and contracts: 158000 -> 壹拾伍万捌仟元整."""
    cents = round(amount * 100)
    integer, frac = divmod(cents, 100)
    groups = []
    while integer:
        integer, g = divmod(integer, 10000)
        groups.append(g)
    out = ""
    zero = False
    for gi in range(len(groups) - 1, -1, -1):
        g = groups[gi]
        if g == 0:
            zero = bool(out)
            continue
        if out and (zero or g < 1000):
            out += "零"
        part = ""
        gap = False
        for pos in range(3, -1, -1):
            digit = g // 10**pos % 10
            if digit == 0:
                gap = bool(part)
                continue
            if gap:
                part += "零"
                gap = False
            part += _DIGITS[digit] + _UNITS[pos]
        out += part + _GROUPS[gi]
        zero = False
    out = (out or "零") + yuan
    jiao, fen = divmod(frac, 10)
    if not frac:
        return out + "整"
    if jiao:
        out += _DIGITS[jiao] + "角"
    elif fen:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


_ONES = (
    "Zero One Two Three Four Five Six Seven Eight Nine Ten Eleven Twelve Thirteen Fourteen Fifteen Sixteen "
    "Seventeen Eighteen Nineteen"
).split()
_TENS = "_ _ Twenty Thirty Forty Fifty Sixty Seventy Eighty Ninety".split()


def _words(n: int) -> str:
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return _ONES[n // 100] + " Hundred" + (" and " + _words(n % 100) if n % 100 else "")
    for size, name in ((10**9, "Billion"), (10**6, "Million"), (1000, "Thousand")):
        if n >= size:
            rest = n % size
            return (
                _words(n // size)
                + " "
                + name
                + ((" " if rest >= 100 else " and ") + _words(rest) if rest else "")
            )
    raise AssertionError(n)


def amount_en(amount: float) -> str:
    """'One Hundred Fifty-Eight Thousand Yuan Only' style amounts for English documents."""
    cents = round(amount * 100)
    yuan, fen = divmod(cents, 100)
    text = f"{_words(yuan)} Yuan"
    if fen:
        text += f" and {_words(fen)} Fen"
    return text + " Only"


def letterhead(p: Page, dealer: Dealer, rng: random.Random, *, lang: str = "zh") -> float:
    """Draw one of a few dealer letterheads; returns the y below it."""
    st = p.style
    x0, x1 = st.margin, p.width - st.margin
    kind = rng.randrange(3)
    y = st.top
    name = dealer.name if lang == "zh" else dealer.name_en
    other = dealer.name_en if lang == "zh" else dealer.name
    fam_other = "dsans" if lang == "zh" else "sans"
    if kind == 0:  # logo box, name, contact block on the right
        p.rect(x0, y, 14, 10, fill=(40, 60, 110), color=(40, 60, 110), radius=1.5)
        p.text(x0 + 7, y + 7.2, "JD", 13, bold=True, family="dsans", anchor="m", color=(255, 255, 255))
        p.text(x0 + 17, y + 5, name, 11.5 if lang == "zh" else 10, bold=True)
        p.text(x0 + 17, y + 9.5, other, 7, family=fam_other)
        p.text(x1, y + 4, f"{'电话' if lang == 'zh' else 'Tel'}: {dealer.phone}", 7, anchor="r")
        p.text(x1, y + 8, f"{'服务热线' if lang == 'zh' else 'Hotline'}: {dealer.hotline}", 7, anchor="r")
        y += 12
        p.hline(x0, x1, y, width=0.5, color=(40, 60, 110))
        return y + 8
    if kind == 1:  # centred name with a double rule
        p.text(p.width / 2, y + 5, name, 13 if lang == "zh" else 11, bold=True, anchor="m")
        p.text(
            p.width / 2,
            y + 10,
            (dealer.address if lang == "zh" else dealer.address_en)
            + (f"   电话：{dealer.phone}" if lang == "zh" else f"   Tel: {dealer.phone}"),
            7.5,
            anchor="m",
        )
        y += 13
        p.hline(x0, x1, y, width=0.6)
        p.hline(x0, x1, y + 1, width=0.2)
        return y + 9
    return y + 4  # plain paper, no letterhead


def page_footer(pages: list[Page], lang: str, rng: random.Random) -> None:
    """Number the pages of a multi-page document the way the print template does."""
    style = rng.randrange(3)
    n = len(pages)
    for i, p in enumerate(pages, 1):
        if lang == "en":
            s = (f"Page {i} of {n}", f"- {i} -", f"Page {i}/{n}")[style]
        else:
            s = (f"第 {i} 页 共 {n} 页", f"- {i} -", f"第{i}页/共{n}页")[style]
        p.text(p.width / 2, p.height - 12, s, 8, anchor="m")


def dealer_seal(
    p: Page,
    dealer: Dealer,
    cx: float,
    cy: float,
    rng: random.Random,
    *,
    sub: str = "合同专用章",
    clean: bool = False,
) -> None:
    """Stamp the dealer's round red seal centred at (cx, cy), slightly rotated as hands do."""
    d = rng.uniform(38, 42)
    p.graphic(
        "seal",
        cx - d / 2,
        cy - d / 2,
        d,
        d,
        seed=rng.randrange(1 << 30),
        text=dealer.name,
        center=sub,
        angle=0.0 if clean else round(rng.uniform(-20, 20), 1),
        color=RED,
        clean=clean,
    )


def company_seal(p: Page, name: str, cx: float, cy: float, rng: random.Random, *, sub: str = "") -> None:
    d = rng.uniform(38, 42)
    p.graphic(
        "seal",
        cx - d / 2,
        cy - d / 2,
        d,
        d,
        seed=rng.randrange(1 << 30),
        text=name,
        center=sub,
        angle=round(rng.uniform(-25, 25), 1),
        color=RED,
    )


def signature(p: Page, x: float, y: float, rng: random.Random, *, w: float = 32, h: float = 12) -> None:
    """A handwritten signature whose box's lower left is at (x, y): it sits on the signing line."""
    ink = rng.choice(((25, 35, 90), (20, 20, 30), (35, 45, 120)))
    p.graphic("signature", x, y - h * 0.8, w, h, seed=rng.randrange(1 << 30), color=ink)


def sign_line(
    p: Page, x: float, y: float, label: str, rng: random.Random, *, width: float = 45, signed: bool = True
) -> None:
    """'Label: ______' with, usually, a signature scrawled on the line."""
    lw = p.text(x, y, label, None)
    p.hline(x + lw + 1, x + lw + 1 + width, y + 1.2, width=0.18)
    if signed:
        signature(p, x + lw + 3, y + 1, rng, w=min(width - 4, 34))


def tick(p: Page, x: float, y: float, size: float, rng: random.Random, *, style: str = "tick") -> None:
    """A hand-drawn tick (or cross) in a box whose top left is (x, y)."""
    j = rng.uniform(-0.6, 0.6)
    p.graphic(
        "tick",
        x - 0.5 + j,
        y - 1.2 + j,
        size + 1.5,
        size + 1.5,
        seed=rng.randrange(1 << 30),
        style=style,
        color=rng.choice(((30, 40, 110), (20, 20, 20))),
    )


def checkbox(
    p: Page,
    x: float,
    y_base: float,
    rng: random.Random,
    checked: bool,
    *,
    size: float = 3.2,
    mark: str = "tick",
) -> None:
    """A printed box sitting on a text baseline, ticked by hand if `checked`."""
    top = y_base - size * 0.9
    p.rect(x, top, size, size, width=0.2)
    if checked:
        tick(p, x, top, size, rng, style=mark)


class Flow:
    """Pours headings, paragraphs and blocks down pages, starting a new page when one is full."""

    def __init__(self, new_page: Callable[[int], tuple[Page, float]], bottom: float = 272.0) -> None:
        self._new_page = new_page
        self.bottom = bottom
        self.pages: list[Page] = []
        self.page, self.y = self._open()

    def _open(self) -> tuple[Page, float]:
        page, y = self._new_page(len(self.pages))
        self.pages.append(page)
        return page, y

    def need(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.page, self.y = self._open()

    def skip(self, h: float) -> None:
        self.y += h

    def para(
        self,
        s: str,
        *,
        size: float | None = None,
        indent: float = 0.0,
        bold: bool = False,
        x: float | None = None,
        width: float | None = None,
        gap: float = 1.5,
        idents: tuple[tuple[str, str], ...] = (),
    ) -> None:
        """Add a wrapped paragraph; `idents` are identifiers printed in it (recorded on its last page)."""
        p = self.page
        st = p.style
        size = size or st.size
        x = st.margin if x is None else x
        width = (p.width - st.margin - x) if width is None else width
        step = size * PT_MM * st.leading
        lines = p.wrap(s, width, size, bold=bold, indent=indent)
        for i, ln in enumerate(lines):
            self.need(step)
            self.y += step
            self.page.text(x + (indent if i == 0 else 0.0), self.y, ln, size, bold=bold)
        for kind, value in idents:
            self.page.ident(kind, value)
        self.y += gap

    def block(self, h: float, draw: Callable[[Page, float], object]) -> None:
        """Reserve `h` mm (on a new page if needed) and draw into it with draw(page, top)."""
        self.need(h)
        draw(self.page, self.y)
        self.y += h
