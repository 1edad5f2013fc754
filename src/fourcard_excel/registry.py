"""The column registry: one table that drives reading, validation, templates and output headers.

Every input field has a canonical English key (used in code and DataFrames), the Chinese label
users see, the header aliases found in real township rosters, a value kind and, for enumerated
fields, the allowed canonical values plus accepted variants.

Derived columns (household facts and classification results) have labels here too, so output
headers come from one place.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache

# Value kinds
TEXT = "text"  # free text
CODE = "code"  # identifier text, digits kept as text (户编号)
ID = "id"  # 18-character resident ID (证件号码)
INT = "int"  # whole number >= 0
MONEY = "money"  # amount in 元 >= 0, blank = 0
YESNO = "yesno"  # 是/否
ENUM = "enum"  # one of allowed
MULTI = "multi"  # several of allowed, joined by "、" after normalisation
CARD = "card"  # a card name (红卡/黄卡/绿卡/蓝卡, or the rules file's cards)

# Levels: where a field lives in a member-level roster
MEMBER = "member"  # differs per member row
HOUSEHOLD = "household"  # same for the whole household (taken from the head row)

from .vocab import (  # noqa: F401  (re-exported: registry.HEALTH etc. are used everywhere)
    ASSISTANCE_STATUS,
    CARDS,
    CATEGORY,
    DIBAO_VARIANTS,
    DISABILITY_GRADES,
    GRADE_VARIANTS,
    HEALTH,
    HOUSEHOLD_TYPES,
    LABOUR,
    MAIN_CAUSE,
    MEASURES,
    MEASURE_VARIANTS,
    MONITOR_CLASSES,
    NATIONAL_RISK_VARIANTS,
    NO,
    POLICIES,
    POVERTY_STATUS,
    RELATION,
    RELATION_VARIANTS,
    RISKS,
    SCHOOLING,
    TEKUN_VARIANTS,
    YES,
    with_ascii_brackets,
)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str
    level: str
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()
    variants: dict[str, str] = field(default_factory=dict)  # accepted spelling -> canonical
    required: bool = False  # required in a member-level roster
    required_household: bool = False  # required in a household-level roster
    help: str = ""  # one line shown in templates and error messages

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


COLUMNS: tuple[Column, ...] = (
    # --- location and identity
    Column("city", "市", TEXT, HOUSEHOLD, ("市(州)", "地市", "市州"), help="市（国家系统导出表的列，原样保留）"),
    Column("county", "县", TEXT, HOUSEHOLD, ("县(市、区、旗)", "县(市、区)", "县(市区)", "县区", "区县", "县市区"),
           help="县（国家系统导出表的列，原样保留）"),
    Column("township", "乡镇", TEXT, HOUSEHOLD, ("乡镇名称", "乡（镇）", "乡(镇)", "所在乡镇", "镇", "乡", "乡镇(街道)"),
           required=True, required_household=True, help="乡镇名称，如“城关镇”"),
    Column("village", "行政村", TEXT, HOUSEHOLD, ("村", "村名", "所在村", "行政村名称", "村（社区）", "村(社区)"),
           required=True, required_household=True, help="行政村名称"),
    Column("group", "村民小组", TEXT, HOUSEHOLD, ("组", "村组", "小组", "村民组", "自然村", "自然村(组)"),
           help="村民小组（可空）"),
    Column("household_id", "户编号", CODE, HOUSEHOLD, ("户号", "户码", "家庭编号"),
           help="户编号（文本）；没有户编号时以户主证件号码识别家庭"),
    Column("name", "姓名", TEXT, MEMBER, ("成员姓名", "户主姓名", "家庭成员姓名"),
           required=True, required_household=True, help="姓名"),
    Column("id_number", "证件号码", ID, MEMBER,
           ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号", "户主证件号码", "户主身份证号",
            "户主身份证号码", "残疾证号/身份证号"),
           required=True, required_household=True,
           help="18位身份证号码，单元格须为文本格式；末位x写作X"),
    Column("relation", "与户主关系", ENUM, MEMBER, ("与户主的关系", "家庭关系", "关系"),
           allowed=RELATION, variants=RELATION_VARIANTS, required=True,
           help="户主/配偶/之子/之女/之父/之母……"),
    Column("id_type", "证件类型", TEXT, MEMBER, (), help="居民身份证/残疾人证（国家系统导出表的列）"),
    Column("sex", "性别", ENUM, MEMBER, (), allowed=("男", "女"),
           variants={"1": "男", "2": "女", "男性": "男", "女性": "女"}, help="男/女（可空，按身份证号核对）"),
    Column("birth_declared", "出生日期", TEXT, MEMBER, ("出生年月日", "出生年月"),
           help="YYYYMMDD（可空，按身份证号核对）"),
    Column("age", "年龄", INT, MEMBER, ("年龄（岁）", "周岁", "户主年龄"), help="整数（可空，按身份证号计算）"),
    # --- member condition
    Column("health", "健康状况", MULTI, MEMBER, ("身体状况", "健康情况"), allowed=HEALTH,
           variants={"大病": "患有大病", "重病": "患有大病", "慢性病": "长期慢性病", "残": "残疾",
                     "残疾人": "残疾", "良好": "健康", "正常": "健康"},
           help="健康/长期慢性病/患有大病/残疾，多项用“、”分隔"),
    Column("disability_grade", "残疾等级", ENUM, MEMBER, ("残疾级别",), allowed=DISABILITY_GRADES,
           variants={"1级": "一级", "2级": "二级", "3级": "三级", "4级": "四级",
                     "1": "一级", "2": "二级", "3": "三级", "4": "四级"},
           help="一级/二级/三级/四级（残疾时填写）"),
    Column("labour", "劳动技能", ENUM, MEMBER, ("劳动力状况", "劳动能力", "劳动力"), allowed=LABOUR,
           variants={"普通劳动力": "普通劳动力", "技能": "技能劳动力", "弱劳动力": "弱劳动力或半劳动力",
                     "半劳动力": "弱劳动力或半劳动力", "弱劳动力/半劳动力": "弱劳动力或半劳动力",
                     "丧失劳动能力": "丧失劳动力", "无劳动能力": "无劳动力"},
           required=True, help="普通劳动力/技能劳动力/弱劳动力或半劳动力/丧失劳动力/无劳动力"),
    Column("schooling", "在校生状况", ENUM, MEMBER, ("在校生情况", "在校情况", "就学情况"), allowed=SCHOOLING,
           variants={"": "非在校生", "否": "非在校生", "无": "非在校生", "初中": "七至九年级",
                     "高中": "普通高中", "中专": "中职", "中职（中专）": "中职", "大专": "高职高专",
                     "高职": "高职高专", "大学": "本科", "硕士": "研究生", "博士": "研究生",
                     "学龄前": "学前", "幼儿园": "学前", **GRADE_VARIANTS},
           help="空白为非在校生；学前/小学/七至九年级/普通高中/中职/高职高专/本科/研究生"),
    Column("employment", "务工情况", TEXT, MEMBER, ("务工及就业", "务工及就业情况", "就业情况", "务工状况"),
           help="务工地点或就业情况（可空）"),
    # --- household registration
    Column("category", "户类别", ENUM, HOUSEHOLD, ("类别", "户属性", "农户类别"), allowed=CATEGORY,
           variants={"贫困户": "建档立卡贫困户", "建档立卡户": "建档立卡贫困户", "建档立卡": "建档立卡贫困户",
                     "脱贫户": "建档立卡贫困户", "边缘易致贫户": "边缘户", "非贫困户": "一般农户",
                     "非建档立卡": "一般农户", "一般户": "一般农户", "非建档立卡户": "一般农户"},
           required=True, required_household=True, help="建档立卡贫困户/边缘户/一般农户"),
    # national exports: 户类型 + 监测对象类别 + 风险是否已消除 give 户类别/脱贫属性/脱贫监测户 (ingest/national.py)
    Column("household_type", "户类型", ENUM, HOUSEHOLD, ("农户类型",), allowed=HOUSEHOLD_TYPES,
           variants={"贫困户": "建档立卡贫困户", "建档立卡户": "建档立卡贫困户", "建档立卡": "建档立卡贫困户",
                     "非贫困户": "一般农户", "一般户": "一般农户", "非建档立卡户": "一般农户",
                     "边缘易致贫户": "边缘户", "": ""},
           help="脱贫户/普通农户/监测户（国家防返贫监测系统导出表）"),
    Column("monitor_class", "监测对象类别", ENUM, HOUSEHOLD, ("监测对象类型", "监测类别", "监测对象"),
           allowed=MONITOR_CLASSES,
           variants={"": "", "无": "", "否": "", "不稳定户": "脱贫不稳定户", "边缘户": "边缘易致贫户",
                     "严重困难户": "突发严重困难户"},
           help="脱贫不稳定户/边缘易致贫户/突发严重困难户（可空）"),
    Column("risk_eliminated", "风险是否已消除", YESNO, HOUSEHOLD, ("风险已消除", "是否风险消除"),
           help="是/否（是：致贫/返贫风险1…5为历史风险）"),
    Column("poverty_attr", "贫困户属性", TEXT, HOUSEHOLD, ("贫困户类型",),
           help="一般贫困户/低保贫困户/五保贫困户/特困供养贫困户（2016–2020年建档立卡花名册）"),
    Column("poverty_status", "脱贫属性", ENUM, HOUSEHOLD, ("贫困户状态", "脱贫状态", "脱贫标志"), allowed=POVERTY_STATUS,
           variants={"脱贫": "已脱贫", "已脱贫户": "已脱贫", "未脱贫户": "未脱贫", "返贫户": "返贫", "预脱贫": "未脱贫",
                     "已脱贫(享受政策)": "已脱贫", "已脱贫(不再享受政策)": "已脱贫", "稳定脱贫": "已脱贫"},
           help="已脱贫/未脱贫/返贫（非建档立卡户留空）"),
    Column("monitored", "脱贫监测户", YESNO, HOUSEHOLD, ("是否脱贫监测户", "监测户", "是否监测户"),
           help="是/否"),
    Column("size_declared", "家庭人口", INT, HOUSEHOLD, ("家庭人口数", "人数", "家庭人数", "户人口数", "人口数",
                                                      "当前家庭人口数"),
           required_household=True, help="整数，至少1"),
    Column("size_annual", "年度家庭人口数", INT, HOUSEHOLD, (), help="国家系统导出表的年度人口数（无“家庭人口”列时使用）"),
    # --- incomes (household, 元/年)
    Column("wage_income", "工资性收入", MONEY, HOUSEHOLD, ("务工收入", "工资收入"), required=True,
           required_household=True, help="元/年，空白按0计"),
    Column("business_income", "生产经营性收入", MONEY, HOUSEHOLD, ("经营性收入", "生产经营收入", "家庭经营性收入"),
           required=True, required_household=True, help="元/年，空白按0计"),
    Column("property_income", "财产性收入", MONEY, HOUSEHOLD, ("财产收入",), help="元/年，空白按0计"),
    Column("transfer_income", "转移性收入", MONEY, HOUSEHOLD, ("转移收入", "转移性收入合计"), required=True,
           required_household=True, help="元/年（低保、养老金等），空白按0计"),
    Column("business_cost", "生产经营性支出", MONEY, HOUSEHOLD, ("经营性支出", "生产经营支出", "生产性支出"),
           help="元/年，空白按0计"),
    Column("income_total_declared", "收入小计", MONEY, HOUSEHOLD, ("家庭总收入", "年收入合计", "收入合计", "总收入",
                                                                  "年收入"),
           help="可空；程序按四项收入重算并核对"),
    Column("per_capita_declared", "人均纯收入", MONEY, HOUSEHOLD, ("家庭人均纯收入", "年人均纯收入", "人均收入"),
           help="可空；程序重算并核对（±1元）"),
    Column("net_income_declared", "纯收入", MONEY, HOUSEHOLD, ("年纯收入", "家庭年纯收入"),
           help="可空；程序按收入减支出重算并核对（±1元）"),
    Column("education_cost", "教育支出", MONEY, HOUSEHOLD, ("教育刚性支出", "就学支出"), help="元/年（可空）"),
    Column("main_cause", "主要致贫原因", ENUM, HOUSEHOLD, ("致贫原因",), allowed=MAIN_CAUSE,
           variants={"病": "因病", "残": "因残", "学": "因学", "灾": "因灾", "缺劳动力": "缺劳力",
                     "交通落后": "交通条件落后", "自身发展动力不足": "自身发展动力不足", "动力不足": "自身发展动力不足"},
           help="因病/因残/因学/因灾/缺劳力/缺资金/……"),
    Column("risk_types", "风险类型", MULTI, HOUSEHOLD, ("返贫致贫风险", "风险类别", "致贫风险", "存在风险"),
           allowed=RISKS,
           variants={"病": "因病", "残": "因残", "学": "因学", "灾": "因灾", "意外事故": "因意外事故",
                     "产业失败": "因产业失败", "务工就业不稳": "因务工就业不稳", "就业不稳": "因务工就业不稳",
                     "无": "", "否": "", **NATIONAL_RISK_VARIANTS},
           help="因病/因残/因学/因灾/因意外事故/因产业失败/因务工就业不稳/其他，多项用“、”分隔"),
    *(Column(f"risk_{i}", f"致贫/返贫风险{i}", MULTI, HOUSEHOLD,
             (f"致贫返贫风险{i}", f"返贫致贫风险{i}", f"致贫(返贫)风险{i}", f"返贫/致贫风险{i}"), allowed=RISKS,
             variants={"无": "", "否": "", **NATIONAL_RISK_VARIANTS},
             help="国家防返贫监测系统导出表的风险列（并入风险类型）") for i in range(1, 6)),
    # --- exclusion facts
    Column("has_car", "有消费型汽车", YESNO, HOUSEHOLD, ("是否有消费型汽车", "有无消费型汽车", "有小汽车"),
           help="是/否"),
    Column("luxury_house", "房屋装修豪华", YESNO, HOUSEHOLD, ("是否房屋装修豪华", "住房装修豪华"), help="是/否"),
    Column("parents_separate", "父母单独立户且子女有赡养能力", YESNO, HOUSEHOLD,
           ("父母单独立户", "父母单独立户且有赡养能力子女", "是否父母单独立户且子女有赡养能力"), help="是/否"),
    # --- policies
    Column("policies_enjoyed", "已享受政策", MULTI, HOUSEHOLD, ("已享受的扶贫政策", "已享受扶贫政策"),
           allowed=POLICIES, help="多项用“、”分隔"),
    Column("policies_eligible", "可享受政策", MULTI, HOUSEHOLD, ("可以享受的扶贫政策", "可享受扶贫政策"),
           allowed=POLICIES, help="多项用“、”分隔"),
    # --- declared cards at each stage
    Column("card_visit", "上户核查建议", CARD, HOUSEHOLD, ("上户核查意见", "初核卡别", "初核申报"),
           allowed=CARDS, help="红卡/黄卡/绿卡/蓝卡（可空）"),
    Column("card_review", "民主评议意见", CARD, HOUSEHOLD, ("民主评议", "评议卡别"), allowed=CARDS,
           help="红卡/黄卡/绿卡/蓝卡（可空）"),
    Column("card_township", "乡镇复核意见", CARD, HOUSEHOLD, ("乡镇复核", "复核卡别"), allowed=CARDS,
           help="红卡/黄卡/绿卡/蓝卡（可空）"),
    Column("card_county", "县级抽查意见", CARD, HOUSEHOLD, ("县级抽查", "抽查卡别"), allowed=CARDS,
           help="红卡/黄卡/绿卡/蓝卡（可空）"),
    Column("card_final", "公示确定", CARD, HOUSEHOLD, ("公示确定卡别", "确定卡别", "卡别", "四卡类别", "申报卡别"),
           allowed=CARDS, help="红卡/黄卡/绿卡/蓝卡（可空）"),
    # --- household-level roster counts (one row per household)
    Column("n_labour_able", "有劳动能力人数", INT, HOUSEHOLD, ("劳动力人数", "有劳动力人数", "劳动力数"),
           required_household=True, help="普通或技能劳动力人数"),
    Column("n_labour_weak", "弱劳动力人数", INT, HOUSEHOLD, ("弱劳动力或半劳动力人数", "半劳动力人数"),
           help="弱劳动力或半劳动力人数"),
    Column("n_serious_ill", "患大病人数", INT, HOUSEHOLD, ("大病人数", "患有大病人数"), help="患有大病人数"),
    Column("n_disabled", "残疾人数", INT, HOUSEHOLD, ("残疾人口数",), help="残疾人数（含重残）"),
    Column("n_severe_disabled", "重残人数", INT, HOUSEHOLD, ("重度残疾人数", "一二级残疾人数"),
           help="一级、二级残疾人数"),
    Column("n_students", "全日制在校生人数", INT, HOUSEHOLD, ("在校生人数", "高中及以上在校生人数"),
           help="普通高中及以上全日制在校生人数"),
    Column("n_chronic", "慢性病人数", INT, HOUSEHOLD, ("长期慢性病人数",), help="长期慢性病人数"),
    # --- social-assistance evidence (national exports); read only by checks/measures, never blocking:
    # kind TEXT, the measures check maps the value through ``variants`` (是 = enjoys the policy)
    Column("dibao_status", "享受低保政策情况", TEXT, MEMBER,
           ("是否享受低保", "享受低保情况", "低保享受情况", "是否低保户", "低保情况"),
           allowed=ASSISTANCE_STATUS, variants=DIBAO_VARIANTS,
           help="农村低保/城市低保/未享受（或是/否，可空）"),
    Column("tekun_status", "享受特困供养政策情况", TEXT, MEMBER,
           ("是否享受特困供养", "享受特困供养情况", "特困供养情况", "是否特困供养", "是否特困人员"),
           allowed=ASSISTANCE_STATUS, variants=TEKUN_VARIANTS,
           help="是/否（或集中供养/分散供养/未享受，可空）"),
)

BY_KEY: dict[str, Column] = {c.key: c for c in COLUMNS}

# Columns that only a household-level roster has; their presence (and no 与户主关系) marks one.
HOUSEHOLD_COUNT_KEYS = ("n_labour_able", "n_labour_weak", "n_serious_ill", "n_disabled",
                        "n_severe_disabled", "n_students", "n_chronic")

# Canonical keys that the national exports supply through other columns (ingest/national.py): a
# required or rules-read key counts as present when one of these is.
SUPPLIED_BY: dict[str, tuple[str, ...]] = {
    "category": ("household_type", "poverty_attr"),
    "poverty_status": ("household_type",),
    "monitored": ("monitor_class",),
    "risk_types": tuple(f"risk_{i}" for i in range(1, 6)),
    "size_declared": ("size_annual",),
    "age": ("id_number",),
    "sex": ("id_number",),
}
NATIONAL_RISK_KEYS = SUPPLIED_BY["risk_types"]
# Columns that supply nothing themselves but qualify supplying ones: 风险是否已消除 says whether
# 监测对象类别 and 致贫/返贫风险1…5 are current (ingest/national.py), so it is read whenever they are.
QUALIFIES: dict[str, tuple[str, ...]] = {"risk_eliminated": ("monitor_class", *NATIONAL_RISK_KEYS)}
# Columns only the national exports have (read, not offered in our templates)
NATIONAL_KEYS = ("city", "county", "id_type", "birth_declared", "household_type", "monitor_class",
                 "risk_eliminated", "poverty_attr", "size_annual", "net_income_declared", *NATIONAL_RISK_KEYS)

# Headers known to carry nothing the program reads: carried to members.csv like any unknown column,
# but without a note per file (the national exports have dozens of them).
IGNORED_HEADERS = (
    "序号", "人编号", "成员编号", "民族", "文化程度", "政治面貌", "识别监测时间", "识别时间", "风险消除方式",
    "风险消除时间", "因自然灾害子项", "联系电话", "联系方式", "开户银行", "银行账号", "是否在校生", "备注",
    "耕地面积(亩)", "林地面积(亩)", "是否危房户", "是否有安全饮水", "是否通生产用电", "是否通生活用电",
    "与村主干路距离(公里)", "入户路类型", "务工时间(月)", "务工地点", "务工所在地", "是否参加城乡居民基本医疗保险",
    "是否参加大病保险", "是否参加城乡居民基本养老保险", "是否享受人身意外保险补贴", "是否解决安全住房",
    "是否义务教育阶段适龄儿童", "义务教育阶段辍学原因", "是否现役军人", "公益性岗位(月数)", "导出时间",
)


def ignored_header(text: object) -> bool:
    """Known-irrelevant header (序号, 民族, 识别监测时间 …): carried, no note. Compared before noise
    words are dropped, so "是否在校生" (a yes/no) is not taken for 在校生状况."""
    return _plain_header(str(text or "")) in _IGNORED


# Keys that identify a "totals" or "notes" row when they appear in the first cells.
TOTAL_MARKERS = ("合计", "小计", "总计")
NOTE_MARKERS = ("填表人", "审核人", "填报日期", "填报人", "制表人", "负责人", "联系电话", "备注：", "说明：", "注：")

# Source columns every raw row carries
SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW = "source_file", "source_sheet", "source_row"
SOURCE_LABELS = {SOURCE_FILE: "来源文件", SOURCE_SHEET: "工作表", SOURCE_ROW: "来源行号"}

# Derived columns: household facts and classification results, with their Chinese labels.
DERIVED_LABELS: dict[str, str] = {
    "hh_key": "家庭识别码",
    "head_name": "户主姓名",
    "head_id": "户主证件号码",
    "head_age": "户主年龄",
    "head_sex": "户主性别",
    "id_ok": "证件号码有效",
    "roster_level": "花名册类型",
    "is_head": "是否户主",
    "registered": "是否建档立卡",
    "size": "家庭人口",
    "members": "成员行数",
    "total_income": "家庭总收入",
    "net_income": "家庭纯收入",
    "per_capita": "人均纯收入",
    "economic_income": "经济收入",
    "labour_able": "有劳动能力人数",
    "labour_weak": "弱劳动力人数",
    "no_labour_household": "整户无劳动能力",
    "ill_or_disabled": "有大病或残疾成员",
    "severe_disabled": "有重残成员",
    "chronic": "有慢性病成员",
    "fulltime_student": "有全日制在校生",
    "risk_illness": "因病因残风险",
    "risk_disaster": "因灾风险",
    "risk_education": "因学风险",
    "return_risk": "返贫风险",
    "card": "卡别",
    "rule": "判定规则",
    "reasons": "判定依据",
    "exclusions": "排除情形",
    "priority_factors": "优先因素",
    "priority_score": "优先分",
    "review": "需人工复核",
    "review_reason": "复核原因",
    "declared_card": "申报卡别",
    "declared_stage": "申报环节",
    "agrees": "是否一致",
    "blocking_issues": "阻断问题",
    "age_calc": "年龄（按证件号码）",
    "birth_date": "出生日期",
    "sex_calc": "性别（按证件号码）",
    "plan_entitled": "一户一策：应享措施",
    "plan_received": "一户一策：已享措施",
    "plan_missing": "一户一策：未享措施",
}

UNDETERMINED = "未判定"
NOT_CARDED = "不纳入"

_STRIP_RE = re.compile(r"[\s_\-－—:：*＊★]+")
_NOISE_RE = re.compile(r"是否有|是否|有无")
_SUFFIX_RE = re.compile(r"(?:情况|状况)$")
_UNIT_RE = re.compile(r"[（(](?:元|人|岁|元/年|元/人|个|万元|户|是/否|必填|选填|可空|文本)[）)]$")


def normalize_header(text: object) -> str:
    """Canonical form of a header cell for alias lookup: NFKC, no spaces, no units, no brackets."""
    return _normalize_header(str(text or ""))


@lru_cache(maxsize=1 << 16)
def _normalize_header(text: str) -> str:
    s = _plain_header(text)
    # 是否/有无/是否有 and 情况/状况 are noise ("房屋是否装修豪华", "有无消费型汽车", "健康状况")
    core = _NOISE_RE.sub("", s)
    core = _SUFFIX_RE.sub("", core)
    return core or s


@lru_cache(maxsize=1 << 16)
def _plain_header(text: str) -> str:
    """NFKC, no spaces, no units, ASCII brackets (noise words kept)."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = s.replace("\n", "").replace("\r", "")
    # units such as （元） at the end, possibly repeated
    prev = None
    while prev != s:
        prev = s
        s = _UNIT_RE.sub("", s).strip()
    s = _STRIP_RE.sub("", s)
    s = s.replace("（", "(").replace("）", ")")
    return s





def label(key: str) -> str:
    """Chinese label for any canonical, derived or source key (the key itself if unknown)."""
    if key in BY_KEY:
        return BY_KEY[key].label
    return DERIVED_LABELS.get(key) or SOURCE_LABELS.get(key) or key


def required_keys(level: str) -> list[str]:
    """Required canonical keys for a member-level ("member") or household-level ("household") roster."""
    if level == "household":
        return [c.key for c in COLUMNS if c.required_household]
    return [c.key for c in COLUMNS if c.required]


def present(key: str, keys) -> bool:
    """``key`` is in ``keys`` itself or through a column that supplies it (SUPPLIED_BY)."""
    return key in keys or any(k in keys for k in SUPPLIED_BY.get(key, ()))


# --- Side tables recognised in the input folder by their headers (not rosters) ---------------

POST_LEVELS = ("县级", "乡镇级", "村级")
CADRE_LEVELS = ("市直", "县", "乡", "村")
CONTACT_WAYS = ("上户走访", "电话", "微信")

POST_COLUMNS: tuple[Column, ...] = (
    Column("post_name", "岗位名称", TEXT, MEMBER, ("公益岗位名称", "岗位"), required=True),
    Column("post_level", "设岗层级", ENUM, MEMBER, ("岗位层级", "层级", "设岗级别"), allowed=POST_LEVELS,
           variants={"县": "县级", "乡镇": "乡镇级", "乡级": "乡镇级", "镇级": "乡镇级", "村": "村级"},
           required=True),
    Column("township", "乡镇", TEXT, MEMBER, ("乡镇名称", "所在乡镇")),
    Column("village", "行政村", TEXT, MEMBER, ("村", "所在村")),
    Column("name", "姓名", TEXT, MEMBER, ("聘用人员姓名", "人员姓名"), required=True),
    Column("id_number", "证件号码", ID, MEMBER, ("身份证号", "身份证号码", "公民身份号码"), required=True),
    Column("monthly_wage", "月工资", MONEY, MEMBER, ("月工资（元）", "岗位工资", "月补贴")),
    Column("fund_source", "资金来源", TEXT, MEMBER, ("工资来源",)),
)

VILLAGE_COLUMNS: tuple[Column, ...] = (
    Column("township", "乡镇", TEXT, MEMBER, ("乡镇名称",), required=True),
    Column("village", "行政村", TEXT, MEMBER, ("村", "村名"), required=True),
    Column("poor_village", "是否贫困村", YESNO, MEMBER, ("贫困村",), required=True),
    Column("supervised_village", "是否挂牌督战村", YESNO, MEMBER, ("挂牌督战村",)),
    Column("has_pv", "是否有光伏电站", YESNO, MEMBER, ("有光伏电站", "光伏电站")),
    Column("supervised_township", "所在乡镇是否挂牌督战", YESNO, MEMBER, ("挂牌督战乡镇", "是否挂牌督战乡镇")),
    Column("pv_income", "光伏年收益", MONEY, MEMBER, ("光伏收益", "光伏电站年收益")),
    Column("pv_to_yellow_wages", "光伏收益用于黄卡公益岗位工资", MONEY, MEMBER,
           ("光伏收益用于黄卡户公益岗位工资", "用于黄卡公益岗位工资")),
)

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("date", "日期", TEXT, MEMBER, ("联系日期", "走访日期"), required=True),
    Column("cadre", "帮扶干部", TEXT, MEMBER, ("帮扶责任人", "干部姓名"), required=True),
    Column("cadre_level", "干部层级", ENUM, MEMBER, ("帮扶干部层级", "干部级别"), allowed=CADRE_LEVELS,
           variants={"市": "市直", "市级": "市直", "县级": "县", "乡镇": "乡", "乡级": "乡", "镇": "乡",
                     "村级": "村"}, required=True),
    Column("id_number", "户主证件号码", ID, MEMBER, ("证件号码", "户主身份证号", "身份证号码"), required=True),
    Column("way", "方式", ENUM, MEMBER, ("联系方式", "帮扶方式"), allowed=CONTACT_WAYS,
           variants={"走访": "上户走访", "入户走访": "上户走访", "上门走访": "上户走访", "电话联系": "电话",
                     "微信联系": "微信"}, required=True),
)

INSPECTOR_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", TEXT, MEMBER, ("抽查人员", "抽查人员姓名"), required=True),
    Column("unit", "单位", TEXT, MEMBER, ("工作单位", "所在单位"), required=True),
    Column("township", "所在乡镇", TEXT, MEMBER, ("本人所在乡镇", "回避乡镇")),
)

# 补充信息表: 乡镇 + 户编号 or 户主证件号码 + any household field of the roster (typically what a
# national export lacks: the exclusion facts, 教育支出). Its values fill or override the household's.
SUPPLEMENT_COLUMNS: tuple[Column, ...] = tuple(
    replace(c, required=c.key == "township", required_household=False)
    for c in COLUMNS if c.level == HOUSEHOLD or c.key in ("name", "id_number"))
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("township", "乡镇", TEXT, MEMBER, ("乡镇名称", "所在乡镇", "乡（镇）")),
    Column("village", "行政村", TEXT, MEMBER, ("村", "所在村", "村名")),
    Column("head_name", "户主姓名", TEXT, MEMBER, ("姓名", "户主", "受益户主")),
    Column("head_id", "户主证件号码", ID, MEMBER, ("证件号码", "户主身份证号", "户主身份证号码", "身份证号码", "身份证号")),
    Column("household_id", "户编号", CODE, MEMBER, ("户号", "户码", "家庭编号")),
    Column("measure", "措施类别", ENUM, MEMBER, ("措施类型", "帮扶措施", "帮扶措施类别", "措施名称", "帮扶类别"),
           allowed=MEASURES, variants=with_ascii_brackets(MEASURE_VARIANTS, MEASURES), required=True,
           help="产业分红/产业扶贫资金/庭院经济奖补/兜底保障A类/兜底保障B类/低保/特困供养/临时救助/……"),
    Column("project", "项目名称", TEXT, MEMBER, ("帮扶项目", "项目")),
    Column("principal", "入股金额", MONEY, MEMBER, ("入股资金", "股金", "入股本金", "委托帮扶资金")),
    Column("amount", "金额", MONEY, MEMBER, ("补助金额", "资金金额", "发放金额", "分红金额", "救助金额", "补助资金")),
    Column("year", "年度", TEXT, MEMBER, ("年份", "发放年度", "实施年度")),
    Column("date", "日期", TEXT, MEMBER, ("发放日期", "落实日期", "实施日期", "时间")),
    Column("covered", "保障人数", INT, MEMBER, ("兜底人数", "纳入人数", "保障人口数", "享受人数")),
    Column("note", "备注", TEXT, MEMBER, ()),
)

# Table kinds recognised by header: kind -> (columns, Chinese name). The reader scores each
# candidate header row against every kind and routes the sheet to the best one.
TABLE_KINDS: dict[str, tuple[tuple[Column, ...], str]] = {
    "roster": (COLUMNS, "花名册"),
    "posts": (POST_COLUMNS, "公益岗位花名册"),
    "villages": (VILLAGE_COLUMNS, "村情表"),
    "contacts": (CONTACT_COLUMNS, "联系走访记录"),
    "inspectors": (INSPECTOR_COLUMNS, "抽查人员名单"),
    "supplement": (SUPPLEMENT_COLUMNS, "补充信息表"),  # chosen by structure (read.is_supplement)
    "ledger": (LEDGER_COLUMNS, "帮扶措施台账"),
}


def alias_table(columns: tuple[Column, ...]) -> dict[str, str]:
    """Normalised header text -> key, for any column list."""
    table: dict[str, str] = {}
    for col in columns:
        for name in col.all_names:
            table.setdefault(normalize_header(name), col.key)
    return table


ALIASES: dict[str, str] = alias_table(COLUMNS)
_IGNORED = frozenset(_plain_header(h) for h in IGNORED_HEADERS) - {
    _plain_header(n) for c in COLUMNS for n in c.all_names}


def lookup_header(text: object) -> str | None:
    """Canonical roster key for a header text, or None if unknown."""
    return ALIASES.get(normalize_header(text))
