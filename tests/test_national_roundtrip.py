"""A member-level roster written again in the 2021+ monitoring layout yields the same cards."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pandas as pd
from national_rosters import MONITORING_HEADERS, write_monitoring_export

from fourcard_excel.ingest.ids import make_id
from fourcard_excel.pipeline import classify_inputs

AS_OF = dt.date(2024, 3, 18)
HEADERS = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "残疾等级", "劳动技能", "在校生状况",
           "户类别", "脱贫属性", "脱贫监测户", "工资性收入", "生产经营性收入", "财产性收入", "转移性收入",
           "生产经营性支出", "风险类型"]
# (household id, category, status, monitored, incomes, risks, members: (relation, birth, female, health, grade, labour, school))
HOUSEHOLDS = [
    ("R1", "建档立卡贫困户", "已脱贫", "否", (0, 0, 0, 7200, 0), "", [
        ("户主", "19450101", False, "患有大病", "", "丧失劳动力", ""),
        ("配偶", "19470101", True, "长期慢性病", "", "无劳动力", "")]),
    ("Y1", "建档立卡贫困户", "已脱贫", "是", (9000, 3000, 0, 1000, 1000), "", [
        ("户主", "19800101", False, "健康", "", "普通劳动力", ""),
        ("配偶", "19820101", True, "健康", "", "普通劳动力", ""),
        ("之子", "20100101", False, "健康", "", "无劳动力", "七至九年级")]),
    ("G1", "建档立卡贫困户", "已脱贫", "否", (40000, 5000, 0, 0, 2000), "因病", [
        ("户主", "19780101", False, "长期慢性病", "", "技能劳动力", ""),
        ("配偶", "19790101", True, "健康", "", "普通劳动力", "")]),
    ("B1", "边缘户", "", "否", (6000, 0, 0, 1000, 0), "因病", [
        ("户主", "19700101", False, "患有大病", "", "丧失劳动力", ""),
        ("配偶", "19720101", True, "健康", "", "普通劳动力", "")]),
    ("B2", "一般农户", "", "否", (10000, 2000, 0, 0, 0), "因灾、因务工就业不稳", [
        ("户主", "19750101", False, "健康", "", "普通劳动力", ""),
        ("配偶", "19760101", True, "健康", "", "普通劳动力", ""),
        ("之女", "20190601", True, "健康", "", "无劳动力", "学前")]),
    ("N1", "一般农户", "", "否", (60000, 0, 0, 0, 0), "", [
        ("户主", "19850101", False, "健康", "", "普通劳动力", "")]),
    ("S1", "一般农户", "", "否", (12000, 0, 0, 0, 0), "因学", [
        ("户主", "19760101", True, "健康", "", "普通劳动力", ""),
        ("之子", "20070101", False, "健康", "", "无劳动力", "普通高中"),
        ("之女", "20040101", True, "健康", "", "无劳动力", "本科")]),
    ("D1", "边缘户", "", "否", (8000, 0, 0, 2000, 0), "因残", [
        ("户主", "19690101", False, "残疾", "一级", "丧失劳动力", ""),
        ("配偶", "19700101", True, "健康", "", "普通劳动力", ""),
        ("之孙子", "20180601", False, "健康", "", "无劳动力", "学前")]),
]
GRADE = {"非在校生": "", "学前": "学前教育", "小学": "小学", "七至九年级": "八年级", "普通高中": "普通高中一年级",
         "中职": "中职二年级", "高职高专": "高职高专一年级", "本科": "本科", "研究生": "硕士生及以上"}
NATIONAL_RISK = {"因灾": "因自然灾害", "因产业失败": "因产业项目失败"}


def write_roster(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    seq = 1
    for hid, cat, status, mon, (wage, bus, prop, transfer, cost), risks, people in HOUSEHOLDS:
        for rel, birth, female, health, grade, labour, school in people:
            ws.append(["金溪镇", "金坪村", hid, f"{hid}{rel}", make_id("431299", birth, seq, female=female), rel, health,
                       grade, labour, school, cat, status, mon, wage, bus, prop, transfer, cost, risks])
            ws.cell(ws.max_row, 5).number_format = "@"
            seq += 2
    wb.save(path)


def as_monitoring_export(members: pd.DataFrame) -> list[dict]:
    """The typed members frame rewritten in the national vocabulary and layout."""
    out = []
    for hid, rows in members.groupby("household_id", sort=False):
        head = rows.iloc[0]
        registered = head["category"] == "建档立卡贫困户"
        if registered:
            htype, mclass = "脱贫户", ("脱贫不稳定户" if head["monitored"] else "")
        elif head["category"] == "边缘户":
            htype, mclass = "普通农户", "边缘易致贫户"
        else:
            htype, mclass = "普通农户", ""
        risks = [NATIONAL_RISK.get(x, x) for x in head["risk_types"].split("、") if x]
        people = []
        for _, p in rows.iterrows():
            pid = p["id_number"]
            health = p["health"]
            if "残疾" in health and p["disability_grade"]:  # a 残疾人证 number: ID + 类别 + 等级
                pid = pid + "1" + str("一二三四".index(p["disability_grade"][0]) + 1)
                health = "、".join(x for x in health.split("、") if x != "残疾")
            people.append({"姓名": p["name"], "证件类型": "居民身份证", "证件号码": pid,
                           "性别": "1" if p["sex_calc"] == "男" else "2",
                           "出生日期": p["birth_date"].strftime("%Y%m%d"), "与户主关系": p["relation"],
                           "在校生状况": GRADE[p["schooling"] or "非在校生"], "健康状况": health, "劳动技能": p["labour"]})
        net = head["wage_income"] + head["business_income"] + head["property_income"] + head["transfer_income"] \
            - head["business_cost"]
        fields = {"户编号": hid, "村": head["village"], "户类型": htype, "监测对象类别": mclass,
                  "风险是否已消除": "否" if mclass else "", "当前家庭人口数": len(rows),
                  "工资性收入": head["wage_income"], "生产经营性收入": head["business_income"],
                  "财产性收入": head["property_income"], "转移性收入": head["transfer_income"],
                  "生产经营性支出": head["business_cost"], "纯收入（元）": net,
                  "人均纯收入（元）": round(net / len(rows), 2)}
        fields.update({f"致贫/返贫风险{i + 1}": (risks[i] if i < len(risks) else "") for i in range(5)})
        out.append({"fields": fields, "people": people})
    return out


def test_member_roster_and_its_monitoring_export_give_the_same_cards(tmp_path):
    a, b = tmp_path / "roster", tmp_path / "export"
    a.mkdir()
    b.mkdir()
    write_roster(a / "金溪镇.xlsx")
    first = classify_inputs(a, as_of=AS_OF)
    assert not (first.households["card"] == "未判定").any()
    write_monitoring_export(b / "金溪镇监测对象信息.xlsx", as_monitoring_export(first.members),
                            headers=[h for h in MONITORING_HEADERS if h != "年收入（元）"], irrelevant=120)
    second = classify_inputs(b, as_of=AS_OF)
    cards_a = first.households.set_index("household_id")["card"]
    cards_b = second.households.set_index("household_id")["card"]
    assert cards_b.to_dict() == cards_a.to_dict()
    assert set(cards_a) == {"红卡", "黄卡", "绿卡", "蓝卡", "不纳入"}
    # (an 边缘易致贫户 is a monitoring object: 脱贫监测户 only compared where it matters, registered households)
    reg = first.households.set_index("household_id")["registered"]
    mon_a = first.households.set_index("household_id")["monitored"][reg]
    assert second.households.set_index("household_id")["monitored"].reindex(mon_a.index).tolist() == mon_a.tolist()
    for key in ("category", "poverty_status", "risk_types", "size", "per_capita", "labour_able",
                "ill_or_disabled", "severe_disabled", "fulltime_student"):
        left = first.households.set_index("household_id")[key]
        right = second.households.set_index("household_id")[key].reindex(left.index)
        assert right.tolist() == left.tolist(), key
    assert "错误" not in set(second.issues["级别"]), second.issues[second.issues["级别"] == "错误"].to_dict("records")
