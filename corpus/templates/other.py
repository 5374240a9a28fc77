"""Other papers in a dossier: 行驶证 copy, insurance policy, 合格证, surveys, complaints, letters, photos."""

from __future__ import annotations

import random
from datetime import timedelta

from .. import _data as data
from ..identifiers import format_phone, format_plate
from ..layout import RED, Color, Page
from . import template
from .common import (
    DocContext,
    amount_zh,
    fmt_date,
    fmt_date_en,
    letterhead,
    money,
    pick_style,
    sign_line,
    signature,
    tick,
)
from .id_copy import _overprint

_INK: Color = (35, 35, 35)
_LABEL: Color = (80, 80, 80)


@template("other.vehicle_licence", "other", "zh", weight=1.2, needs_plate=True)
def vehicle_licence(ctx: DocContext, rng: random.Random) -> list[Page]:
    """Copy of a 行驶证 (vehicle licence): main and secondary page. It names the owner and VIN, but it is
    not an ID copy."""
    st = pick_style(rng)
    p = Page(st)
    c, v = ctx.customer, ctx.vehicle
    plate = v.plate or f"{c.person.region.plate}{rng.randrange(10000, 99999)}"  # callers pass registered cars
    s = rng.uniform(1.35, 1.7)
    w, h = 88 * s, 60 * s
    x, y = (210 - w) / 2 + rng.uniform(-8, 8), rng.uniform(20, 40)
    registered = v.delivery_date + timedelta(days=rng.randrange(1, 10))
    with p.block():
        p.graphic("copytone", x, y, w, h, seed=rng.randrange(1 << 30), tone=rng.randrange(20, 50), radius=1.5)
        p.text(x + w / 2, y + 8 * s, "中华人民共和国机动车行驶证", 9.5 * s, bold=True, anchor="m", color=_INK)
        p.text(
            x + w / 2,
            y + 12 * s,
            "Vehicle License of the People's Republic of China",
            4.5 * s,
            anchor="m",
            color=_LABEL,
            family="dsans",
        )
        rows = (
            (("号牌号码", format_plate(plate, rng.randrange(2))), ("车辆类型", v.model.vtype)),
            (("所有人", c.name), None),
            (("住址", c.address), None),
            (("使用性质", "非营运"), ("品牌型号", v.model.code)),
            (("车辆识别代号", v.vin), None),
            (("发动机号码", v.engine_no), None),
            (("注册日期", f"{registered:%Y-%m-%d}"), ("发证日期", f"{registered:%Y-%m-%d}")),
        )
        yy = y + 19 * s
        for left, right in rows:
            for cx, cell in ((x + 4 * s, left), (x + 46 * s, right)):
                if cell is None:
                    continue
                lab, val = cell
                p.text(cx, yy, lab, 5 * s, color=_LABEL)
                limit = (w - (cx - x) - 20 * s) if right is None else 24 * s
                val_lines = p.wrap(val, limit, 6 * s)
                p.text(cx + 16 * s, yy, val_lines[0], 6 * s, color=_INK)
            yy += 5.8 * s
        p.graphic(
            "seal",
            x + 3 * s,
            y + h - 24 * s,
            22 * s,
            22 * s,
            seed=rng.randrange(1 << 30),
            text=f"{c.person.region.city}公安局交通警察支队",
            center="",
            color=(120, 70, 70),
            angle=round(rng.uniform(-15, 15), 1),
        )
    p.ident("vin", v.vin)
    if v.plate:
        p.ident("plate", v.plate)
    y2 = y + h + rng.uniform(10, 25)
    with p.block():
        p.graphic(
            "copytone",
            x + rng.uniform(-5, 5),
            y2,
            w,
            h,
            seed=rng.randrange(1 << 30),
            tone=rng.randrange(20, 50),
            radius=1.5,
        )
        m = v.model
        rows2 = (
            ("号牌号码", format_plate(plate, 0), "档案编号", f"4401{rng.randrange(10**7, 10**8)}"),
            ("核定载人数", f"{m.seats}人", "总质量", f"{rng.randrange(1800, 2600)}kg"),
            ("整备质量", f"{rng.randrange(1300, 2100)}kg", "核定载质量", "--"),
            (
                "外廓尺寸",
                f"{rng.randrange(4500, 5100)}×{rng.randrange(1800, 1950)}×{rng.randrange(1440, 1750)}mm",
                "",
                "",
            ),
            ("检验记录", f"检验有效期至{registered.year + 6}年{registered.month:02d}月", "", ""),
        )
        yy = y2 + 12 * s
        for a, b, c2, d2 in rows2:
            p.text(x + 4 * s, yy, a, 5 * s, color=_LABEL)
            p.text(x + 20 * s, yy, b, 6 * s, color=_INK)
            if c2:
                p.text(x + 46 * s, yy, c2, 5 * s, color=_LABEL)
                p.text(x + 60 * s, yy, d2, 6 * s, color=_INK)
            yy += 8 * s
    if rng.random() < 0.4:
        _overprint(p, rng, 105, y + h, ctx.dealer.short)
    return [p]


@template("other.insurance", "other", "zh", born_digital=True, dossiers=("new_car",), weight=1.0)
def insurance(ctx: DocContext, rng: random.Random) -> list[Page]:
    """交强险保险单: the compulsory traffic insurance policy, with the insured's ID number and the VIN."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, v = ctx.customer, ctx.vehicle
    insurer, hotline = rng.choice(data.INSURERS)
    green: Color = rng.choice(((40, 110, 70), (40, 70, 130), (30, 30, 30)))
    x0 = st.margin - 4
    w = 210 - 2 * x0
    y = st.top + 4
    p.text(105, y, insurer, 11, anchor="m", color=green)
    p.text(105, y + 9, "机动车交通事故责任强制保险单", 16, bold=True, anchor="m", color=green)
    p.text(105, y + 15, "（电子保单）" if rng.random() < 0.5 else "（正本）", 9, anchor="m", color=green)
    start = v.delivery_date
    p.text(x0, y + 22, f"保险单号：PDZA{start:%Y}4401{rng.randrange(10**10, 10**11)}", 8.5)
    p.text(x0 + w, y + 22, f"签单日期：{fmt_date(start, st.date_style)}", 8.5, anchor="r")
    tax_id = c.company.uscc if c.company else c.person.id_number
    plate = format_plate(v.plate, 0) if v.plate else "暂未上牌"
    m = v.model
    rows: list[list[object]] = [
        ["被保险人", c.name, None, None],
        ["身份证号码\n（统一社会信用代码）", tax_id, None, None],
        ["地址", c.address, None, None],
        ["联系电话", format_phone(c.phone, 0), "号牌号码", plate],
        ["机动车种类", "客车", "使用性质", "家庭自用汽车" if not c.company else "企业非营业客车"],
        ["发动机号码", v.engine_no, "识别代码（车架号）", v.vin],
        ["厂牌型号", m.code, "核定载客", f"{m.seats}人"],
        ["排量", f"{m.displacement / 1000:.1f}L" if m.displacement else "—", "功率", f"{m.power_kw}kW"],
        [
            "责任限额",
            "死亡伤残赔偿限额 180000元  医疗费用赔偿限额 18000元  财产损失赔偿限额 2000元",
            None,
            None,
        ],
        [
            "保险期间",
            f"自{start.year}年{start.month}月{start.day}日0时起至{start.year + 1}年{start.month}月"
            f"{start.day}日24时止",
            None,
            None,
        ],
    ]
    premium = rng.choice((665.0, 855.0, 950.0, 1100.0))
    tax = rng.choice((300.0, 360.0, 420.0, 480.0))
    rows.append(["保险费合计", f"（人民币大写）{amount_zh(premium)}   （¥：{money(premium)}元）", None, None])
    rows.append(["代收车船税", f"当年应缴 ¥{money(tax)}   往年补缴 ¥0.00   滞纳金 ¥0.00", None, None])
    heights = [9.0, 11.0] + [9.0] * 3 + [11.0] + [9.0] * (len(rows) - 6)
    y = p.grid(
        x0, y + 26, [w * 0.2, w * 0.34, w * 0.18, w * 0.28], heights, rows, size=st.size - 1.5, color=green
    )
    p.ident("uscc" if c.company else "id_number", tax_id)
    p.ident("phone", c.phone)
    p.ident("vin", v.vin)
    if v.plate:
        p.ident("plate", v.plate)
    y = p.para(
        x0,
        y + 7,
        w,
        "重要提示：1.请详细阅读保险条款，特别是责任免除和投保人、被保险人义务。2.收到本保险单后，"
        "请立即核对，如有不符或疏漏，请及时通知保险人并办理变更或补充手续。3.保险费应一次性交清，"
        "请您及时核对保险单和发票（收据），如有不符，请及时与保险人联系。",
        8,
    )
    y += 4
    p.text(x0, y, f"保险人：{insurer}", 9)
    p.text(x0, y + 6, f"服务电话：{hotline}", 9)
    p.text(x0, y + 12, f"签单日期：{fmt_date(start, st.date_style)}", 9)
    p.graphic(
        "seal",
        x0 + w - 50,
        y - 14,
        40,
        40,
        seed=rng.randrange(1 << 30),
        text=insurer,
        center="保险单专用章",
        color=RED,
        angle=0.0,
        clean=True,
    )
    return [p]


@template("other.certificate", "other", "zh", dossiers=("new_car",), weight=1.0)
def certificate(ctx: DocContext, rng: random.Random) -> list[Page]:
    """机动车整车出厂合格证: numbered technical fields; the VIN is its only link to the customer."""
    st = pick_style(rng, form=True)
    p = Page(st)
    v = ctx.vehicle
    m = v.model
    x0 = st.margin
    w = 210 - 2 * x0
    y = st.top + 6
    p.text(105, y + 4, "机动车整车出厂合格证", 18, bold=True, anchor="m")
    p.graphic("barcode", x0 + w - 38, y - 6, 38, 9, seed=rng.randrange(1 << 30))
    p.graphic("qr", x0, y - 6, 16, 16, seed=rng.randrange(1 << 30))
    made = v.manufactured
    dims = f"{rng.randrange(4500, 5100)}×{rng.randrange(1800, 1950)}×{rng.randrange(1440, 1750)}"
    fields = [
        ("0.合格证编号", v.cert_no),
        ("1.发证日期", f"{made.year}年{made.month:02d}月{made.day:02d}日"),
        ("2.车辆制造企业名称", m.maker),
        ("3.车辆品牌/车辆名称", f"{m.brand}/{m.vtype}"),
        ("4.车辆型号", m.code),
        ("5.车辆识别代号/车架号", v.vin),
        ("6.车身颜色", v.color[0]),
        ("7.底盘型号/底盘ID", "—"),
        ("8.底盘合格证编号", "—"),
        ("9.发动机型号", m.engine_model),
        ("10.发动机号", v.engine_no),
        ("11.燃料种类", m.fuel),
        ("12.排量和功率(ml/kw)", f"{m.displacement}/{m.power_kw}"),
        ("13.排放标准", "国VI" if m.displacement else "—"),
        ("14.油耗", f"{rng.uniform(5, 9):.1f}" if m.displacement else "—"),
        ("15.外廓尺寸(mm)", dims),
        ("16.货厢内部尺寸(mm)", "—"),
        ("17.钢板弹簧片数(片)", "—"),
        ("18.轮胎数", "4"),
        ("19.轮胎规格", rng.choice(("225/45R18", "235/55R19", "215/55R17"))),
        ("20.轮距(前/后)(mm)", f"{rng.randrange(1550, 1650)}/{rng.randrange(1550, 1650)}"),
        ("21.轴距(mm)", str(rng.randrange(2650, 3100))),
        ("22.轴荷(kg)", f"{rng.randrange(900, 1200)}/{rng.randrange(800, 1100)}"),
        ("23.轴数", "2"),
        ("24.转向形式", "方向盘"),
        ("25.总质量(kg)", str(rng.randrange(1800, 2600))),
        ("26.整备质量(kg)", str(rng.randrange(1300, 2100))),
        ("27.额定载质量(kg)", "—"),
        ("28.额定载客(人)", str(m.seats)),
        ("29.最高设计车速(km/h)", str(rng.randrange(170, 250))),
        ("30.车辆制造日期", f"{made.year}年{made.month:02d}月{made.day:02d}日"),
    ]
    half = (len(fields) + 1) // 2
    rows: list[list[object]] = []
    for i in range(half):
        a = fields[i]
        b = fields[i + half] if i + half < len(fields) else ("", "")
        rows.append([a[0], a[1], b[0], b[1]])
    y = p.grid(x0, y + 12, [w * 0.22, w * 0.28, w * 0.22, w * 0.28], 9.5, rows, size=st.size - 2)
    p.ident("vin", v.vin)
    y = p.para(
        x0,
        y + 8,
        w,
        f"备注：本产品经过检验，符合相关标准及技术要求，准予出厂，特此证明。车辆制造企业：{m.maker}",
        9,
    )
    p.graphic(
        "seal",
        x0 + w - 55,
        y - 6,
        40,
        40,
        seed=rng.randrange(1 << 30),
        text=m.maker,
        center="产品合格证专用章",
        color=RED,
        angle=round(rng.uniform(-15, 15), 1),
    )
    return [p]


def _customer_block(p: Page, ctx: DocContext, rng: random.Random, y: float, *, en: bool = False) -> float:
    st = p.style
    c, v = ctx.customer, ctx.vehicle
    w = 210 - 2 * st.margin
    if en:
        rows: list[list[object]] = [
            ["Name", c.name_en, "Mobile", format_phone(c.phone, rng.randrange(3))],
            [
                "Model",
                f"{v.model.brand_en} {v.model.name_en}",
                "Delivery date",
                fmt_date_en(v.delivery_date, 3),
            ],
        ]
    else:
        rows = [
            ["客户姓名", c.name, "联系电话", format_phone(c.phone, rng.randrange(3))],
            ["购买车型", v.model.name, "购车日期", fmt_date(v.delivery_date, st.date_style)],
            ["销售顾问", v.salesperson, "车牌号", format_plate(v.plate, 1) if v.plate else ""],
        ]
        if v.plate:
            p.ident("plate", v.plate)
    p.ident("phone", c.phone)
    return p.grid(st.margin, y, [w * 0.16, w * 0.36, w * 0.16, w * 0.32], 8.5, rows, size=st.size - 1)


@template("other.survey", "other", "zh", born_digital=True, weight=1.0)
def survey(ctx: DocContext, rng: random.Random) -> list[Page]:
    """客户满意度调查表 with ticked ratings and a written comment."""
    st = pick_style(rng, form=True)
    p = Page(st)
    y = letterhead(p, ctx.dealer, rng)
    p.text(
        105,
        y + 3,
        rng.choice(("客户满意度调查表", "新车交付客户满意度回访表", "客户满意度问卷")),
        16,
        bold=True,
        anchor="m",
    )
    w = 210 - 2 * st.margin
    y = p.para(
        st.margin,
        y + 13,
        w,
        "尊敬的客户：感谢您选择我们！为不断提升服务质量，请您在百忙之中填写本调查表，"
        "我们将认真听取您的意见和建议。",
        st.size - 0.5,
        indent=(st.size - 0.5) * 0.7,
    )
    y = _customer_block(p, ctx, rng, y) + 6
    scale = ("非常满意", "满意", "一般", "不满意")
    rows: list[list[object]] = [[(h, {"align": "m", "bold": True}) for h in ("序号", "调查内容") + scale]]
    picks = []
    for i, q in enumerate(data.SURVEY_QUESTIONS_ZH, 1):
        rows.append([(str(i), {"align": "m"}), q, "", "", "", ""])
        picks.append(rng.choices(range(4), weights=(6, 3, 1, 0.3))[0])
    cols = [w * 0.08, w * 0.52, w * 0.11, w * 0.1, w * 0.09, w * 0.1]
    row_h = 9.0
    end = p.grid(st.margin, y, cols, row_h, rows, size=st.size - 1.5)
    for r, k in enumerate(picks, 1):
        cx = st.margin + sum(cols[: 2 + k]) + cols[2 + k] / 2 - 1.8
        tick(p, cx, y + r * row_h + (row_h - 3.6) / 2, 3.6, rng)
    y = end + 9
    p.text(st.margin, y, "您的意见和建议：")
    comment = rng.choice(
        (
            "销售顾问服务很好，交车仪式很用心。",
            "希望交车时间能更准时一些。",
            "整体满意，休息区可以再改善。",
            "",
        )
    )
    if comment:
        p.text(st.margin + 30, y, comment)
    for i in range(3):
        p.hline(st.margin, st.margin + w, y + 2 + i * 8, width=0.15)
    y += 34
    sign_line(p, st.margin, y, "客户签名：", rng)
    p.text(st.margin + w / 2, y, f"日期：{fmt_date(ctx.vehicle.delivery_date, st.date_style)}")
    return [p]


@template("other.survey_en", "other", "en", born_digital=True, weight=0.5)
def survey_en(ctx: DocContext, rng: random.Random) -> list[Page]:
    """English customer satisfaction survey."""
    st = pick_style(rng, "en", form=True)
    p = Page(st)
    y = letterhead(p, ctx.dealer, rng, lang="en")
    p.text(105, y + 3, "CUSTOMER SATISFACTION SURVEY", 15, bold=True, anchor="m")
    w = 210 - 2 * st.margin
    y = p.para(
        st.margin,
        y + 13,
        w,
        "Thank you for choosing us. Please take a moment to tell us about your "
        "experience; your feedback helps us improve.",
        st.size - 0.5,
    )
    y = _customer_block(p, ctx, rng, y, en=True) + 6
    scale = ("Excellent", "Good", "Fair", "Poor")
    rows: list[list[object]] = [[(h, {"align": "m", "bold": True}) for h in ("No.", "Question") + scale]]
    picks = []
    for i, q in enumerate(data.SURVEY_QUESTIONS_EN, 1):
        rows.append([(str(i), {"align": "m"}), q, "", "", "", ""])
        picks.append(rng.choices(range(4), weights=(6, 3, 1, 0.3))[0])
    cols = [w * 0.07, w * 0.53, w * 0.11, w * 0.1, w * 0.09, w * 0.1]
    row_h = 10.0
    end = p.grid(st.margin, y, cols, row_h, rows, size=st.size - 1.5)
    for r, k in enumerate(picks, 1):
        tick(
            p,
            st.margin + sum(cols[: 2 + k]) + cols[2 + k] / 2 - 1.8,
            y + r * row_h + (row_h - 3.6) / 2,
            3.6,
            rng,
        )
    y = end + 10
    p.text(st.margin, y, "Comments:")
    for i in range(3):
        p.hline(st.margin, st.margin + w, y + 2 + i * 8, width=0.15)
    sign_line(p, st.margin, y + 36, "Signature:", rng)
    p.text(st.margin + w / 2, y + 36, f"Date: {fmt_date_en(ctx.vehicle.delivery_date, st.date_style)}")
    return [p]


@template("other.complaint_form", "other", "zh", weight=0.6)
def complaint_form(ctx: DocContext, rng: random.Random) -> list[Page]:
    """客户投诉处理单: a ruled form with the complaint, the handling and the customer's confirmation."""
    st = pick_style(rng, form=True)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    y = letterhead(p, d, rng)
    p.text(105, y + 3, rng.choice(("客户投诉处理单", "客户投诉登记表")), 16, bold=True, anchor="m")
    when = v.delivery_date + timedelta(days=rng.randrange(5, 200))
    w = 210 - 2 * st.margin
    text = rng.choice(data.COMPLAINTS_ZH).format(
        date=fmt_date(v.delivery_date, st.date_style), model=v.model.name
    )
    rows: list[list[object]] = [
        ["投诉编号", f"TS{when:%Y%m%d}{rng.randrange(10, 99)}", "受理日期", fmt_date(when, st.date_style)],
        ["客户姓名", c.name, "联系电话", format_phone(c.phone, rng.randrange(3))],
        ["车牌号", format_plate(v.plate, 1) if v.plate else "", "车架号", v.vin],
        ["投诉类别", "□销售  □售后  □配件  □其他", None, None],
        ["投诉内容", text, None, None],
        ["处理意见", "已联系客户，安排钣喷车间免费处理，并赠送保养一次。", None, None],
        ["处理结果", "客户对处理结果表示满意。", None, None],
    ]
    heights = [9, 9, 9, 9, 42, 24, 14]
    y = p.grid(st.margin, y + 10, [w * 0.16, w * 0.34, w * 0.16, w * 0.34], heights, rows, size=st.size - 1)
    p.ident("phone", c.phone)
    p.ident("vin", v.vin)
    if v.plate:
        p.ident("plate", v.plate)
    tick(
        p, st.margin + w * 0.16 + (2.2 if rng.random() < 0.5 else 19.5), y - sum(heights[3:]) + 2.5, 3.2, rng
    )
    y += 12
    sign_line(p, st.margin, y, "客户确认：", rng)
    sign_line(p, st.margin + w / 2, y, "处理人：", rng)
    p.text(st.margin, y + 10, f"日期：{fmt_date(when + timedelta(days=3), st.date_style)}")
    return [p]


@template("other.letter", "other", "zh", weight=0.6)
def letter(ctx: DocContext, rng: random.Random) -> list[Page]:
    """A customer's complaint letter: salutation, body, 此致敬礼, signature, phone, date."""
    st = pick_style(rng)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    w = 210 - 2 * st.margin
    y = st.top + 20
    p.text(105, y, rng.choice(("投诉信", "关于车辆问题的投诉", "意见反馈函")), 16, bold=True, anchor="m")
    y += 16
    p.text(st.margin, y, f"尊敬的{d.name}：")
    y += 10
    size = st.size + 0.5
    body = rng.choice(data.COMPLAINTS_ZH).format(
        date=fmt_date(v.delivery_date, st.date_style), model=v.model.name
    )
    y = p.para(st.margin, y, w, body, size, indent=size * 0.7)
    y = p.para(
        st.margin,
        y + 2,
        w,
        f"车辆识别代号：{v.vin}。本人联系电话：{format_phone(c.phone, rng.randrange(3))}，盼复。",
        size,
        indent=size * 0.7,
    )
    p.ident("vin", v.vin)
    p.ident("phone", c.phone)
    y += 6
    p.text(st.margin + size * 0.7, y, "此致")
    p.text(st.margin, y + 8, "敬礼！")
    y += 24
    x = 210 - st.margin - 55
    p.text(x, y, f"投诉人：{c.person.name}")
    signature(p, x + 20, y + 12, rng)
    p.text(x, y + 18, fmt_date(v.delivery_date + timedelta(days=rng.randrange(10, 90)), st.date_style))
    return [p]


@template("other.letter_en", "other", "en", weight=0.4)
def letter_en(ctx: DocContext, rng: random.Random) -> list[Page]:
    """An English complaint letter to the dealer."""
    st = pick_style(rng, "en")
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    w = 210 - 2 * st.margin
    y = st.top + 10
    for ln in (
        c.person.name_en,
        *[s.strip() for s in c.person.address_en.split(", ", 2)[:2]],
        f"Mobile: {format_phone(c.phone, rng.randrange(3))}",
    ):
        p.text(st.margin, y, ln)
        y += 5.5
    p.ident("phone", c.phone)
    y += 6
    when = v.delivery_date + timedelta(days=rng.randrange(10, 90))
    p.text(st.margin, y, fmt_date_en(when, st.date_style))
    y += 11
    p.text(st.margin, y, "Customer Relations Manager")
    p.text(st.margin, y + 5.5, d.name_en)
    y += 18
    p.text(st.margin, y, f"Re: Complaint about vehicle VIN {v.vin}", bold=True)
    p.ident("vin", v.vin)
    y += 11
    p.text(st.margin, y, "Dear Sir or Madam,")
    y += 9
    body = rng.choice(data.COMPLAINTS_EN).format(
        date=fmt_date_en(v.delivery_date, st.date_style), model=f"{v.model.brand_en} {v.model.name_en}"
    )
    y = p.para(st.margin, y, w, body)
    y = p.para(st.margin, y + 3, w, "I look forward to hearing from you within fourteen days.")
    y += 8
    p.text(st.margin, y, "Yours faithfully,")
    signature(p, st.margin, y + 16, rng)
    p.text(st.margin, y + 22, c.person.name_en)
    return [p]


@template("other.photo", "other", "zh", dossiers=("new_car",), weight=0.6)
def photo(ctx: DocContext, rng: random.Random) -> list[Page]:
    """A printed delivery photo (交车照片): a picture of the car, its plate, a short caption."""
    st = pick_style(rng)
    p = Page(st)
    c, v, d = ctx.customer, ctx.vehicle, ctx.dealer
    x, y = rng.uniform(15, 25), rng.uniform(25, 45)
    w = 210 - 2 * x
    h = w * rng.uniform(0.62, 0.78)
    if rng.random() < 0.6:
        p.text(105, y - 8, rng.choice(("交车照片", "交车留念", "新车交付照片")), 15, bold=True, anchor="m")
    p.graphic("car", x, y, w, h, seed=rng.randrange(1 << 30))
    if v.plate:
        pw = w * 0.17
        px, py = x + w * 0.5 - pw / 2 + rng.uniform(-10, 10), y + h * 0.72
        plate_bg = (40, 150, 80) if v.model.new_energy else (30, 60, 160)
        p.rect(px, py, pw, pw * 0.32, fill=plate_bg, color=(230, 230, 230), width=0.4)
        p.text(
            px + pw / 2,
            py + pw * 0.25,
            format_plate(v.plate, 1),
            pw * 0.16 / 0.3528,
            anchor="m",
            color=(245, 245, 245) if not v.model.new_energy else (20, 20, 20),
            bold=True,
        )
        p.ident("plate", v.plate)
    if rng.random() < 0.7:
        honor = "先生" if c.person.male else "女士"
        who = c.name if c.company else f"{c.person.name[0]}{honor}"
        p.text(
            105,
            y + h + 12,
            f"恭喜{who}喜提爱车！ {d.short}  {fmt_date(v.delivery_date, st.date_style)}",
            12,
            anchor="m",
        )
    return [p]
