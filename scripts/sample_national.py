"""Two townships of the sample county laid out like the national systems' exports (issue 12):

- 金溪镇: the 2021+ 防返贫监测 export ("（自定义）监测对象信息"): title and 导出时间 rows, ~125 columns
  (most irrelevant), household fields on every member row, 乡/村, 户类型 + 监测对象类别 + 风险是否已消除,
  致贫/返贫风险1…5, grade-level 在校生状况, 性别 codes, 出生日期, some 20/22-character 残疾人证
  numbers, and no exclusion columns, no 教育支出, no declared cards.
- 柳塘乡: the 2016–2020 建档立卡 roster: registered households only, 贫困户属性 instead of 户类别,
  2016 脱贫属性 words (脱贫, 预脱贫, 已脱贫(享受政策) …), 大专及以上, household fields on the head row.

The export's 享受低保政策情况 / 享受特困供养政策情况 columns are left out: the measures check (issue 13)
reads them against the 帮扶措施台账, whose planted findings are computed without these townships'
policy columns.

Drawn from their own random generator (seeded from the county seed) after the ten original
townships, so those stay byte-identical. Expected cards come from sample_county.classify (the
generator's independent reference) applied to what these layouts can say: no exclusion facts, no
education spending, and for a monitoring household whose risk is eliminated, no current risk.
"""

from __future__ import annotations

import random
from pathlib import Path

from sample_county import AREA, COUNTY, GROUPS, REG, VILLAGE_POOL, County, Household, classify
from sample_writers import Fmts, new_workbook, put

# name, layout, number of villages (added after the ten townships of sample_county.TOWNSHIPS)
NATIONAL_TOWNSHIPS = (("金溪镇", "monitoring", 6), ("柳塘乡", "jdlk2016", 5))

NATIONAL_RISK = {"因灾": "因自然灾害", "因产业失败": "因产业项目失败"}
FILLER = (
    "识别监测时间", "风险消除方式", "风险消除时间", "因自然灾害子项", "民族", "文化程度", "政治面貌", "是否在校生",
    "整户无劳动能力兜底保障户", "产业帮扶", "就业帮扶", "公益岗位帮扶",
    "金融帮扶", "健康帮扶", "教育帮扶", "住房安全保障", "饮水安全保障", "综合保障", "社会帮扶", "扶志扶智", "其他帮扶",
    "是否危房户", "危房等级", "是否有安全饮水", "饮水困难类型", "是否通生产用电", "是否通生活用电", "与村主干路距离（公里）",
    "入户路类型", "耕地面积（亩）", "有效灌溉面积（亩）", "林地面积（亩）", "退耕还林面积（亩）", "林果面积（亩）",
    "牧草地面积（亩）", "水面面积（亩）", "务工时间（月）", "务工地点", "务工所在地", "务工单位", "公益性岗位(月数)",
    "是否参加城乡居民基本医疗保险", "是否参加大病保险", "是否参加城乡居民基本养老保险", "是否享受人身意外保险补贴",
    "是否参加商业补充医疗保险", "是否享受医疗救助", "是否义务教育阶段适龄儿童", "义务教育阶段辍学原因", "是否现役军人",
    "是否解决安全住房", "住房面积（平方米）", "燃料类型", "是否加入农民专业合作社", "是否有卫生厕所", "联系电话",
    "开户银行", "银行账号", "公益性岗位收入", "其他工资性收入", "种植业收入", "养殖业收入", "其他生产经营性收入",
    "种植业支出", "养殖业支出", "其他生产经营性支出", "资产收益扶贫分红收入", "土地流转收入", "其他财产性收入",
    "最低生活保障金", "特困人员救助供养金", "养老金或离退休金", "计划生育金", "生态补偿金", "其他转移性收入",
    "赡养（抚养、扶养）费", "医疗报销金额", "医疗自付费用", "教育补助金额", "临时救助金额", "残疾人补贴",
    "易地扶贫搬迁", "搬迁方式", "安置方式", "安置地", "是否同步搬迁", "是否享受雨露计划", "小额信贷金额（元）",
    "贷款时间", "还款情况", "帮扶责任人", "帮扶责任人单位", "帮扶责任人电话", "驻村工作队队长", "第一书记",
    "录入人", "录入时间", "修改人", "修改时间", "数据状态", "审核状态", "是否标注", "标注原因", "备注",
)
GRADE = ("一年级", "二年级", "三年级")


def add_national(c: County, seed: int) -> None:
    """Append the two export townships and their households to ``c`` (own random generator)."""
    saved = c.rng
    c.rng = r = random.Random(seed * 1000 + 12)
    try:
        first = len(c.townships) + 1
        for ti, (tw, layout, n_v) in enumerate(NATIONAL_TOWNSHIPS, start=first):
            names: list[str] = []
            pool = list(VILLAGE_POOL)
            r.shuffle(pool)
            while len(names) < n_v:
                v = pool.pop() + "村"
                if v not in names:
                    names.append(v)
            villages = []
            seq = 0
            for vi, v in enumerate(names, start=1):
                n_groups = r.randint(4, 8)
                villages.append({"name": v, "groups": GROUPS[:n_groups]})
                for _ in range(r.randint(22, 30)):
                    seq += 1
                    hhid = f"{AREA}{ti:03d}{vi:03d}{seq:05d}"
                    h = c.household(f"{tw}|{seq:05d}", tw, v, GROUPS[r.randint(0, n_groups - 1)], hhid)
                    _fit(h, layout, r)
                    h.card, h.rule, h.exclusions = classify(h)
                    c.households.append(h)
            c.townships.append({"name": tw, "supervised": False, "layout": layout, "villages": villages,
                                "index": ti})
    finally:
        c.rng = saved


def _fit(h: Household, layout: str, r: random.Random) -> None:
    """What the layout can say: no exclusion facts, no education spending, no declared cards."""
    h.members.sort(key=lambda m: 0 if m.relation == "户主" else 1)
    h.has_car = h.luxury = h.parents_sep = False
    h.education = 0
    h.declared, h.declared_latest = {}, ""
    if layout == "jdlk2016":  # a 建档立卡 roster lists registered households only, with no risk columns
        h.category = REG
        h.status = h.status or r.choices(("已脱贫", "未脱贫"), (85, 15))[0]
        h.monitored, h.risks = False, []
        return
    # 2021+: registered households are all 已脱贫 (脱贫户); 监测对象类别 and 风险是否已消除
    h.out["history_risks"] = []
    if h.registered:
        h.status = "已脱贫"
        h.out["monitor_class"] = "脱贫不稳定户" if h.monitored else ""
    elif h.category == "边缘户":
        h.out["monitor_class"] = r.choice(("边缘易致贫户", "边缘易致贫户", "突发严重困难户"))
        h.monitored = True
    else:
        h.out["monitor_class"] = ""
        h.monitored = False
    eliminated = bool(h.out["monitor_class"]) and r.random() < 0.25
    h.out["eliminated"] = "是" if eliminated else ("否" if h.out["monitor_class"] else "")
    if eliminated:  # the risks are history: not current risks, not monitored
        h.out["history_risks"], h.risks, h.monitored = h.risks or ["因病"], [], False


# ----------------------------------------------------------------------------------------------
# writers

def _school(m, r: random.Random) -> str:
    s = m.schooling
    if s == "非在校生":
        return ""
    if s == "学前":
        return r.choice(("学前教育", "学龄前儿童"))
    if s == "七至九年级":
        return (" " if r.random() < 0.3 else "") + ("七年级", "八年级", "九年级")[min(max(m.age - 12, 0), 2)]
    grade = GRADE[min(max(m.age - 15, 0), 2)]
    return {"普通高中": f"普通高中{grade}", "中职": f"中职{grade}",
            "高职高专": f"高职高专{GRADE[min(max(m.age - 18, 0), 2)]}", "本科": "本科",
            "研究生": "硕士生及以上"}.get(s, s)


def _school_2016(m) -> str:
    s = m.schooling
    if s in ("高职高专", "本科", "研究生"):
        return "大专及以上"
    grade = GRADE[min(max(m.age - 15, 0), 2)]
    return {"非在校生": "非在校生", "学前": "学前教育", "七至九年级": ("七年级", "八年级", "九年级")[min(max(m.age - 12, 0), 2)],
            "普通高中": f"高中{grade}", "中职": f"中职{grade}"}.get(s, s)


MONITORING_HEAD = (
    "市", "县", "乡", "村", "组", "户编号", "姓名", "证件类型", "证件号码", "性别", "出生日期", "与户主关系",
    "户类型", "监测对象类别", "风险是否已消除", "致贫/返贫风险1", "致贫/返贫风险2", "致贫/返贫风险3",
    "致贫/返贫风险4", "致贫/返贫风险5", "在校生状况", "健康状况", "劳动技能", "当前家庭人口数", "年度家庭人口数",
    "工资性收入", "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "纯收入（元）", "人均纯收入（元）",
    "年收入（元）",
)


def _sheet(out: Path, rel: str, sheet: str, titles: list[str], header) -> tuple:
    """A workbook with title rows above one header row: (workbook, formats, worksheet, first data row)."""
    wb = new_workbook(out / rel)
    f = Fmts(wb)
    ws = wb.add_worksheet(sheet)
    for i, text in enumerate(titles):
        ws.write_string(i, 0, text, f.title if i == 0 else f.left)
    for ci, lab in enumerate(header):
        ws.write_string(len(titles), ci, lab, f.head)
    return wb, f, ws, len(titles) + 1


def write_monitoring(out: Path, tw: str, households, rel: str) -> list[str]:
    """金溪镇: laid out like the 2021+ monitoring export."""
    r = random.Random(f"{tw}-monitoring")
    sheet = "监测对象信息"
    header = list(MONITORING_HEAD[:12]) + list(FILLER[:4]) + list(MONITORING_HEAD[12:]) + list(FILLER[4:])
    wb, f, ws, row = _sheet(out, rel, sheet, ["（自定义）监测对象信息", "导出时间：2024-03-15 10:22:31"], header)
    long_ids = 0
    for h in households:
        h.file, h.sheet = rel, sheet
        risks = h.risks or h.out.get("history_risks", [])
        risk_cells = [NATIONAL_RISK.get(x, x) for x in risks][:5] + [""] * 5
        htype = "脱贫户" if h.registered else r.choice(("普通农户", "监测户")) if h.category == "边缘户" else "普通农户"
        total = h.wage + h.business + h.prop + h.transfer
        hv = {"市": "云州市", "县": COUNTY, "乡": tw, "村": h.village, "组": h.group, "户编号": h.household_id,
              "户类型": htype, "监测对象类别": h.out.get("monitor_class", ""), "风险是否已消除": h.out.get("eliminated", ""),
              "当前家庭人口数": h.size, "年度家庭人口数": h.size, "工资性收入": h.wage, "生产经营性收入": h.business,
              "财产性收入": h.prop, "转移性收入": h.transfer, "生产经营性支出": h.cost, "纯收入（元）": h.net,
              "人均纯收入（元）": round(h.per_capita, 2), "年收入（元）": total}
        for i in range(5):
            hv[f"致贫/返贫风险{i + 1}"] = risk_cells[i]
        for m in h.members:
            m.row = row + 1
            pid, id_type, health = m.id, "居民身份证", "、".join(m.health)
            if "残疾" in m.health and m.grade and r.random() < 0.6:
                kind = r.randint(1, 7)
                pid = f"{m.id}{kind}{'一二三四'.index(m.grade[0]) + 1}"
                long_ids += 1
                if long_ids == 3:
                    pid += "01"  # a 22-character number (ID + 4 digits)
                id_type = "残疾人证"
                if long_ids % 3 == 0:
                    health = "、".join(x for x in m.health if x != "残疾") or ""
            mv = {"姓名": m.name, "证件类型": id_type, "证件号码": pid, "性别": "1" if m.sex == "男" else "2",
                  "出生日期": m.birth.strftime("%Y%m%d"), "与户主关系": m.relation, "在校生状况": _school(m, r),
                  "健康状况": health, "劳动技能": m.labour}
            for ci, lab in enumerate(header):
                if lab in mv:
                    v = mv[lab]
                elif lab in hv:
                    v = hv[lab]
                else:
                    v = _filler(lab, r)
                put(ws, row, ci, v, f.text if lab == "证件号码" else None)
            row += 1
    wb.close()
    return [rel]


def _filler(label: str, r: random.Random):
    if label.startswith(("是否", "整户")) or label.endswith("帮扶"):
        return r.choice(("否", "否", "是", ""))
    if "（亩）" in label or "收入" in label or "金" in label or "费" in label or "支出" in label:
        return r.choice((0, 0, "", r.randint(100, 3000)))
    if label == "民族":
        return r.choice(("汉族", "汉族", "汉族", "苗族", "土家族"))
    if label == "文化程度":
        return r.choice(("小学", "初中", "高中", "文盲或半文盲", ""))
    if label == "识别监测时间":
        return r.choice(("202104", "202207", "202303.0", ""))
    return r.choice(("", "", "无", "1", "2"))


JDLK_HEAD = (
    "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号", "姓名", "身份证号", "家庭人口数", "与户主关系",
    "民族", "文化程度", "在校生状况", "健康状况", "劳动技能", "脱贫属性", "贫困户属性", "主要致贫原因", "工资性收入",
    "生产经营性收入", "财产性收入", "转移性收入", "生产经营性支出", "人均纯收入",
)
STATUS_2016 = {"已脱贫": ("脱贫", "已脱贫(享受政策)", "已脱贫（不再享受政策）"), "未脱贫": ("未脱贫", "预脱贫"),
               "返贫": ("返贫",)}


def write_jdlk2016(out: Path, tw: str, households, rel: str) -> list[str]:
    """柳塘乡: laid out like the 2016–2020 建档立卡 roster (household fields on the head row)."""
    r = random.Random(f"{tw}-jdlk")
    sheet = "贫困人口信息"
    wb, f, ws, row = _sheet(out, rel, sheet, [f"建档立卡贫困人口信息（{tw}）"], JDLK_HEAD)
    for h in households:
        h.file, h.sheet = rel, sheet
        hv = {"县(市、区、旗)": COUNTY, "乡(镇)": tw, "行政村": h.village, "自然村": h.group, "户编号": h.household_id,
              "家庭人口数": h.size, "脱贫属性": r.choice(STATUS_2016[h.status]),
              "贫困户属性": r.choice(("一般贫困户", "一般贫困户", "低保贫困户", "五保贫困户")),
              "主要致贫原因": h.main_cause or "缺资金", "工资性收入": h.wage, "生产经营性收入": h.business,
              "财产性收入": h.prop, "转移性收入": h.transfer, "生产经营性支出": h.cost,
              "人均纯收入": round(h.per_capita, 2)}
        for n, m in enumerate(h.members, start=1):
            m.row = row + 1
            mv = {"人编号": f"{h.household_id}{n:02d}", "姓名": m.name, "身份证号": m.id, "与户主关系": m.relation,
                  "民族": "汉族", "文化程度": r.choice(("小学", "初中", "高中")), "在校生状况": _school_2016(m),
                  "健康状况": "、".join(m.health), "劳动技能": m.labour}
            for ci, lab in enumerate(JDLK_HEAD):
                if lab in mv:
                    v = mv[lab]
                elif lab in ("户编号", "乡(镇)", "行政村", "县(市、区、旗)", "自然村") or n == 1:
                    v = hv.get(lab, "")
                else:
                    v = ""
                put(ws, row, ci, v, f.text if lab == "身份证号" else None)
            row += 1
    wb.close()
    return [rel]


LAYOUTS = {
    "monitoring": (write_monitoring, "{tw}防返贫监测对象信息（系统导出）.xlsx"),
    "jdlk2016": (write_jdlk2016, "{tw}建档立卡贫困人口信息（2019年）.xlsx"),
}
