"""Page classification by the packaged rules: snippets per type, OCR noise, titles, blanks, rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from classify.doctype import BLANK, OTHER, Classification, Rules, RulesError, classify_page, load_rules
from dangan.records import OcrLine


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules()


def classify(text: str, rules: Rules, **kwargs: object) -> Classification:
    return classify_page(text, [], rules, **kwargs)  # type: ignore[arg-type]


# --- realistic snippets, one table per type -------------------------------------------------------

CONTRACTS = [
    """汽车销售合同
合同编号：XS20230415
出卖人（甲方）：深圳市某某汽车销售服务有限公司
买受人（乙方）：张三
第一条 车辆基本情况 品牌：大众 型号：帕萨特 颜色：白色
第二条 车辆价款及付款方式 车辆总价款人民币198,000.00元，乙方应于签订本合同之日支付定金5,000元。
第三条 交付 甲方应于收到全部车款后七日内交付车辆，并同时交付机动车销售统一发票、车辆合格证等随车文件。""",
    # page 2 of a contract: no title, no parties' names, still a contract
    """第七条 违约责任 任何一方违反本合同约定的，应向守约方承担违约责任。
第八条 争议解决 因本合同引起的争议，双方应协商解决；协商不成的，可向甲方所在地人民法院提起诉讼。
第九条 本合同一式两份，甲乙双方各执一份，具有同等法律效力，自双方签字盖章之日起生效。
甲方（盖章）：                    乙方（签字）：""",
    """委托维修协议
托修方（甲方）：李四    承修方（乙方）：某某汽车服务有限公司
维修项目：更换机油、机油滤清器；四轮定位
预计费用：人民币680元，结算以实际发生为准，乙方凭结算单开具发票。
本协议经双方签字后生效。""",
    """二手车买卖合同
卖方：王五    买方：赵六
车辆品牌型号：丰田卡罗拉  注册日期：2018年3月
付款方式：买方于签订本合同当日一次性付清全部车款。
违约责任：卖方隐瞒车辆事故的，买方有权解除合同。""",
    """VEHICLE SALES AGREEMENT
This Agreement is made between ABC Motors Co., Ltd. (hereinafter "the Seller") and John Smith
(hereinafter "the Buyer").
1. The Seller agrees to sell and the Buyer agrees to purchase the vehicle described below.
2. A deposit of USD 2,000 shall be paid upon signing. The Seller shall issue an invoice for the balance.
3. Governing law: this Agreement is governed by the laws of the People's Republic of China.
IN WITNESS WHEREOF the parties have signed this Agreement.""",
    """Purchase Contract
Party A (Seller): Shenzhen Star Auto Sales Service Co., Ltd.
Party B (Purchaser): Li Si
Terms and Conditions: delivery within 30 days; breach of contract shall be compensated.""",
]

INVOICES = [
    """机动车销售统一发票
发票联
发票代码 144031900110        发票号码 01234567
开票日期 2023年05月01日      机器编号 499099775425
购买方名称及身份证号码/组织机构代码  张三
车辆类型 轿车   厂牌型号 大众FV7187   产地 长春
合格证号 WAC123456789   发动机号码 DKV123456
价税合计 壹拾玖万捌仟元整   小写 ¥198000.00
销货单位名称 深圳市某某汽车销售服务有限公司   开票人 李四""",
    """电子发票（增值税专用发票）
发票号码：23442000000012345678   开票日期：2023年06月01日
购买方信息 名称：深圳市星河科技有限公司 统一社会信用代码/纳税人识别号：
销售方信息 名称：深圳市某某汽车销售服务有限公司
项目名称 规格型号 单位 数量 单价 金额 税率/征收率 税额
*汽车配件*脚垫 套 1 1000.00 1000.00 13% 130.00
价税合计（大写） 壹仟壹佰叁拾元整 （小写）¥1130.00""",
    """增值税普通发票
国家税务总局深圳市税务局监制
购买方 名称：张三   纳税人识别号：
密码区 03*-+<4>/5/<>9
金额 500.00 税率 6% 税额 30.00
收款人：王五 复核：赵六 开票人：李四""",
    """TAX INVOICE
Invoice No: INV-2023-0042          Invoice Date: 12/05/2023
Bill To: John Smith
Description             Qty   Unit Price   Amount
Vehicle service          1     1,000.00    1,000.00
Subtotal 1,000.00   VAT 13% 130.00   Total Amount Due 1,130.00""",
]

ID_COPIES = [
    """姓名 张三
性别 男   民族 汉
出生 1990 年 3 月 7 日
住址 北京市东城区东华门街道某某胡同1号
公民身份号码 110101199003071233""",
    """中华人民共和国
居民身份证
签发机关 北京市公安局东城分局
有效期限 2015.03.07-2035.03.07""",
    """营业执照
（副本）
统一社会信用代码 91440300MA5F12342Q
名称 深圳市星河科技有限公司
类型 有限责任公司   法定代表人 王五
经营范围 计算机软件开发；技术咨询
注册资本 人民币100万元   成立日期 2018年01月01日   营业期限 长期
登记机关 深圳市市场监督管理局""",
    """PASSPORT 护照
Type P   Country Code CHN   Passport No. E12345678
Surname 姓 ZHANG   Given names 名 SAN
Nationality CHINESE   Date of birth 07 MAR 1990   Place of birth BEIJING
Date of issue 01 JAN 2020   Date of expiry 31 DEC 2029
P<CHNZHANG<<SAN<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<""",
    """身份证复印件
（与原件一致，仅供购车使用）
姓名 李四 性别 女 民族 汉 出生 1985年6月12日
公民身份号码 440305198506124567""",
]

INSPECTION_SHEETS = [
    """新车PDI检查表
车型：帕萨特        检查日期：2023-05-01
检查项目            检查结果
发动机舱 机油液位    正常
制动液 冷却液        正常
车身漆面            良好
轮胎气压 备胎        正常
灯光 喇叭 空调       正常
随车工具            齐全
检查员：李四""",
    """12项免费检查表
1 发动机机油  2 冷却液  3 制动液  4 蓄电池  5 雨刮  6 灯光
7 轮胎及胎压  8 刹车片  9 底盘  10 空调  11 喇叭  12 玻璃水
检查结果：√正常  ×需更换""",
    """交车检查表
外观漆面无划痕 □  内饰整洁 □  随车工具齐全 □  备胎 □
检查人签字：          客户签字：""",
    """PRE-DELIVERY INSPECTION CHECKLIST
Engine oil level ........ OK
Brake fluid ............. OK
Coolant ................. OK
Tyre pressure ........... OK
Wipers and washers ...... OK
Battery ................. OK
Paintwork ............... no damage
Road test ............... passed
Inspected by: ________""",
]

OTHERS = [
    # vehicle licence: names, an address and a plate, but not an ID copy
    """中华人民共和国机动车行驶证
号牌号码 粤B12345     车辆类型 小型轿车
所有人 张三
住址 广东省深圳市南山区某某路1号
使用性质 非营运    品牌型号 大众FV7187
车辆识别代号 LFV2A21K0M4000001   发动机号码 DKV123456
注册日期 2023-05-08   发证日期 2023-05-08""",
    """号牌号码 粤B12345   档案编号 440300123456
核定载人数 5人   总质量 1900kg   整备质量 1500kg
检验记录 检验有效期至2025年05月""",
    # certificate of conformity: 检验合格 is not an inspection sheet
    """机动车整车出厂合格证
合格证编号 WAC123456789     发证日期 2023年04月01日
车辆制造企业名称 一汽-大众汽车有限公司
车辆品牌 大众  车辆型号 FV7187  发动机型号 DKV  排放标准 国VI
额定载客 5人
此车辆经检验合格，符合国家标准，特此证明。""",
    # insurance policy: it lists the plate, the VIN and the 厂牌型号 an invoice has
    """机动车交通事故责任强制保险单
保险单号 PDZA202344030000012345
被保险人 张三
号牌号码 粤B12345  厂牌型号 大众FV7187  识别代号(车架号) LFV2A21K0M4000001
保险期间 自2023年05月01日零时起至2024年04月30日二十四时止
保险费合计 ¥950.00""",
    """客户满意度调查问卷
尊敬的客户：感谢您选择本店购车，请您对以下服务进行评价。
1. 销售顾问的接待态度 □非常满意 □满意 □一般 □不满意
2. 交车时是否为您讲解车辆功能并检查车辆 □是 □否""",
    """投诉信
尊敬的4S店负责人：
本人于2023年5月1日在贵店购车，交车时承诺赠送的脚垫至今未兑现，请贵店按照合同约定履行承诺。
此致
敬礼
投诉人：张三""",
    """To whom it may concern,
I am writing to make a complaint about the delay in registering my car.
Yours faithfully,
John Smith""",
    """Customer Satisfaction Survey
How satisfied are you with our sales consultant?  [ ] Very satisfied  [ ] Satisfied  [ ] Dissatisfied""",
    "交车照片",
]


@pytest.mark.parametrize("text", CONTRACTS)
def test_contracts(text: str, rules: Rules) -> None:
    result = classify(text, rules)
    assert result.doc_type == "contract", result.reason
    assert result.confidence >= 0.6


@pytest.mark.parametrize("text", INVOICES)
def test_invoices(text: str, rules: Rules) -> None:
    result = classify(text, rules)
    assert result.doc_type == "invoice", result.reason
    assert result.confidence >= 0.6


@pytest.mark.parametrize("text", ID_COPIES)
def test_id_copies(text: str, rules: Rules) -> None:
    result = classify(text, rules)
    assert result.doc_type == "id_copy", result.reason
    assert result.confidence >= 0.6


@pytest.mark.parametrize("text", INSPECTION_SHEETS)
def test_inspection_sheets(text: str, rules: Rules) -> None:
    result = classify(text, rules)
    assert result.doc_type == "inspection_sheet", result.reason
    assert result.confidence >= 0.6


@pytest.mark.parametrize("text", OTHERS)
def test_others_are_other_not_id_copy_or_inspection(text: str, rules: Rules) -> None:
    result = classify(text, rules)
    assert result.doc_type == OTHER, result.reason


# --- OCR noise ------------------------------------------------------------------------------------


def spaced(text: str) -> str:
    """OCR's habit of spacing Chinese characters out."""
    return "\n".join(" ".join(line) for line in text.splitlines())


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(spaced(t), "contract") for t in CONTRACTS[:3]]
    + [(spaced(t), "invoice") for t in INVOICES[:3]]
    + [(spaced(t), "id_copy") for t in ID_COPIES[:3]]
    + [(spaced(t), "inspection_sheet") for t in INSPECTION_SHEETS[:3]]
    + [(spaced(OTHERS[0]), OTHER), (spaced(OTHERS[2]), OTHER)]
    + [(full_width(t), "inspection_sheet") for t in INSPECTION_SHEETS]
    + [(full_width(INVOICES[3]), "invoice"), (full_width(CONTRACTS[4]), "contract")],
)
def test_noisy_text(text: str, expected: str, rules: Rules) -> None:
    assert classify(text, rules).doc_type == expected


@pytest.mark.parametrize(
    ("text", "expected", "fuzzy_rule"),
    [
        ("汽车销售合司\n买受人：张三", "contract", "汽车销售合同"),  # one wrong character
        (
            "机动车销售统一发栗\n开票日期 2023年05月01日\n发票代码 144031900110",
            "invoice",
            "机动车销售统一发票",
        ),
        ("交车检查衣\n外观 正常  内饰 正常", "inspection_sheet", "交车检查表"),
        ("居民身份让\n签发机关 某某公安局", "id_copy", "居民身份证"),
        ("PRE-DELIVERY INSPECTlON\nBrake fluid OK", "inspection_sheet", "pre-delivery inspection"),
    ],
)
def test_one_wrong_character_in_a_long_phrase(
    text: str, expected: str, fuzzy_rule: str, rules: Rules
) -> None:
    result = classify(text, rules)
    assert result.doc_type == expected, result.reason
    assert any(f.startswith(f"{expected}:{fuzzy_rule}") and f.endswith("~") for f in result.fired), (
        result.fired
    )


def test_fuzzy_match_does_not_count_a_sibling_phrase(rules: Rules) -> None:
    # 机动车驾驶证 is one character from 机动车行驶证: the exact phrase must not also fire its sibling.
    result = classify("中华人民共和国机动车行驶证", rules)
    assert not any("驾驶证" in f for f in result.fired)


def test_short_phrases_are_never_fuzzy(rules: Rules) -> None:
    result = classify("合司 发栗", rules)  # 合同 / 发票 with one wrong character each: too short to trust
    assert result.doc_type == OTHER


# --- ambiguity rules ------------------------------------------------------------------------------


def test_contract_mentioning_invoice_is_a_contract(rules: Rules) -> None:
    text = (
        "购车合同\n甲方应在收到车款后向乙方开具机动车销售统一发票，发票金额与合同价款一致。\n本合同一式两份。"
    )
    result = classify(text, rules)
    assert result.doc_type == "contract", result.reason
    assert any(f.startswith("invoice:") for f in result.fired)  # the mention counted, and lost


def test_a_nested_phrase_counts_once(rules: Rules) -> None:
    # A delivery checklist lists the invoice among the papers handed over: one mention of
    # 机动车销售统一发票 must not also count as 统一发票 and 发票.
    text = "新车交车确认单\n【随车文件】\n机动车销售统一发票  车辆合格证\n使用说明书  保养手册\n客户签字："
    result = classify(text, rules)
    assert result.doc_type == "inspection_sheet", result.reason
    assert "invoice:机动车销售统一发票" in result.fired
    assert not any(f.startswith(("invoice:统一发票", "invoice:发票")) for f in result.fired)


def test_invoice_needs_the_word_invoice(rules: Rules) -> None:
    text = "购买方 张三\n销售方 某某公司\n金额 1000.00 税率 13% 税额 130.00\n价税合计 1130.00"
    result = classify(text, rules)
    assert result.doc_type == OTHER
    assert "invoice lacks" in result.reason


def test_nothing_convincing_is_other_with_low_confidence(rules: Rules) -> None:
    result = classify("会议纪要\n今天天气很好，我们讨论了下个月的活动安排。", rules)
    assert result.doc_type == OTHER
    assert result.confidence <= 0.3
    assert "not convincing" in result.reason


def test_weak_evidence_stays_other(rules: Rules) -> None:
    result = classify("姓名 张三  住址 深圳市", rules)  # a few ID words are not an ID copy
    assert result.doc_type == OTHER
    assert "best id_copy" in result.reason


def test_reason_names_the_fired_rules_and_runner_up(rules: Rules) -> None:
    result = classify(CONTRACTS[0], rules)
    assert result.reason.startswith("contract ")
    assert "汽车销售合同" in result.reason
    assert result.scores[0][0] == "contract"
    assert "张三" not in result.reason  # reasons quote rules, never page text


# --- titles from OCR geometry ---------------------------------------------------------------------


def page_lines(title: str, body: list[str], *, title_height: int = 60) -> list[OcrLine]:
    """A 2480x3508 page (A4 at 300 dpi): a centred title at the top, body lines at 40 px below it."""
    lines = [OcrLine(title, 0.95, (900, 200, 1580, 200 + title_height))]
    y = 400
    for text in body:
        lines.append(OcrLine(text, 0.95, (200, y, 2280, y + 40)))
        y += 80
    return lines


def test_title_line_weighs_more_and_marks_first_page(rules: Rules) -> None:
    body = ["甲方：某某汽车销售服务有限公司", "乙方：张三", "第一条 车辆信息", "第二条 价款", "第三条 交付"]
    lines = page_lines("汽车销售合同", body)
    text = "\n".join(line.text for line in lines)
    with_title = classify_page(text, lines, rules, page_height=3508)
    # The same words as a small body line near the bottom are not a title.
    moved = [
        *(OcrLine(ln.text, 0.9, ln.box) for ln in lines[1:]),
        OcrLine("汽车销售合同", 0.9, (200, 3000, 800, 3040)),
    ]
    without = classify_page("\n".join(ln.text for ln in moved), moved, rules, page_height=3508)
    assert with_title.doc_type == without.doc_type == "contract"
    assert with_title.titled and not without.titled
    assert dict(with_title.scores)["contract"] > dict(without.scores)["contract"]
    assert "contract:汽车销售合同@title" in with_title.fired


def test_invoice_word_in_small_body_text_does_not_make_an_invoice(rules: Rules) -> None:
    body = ["甲方：某某公司  乙方：张三", "乙方付清车款后甲方开具发票", "本合同自双方签字之日起生效"]
    lines = page_lines("车辆销售合同", body)
    result = classify_page("", lines, rules, page_height=3508)  # text empty: taken from the lines
    assert result.doc_type == "contract"
    assert not any(f.startswith("invoice:发票@title") for f in result.fired)


def test_large_line_not_at_top_counts_as_large(rules: Rules) -> None:
    lines = [
        OcrLine("尊敬的客户", 0.9, (200, 200, 800, 240)),
        OcrLine("感谢您的惠顾", 0.9, (200, 300, 800, 340)),
        OcrLine("检查项目 检查结果", 0.9, (200, 2000, 1400, 2080)),
        OcrLine("机油 正常", 0.9, (200, 2200, 800, 2240)),
    ]
    result = classify_page("", lines, rules, page_height=3508)
    assert "inspection_sheet:检查项目@large" in result.fired


# --- blank pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("", None, BLANK),
        ("  \n\t ", None, BLANK),
        (".", None, BLANK),
        ("| —", None, BLANK),
        ("", True, BLANK),
        ("一 | 丨 ' ~ 1 ..", True, BLANK),  # bleed-through specks on a page the scanner found blank
        ("", False, OTHER),  # no text but ink: a photo or handwriting, not blank
        ("汽车销售合同 第一条 甲方 乙方 本合同", True, "contract"),  # text wins over a wrong hint
    ],
)
def test_blank_pages(text: str, hint: bool | None, expected: str, rules: Rules) -> None:
    assert classify(text, rules, blank_hint=hint).doc_type == expected


# --- rule files -----------------------------------------------------------------------------------


def test_packaged_rules_cover_the_design_types(rules: Rules) -> None:
    assert {t.name for t in rules.types} == {"contract", "invoice", "id_copy", "inspection_sheet", OTHER}
    assert rules.source.endswith("rules.toml")


def write_rules(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text("format = 1\n" + body, encoding="utf-8")
    return path


def test_an_archivist_can_add_a_type(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        """
[types.insurance_policy]
description = "保险单"
rules = [
  { text = "保险单", weight = 8, title = true },
  { text = "被保险人", weight = 4 },
  { regex = 'pdza\\d{6,}', id = "policy number", weight = 3 },
]
""",
    )
    custom = load_rules(path)
    result = classify_page("机动车保险单\n被保险人 张三\n保险单号 PDZA202344030000012345", [], custom)
    assert result.doc_type == "insurance_policy"
    assert any(f.startswith("insurance_policy:policy number") for f in result.fired)
    assert OTHER in {t.name for t in custom.types}  # `other` always exists


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[types.x]\nrules = [{ text = 'a', weight = 1, colour = 'red' }]", "unknown keys"),
        ("[types.x]\nrules = [{ text = 'a' }]", "numeric weight"),
        ("[types.x]\nrules = [{ text = 'a', regex = 'a', weight = 1 }]", "exactly one of text or regex"),
        ("[types.x]\nrules = [{ regex = '(a+)+b', weight = 1 }]", "nests quantifiers"),
        ("[types.x]\nrules = [{ regex = '(a|aa)*', weight = 1 }]", "nests quantifiers"),
        ("[types.x]\nrules = [{ regex = '(', weight = 1 }]", "does not compile"),
        ("[types.x]\nrequire_any = ['b']\nrules = [{ text = 'a', weight = 1 }]", "require_any"),
        ("[types.blank]\nrules = []", "reserved"),
        ("[types.x]\nrules = [{ text = 'a', weight = 1, title = 'yes' }]", "true or false"),
        ("[scoring]\nmin_score = -1\n[types.x]\nrules = []", "non-negative"),
        ("", r"no \[types"),
        (
            "[types.x]\nrules = [{ text = 'check list', weight = 1 }, { text = 'checklist', weight = 1 }]",
            "match the same text",
        ),
    ],
)
def test_bad_rule_files_are_refused(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(RulesError, match=message):
        load_rules(write_rules(tmp_path, body))


def test_bad_toml_and_wrong_format_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("format = 1\n[types.x\n", encoding="utf-8")
    with pytest.raises(RulesError, match="TOML"):
        load_rules(broken)
    old = tmp_path / "old.toml"
    old.write_text("format = 0\n[types.x]\nrules = []\n", encoding="utf-8")
    with pytest.raises(RulesError, match="format"):
        load_rules(old)


def test_rules_error_is_a_config_error() -> None:
    from dangan.errors import ConfigError

    assert issubclass(RulesError, ConfigError)
    assert RulesError.code == "rules_error"


def test_safe_regexes_are_accepted(tmp_path: Path) -> None:
    path = write_rules(
        tmp_path,
        "[types.x]\nrules = [{ regex = '第[一二三]{1,3}条', weight = 1 }, { regex = '(ab)+c', weight = 1 },"
        " { regex = '[(+*]+x', weight = 1 }]\n",
    )
    assert len(load_rules(path).types[0].rules) == 3


def test_regexes_run_on_bounded_lines(tmp_path: Path) -> None:
    # Adjacent quantifiers pass the check but backtrack quadratically: bounded lines keep that small.
    path = write_rules(tmp_path, "[types.x]\nrules = [{ regex = '\\d+\\d+x', id = 'digits', weight = 9 }]\n")
    custom = load_rules(path)
    assert classify_page("1" * 200_000, [], custom).doc_type == OTHER
    assert classify_page("合同 12345x", [], custom).doc_type == "x"
