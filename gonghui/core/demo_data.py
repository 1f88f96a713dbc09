"""Tables behind the demo federation: names, places and industries, kept apart from the
generator in demo.py so that the generator reads as a story and these as plain data."""

from __future__ import annotations

from dataclasses import dataclass

# Surnames with their rough national frequency (per cent, 2020 census order). Zhejiang
# locals lean towards some Jiangnan names, boosted separately in LOCAL_SURNAME_BOOST.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.10), ("陈", 4.61), ("杨", 3.22), ("黄", 2.45),
    ("赵", 2.19), ("吴", 2.05), ("周", 1.96), ("徐", 1.69), ("孙", 1.54), ("马", 1.45), ("朱", 1.42),
    ("胡", 1.37), ("郭", 1.17), ("何", 1.15), ("林", 1.09), ("高", 1.07), ("罗", 1.02), ("郑", 0.91),
    ("梁", 0.88), ("谢", 0.82), ("宋", 0.74), ("唐", 0.73), ("许", 0.68), ("韩", 0.66), ("冯", 0.65),
    ("邓", 0.64), ("曹", 0.62), ("彭", 0.61), ("曾", 0.59), ("肖", 0.58), ("田", 0.55), ("董", 0.53),
    ("潘", 0.50), ("袁", 0.50), ("蔡", 0.48), ("蒋", 0.47), ("余", 0.46), ("于", 0.46), ("杜", 0.44),
    ("叶", 0.43), ("程", 0.43), ("魏", 0.41), ("苏", 0.40), ("吕", 0.39), ("丁", 0.39), ("任", 0.38),
    ("卢", 0.37), ("姚", 0.36), ("沈", 0.36), ("钟", 0.35), ("姜", 0.34), ("崔", 0.33), ("谭", 0.32),
    ("陆", 0.31), ("范", 0.30), ("汪", 0.30), ("廖", 0.29), ("石", 0.29), ("金", 0.28), ("韦", 0.27),
    ("贾", 0.27), ("夏", 0.26), ("付", 0.25), ("方", 0.25), ("邹", 0.24), ("熊", 0.24), ("白", 0.24),
    ("孟", 0.23), ("秦", 0.23), ("邱", 0.22), ("侯", 0.22), ("江", 0.22), ("尹", 0.21), ("薛", 0.21),
    ("闫", 0.20), ("段", 0.20), ("雷", 0.19), ("龙", 0.19), ("黎", 0.19), ("史", 0.19), ("陶", 0.18),
    ("贺", 0.18), ("毛", 0.17), ("郝", 0.17), ("顾", 0.16), ("龚", 0.16), ("邵", 0.15), ("万", 0.15),
    ("覃", 0.14), ("武", 0.14), ("钱", 0.14), ("戴", 0.13), ("严", 0.13), ("莫", 0.12), ("孔", 0.12),
    ("向", 0.12), ("常", 0.11), ("汤", 0.11), ("康", 0.11), ("易", 0.11), ("乔", 0.11), ("赖", 0.10),
)  # fmt: skip
LOCAL_SURNAME_BOOST: dict[str, float] = {
    "沈": 3.0, "徐": 2.5, "陆": 2.0, "钱": 1.8, "朱": 1.5, "吴": 1.5, "周": 1.2, "金": 1.5, "顾": 1.2,
    "查": 0.6, "褚": 0.5, "俞": 0.8, "蒋": 0.8, "费": 0.4, "祝": 0.4, "倪": 0.5,
}  # fmt: skip

GIVEN_FIRST = "建国志文海晓永德家明立子天嘉宏春新瑞金玉秀丽美思雨欣佳少伟俊世"
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰亮成东毅晨博阳庆兵振泽荣宝祥"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英慧玲婷雪琳萍红燕梅兰月佳欣颖晶倩露琴蓉洁莉悦怡雯璐雨美玉凤丹妍薇菲琪"


@dataclass(frozen=True)
class Home:
    """A place of household registration: python-stdnum knows its codes by name, and which
    of them were in use in a given year (counties were renamed and renumbered)."""

    label: str  # as it is called today
    # (two-digit province code, county name as in stdnum's table), under every name it has
    # had since 1985, so that a number issued in any year gets the code of that year
    names: tuple[tuple[str, str], ...]


# Where Haining's migrant workers come from, heaviest first (rough shares of the flow).
MIGRANT_HOMES: tuple[tuple[Home, float], ...] = (
    (Home("安徽省太和县", (("34", "太和县"),)), 5),
    (Home("安徽省临泉县", (("34", "临泉县"),)), 5),
    (Home("安徽省阜南县", (("34", "阜南县"),)), 4),
    (Home("安徽省颍上县", (("34", "颍上县"),)), 3),
    (Home("安徽省霍邱县", (("34", "霍邱县"),)), 3),
    (Home("河南省固始县", (("41", "固始县"),)), 4),
    (Home("河南省商城县", (("41", "商城县"),)), 3),
    (Home("河南省息县", (("41", "息县"),)), 2),
    (Home("河南省新蔡县", (("41", "新蔡县"),)), 2),
    (Home("贵州省织金县", (("52", "织金县"),)), 3),
    (Home("贵州省纳雍县", (("52", "纳雍县"),)), 2),
    (Home("贵州省威宁彝族回族苗族自治县", (("52", "威宁彝族回族苗族自治县"),)), 2),
    (Home("贵州省赫章县", (("52", "赫章县"),)), 2),
    (Home("四川省宣汉县", (("51", "宣汉县"),)), 3),
    (Home("四川省渠县", (("51", "渠县"),)), 2),
    (Home("四川省南部县", (("51", "南部县"),)), 2),
    (Home("四川省中江县", (("51", "中江县"),)), 2),
    (Home("重庆市开州区", (("50", "开州区"), ("50", "开县"), ("51", "开县"))), 2),
    (Home("重庆市云阳县", (("50", "云阳县"), ("51", "云阳县"))), 2),
    (Home("江西省鄱阳县", (("36", "鄱阳县"), ("36", "波阳县"))), 2),
    (Home("江西省余干县", (("36", "余干县"),)), 2),
    (Home("湖南省邵东市", (("43", "邵东市"), ("43", "邵东县"))), 1),
    (Home("湖南省新化县", (("43", "新化县"),)), 1),
    (Home("湖北省蕲春县", (("42", "蕲春县"),)), 1),
    (Home("云南省镇雄县", (("53", "镇雄县"),)), 2),
    (Home("云南省会泽县", (("53", "会泽县"),)), 1),
    (Home("甘肃省通渭县", (("62", "通渭县"),)), 1),
    (Home("江苏省睢宁县", (("32", "睢宁县"),)), 1),
    (Home("广西壮族自治区博白县", (("45", "博白县"),)), 1),
)


# The age spread of a Zhejiang county's workforce in manufacturing and services, by band:
# (first age, last age, weight of the band). Few are 16-17 (the minimum working age is 16),
# most are 30-50; after 50 women retire from enterprise jobs and the bands thin out, but
# re-employed retirees and older migrant workers keep some over 60. Nobody is over 74, so
# nobody joins past 75 (which the registry asks to check). The young bands weigh more than
# the share of the members on the stock day they come out as, because the ages are drawn
# among those old enough for their join date (who joined ten years before is at least 26):
# on the stock day about 0.3 % are 16-17, 7 % under 25, 56 % 30-49 and 5 % 60 or over.
WORKFORCE_AGES: tuple[tuple[int, int, float], ...] = (
    (16, 17, 1.4), (18, 19, 2.5), (20, 24, 9.6), (25, 29, 13.0), (30, 34, 14.8), (35, 39, 14.3),
    (40, 44, 13.2), (45, 49, 11.7), (50, 54, 9.6), (55, 59, 6.4), (60, 64, 3.0), (65, 69, 1.1),
    (70, 74, 0.35),
)  # fmt: skip

# Identity numbers were first issued from 1985 (Resident Identity Card Regulations) to every
# resident of 16 and over, most of them by 1988, the last of the first round by the mid-1990s:
# the share issued in each year to those already 16 in 1985.
FIRST_ISSUE_YEARS: tuple[tuple[int, float], ...] = (
    (1985, 30), (1986, 25), (1987, 15), (1988, 10), (1989, 6), (1990, 4), (1991, 3), (1992, 2),
    (1993, 2), (1994, 1.5), (1995, 1.5),
)  # fmt: skip


@dataclass(frozen=True)
class TownSpec:
    name: str
    code: str
    weight: float  # share of the city's unions and workers
    industries: tuple[str, ...]  # heaviest first
    urban: bool  # subdistricts with shops and office buildings get district unions


HAINING_TOWNS: tuple[TownSpec, ...] = (
    TownSpec("硖石街道", "XS", 1.2, ("商贸", "皮革", "服装", "餐饮", "电子"), True),
    TownSpec("海洲街道", "HZ", 1.3, ("皮革", "服装", "商贸", "物流"), True),
    TownSpec("海昌街道", "HC", 1.1, ("皮革", "服装", "机械", "电子"), True),
    TownSpec("马桥街道", "MQ", 1.0, ("经编", "纺织", "化纤", "机械"), True),
    TownSpec("许村镇", "XC", 1.3, ("家纺", "纺织", "经编", "机械"), False),
    TownSpec("长安镇", "CA", 1.2, ("机械", "电子", "物流", "新材料"), False),
    TownSpec("周王庙镇", "ZWM", 0.7, ("皮革", "纺织", "机械"), False),
    TownSpec("盐官镇", "YG", 0.6, ("旅游", "机械", "纺织"), False),
    TownSpec("丁桥镇", "DQ", 0.6, ("家纺", "纺织", "机械"), False),
    TownSpec("斜桥镇", "XQ", 0.6, ("机械", "食品", "纺织"), False),
    TownSpec("袁花镇", "YH", 0.7, ("光伏", "机械", "新材料"), False),
    TownSpec("黄湾镇", "HW", 0.7, ("光伏", "新材料", "化纤"), False),
)

# Town names for the other cities of a province-sized demo (their real towns are not needed).
GENERIC_TOWN_NAMES = (
    "城东", "城西", "城南", "城北", "新塘", "东湖", "西山", "南浦", "北港", "龙泉", "清溪", "桃源", "梅林",
    "石桥", "白沙", "金沙", "青山", "凤凰", "双林", "三江", "永安", "安平", "大桥", "下沙", "临江", "湖塘",
)  # fmt: skip
GENERIC_INDUSTRIES = ("机械", "纺织", "电子", "服装", "新材料", "物流", "食品", "商贸", "化纤")


@dataclass(frozen=True)
class CitySpec:
    name: str  # as the county-level unit is called today
    code: str  # organisation code prefix
    old_names: tuple[str, ...]  # earlier names in stdnum's table, for locals born before a rename


HAINING = CitySpec("海宁市", "HN", ("海宁县",))
PROVINCE_CITIES: tuple[CitySpec, ...] = (
    HAINING,
    CitySpec("桐乡市", "TX", ("桐乡县",)),
    CitySpec("平湖市", "PH", ("平湖县",)),
    CitySpec("海盐县", "HY", ()),
    CitySpec("嘉善县", "JS", ()),
    CitySpec("德清县", "DQ", ()),
    CitySpec("长兴县", "CX", ()),
    CitySpec("安吉县", "AJ", ()),
    CitySpec("诸暨市", "ZJ", ("诸暨县",)),
    CitySpec("嵊州市", "SZ", ("嵊县",)),
    CitySpec("新昌县", "XCH", ()),
    CitySpec("余姚市", "YY", ("余姚县",)),
    CitySpec("慈溪市", "CXI", ("慈溪县",)),
    CitySpec("象山县", "XSH", ()),
    CitySpec("宁海县", "NH", ()),
    CitySpec("桐庐县", "TL", ()),
    CitySpec("淳安县", "CA", ()),
    CitySpec("建德市", "JD", ("建德县",)),
    CitySpec("瑞安市", "RA", ("瑞安县",)),
    CitySpec("乐清市", "LQ", ("乐清县",)),
    CitySpec("永嘉县", "YJ", ()),
    CitySpec("平阳县", "PY", ()),
    CitySpec("苍南县", "CN", ()),
    CitySpec("义乌市", "YW", ("义乌县",)),
    CitySpec("东阳市", "DY", ("东阳县",)),
    CitySpec("永康市", "YK", ("永康县",)),
    CitySpec("兰溪市", "LX", ("兰溪县",)),
    CitySpec("武义县", "WY", ()),
    CitySpec("浦江县", "PJ", ()),
    CitySpec("江山市", "JSH", ("江山县",)),
    CitySpec("温岭市", "WL", ("温岭县",)),
    CitySpec("临海市", "LH", ("临海县",)),
    CitySpec("天台县", "TT", ()),
    CitySpec("仙居县", "XJ", ()),
    CitySpec("龙泉市", "LQU", ("龙泉县",)),
)

# Employer name endings by industry.
INDUSTRY_SUFFIXES: dict[str, tuple[str, ...]] = {
    "皮革": ("皮革有限公司", "皮业有限公司", "皮草服饰有限公司", "制革有限公司"),
    "经编": ("经编科技有限公司", "经编实业有限公司", "经编织造有限公司"),
    "家纺": ("家纺有限公司", "布艺有限公司", "窗饰有限公司", "纺织品有限公司"),
    "光伏": ("光伏科技有限公司", "新能源科技有限公司", "光电有限公司"),
    "机械": ("机械有限公司", "轴承有限公司", "机电有限公司", "精密机械有限公司"),
    "纺织": ("纺织有限公司", "织造有限公司", "印染有限公司"),
    "化纤": ("化纤有限公司", "新纤维有限公司"),
    "电子": ("电子科技有限公司", "电器有限公司", "智能科技有限公司"),
    "新材料": ("新材料股份有限公司", "新材料科技有限公司"),
    "物流": ("物流有限公司", "供应链管理有限公司"),
    "服装": ("服饰有限公司", "制衣有限公司", "时装有限公司"),
    "食品": ("食品有限公司", "榨菜有限公司", "农业开发有限公司"),
    "商贸": ("商贸有限公司", "贸易有限公司", "超市有限公司"),
    "餐饮": ("餐饮管理有限公司", "酒店管理有限公司"),
    "旅游": ("旅游开发有限公司", "文化旅游有限公司"),
    "建筑": ("建设有限公司", "建筑工程有限公司", "市政园林有限公司"),
}
SMALL_SHOPS = (  # (name ending, industry) of employers too small for a union of their own
    ("商行", "商贸"), ("便利店", "商贸"), ("五金店", "商贸"), ("服装店", "商贸"), ("皮具店", "商贸"),
    ("餐馆", "餐饮"), ("小吃店", "餐饮"), ("美容美发店", "服务"), ("汽车维修部", "服务"),
    ("织造厂", "纺织"), ("经编加工厂", "经编"), ("五金加工厂", "机械"), ("布艺加工坊", "家纺"),
)  # fmt: skip
BRAND_CHARS = "宏达华鑫恒远瑞丰盛兴海宁新天金龙凯通安嘉德源泰润永昌正大万方顺博东诚信明星立佳伟康豪富"
VILLAGE_NAMES = (
    "荡湾", "联丰", "新星", "光明", "双喜", "永福", "红旗", "团结", "众安", "民主", "金星", "东山",
    "南庄", "西漾", "北陈", "联合", "胜利", "凤鸣", "青龙", "白马", "文港", "云龙", "桥南", "徐家",
)  # fmt: skip
BUILDING_NAMES = ("银泰", "财富", "国贸", "万达", "皮革城", "东方", "中环", "钱江", "紫微", "西山", "鹃湖", "科创")

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
    "157", "158", "159", "166", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191",
    "193", "198", "199",
)  # fmt: skip

LEAVE_REASONS = ("离职返乡", "调离本单位，未办理转接", "本人申请退会", "离职，去向不明")
ROAD_NAMES = (
    "文宗",
    "海昌",
    "钱江",
    "硖川",
    "工人",
    "联合",
    "长安",
    "许巷",
    "经编",
    "皮都",
    "新桥",
    "洛塘",
    "水月亭",
    "海州",
)
