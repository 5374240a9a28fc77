"""Static tables the generator draws from: regions, names with pinyin, vehicles, companies, form wording."""

from __future__ import annotations

from dataclasses import dataclass


def _pair(s: str) -> tuple[str, str]:
    a, b = s.split(":")
    return a, b


@dataclass(frozen=True, slots=True)
class Region:
    """A county-level division (GB/T 2260 code) with the names printed on IDs, plates and addresses."""

    code: str
    province: str
    city: str
    district: str  # empty for cities without districts (东莞, 中山)
    province_en: str
    city_en: str
    district_en: str
    plate: str  # province character + city letter
    weight: int  # how often customers come from here (the dealer is in Guangzhou)

    @property
    def issuer(self) -> str:
        """The public security bureau that issues ID cards here."""
        if not self.district:
            return f"{self.city}公安局"
        short = self.district[:-1] if len(self.district) > 2 else self.district
        return f"{self.city}公安局{short}分局"


def _r(code: str, names: str, en: str, plate: str, weight: int) -> Region:
    province, city, district = (names.split("/") + [""])[:3]
    p_en, c_en, d_en = (en.split("/") + [""])[:3]
    return Region(code, province, city, district, p_en, c_en, d_en, plate, weight)


REGIONS: tuple[Region, ...] = (
    _r("440103", "广东省/广州市/荔湾区", "Guangdong/Guangzhou/Liwan District", "粤A", 6),
    _r("440104", "广东省/广州市/越秀区", "Guangdong/Guangzhou/Yuexiu District", "粤A", 6),
    _r("440105", "广东省/广州市/海珠区", "Guangdong/Guangzhou/Haizhu District", "粤A", 7),
    _r("440106", "广东省/广州市/天河区", "Guangdong/Guangzhou/Tianhe District", "粤A", 9),
    _r("440111", "广东省/广州市/白云区", "Guangdong/Guangzhou/Baiyun District", "粤A", 7),
    _r("440112", "广东省/广州市/黄埔区", "Guangdong/Guangzhou/Huangpu District", "粤A", 5),
    _r("440113", "广东省/广州市/番禺区", "Guangdong/Guangzhou/Panyu District", "粤A", 7),
    _r("440114", "广东省/广州市/花都区", "Guangdong/Guangzhou/Huadu District", "粤A", 4),
    _r("440115", "广东省/广州市/南沙区", "Guangdong/Guangzhou/Nansha District", "粤A", 3),
    _r("440117", "广东省/广州市/从化区", "Guangdong/Guangzhou/Conghua District", "粤A", 2),
    _r("440118", "广东省/广州市/增城区", "Guangdong/Guangzhou/Zengcheng District", "粤A", 3),
    _r("440303", "广东省/深圳市/罗湖区", "Guangdong/Shenzhen/Luohu District", "粤B", 2),
    _r("440304", "广东省/深圳市/福田区", "Guangdong/Shenzhen/Futian District", "粤B", 2),
    _r("440305", "广东省/深圳市/南山区", "Guangdong/Shenzhen/Nanshan District", "粤B", 2),
    _r("440306", "广东省/深圳市/宝安区", "Guangdong/Shenzhen/Bao'an District", "粤B", 2),
    _r("440402", "广东省/珠海市/香洲区", "Guangdong/Zhuhai/Xiangzhou District", "粤C", 1),
    _r("440604", "广东省/佛山市/禅城区", "Guangdong/Foshan/Chancheng District", "粤E", 3),
    _r("440605", "广东省/佛山市/南海区", "Guangdong/Foshan/Nanhai District", "粤E", 3),
    _r("440606", "广东省/佛山市/顺德区", "Guangdong/Foshan/Shunde District", "粤E", 2),
    _r("440703", "广东省/江门市/蓬江区", "Guangdong/Jiangmen/Pengjiang District", "粤J", 1),
    _r("440803", "广东省/湛江市/霞山区", "Guangdong/Zhanjiang/Xiashan District", "粤G", 1),
    _r("441302", "广东省/惠州市/惠城区", "Guangdong/Huizhou/Huicheng District", "粤L", 1),
    _r("441900", "广东省/东莞市", "Guangdong/Dongguan", "粤S", 2),
    _r("442000", "广东省/中山市", "Guangdong/Zhongshan", "粤T", 1),
    _r("445202", "广东省/揭阳市/榕城区", "Guangdong/Jieyang/Rongcheng District", "粤V", 1),
    _r("110105", "北京市/北京市/朝阳区", "Beijing/Beijing/Chaoyang District", "京A", 1),
    _r("110108", "北京市/北京市/海淀区", "Beijing/Beijing/Haidian District", "京N", 1),
    _r("310104", "上海市/上海市/徐汇区", "Shanghai/Shanghai/Xuhui District", "沪A", 1),
    _r("310115", "上海市/上海市/浦东新区", "Shanghai/Shanghai/Pudong New Area", "沪B", 1),
    _r("120101", "天津市/天津市/和平区", "Tianjin/Tianjin/Heping District", "津A", 1),
    _r("500103", "重庆市/重庆市/渝中区", "Chongqing/Chongqing/Yuzhong District", "渝A", 1),
    _r("320102", "江苏省/南京市/玄武区", "Jiangsu/Nanjing/Xuanwu District", "苏A", 1),
    _r("330106", "浙江省/杭州市/西湖区", "Zhejiang/Hangzhou/Xihu District", "浙A", 1),
    _r("350203", "福建省/厦门市/思明区", "Fujian/Xiamen/Siming District", "闽D", 1),
    _r("360102", "江西省/南昌市/东湖区", "Jiangxi/Nanchang/Donghu District", "赣A", 1),
    _r("420106", "湖北省/武汉市/武昌区", "Hubei/Wuhan/Wuchang District", "鄂A", 1),
    _r("430104", "湖南省/长沙市/岳麓区", "Hunan/Changsha/Yuelu District", "湘A", 2),
    _r("450103", "广西壮族自治区/南宁市/青秀区", "Guangxi/Nanning/Qingxiu District", "桂A", 2),
    _r("510107", "四川省/成都市/武侯区", "Sichuan/Chengdu/Wuhou District", "川A", 1),
    _r("610113", "陕西省/西安市/雁塔区", "Shaanxi/Xi'an/Yanta District", "陕A", 1),
    _r("370202", "山东省/青岛市/市南区", "Shandong/Qingdao/Shinan District", "鲁B", 1),
    _r("230103", "黑龙江省/哈尔滨市/南岗区", "Heilongjiang/Harbin/Nangang District", "黑A", 1),
)

# (character, pinyin); common surnames weighted by listing frequent ones twice.
SURNAMES: tuple[tuple[str, str], ...] = tuple(
    _pair(p)
    for p in (
        "王:Wang 李:Li 张:Zhang 刘:Liu 陈:Chen 杨:Yang 黄:Huang 赵:Zhao 吴:Wu 周:Zhou 徐:Xu 孙:Sun 马:Ma "
        "朱:Zhu 胡:Hu 郭:Guo 何:He 高:Gao 林:Lin 罗:Luo 郑:Zheng 梁:Liang 谢:Xie 宋:Song 唐:Tang 许:Xu "
        "韩:Han 冯:Feng 邓:Deng 曹:Cao 彭:Peng 曾:Zeng 肖:Xiao 田:Tian 董:Dong 袁:Yuan 潘:Pan 蒋:Jiang "
        "蔡:Cai 余:Yu 杜:Du 叶:Ye 程:Cheng 苏:Su 魏:Wei 吕:Lyu 丁:Ding 任:Ren 沈:Shen 姚:Yao 卢:Lu 钟:Zhong "
        "谭:Tan 陆:Lu 范:Fan 金:Jin 石:Shi 廖:Liao 夏:Xia 韦:Wei 方:Fang 白:Bai 邹:Zou 熊:Xiong "
        "邱:Qiu 江:Jiang 黎:Li 龙:Long 陶:Tao 古:Gu 莫:Mo 欧阳:Ouyang 司徒:Situ 陈:Chen 黄:Huang "
        "李:Li 梁:Liang 林:Lin 张:Zhang"
    ).split()
)

GIVEN_MALE: tuple[tuple[str, str], ...] = tuple(
    _pair(p)
    for p in (
        "伟:wei 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 杰:jie 涛:tao 明:ming 超:chao 刚:gang 华:hua 建:jian "
        "文:wen 辉:hui 鑫:xin 宇:yu 浩:hao 俊:jun 晨:chen 博:bo 泽:ze 国:guo 海:hai 志:zhi 永:yong 峰:feng "
        "斌:bin 波:bo 宏:hong 亮:liang 东:dong 飞:fei 鹏:peng 凯:kai 健:jian 瑞:rui 锦:jin 荣:rong 家:jia "
        "思:si 子:zi 俊:jun 嘉:jia 振:zhen 卫:wei 德:de 庆:qing 耀:yao 铭:ming 坤:kun 昊:hao 天:tian"
    ).split()
)

GIVEN_FEMALE: tuple[tuple[str, str], ...] = tuple(
    _pair(p)
    for p in (
        "芳:fang 娜:na 敏:min 静:jing 丽:li 艳:yan 秀:xiu 霞:xia 玲:ling 婷:ting 雪:xue 琳:lin 晓:xiao "
        "欣:xin 怡:yi 涵:han 佳:jia 梅:mei 燕:yan 红:hong 慧:hui 颖:ying 倩:qian 婉:wan 月:yue 兰:lan "
        "雅:ya 诗:shi 思:si 嘉:jia 美:mei 凤:feng 洁:jie 琪:qi 萍:ping 莉:li 丹:dan 宁:ning 悦:yue 璐:lu"
    ).split()
)

ETHNICITIES = ("汉",) * 30 + ("壮", "回", "满", "苗", "瑶", "土家")

# Company names: trade name (with pinyin) + industry (with English) + legal form.
TRADE_NAMES: tuple[tuple[str, str], ...] = tuple(
    _pair(p)
    for p in (
        "华信:Huaxin 宏达:Hongda 盛泰:Shengtai 恒通:Hengtong 鼎盛:Dingsheng 嘉禾:Jiahe 中和:Zhonghe "
        "瑞丰:Ruifeng 远航:Yuanhang 金石:Jinshi 天成:Tiancheng 永利:Yongli 卓越:Zhuoyue 联创:Lianchuang "
        "信达:Xinda 粤海:Yuehai 博远:Boyuan 明珠:Mingzhu 南方:Nanfang 骏业:Junye 海晟:Haisheng 安泰:Antai"
    ).split()
)

INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("贸易", "Trading", "销售：日用百货、五金产品、电子产品、建筑材料；货物进出口；技术进出口。"),
    ("科技", "Technology", "软件开发；信息系统集成服务；信息技术咨询服务；计算机软硬件及辅助设备零售。"),
    ("物流", "Logistics", "道路货物运输（不含危险货物）；普通货物仓储服务；国内货物运输代理；装卸搬运。"),
    ("建筑工程", "Construction Engineering", "建设工程施工；建筑劳务分包；园林绿化工程施工；建筑材料销售。"),
    ("餐饮管理", "Catering Management", "餐饮管理；餐饮服务；食品经营；酒店管理；会议及展览服务。"),
    ("电子", "Electronics", "电子元器件制造；电子产品销售；电子专用设备制造；技术服务、技术开发。"),
    ("实业", "Industrial", "企业管理咨询；市场营销策划；物业管理；停车场服务；非居住房地产租赁。"),
    ("医药", "Pharmaceutical", "药品零售；医疗器械经营；保健食品销售；化妆品零售；日用品销售。"),
    ("文化传媒", "Culture & Media", "广告设计、代理；广告制作；组织文化艺术交流活动；摄影扩印服务。"),
)

COMPANY_TYPES = (
    "有限责任公司(自然人投资或控股)",
    "有限责任公司(自然人独资)",
    "有限责任公司(法人独资)",
    "其他有限责任公司",
    "股份有限公司(非上市、自然人投资或控股)",
)

ROADS: tuple[tuple[str, str], ...] = (
    ("天河路", "Tianhe Road"),
    ("中山大道", "Zhongshan Avenue"),
    ("黄埔大道", "Huangpu Avenue"),
    ("建设路", "Jianshe Road"),
    ("人民路", "Renmin Road"),
    ("解放路", "Jiefang Road"),
    ("新港路", "Xingang Road"),
    ("环市东路", "Huanshi East Road"),
    ("工业大道", "Gongye Avenue"),
    ("科技园路", "Kejiyuan Road"),
    ("滨江路", "Binjiang Road"),
    ("长江路", "Changjiang Road"),
    ("迎宾大道", "Yingbin Avenue"),
    ("广园中路", "Guangyuan Middle Road"),
    ("江南大道", "Jiangnan Avenue"),
    ("白云大道", "Baiyun Avenue"),
    ("花城大道", "Huacheng Avenue"),
    ("东风路", "Dongfeng Road"),
    ("文化路", "Wenhua Road"),
)

RESIDENCES = ("花园", "小区", "苑", "雅居", "新村", "公寓")


@dataclass(frozen=True, slots=True)
class Model:
    """A vehicle model as printed on contracts, invoices and certificates."""

    brand: str  # 品牌 as customers say it
    brand_en: str
    name: str  # 车型 (marketing name)
    name_en: str
    code: str  # 厂牌型号 on the invoice and the certificate
    maker: str  # 车辆制造企业名称
    vtype: str  # 车辆类型 on the vehicle licence
    vtype_en: str
    wmi: str
    vds: str  # VIN positions 4-8
    engine_prefix: str
    engine_model: str
    fuel: str  # 燃料种类
    displacement: int  # ml; 0 for electric
    power_kw: int
    seats: int
    price: tuple[int, int]  # yuan, range of the sale price
    origin: str  # 产地
    new_energy: bool = False
    imported: bool = False


MODELS: tuple[Model, ...] = (
    Model(
        "一汽-大众",
        "FAW-Volkswagen",
        "速腾 280TSI 舒适型",
        "Sagitar 280TSI Comfortline",
        "大众汽车牌FV7141BBDBG",
        "一汽-大众汽车有限公司",
        "小型轿车",
        "Small car",
        "LFV",
        "2A21K",
        "DJS",
        "EA211",
        "汽油",
        1395,
        110,
        5,
        (128000, 159000),
        "吉林长春",
    ),
    Model(
        "上汽大众",
        "SAIC Volkswagen",
        "帕萨特 330TSI 精英版",
        "Passat 330TSI",
        "大众汽车牌SVW71820BJ",
        "上汽大众汽车有限公司",
        "小型轿车",
        "Small car",
        "LSV",
        "AA63H",
        "DKV",
        "EA888",
        "汽油",
        1984,
        137,
        5,
        (185000, 225000),
        "上海",
    ),
    Model(
        "广汽丰田",
        "GAC Toyota",
        "凯美瑞 2.0G 豪华版",
        "Camry 2.0G Luxury",
        "丰田牌GTM7200GB",
        "广汽丰田汽车有限公司",
        "小型轿车",
        "Small car",
        "LVG",
        "B1FE6",
        "M20C",
        "M20C",
        "汽油",
        1987,
        131,
        5,
        (179800, 219800),
        "广东广州",
    ),
    Model(
        "广汽本田",
        "GAC Honda",
        "雅阁 260TURBO 舒享版",
        "Accord 260TURBO",
        "雅阁牌HG7153CAC6",
        "广汽本田汽车有限公司",
        "小型轿车",
        "Small car",
        "LHG",
        "CV163",
        "L15B",
        "L15BU",
        "汽油",
        1498,
        143,
        5,
        (169800, 209800),
        "广东广州",
    ),
    Model(
        "东风日产",
        "Dongfeng Nissan",
        "轩逸 1.6L XL CVT 悦享版",
        "Sylphy 1.6L XL CVT",
        "日产牌DFL7160VBL2",
        "东风汽车有限公司",
        "小型轿车",
        "Small car",
        "LGB",
        "H12E2",
        "HR16",
        "HR16",
        "汽油",
        1598,
        99,
        5,
        (99800, 129800),
        "湖北襄阳",
    ),
    Model(
        "比亚迪",
        "BYD",
        "汉 EV 冠军版 605KM",
        "Han EV 605km",
        "比亚迪牌BYD7000BEV3",
        "比亚迪汽车工业有限公司",
        "小型轿车",
        "Small car",
        "LGX",
        "C4C4A",
        "TZ220",
        "TZ220XSU",
        "纯电动",
        0,
        200,
        5,
        (209800, 259800),
        "广东深圳",
        new_energy=True,
    ),
    Model(
        "特斯拉",
        "Tesla",
        "Model 3 后轮驱动版",
        "Model 3 RWD",
        "特斯拉牌TSL7000BEVAR3",
        "特斯拉（上海）有限公司",
        "小型轿车",
        "Small car",
        "LRW",
        "3GFS5",
        "TZ200",
        "3D3",
        "纯电动",
        0,
        194,
        5,
        (231900, 261900),
        "上海",
        new_energy=True,
    ),
    Model(
        "吉利汽车",
        "Geely",
        "星越L 2.0TD 旗舰型",
        "Monjaro 2.0TD",
        "吉利牌MR6471D04",
        "浙江吉利汽车有限公司",
        "小型普通客车",
        "Small passenger vehicle",
        "L6T",
        "79462",
        "JLH",
        "JLH-4G20TDB",
        "汽油",
        1969,
        175,
        5,
        (155700, 189700),
        "浙江宁波",
    ),
    Model(
        "长安汽车",
        "Changan",
        "CS75 PLUS 1.5T 尊贵型",
        "CS75 PLUS 1.5T",
        "长安牌SC6469NAG6",
        "重庆长安汽车股份有限公司",
        "小型普通客车",
        "Small passenger vehicle",
        "LS5",
        "A3DE8",
        "JL473",
        "JL473ZQ7",
        "汽油",
        1494,
        138,
        5,
        (119900, 149900),
        "重庆",
    ),
    Model(
        "华晨宝马",
        "BMW Brilliance",
        "X3 xDrive30i 领先型 M曜夜套装",
        "X3 xDrive30i",
        "宝马牌BMW6475DX",
        "华晨宝马汽车有限公司",
        "小型越野客车",
        "Small off-road vehicle",
        "LBV",
        "TY910",
        "B48",
        "B48B20B",
        "汽油",
        1998,
        185,
        5,
        (399900, 459900),
        "辽宁沈阳",
    ),
    Model(
        "上汽通用别克",
        "SAIC-GM Buick",
        "GL8 ES陆尊 653T 豪华型",
        "GL8 ES 653T",
        "别克牌SGM6531UAA2",
        "上汽通用汽车有限公司",
        "小型普通客车",
        "Small passenger vehicle",
        "LSG",
        "UL8E1",
        "LXT",
        "LXT",
        "汽油",
        1998,
        174,
        7,
        (299900, 349900),
        "上海",
    ),
    Model(
        "理想汽车",
        "Li Auto",
        "理想L7 Pro",
        "Li L7 Pro",
        "理想牌LXA6500SHEVX5",
        "重庆理想汽车有限公司",
        "小型普通客车",
        "Small passenger vehicle",
        "LW4",
        "33B2A",
        "L2E",
        "L2E15M",
        "插电式混合动力",
        1496,
        113,
        5,
        (301800, 339800),
        "江苏常州",
        new_energy=True,
    ),
    Model(
        "宝马(进口)",
        "BMW (imported)",
        "X5 xDrive40Li 尊享型",
        "X5 xDrive40Li",
        "宝马牌BMW X5 xDrive40Li",
        "BMW AG",
        "小型越野客车",
        "Small off-road vehicle",
        "WBA",
        "JU010",
        "B58",
        "B58B30C",
        "汽油",
        2998,
        250,
        5,
        (699900, 799900),
        "德国",
        imported=True,
    ),
    Model(
        "丰田(进口)",
        "Toyota (imported)",
        "埃尔法 2.5L 尊贵版",
        "Alphard 2.5L Executive",
        "丰田牌ALPHARD",
        "TOYOTA MOTOR CORPORATION",
        "小型普通客车",
        "Small passenger vehicle",
        "JTN",
        "GF3AH",
        "2AR",
        "2AR-FXE",
        "油电混合动力",
        2494,
        112,
        7,
        (869000, 969000),
        "日本",
        imported=True,
    ),
)

COLORS: tuple[tuple[str, str], ...] = (
    ("珍珠白", "Pearl White"),
    ("极光白", "Aurora White"),
    ("曜石黑", "Obsidian Black"),
    ("星光银", "Star Silver"),
    ("深海蓝", "Deep Ocean Blue"),
    ("宝石红", "Ruby Red"),
    ("钛金灰", "Titanium Grey"),
    ("香槟金", "Champagne Gold"),
)

BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "招商银行", "广发银行", "交通银行")

INSURERS: tuple[tuple[str, str], ...] = (
    ("中国人民财产保险股份有限公司", "95518"),
    ("中国平安财产保险股份有限公司", "95511"),
    ("中国太平洋财产保险股份有限公司", "95500"),
    ("中国人寿财产保险股份有限公司", "95519"),
)

# Contract clauses: (heading, body). Bodies may use {dealer}, {days}, {deposit}, {city}, {warranty}.
SALES_CLAUSES_ZH: tuple[tuple[str, str], ...] = (
    (
        "付款方式",
        "乙方应于本合同签订之日向甲方支付定金人民币{deposit}元，余款于提车前一次性付清。乙方选择按揭贷款方式"
        "购车的，首付款及贷款金额以金融机构审批结果为准，因乙方原因导致贷款未获批准的，乙方应在接到通知后七日内以"
        "其他方式付清余款。",
    ),
    (
        "交车时间及地点",
        "甲方应在收到全部车款后{days}日内在甲方营业场所向乙方交付车辆，并同时交付机动车销售统一发票、"
        "车辆合格证、使用说明书、保修手册及随车工具。因不可抗力或厂家供货原因延期交车的，甲方应及时通知乙方。",
    ),
    (
        "车辆验收",
        "乙方应在交车时对车辆外观、内饰、随车物品及相关证件进行检查验收，并签署交车确认单。乙方签署交车确认单"
        "即视为车辆交付完成，车辆的风险自交付时起转移至乙方。",
    ),
    (
        "质量保证",
        "车辆的质量保证及售后服务按照生产厂家提供的保修手册执行，整车质量保修期为{warranty}，以先到者为准。"
        "保修期内因产品质量问题产生的维修，由甲方按照厂家规定免费提供。",
    ),
    (
        "车辆上牌",
        "乙方委托甲方代办车辆上牌手续的，应提供真实、有效的身份证明材料，并支付相关税费。代办过程中因乙方提供"
        "材料不全或不实而产生的后果由乙方自行承担。",
    ),
    (
        "违约责任",
        "甲方逾期交车的，每逾期一日按车价款的万分之五向乙方支付违约金；乙方逾期付款的，每逾期一日按未付款项的"
        "万分之五向甲方支付违约金。乙方无正当理由拒绝提车的，定金不予退还。",
    ),
    (
        "个人信息保护",
        "甲方承诺对乙方提供的身份证件、联系方式等个人信息严格保密，仅用于办理本次购车及相关售后服务，"
        "未经乙方同意不得向第三方提供，法律法规另有规定的除外。",
    ),
    (
        "争议解决",
        "本合同在履行过程中发生争议的，双方应协商解决；协商不成的，任何一方均可向甲方所在地{city}人民法院"
        "提起诉讼。",
    ),
    (
        "其他约定",
        "本合同未尽事宜，双方可另行签订补充协议，补充协议与本合同具有同等法律效力。本合同附件为本合同不可分割的"
        "组成部分。",
    ),
    ("合同生效", "本合同自双方签字（盖章）之日起生效，一式两份，甲乙双方各执一份，具有同等法律效力。"),
)

REPAIR_CLAUSES_ZH: tuple[str, ...] = (
    "委托方应如实告知车辆故障现象及维修历史，受托方根据检测结果确定维修方案，增加维修项目须经委托方同意。",
    "维修更换的旧件由委托方确认后带走；委托方放弃旧件的，由受托方按环保规定统一处理。",
    "委托方应将车内现金、贵重物品自行取出，受托方对车内遗留的贵重物品不承担保管责任。",
    "维修竣工后受托方应通知委托方接车，委托方应在三日内结清费用并提车，逾期产生的停车费用由委托方承担。",
    "本次维修质量保证期为车辆行驶20000公里或者100日，以先到者为准，保证期内因维修质量造成的返修免费。",
    "委托方如对维修质量有异议，可向受托方客户服务部反映，或向当地交通运输主管部门投诉。",
)

SALES_CLAUSES_EN: tuple[tuple[str, str], ...] = (
    (
        "Payment",
        "The Buyer shall pay a deposit of RMB {deposit} upon signing this Agreement and the balance in full "
        "before delivery. Where the purchase is financed, the loan amount is subject to approval by the "
        "lender.",
    ),
    (
        "Delivery",
        "The Seller shall deliver the Vehicle at its showroom within {days} days after receiving the full "
        "purchase price, together with the sales invoice, the certificate of conformity, the owner's manual "
        "and the warranty booklet.",
    ),
    (
        "Inspection and Acceptance",
        "The Buyer shall inspect the Vehicle at delivery and sign the delivery "
        "confirmation. Risk of loss passes to the Buyer upon delivery.",
    ),
    (
        "Warranty",
        "The Vehicle is covered by the manufacturer's warranty of {warranty}, whichever comes first, "
        "according to the warranty booklet.",
    ),
    (
        "Registration",
        "If the Buyer asks the Seller to register the Vehicle, the Buyer shall provide valid identity "
        "documents and pay the applicable taxes and fees.",
    ),
    (
        "Default",
        "If either party fails to perform its obligations, it shall pay the other party liquidated damages "
        "of 0.05% of the purchase price for each day of delay.",
    ),
    (
        "Personal Data",
        "The Seller shall keep the Buyer's identity documents and contact details confidential and use "
        "them only for this purchase and related after-sales services.",
    ),
    (
        "Governing Law and Disputes",
        "This Agreement is governed by the laws of the People's Republic of China. "
        "Disputes shall be submitted to the people's court where the Seller is located.",
    ),
    (
        "Entire Agreement",
        "This Agreement is made in two counterparts, one for each party, and takes effect upon "
        "signature by both parties.",
    ),
)

PDI_ITEMS_ZH: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "外观检查",
        (
            "车身漆面无划痕、无色差",
            "车身缝隙均匀",
            "前后挡风玻璃及车窗无裂纹",
            "轮胎规格、气压及轮毂状况",
            "灯具外观及功能",
            "后视镜调节及折叠",
        ),
    ),
    (
        "发动机舱",
        (
            "发动机机油液位",
            "冷却液液位及冰点",
            "制动液液位",
            "玻璃清洗液",
            "蓄电池电压及接线柱",
            "各管路有无渗漏",
        ),
    ),
    (
        "车内检查",
        (
            "仪表及故障指示灯",
            "空调制冷/制热",
            "音响、导航及倒车影像",
            "座椅调节及加热",
            "安全带功能",
            "电动车窗及天窗",
            "内饰清洁、无污损",
        ),
    ),
    ("底盘检查", ("制动管路及油管", "悬挂系统紧固", "排气管及隔热罩", "备胎及随车工具")),
    (
        "路试",
        ("发动机怠速及加速性能", "变速箱换挡平顺性", "制动性能及跑偏", "转向系统及回正", "行驶中有无异响"),
    ),
)

PDI_ITEMS_EN: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "EXTERIOR",
        (
            "Paint and body panels free of damage",
            "Panel gaps even",
            "Windshield and glass free of chips",
            "Tyre pressure and wheels",
            "Exterior lamps",
            "Mirrors adjust and fold",
        ),
    ),
    (
        "UNDER HOOD",
        (
            "Engine oil level",
            "Coolant level",
            "Brake fluid level",
            "Washer fluid",
            "Battery voltage and terminals",
        ),
    ),
    (
        "INTERIOR",
        (
            "Instrument cluster and warning lamps",
            "Air conditioning and heating",
            "Audio and navigation",
            "Seat adjustment",
            "Seat belts",
            "Power windows and sunroof",
        ),
    ),
    (
        "ROAD TEST",
        (
            "Engine idle and acceleration",
            "Transmission shift quality",
            "Brakes, no pulling",
            "Steering returns to centre",
            "No abnormal noise",
        ),
    ),
)

DELIVERY_ITEMS_ZH: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("随车文件", ("机动车销售统一发票", "车辆合格证", "使用说明书", "保养手册", "环保随车清单")),
    ("随车物品", ("车钥匙（2把）", "备胎/补胎工具", "三角警示牌", "随车工具包", "脚垫")),
    (
        "功能讲解",
        (
            "仪表盘及指示灯说明",
            "空调及娱乐系统操作",
            "驾驶辅助功能说明",
            "首次保养时间及里程说明",
            "24小时救援电话告知",
        ),
    ),
)

FREE_CHECK_ITEMS_ZH = (
    "发动机机油及滤清器",
    "冷却液液位及冰点",
    "制动液液位及含水量",
    "转向助力及管路",
    "蓄电池状态",
    "轮胎气压及磨损",
    "前后制动片厚度",
    "灯光及喇叭",
    "雨刮片及清洗液",
    "空调滤芯",
    "底盘螺栓紧固",
    "传动轴及防尘套",
)

REPAIR_ITEMS_ZH: tuple[tuple[str, int, int], ...] = (
    ("更换机油及机油滤清器", 120, 468),
    ("更换空气滤清器", 60, 158),
    ("更换空调滤清器", 60, 138),
    ("四轮定位", 280, 0),
    ("更换前制动片", 180, 620),
    ("更换雨刮片", 30, 186),
    ("更换蓄电池", 80, 780),
    ("钣金喷漆（前保险杠）", 650, 420),
    ("清洗节气门", 150, 60),
    ("更换火花塞", 160, 360),
)

SURVEY_QUESTIONS_ZH = (
    "销售顾问的接待是否热情、专业？",
    "销售顾问对车辆的介绍是否清楚？",
    "试乘试驾的安排是否满意？",
    "报价及购车流程是否透明？",
    "交车时车辆是否干净、完好？",
    "交车仪式及功能讲解是否满意？",
    "交车等待时间是否合理？",
    "您是否愿意向亲友推荐本店？",
)

SURVEY_QUESTIONS_EN = (
    "Was the sales consultant friendly and professional?",
    "Was the vehicle explained clearly?",
    "Were you satisfied with the test drive?",
    "Was the pricing and purchase process transparent?",
    "Was the vehicle clean and in good condition at delivery?",
    "Would you recommend us to friends and family?",
)

COMPLAINTS_ZH = (
    "本人于{date}在贵店购买{model}一辆，提车后发现车辆左后门有明显划痕，当时交车时因天色较暗未能发现。"
    "多次联系销售顾问，至今未得到处理，希望贵店尽快给予答复并安排修复。",
    "本人车辆于{date}在贵店进行首次保养，保养后仪表盘出现发动机故障灯，返厂检查后仍未解决。"
    "对贵店的服务效率表示不满，请尽快安排技术人员彻底检查。",
    "购车时销售顾问承诺赠送的贴膜及脚垫至今未安装，且上牌时间比约定晚了两周。"
    "请贵店按照合同约定履行承诺，并对延误给出合理解释。",
)

COMPLAINTS_EN = (
    "I bought a {model} from your dealership on {date}. After delivery I found a deep scratch on the rear "
    "left door that was not visible at handover. I have contacted my sales consultant several times without "
    "any response, and I ask you to arrange the repair as soon as possible.",
    "My car had its first service at your workshop on {date}. Since then the engine warning lamp has come on "
    "repeatedly, and a second visit did not solve the problem. I expect a thorough inspection and a written "
    "reply.",
)

DEPARTMENTS = ("销售一部", "销售二部", "大客户部", "二手车部", "售后服务部")
