"""Value vocabularies of the rosters and side tables: the canonical values of enumerated fields and
the spellings accepted for them (variants). Pure data; ``registry`` builds its columns from them.
"""

from __future__ import annotations

import unicodedata

HEALTH = ("健康", "长期慢性病", "患有大病", "残疾")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
LABOUR = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
SCHOOLING = (
    "非在校生",
    "学前",
    "小学",
    "七至九年级",
    "普通高中",
    "中职",
    "高职高专",
    "本科",
    "研究生",
)
RELATION = (
    "户主",
    "配偶",
    "之子",
    "之女",
    "之儿媳",
    "之女婿",
    "之孙子",
    "之孙女",
    "之外孙子",
    "之外孙女",
    "之父",
    "之母",
    "之岳父",
    "之岳母",
    "之公公",
    "之婆婆",
    "之祖父",
    "之祖母",
    "之兄弟",
    "之姐妹",
    "其他",
)
CATEGORY = ("建档立卡贫困户", "边缘户", "一般农户")
POVERTY_STATUS = ("已脱贫", "未脱贫", "返贫")
MAIN_CAUSE = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺劳力",
    "缺资金",
    "缺技术",
    "缺土地",
    "缺水",
    "交通条件落后",
    "自身发展动力不足",
    "其他",
)
RISKS = ("因病", "因残", "因学", "因灾", "因意外事故", "因产业失败", "因务工就业不稳", "缺劳动力", "因安全住房",
         "因安全饮水", "其他")
# 户类型 of the national monitoring export and 监测对象类别 (SPEC "National system exports")
HOUSEHOLD_TYPES = ("脱贫户", "普通农户", "一般农户", "监测户", "建档立卡贫困户", "边缘户")
MONITOR_CLASSES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
POLICIES = (
    "教育扶贫",
    "产业扶贫",
    "健康扶贫",
    "就业扶贫",
    "易地搬迁扶贫",
    "危房改造",
    "小额信贷",
    "兜底保障及低保",
    "消费扶贫",
    "社会扶贫",
    "临时救助",
    "其他",
)
CARDS = ("红卡", "黄卡", "绿卡", "蓝卡")
YES, NO = "是", "否"

RELATION_VARIANTS = {r[1:]: r for r in RELATION if r.startswith("之")}
RELATION_VARIANTS.update(
    {"本人": "户主", "妻": "配偶", "夫": "配偶", "妻子": "配偶", "丈夫": "配偶", "儿子": "之子",
     "长子": "之子", "次子": "之子", "女儿": "之女", "长女": "之女", "次女": "之女",
     "儿媳": "之儿媳", "女婿": "之女婿", "父亲": "之父", "母亲": "之母", "孙子": "之孙子",
     "孙女": "之孙女"}
)

_GRADES = ("一年级", "二年级", "三年级", "四年级")
# Grade-level values of the national exports (2016 and 2021+) → the canonical stage
GRADE_VARIANTS = {
    "学前教育": "学前", "学龄前儿童": "学前", "学龄前教育": "学前", "七年级": "七至九年级", "八年级": "七至九年级",
    "九年级": "七至九年级", "大专及以上": "高职高专", "硕士生及以上": "研究生", "硕士研究生及以上": "研究生",
    "硕士研究生": "研究生", "博士研究生": "研究生", "研究生及以上": "研究生", "本科生": "本科",
    **{f"普通高中{g}": "普通高中" for g in _GRADES}, **{f"高中{g}": "普通高中" for g in _GRADES},
    **{f"中职{g}": "中职" for g in _GRADES}, **{f"高职高专{g}": "高职高专" for g in _GRADES},
    **{f"高职{g}": "高职高专" for g in _GRADES}, **{f"大专{g}": "高职高专" for g in _GRADES},
    **{f"小学{g}": "小学" for g in ("一年级", "二年级", "三年级", "四年级", "五年级", "六年级")},
}
NATIONAL_RISK_VARIANTS = {"因自然灾害": "因灾", "自然灾害": "因灾", "务工就业不稳": "因务工就业不稳",
                   "因产业项目失败": "因产业失败", "产业项目失败": "因产业失败", "意外事故": "因意外事故",
                   "缺劳力": "缺劳动力", "安全住房": "因安全住房", "安全饮水": "因安全饮水"}
# 享受低保政策情况 / 享受特困供养政策情况 (national exports): value -> 是 (enjoys) / 否
ASSISTANCE_STATUS = (YES, NO)
_NOT_ENJOYED = {"否": NO, "未享受": NO, "不享受": NO, "无": NO, "没有": NO, "N": NO, "0": NO, "未纳入": NO,
                "已退出": NO, "退出": NO}
DIBAO_VARIANTS = {**_NOT_ENJOYED, "是": YES, "享受": YES, "已享受": YES, "Y": YES, "1": YES, "√": YES,
                   "农村低保": YES, "城市低保": YES, "城镇低保": YES, "低保": YES, "低保户": YES, "农村低保户": YES,
                   "城市低保户": YES, "A类低保": YES, "B类低保": YES, "低保A类": YES, "低保B类": YES,
                   "农村最低生活保障": YES, "城市最低生活保障": YES, "最低生活保障": YES}
TEKUN_VARIANTS = {**_NOT_ENJOYED, "是": YES, "享受": YES, "已享受": YES, "Y": YES, "1": YES, "√": YES,
                   "特困供养": YES, "特困人员": YES, "特困": YES, "五保": YES, "五保户": YES, "集中供养": YES,
                   "分散供养": YES, "农村特困供养": YES, "城市特困供养": YES, "特困供养人员": YES}


# 帮扶措施台账 (checks/measures): one row per measure given to a household.
MEASURES = ("产业分红", "产业扶贫资金", "庭院经济奖补", "兜底保障A类", "兜底保障B类", "低保", "特困供养", "临时救助",
            "危房改造（新建）", "危房改造（修缮加固）", "小额信贷", "消费扶贫", "社会扶贫", "培训就业")
MEASURE_VARIANTS = {
    "股份合作分红": "产业分红", "委托帮扶分红": "产业分红", "股份合作": "产业分红", "委托帮扶": "产业分红",
    "产业扶贫分红": "产业分红", "分红": "产业分红", "股份帮扶": "产业分红", "股份帮扶分红": "产业分红",
    "到户产业奖补": "产业扶贫资金", "产业奖补": "产业扶贫资金", "产业扶贫": "产业扶贫资金", "产业帮扶": "产业扶贫资金",
    "产业帮扶资金": "产业扶贫资金", "到户产业扶贫资金": "产业扶贫资金",
    "庭院经济": "庭院经济奖补", "庭院经济到户奖补": "庭院经济奖补",
    "低保A类": "兜底保障A类", "A类低保": "兜底保障A类", "兜底保障（A类）": "兜底保障A类", "兜底A类": "兜底保障A类",
    "兜底保障A": "兜底保障A类", "A类兜底": "兜底保障A类",
    "低保B类": "兜底保障B类", "B类低保": "兜底保障B类", "兜底保障（B类）": "兜底保障B类", "兜底B类": "兜底保障B类",
    "兜底保障B": "兜底保障B类", "B类兜底": "兜底保障B类",
    "最低生活保障": "低保", "农村低保": "低保", "城市低保": "低保", "兜底保障": "低保", "兜底保障及低保": "低保",
    "五保": "特困供养", "五保供养": "特困供养", "特困人员供养": "特困供养", "特困": "特困供养",
    "临时救助金": "临时救助",
    "危房改造新建": "危房改造（新建）", "危改新建": "危房改造（新建）", "新建": "危房改造（新建）",
    "危房新建": "危房改造（新建）",
    "修缮加固": "危房改造（修缮加固）", "危房改造修缮加固": "危房改造（修缮加固）", "危房修缮": "危房改造（修缮加固）",
    "危房改造（修缮）": "危房改造（修缮加固）", "危改修缮": "危房改造（修缮加固）", "维修加固": "危房改造（修缮加固）",
    "扶贫小额信贷": "小额信贷", "以购代捐": "消费扶贫", "消费帮扶": "消费扶贫", "社会帮扶": "社会扶贫",
    "就业扶贫": "培训就业", "技能培训": "培训就业", "就业帮扶": "培训就业", "培训": "培训就业",
}


def with_ascii_brackets(variants: dict[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    """Cell text is NFKC-normalised before lookup, which turns （） into (): accept both forms."""
    out = dict(variants)
    for name in (*allowed, *variants):
        ascii_name = unicodedata.normalize("NFKC", name)
        if ascii_name != name:
            out.setdefault(ascii_name, variants.get(name, name))
    return out
