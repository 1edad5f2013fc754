"""The fictional county behind sample_data/: townships, villages, households, members, incomes,
the SPEC's classification (a small independent reference implementation) and declared cards.

Everything is drawn from one ``random.Random(seed)``; nothing depends on time or hash order.
Used by make_sample_data.py (writers in sample_writers.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from fourcard_excel.ingest.ids import (  # GB 11643 check digit, valid IDs
    CHECK_CHARS,
    make_id,
)

AS_OF = date(2024, 3, 18)  # assessment date assumed by the sample (start of 初核申报)
COUNTY = "云溪县"
AREA = "431299"  # fictional county area code (4312xx, not assigned to a real county)
OTHER_AREAS = ("431202", "431221", "430102", "440304")  # married-in spouses born elsewhere

THRESHOLD = 5000.0

# name, supervised (挂牌督战), layout, number of villages
TOWNSHIPS = (
    ("城关镇", False, "clean", 9),
    ("白沙镇", False, "merged", 8),
    ("清水乡", False, "household", 7),
    ("石门乡", True, "csv", 10),
    ("桃源镇", False, "xls", 8),
    ("龙潭镇", False, "instructions", 6),
    ("黄土乡", True, "numeric_ids", 11),
    ("青山乡", False, "money_strings", 9),
    ("河口镇", False, "per_village", 7),
    ("双溪乡", False, "variants", 5),
)
EXTRA_TOWNSHIPS = ("金山镇", "梅溪乡", "大塘镇", "高坪乡", "杨柳镇", "枫林乡", "马鞍镇", "竹园乡", "新田镇",
                   "岩门乡")

VILLAGE_POOL = (
    "石桥 枫树 杨家 新塘 黄泥 竹山 大坪 茶园 龙井 桥头 塘湾 高桥 水口 岩坪 柳林 樟木 松林 上湾 下湾 红星 "
    "光明 团结 胜利 和平 长岭 花园 梅子 桃花 杉木 金竹 铜锣 马头 鹿鸣 凤凰 白马 青龙 清泉 双井 油茶 麻田 "
    "荷塘 栗山 梨树 桐子 大田 小溪 合兴 同心 兴隆 长冲 东冲 西冲 南岭 北山 坪上 沙坪 沙湾 洞口 田心 屋场 "
    "高岭 楠木 江口 山口 民主 先锋 建设 联合 丰收 向阳 太平 永丰 长乐 福田 兴旺 新民 石井 杏林 荷花 木瓜 "
    "竹园 苦竹 大湾 河坪 黄家 李家 周家 刘家 陈家 王家 曾家 谭家 彭家 唐家"
).split()
SHARED_VILLAGE = "新华"  # a village name used in two townships (城关镇 and 河口镇), as happens

CN_NUM = "一二三四五六七八九十"
GROUPS = [f"{CN_NUM[i]}组" for i in range(10)] + ["十一组", "十二组"]

SURNAMES = ("王王李李张张刘刘陈陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
            "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝"
            "龚邵万钱严覃武戴莫孔向汤舒滕粟杨彭")
MALE_CHARS = "伟强军磊勇杰涛斌明超刚平辉鹏华建国志文海峰春生福贵发财林山松柏德成宏宇浩俊晨元仁义礼忠祥顺"
FEMALE_CHARS = "芳娟敏静丽艳娜秀英华玲桂兰凤霞红梅琴云萍莲燕婷雪慧珍翠香菊花月春丹琼妹"

HEALTH = ("健康", "长期慢性病", "患有大病", "残疾")
FULLTIME = ("普通高中", "中职", "高职高专", "本科", "研究生")
ABLE = ("普通劳动力", "技能劳动力")
WEAK = "弱劳动力或半劳动力"
RISKS = ("因病", "因残", "因学", "因灾", "因意外事故", "因产业失败", "因务工就业不稳", "其他")
POLICIES = ("教育扶贫", "产业扶贫", "健康扶贫", "就业扶贫", "易地搬迁扶贫", "危房改造", "小额信贷", "兜底保障及低保",
            "消费扶贫", "社会扶贫", "临时救助", "其他")
REG = "建档立卡贫困户"
NOT_CARDED = "不纳入"


@dataclass
class Member:
    name: str
    id: str
    relation: str
    sex: str
    birth: date
    age: int
    health: list[str]
    grade: str
    labour: str
    schooling: str
    employment: str = ""
    row: int = 0  # Excel row (or CSV line) once written
    out: dict = field(default_factory=dict)  # written value overrides (deliberate problems)


@dataclass
class Household:
    key: str  # stable key, e.g. "城关镇|0001"
    township: str
    village: str
    group: str
    household_id: str
    category: str
    status: str
    monitored: bool
    members: list[Member]
    wage: int = 0
    business: int = 0
    prop: int = 0
    transfer: int = 0
    cost: int = 0
    education: int = 0
    main_cause: str = ""
    risks: list[str] = field(default_factory=list)
    has_car: bool = False
    luxury: bool = False
    parents_sep: bool = False
    enjoyed: list[str] = field(default_factory=list)
    eligible: list[str] = field(default_factory=list)
    remark: str = ""
    declared: dict[str, str] = field(default_factory=dict)  # stage key -> card
    size_declared: int | None = None  # None = len(members)
    case: str = ""  # boundary case id
    card: str = ""  # expected card (SPEC rules)
    rule: str = ""
    exclusions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # codes of deliberate problems in this household
    out: dict = field(default_factory=dict)  # written value overrides (deliberate problems)
    declared_latest: str = ""
    file: str = ""
    sheet: str = ""

    @property
    def head(self) -> Member:
        return self.members[0]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def registered(self) -> bool:
        return self.category == REG

    # --- facts, as in SPEC "Household facts"
    @property
    def total(self) -> int:
        return self.wage + self.business + self.prop + self.transfer

    @property
    def net(self) -> int:
        return self.total - self.cost

    @property
    def per_capita(self) -> float:
        return self.net / self.size

    @property
    def economic(self) -> int:
        return self.wage + self.business + self.prop

    def count(self, pred) -> int:
        return sum(1 for m in self.members if pred(m))

    @property
    def n_able(self) -> int:
        return self.count(lambda m: m.labour in ABLE)

    @property
    def n_weak(self) -> int:
        return self.count(lambda m: m.labour == WEAK)

    @property
    def n_ill(self) -> int:
        return self.count(lambda m: "患有大病" in m.health)

    @property
    def n_disabled(self) -> int:
        return self.count(lambda m: "残疾" in m.health)

    @property
    def n_severe(self) -> int:
        return self.count(lambda m: "残疾" in m.health and m.grade in ("一级", "二级"))

    @property
    def n_chronic(self) -> int:
        return self.count(lambda m: "长期慢性病" in m.health)

    @property
    def n_students(self) -> int:
        return self.count(lambda m: m.schooling in FULLTIME)


def age_at(birth: date, as_of: date = AS_OF) -> int:
    return as_of.year - birth.year - ((birth.month, birth.day) > (as_of.month, as_of.day))


def classify(h: Household, as_of: date = AS_OF) -> tuple[str, str, list[str]]:
    """SPEC "Classification" with default thresholds: (card, rule, exclusions)."""
    no_labour = h.n_able + h.n_weak == 0
    ill_dis = h.n_ill + h.n_disabled > 0
    fts = h.n_students > 0
    risk_ill = "因病" in h.risks or "因残" in h.risks or ill_dis
    risk_dis = "因灾" in h.risks
    risk_edu = "因学" in h.risks or (fts and h.education > h.total)
    return_risk = h.monitored or bool(h.risks) or risk_ill or risk_edu
    excl = []
    if h.has_car:
        excl.append("有消费型汽车")
    if h.luxury:
        excl.append("房屋装修豪华")
    if h.size == 1 and age_at(h.head.birth, as_of) <= 60 and not ill_dis:
        excl.append("60岁以下非残非重病单人户")
    if h.parents_sep:
        excl.append("父母单独立户且子女有赡养能力")
    pc = h.per_capita
    if h.registered and no_labour and h.economic <= 0:
        return "红卡", "红卡", []
    if h.registered and (h.status in ("未脱贫", "返贫") or (h.status == "已脱贫" and pc <= THRESHOLD
                                                          and return_risk)):
        if excl:
            if h.status == "已脱贫":
                return "绿卡", "排除→绿卡", excl
            return "黄卡", "黄卡（排除情形，需人工复核）", excl
        return "黄卡", "黄卡", []
    if h.registered and h.status == "已脱贫":
        return "绿卡", "绿卡", []
    if not h.registered and pc < THRESHOLD and (risk_ill or risk_dis or risk_edu):
        if excl:
            return NOT_CARDED, "排除→不纳入", excl
        return "蓝卡", "蓝卡", []
    return NOT_CARDED, NOT_CARDED, []


# ----------------------------------------------------------------------------------------------
class County:
    """Draws the whole county from one seeded generator."""

    def __init__(self, seed: int = 2024, scale: float = 1.0, n_townships: int | None = None):
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        if n_townships is None:
            n_townships = 10 if scale < 2 else 20
        base = list(TOWNSHIPS)[: min(n_townships, len(TOWNSHIPS))]
        extra = [(n, False, "clean", 0) for n in EXTRA_TOWNSHIPS[: max(0, n_townships - len(base))]]
        self.township_specs = base + extra
        self.used_ids: set[str] = set()
        self.townships: list[dict] = []
        self.households: list[Household] = []
        self._build()

    # --- people
    def person_name(self, sex: str, surname: str | None = None) -> str:
        r = self.rng
        s = surname or r.choice(SURNAMES)
        chars = MALE_CHARS if sex == "男" else FEMALE_CHARS
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.75 else "")
        return s + given

    def birth_for_age(self, age: int) -> date:
        end = date(AS_OF.year - age, AS_OF.month, AS_OF.day)
        start = date(AS_OF.year - age - 1, AS_OF.month, AS_OF.day) + timedelta(days=1)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def new_id(self, birth: date, female: bool, area: str = AREA) -> str:
        b = birth.strftime("%Y%m%d")
        seq = self.rng.randint(0, 999)
        while True:
            pid = make_id(area, b, seq, female)
            if pid not in self.used_ids:
                self.used_ids.add(pid)
                return pid
            seq += 2

    def member(self, relation: str, sex: str, age: int, surname: str | None = None, ill_factor: float = 1.0,
               area: str = AREA, birth: date | None = None) -> Member:
        r = self.rng
        birth = birth or self.birth_for_age(age)
        age = age_at(birth)
        health, grade = [], ""
        p_chronic = (0.02 if age < 40 else 0.10 if age < 60 else 0.28) * ill_factor
        p_major = (0.008 if age < 40 else 0.025 if age < 60 else 0.05) * ill_factor
        p_dis = (0.015 if age < 50 else 0.05) * ill_factor
        if r.random() < p_chronic:
            health.append("长期慢性病")
        if r.random() < p_major:
            health.append("患有大病")
        if r.random() < p_dis:
            health.append("残疾")
            grade = r.choices(("一级", "二级", "三级", "四级"), (6, 12, 22, 30))[0]
        health = health or ["健康"]
        schooling = "非在校生"
        if 3 <= age <= 5:
            schooling = "学前" if r.random() < 0.8 else "非在校生"
        elif 6 <= age <= 11:
            schooling = "小学"
        elif 12 <= age <= 14:
            schooling = "七至九年级"
        elif 15 <= age <= 17:
            schooling = r.choices(("普通高中", "中职", "非在校生"), (60, 25, 15))[0]
        elif 18 <= age <= 22:
            schooling = r.choices(("本科", "高职高专", "非在校生"), (22, 25, 53))[0]
        elif 23 <= age <= 25:
            schooling = "研究生" if r.random() < 0.03 else "非在校生"
        labour = self.labour_for(age, health, grade, schooling)
        employment = ""
        if labour in ABLE and 18 <= age <= 58:
            employment = r.choices(("县内务工", "省内务工", "省外务工", "务农", "灵活就业", ""),
                                   (22, 18, 25, 20, 8, 7))[0]
        elif labour == WEAK and age < 70:
            employment = r.choices(("务农", ""), (60, 40))[0]
        pid = self.new_id(birth, sex == "女", area)
        return Member(self.person_name(sex, surname), pid, relation, sex, birth, age, health, grade, labour,
                      schooling, employment)

    def labour_for(self, age, health, grade, schooling) -> str:
        r = self.rng
        if age < 16 or schooling in FULLTIME:
            return "无劳动力"
        if r.random() < 0.004:  # the odd inconsistent entry real rosters contain
            return "普通劳动力"
        if "患有大病" in health or grade in ("一级", "二级"):
            return "丧失劳动力"
        if age >= 70:
            return r.choices(("丧失劳动力", "无劳动力", WEAK), (55, 40, 5))[0]
        if age >= 60:
            return r.choices((WEAK, "普通劳动力", "丧失劳动力"), (68, 25, 7))[0]
        if "残疾" in health or "长期慢性病" in health:
            return r.choices((WEAK, "普通劳动力"), (70, 30))[0]
        return r.choices(ABLE, (78, 22))[0]

    # --- households
    def composition(self, reg: bool, ill_factor: float) -> list[Member]:
        r = self.rng
        comp = r.choices(("single", "couple_old", "family", "three_gen"), (12, 17, 51, 20) if reg else
                         (8, 14, 58, 20))[0]
        sur = r.choice(SURNAMES)
        f = ill_factor
        if comp == "single":
            age = r.choices((r.randint(40, 59), r.randint(60, 69), r.randint(70, 90)), (20, 35, 45))[0]
            sex = "男" if r.random() < 0.6 else "女"
            return [self.member("户主", sex, age, sur, f)]
        if comp == "couple_old":
            age = r.randint(58, 88)
            head = self.member("户主", "男", age, sur, f)
            return [head, self.spouse(head, f)]
        if comp == "family":
            age = r.randint(28, 60)
            female_head = r.random() < 0.08
            head = self.member("户主", "女" if female_head else "男", age, sur, f)
            ms = [head]
            if not female_head:
                ms.append(self.spouse(head, f))
            for _ in range(r.choices((1, 2, 3), (35, 50, 15))[0]):
                ca = head.age - r.randint(21, 36)
                if ca >= 0:
                    sex = r.choice("男女")
                    ms.append(self.member("之子" if sex == "男" else "之女", sex, ca,
                                          sur if not female_head else r.choice(SURNAMES), f))
            return ms
        # three generations
        if r.random() < 0.5:
            age = r.randint(50, 70)
            head = self.member("户主", "男", age, sur, f)
            ms = [head, self.spouse(head, f)]
            son_age = max(18, age - r.randint(22, 30))
            son = self.member("之子", "男", son_age, sur, f)
            ms.append(son)
            if son.age >= 22:
                ms.append(self.member("之儿媳", "女", son.age + r.randint(-4, 2), None, f,
                                      area=r.choice((AREA, AREA, *OTHER_AREAS))))
                for _ in range(r.choice((0, 1, 1, 2))):
                    ga = son.age - r.randint(21, 30)
                    if ga >= 0:
                        sex = r.choice("男女")
                        ms.append(self.member("之孙子" if sex == "男" else "之孙女", sex, ga, sur, f))
            return ms
        age = r.randint(30, 46)
        head = self.member("户主", "男", age, sur, f)
        ms = [head, self.spouse(head, f)]
        pa = head.age + r.randint(22, 32)
        if r.random() < 0.6:
            ms.append(self.member("之父", "男", pa, sur, f))
        ms.append(self.member("之母", "女", pa + r.randint(-5, 2), None, f))
        for _ in range(r.choice((1, 1, 2))):
            ca = head.age - r.randint(21, 34)
            if ca >= 0:
                sex = r.choice("男女")
                ms.append(self.member("之子" if sex == "男" else "之女", sex, ca, sur, f))
        return ms

    def spouse(self, head: Member, f: float) -> Member:
        sex = "女" if head.sex == "男" else "男"
        age = max(18, head.age + (self.rng.randint(-6, 2) if sex == "女" else self.rng.randint(-2, 6)))
        area = AREA if self.rng.random() < 0.85 else self.rng.choice(OTHER_AREAS)
        return self.member("配偶", sex, age, None, f, area=area)

    def household(self, key, tw, village, group, hhid) -> Household:
        r = self.rng
        category = r.choices((REG, "边缘户", "一般农户"), (55, 18, 27))[0]
        reg = category == REG
        status = r.choices(("已脱贫", "未脱贫", "返贫"), (86, 8, 6))[0] if reg else ""
        members = self.composition(reg, 1.8 if reg else 1.4 if category == "边缘户" else 1.0)
        h = Household(key, tw, village, group, hhid, category, status, False, members)
        self.fill_economy(h)
        return h

    def fill_economy(self, h: Household) -> None:
        r = self.rng
        reg = h.registered
        size = h.size
        elders = h.count(lambda m: m.age >= 60)
        transfer = elders * r.choice((1560, 1680, 1800, 2040, 2400))
        no_labour = h.n_able + h.n_weak == 0
        dibao = reg and (no_labour or h.n_ill or h.n_severe) and r.random() < 0.65
        if dibao:
            transfer += size * r.choice((2640, 3000, 3360, 3960))
        transfer += h.n_disabled * r.choice((0, 960, 1200))
        # risks
        risks = []
        if h.n_ill and r.random() < 0.8 or h.n_chronic and r.random() < 0.35:
            risks.append("因病")
        if h.n_disabled and r.random() < 0.55:
            risks.append("因残")
        if h.n_students and r.random() < 0.35:
            risks.append("因学")
        mult = 1.0 if category_risky(h) else 0.5
        if r.random() < 0.03 * mult:
            risks.append("因灾")
        if h.n_able and r.random() < 0.05 * mult:
            risks.append("因务工就业不稳")
        if r.random() < 0.015 * mult:
            risks.append("因产业失败")
        if r.random() < 0.01 * mult:
            risks.append("因意外事故")
        h.risks = [x for x in RISKS if x in risks]
        # incomes
        wage = business = prop = cost = 0
        if no_labour:
            if reg and r.random() < 0.72:
                pass  # transfers only: a red-card household
            else:
                prop = r.choice((600, 800, 1000, 1200, 1500, 2000))  # 产业分红 / 土地流转
        else:
            if reg:
                pc = {"已脱贫": lambda: r.choices((r.randint(2800, 5000), r.randint(5001, 16000)), (30, 70))[0],
                      "未脱贫": lambda: r.randint(2200, 6500),
                      "返贫": lambda: r.randint(2500, 5200)}[h.status]()
            elif h.category == "边缘户":
                pc = r.choices((r.randint(3000, 4999), r.randint(5000, 9000)), (50, 50))[0]
            else:
                pc = r.choices((r.randint(3200, 4999), r.randint(5000, 26000)), (26, 74))[0]
            need = pc * size - transfer
            if need < 600:
                need = r.randint(600, 3000)
            if r.random() < 0.2:
                prop = min(need // 4, r.choice((300, 500, 800, 1200, 2000)))
            share = r.choice((0.0, 0.0, 0.15, 0.3, 0.5)) if h.n_able else r.choice((0.3, 0.6, 1.0))
            business_net = min(int(round((need - prop) * share, -1)), need - prop)
            if business_net > 0:
                ratio = r.choice((0.15, 0.2, 0.3, 0.4))
                business = int(round(business_net / (1 - ratio), -1))
                cost = business - business_net
            wage = need - prop - business_net
            if wage < 0:
                prop, wage = 0, need - business_net
            wage = int(round(wage, -1)) if wage > 50 else wage
        h.wage, h.business, h.prop, h.transfer, h.cost = wage, business, prop, transfer, cost
        # education, monitoring, causes, exclusion facts, policies
        fees = {"学前": (800, 2000), "小学": (300, 800), "七至九年级": (600, 1500), "普通高中": (3000, 6000),
                "中职": (2000, 4500), "高职高专": (6000, 12000), "本科": (8000, 16000), "研究生": (10000, 15000)}
        edu = sum(r.randint(*fees[m.schooling]) for m in h.members if m.schooling in fees)
        h.education = int(round(edu, -2)) if edu and r.random() < 0.75 else 0
        if h.status == "已脱贫":
            h.monitored = r.random() < (0.4 if h.risks else 0.03)
        elif h.status == "返贫":
            h.monitored = r.random() < 0.5
        if reg:
            if h.n_ill or h.n_chronic:
                h.main_cause = "因病"
            elif h.n_disabled:
                h.main_cause = "因残"
            elif h.n_students:
                h.main_cause = "因学"
            elif no_labour or h.n_able == 0:
                h.main_cause = "缺劳力"
            else:
                h.main_cause = r.choices(("缺资金", "缺技术", "缺土地", "交通条件落后", "自身发展动力不足", "因灾",
                                          "缺水", "其他"), (30, 25, 10, 10, 10, 6, 5, 4))[0]
        rich = h.per_capita > 8000
        h.has_car = r.random() < ((0.12 if rich else 0.02) if not reg else 0.015)
        h.luxury = r.random() < (0.01 if rich else 0.004)
        if h.head.age >= 60 and all(m.relation in ("户主", "配偶") for m in h.members):
            h.parents_sep = r.random() < (0.10 if not reg else 0.05)
        if reg:
            en = {"产业扶贫", "健康扶贫"} if r.random() < 0.7 else {"产业扶贫"}
            if h.n_students or any(m.schooling not in ("非在校生",) for m in h.members):
                en.add("教育扶贫")
            if dibao:
                en.add("兜底保障及低保")
            for p in ("就业扶贫", "小额信贷", "危房改造", "消费扶贫", "社会扶贫", "易地搬迁扶贫"):
                if r.random() < 0.12:
                    en.add(p)
            h.enjoyed = [p for p in POLICIES if p in en]
            el = {p for p in ("就业扶贫", "小额信贷", "临时救助", "危房改造") if r.random() < 0.15}
            h.eligible = [p for p in POLICIES if p in el]
            h.remark = "低保户" if dibao and r.random() < 0.3 else ""
        elif h.risks and r.random() < 0.2:
            h.eligible = ["临时救助"]

    # --- the county
    def _build(self) -> None:
        r = self.rng
        pool: list[str] = []
        for ti, (tw, supervised, layout, n_v) in enumerate(self.township_specs, start=1):
            if n_v == 0:
                n_v = r.randint(6, 11)
            names = []
            while len(names) < n_v:
                if not pool:
                    pool = [v for v in VILLAGE_POOL]
                    r.shuffle(pool)
                v = pool.pop() + "村"
                if v not in names:
                    names.append(v)
            if tw in ("城关镇", "河口镇"):
                names[-1] = SHARED_VILLAGE + "村"
            n_hh = int(round(r.randint(320, 360) * self.scale))
            weights = [r.uniform(0.6, 1.4) for _ in names]
            tot = sum(weights)
            counts = [max(3, int(n_hh * w / tot)) for w in weights]
            villages = []
            seq = 0
            for vi, (v, n) in enumerate(zip(names, counts), start=1):
                n_groups = r.randint(4, 10)
                villages.append({"name": v, "groups": GROUPS[:n_groups]})
                for _ in range(n):
                    seq += 1
                    g = GROUPS[r.randint(0, n_groups - 1)]
                    hhid = f"{AREA}{ti:03d}{vi:03d}{seq:05d}"
                    h = self.household(f"{tw}|{seq:05d}", tw, v, g, hhid)
                    self.households.append(h)
            self.townships.append({"name": tw, "supervised": supervised, "layout": layout,
                                   "villages": villages, "index": ti})
        for h in self.households:
            h.members.sort(key=lambda m: _REL_ORDER.get(m.relation, 9))


def category_risky(h: Household) -> bool:
    return h.category != "一般农户"


_REL_ORDER = {"户主": 0, "配偶": 1, "之子": 2, "之女": 2, "之儿媳": 3, "之孙子": 4, "之孙女": 4, "之父": 5, "之母": 5}


# ----------------------------------------------------------------------------------------------
# Boundary cases (all in 城关镇, the clean file, so their rows are easy to find)

@dataclass
class Case:
    id: str
    desc: str  # Chinese description
    expect: str  # expected card
    build: object  # callable(County) -> Household


def _fm(c: County, relation, sex, birth, health=("健康",), grade="", labour="普通劳动力",
        schooling="非在校生", employment="", surname=None) -> Member:
    pid = c.new_id(birth, sex == "女")
    return Member(c.person_name(sex, surname), pid, relation, sex, birth, age_at(birth), list(health), grade,
                  labour, schooling, employment)


def _hh(c, members, category=REG, status="已脱贫", **kw) -> Household:
    h = Household("", "", "", "", "", category, status if category == REG else "", kw.pop("monitored", False),
                  members)
    for k, v in kw.items():
        setattr(h, k, v)
    if category == REG and not h.main_cause:
        h.main_cause = "因病" if (h.n_ill or h.n_chronic) else "缺劳力" if h.n_able == 0 else "缺资金"
    if category == REG and not h.enjoyed:
        h.enjoyed = ["产业扶贫", "健康扶贫"]
    return h


def _b(y, m, d):
    return date(y, m, d)


def _couple(c, hb, wb, hl="丧失劳动力", wl="无劳动力", hh=("长期慢性病",), wh=("健康",)):
    s = c.rng.choice(SURNAMES)
    return [_fm(c, "户主", "男", hb, hh, labour=hl, surname=s), _fm(c, "配偶", "女", wb, wh, labour=wl)]


def _family(c, head_birth=_b(1979, 5, 6), kids=((_b(2006, 9, 1), "男", "普通高中"), (_b(2011, 4, 2), "女", "小学")),
            head_health=("健康",), spouse_health=("健康",), female_head=False):
    s = c.rng.choice(SURNAMES)
    if female_head:
        ms = [_fm(c, "户主", "女", head_birth, head_health, surname=s)]
    else:
        ms = [_fm(c, "户主", "男", head_birth, head_health, surname=s),
              _fm(c, "配偶", "女", _b(head_birth.year + 2, 2, 14), spouse_health,
                  labour="弱劳动力或半劳动力" if "长期慢性病" in spouse_health else "普通劳动力")]
    for b, sex, school in kids:
        a = age_at(b)
        ms.append(_fm(c, "之子" if sex == "男" else "之女", sex, b, labour="无劳动力" if a < 16 or school in FULLTIME
                      else "普通劳动力", schooling=school, surname=s))
    return ms


def _single(c, birth, health=("长期慢性病",), grade="", labour="弱劳动力或半劳动力", sex="男"):
    return [_fm(c, "户主", sex, birth, health, grade, labour)]


CASES: tuple[Case, ...] = (
    Case("B01", "红卡：建档立卡，整户无劳动能力（丧失/无劳动力），工资性、生产经营性、财产性收入均为0（空白），只有转移性收入", "红卡",
         lambda c: _hh(c, _couple(c, _b(1946, 2, 11), _b(1948, 7, 3)), transfer=8760, risks=["因病"],
                       remark="低保户")),
    Case("B02", "非红卡：整户无劳动能力但有财产性收入1200元（产业分红），人均3600元且因病风险→黄卡", "黄卡",
         lambda c: _hh(c, _couple(c, _b(1944, 1, 20), _b(1947, 6, 9)), prop=1200, transfer=6000, risks=["因病"])),
    Case("B03", "黄卡：已脱贫，人均纯收入恰好5000元（4人，纯收入20000元），有因病返贫风险（“5000元以下”含本数）", "黄卡",
         lambda c: _hh(c, _family(c, spouse_health=("长期慢性病",)), wage=17000, business=4000, cost=1000,
                       risks=["因病"], monitored=True, education=3600)),
    Case("B04", "绿卡：已脱贫，人均纯收入5001元（3人，纯收入15003元），虽有因病风险但超过5000元", "绿卡",
         lambda c: _hh(c, _family(c, _b(1983, 8, 8), kids=((_b(2012, 3, 5), "女", "小学"),),
                                  head_health=("长期慢性病",)),
                       wage=12600, business=2000, cost=400, transfer=803, risks=["因病"], monitored=True)),
    Case("B05", "蓝卡：边缘户（非建档立卡），人均纯收入4999元（2人，纯收入9998元），户主患有大病、因病风险", "蓝卡",
         lambda c: _hh(c, _couple(c, _b(1972, 4, 1), _b(1974, 10, 12), hl="丧失劳动力", wl="普通劳动力",
                                  hh=("患有大病",)), category="边缘户", wage=8000, transfer=1998, risks=["因病"])),
    Case("B06", "不纳入：一般农户人均纯收入恰好5000元（3人，纯收入15000元），有因灾风险（蓝卡要求“低于5000元”，不含本数）", NOT_CARDED,
         lambda c: _hh(c, _family(c, _b(1975, 1, 30), kids=((_b(2000, 6, 6), "男", "非在校生"),)),
                       category="一般农户", wage=14000, business=1500, cost=500, risks=["因灾"])),
    Case("B07", "不纳入：单人户，户主按身份证恰好60周岁（1963-10-05出生），长期慢性病、非残非重病，人均3600元有因病风险→排除（60岁以下含60岁）", NOT_CARDED,
         lambda c: _hh(c, _single(c, _b(1963, 10, 5)), category="边缘户", wage=2000, transfer=1600, risks=["因病"])),
    Case("B08", "蓝卡：单人户，户主1963-03-18出生，评定日2024-03-18恰好满61周岁，条件同B07→不排除", "蓝卡",
         lambda c: _hh(c, _single(c, _b(1963, 3, 18)), category="边缘户", wage=2000, transfer=1600, risks=["因病"])),
    Case("B09", "蓝卡：单人户，户主60周岁但残疾（三级）→不适用单人户排除；人均3660元，因残风险", "蓝卡",
         lambda c: _hh(c, _single(c, _b(1963, 12, 20), ("残疾",), "三级"), category="边缘户", wage=1500,
                       transfer=2160, risks=["因残"])),
    Case("B10", "绿卡：建档立卡已脱贫单人户，58岁非残非重病，人均4200元有因病风险，本应黄卡但属单人户排除→绿卡", "绿卡",
         lambda c: _hh(c, _single(c, _b(1965, 7, 7), sex="女"), wage=3000, transfer=1200, risks=["因病"])),
    Case("B11", "绿卡：已脱贫，人均4200元、成员患有大病，有消费型汽车→排除，不得评黄卡→绿卡", "绿卡",
         lambda c: _hh(c, _family(c, _b(1980, 11, 1), kids=((_b(2009, 2, 2), "男", "七至九年级"),),
                                  spouse_health=("患有大病",)),
                       wage=11000, business=1600, risks=["因病"], has_car=True)),
    Case("B12", "黄卡（非红卡）：建档立卡已脱贫，夫妻均为弱劳动力或半劳动力，经济收入0元；弱劳动力不算“无劳动能力”；脱贫监测户，人均3600元", "黄卡",
         lambda c: _hh(c, _couple(c, _b(1958, 5, 5), _b(1960, 8, 18), hl="弱劳动力或半劳动力",
                                  wl="弱劳动力或半劳动力"), transfer=7200, monitored=True)),
    Case("B13", "蓝卡：一般农户，本科和高中全日制在校生，教育支出16800元高于家庭总收入13200元（因学风险），风险类型未填，人均4400元", "蓝卡",
         lambda c: _hh(c, _family(c, _b(1980, 3, 3), kids=((_b(2004, 10, 10), "男", "本科"),
                                                           (_b(2007, 12, 1), "女", "普通高中")), female_head=True),
                       category="一般农户", wage=13200, education=16800)),
    Case("B14", "黄卡（需人工复核）：建档立卡未脱贫户，有消费型汽车→排除情形，但未脱贫户仍为黄卡并标记复核", "黄卡",
         lambda c: _hh(c, _family(c, _b(1977, 9, 9)), status="未脱贫", wage=15000, business=3000, cost=600,
                       has_car=True)),
    Case("B15", "绿卡：已脱贫，人均4600元但全员健康、无风险类型、非监测户、无在校生→无返贫风险", "绿卡",
         lambda c: _hh(c, _family(c, _b(1986, 2, 2), kids=((_b(2013, 5, 5), "男", "小学"),
                                                           (_b(2016, 5, 5), "女", "小学"))),
                       wage=16400, business=2000)),
    Case("B16", "不纳入：边缘户人均3000元，但无任何风险", NOT_CARDED,
         lambda c: _hh(c, _family(c, _b(1988, 1, 1), kids=((_b(2019, 8, 8), "女", "学前"),)),
                       category="边缘户", wage=9000)),
    Case("B17", "红卡（先于黄卡）：建档立卡未脱贫，整户无劳动能力，经济收入0元", "红卡",
         lambda c: _hh(c, _couple(c, _b(1950, 3, 3), _b(1952, 9, 9), hh=("残疾",)), status="未脱贫",
                       transfer=9600, risks=["因残"])),
    Case("B18", "红卡（红卡不适用排除）：建档立卡单人户58岁、长期慢性病丧失劳动力、非残非重病、经济收入0元", "红卡",
         lambda c: _hh(c, _single(c, _b(1965, 6, 16), labour="丧失劳动力"), transfer=3960)),
    Case("B19", "黄卡：返贫户，人均7000元（返贫户不论收入均为黄卡）", "黄卡",
         lambda c: _hh(c, _family(c, _b(1982, 4, 4), kids=((_b(2010, 1, 1), "女", "七至九年级"),)),
                       status="返贫", wage=19000, business=2500, cost=500, risks=["因产业失败"])),
    Case("B20", "不纳入：一般农户老年夫妻，人均3800元、成员患有大病，但父母单独立户且子女有赡养能力→排除", NOT_CARDED,
         lambda c: _hh(c, _couple(c, _b(1952, 2, 2), _b(1954, 4, 4), hh=("患有大病",), hl="丧失劳动力",
                                  wl="弱劳动力或半劳动力"), category="一般农户", prop=1000, transfer=6600,
                       risks=["因病"], parents_sep=True)),
    Case("B21", "不纳入：边缘户人均4500元、有因灾风险，但房屋装修豪华→排除", NOT_CARDED,
         lambda c: _hh(c, _family(c, _b(1984, 6, 1), kids=((_b(2014, 2, 1), "男", "小学"),)), category="边缘户",
                       wage=12000, business=2000, cost=500, risks=["因灾"], luxury=True)),
    Case("B22", "蓝卡：一般农户人均4200元，仅有因灾风险（无病残、无在校生）", "蓝卡",
         lambda c: _hh(c, _family(c, _b(1978, 7, 1), kids=((_b(2001, 3, 3), "男", "非在校生"),)),
                       category="一般农户", wage=10000, business=3000, cost=400, risks=["因灾"])),
    Case("B23", "黄卡：已脱贫，人均4000元，全员健康、风险类型空白，仅因“脱贫监测户=是”构成返贫风险", "黄卡",
         lambda c: _hh(c, _family(c, _b(1985, 5, 5), kids=((_b(2015, 1, 1), "女", "小学"),)),
                       wage=12000, monitored=True)),
    Case("B24", "不纳入：一般农户有本科在校生，但教育支出8000元不高于总收入13500元、无其他风险，人均4500元", NOT_CARDED,
         lambda c: _hh(c, _family(c, _b(1978, 3, 3), kids=((_b(2004, 4, 4), "女", "本科"),), female_head=True),
                       category="一般农户", wage=9000, education=8000)),
)


def add_boundary_cases(c: County) -> None:
    tw = "城关镇"
    idx = [i for i, h in enumerate(c.households) if h.township == tw]
    if not idx:
        return
    first = idx[0]
    hhs = c.households[first: idx[-1] + 1]
    new = list(hhs)
    for k, case in enumerate(CASES):
        h = case.build(c)
        pos = 4 + k * 6  # spread over the first villages
        anchor = new[min(pos, len(new) - 1)]
        h.township, h.village, h.group = tw, anchor.village, anchor.group
        h.key = f"{tw}|{case.id}"
        h.household_id = anchor.household_id[:12] + f"9{k:04d}"
        h.case = case.id
        new.insert(pos, h)
    c.households[first: idx[-1] + 1] = new


def classify_all(c: County) -> None:
    for h in c.households:
        h.card, h.rule, h.exclusions = classify(h)
    for case in CASES:
        for h in c.households:
            if h.case == case.id:
                assert h.card == case.expect, (case.id, h.card, h.rule, h.per_capita)


# Declared stages per township (stage keys as in registry: card_visit, card_review, card_township,
# card_county, card_final). Latest filled stage is what "agrees" compares with.
STAGES = {
    "城关镇": ("card_visit", "card_review", "card_township"),
    "白沙镇": ("card_visit", "card_review", "card_township"),
    "清水乡": ("card_visit", "card_township"),
    "石门乡": ("card_visit",),
    "桃源镇": ("card_visit", "card_review"),
    "龙潭镇": ("card_visit", "card_review", "card_township"),
    "黄土乡": ("card_visit", "card_review", "card_township"),
    "青山乡": ("card_visit", "card_review"),
    "河口镇": ("card_final",),
    "双溪乡": ("card_visit", "card_review", "card_township"),
}
_ALT = {"红卡": "黄卡", "黄卡": "绿卡", "绿卡": "黄卡", "蓝卡": "", "": "蓝卡"}


def declare_cards(c: County) -> None:
    r = c.rng
    for h in c.households:
        stages = STAGES.get(h.township, ("card_visit", "card_review", "card_township"))
        true = h.card if h.card != NOT_CARDED else ""
        vals = [true] * len(stages)
        if not h.case and not h.problems:
            x = r.random()
            if x < 0.035:  # latest stage disagrees with the rules
                vals[-1] = _ALT[true]
                if len(vals) > 1 and r.random() < 0.5:
                    vals[:-1] = [vals[-1]] * (len(vals) - 1)
            elif x < 0.07 and len(vals) > 1:  # an earlier stage was corrected later
                vals[0] = _ALT[true]
        h.declared = {s: v for s, v in zip(stages, vals)}

    # fill in derived declared values for the key
    for h in c.households:
        latest = [v for v in h.declared.values()]
        h.declared_latest = latest[-1] if latest else ""


# ----------------------------------------------------------------------------------------------
# Deliberate problems. Each is recorded in County.problems; rows are resolved after writing.

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _pick(c: County, township: str, pred=lambda h: True, n: int = 1) -> list[Household]:
    cands = [h for h in c.households if h.township == township and not h.case and not h.problems and pred(h)]
    return c.rng.sample(cands, min(n, len(cands)))


def _note(c, code, desc, h, m=None, column="", value=None, level="错误"):
    h.problems.append(code)
    c.problems.append({"code": code, "desc": desc, "level": level, "hh": h, "member": m, "column": column,
                       "value": value})


def plan_problems(c: County) -> None:
    c.problems = []
    r = c.rng
    tws = {t["name"] for t in c.townships}

    if "黄土乡" in tws:
        for i, h in enumerate(_pick(c, "黄土乡", lambda h: h.size >= 2 and not h.head.id.endswith("X"), 4)):
            m = h.head if i == 0 else next((x for x in h.members[1:] if not x.id.endswith("X")), h.head)
            val = float(m.id[:15] + "000")
            m.out["id_number"] = val
            _note(c, "id_number_as_number", "证件号码以数值存储（显示为4.31299E+17），后三位已丢失，应报告为损坏而不能“修复”",
                  h, m, "id_number", f"{val:.15G}")
        for i, h in enumerate(_pick(c, "黄土乡", lambda h: h.size >= 2, 2)):
            m = h.head if i == 0 else h.members[1]
            wrong = CHECK_CHARS[(CHECK_CHARS.index(m.id[-1]) + 3) % 11]
            m.out["id_number"] = m.id[:17] + wrong
            _note(c, "bad_check_digit", "证件号码校验位错误", h, m, "id_number", m.out["id_number"])
        for h in _pick(c, "黄土乡", lambda h: h.size >= 3, 1):
            m = h.members[-1]
            bad = make_id(AREA, "19870230", r.randint(0, 999), m.sex == "女")
            m.out["id_number"] = bad
            _note(c, "bad_birth_date", "证件号码出生日期无效（2月30日），校验位正确", h, m, "id_number", bad)
    if "白沙镇" in tws:
        for h in _pick(c, "白沙镇", lambda h: h.size >= 3, 1):
            m = h.members[2]
            wrong = CHECK_CHARS[(CHECK_CHARS.index(m.id[-1]) + 5) % 11]
            m.out["id_number"] = m.id[:17] + wrong
            _note(c, "bad_check_digit", "证件号码校验位错误（合并单元格表内的成员行）", h, m, "id_number",
                  m.out["id_number"])
    if "青山乡" in tws:
        hs = _pick(c, "青山乡", lambda h: h.wage >= 1000 and h.transfer >= 1000, 13)
        for i, h in enumerate(hs):
            if i < 6:
                v = f"{h.wage:,}"
                h.out["wage_income"] = v
                _note(c, "money_thousands", "金额为带千分位逗号的文本", h, None, "wage_income", v, "提示")
            elif i < 10:
                v = f"{h.transfer}元"
                h.out["transfer_income"] = v
                _note(c, "money_unit", "金额为带“元”字的文本", h, None, "transfer_income", v, "提示")
            else:
                v = str(h.wage).translate(FULLWIDTH)
                h.out["wage_income"] = v
                _note(c, "money_fullwidth", "金额为全角数字文本", h, None, "wage_income", v, "提示")
    if "河口镇" in tws:
        for h in _pick(c, "河口镇", lambda h: h.net > 0, 2):
            v = round(h.per_capita + r.choice((-800, 500, 1200)), 2)
            h.out["per_capita_declared"] = v
            _note(c, "per_capita_mismatch", "申报人均纯收入与按收入重算的不一致（差额超过1元）", h, None,
                  "per_capita_declared", v, "警告")
        for d, h in zip((3, -5), _pick(c, "河口镇", lambda h: h.head.age >= 30, 2)):
            m = h.head
            m.out["age"] = m.age + d
            _note(c, "age_mismatch", f"年龄栏与身份证号计算的周岁相差{abs(d)}岁", h, m, "age", m.age + d, "警告")
    if "桃源镇" in tws:
        for h in _pick(c, "桃源镇", lambda h: h.head.sex == "男" and any(x.relation == "配偶" for x in h.members), 1):
            m = next(x for x in h.members if x.relation == "配偶")
            m.sex = "男"
            c.used_ids.discard(m.id)
            m.id = c.new_id(m.birth, False, m.id[:6])
            _note(c, "spouse_same_sex", "配偶与户主性别相同（身份证号第17位为男性，户主也为男性）", h, m, "id_number",
                  m.id, "警告")
        for h in _pick(c, "桃源镇", lambda h: h.size >= 2, 1):
            h.size_declared = h.size + 1
            _note(c, "size_mismatch", f"家庭人口填{h.size + 1}人，实际成员行{h.size}行", h, None, "size_declared",
                  h.size + 1, "警告")
    if "石门乡" in tws:
        for h in _pick(c, "石门乡", lambda h: h.registered and h.status == "已脱贫" and h.wage > 0, 1):
            h.wage = h.business = h.prop = h.transfer = h.cost = h.education = 0
            h.out["blank_incomes"] = True
            _note(c, "incomes_blank", "各项收入全部空白（按0计，应给出警告）", h, None, "wage_income", "", "警告")
    if "双溪乡" in tws:
        for h in _pick(c, "双溪乡", lambda h: h.size >= 2, 1):
            m = h.members[1]
            m.out["labour"] = "待核实"
            _note(c, "bad_enum", "劳动技能填“待核实”，不是允许值", h, m, "labour", "待核实")
    if "龙潭镇" in tws:
        for i, h in enumerate(_pick(c, "龙潭镇", lambda h: not h.head.id.endswith("X"), 2)):
            m = h.head
            if i == 0:
                m.out["id_number"] = m.id.translate(FULLWIDTH)
                _note(c, "id_fullwidth", "证件号码为全角数字（规范化后有效）", h, m, "id_number", m.out["id_number"], "提示")
            else:
                m.out["id_number"] = " " + m.id + " "
                _note(c, "id_spaces", "证件号码前后有空格（规范化后有效）", h, m, "id_number", m.out["id_number"], "提示")
    if "河口镇" in tws and "双溪乡" in tws:
        daughters = [(h, m) for h in c.households if h.township == "河口镇" and not h.case and not h.problems
                     for m in h.members if m.relation == "之女" and 22 <= m.age <= 40 and m.schooling == "非在校生"]
        h1, d = daughters[r.randrange(len(daughters))]
        wives = [h for h in c.households if h.township == "双溪乡" and not h.case and not h.problems
                 and h.head.sex == "男" and len(h.members) >= 2 and h.members[1].relation == "配偶"
                 and abs(h.members[1].age - d.age) <= 6]
        h2 = wives[r.randrange(len(wives))]
        w = h2.members[1]
        c.used_ids.discard(w.id)
        w.name, w.id, w.birth, w.age = d.name, d.id, d.birth, d.age
        _note(c, "person_in_two_townships", f"同一人（{d.name}）同时列在河口镇（之女）和双溪乡（配偶）", h1, d,
              "id_number", d.id)
        _note(c, "person_in_two_townships", f"同一人（{d.name}）同时列在河口镇（之女）和双溪乡（配偶）", h2, w,
              "id_number", d.id)
