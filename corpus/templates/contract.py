"""Contracts: 汽车销售合同, 汽车买卖合同, 委托维修协议 and an English sales agreement, 1-3 pages each."""

from __future__ import annotations

import random
from datetime import timedelta

from .. import _data as data
from ..identifiers import format_phone, format_plate
from ..layout import Page
from . import template
from .common import (
    DocContext,
    Flow,
    amount_en,
    amount_zh,
    company_seal,
    dealer_seal,
    fmt_date,
    fmt_date_en,
    letterhead,
    money,
    page_footer,
    pick_style,
    sign_line,
    signature,
)


def _buyer_lines(
    ctx: DocContext, rng: random.Random, phone_style: int
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The buyer's identity lines of a Chinese contract, with the identifiers each carries."""
    c = ctx.customer
    lines: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    if c.company:
        lines.append((f"统一社会信用代码：{c.company.uscc}", (("uscc", c.company.uscc),)))
        lines.append((f"法定代表人：{c.company.legal_rep.name}", ()))
        if rng.random() < 0.6:
            lines.append(
                (
                    f"经办人：{c.person.name}    身份证号码：{c.person.id_number}",
                    (("id_number", c.person.id_number),),
                )
            )
    else:
        label = rng.choice(("身份证号码", "证件号码", "公民身份号码"))
        lines.append((f"{label}：{c.person.id_number}", (("id_number", c.person.id_number),)))
    lines.append((f"{rng.choice(('住所', '地址', '联系地址'))}：{c.address}", ()))
    lines.append(
        (
            f"{rng.choice(('联系电话', '手机', '电话'))}：{format_phone(c.phone, phone_style)}",
            (("phone", c.phone),),
        )
    )
    return lines


def _sign_block_zh(
    f: Flow, ctx: DocContext, rng: random.Random, when: str, *, seller: str = "甲方", buyer: str = "乙方"
) -> None:
    """Two signature columns: the dealer's seal and representative, the buyer's signature."""
    d, c = ctx.dealer, ctx.customer

    def draw(p: Page, top: float) -> None:
        st = p.style
        left, right = st.margin, p.width / 2 + 5
        y = top + 8
        p.text(left, y, f"{seller}（盖章）：", bold=True)
        p.text(right, y, f"{buyer}（{'盖章' if c.company else '签字'}）：", bold=True)
        y += 10
        sign_line(p, left, y, "授权代表：", rng, width=40)
        sign_line(p, right, y, "签字：" if not c.company else "授权代表：", rng, width=40)
        y += 10
        p.text(left, y, f"日期：{when}")
        p.text(right, y, f"日期：{when}")
        dealer_seal(p, d, left + 45, top + 14, rng)
        if c.company:
            company_seal(p, c.company.name, right + 45, top + 14, rng)

    f.block(44, draw)


def _vehicle_table_zh(f: Flow, ctx: DocContext, rng: random.Random, heading: str) -> None:
    v = ctx.vehicle
    f.para(heading, bold=True, gap=2)

    def draw(p: Page, top: float) -> None:
        st = p.style
        w = p.width - 2 * st.margin
        cols = [w * 0.26, w * 0.12, w * 0.3, w * 0.08, w * 0.24]
        head = [
            "品牌型号",
            "颜色",
            rng.choice(("车架号（VIN）", "车辆识别代号", "车架号")),
            "数量",
            "价格（元）",
        ]
        row = [f"{v.model.brand}\n{v.model.name}", v.color[0], v.vin, "1", money(v.price)]
        y = p.grid(
            st.margin,
            top,
            cols,
            [8, 13],
            [[(h, {"align": "m", "bold": True}) for h in head], row],
            size=st.size - 1,
            align="m",
        )
        p.ident("vin", v.vin)
        p.text(st.margin, y + 7, f"合计金额：人民币（大写）{amount_zh(v.price)}   （小写）¥{money(v.price)}")

    f.block(33, draw)


@template("contract.sales_a", "contract", "zh", born_digital=True, dossiers=("new_car",), weight=2.0)
def sales_a(ctx: DocContext, rng: random.Random) -> list[Page]:
    """汽车销售合同: letterhead, party lines, vehicle table, numbered 第X条 clauses, seal and signatures."""
    st = pick_style(rng)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    title = rng.choice(("汽车销售合同", "汽车销售合同", "新车销售合同", "汽车购销合同"))
    signed = v.delivery_date - timedelta(days=rng.randrange(2, 25))
    phone_style = rng.randrange(3)

    def new_page(i: int) -> tuple[Page, float]:
        p = Page(st)
        if i == 0:
            y = letterhead(p, d, rng)
            p.text(p.width / 2, y + 5, title, rng.choice((18, 20, 22)), bold=True, anchor="m")
            p.text(p.width - st.margin, y + 14, f"合同编号：{v.contract_no}", st.size - 1, anchor="r")
            return p, y + 16
        p.text(p.width - st.margin, st.top + 2, f"合同编号：{v.contract_no}", 8, anchor="r")
        return p, st.top + 8

    f = Flow(new_page)
    f.para(f"出卖人（甲方）：{d.name}", bold=True)
    f.para(f"统一社会信用代码：{d.uscc}", idents=(("uscc", d.uscc),))
    f.para(f"地址：{d.address}    电话：{d.phone}")
    f.skip(2)
    f.para(f"买受人（乙方）：{c.name}", bold=True)
    for text, idents in _buyer_lines(ctx, rng, phone_style):
        f.para(text, idents=idents)
    f.skip(2)
    f.para(
        "根据《中华人民共和国民法典》及相关法律法规的规定，甲乙双方在平等、自愿、协商一致的基础上，"
        "就乙方向甲方购买汽车事宜达成如下协议，以资共同遵守。",
        indent=st.size * 0.7,
    )
    numerals = "一二三四五六七八九十"
    _vehicle_table_zh(f, ctx, rng, "第一条  车辆信息")
    clauses = list(data.SALES_CLAUSES_ZH)
    keep = sorted(rng.sample(range(len(clauses) - 1), rng.randrange(5, len(clauses) - 1)))
    chosen = [clauses[i] for i in keep] + [clauses[-1]]
    fill = {
        "deposit": money(rng.choice((5000, 10000, 20000))),
        "days": rng.choice((7, 15, 30)),
        "city": "广州市天河区",
        "warranty": rng.choice(("3年或10万公里", "3年或12万公里", "4年或15万公里")),
    }
    for i, (head, body) in enumerate(chosen, 2):
        f.para(f"第{numerals[i - 1] if i <= 10 else '十' + numerals[i - 11]}条  {head}", bold=True, gap=0.5)
        f.para(body.format(**fill), indent=st.size * 0.7)
    f.skip(2)
    _sign_block_zh(f, ctx, rng, fmt_date(signed, st.date_style))
    page_footer(f.pages, "zh", rng)
    return f.pages


@template("contract.sales_b", "contract", "zh", born_digital=True, dossiers=("new_car",))
def sales_b(ctx: DocContext, rng: random.Random) -> list[Page]:
    """汽车买卖合同 as a bordered form: party table, vehicle grid, 一、二、 clauses, signature table."""
    st = pick_style(rng, form=True)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    signed = v.delivery_date - timedelta(days=rng.randrange(1, 20))
    phone_style = rng.randrange(3)

    def new_page(i: int) -> tuple[Page, float]:
        p = Page(st)
        if i == 0:
            p.text(
                p.width / 2,
                st.top + 8,
                rng.choice(("汽 车 买 卖 合 同", "汽车买卖合同")),
                20,
                bold=True,
                anchor="m",
            )
            p.text(st.margin, st.top + 18, f"合同编号：{v.contract_no}", st.size - 1)
            p.text(p.width - st.margin, st.top + 18, f"签订地点：{d.city}", st.size - 1, anchor="r")
            return p, st.top + 22
        return p, st.top

    f = Flow(new_page)
    w = 210 - 2 * st.margin
    buyer_id = c.company.uscc if c.company else c.person.id_number
    buyer_id_label = "统一社会信用代码" if c.company else "身份证号码"

    def parties(p: Page, top: float) -> None:
        cols = [w * 0.16, w * 0.42, w * 0.16, w * 0.26]
        rows: list[list[object]] = [
            [("卖方", {"bold": True}), d.name, "统一社会信用代码", d.uscc],
            ["地址", d.address, "电话", d.phone],
            [("买方", {"bold": True}), c.name, buyer_id_label, buyer_id],
            ["地址", c.address, "联系电话", format_phone(c.phone, phone_style)],
        ]
        p.grid(st.margin, top, cols, [9, 11, 9, 11], rows, size=st.size - 1.5)
        p.ident("uscc", d.uscc)
        p.ident("uscc" if c.company else "id_number", buyer_id)
        p.ident("phone", c.phone)

    f.block(44, parties)
    f.para("一、车辆基本情况", bold=True, gap=2)

    def vehicle(p: Page, top: float) -> None:
        cols = [w * 0.2, w * 0.3, w * 0.2, w * 0.3]
        rows: list[list[object]] = [
            ["品牌", v.model.brand, "车型", v.model.name],
            ["车辆识别代号", v.vin, "发动机号", v.engine_no],
            [
                "车身颜色",
                v.color[0],
                "排量/功率",
                f"{v.model.displacement}mL / {v.model.power_kw}kW"
                if v.model.displacement
                else f"{v.model.power_kw}kW",
            ],
            ["车辆价款", f"¥{money(v.price)}", "大写", amount_zh(v.price)],
        ]
        p.grid(st.margin, top, cols, 9, rows, size=st.size - 1.5)
        p.ident("vin", v.vin)

    f.block(40, vehicle)
    sections = (
        ("二、价款及支付方式", data.SALES_CLAUSES_ZH[0][1]),
        ("三、交付", data.SALES_CLAUSES_ZH[1][1]),
        ("四、验收与风险转移", data.SALES_CLAUSES_ZH[2][1]),
        ("五、质量保证", data.SALES_CLAUSES_ZH[3][1]),
        ("六、违约责任", data.SALES_CLAUSES_ZH[5][1]),
        ("七、争议解决", data.SALES_CLAUSES_ZH[7][1]),
        ("八、其他", data.SALES_CLAUSES_ZH[8][1] + data.SALES_CLAUSES_ZH[9][1]),
    )
    fill = {
        "deposit": money(rng.choice((3000, 5000, 10000))),
        "days": rng.choice((10, 15, 20)),
        "city": "广州市天河区",
        "warranty": "3年或10万公里",
    }
    for head, body in sections:
        f.para(head, bold=True, gap=0.5)
        for j, sentence in enumerate(s for s in body.format(**fill).split("。") if s):
            f.para(f"{j + 1}. {sentence}。", indent=0, gap=0.5)
    f.skip(3)

    def sign_table(p: Page, top: float) -> None:
        cols = [w * 0.5, w * 0.5]
        rows: list[list[object]] = [
            ["卖方（盖章）：", "买方（签字/盖章）："],
            ["法定代表人或委托代理人：", "委托代理人："],
            [f"日期：{fmt_date(signed, st.date_style)}", f"日期：{fmt_date(signed, st.date_style)}"],
        ]
        p.grid(st.margin, top, cols, [16, 12, 9], rows)
        dealer_seal(p, d, st.margin + w * 0.33, top + 14, rng)
        signature(p, st.margin + w * 0.5 + 26, top + 26, rng, w=30)
        signature(p, st.margin + w * 0.5 - 32, top + 26, rng, w=28)

    f.block(42, sign_table)
    page_footer(f.pages, "zh", rng)
    return f.pages


@template("contract.repair", "contract", "zh", born_digital=True, dossiers=("after_sales",), weight=1.0)
def repair(ctx: DocContext, rng: random.Random) -> list[Page]:
    """委托维修协议: vehicle grid, repair items with labour and parts, terms, signatures."""
    st = pick_style(rng, form=True)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    when = v.delivery_date + timedelta(days=rng.randrange(60, 700))
    phone_style = rng.randrange(3)
    order_no = f"WX{when:%Y%m%d}{rng.randrange(1000, 9999)}"

    def new_page(i: int) -> tuple[Page, float]:
        p = Page(st)
        if i == 0:
            y = letterhead(p, d, rng)
            p.text(
                p.width / 2,
                y + 5,
                rng.choice(("委托维修协议", "机动车维修委托协议", "委托维修协议书")),
                18,
                bold=True,
                anchor="m",
            )
            p.text(p.width - st.margin, y + 13, f"工单号：{order_no}", st.size - 1, anchor="r")
            return p, y + 16
        return p, st.top

    f = Flow(new_page)
    w = 210 - 2 * st.margin
    plate = format_plate(v.plate, rng.randrange(3)) if v.plate else "—"

    def head(p: Page, top: float) -> None:
        cols = [w * 0.17, w * 0.33, w * 0.17, w * 0.33]
        rows: list[list[object]] = [
            ["委托方", c.name, "联系电话", format_phone(c.phone, phone_style)],
            ["受托方", f"{d.name}售后服务部", "服务热线", d.hotline],
            ["车牌号码", plate, "车辆识别代号", v.vin],
            ["车型", v.model.name, "行驶里程", f"{v.mileage} km"],
            [
                "进厂时间",
                fmt_date(when, st.date_style),
                "预计交车",
                fmt_date(when + timedelta(days=1), st.date_style),
            ],
        ]
        p.grid(st.margin, top, cols, 9, rows, size=st.size - 1)
        p.ident("phone", c.phone)
        p.ident("vin", v.vin)
        if v.plate:
            p.ident("plate", v.plate)

    f.block(50, head)
    items = rng.sample(data.REPAIR_ITEMS_ZH, rng.randrange(2, 6))
    total = sum(a + b for _, a, b in items)

    def table(p: Page, top: float) -> None:
        cols = [w * 0.1, w * 0.42, w * 0.16, w * 0.16, w * 0.16]
        rows: list[list[object]] = [
            [
                (h, {"align": "m", "bold": True})
                for h in ("序号", "维修项目", "工时费(元)", "材料费(元)", "小计(元)")
            ]
        ]
        for i, (name, labour, parts) in enumerate(items, 1):
            rows.append(
                [
                    (str(i), {"align": "m"}),
                    name,
                    (money(labour), {"align": "r"}),
                    (money(parts), {"align": "r"}),
                    (money(labour + parts), {"align": "r"}),
                ]
            )
        rows.append(["", ("预估费用合计", {"bold": True}), None, None, (money(total), {"align": "r"})])
        p.grid(st.margin, top, cols, 8, rows, size=st.size - 1)

    f.block(8 * (len(items) + 2) + 6, table)
    f.para("委托方与受托方就上述车辆维修事宜约定如下：", gap=1)
    for i, clause in enumerate(data.REPAIR_CLAUSES_ZH, 1):
        f.para(f"{i}. {clause}", gap=0.5)
    f.skip(4)

    def sign(p: Page, top: float) -> None:
        sign_line(p, st.margin, top + 8, "委托方签字：", rng)
        sign_line(p, p.width / 2 + 5, top + 8, "服务顾问：", rng)
        p.text(st.margin, top + 18, f"日期：{fmt_date(when, st.date_style)}")
        p.text(p.width / 2 + 5, top + 18, "受托方（盖章）")
        dealer_seal(p, d, p.width / 2 + 40, top + 14, rng, sub=rng.choice(("维修专用章", "合同专用章")))

    f.block(30, sign)
    if len(f.pages) > 1:
        page_footer(f.pages, "zh", rng)
    return f.pages


@template("contract.sales_en", "contract", "en", born_digital=True, dossiers=("new_car",), weight=0.8)
def sales_en(ctx: DocContext, rng: random.Random) -> list[Page]:
    """English Vehicle Sales Agreement with numbered sections."""
    st = pick_style(rng, "en")
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    signed = v.delivery_date - timedelta(days=rng.randrange(2, 20))
    title = rng.choice(
        ("VEHICLE SALES AGREEMENT", "Vehicle Sales Agreement", "MOTOR VEHICLE SALE AND PURCHASE AGREEMENT")
    )

    def new_page(i: int) -> tuple[Page, float]:
        p = Page(st)
        if i == 0:
            y = letterhead(p, d, rng, lang="en")
            p.text(p.width / 2, y + 5, title, 15, bold=True, anchor="m")
            p.text(st.margin, y + 14, f"Agreement No.: {v.contract_no}", st.size - 1)
            p.text(
                p.width - st.margin,
                y + 14,
                f"Date: {fmt_date_en(signed, st.date_style)}",
                st.size - 1,
                anchor="r",
            )
            return p, y + 17
        return p, st.top

    f = Flow(new_page)
    f.para("This Agreement is made between:", gap=2)
    f.para(f"Seller: {d.name_en}", bold=True, gap=0.5)
    f.para(f"Unified Social Credit Code: {d.uscc}", idents=(("uscc", d.uscc),), gap=0.5)
    f.para(f"Address: {d.address_en}", gap=3)
    f.para(f"Buyer: {c.name_en}", bold=True, gap=0.5)
    if c.company:
        f.para(f"Unified Social Credit Code: {c.company.uscc}", idents=(("uscc", c.company.uscc),), gap=0.5)
    else:
        f.para(f"ID No.: {c.person.id_number}", idents=(("id_number", c.person.id_number),), gap=0.5)
    f.para(f"Address: {c.address_en}", gap=0.5)
    f.para(f"Mobile: {format_phone(c.phone, rng.randrange(3))}", idents=(("phone", c.phone),), gap=3)
    f.para("1. Vehicle", bold=True, gap=1.5)
    w = 210 - 2 * st.margin

    def vehicle(p: Page, top: float) -> None:
        rows: list[list[object]] = [
            ["Make / Model", f"{v.model.brand_en} {v.model.name_en}"],
            ["VIN", v.vin],
            ["Engine No.", v.engine_no],
            ["Colour", v.color[1]],
            ["Model year", str(v.manufactured.year)],
        ]
        p.grid(st.margin, top, [w * 0.3, w * 0.7], 7.5, rows, size=st.size - 1)
        p.ident("vin", v.vin)

    f.block(42, vehicle)
    f.para("2. Purchase Price", bold=True, gap=0.5)
    f.para(f"The purchase price is RMB {money(v.price)} ({amount_en(v.price)}), including VAT.", gap=2)
    fill = {
        "deposit": money(rng.choice((5000, 10000))),
        "days": rng.choice((7, 15, 30)),
        "warranty": rng.choice(("3 years or 100,000 km", "4 years or 150,000 km")),
    }
    for i, (head, body) in enumerate(data.SALES_CLAUSES_EN, 3):
        f.para(f"{i}. {head}", bold=True, gap=0.5)
        f.para(body.format(**fill), gap=2)

    def sign(p: Page, top: float) -> None:
        left, right = st.margin, p.width / 2 + 5
        p.text(left, top + 6, "For and on behalf of the Seller", bold=True)
        p.text(right, top + 6, "The Buyer", bold=True)
        sign_line(p, left, top + 20, "Signature:", rng, width=45)
        sign_line(p, right, top + 20, "Signature:", rng, width=45)
        p.text(left, top + 28, f"Date: {fmt_date_en(signed, st.date_style)}")
        p.text(right, top + 28, f"Date: {fmt_date_en(signed, st.date_style)}")
        dealer_seal(p, d, left + 55, top + 16, rng)

    f.block(36, sign)
    page_footer(f.pages, "en", rng)
    return f.pages
