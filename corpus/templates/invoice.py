"""Invoices: 机动车销售统一发票, paper and electronic 增值税普通发票, and an English tax invoice."""

from __future__ import annotations

import random
from datetime import timedelta

from .. import _data as data
from ..identifiers import format_phone
from ..layout import RED, Color, Page
from . import template
from .common import (
    DocContext,
    amount_en,
    amount_zh,
    dealer_seal,
    fmt_date_en,
    letterhead,
    money,
    pick_style,
    signature,
)

VAT = 0.13


def _cipher(rng: random.Random, n: int) -> str:
    """The machine-printed cipher block of paper invoices (密码区 / 税控码): noise OCR must survive."""
    return "".join(rng.choice("0123456789<>*/+-") for _ in range(n))


def _invoice_seal(
    p: Page, ctx: DocContext, cx: float, cy: float, rng: random.Random, *, clean: bool = False
) -> None:
    """The oval 发票专用章 with the dealer's name and tax number."""
    w, h = 40.0, 28.0
    p.graphic(
        "seal",
        cx - w / 2,
        cy - h / 2,
        w,
        h,
        seed=rng.randrange(1 << 30),
        shape="oval",
        text=ctx.dealer.name,
        center=ctx.dealer.uscc,
        bottom="发票专用章",
        angle=0.0 if clean else round(rng.uniform(-12, 12), 1),
        color=RED,
        clean=clean,
    )


def _buyer_tax_id(ctx: DocContext, rng: random.Random) -> str:
    c = ctx.customer
    if c.company:
        return c.company.uscc
    return c.person.id_number if rng.random() < 0.8 else ""


def _mark_id(p: Page, ctx: DocContext, value: str) -> None:
    if value:
        p.ident("uscc" if ctx.customer.company else "id_number", value)


@template("invoice.motor", "invoice", "zh", dossiers=("new_car",), weight=3.0)
def motor(ctx: DocContext, rng: random.Random) -> list[Page]:
    """机动车销售统一发票: a pre-printed coloured form, dot-matrix values printed slightly off register."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    form: Color = rng.choice(((150, 80, 60), (60, 90, 150), (120, 80, 120), (60, 60, 60)))
    ink = st.ink
    dx, dy = rng.uniform(-2.0, 2.0), rng.uniform(-1.5, 1.5)  # printer registration error
    x0 = rng.uniform(10, 14)
    y0 = rng.uniform(14, 40)
    width = 210 - 2 * x0
    when = v.delivery_date - timedelta(days=rng.randrange(0, 3))
    p.text(105, y0 + 8, "机动车销售统一发票", 18, bold=True, anchor="m", color=form)
    p.hline(70, 140, y0 + 10, width=0.4, color=form)
    p.hline(70, 140, y0 + 11, width=0.4, color=form)
    p.text(105, y0 + 16, "发 票 联", 10, anchor="m", color=form)
    code = f"1440{rng.randrange(10**7, 10**8)}"
    number = f"{rng.randrange(0, 10**8):08d}"
    p.text(x0, y0 + 5, "发票代码", 8, color=form)
    p.text(x0 + 14, y0 + 5 + dy, code, 9, color=ink)
    p.text(x0 + width - 48, y0 + 5, "发票号码", 8, color=form)
    p.text(x0 + width - 34, y0 + 5 + dy, number, 9, color=ink)
    p.text(x0, y0 + 21, "开票日期", 8, color=form)
    p.text(x0 + 14, y0 + 21 + dy, f"{when:%Y-%m-%d}", 9, color=ink)
    p.text(x0, y0 + 26, "机打代码", 8, color=form)
    p.text(x0 + 14, y0 + 26 + dy, code, 9, color=ink)
    p.text(x0, y0 + 30.5, "机打号码", 8, color=form)
    p.text(x0 + 14, y0 + 30.5 + dy, number, 9, color=ink)
    p.text(x0, y0 + 35, "机器编号", 8, color=form)
    p.text(x0 + 14, y0 + 35 + dy, f"{rng.randrange(10**11, 10**12)}", 9, color=ink)
    p.text(x0 + 68, y0 + 30, "税控码", 8, color=form)
    for i in range(4):
        p.text(x0 + 82, y0 + 24 + i * 4 + dy, _cipher(rng, 28), 8.5, family="mono", color=ink)
    tax_id = _buyer_tax_id(ctx, rng)
    vals: dict[str, object] = {"color": ink, "dx": dx, "dy": dy}
    lab: dict[str, object] = {"color": form}

    def V(s: str, **kw: object) -> tuple[str, dict[str, object]]:
        return (s, {**vals, **kw})

    def L(s: str) -> tuple[str, dict[str, object]]:
        return (s, lab)

    net = round(v.price / (1 + VAT), 2)
    tax = round(v.price - net, 2)
    cols = [width * f for f in (0.15, 0.22, 0.14, 0.16, 0.13, 0.20)]
    rows: list[list[object]] = [
        [
            L("购买方名称"),
            V(c.name),
            None,
            L("身份证号码/\n组织机构代码"),
            V(c.company.uscc if c.company else c.person.id_number),
            None,
        ],
        [L("购买方纳税人\n识别号"), V(tax_id if c.company else ""), None, None, None, None],
        [L("车辆类型"), V(v.model.vtype), L("厂牌型号"), V(v.model.code), L("产地"), V(v.model.origin)],
        [L("合格证号"), V(v.cert_no), L("进口证明书号"), "", L("商检单号"), ""],
        [L("发动机号码"), V(v.engine_no), None, L("车辆识别代号/\n车架号码"), V(v.vin), None],
        [L("价税合计"), V(amount_zh(v.price, "圆"), dx=dx + 5), None, None, L("小写"), V(f"¥{v.price:.2f}")],
        [L("销货单位名称"), V(d.name), None, None, L("电话"), V(d.phone)],
        [L("纳税人识别号"), V(d.uscc), None, None, L("账号"), V(d.account)],
        [L("地址"), V(d.address), None, None, L("开户银行"), V(d.bank)],
        [
            L("增值税税率\n或征收率"),
            V("13%"),
            L("增值税\n税额"),
            V(f"¥{tax:.2f}"),
            L("主管税务\n机关及代码"),
            V(f"{d.tax_office} 14401060000", size=7),
        ],
        [L("不含税价"), V(f"小写 ¥{net:.2f}"), L("完税凭证号码"), "", L("限乘人数"), V(str(v.model.seats))],
    ]
    top = y0 + 40
    bottom = p.grid(x0, top, cols, 9.5, rows, size=st.size - 1.5, color=form)
    p.graphic("circled_x", x0 + cols[0] + 1.5 + dx, top + 5 * 9.5 + 2.8 + dy, 3.6, 3.6, seed=1)
    p.ident("id_number" if not c.company else "uscc", c.company.uscc if c.company else c.person.id_number)
    p.ident("vin", v.vin)
    p.ident("uscc", d.uscc)
    p.text(x0, bottom + 6, "销货单位盖章", 8, color=form)
    p.text(x0 + 70, bottom + 6, "开票人", 8, color=form)
    p.text(x0 + 82, bottom + 6 + dy, rng.choice(("林美玲", "系统管理员", "郑慧敏")), 9, color=ink)
    p.text(x0 + 120, bottom + 6, "备注：一车一票", 8, color=form)
    _invoice_seal(p, ctx, x0 + 35, bottom + 8, rng)
    if rng.random() < 0.5:  # the copy's side note printed vertically in the margin
        p.text(
            x0 + width + 4,
            top + 45,
            "第一联  发票联  购货单位付款凭证",
            7,
            angle=-90,
            color=form,
            truth=False,
        )
    return [p]


def _vat_items(ctx: DocContext, rng: random.Random) -> list[tuple[str, str, str, int, float]]:
    """(name, spec, unit, qty, amount incl. tax) lines: the car for a sale, labour and parts for a service."""
    v = ctx.vehicle
    if v.dossier_type == "after_sales":
        picked = rng.sample(data.REPAIR_ITEMS_ZH, rng.randrange(2, 5))
        out = [("*劳务*维修服务", "", "项", 1, float(sum(a for _, a, _ in picked)))]
        out += [(f"*汽车零配件*{n.replace('更换', '')}", "", "件", 1, float(b)) for n, _, b in picked if b]
        return out
    extras = [("*机动车*" + v.model.vtype, v.model.code, "辆", 1, float(v.price))]
    if rng.random() < 0.4:
        extras.append(("*现代服务*延保服务", "", "项", 1, float(rng.choice((1880, 2680, 3580)))))
    return extras


@template("invoice.vat_paper", "invoice", "zh", weight=1.5)
def vat_paper(ctx: DocContext, rng: random.Random) -> list[Page]:
    """增值税普通发票 (paper, pre-2021 layout): supervision seal, cipher area, item table, seller block."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, d = ctx.customer, ctx.dealer
    form: Color = rng.choice(((150, 80, 60), (60, 90, 150), (90, 90, 90)))
    x0, y0 = rng.uniform(10, 15), rng.uniform(15, 45)
    width = 210 - 2 * x0
    when = ctx.vehicle.delivery_date + (
        timedelta(days=rng.randrange(60, 700)) if ctx.vehicle.dossier_type == "after_sales" else timedelta(0)
    )
    p.graphic(
        "seal",
        105 - 14,
        y0 - 2,
        28,
        18,
        seed=rng.randrange(1 << 30),
        shape="oval",
        text="全国统一发票监制章",
        center="广 东",
        bottom="国家税务总局",
        color=RED,
    )
    p.text(105, y0 + 22, "广东增值税普通发票", 17, bold=True, anchor="m", color=form)
    p.hline(72, 138, y0 + 24.5, width=0.4, color=form)
    p.text(105, y0 + 30, "发  票  联", 9, anchor="m", color=form)
    p.text(x0 + width - 55, y0 + 8, f"发票代码：0440{rng.randrange(10**7, 10**8)}", 8.5, color=form)
    p.text(x0 + width - 55, y0 + 13, f"发票号码：{rng.randrange(10**7, 10**8)}", 8.5, color=form)
    p.text(x0 + width - 55, y0 + 18, f"开票日期：{when.year}年{when:%m}月{when:%d}日", 8.5, color=form)
    p.text(
        x0 + width - 55,
        y0 + 23,
        f"校验码：{' '.join(f'{rng.randrange(10**4, 10**5)}' for _ in range(4))}",
        7.5,
        color=form,
    )
    top = y0 + 34
    tax_id = _buyer_tax_id(ctx, rng)
    phone = format_phone(c.phone, 0)
    lw, mid = 8.0, width * 0.58
    p.rect(x0, top, width, 26, color=form)
    p.line(x0 + lw, top, x0 + lw, top + 26, color=form)
    p.line(x0 + mid, top, x0 + mid, top + 26, color=form)
    p.line(x0 + mid + lw, top, x0 + mid + lw, top + 26, color=form)
    p.cell_text(x0, top, lw, 26, "购\n买\n方", 8, align="m", color=form)
    p.cell_text(x0 + mid, top, lw, 26, "密\n码\n区", 8, align="m", color=form)
    labels = ("名        称：", "纳税人识别号：", "地 址、电 话：", "开户行及账号：")
    values = (c.name, tax_id, f"{c.address} {phone}", "")
    for i, (lab, val) in enumerate(zip(labels, values, strict=True)):
        y = top + 5.5 + i * 6
        p.text(x0 + lw + 1.5, y, lab, 8, color=form)
        p.text(x0 + lw + 24, y, val, 8.5 if len(val) < 30 else 7)
        if i < 4:
            p.text(x0 + mid + lw + 1.5, y, _cipher(rng, 27), 8, family="mono")
    _mark_id(p, ctx, tax_id)
    p.ident("phone", c.phone)
    items = _vat_items(ctx, rng)
    top += 26
    cols = [width * f for f in (0.30, 0.14, 0.06, 0.06, 0.12, 0.13, 0.07, 0.12)]
    rows: list[list[object]] = [
        [
            (h, {"align": "m", "color": form})
            for h in ("货物或应税劳务、服务名称", "规格型号", "单位", "数量", "单价", "金额", "税率", "税额")
        ]
    ]
    total_net = total_tax = 0.0
    for name, spec, unit, qty, gross in items:
        net = round(gross / (1 + VAT), 2)
        tax = round(gross - net, 2)
        total_net += net
        total_tax += tax
        rows.append(
            [
                name,
                spec,
                unit,
                str(qty),
                (f"{net:.2f}", {"align": "r"}),
                (f"{net:.2f}", {"align": "r"}),
                "13%",
                (f"{tax:.2f}", {"align": "r"}),
            ]
        )
    while len(rows) < 5:
        rows.append([""] * 8)
    rows.append(
        [
            ("合    计", {"align": "m", "color": form}),
            "",
            "",
            "",
            "",
            (f"¥{total_net:.2f}", {"align": "r"}),
            "",
            (f"¥{total_tax:.2f}", {"align": "r"}),
        ]
    )
    y = p.grid(x0, top, cols, [7] + [6.5] * (len(rows) - 2) + [7], rows, size=7.5, color=form)
    total = round(total_net + total_tax, 2)
    p.rect(x0, y, width, 8, color=form)
    p.text(x0 + 2, y + 5.5, "价税合计（大写）", 8, color=form)
    p.graphic("circled_x", x0 + 30, y + 2.3, 3.4, 3.4, seed=2)
    p.text(x0 + 35, y + 5.5, amount_zh(total, "圆"), 9)
    p.text(x0 + width * 0.68, y + 5.5, "（小写）", 8, color=form)
    p.text(x0 + width * 0.68 + 13, y + 5.5, f"¥{total:.2f}", 9)
    y += 8
    p.rect(x0, y, width, 26, color=form)
    p.line(x0 + lw, y, x0 + lw, y + 26, color=form)
    p.line(x0 + mid, y, x0 + mid, y + 26, color=form)
    p.line(x0 + mid + lw, y, x0 + mid + lw, y + 26, color=form)
    p.cell_text(x0, y, lw, 26, "销\n售\n方", 8, align="m", color=form)
    p.cell_text(x0 + mid, y, lw, 26, "备\n\n注", 8, align="m", color=form)
    values = (d.name, d.uscc, f"{d.address} {d.phone}", f"{d.bank} {d.account}")
    for i, (lab, val) in enumerate(zip(labels, values, strict=True)):
        yy = y + 5.5 + i * 6
        p.text(x0 + lw + 1.5, yy, lab, 8, color=form)
        p.text(x0 + lw + 24, yy, val, 8.5 if len(val) < 30 else 6.8)
    if ctx.vehicle.plate and ctx.vehicle.dossier_type == "after_sales":
        p.text(x0 + mid + lw + 2, y + 6, f"车牌号：{ctx.vehicle.plate}", 8.5)
        p.ident("plate", ctx.vehicle.plate)
    p.ident("uscc", d.uscc)
    y += 26
    for i, lab in enumerate(("收款人：", "复核：", "开票人：", "销售方：（章）")):
        p.text(x0 + 4 + i * width / 4, y + 6, lab, 8, color=form)
    p.text(x0 + 4 + 2 * width / 4 + 12, y + 6, "林美玲", 8.5)
    _invoice_seal(p, ctx, x0 + width - 30, y - 6, rng)
    return [p]


@template("invoice.vat_electronic", "invoice", "zh", born_digital=True, weight=1.5)
def vat_electronic(ctx: DocContext, rng: random.Random) -> list[Page]:
    """电子发票（普通发票）, the fully digitalised e-invoice: QR code, buyer and seller boxes, item table."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, d = ctx.customer, ctx.dealer
    brown: Color = (150, 70, 50)
    x0, y0 = 12.0, rng.uniform(14, 30)
    width = 186.0
    when = ctx.vehicle.delivery_date + (
        timedelta(days=rng.randrange(60, 700)) if ctx.vehicle.dossier_type == "after_sales" else timedelta(0)
    )
    p.graphic("qr", x0, y0, 20, 20, seed=rng.randrange(1 << 30))
    p.text(105, y0 + 10, "电子发票（普通发票）", 17, bold=True, anchor="m", color=brown)
    p.hline(68, 142, y0 + 13, width=0.4, color=brown)
    p.hline(68, 142, y0 + 14, width=0.4, color=brown)
    number = f"{when:%y}44{rng.randrange(10**15, 10**16)}"
    p.text(x0 + width - 58, y0 + 6, "发票号码：", 8.5, color=brown)
    p.text(x0 + width - 42, y0 + 6, number, 8.5)
    p.text(x0 + width - 58, y0 + 12, "开票日期：", 8.5, color=brown)
    p.text(x0 + width - 42, y0 + 12, f"{when.year}年{when:%m}月{when:%d}日", 8.5)
    top = y0 + 24
    tax_id = _buyer_tax_id(ctx, rng)
    half = width / 2
    p.rect(x0, top, width, 22, color=brown)
    for xx in (x0 + 7, x0 + half, x0 + half + 7):
        p.line(xx, top, xx, top + 22, color=brown)
    p.cell_text(x0, top, 7, 22, "购\n买\n方\n信\n息", 7, align="m", color=brown)
    p.cell_text(x0 + half, top, 7, 22, "销\n售\n方\n信\n息", 7, align="m", color=brown)
    for xx, name, tid in ((x0 + 8.5, c.name, tax_id), (x0 + half + 8.5, d.name, d.uscc)):
        p.text(xx, top + 8, "名称：", 8.5, color=brown)
        p.text(xx + 10, top + 8, name, 8.5 if len(name) < 20 else 7.5)
        p.text(xx, top + 16, "统一社会信用代码/纳税人识别号：", 7.5, color=brown)
        p.text(xx + 41, top + 16, tid, 8)
    _mark_id(p, ctx, tax_id)
    p.ident("uscc", d.uscc)
    items = _vat_items(ctx, rng)
    top += 22
    cols = [width * f for f in (0.28, 0.16, 0.06, 0.06, 0.12, 0.12, 0.08, 0.12)]
    rows: list[list[object]] = [
        [
            (h, {"align": "m", "color": brown})
            for h in ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
        ]
    ]
    total_net = total_tax = 0.0
    for name, spec, unit, qty, gross in items:
        net = round(gross / (1 + VAT), 2)
        tax = round(gross - net, 2)
        total_net += net
        total_tax += tax
        rows.append(
            [
                name,
                spec,
                unit,
                str(qty),
                (f"{net:.2f}", {"align": "r"}),
                (f"{net:.2f}", {"align": "r"}),
                ("13%", {"align": "m"}),
                (f"{tax:.2f}", {"align": "r"}),
            ]
        )
    rows.append(
        [
            ("合        计", {"align": "m", "color": brown}),
            "",
            "",
            "",
            "",
            (f"¥{total_net:.2f}", {"align": "r"}),
            "",
            (f"¥{total_tax:.2f}", {"align": "r"}),
        ]
    )
    y = p.grid(x0, top, cols, [7] + [7] * (len(rows) - 2) + [7], rows, size=7.5, color=brown)
    total = round(total_net + total_tax, 2)
    p.rect(x0, y, width, 8, color=brown)
    p.text(x0 + 2, y + 5.5, "价税合计（大写）", 8, color=brown)
    p.graphic("circled_x", x0 + 30, y + 2.3, 3.4, 3.4, seed=3)
    p.text(x0 + 35, y + 5.5, amount_zh(total, "圆"), 9)
    p.text(x0 + width * 0.66, y + 5.5, "（小写）", 8, color=brown)
    p.text(x0 + width * 0.66 + 13, y + 5.5, f"¥{total:.2f}", 9)
    y += 8
    p.rect(x0, y, width, 16, color=brown)
    p.line(x0 + 7, y, x0 + 7, y + 16, color=brown)
    p.cell_text(x0, y, 7, 16, "备\n注", 7, align="m", color=brown)
    if ctx.vehicle.dossier_type == "new_car":
        p.text(x0 + 9, y + 6, f"车架号：{ctx.vehicle.vin}", 8)
        p.ident("vin", ctx.vehicle.vin)
    elif ctx.vehicle.plate:
        p.text(
            x0 + 9,
            y + 6,
            f"车牌号：{ctx.vehicle.plate}  工单号：WX{when:%Y%m%d}{rng.randrange(1000, 9999)}",
            8,
        )
        p.ident("plate", ctx.vehicle.plate)
    p.text(x0 + 4, y + 24, "开票人：", 8, color=brown)
    p.text(x0 + 16, y + 24, "林美玲", 8.5)
    _invoice_seal(p, ctx, x0 + width - 40, y + 22, rng, clean=True)
    return [p]


@template("invoice.tax_en", "invoice", "en", born_digital=True, weight=0.8)
def tax_en(ctx: DocContext, rng: random.Random) -> list[Page]:
    """English TAX INVOICE on the dealer's letterhead."""
    st = pick_style(rng, "en")
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    x0, x1 = st.margin, 210 - st.margin
    y = letterhead(p, d, rng, lang="en")
    p.text(105, y + 6, "TAX INVOICE", 18, bold=True, anchor="m")
    y += 16
    when = v.delivery_date
    inv_no = f"INV-{when:%Y%m}-{rng.randrange(1000, 9999)}"
    p.text(x1, y, f"Invoice No.: {inv_no}", anchor="r")
    p.text(x1, y + 5.5, f"Date: {fmt_date_en(when, st.date_style)}", anchor="r")
    p.text(x1, y + 11, f"Seller USCC: {d.uscc}", st.size - 1, anchor="r")
    p.ident("uscc", d.uscc)
    p.text(x0, y, "Bill To:", bold=True)
    p.text(x0, y + 5.5, c.name_en)
    yy = y + 11
    for ln in p.wrap(c.address_en, (x1 - x0) * 0.5, st.size - 1):
        p.text(x0, yy, ln, st.size - 1)
        yy += 5
    if c.company:
        p.text(x0, yy, f"USCC: {c.company.uscc}", st.size - 1)
        p.ident("uscc", c.company.uscc)
    else:
        p.text(x0, yy, f"ID No.: {c.person.id_number}", st.size - 1)
        p.ident("id_number", c.person.id_number)
    p.text(x0, yy + 5, f"Tel: {format_phone(c.phone, rng.randrange(3))}", st.size - 1)
    p.ident("phone", c.phone)
    y = yy + 12
    w = x1 - x0
    net = round(v.price / (1 + VAT), 2)
    tax = round(v.price - net, 2)
    rows: list[list[object]] = [
        [
            (h, {"bold": True, "align": "m"})
            for h in ("Description", "Qty", "Unit Price (RMB)", "Amount (RMB)")
        ],
        [
            f"{v.model.brand_en} {v.model.name_en}\nVIN: {v.vin}\nColour: {v.color[1]}",
            ("1", {"align": "m"}),
            (money(net), {"align": "r"}),
            (money(net), {"align": "r"}),
        ],
        ["", "", ("Subtotal", {"align": "r"}), (money(net), {"align": "r"})],
        ["", "", ("VAT 13%", {"align": "r"}), (money(tax), {"align": "r"})],
        ["", "", ("Total", {"align": "r", "bold": True}), (money(v.price), {"align": "r", "bold": True})],
    ]
    y = p.grid(x0, y, [w * 0.52, w * 0.1, w * 0.19, w * 0.19], [8, 18, 7, 7, 7], rows, size=st.size - 1)
    p.ident("vin", v.vin)
    y = p.para(x0, y + 8, w, f"Amount in words: RMB {amount_en(v.price)}", st.size - 1)
    p.text(x0, y + 4, "Payment details:", bold=True)
    p.text(x0, y + 10, "Bank: Industrial and Commercial Bank of China, Guangzhou Tianhe Branch", st.size - 1)
    p.text(x0, y + 15.5, f"Account No.: {d.account}", st.size - 1)
    p.text(x1 - 50, y + 34, "Authorised Signature", st.size - 1)
    p.hline(x1 - 55, x1, y + 28.5, width=0.2)
    signature(p, x1 - 48, y + 28, rng)
    dealer_seal(p, d, x1 - 30, y + 22, rng, sub="发票专用章")
    return [p]
