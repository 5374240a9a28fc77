"""Identity document copies: resident ID card (both sides), business licence and passport data page."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..layout import Color, Page
from ..register import Person
from . import template
from .common import DocContext, company_seal, fmt_date, pick_style, signature

_GREY_INK: Color = (35, 35, 35)
_GREY_LABEL: Color = (85, 85, 85)
CARD_W, CARD_H = 85.6, 54.0


def _overprint(p: Page, rng: random.Random, cx: float, cy: float, dealer_short: str) -> None:
    """The diagonal 'for car purchase only' line customers write or stamp across their copies."""
    text = rng.choice(
        (
            "仅供办理购车手续使用",
            f"仅供{dealer_short}办理购车手续使用，他用无效",
            "仅供购车上牌使用",
            "此复印件仅供购车使用",
        )
    )
    color = rng.choice(((200, 40, 40), (60, 60, 60), (40, 50, 120)))
    p.text(
        cx,
        cy,
        text,
        rng.choice((16, 20, 24)),
        angle=rng.uniform(15, 35),
        color=color,
        truth=False,
        alpha=rng.randrange(110, 200),
    )


def _card_front(p: Page, x: float, y: float, s: float, who: Person, rng: random.Random) -> None:
    """The photo side of a second-generation ID card, drawn at scale s (1.0 = real size)."""
    with p.block():
        p.graphic(
            "copytone",
            x,
            y,
            CARD_W * s,
            CARD_H * s,
            seed=rng.randrange(1 << 30),
            tone=rng.randrange(25, 70),
            radius=3.2 * s,
        )
        p.graphic("portrait", x + 56 * s, y + 7 * s, 25 * s, 31 * s, seed=rng.randrange(1 << 30))
        lab, val = 5.8 * s, 8.5 * s
        fam = "hei" if rng.random() < 0.5 else "sans"

        def at(dx: float, dy: float, text: str, size: float, color: Color = _GREY_INK, **kw: Any) -> None:
            p.text(x + dx * s, y + dy * s, text, size, color=color, family=fam, **kw)

        at(5.5, 10, "姓名", lab, _GREY_LABEL)
        at(15, 10, who.name, val + 1 * s, bold=True)
        at(5.5, 17.5, "性别", lab, _GREY_LABEL)
        at(15, 17.5, "男" if who.male else "女", val)
        at(26, 17.5, "民族", lab, _GREY_LABEL)
        at(35, 17.5, who.ethnicity, val)
        at(5.5, 25, "出生", lab, _GREY_LABEL)
        b = who.birth
        at(15, 25, f"{b.year}  年  {b.month}  月  {b.day}  日", val)
        at(5.5, 32.5, "住址", lab, _GREY_LABEL)
        lines = p.wrap(who.address, 38 * s, val, family=fam)
        for i, ln in enumerate(lines[:4]):
            at(15, 32.5 + i * 4.3, ln, val)
        at(5.5, 49, "公民身份号码", lab, _GREY_LABEL)
        p.text(x + 28 * s, y + 49 * s, who.id_number, 10 * s, family="mono", bold=True, color=_GREY_INK)
        p.ident("id_number", who.id_number)


def _card_back(p: Page, x: float, y: float, s: float, who: Person, rng: random.Random) -> None:
    """The emblem side: issuing authority and validity period."""
    with p.block():
        p.graphic(
            "copytone",
            x,
            y,
            CARD_W * s,
            CARD_H * s,
            seed=rng.randrange(1 << 30),
            tone=rng.randrange(25, 70),
            radius=3.2 * s,
        )
        p.graphic(
            "emblem", x + 5 * s, y + 4 * s, 17 * s, 17 * s, seed=rng.randrange(1 << 30), color=(50, 50, 50)
        )
        p.text(x + 28 * s, y + 13 * s, "中华人民共和国", 11 * s, bold=True, color=_GREY_INK)
        p.text(x + 28 * s, y + 26 * s, "居民身份证", 17 * s, bold=True, color=_GREY_INK)
        issued = who.id_issued
        end = f"{who.id_expires:%Y.%m.%d}" if who.id_expires else "长期"
        p.text(x + 15 * s, y + 42 * s, "签发机关", 5.8 * s, color=_GREY_LABEL)
        p.text(x + 28 * s, y + 42 * s, who.region.issuer, 8 * s, color=_GREY_INK)
        p.text(x + 15 * s, y + 49 * s, "有效期限", 5.8 * s, color=_GREY_LABEL)
        p.text(x + 28 * s, y + 49 * s, f"{issued:%Y.%m.%d}-{end}", 8 * s, color=_GREY_INK)


@template("id_copy.card", "id_copy", "zh", weight=3.0)
def id_card(ctx: DocContext, rng: random.Random) -> list[Page]:
    """Both sides of an ID card photocopied on one A4 sheet, in one of three arrangements."""
    st = pick_style(rng)
    p = Page(st)
    who = ctx.person
    layout = rng.randrange(3)
    y = rng.uniform(18, 40)
    if rng.random() < 0.35:
        p.text(
            105,
            y,
            rng.choice(("身份证复印件", "居民身份证复印件", "购车人身份证明")),
            14,
            bold=True,
            anchor="m",
        )
        y += 10
    if layout == 0:  # stacked, enlarged
        s = rng.uniform(1.25, 1.6)
        x = (210 - CARD_W * s) / 2 + rng.uniform(-8, 8)
        _card_front(p, x, y, s, who, rng)
        y2 = y + CARD_H * s + rng.uniform(12, 30)
        _card_back(p, x + rng.uniform(-4, 4), y2, s, who, rng)
        bottom = y2 + CARD_H * s
    elif layout == 1:  # side by side at real size
        s = rng.uniform(0.98, 1.08)
        gap = (210 - 2 * CARD_W * s) / 3
        _card_front(p, gap, y, s, who, rng)
        _card_back(p, 2 * gap + CARD_W * s, y + rng.uniform(-3, 3), s, who, rng)
        bottom = y + CARD_H * s + 3
    else:  # offset, as a clerk lays cards on the glass
        s = rng.uniform(1.0, 1.3)
        _card_front(p, rng.uniform(15, 30), y, s, who, rng)
        y2 = y + CARD_H * s + rng.uniform(8, 20)
        _card_back(p, rng.uniform(40, 210 - CARD_W * s - 15), y2, s, who, rng)
        bottom = y2 + CARD_H * s
    if rng.random() < 0.8:
        _overprint(p, rng, 105 + rng.uniform(-20, 20), (y + bottom) / 2, ctx.dealer.short)
    if rng.random() < 0.5:
        yy = bottom + rng.uniform(12, 25)
        p.text(30, yy, rng.choice(("本复印件与原件一致，仅供办理购车手续使用。", "此件与原件核对无误")), 11)
        p.text(120, yy + 12, "签名：", 11)
        signature(p, 134, yy + 13, rng)
        p.text(120, yy + 22, f"日期：{fmt_date(ctx.vehicle.delivery_date, st.date_style)}", 11)
    return [p]


@template("id_copy.licence", "id_copy", "zh", kinds=("company",), weight=3.0)
def business_licence(ctx: DocContext, rng: random.Random) -> list[Page]:
    """Copy of a business licence (营业执照 副本) with the registrar's seal, often stamped by the company."""
    st = pick_style(rng)
    p = Page(st)
    co = ctx.customer.company
    assert co is not None
    x0, y0 = rng.uniform(14, 22), rng.uniform(14, 26)
    w, h = 210 - 2 * x0, min(255.0, 297 - y0 - 18)
    p.graphic("copytone", x0, y0, w, h, seed=rng.randrange(1 << 30), tone=rng.randrange(12, 35), radius=1.0)
    p.rect(x0 + 5, y0 + 5, w - 10, h - 10, width=0.8, color=(70, 70, 70))
    p.rect(x0 + 7, y0 + 7, w - 14, h - 14, width=0.3, color=(70, 70, 70))
    p.graphic("emblem", 105 - 14, y0 + 14, 28, 28, seed=rng.randrange(1 << 30), color=(60, 60, 60))
    p.text(x0 + 14, y0 + 24, "统一社会信用代码", 9, color=_GREY_INK)
    p.text(x0 + 14, y0 + 30, co.uscc, 11, family="mono", bold=True, color=_GREY_INK)
    p.ident("uscc", co.uscc)
    p.text(
        x0 + w - 14,
        y0 + 24,
        f"证照编号：{rng.randrange(10**9, 10**10)}{rng.randrange(10**9, 10**10)}",
        7.5,
        anchor="r",
        color=_GREY_INK,
    )
    for i, ch in enumerate("营业执照"):
        p.text(105 - 39 + i * 26, y0 + 62, ch, 34, bold=True, family="serif", anchor="m", color=_GREY_INK)
    p.text(105, y0 + 72, "（副  本）", 12, anchor="m", color=_GREY_INK)
    lx, rx = x0 + 16, x0 + w / 2 + 4
    col_w = w / 2 - 22
    founded = co.founded
    y = y0 + 88
    with p.block():
        yy = y
        for lab, val in (
            ("名        称", co.name),
            ("类        型", co.company_type),
            ("法定代表人", co.legal_rep.name),
            ("经 营 范 围", co.scope),
        ):
            p.text(lx, yy, lab, 9.5, bold=True, color=_GREY_INK)
            lines = p.wrap(val, col_w - 24, 9.5)
            for ln in lines:
                p.text(lx + 24, yy, ln, 9.5, color=_GREY_INK)
                yy += 6
            yy += 3
    with p.block():
        yy = y
        for lab, val in (
            ("注 册 资 本", f"人民币{_capital_words(co.capital_wan)}"),
            ("成 立 日 期", f"{founded.year}年{founded.month:02d}月{founded.day:02d}日"),
            ("营 业 期 限", f"{founded.year}年{founded.month:02d}月{founded.day:02d}日至长期"),
            ("住        所", co.address),
        ):
            p.text(rx, yy, lab, 9.5, bold=True, color=_GREY_INK)
            for ln in p.wrap(val, col_w - 20, 9.5):
                p.text(rx + 24, yy, ln, 9.5, color=_GREY_INK)
                yy += 6
            yy += 3
    bottom = y0 + h
    p.graphic("qr", lx, bottom - 62, 24, 24, seed=rng.randrange(1 << 30))
    p.para(
        lx,
        bottom - 33,
        60,
        "扫描二维码登录“国家企业信用信息公示系统”了解更多登记、备案、许可、监管信息。",
        6.5,
    )
    p.text(rx + 14, bottom - 50, "登 记 机 关", 10, bold=True, color=_GREY_INK)
    issued = founded + timedelta(days=rng.randrange(0, 3000))
    issued = min(issued, date(2024, 12, 31))
    p.text(
        rx + 14, bottom - 34, f"{issued.year}年{issued.month:02d}月{issued.day:02d}日", 10, color=_GREY_INK
    )
    p.graphic(
        "seal",
        rx + 30,
        bottom - 66,
        38,
        38,
        seed=rng.randrange(1 << 30),
        text=co.registrar,
        center="",
        angle=round(rng.uniform(-10, 10), 1),
        color=(150, 60, 60),
    )
    p.text(
        105,
        bottom - 16,
        "国家企业信用信息公示系统网址：http://www.gsxt.gov.cn",
        7,
        anchor="m",
        color=_GREY_INK,
    )
    p.text(105, bottom - 11.5, "国家市场监督管理总局监制", 7, anchor="m", color=_GREY_INK)
    if rng.random() < 0.7:
        company_seal(p, co.name, rng.uniform(60, 150), rng.uniform(130, 190), rng)
    if rng.random() < 0.6:
        _overprint(p, rng, 105, rng.uniform(110, 170), ctx.dealer.short)
    return [p]


def _capital_words(wan: int) -> str:
    digits = "零壹贰叁肆伍陆柒捌玖"
    out = ""
    for value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
        q = wan // value % 10
        if q:
            out += digits[q] + unit
    return out + "万元整"


def _mrz_check(s: str) -> str:
    total = 0
    for i, ch in enumerate(s):
        v = 0 if ch == "<" else int(ch) if ch.isdigit() else ord(ch) - 55
        total += v * (7, 3, 1)[i % 3]
    return str(total % 10)


def mrz(who: Person, issued: date, expires: date) -> tuple[str, str]:
    """The two 44-character machine readable lines of a TD3 passport (ICAO 9303), with check digits."""
    name = f"{who.surname_en.upper()}<<{who.given_en.upper()}"
    line1 = f"P<CHN{name}".ljust(44, "<")[:44]
    number = who.passport_no.ljust(9, "<")
    dob = f"{who.birth:%y%m%d}"
    exp = f"{expires:%y%m%d}"
    personal = "".join("ABCDEFGHJKLMN"[int(c) % 13] for c in who.id_number[6:14]).ljust(14, "<")
    composite = (
        number
        + _mrz_check(number)
        + dob
        + _mrz_check(dob)
        + exp
        + _mrz_check(exp)
        + personal
        + _mrz_check(personal)
    )
    line2 = (
        f"{number}{_mrz_check(number)}CHN{dob}{_mrz_check(dob)}{'M' if who.male else 'F'}"
        f"{exp}{_mrz_check(exp)}{personal}{_mrz_check(personal)}{_mrz_check(composite)}"
    )
    return line1, line2


_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


def _pdate(d: date) -> str:
    return f"{d.day:02d} {d.month}月/{_MONTHS[d.month - 1]} {d.year}"


@template("id_copy.passport", "id_copy", "en", kinds=("person",), weight=0.6)
def passport(ctx: DocContext, rng: random.Random) -> list[Page]:
    """Copy of a Chinese passport's data page with its MRZ."""
    st = pick_style(rng, "en")
    p = Page(st)
    who = ctx.person
    s = rng.uniform(1.2, 1.45)
    x, y = (210 - 125 * s) / 2 + rng.uniform(-6, 6), rng.uniform(25, 60)
    issued = date(rng.randrange(2016, 2024), rng.randrange(1, 13), rng.randrange(1, 28))
    expires = date(issued.year + 10, issued.month, issued.day) - timedelta(days=1)
    p.graphic(
        "copytone",
        x,
        y,
        125 * s,
        88 * s,
        seed=rng.randrange(1 << 30),
        tone=rng.randrange(20, 50),
        radius=2.0 * s,
    )
    p.graphic("portrait", x + 6 * s, y + 20 * s, 32 * s, 40 * s, seed=rng.randrange(1 << 30))
    ink, lab = _GREY_INK, _GREY_LABEL
    p.text(x + 62 * s, y + 7 * s, "中华人民共和国", 8 * s, anchor="m", color=ink, family="sans")
    p.text(
        x + 62 * s, y + 11.5 * s, "PEOPLE'S REPUBLIC OF CHINA", 6.5 * s, anchor="m", color=ink, family="dsans"
    )
    p.text(x + 108 * s, y + 9 * s, "护照 PASSPORT", 7.5 * s, anchor="m", color=ink, family="sans")
    fields = (
        (20, ("类型/Type", "P"), ("国家码/Country Code", "CHN"), ("护照号/Passport No.", who.passport_no)),
        (28, ("姓/Surname", who.surname_en.upper()), None, None),
        (35, ("名/Given names", who.given_en.upper()), None, None),
        (
            42,
            ("性别/Sex", "男/M" if who.male else "女/F"),
            ("出生地点/Place of birth", f"{who.region.province[:2]}/{who.region.province_en.upper()}"),
            None,
        ),
        (49, ("出生日期/Date of birth", _pdate(who.birth)), None, None),
        (
            56,
            ("签发地点/Place of issue", f"{who.region.province[:2]}/{who.region.province_en.upper()}"),
            ("签发日期/Date of issue", _pdate(issued)),
            None,
        ),
        (63, ("有效期至/Date of expiry", _pdate(expires)), ("签发机关/Authority", "国家移民管理局"), None),
    )
    cols = (42, 75, 100)
    for dy, *cells in fields:
        for cx, cell in zip(cols, cells, strict=False):
            if cell is None:
                continue
            label, value = cell
            p.text(x + cx * s, y + dy * s, label, 4.6 * s, color=lab, family="sans")
            p.text(x + cx * s, y + (dy + 4) * s, value, 6.8 * s, color=ink, family="sans")
    l1, l2 = mrz(who, issued, expires)
    p.text(x + 4 * s, y + 77 * s, l1, 7.3 * s, family="mono", color=ink)
    p.text(x + 4 * s, y + 83 * s, l2, 7.3 * s, family="mono", color=ink)
    if rng.random() < 0.7:
        _overprint(p, rng, 105, y + 44 * s, ctx.dealer.short)
    if rng.random() < 0.5:
        yy = y + 88 * s + 20
        p.text(30, yy, "Certified true copy. For vehicle purchase only.", 11, family="dsans")
        signature(p, 120, yy + 14, rng)
    return [p]
